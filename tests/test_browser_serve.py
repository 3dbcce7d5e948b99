"""The web UI in a real browser: `archiver serve`'s app on a free port, driven by headless Chromium."""
from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from archiver.serve import create_app
from browse_archive import build

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(tmp_path):
    archive = build(tmp_path / "a.db")
    server = make_server("127.0.0.1", 0, create_app(archive.path), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", archive
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_index_search_and_follow_a_result(live_server, open_page):  # noqa: F811
    base, archive = live_server
    visit = open_page(base + "/")
    page = visit.page
    assert page.title() == "Snapshots · archiver"
    assert page.locator("table.snapshots tbody tr").count() == 4
    visit.screenshot("serve-index.png")

    page.fill("input.bigsearch", "Grace")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/?q=Grace")
    result = page.locator("li.result")
    assert result.count() == 1
    assert "Grace Hopper" in result.inner_text()
    assert page.locator("li.result .snippet mark").inner_text() == "Grace"
    visit.screenshot("serve-search.png")

    page.click("li.result a.result-title")
    page.wait_for_url(f"**/snapshots/{archive.harbour}")
    assert "Council votes on harbour plan" in page.locator("body").inner_text()
    # the preserved card stands where the tweet was, and the page's own script never ran
    card = page.locator(".arc-card").first
    assert "Ada Lovelace" in card.inner_text() and "The harbour is lovely today" in card.inner_text()
    assert page.title() != "pwned" and page.locator("script").count() == 0
    assert visit.broken_images() == []
    hosts = {urlsplit(u).netloc for u in visit.requests if not u.startswith("data:")}
    assert hosts == {urlsplit(base).netloc}, hosts       # nothing left the local server
    visit.screenshot("serve-snapshot.png")


def test_info_and_gallery_render_cleanly(live_server, open_page):  # noqa: F811
    base, archive = live_server
    visit = open_page(f"{base}/snapshots/{archive.harbour}/info")
    assert visit.page.locator("article.post-detail").count() == 2
    assert visit.broken_images() == []
    visit.screenshot("serve-info.png")
    gallery = open_page(f"{base}/posts", width=1280)
    assert gallery.page.locator("figure.gallery-item").count() == 3
    assert gallery.broken_images() == []
    gallery.screenshot("serve-posts.png")
    narrow = open_page(f"{base}/posts", width=360)
    width = narrow.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width                        # no sideways scrolling on a phone
    narrow.screenshot("serve-posts-360.png")
