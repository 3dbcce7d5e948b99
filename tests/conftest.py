"""Shared fixtures: a real threaded HTTP server on 127.0.0.1 serving tests/pages/ (plus any
route a test adds), a fresh archive file, and a CLI runner."""
from __future__ import annotations

import hashlib
import mimetypes
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from archiver.store import Store
from browser import chromium, open_page  # noqa: F401  (Playwright fixtures, one browser per session)

PAGES = Path(__file__).parent / "pages"


def tiny_png(seed: str, size: int = 4) -> bytes:
    """A real, decodable PNG whose pixels depend on `seed` (so different URLs give different bytes)."""
    color = hashlib.sha256(seed.encode()).digest()[:3]
    raw = b"".join(b"\x00" + color * size for _ in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def static_handler(request: Request) -> Response:
    """Files under tests/pages; any other *.png/*.jpg/*.gif path gets a generated image."""
    rel = request.path.lstrip("/")
    path = (PAGES / rel).resolve()
    if PAGES.resolve() in path.parents and path.is_file():
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript",):
            ctype += "; charset=utf-8"
        return Response(path.read_bytes(), content_type=ctype)
    if rel.endswith((".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico")):
        return Response(tiny_png(rel), content_type="image/png")
    return Response("not found", status=404, content_type="text/plain")


@pytest.fixture(scope="session")
def session_server():
    """One threaded pytest-httpserver on a free port for the whole session (stopping a server costs
    about 0.5 s, so one per test cost half the suite's time). Use `server`, which starts each test
    with no routes and an empty log."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture
def server(session_server):
    """The session's server with no routes, no log and no recorded errors; tests add routes with
    expect_request(). Whatever a test adds is cleared when it ends, so no test sees another's routes."""
    session_server.clear()
    yield session_server
    session_server.clear()
    if not session_server.is_running():   # a test stopped it: the next one gets it back, on a new port
        session_server.start()


def mount_pages(server: HTTPServer) -> HTTPServer:
    """Serve tests/pages/ at / on `server`. pytest-httpserver matches routes in the order they
    were added, so add a test's own routes first and mount the pages last."""
    import re
    server.expect_request(re.compile(r"^/.*")).respond_with_handler(static_handler)
    return server


@pytest.fixture
def site(server):
    """`server` with tests/pages/ mounted at /."""
    return mount_pages(server)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def store(db_path):
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture
def cli():
    from archiver.cli import main

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke
