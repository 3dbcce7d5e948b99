"""`archiver import` of WARC and WACZ files written by warcio and by our own export, archive
databases and zip bundles; parallel imports (worker processes, a real Dask LocalCluster) give
the archive a sequential import gives."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.bundle.wacz import export_wacz
from archiver.capture import archive_urls
from archiver.cli import main
from archiver.embeds.base import Post
from archiver.enrich.request import build_url, endpoints_for
from archiver.importers import ImportFailed, ImportOptions, detect_format, import_files
from archiver.settings import Settings
from archiver.store import Store
from bundle_helpers import make_archive
from conftest import mount_pages, tiny_png

NEWS = "http://news.test"
POST = "https://x.com/ada/status/1790000000000000123"
CSS = b"body { background: url(/img/bg.png); }\n"
LOGO, PHOTO, BG = tiny_png("logo"), tiny_png("photo"), tiny_png("bg")
OEMBED = {"type": "rich", "version": "1.0", "author_name": "Ada Lovelace", "author_url": "https://x.com/ada",
          "html": '<blockquote class="twitter-tweet"><p lang="en">The harbour is lovely today</p>&mdash; '
                  'Ada Lovelace (@ada) <a href="https://x.com/ada/status/1790000000000000123">May 1, 2024</a>'
                  '</blockquote>'}


def article(title: str, extra: str = "") -> bytes:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/style.css"></head><body><article><h1>{title}</h1>
<p>{title} is a story about the harbour and the people who work there every day.</p>
<img src="/img/logo.png" alt="logo">{extra}</article></body></html>""".encode()


PAGE_A = article("Harbour news", f"""<img src="/old/photo.png" alt="photo">
<iframe src="/frame.html"></iframe>
<blockquote class="twitter-tweet"><p>The harbour</p><a href="{POST.replace('x.com', 'twitter.com')}">May 1, 2024</a></blockquote>""")
PAGE_B = article("Market news")
FRAME = b"<!doctype html><html><body><p>an ad frame</p></body></html>"


def oembed_url() -> str:
    post = Post(provider="twitter", post_url=POST, post_id=POST.rsplit("/", 1)[1])
    return build_url(endpoints_for("twitter", post.kind)[0], post)


def payload_digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


class Warc:
    """A WARC written record by record with warcio (gzip per record)."""

    def __init__(self, path: Path, gz: bool = True):
        self.path, self.fh = path, path.open("wb")
        self.writer = WARCWriter(self.fh, gzip=gz, warc_version="WARC/1.1")

    def response(self, url: str, body: bytes, ctype: str = "text/html; charset=utf-8", status: str = "200 OK",
                 date: str = "2024-05-01T12:00:00Z", headers: list | None = None) -> None:
        http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body))),
                                         *(headers or [])], protocol="HTTP/1.1")
        rec = self.writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                             http_headers=http, warc_headers_dict={"WARC-Date": date})
        self.writer.write_record(rec)

    def redirect(self, url: str, to: str, date: str = "2024-05-01T12:00:00Z") -> None:
        self.response(url, b"", status="302 Found", date=date, headers=[("Location", to)])

    def revisit(self, url: str, of_url: str, body: bytes, date: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        rec = self.writer.create_revisit_record(url, payload_digest(body), of_url, "2024-05-01T12:00:00Z",
                                                http_headers=http)
        rec.rec_headers.replace_header("WARC-Date", date)
        self.writer.write_record(rec)

    def close(self) -> Path:
        self.fh.close()
        return self.path


def news_warc(path: Path, gz: bool = True) -> Path:
    w = Warc(path, gz)
    w.response(f"{NEWS}/a.html", PAGE_A, date="2024-05-01T12:00:00Z")
    w.response(f"{NEWS}/style.css", CSS, "text/css")
    w.response(f"{NEWS}/img/logo.png", LOGO, "image/png")
    w.redirect(f"{NEWS}/old/photo.png", "/img/photo.png")
    w.response(f"{NEWS}/img/photo.png", PHOTO, "image/png")
    w.response(f"{NEWS}/img/bg.png", BG, "image/png")
    w.response(f"{NEWS}/frame.html", FRAME)
    w.response("https://platform.twitter.com/embed/Tweet.html?id=1790000000000000123", b"<html><p>app</p></html>")
    w.response(oembed_url(), json.dumps(OEMBED).encode(), "application/json")
    w.response(f"{NEWS}/b.html", PAGE_B, date="2024-05-02T08:30:00Z")
    w.revisit(f"{NEWS}/img/logo.png", f"{NEWS}/img/logo.png", LOGO, "2024-05-02T08:30:01Z")
    return w.close()


def offline() -> ImportOptions:
    return ImportOptions(settings=Settings(retries=0, timeout=2.0), network=False)


def rows(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"select * from [{t}] order by 1").fetchall()
                for t in ("snapshots", "resources", "embeds", "blobs")}
    finally:
        conn.close()


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args])


# ------------------------------------------------------------------ WARC
def test_warc_pages_requisites_redirects_revisits_and_recorded_answers(tmp_path: Path) -> None:
    warc = news_warc(tmp_path / "news.warc.gz")
    store = Store(tmp_path / "a.db")
    [report] = import_files([warc], store, offline())
    assert report.format == "warc" and report.problems == [] and report.added == [1, 2]
    a, b = store.snapshot(1), store.snapshot(2)
    # pages: the two articles; not the frame (another page's iframe) nor the platform's page
    assert (a["url"], a["title"], a["captured_at"]) == (f"{NEWS}/a.html", "Harbour news", "2024-05-01T12:00:00Z")
    assert (b["url"], b["captured_at"]) == (f"{NEWS}/b.html", "2024-05-02T08:30:00Z")
    assert a["import_source"] and a["import_source"] != b["import_source"]
    assert store.blob(a["page_sha256"]) == PAGE_A
    res = {r["url"]: r for r in store.resources(1)}
    assert store.blob(res[f"{NEWS}/style.css"]["sha256"]) == CSS
    assert store.blob(res[f"{NEWS}/img/bg.png"]["sha256"]) == BG            # found in the stylesheet
    photo = res[f"{NEWS}/old/photo.png"]                                     # redirect resolved in the WARC
    assert photo["final_url"] == f"{NEWS}/img/photo.png" and store.blob(photo["sha256"]) == PHOTO
    [logo_b] = [r for r in store.resources(2) if r["url"].endswith("logo.png")]
    assert store.blob(logo_b["sha256"]) == LOGO                              # a revisit, resolved
    # the post: detected, and enriched from the oEmbed answer the WARC recorded (no network)
    posts = {e["post_url"]: e for e in store.embeds(1)}
    assert set(posts) == {POST, f"{NEWS}/frame.html"}      # the iframe is a (generic) embed too
    post = posts[POST]
    assert post["post_url"] == POST and post["author_name"] == "Ada Lovelace"
    assert post["sources"]["author_name"] == "oembed" and post["status"] == "ok"
    assert post["checked_at"] == "2024-05-01T12:00:00Z"                      # as the crawl recorded it
    assert store.embeds(2) == []


def test_importing_twice_changes_nothing_and_pages_file_chooses(tmp_path: Path) -> None:
    warc = news_warc(tmp_path / "news.warc")      # plain, not gzipped
    db = tmp_path / "a.db"
    res = run(db, "import", "--no-oembed", str(warc))
    assert res.exit_code == 0, res.output
    assert "(warc): imported 2 snapshots, 0 already present" in res.stderr
    before = rows(db)
    again = run(db, "import", "--no-oembed", "--json", str(warc))
    assert again.exit_code == 0 and rows(db) == before
    assert json.loads(again.stdout)["existing"] == [{"file": str(warc), "id": 1}, {"file": str(warc), "id": 2}]
    listed = tmp_path / "pages.txt"
    listed.write_text(f"# only the market\n{NEWS}/b.html\n{NEWS}/missing.html\n")
    other = tmp_path / "b.db"
    res = run(other, "import", "--no-oembed", "--pages", str(listed), str(warc))
    assert res.exit_code == 0 and "page http://news.test/missing.html is not in the WARC" in res.stderr
    assert [Store(other).snapshot(i)["url"] for i in Store(other).snapshot_ids()] == [f"{NEWS}/b.html"]


def test_a_broken_record_is_reported_with_its_offset_and_the_rest_imports(tmp_path: Path) -> None:
    w = Warc(tmp_path / "x.warc.gz")
    for n in range(3):
        w.response(f"{NEWS}/{n}.html", article(f"Story number {n}"))
    path = w.close()
    data = bytearray(path.read_bytes())
    members = [i for i in range(len(data)) if data[i:i + 3] == b"\x1f\x8b\x08"]
    second = members[1]
    for i in range(second + 40, second + 80):     # garble the second record's compressed bytes
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    store = Store(tmp_path / "a.db")
    [report] = import_files([path], store, offline())
    assert [store.snapshot(i)["url"] for i in report.added] == [f"{NEWS}/0.html", f"{NEWS}/2.html"]
    assert len(report.problems) == 1 and "broken record at offset" in report.problems[0]
    res = run(tmp_path / "b.db", "import", "-q", "--no-oembed", str(path))
    assert res.exit_code == 0 and res.stderr.startswith("warning: ") and "broken record at offset" in res.stderr


def test_network_answers_what_the_warc_lacks_by_default(tmp_path: Path, server) -> None:
    server.expect_request("/tw/oembed").respond_with_json({**OEMBED, "author_name": "Ada From The Network"})
    w = Warc(tmp_path / "x.warc.gz")
    w.response(f"{NEWS}/a.html", PAGE_A)
    path = w.close()
    settings = Settings(retries=0, timeout=2.0, endpoints={"twitter": f"http://127.0.0.1:{server.port}/tw/oembed",
                                                           "twitter.data": f"http://127.0.0.1:{server.port}/none"})
    store = Store(tmp_path / "a.db")
    import_files([path], store, ImportOptions(settings=settings))
    tweet = lambda s: next(e for e in s.embeds(1) if e["post_url"] == POST)  # noqa: E731
    assert tweet(store)["author_name"] == "Ada From The Network"
    offline_store = Store(tmp_path / "b.db")
    import_files([path], offline_store, ImportOptions(settings=settings, network=False))
    assert tweet(offline_store)["author_name"] != "Ada From The Network"
    assert sum(1 for req, _ in server.log if req.path == "/tw/oembed") == 1


# ------------------------------------------------------------------ our own exports, databases, bundles
def test_wacz_export_imports_back_with_the_same_pages_and_posts(tmp_path: Path, server) -> None:
    server.expect_request("/tw/oembed").respond_with_json(OEMBED)
    server.expect_request("/story.html").respond_with_data(PAGE_A.replace(b"/frame.html", b"about:blank"),
                                                           content_type="text/html; charset=utf-8")
    server.expect_request("/style.css").respond_with_data(CSS, content_type="text/css")
    mount_pages(server)
    settings = Settings(retries=0, timeout=2.0, endpoints={"twitter": f"http://127.0.0.1:{server.port}/tw/oembed",
                                                           "twitter.data": f"http://127.0.0.1:{server.port}/none"})
    original = Store(tmp_path / "a.db")
    archive_urls([f"http://127.0.0.1:{server.port}/story.html"], original, settings)
    wacz = tmp_path / "a.wacz"
    export_wacz(original, original.snapshot_ids(), wacz)
    assert detect_format(wacz).name == "wacz"
    back = Store(tmp_path / "b.db")
    [report] = import_files([wacz], back, ImportOptions(settings=settings, network=False))
    assert report.format == "wacz" and report.added == [1] and report.problems == []
    page_cols = ("url", "final_url", "captured_at", "title", "page_sha256", "text")
    assert [back.snapshot(1)[c] for c in page_cols] == [original.snapshot(1)[c] for c in page_cols]
    post_cols = ("post_url", "author_name", "author_handle", "text", "status", "avatar_sha256", "sources", "media")
    assert [[e[c] for c in post_cols] for e in back.embeds(1)] == [[e[c] for c in post_cols] for e in original.embeds(1)]
    assert back.embeds(1)[0]["author_name"] == "Ada Lovelace"
    stored = lambda s: sorted((r["url"], r["sha256"]) for r in s.resources(1) if r["sha256"])  # noqa: E731
    assert stored(back) == stored(original)
    # the export, imported into the archive it came from, is already there
    before = rows(tmp_path / "a.db")
    [again] = import_files([wacz], original, ImportOptions(settings=settings, network=False))
    assert again.added == [] and again.existing == [1] and rows(tmp_path / "a.db") == before


def test_archive_database_and_bundle_merge_with_dedupe(tmp_path: Path) -> None:
    make_archive(tmp_path / "other.db").close()
    db = tmp_path / "a.db"
    res = run(db, "import", str(tmp_path / "other.db"))
    assert res.exit_code == 0 and "(archive): imported 2 snapshots" in res.stderr
    before = rows(db)
    res = run(db, "import", str(tmp_path / "other.db"))
    assert "imported 0 snapshots, 2 already present" in res.stderr and rows(db) == before
    assert run(tmp_path / "other.db", "export", "--all", "-o", str(tmp_path / "b.zip"), "--no-render").exit_code == 0
    res = run(db, "import", str(tmp_path / "b.zip"))
    assert "(bundle): imported 0 snapshots, 2 already present" in res.stderr and rows(db) == before


@pytest.mark.parametrize("content, message", [
    (b"hello", "not a readable zip file, WARC, WACZ or archive database"),
    (gzip.compress(b"not a warc"), "not a readable zip file, WARC, WACZ or archive database"),
    (None, "no such file"),
])
def test_bad_input_is_one_line_and_nothing_is_imported(tmp_path: Path, content, message) -> None:
    good = news_warc(tmp_path / "good.warc.gz")
    bad = tmp_path / "bad.bin"
    if content is not None:
        bad.write_bytes(content)
    db = tmp_path / "a.db"
    make_archive(db).close()
    before = rows(db)
    res = run(db, "import", "--no-oembed", str(good), str(bad))
    assert res.exit_code == 1 and rows(db) == before
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    with pytest.raises(ImportFailed):
        import_files([good, bad], Store(db), offline())


# ------------------------------------------------------------------ parallel
def three_warcs(tmp_path: Path) -> list[Path]:
    out = []
    for n in range(3):
        w = Warc(tmp_path / f"crawl-{n}.warc.gz")
        for k in range(2):
            w.response(f"{NEWS}/{n}-{k}.html", article(f"Story {n}-{k}"), date=f"2024-05-0{n + 1}T10:0{k}:00Z")
        w.response(f"{NEWS}/style.css", CSS, "text/css")
        w.response(f"{NEWS}/img/logo.png", LOGO, "image/png")
        w.response(f"{NEWS}/img/bg.png", BG, "image/png")
        out.append(w.close())
    return out


def test_workers_and_dask_give_the_sequential_archive(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    warcs = [str(p) for p in three_warcs(tmp_path)]
    results = {}
    for label, extra in (("sequential", []), ("workers", ["--workers", "3"]), ("dask", ["--dask", "local", "--workers", "2"])):
        db = tmp_path / f"{label}.db"
        res = run(db, "import", "-q", "--no-oembed", *extra, *warcs)
        assert res.exit_code == 0, res.output
        results[label] = rows(db)
    assert len(results["sequential"]["snapshots"]) == 6 and len(results["sequential"]["resources"]) == 18
    assert results["workers"] == results["sequential"]
    assert results["dask"] == results["sequential"]


# ------------------------------------------------------------------ a crawl by another tool
def test_a_wget_crawl_imports_as_its_pages_with_their_requisites(tmp_path: Path, server) -> None:
    """wget --warc-file --page-requisites of two articles served from 127.0.0.1 (scripts/setup
    installs wget): exactly those two pages, each with every requisite wget stored."""
    import shutil
    import subprocess
    wget = shutil.which("wget")
    if wget is None:
        pytest.skip("wget is not installed (scripts/setup installs it)")
    for name, body in (("a.html", PAGE_A), ("b.html", PAGE_B), ("frame.html", FRAME)):
        server.expect_request(f"/{name}").respond_with_data(body, content_type="text/html; charset=utf-8")
    server.expect_request("/style.css").respond_with_data(CSS, content_type="text/css")
    server.expect_request("/old/photo.png").respond_with_data(b"", status=302, headers={"Location": "/img/photo.png"})
    mount_pages(server)
    base = f"http://127.0.0.1:{server.port}"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "no_proxy": "*"}
    run_wget = subprocess.run([wget, "--warc-file", str(tmp_path / "crawl"), "--page-requisites", "-e", "robots=off",
                               "--no-verbose", "--tries=1", "-P", str(tmp_path / "files"),
                               f"{base}/a.html", f"{base}/b.html"], env=env, capture_output=True, text=True)
    assert run_wget.returncode == 0, run_wget.stderr
    warc = tmp_path / "crawl.warc.gz"
    assert detect_format(warc).name == "warc"
    store = Store(tmp_path / "a.db")
    [report] = import_files([warc], store, offline())
    assert report.problems == []
    assert [store.snapshot(i)["url"] for i in report.added] == [f"{base}/a.html", f"{base}/b.html"]
    res = {r["url"]: r for r in store.resources(report.added[0])}
    for path, body in (("/style.css", CSS), ("/img/logo.png", tiny_png("img/logo.png")),
                       ("/img/bg.png", tiny_png("img/bg.png")), ("/old/photo.png", tiny_png("img/photo.png"))):
        assert res[base + path]["sha256"] and store.blob(res[base + path]["sha256"]) == body, path
    assert res[f"{base}/old/photo.png"]["final_url"] == f"{base}/img/photo.png"
    posts = [e["post_url"] for e in store.embeds(report.added[0])]
    assert POST in posts
