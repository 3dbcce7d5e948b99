"""A capture is all or nothing: kill -9 or Ctrl-C mid-way leaves no half snapshot, and two
processes can archive into one file at once."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug import Response

from archiver.store import Store
from conftest import mount_pages, tiny_png

ARCHIVER = [sys.executable, "-m", "archiver.cli"]


def _slow_page(server, n_images=40, delay=0.15):
    imgs = "".join(f'<img src="/slow/{i}.png">' for i in range(n_images))
    server.expect_request("/slow.html").respond_with_data(f"<html><title>Slow</title><body>{imgs}</body></html>",
                                                          content_type="text/html")

    def slow(request):
        time.sleep(delay)
        return Response(tiny_png(request.path), content_type="image/png")
    import re
    server.expect_request(re.compile(r"^/slow/.*")).respond_with_handler(slow)


def _start(db: Path, *urls: str) -> subprocess.Popen:
    return subprocess.Popen([*ARCHIVER, "--db", str(db), "archive", "-q", "--concurrency", "2", *urls],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent)


def _wait_for_requests(server, n: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while len(server.log) < n:
        assert time.monotonic() < deadline, "capture never started"
        time.sleep(0.05)


def _state(db: Path):
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("snapshots", "resources", "blobs", "embeds")}
    finally:
        conn.close()


def test_kill_9_mid_capture_leaves_no_partial_snapshot(server, tmp_path):
    _slow_page(server)
    mount_pages(server)
    db = tmp_path / "a.db"
    done = subprocess.run([*ARCHIVER, "--db", str(db), "archive", "-q", server.url_for("/site/article.html")],
                          capture_output=True, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    before = _state(db)
    proc = _start(db, server.url_for("/slow.html"))
    _wait_for_requests(server, len(server.log) + 5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert _state(db) == before


@pytest.mark.parametrize("pages", [1, 2], ids=["one page, threads", "two pages, worker processes"])
def test_ctrl_c_mid_capture_exits_130_and_discards_the_capture(server, tmp_path, pages):
    _slow_page(server, n_images=20)   # still mid-capture at the signal: it comes after 5 of 21 requests
    db = tmp_path / "a.db"
    Store(db).close()   # an empty archive (`archive` opens it only once its captures are under way)
    proc = _start(db, *[server.url_for("/slow.html")] * pages)
    _wait_for_requests(server, 5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert _state(db)["snapshots"] == 0
    time.sleep(0.5)
    n = len(server.log)
    time.sleep(1.0)
    assert len(server.log) == n, "a worker kept fetching after Ctrl-C"


def test_two_processes_archive_into_one_file(server, tmp_path):
    _slow_page(server, n_images=20, delay=0.02)
    mount_pages(server)
    db = tmp_path / "a.db"
    a = _start(db, server.url_for("/slow.html"), server.url_for("/site/article.html"))
    b = _start(db, server.url_for("/site/article.html"), server.url_for("/slow.html"))
    assert a.wait(timeout=60) == 0, a.stderr.read()
    assert b.wait(timeout=60) == 0, b.stderr.read()
    state = _state(db)
    assert state["snapshots"] == 4
    conn = sqlite3.connect(db)
    titles = sorted(r[0] for r in conn.execute("select title from snapshots"))
    assert titles == ["Harbour bridge plan approved"] * 2 + ["Slow"] * 2
    # blobs shared by both processes are still stored once
    assert conn.execute("select count(*) from blobs").fetchone()[0] == \
        conn.execute("select count(distinct sha256) from resources").fetchone()[0] + 2
