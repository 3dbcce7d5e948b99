"""WARC and WACZ export: warcio check, index contents, record shape, WACZ validation, pywb replay."""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from archiver.bundle.wacz import export_wacz
from archiver.bundle.warc import export_warc
from archiver.cli import main
from archiver.store import Store
from bundle_helpers import CSS, PNG, make_archive

BIN = Path(sys.executable).parent


def clock() -> datetime:
    return datetime(2024, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warc") / "a.db"
    make_archive(path).close()
    return path


@pytest.fixture(scope="module")
def warc(archive: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "a.warc.gz"
    store = Store(archive)
    export_warc(store, store.snapshot_ids(), out, clock=clock)
    store.close()
    return out


def records(path: Path) -> list[dict]:
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            out.append({
                "type": rec.rec_type, "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                "date": rec.rec_headers.get_header("WARC-Date"),
                "version": rec.rec_headers.protocol,
                "status": rec.http_headers.get_statuscode() if rec.http_headers else None,
                "headers": dict(rec.http_headers.headers) if rec.http_headers else {},
                "warc_headers": dict(rec.rec_headers.headers),
                "body": rec.content_stream().read(),
            })
    return out


def test_warcio_check_passes(warc: Path) -> None:
    res = subprocess.run([str(BIN / "warcio"), "check", "-v", str(warc)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "digest pass" in res.stdout and "fail" not in res.stdout.replace("digest pass", "")


def test_warcio_check_notices_damage(warc: Path, tmp_path: Path) -> None:
    """The control for the test above: a WARC with a changed body fails the same check."""
    plain = gzip.decompress(warc.read_bytes())
    at = plain.index(b"Story 1")
    broken = tmp_path / "broken.warc"
    broken.write_bytes(plain[:at] + b"Stork 1" + plain[at + 7:])
    res = subprocess.run([str(BIN / "warcio"), "check", str(broken)], capture_output=True, text=True)
    assert res.returncode != 0


def test_index_lists_the_page_and_every_resource(warc: Path, archive: Path) -> None:
    res = subprocess.run([str(BIN / "warcio"), "index", "-f", "warc-type,warc-target-uri,http:status", str(warc)],
                         capture_output=True, text=True, check=True)
    index = [json.loads(line) for line in res.stdout.splitlines()]
    responses = {(r["warc-target-uri"], r.get("http:status")) for r in index if r["warc-type"] == "response"}
    store = Store(archive)
    for sid in store.snapshot_ids():
        snap = store.snapshot(sid)
        assert (snap["final_url"], "200") in responses
        for resource in store.resources(sid):
            if resource["sha256"]:
                assert (resource["final_url"], str(resource["status_code"])) in responses
    assert index[0]["warc-type"] == "warcinfo"
    assert sum(1 for r in index if r["warc-type"] == "request") == 2 + 2 * 4
    assert sum(1 for r in index if r["warc-type"] == "metadata") == 2
    assert not any("missing.png" in r.get("warc-target-uri", "") for r in index)   # failed: no bytes to give


def test_records_carry_the_stored_bytes_status_headers_and_date(warc: Path) -> None:
    recs = records(warc)
    assert all(r["version"] == "WARC/1.1" for r in recs)
    page = next(r for r in recs if r["type"] == "response" and r["uri"] == "https://news.example/story-1.html")
    assert page["date"] == "2024-05-01T12:00:00Z"
    assert page["status"] == "200"
    assert b"<title>Story 1 <\xc3\xbcber></title>" in page["body"]
    assert page["headers"]["Server"] == "test"
    assert "Content-Encoding" not in page["headers"]            # bodies are stored decoded
    assert page["headers"]["Content-Length"] == str(len(page["body"]))
    css = next(r for r in recs if r["type"] == "response" and r["uri"] == "https://news.example/static/site.css")
    assert css["body"] == CSS                                      # zlib-stored blob comes out raw
    image = next(r for r in recs if r["type"] == "response" and r["uri"] == "https://cdn.example/img/a.png")
    assert image["body"] == PNG
    redirect = next(r for r in recs if r["type"] == "response" and r["uri"] == "https://news.example/img/a.png")
    assert redirect["status"] == "302" and redirect["headers"]["Location"] == "https://cdn.example/img/a.png"
    assert "WARC-Archiver-Synthesized" in redirect["warc_headers"]
    ids = [r["warc_headers"]["WARC-Record-ID"] for r in recs]
    assert len(ids) == len(set(ids))


def test_repeated_payloads_are_revisits_naming_the_first_response(warc: Path) -> None:
    recs = records(warc)
    css = [r for r in recs if r["uri"] == "https://news.example/static/site.css" and r["type"] in ("response", "revisit")]
    assert [r["type"] for r in css] == ["response", "revisit"]
    first, again = css
    assert again["body"] == b""                                    # the bytes are not repeated
    assert again["date"] == "2024-05-02T12:00:00Z" and again["status"] == "200"
    assert again["headers"]["Content-Type"] == "text/css"
    wh = again["warc_headers"]
    assert wh["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert wh["WARC-Refers-To-Target-URI"] == "https://news.example/static/site.css"
    assert wh["WARC-Refers-To-Date"] == "2024-05-01T12:00:00Z"
    assert wh["WARC-Refers-To"] == first["warc_headers"]["WARC-Record-ID"]
    assert wh["WARC-Payload-Digest"] == first["warc_headers"]["WARC-Payload-Digest"]
    # the pages differ, so both are responses; the four shared resources are written once
    assert sum(1 for r in recs if r["type"] == "revisit") == 4
    assert sum(1 for r in recs if r["type"] == "response" and r["body"] == CSS) == 1


def test_request_records_carry_the_user_agent(warc: Path) -> None:
    from archiver.settings import DEFAULT_USER_AGENT
    recs = records(warc)
    requests = [r for r in recs if r["type"] == "request"]
    assert requests and all(r["headers"]["User-Agent"] == DEFAULT_USER_AGENT for r in requests)
    page = next(r for r in requests if r["uri"] == "https://news.example/story-1.html")
    assert page["headers"]["Host"] == "news.example"
    assert "WARC-Archiver-Synthesized" in page["warc_headers"]


def test_metadata_record_carries_preserved_posts(warc: Path) -> None:
    recs = records(warc)
    meta = [r for r in recs if r["type"] == "metadata"]
    doc = json.loads(meta[1]["body"])
    assert meta[1]["warc_headers"]["Content-Type"] == "application/json"
    assert meta[1]["warc_headers"]["WARC-Refers-To-Target-URI"] == "https://news.example/stories/2"
    page = next(r for r in recs if r["type"] == "response" and r["uri"] == "https://news.example/stories/2")
    assert meta[1]["warc_headers"]["WARC-Refers-To"] == page["warc_headers"]["WARC-Record-ID"]
    assert doc["snapshot"]["url"] == "https://news.example/story-2.html"
    assert [e["text"] for e in doc["embeds"]] == ["Hello from the post #2", "Second post"]
    assert doc["embeds"][0]["sources"]["published_at"] == "derived"
    assert doc["failed_resources"] == [{"url": "https://news.example/img/missing.png", "kind": "image",
                                        "status_code": 404, "error": "HTTP 404"}]


def test_cli_warc_export(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.warc.gz"
    res = CliRunner().invoke(main, ["--db", str(archive), "export", "2", "--format", "warc", "-o", str(out)])
    assert res.exit_code == 0, res.output
    uris = {r["uri"] for r in records(out) if r["type"] == "response"}
    assert "https://news.example/stories/2" in uris and "https://news.example/story-1.html" not in uris


# ---------------------------------------------------------------- WACZ
@pytest.fixture(scope="module")
def wacz(archive: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "a.wacz"
    store = Store(archive)
    export_wacz(store, store.snapshot_ids(), out, clock=clock)
    store.close()
    return out


def test_wacz_holds_warc_indexes_pages_and_hashes(wacz: Path) -> None:
    with zipfile.ZipFile(wacz) as zf:
        names = set(zf.namelist())
        assert {"datapackage.json", "pages/pages.jsonl", "archive/data.warc.gz"} <= names
        assert any(n.startswith("indexes/") for n in names)
        package = json.loads(zf.read("datapackage.json"))
        for resource in package["resources"]:
            assert resource["hash"] == "sha256:" + hashlib.sha256(zf.read(resource["path"])).hexdigest()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    assert [(p["url"], p["ts"]) for p in pages[1:]] == [("https://news.example/story-1.html", "2024-05-01T12:00:00Z"),
                                                        ("https://news.example/stories/2", "2024-05-02T12:00:00Z")]


def test_wacz_names_its_title_main_page_software_and_carries_page_text(wacz: Path) -> None:
    from archiver import __version__
    with zipfile.ZipFile(wacz) as zf:
        package = json.loads(zf.read("datapackage.json"))
        digest = json.loads(zf.read("datapackage-digest.json"))
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        assert digest["hash"] == "sha256:" + hashlib.sha256(zf.read("datapackage.json")).hexdigest()
    assert package["title"] == "2 archived pages"
    assert "https://news.example/stories/2" in package["description"]
    assert package["mainPageURL"] == "https://news.example/story-1.html"
    assert package["mainPageDate"] == "2024-05-01T12:00:00Z"
    assert package["software"].startswith(f"archiver {__version__} ")
    assert [p.get("text") for p in pages[1:]] == ["Story 1 text", "Story 2 text"]


def test_wacz_validates(wacz: Path) -> None:
    res = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(wacz)], capture_output=True, text=True)
    assert res.returncode == 0 and "is valid" in res.stdout, res.stdout + res.stderr


def test_wacz_index_points_at_each_record_inside_the_zip(wacz: Path) -> None:
    """What ReplayWeb.page does: read `length` bytes at `offset` of the stored WARC member, straight
    from the .wacz file, and find there the record the index line names."""
    import surt as reference   # the `surt` package pywb uses (installed with the test extra's `wacz`)
    with zipfile.ZipFile(wacz) as zf:
        member = zf.getinfo("archive/data.warc.gz")
        assert member.compress_type == zipfile.ZIP_STORED
        lines = zf.read("indexes/index.cdx").decode("utf-8").splitlines()
        with wacz.open("rb") as raw:
            raw.seek(member.header_offset + 26)
            name_len, extra_len = int.from_bytes(raw.read(2), "little"), int.from_bytes(raw.read(2), "little")
            data_start = member.header_offset + 30 + name_len + extra_len
            seen = set()
            for line in lines:
                key, ts, fields = line.split(" ", 2)
                entry = json.loads(fields)
                assert key == reference.surt(entry["url"]) and entry["filename"] == "data.warc.gz"
                raw.seek(data_start + int(entry["offset"]))
                chunk = raw.read(int(entry["length"]))
                assert gzip.decompress(chunk).startswith(b"WARC/1.1\r\n")   # one whole gzip member
                record = next(ArchiveIterator(BytesIO(chunk)))
                assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
                assert "".join(c for c in record.rec_headers.get_header("WARC-Date") if c.isdigit())[:14] == ts
                seen.add((record.rec_type, entry["url"]))
    assert lines == sorted(lines)
    assert ("response", "https://news.example/story-1.html") in seen
    assert ("revisit", "https://news.example/static/site.css") in seen
    assert any(kind == "metadata" for kind, _ in seen)
    # every record a player needs is indexed: responses, revisits, metadata (not requests)
    indexable = [r for r in records_of_zip(wacz) if r["type"] in ("response", "revisit", "resource", "metadata")]
    assert len(lines) == len(indexable)


def records_of_zip(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as zf, zf.open("archive/data.warc.gz") as fh:
        return [{"type": rec.rec_type} for rec in ArchiveIterator(fh)]


@pytest.mark.parametrize("url", [
    "https://news.example/story-1.html", "https://WWW.Example.com:443/A/B/?b=2&a=1#frag",
    "http://www2.example.com:8080/x%20y/", "http://user:pw@example.com/", "https://example.com",
    "https://example.com/caf%C3%A9?q=%41", "https://example.com/a b", "https://café.example/x",
    "https://example.com/?", "https://example.com/a?b&a=", "https://1.2.3.4/x", "https://example.com/%7Euser",
    "https://example.com./a", "https://example.com/a//b/../c", "https://example.com/../a", "https://example.com/%2525x",
    "http://127.0.0.1:8080/news/a.html?id=7", "urn:screenshot:https://news.example/a.html", "dns:example.com",
    "metadata://archiver/snapshot?url=https%3A%2F%2Fnews.example%2Fa&date=2024-05-01T12%3A00%3A00Z",
])
def test_surt_keys_match_the_surt_package(url: str) -> None:
    import surt as reference
    from archiver.bundle.cdxj import surt
    assert surt(url) == reference.surt(url)


def test_the_core_install_does_not_need_the_wacz_package() -> None:
    import tomllib
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith(("wacz", "surt", "cdxj")) for dep in project["dependencies"])
    assert any(dep.startswith("wacz") for dep in project["optional-dependencies"]["test"])
    code = "\n".join(p.read_text() for p in (Path(__file__).parent.parent / "archiver").rglob("*.py"))
    assert "import wacz" not in code and "from wacz" not in code and "import surt" not in code


# ---------------------------------------------------------------- pywb replay
def pywb_bin() -> Path | None:
    """pywb's commands: $ARCHIVER_PYWB_BIN (a venv's bin/, pywb pins versions we don't want in
    ours), or next to this Python, or on PATH."""
    for folder in (os.environ.get("ARCHIVER_PYWB_BIN"), str(BIN)):
        if folder and (Path(folder) / "wayback").is_file() and (Path(folder) / "wb-manager").is_file():
            return Path(folder)
    found = shutil.which("wayback")
    return Path(found).parent if found and shutil.which("wb-manager") else None


@contextlib.contextmanager
def _wayback(tools: Path, root: Path):
    """pywb's `wayback` serving the collections under `root` on a free port; yields the port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(tools / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.skipif(pywb_bin() is None, reason="pywb is not installed (set ARCHIVER_PYWB_BIN to its bin/ folder)")
@pytest.mark.timeout(90)
def test_pywb_replays_the_page_and_its_resources(warc: Path, tmp_path: Path) -> None:
    tools = pywb_bin()
    subprocess.run([str(tools / "wb-manager"), "init", "coll"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([str(tools / "wb-manager"), "add", "coll", str(warc)], cwd=tmp_path, check=True,
                   capture_output=True)
    with _wayback(tools, tmp_path) as port:
        base = f"http://127.0.0.1:{port}/coll/20240501120000id_/"
        page = _get_when_up(base + "https://news.example/story-1.html")
        assert b"<title>Story 1 <\xc3\xbcber></title>" in page
        assert _get_when_up(base + "https://news.example/static/site.css") == CSS
        # the image was redirected: replay answers the rebuilt 302, and the final URL has the bytes
        status, location = _redirect_of(base + "https://news.example/img/a.png")
        assert status == 302 and location.endswith("https://cdn.example/img/a.png")
        assert _get_when_up(base + "https://cdn.example/img/a.png") == PNG
        # the second snapshot's stylesheet is a revisit: replay gives the first one's bytes
        assert _get_when_up(f"http://127.0.0.1:{port}/coll/20240502120000id_/"
                            "https://news.example/static/site.css") == CSS


@pytest.mark.skipif(pywb_bin() is None, reason="pywb is not installed (set ARCHIVER_PYWB_BIN to its bin/ folder)")
@pytest.mark.timeout(90)
def test_pywb_replays_the_wacz_through_our_own_index(wacz: Path, tmp_path: Path) -> None:
    """`wb-manager add --unpack-wacz` keeps the WACZ's CDXJ index as it is (only the WARC's file
    name changes): pywb then finds each capture by our SURT keys and reads it at our offsets."""
    tools = pywb_bin()
    subprocess.run([str(tools / "wb-manager"), "init", "coll"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([str(tools / "wb-manager"), "add", "--unpack-wacz", "coll", str(wacz)], cwd=tmp_path,
                   check=True, capture_output=True)
    with zipfile.ZipFile(wacz) as zf:
        ours = [line.split(" ", 2)[:2] for line in zf.read("indexes/index.cdx").decode().splitlines()]
    used = (tmp_path / "collections" / "coll" / "indexes" / "index.cdxj").read_text().splitlines()
    assert [line.split(" ", 2)[:2] for line in used] == ours
    with _wayback(tools, tmp_path) as port:
        base = f"http://127.0.0.1:{port}/coll/20240501120000id_/"
        assert b"<title>Story 1 <\xc3\xbcber></title>" in _get_when_up(base + "https://news.example/story-1.html")
        assert _get_when_up(base + "https://news.example/static/site.css") == CSS
        assert _get_when_up(base + "https://cdn.example/img/a.png") == PNG
        assert _get_when_up(f"http://127.0.0.1:{port}/coll/20240502120000id_/"
                            "https://news.example/static/site.css") == CSS


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# Straight to 127.0.0.1: no proxy from the environment, never a redirect to a real host.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _redirect_of(url: str) -> tuple[int, str]:
    try:
        with _opener.open(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def _get_when_up(url: str, wait: float = 30.0) -> bytes:
    deadline = time.monotonic() + wait
    while True:
        try:
            with _opener.open(url, timeout=10) as resp:
                return resp.read()
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_a_failed_capture_keeps_the_servers_answer_as_a_response(tmp_path: Path, httpserver) -> None:
    """A 404 page is evidence: the capture keeps its body and the WARC has it as a response."""
    from archiver.capture import archive_urls
    from archiver.settings import Settings

    httpserver.expect_request("/gone.html").respond_with_data(
        "<html><title>Not here</title><p>This story was removed</p></html>", status=404,
        content_type="text/html; charset=utf-8")
    url = httpserver.url_for("/gone.html")
    store = Store(tmp_path / "a.db")
    archive_urls([url], store, Settings(fetch_assets=False, enrich=False))
    (sid,) = store.snapshot_ids()
    assert store.snapshot(sid)["error"]                          # still a failed capture
    out = tmp_path / "a.warc.gz"
    export_warc(store, [sid], out, clock=clock)
    store.close()
    recs = records(out)
    response = next(r for r in recs if r["type"] == "response" and r["uri"] == url)
    assert response["status"] == "404"
    assert b"This story was removed" in response["body"]
    assert any(r["type"] == "request" and r["uri"] == url for r in recs)


def test_wacz_main_page_is_the_first_capture_that_succeeded() -> None:
    from archiver.bundle.records import SnapshotRecord
    from archiver.bundle.wacz import main_page

    failed = SnapshotRecord(1, {"url": "https://a.example/gone", "captured_at": "2024-05-01T12:00:00Z",
                                "page_sha256": "aa", "error": "HTTP 404 Not Found"})
    good = SnapshotRecord(2, {"url": "https://a.example/1", "final_url": "https://a.example/one",
                              "captured_at": "2024-05-02T12:00:00Z", "page_sha256": "bb", "error": None})
    assert main_page([failed, good]) == ("https://a.example/one", "20240502120000")
    assert main_page([failed]) == ("https://a.example/gone", "20240501120000")
