"""URLs in CSS: what capture finds is exactly what render points at local copies."""
from __future__ import annotations

import pytest

from archiver.extract.css import css_refs, decode_css, rewrite_css
from archiver.render.css import rewrite_declarations, rewrite_stylesheet

BASE = "https://news.example/static/css/site.css"
SHEET = """@charset "utf-8";
@import url("base.css") screen;
@import 'print.css';
@font-face { font-family: X; src: url(../fonts/x.woff2) format("woff2"), url('../fonts/x.woff') format("woff"); }
.hero { background: #333 url("../../media/1/banner.jpg") center/cover; }
@media (min-width: 900px) { .wide { background-image: url(img/wide.png); } }
.set { background-image: image-set("a.png" 1x, url(b.png) 2x); }
.src { background-image: src("c.png"); }
.data { background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=); }
.frag { filter: url(#blur); }
.evil { background: url("javascript:alert(1)"); }
"""


def test_css_refs_kinds_and_resolution():
    refs = dict(css_refs(SHEET, BASE))
    assert refs == {
        "https://news.example/static/css/base.css": "stylesheet",
        "https://news.example/static/css/print.css": "stylesheet",
        "https://news.example/static/fonts/x.woff2": "font",
        "https://news.example/static/fonts/x.woff": "font",
        "https://news.example/media/1/banner.jpg": "css-image",
        "https://news.example/static/css/img/wide.png": "css-image",
        "https://news.example/static/css/a.png": "css-image",
        "https://news.example/static/css/b.png": "css-image",
        "https://news.example/static/css/c.png": "css-image",
    }


def test_rewrite_keeps_data_and_fragments_and_neutralises_the_rest():
    out = rewrite_css(SHEET, BASE, lambda url, kind: None if "banner" in url else "local/" + url.rsplit("/", 1)[1])
    assert 'url("local/x.woff2")' in out and '"local/a.png"' in out and 'src("local/c.png")' in out
    assert 'url("data:,")' in out                     # not captured -> an empty resource
    assert "R0lGODlh" in out and "url(#blur)" in out  # data: and fragments stay
    assert "javascript:" not in out and "https://" not in out


@pytest.mark.parametrize("css", [SHEET, ".a{background:url(x.png)} .b{background:image-set('y.png' 1x)}"])
def test_render_resolves_every_url_capture_found(css):
    asked: list[str] = []

    def local(url: str) -> str:
        asked.append(url)
        return "assets/" + str(len(asked))

    def load(url: str):
        return (".imported{background:url(inner.png)}", url)

    rewrite_stylesheet(css, BASE, local, load)
    imported = {u for u, kind in css_refs(css, BASE) if kind == "stylesheet"}
    found = {u for u, _ in css_refs(css, BASE)} - imported          # @import is inlined, not linked
    inner = {"https://news.example/static/css/inner.png"} if imported else set()
    assert set(asked) == found | inner


def test_render_neutralises_script_bearing_css():
    out = rewrite_declarations("width: expression(alert(1)); behavior: url(x.htc); -moz-binding: url(b.xml)",
                               BASE, lambda url: None)
    assert "alert" not in out and "expression" not in out
    assert "-archiver-removed-behavior" in out and "x.htc" not in out and "b.xml" not in out


def test_decode_css_charsets():
    assert decode_css("a{content:'é'}".encode("utf-8")) == "a{content:'é'}"
    assert decode_css('@charset "iso-8859-1"; a{content:"é"}'.encode("latin-1")).endswith('"é"}')
    assert decode_css("a{content:'é'}".encode("cp1252"), "text/css; charset=windows-1252") == "a{content:'é'}"
