"""End-to-end capture against a real local HTTP server and a real SQLite file."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from werkzeug import Response

from archiver.capture import archive_urls, capture_page
from archiver.fetch import Fetcher
from archiver.settings import Settings
from archiver.model import sha256
from conftest import mount_pages, tiny_png

EXPECTED = {  # path -> kind, everything article.html needs (and nothing it does not)
    "/site/css/site.css": "stylesheet", "/site/css/extra.css": "stylesheet",
    "/site/css/deeper/deep.css": "stylesheet",
    "/site/fonts/gazette.woff2": "font", "/site/fonts/gazette.woff": "font",
    "/site/fonts/preloaded.woff2": "font", "/site/img/preloaded.png": "image",
    "/favicon.ico": "icon", "/site/img/touch.png": "icon",
    "/site/img/masthead.png": "css-image", "/site/img/paper.png": "css-image",
    "/img/root-relative.png": "css-image", "/site/img/from-extra.png": "css-image",
    "/site/img/from-deep.png": "css-image", "/site/img/inline-style.png": "css-image",
    "/site/js/app.js": "script",
    "/site/img/logo.png": "image", "/site/img/hero-480.png": "image", "/site/img/hero-960.png": "image",
    "/site/img/wide.png": "image", "/site/img/narrow.png": "image", "/site/img/placeholder.png": "image",
    "/site/img/lazy-data-src.png": "lazy-image", "/site/img/lazy-srcset-1.png": "lazy-image",
    "/site/img/lazy-srcset-2.png": "lazy-image", "/site/img/lazy-wprocket.png": "lazy-image",
    "/site/img/lazy-original.png": "lazy-image", "/site/img/noscript.png": "image",
    "/site/img/poster.png": "poster", "/site/img/svg-image.png": "image", "/site/img/submit.png": "image",
}


def archive(store, *urls, **settings):
    return archive_urls(list(urls), store, Settings(**settings))


def test_article_and_every_requisite_kind_are_stored(site, store):
    url = site.url_for("/site/article.html")
    [result] = archive(store, url)
    assert result.ok and result.error is None
    snap = store.snapshot(result.snapshot_id)
    assert snap["title"] == "Harbour bridge plan approved"
    assert snap["byline"] == "Amara Whitfield"
    assert snap["site_name"] == "The Test Gazette"
    assert snap["published_at"].startswith("2024-03-05")
    assert snap["modified_at"].startswith("2024-03-06")
    assert snap["canonical_url"] == site.url_for("/news/harbour-bridge")
    assert snap["lang"] == "en-GB"
    assert "harbour bridge" in snap["text"]
    assert snap["metadata"]["twitter_card"]["twitter:card"] == "summary_large_image"
    assert store.blob(snap["page_sha256"]) == (site_page_bytes := _page_bytes())
    assert sha256(site_page_bytes) == snap["page_sha256"]

    rows = {r["url"].replace(site.url_for(""), "/").replace("//", "/"): r for r in store.resources(result.snapshot_id)}
    got = {path: rows[path]["kind"] for path in rows}
    assert got == EXPECTED
    for row in rows.values():
        assert row["error"] is None and row["status_code"] == 200
        assert store.blob(row["sha256"]) is not None
        assert len(store.blob(row["sha256"])) == row["size"]
    # never fetched: preconnect/dns-prefetch hints, og:image, video files, templates inside <script>
    assert not any(p.endswith(("og.jpg", "clip.mp4", "in-template.png")) for p in rows)


def _page_bytes() -> bytes:
    from conftest import PAGES
    return (PAGES / "site/article.html").read_bytes()


def test_base_href_is_respected(server, store):
    server.expect_request("/deep/page.html").respond_with_data(
        '<html><head><base href="/assets/v2/"></head><body><img src="pic.png">'
        '<link rel=stylesheet href="s.css"></body></html>', content_type="text/html")
    server.expect_request("/assets/v2/s.css").respond_with_data(".a{background:url(bg.png)}",
                                                                 content_type="text/css")
    mount_pages(server)
    [result] = archive(store, server.url_for("/deep/page.html"))
    urls = {r["url"] for r in store.resources(result.snapshot_id)}
    assert urls == {server.url_for(p) for p in ("/assets/v2/pic.png", "/assets/v2/s.css", "/assets/v2/bg.png")}


def test_shared_assets_are_stored_once(site, store):
    url = site.url_for("/site/article.html")
    archive(store, url)
    archive(store, url)   # a second run: a URL given twice in one run is captured once
    n_resources = store.db.execute("select count(*) from resources").fetchone()[0]
    n_distinct = store.db.execute("select count(distinct sha256) from resources").fetchone()[0]
    n_blobs = store.db.execute("select count(*) from blobs").fetchone()[0]
    assert n_resources == 2 * len(EXPECTED)
    assert n_blobs == n_distinct + 1  # + the page itself, stored once for both snapshots


def test_text_blobs_are_compressed_and_images_are_not(site, store):
    [r] = archive(store, site.url_for("/site/article.html"))
    enc = dict(store.db.execute(
        "select content_type, encoding from blobs where content_type like 'text/html%' or content_type = 'image/png'"
    ).fetchall())
    assert enc.get("image/png") == "identity"
    page = store.db.execute("select encoding, length(data), size from blobs where sha256 = ?",
                            [store.snapshot(r.snapshot_id)["page_sha256"]]).fetchone()
    assert page[0] == "zlib" and page[1] < page[2]


def test_non_html_url_is_a_snapshot_of_that_resource(server, store):
    pdf = b"%PDF-1.4\n" + b"0" * 5000 + b"\n%%EOF"
    server.expect_request("/report.pdf").respond_with_data(pdf, content_type="application/pdf")
    server.expect_request("/data.json").respond_with_data('{"a": 1}', content_type="application/json")
    results = archive(store, server.url_for("/report.pdf"), server.url_for("/data.json"))
    assert all(r.ok for r in results)
    snap = store.snapshot(results[0].snapshot_id)
    assert snap["content_type"] == "application/pdf" and snap["title"] == "report.pdf"
    assert store.blob(snap["page_sha256"]) == pdf
    assert store.resources(results[0].snapshot_id) == []


@pytest.mark.parametrize("body, headers, expected", [
    ("<html><head><meta charset='shift_jis'></head><body><p>北朝鮮の兵士が国境を越えた</p></body></html>",
     {"Content-Type": "text/html"}, "北朝鮮の兵士が国境を越えた"),
    # header claims Latin-1, bytes are UTF-8 (a common lie)
    ("<html><body><p>Café déjà vu, naïve résumé</p></body></html>",
     {"Content-Type": "text/html; charset=iso-8859-1"}, "Café déjà vu"),
    # no declaration at all: detected
    ("<html><body><p>Zürich Straße Grüße aus Köln und Düsseldorf heute</p></body></html>",
     {"Content-Type": "text/html"}, "Zürich Straße"),
])
def test_charsets(server, store, body, headers, expected):
    encoding = "shift_jis" if "shift_jis" in body else ("utf-8" if "iso-8859-1" in str(headers) else "cp1252")
    server.expect_request("/page.html").respond_with_response(Response(body.encode(encoding), headers=headers))
    [r] = archive(store, server.url_for("/page.html"))
    assert r.ok
    snap = store.snapshot(r.snapshot_id)
    assert expected in snap["text"]
    assert store.blob(snap["page_sha256"]) == body.encode(encoding)  # raw bytes kept as received


def _counts(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("snapshots", "resources", "blobs", "embeds")}
    finally:
        conn.close()


@pytest.mark.parametrize("route, make_response, expected_error", [
    ("/missing", lambda: Response("nope", status=404), "HTTP 404 Not Found"),
    ("/broken", lambda: Response("oops", status=500), "HTTP 500 Internal Server Error"),
    ("/gone", lambda: Response("", status=410), "HTTP 410 Gone"),
])
def test_http_errors_are_recorded_and_change_nothing_else(site, server, store, db_path, route, make_response,
                                                          expected_error):
    archive(store, site.url_for("/site/article.html"))
    before = _counts(db_path)
    server.clear()
    server.expect_request(route).respond_with_response(make_response())
    [r] = archive(store, server.url_for(route), retries=0)
    assert not r.ok and r.error == expected_error
    after = _counts(db_path)
    body = make_response().get_data()
    # the server's answer is evidence: its body is kept (an empty one is not stored)
    assert after == {**before, "snapshots": before["snapshots"] + 1, "blobs": before["blobs"] + (1 if body else 0)}
    snap = store.snapshot(r.snapshot_id)
    assert snap["error"] == expected_error
    assert snap["page_sha256"] == (hashlib.sha256(body).hexdigest() if body else None)


def test_redirect_loop(server, store):
    server.expect_request("/a").respond_with_response(Response(status=302, headers={"Location": "/b"}))
    server.expect_request("/b").respond_with_response(Response(status=302, headers={"Location": "/a"}))
    [r] = archive(store, server.url_for("/a"))
    assert not r.ok and "redirect" in r.error


def test_redirect_is_followed_and_final_url_recorded(server, store):
    server.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/new"}))
    server.expect_request("/new").respond_with_data("<html><title>New</title></html>", content_type="text/html")
    [r] = archive(store, server.url_for("/old"))
    assert r.ok and store.snapshot(r.snapshot_id)["final_url"] == server.url_for("/new")


def test_body_over_the_cap_fails_the_page(server, store):
    server.expect_request("/huge").respond_with_data("<html>" + "x" * 200_000, content_type="text/html")
    [r] = archive(store, server.url_for("/huge"), max_bytes=100_000)
    assert not r.ok and "limit" in r.error


def test_endless_body_is_cut_off(server, store):
    def endless(_request):
        def gen():
            while True:
                yield b"<p>" + b"x" * 65536
        return Response(gen(), content_type="text/html")  # chunked, no Content-Length
    server.expect_request("/endless").respond_with_handler(endless)
    [r] = archive(store, server.url_for("/endless"), max_bytes=1_000_000)
    assert not r.ok and "limit" in r.error


def test_timeout(server, store):
    import time

    def slow(_request):
        time.sleep(2)
        return Response("<html></html>", content_type="text/html")
    server.expect_request("/slow").respond_with_handler(slow)
    [r] = archive(store, server.url_for("/slow"), timeout=0.5, retries=0)
    assert not r.ok and "timed out" in r.error


def test_retries_503_honouring_retry_after(server, store):
    calls = []

    def flaky(_request):
        calls.append(1)
        if len(calls) < 3:
            return Response("busy", status=503, headers={"Retry-After": "0"})
        return Response("<html><title>Finally</title></html>", content_type="text/html")
    server.expect_request("/flaky").respond_with_handler(flaky)
    [r] = archive(store, server.url_for("/flaky"), retry_backoff=0.01)
    assert r.ok and len(calls) == 3
    assert store.snapshot(r.snapshot_id)["title"] == "Finally"


def test_failed_requisites_are_recorded_not_fatal(server, store):
    server.expect_request("/p.html").respond_with_data(
        '<html><body><img src="/ok.png"><img src="/missing.png"></body></html>', content_type="text/html")
    server.expect_request("/ok.png").respond_with_data(tiny_png("ok"), content_type="image/png")
    server.expect_request("/missing.png").respond_with_response(Response(status=404))
    [r] = archive(store, server.url_for("/p.html"), retries=0)
    assert r.ok and r.resources == 1 and r.resources_failed == 1
    rows = {x["url"].rsplit("/", 1)[1]: x for x in store.resources(r.snapshot_id)}
    assert rows["missing.png"]["error"] == "HTTP 404 Not Found" and rows["missing.png"]["sha256"] is None


def test_broken_and_hostile_html_does_not_crash(server, store):
    junk = ("<html><head><title>Broken<body><div><p>unclosed <b><i>tags <img src='a.png' "
            "<script>while(1){}</script><style>@import url(</style><a href='javascript:alert(1)'>x</a>"
            "\x00\x01 <img srcset=',,, ,'> <link rel=stylesheet href='javascript:evil'><svg><image href=''/>")
    server.expect_request("/junk.html").respond_with_data(junk, content_type="text/html")
    mount_pages(server)
    [r] = archive(store, server.url_for("/junk.html"))
    assert r.ok
    assert store.snapshot(r.snapshot_id)["page_sha256"]


def test_page_of_ten_thousand_images_is_capped(server, store):
    imgs = "".join(f'<img src="/i/{n}.png">' for n in range(10_000))
    server.expect_request("/many.html").respond_with_data(f"<html><body>{imgs}</body></html>",
                                                          content_type="text/html")
    server.expect_request("/i/0.png").respond_with_data(tiny_png("0"), content_type="image/png")
    mount_pages(server)
    [r] = archive(store, server.url_for("/many.html"), max_resources=100, concurrency=16)
    assert r.ok
    rows = store.resources(r.snapshot_id)
    assert len(rows) == 10_000
    assert sum(1 for x in rows if x["sha256"]) == 100
    assert all("more than 100 resources" in x["error"] for x in rows if not x["sha256"])


def test_capture_page_writes_nothing(site, db_path):
    # the network part alone returns a record; only save_snapshot touches the file
    with Fetcher(Settings()) as f:
        snap = capture_page(site.url_for("/site/article.html"), f, Settings())
    assert snap.error is None and len(snap.resources) == len(EXPECTED)
    assert not db_path.exists()


def test_exception_during_save_rolls_back_everything(site, store, db_path):
    archive(store, site.url_for("/site/article.html"))
    before = _counts(db_path)
    with Fetcher(Settings()) as f:
        snap = capture_page(site.url_for("/site/article.html"), f, Settings())
    snap.embeds = [{"position": 0, "provider": "x", "no_such_column": 1}]  # fails at the very end
    with pytest.raises(sqlite3.OperationalError):
        store.save_snapshot(snap)
    assert _counts(db_path) == before
    assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_json_lines_output(site, cli, db_path):
    res = cli("--db", str(db_path), "archive", "--json", "-q", site.url_for("/site/article.html"),
              "http://127.0.0.1:9/unreachable")
    assert res.exit_code == 1
    # one line per capture as it completes (the failure is usually first)
    lines = sorted((json.loads(line) for line in res.stdout.splitlines()), key=lambda x: x["status"] != "ok")
    assert [x["status"] for x in lines] == ["ok", "failed"]
    assert lines[0]["resources"] == len(EXPECTED) and lines[0]["id"] in (1, 2)
    assert lines[1]["error"] == "connection refused"
    assert "error: http://127.0.0.1:9/unreachable: connection refused" in res.stderr
    assert "archived 1 of 2 URLs (1 failed)" in res.stderr


def test_dns_failure_is_one_line_and_not_retried(store):
    # .invalid never resolves (RFC 6761): no host is contacted
    [r] = archive(store, "http://no-such-host.invalid/page", retry_backoff=5)
    assert not r.ok and r.error == "could not resolve host (DNS failure)"
    assert r.seconds < 4  # a retry would have slept 5 s first


def test_tls_error_is_reported(tmp_path, store):
    import shutil
    import ssl
    import subprocess

    from pytest_httpserver import HTTPServer
    if not shutil.which("openssl"):
        pytest.skip("no openssl CLI to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    srv.start()
    try:
        srv.expect_request("/").respond_with_data("<html></html>", content_type="text/html")
        [r] = archive(store, srv.url_for("/"))   # a self-signed certificate nobody trusts
        assert not r.ok and r.error.startswith("TLS error")
    finally:
        srv.stop()


def test_pages_in_worker_processes_come_back_in_input_order(site, store, monkeypatch):
    """The CLI's path: forked worker processes, each capturing several pages at once in threads."""
    import archiver.capture.engine as engine
    monkeypatch.setattr(engine, "_cpu_cores", lambda: 2)   # 2 processes x 3 pages in flight
    urls = [site.url_for(f"/site/article.html?copy={i}") for i in range(6)] + ["nope://x"]
    results = archive(store, *urls, processes=True, parallel_pages=6)
    assert [r.url for r in results] == urls
    assert all(r.ok for r in results[:6]) and results[6].error
    ids = [r.snapshot_id for r in results[:6]]
    assert sorted(ids) == list(range(1, 7))   # each saved as it completed
    assert {len(store.resources(i)) for i in ids} == {len(EXPECTED)}
    # a process fetches a requisite its pages share once
    assert sum(1 for req, _ in site.log if req.path == "/site/css/site.css") <= 2


def test_a_bug_in_a_worker_process_reaches_the_caller(site, store, monkeypatch):
    import archiver.capture.engine as engine

    def broken(url, *args):
        raise ValueError(f"bug while capturing {url}")
    monkeypatch.setattr(engine, "capture_page", broken)   # inherited by the forked workers
    with pytest.raises(ValueError, match="bug while capturing"):
        archive(store, site.url_for("/site/article.html"), site.url_for("/site/other.html"),
                processes=True, parallel_pages=2)
    assert store.db.execute("select count(*) from snapshots").fetchone()[0] == 0


def test_proxy_environment_is_honoured_for_every_request(server, monkeypatch):
    """HTTP_PROXY / NO_PROXY are read once per origin (the transport caches its answer): a proxied
    origin goes through the proxy every time, a NO_PROXY one never does."""
    from pytest_httpserver import HTTPServer
    server.expect_request("/direct").respond_with_data("direct")
    with HTTPServer(host="127.0.0.1", port=0) as proxy:
        proxy.expect_request("/via-proxy").respond_with_data("proxied")
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        for var in ("http_proxy", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(var, raising=False)
        with Fetcher(Settings(retries=0)) as fetcher:
            for _ in range(2):
                assert fetcher.get("http://archiver-test.invalid/via-proxy").body == b"proxied"
                assert fetcher.get(server.url_for("/direct")).body == b"direct"
        assert len(proxy.log) == 2
        assert all(req.host == "archiver-test.invalid" for req, _ in proxy.log)
