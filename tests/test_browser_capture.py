"""Browser mode (`archive --browser`), post links, the app-shell warning and `report`.

The browser test drives the real headless Chromium against a local app shell: the article is
built by a script from JSON, a lazy image loads only when scrolled to, a "loader" swaps an embed
code for its iframe (as the platforms' loaders do), and a srcset alternative is never loaded by
the browser at this screen's density."""
from __future__ import annotations

import json
import sqlite3

import pytest

from archiver.capture import archive_urls
from archiver.render import render_snapshot, write_rendered
from archiver.report import evidence, evidence_html
from archiver.settings import Settings
from conftest import tiny_png

PARAGRAPH = "The harbour council approved the night ferry pilot after a long debate about its cost."
SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Night ferry</title>
<script src="/app.js" defer></script></head>
<body><div id="app"><p>Loading&hellip;</p></div>
<noscript>Please enable JavaScript to read this article.</noscript></body></html>"""
APP_JS = """
fetch('/api/story.json').then(r => r.json()).then(a => {
  document.getElementById('app').innerHTML = a.html;
  const bq = document.querySelector('blockquote.mastodon-embed');
  setTimeout(() => {   // the platform's loader: the embed code becomes the platform's iframe
    const f = document.createElement('iframe');
    f.className = 'mastodon-embed'; f.src = bq.getAttribute('data-embed-url');
    f.width = 400; f.height = 160; f.style.border = '0';
    bq.replaceWith(f);
  }, 50);
  const lazy = document.querySelector('img.lazy');
  new IntersectionObserver((es, io) => es.forEach(e => {
    if (e.isIntersecting) { e.target.src = e.target.dataset.src; io.disconnect(); }
  })).observe(lazy);
});
"""
EMBED_PAGE = """<!DOCTYPE html><html><body style="margin:0;background:#e8f0ff;font:16px sans-serif">
<p><b>Alice Harbour</b> @alice@social.example</p><p>Ferry news from the embed page.</p></body></html>"""


def story(base: str) -> dict:
    embed = f"{base}/@alice/109876543210/embed"
    return {"html": f"""<h1>Night ferry</h1><p>{PARAGRAPH}</p>
<img src="/img/small.png" srcset="/img/small.png 1x, /img/large.png 2x" width="40" height="40" alt="">
<blockquote class="mastodon-embed" data-embed-url="{embed}"><a href="{base}/@alice/109876543210">Post by
@alice@social.example</a></blockquote>
<div style="height:3000px"></div><img class="lazy" data-src="/img/lazy.png" width="40" height="40" alt="">
<p>The end.</p>"""}


def serve_shell(server) -> str:
    base = f"http://127.0.0.1:{server.port}"
    server.expect_request("/story.html").respond_with_data(SHELL, content_type="text/html; charset=utf-8")
    server.expect_request("/app.js").respond_with_data(APP_JS, content_type="text/javascript")
    server.expect_request("/api/story.json").respond_with_data(json.dumps(story(base)),
                                                               content_type="application/json")
    server.expect_request("/@alice/109876543210/embed").respond_with_data(EMBED_PAGE, content_type="text/html")
    for name in ("small", "large", "lazy"):
        server.expect_request(f"/img/{name}.png").respond_with_data(tiny_png(name), content_type="image/png")
    return f"{base}/story.html"


@pytest.mark.browser
def test_browser_capture_keeps_what_scripts_built_and_renders_it_offline(server, store, chromium, open_page, tmp_path):
    url = serve_shell(server)
    settings = Settings(browser=True, enrich=False, timeout=10, retries=0)
    [result] = archive_urls([url], store, settings)
    assert result.ok, result.error
    snap = store.snapshot(result.snapshot_id)
    assert snap["capture_mode"] == "browser"
    assert PARAGRAPH in snap["text"]                      # metadata from the rendered DOM
    assert b"Loading" in store.blob(snap["page_sha256"])  # the page as the server sent it
    resources = {r["url"].replace(f"http://127.0.0.1:{server.port}", ""): r for r in store.resources(result.snapshot_id)}
    assert resources["/api/story.json"]["kind"] == "data"          # a response the browser received
    assert resources["/img/lazy.png"]["sha256"]                     # loaded by scrolling
    assert resources["/img/large.png"]["sha256"]                    # srcset alternative, fetched statically
    served = [req.path for req, _ in server.log]
    assert served.count("/img/large.png") == 1
    assert store.blob(resources["archiver:rendered-html"]["sha256"]).decode().count(PARAGRAPH) == 1
    assert b"data-archiver-el" not in store.blob(resources["archiver:rendered-html"]["sha256"])
    shot = store.blob(resources["archiver:screenshot"]["sha256"])
    assert shot.startswith(b"\x89PNG") and int.from_bytes(shot[20:24], "big") > 3000   # the whole page
    [post] = store.embeds(result.snapshot_id)
    assert post["provider"] == "mastodon" and post["post_url"].endswith("/@alice/109876543210")
    assert post["markup"].startswith('<blockquote class="mastodon-embed"')   # the embed code the loader replaced
    assert store.blob(post["screenshot_sha256"]).startswith(b"\x89PNG")

    folder = write_rendered(render_snapshot(store, result.snapshot_id), store, tmp_path / "offline")
    visit = open_page(folder.resolve().as_uri())
    assert visit.outside() == []
    assert PARAGRAPH in visit.page.inner_text("body")
    assert visit.page.locator(".arc-card").count() == 1
    assert visit.page.locator(".arc-card details img").count() == 1     # the platform's rendering
    assert visit.broken_images() == []

    html = evidence_html(store, result.snapshot_id)
    assert snap["page_sha256"] in html and post["post_url"] in html and "data:image/png;base64," in html


def test_static_capture_of_an_app_shell_names_browser(server, cli, db_path):
    url = serve_shell(server)
    run = cli("--db", str(db_path), "archive", "--json", url)
    assert run.exit_code == 0
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "--browser" in warnings[0]
    assert "--browser" in json.loads(run.stdout.splitlines()[0])["warnings"][0]
    from archiver.store import Store
    assert "--browser" in Store(db_path).snapshot(1)["warnings"][0]


def test_an_article_in_the_html_gets_no_app_shell_warning(site, store):
    [result] = archive_urls([site.url_for("/site/article.html")], store, Settings(enrich=False))
    assert result.ok and result.warnings == []
    assert store.snapshot(result.snapshot_id)["warnings"] == []


def test_browser_mode_without_chromium_is_one_line_and_changes_nothing(server, cli, db_path, monkeypatch):
    monkeypatch.setenv("ARCHIVER_CHROMIUM", "/nonexistent/chromium")
    run = cli("--db", str(db_path), "archive", "--browser", serve_shell(server))
    assert run.exit_code == 1
    assert run.stderr.strip().count("\n") == 0 and "Chromium" in run.stderr and "Traceback" not in run.stderr
    assert not db_path.exists()   # nothing was written, not even an empty archive


TWEET_OEMBED = {
    "type": "rich", "version": "1.0", "provider_name": "Twitter", "author_name": "Ines Haddad",
    "author_url": "https://twitter.com/ihaddad3", "url": "https://twitter.com/ihaddad3/status/1783438601745334272",
    "html": '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">The council approved the night bus pilot</p>'
            '&mdash; Ines Haddad (@ihaddad3) <a href="https://twitter.com/ihaddad3/status/1783438601745334272">'
            'April 25, 2024</a></blockquote>',
}


def test_a_post_link_is_archived_as_the_post(server, store, monkeypatch):
    """The status page itself cannot be fetched here (a closed proxy): the platform's oEmbed answer
    still makes the post, with its author, and the snapshot shows it as its card."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    server.expect_request("/tw/oembed").respond_with_json(TWEET_OEMBED)
    server.expect_request("/tw/result").respond_with_data("{}", content_type="application/json")
    base = f"http://127.0.0.1:{server.port}"
    settings = Settings(timeout=2, retries=0, endpoints={"twitter": base + "/tw/oembed",
                                                         "twitter.data": base + "/tw/result?id={id}"})
    [result] = archive_urls(["https://x.com/ihaddad3/status/1783438601745334272"], store, settings)
    assert result.ok and result.embeds == 1
    snap = store.snapshot(result.snapshot_id)
    assert snap["capture_mode"] == "post" and snap["byline"] == "Ines Haddad"
    [post] = store.embeds(result.snapshot_id)
    assert (post["provider"], post["author_name"], post["post_id"]) == ("twitter", "Ines Haddad", "1783438601745334272")
    page = render_snapshot(store, result.snapshot_id)
    assert page.cards == 1 and "The council approved the night bus pilot" in page.html


def test_report_holds_hashes_posts_and_finds_a_damaged_blob(site, store, db_path):
    [result] = archive_urls([site.url_for("/site/article.html")], store, Settings(enrich=False))
    data = evidence(store, result.snapshot_id)
    snap = store.snapshot(result.snapshot_id)
    assert data["snapshot"]["page_sha256"] == snap["page_sha256"]
    assert data["verification"]["ok"] and len(data["posts"]) == len(store.embeds(result.snapshot_id))
    assert {r["sha256"] for r in data["resources"]} == {r["sha256"] for r in store.resources(result.snapshot_id)}
    conn = sqlite3.connect(db_path)
    conn.execute("update blobs set data = ?, encoding = 'identity' where sha256 = ?", [b"tampered", snap["page_sha256"]])
    conn.commit()
    conn.close()
    damaged = evidence(store, result.snapshot_id)
    assert not damaged["verification"]["ok"]
    assert [c["where"] for c in damaged["verification"]["blobs"] if c["result"] != "ok"] == ["page"]


NEVER_SETTLES = """<!DOCTYPE html><html><head><title>Live blog</title></head><body>
<h1>Live blog</h1><p>{p}</p><img src="/slow.png" width="10" height="10" alt="">
<script>setInterval(() => fetch('/poll?' + Date.now()), 150)</script></body></html>"""


@pytest.mark.browser
def test_a_page_that_never_settles_keeps_what_it_has_with_warnings(server, chromium):
    """The load event waits for an image that takes 3 s, and a script polls forever: the capture
    is cut at its bounds, keeps the page, and says what was cut short. A PDF link is stored as a file."""
    import time as _time

    from archiver.capture.browser import BrowserLimits, browser_capturer
    from werkzeug import Response

    def slow(_request):
        _time.sleep(3)
        return Response(tiny_png("slow"), content_type="image/png")

    server.expect_request("/live.html").respond_with_data(NEVER_SETTLES.format(p=PARAGRAPH),
                                                          content_type="text/html; charset=utf-8")
    server.expect_request("/slow.png").respond_with_handler(slow)
    server.expect_request("/poll").respond_with_data("{}", content_type="application/json")
    server.expect_request("/paper.pdf").respond_with_data(b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    limits = BrowserLimits(page_timeout=1.0, settle_timeout=0.6, embed_wait=0.6, scroll_pause=0.02)
    settings = Settings(browser=True, enrich=False, timeout=5, retries=0)
    started = _time.monotonic()
    with browser_capturer(settings, 2, limits) as submit:
        live, pdf = submit(server.url_for("/live.html")), submit(server.url_for("/paper.pdf"))
        snap, paper = live.result(timeout=60), pdf.result(timeout=60)
    assert _time.monotonic() - started < 30
    assert snap.error is None and b"Live blog" in snap.body
    assert PARAGRAPH in snap.meta["text"]
    assert any("did not finish loading within 1 s" in w for w in snap.warnings)
    assert any("did not settle" in w for w in snap.warnings)
    assert any(r.kind == "screenshot" and r.body.startswith(b"\x89PNG") for r in snap.resources)
    assert paper.error is None and paper.body.startswith(b"%PDF")
    assert paper.warnings == ["not an HTML page: captured without the browser"]


@pytest.mark.browser
def test_report_prints_to_pdf(site, cli, db_path, tmp_path, chromium):
    url = site.url_for("/site/article.html")
    assert cli("--db", str(db_path), "archive", "-q", "--no-oembed", url).exit_code == 0
    out = tmp_path / "evidence.pdf"
    run = cli("--db", str(db_path), "report", "1", "--pdf", "-o", str(out))
    assert run.exit_code == 0 and run.stdout.strip() == str(out)
    assert "all blobs verified" in run.stderr
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 1000


def test_what_the_browser_made_goes_into_a_warc_as_resource_records(store, tmp_path):
    """Screenshots and the rendered DOM were made, not received: `resource` records with urn: URIs."""
    from warcio.archiveiterator import ArchiveIterator

    from archiver.bundle.warc import export_warc
    from archiver.model import Resource, Snapshot

    png = tiny_png("shot")
    snap = Snapshot(url="https://news.example/a.html", captured_at="2026-01-02T03:04:05Z", status_code=200,
                    content_type="text/html", body=b"<html><body>A</body></html>", capture_mode="browser")
    snap.resources = [Resource(url="archiver:screenshot", kind="screenshot", status_code=200,
                               content_type="image/png", body=png),
                      Resource(url="https://news.example/a.png", kind="image", status_code=200,
                               content_type="image/png", body=tiny_png("a"))]
    sid = store.save_snapshot(snap)
    out = tmp_path / "a.warc.gz"
    export_warc(store, [sid], out)
    with open(out, "rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                   for r in ArchiveIterator(fh)]
    assert ("resource", "urn:screenshot:https://news.example/a.html", png) in records
    assert [uri for kind, uri, _ in records if kind == "response"] == ["https://news.example/a.html",
                                                                      "https://news.example/a.png"]
