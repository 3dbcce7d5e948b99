"""The offline page: hostile markup neutralised, every requisite local, cards in place of
embeds, CSP and banner, single-file mode, determinism, and the `archiver render` command."""
from __future__ import annotations

import hashlib
import re

import pytest
from bs4 import BeautifulSoup

from archiver.render import CSP, RenderError, render_snapshot, write_rendered
from tests.conftest import tiny_png
from tests.render_helpers import ORIGIN, save_page

PNG = tiny_png("a")
PNG2 = tiny_png("b")
FONT = b"wOF2" + b"\x00" * 60
CSS = (b'@import url("print.css") print; @import url(http://evil.example/x.css);\n'
       b'@font-face{font-family:F;src:url("../fonts/f.woff2") format("woff2")}\n'
       b'.hero{background:url(../img/bg.png)} .old{width:expression(alert(1))}'
       b' .gone{background-image:url(/img/not-captured.png)}')
PRINT_CSS = b".p{background:url(img/p.png)}"

HOSTILE = f"""<!DOCTYPE html><html><head>
<meta charset="utf-8"><meta http-equiv="refresh" content="0;url=http://evil.example/">
<base href="{ORIGIN}/world/">
<link rel="preconnect" href="https://cdn.example"><link rel="dns-prefetch" href="//cdn.example">
<link rel="prefetch" href="https://cdn.example/next.html"><link rel="preload" as="font" href="/f.woff2">
<link rel="stylesheet" href="/static/css/site.css"><link rel="icon" href="/favicon.png">
<style>@import url(http://evil.example/y.css); .x{{background:url('/img/a.png')}}</style>
<script>alert(1)</script><script src="https://cdn.example/app.js"></script>
</head><body onload="alert(1)">
<h1 style="background:url(/img/a.png); color: red">Title</h1>
<img src="/img/a.png" onerror="alert(1)" srcset="/img/a.png 1x, /img/b.png 2x, /img/none.png 3x" alt="a">
<img src="/img/placeholder.png" data-src="/img/b.png" class="lazy" loading="lazy" alt="lazy">
<img src="/img/missing.png" width="320" height="180" alt="missing" crossorigin="anonymous">
<picture><source srcset="https://cdn.example/wide.webp" type="image/webp"><img src="/img/a.png" alt="pic"></picture>
<noscript><p class="ns">shown without script</p></noscript>
<a href="javascript:alert(1)">bad link</a> <a href="JaVaScRiPt&#x3A;alert(1)">bad 2</a> <a href="other.html">rel</a>
<svg><script>alert(2)</script><a xlink:href="javascript:alert(3)"><text>x</text></a>
<use href="https://evil.example/sprite.svg#i"></use><animate attributeName="href" to="javascript:alert(4)"/></svg>
<iframe srcdoc="&lt;script&gt;alert(5)&lt;/script&gt;"></iframe>
<iframe src="https://maps.example.com/embed?x=1" title="A map"></iframe>
<iframe src="https://ad.doubleclick.net/ddm/adi/x" width="300" height="250"></iframe>
<object data="https://evil.example/movie.swf"><param name="x" value="y"></object>
<embed src="https://evil.example/movie.swf">
<video src="https://cdn.example/v.mp4" poster="/img/a.png" autoplay></video>
<form action="javascript:alert(6)"><button formaction="javascript:alert(7)">go</button></form>
<div onclick="alert(8)" onmouseover="alert(9)">handlers</div>
</body></html>"""

RESOURCES = {
    ORIGIN + "/img/a.png": (PNG, "image/png"),
    ORIGIN + "/img/b.png": (PNG2, "image/png"),
    ORIGIN + "/static/css/site.css": (CSS, "text/css"),
    ORIGIN + "/static/css/print.css": (PRINT_CSS, "text/css"),
    ORIGIN + "/static/css/img/p.png": (tiny_png("p"), "image/png"),
    ORIGIN + "/static/fonts/f.woff2": (FONT, "font/woff2"),
    ORIGIN + "/static/img/bg.png": (tiny_png("bg"), "image/png"),
    ORIGIN + "/favicon.png": (tiny_png("icon"), "image/png"),
}
LOADING_ATTRS = ("src", "srcset", "poster", "data", "background", "xlink:href")


@pytest.fixture
def hostile(store):
    return save_page(store, HOSTILE, resources=RESOURCES, missing=(ORIGIN + "/img/missing.png",))


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def css_texts(doc: BeautifulSoup) -> list[str]:
    return [s.get_text() for s in doc.find_all("style")] + [t["style"] for t in doc.find_all(style=True)]


def remote_references(doc: BeautifulSoup) -> list[str]:
    """Every reference that a browser would load and that is neither local nor data:."""
    found = []
    for tag in doc.find_all(True):
        for attr in LOADING_ATTRS + ("href",):
            if attr not in tag.attrs or (attr == "href" and tag.name not in ("link", "image", "use")):
                continue
            value = tag[attr] if isinstance(tag[attr], str) else " ".join(tag[attr])
            if re.search(r"(^|[\s,])(https?:)?//", value):
                found.append(f"{tag.name}[{attr}]={value}")
    for text in css_texts(doc):
        found += re.findall(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", text)
        found += re.findall(r"@import", text)
    return found


def test_hostile_markup_is_neutralised(store, hostile):
    doc = soup_of(render_snapshot(store, hostile).html)
    assert doc.find("script") is None
    assert doc.find("base") is None
    assert not doc.find_all("meta", attrs={"http-equiv": re.compile("refresh", re.I)})
    assert not [t for t in doc.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]
    assert "javascript:" not in str(doc).lower()
    assert doc.find(["object", "embed", "animate"]) is None
    assert doc.find("iframe") is None
    rels = [" ".join(l.get("rel")) for l in doc.find_all("link")]
    assert not [r for r in rels if r in ("preconnect", "dns-prefetch", "prefetch", "preload")]
    assert doc.find("use").get("href") is None
    assert "expression(" not in str(doc)
    assert remote_references(doc) == []


def test_csp_allows_nothing_from_the_network(store, hostile):
    doc = soup_of(render_snapshot(store, hostile).html)
    metas = doc.head.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert len(metas) == 1 and metas[0]["content"] == CSP
    assert doc.head.find_all(True)[1] is metas[0]       # right after the charset, before any resource
    policy = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'none'"
    assert not [v for v in policy.values() if re.search(r"https?:|\*", v)]


def test_requisites_point_at_local_copies(store, hostile):
    page = render_snapshot(store, hostile)
    doc = soup_of(page.html)
    a_png = hashlib.sha256(PNG).hexdigest() + ".png"
    b_png = hashlib.sha256(PNG2).hexdigest() + ".png"
    first = doc.find("img", alt="a")
    assert first["src"] == "assets/" + a_png
    assert first["srcset"] == f"assets/{a_png} 1x, assets/{b_png} 2x"      # the uncaptured 3x is dropped
    lazy = doc.find("img", alt="lazy")
    assert lazy["src"] == "assets/" + b_png and "data-src" not in lazy.attrs and "loading" not in lazy.attrs
    missing = doc.find("img", alt="missing")
    assert missing["src"].startswith("data:image/svg+xml;base64,") and "crossorigin" not in missing.attrs
    assert doc.find("picture").find("source") is None                    # not captured: the <img> is used
    assert doc.find("img", alt="pic")["src"] == "assets/" + a_png
    assert doc.find("video")["poster"] == "assets/" + a_png and "src" not in doc.find("video").attrs
    assert doc.find("link", rel="icon")["href"].startswith("assets/")
    assert doc.find("p", class_="ns").get_text() == "shown without script"
    assert doc.find("a", string="rel")["href"] == ORIGIN + "/world/other.html"   # <base> honoured, then removed
    assert "assets/" + a_png in doc.find("h1")["style"]
    assert set(page.assets) >= {a_png, b_png}
    assert all(name.split(".")[0] == sha for name, sha in page.assets.items())


def test_stylesheets_are_inlined_and_resolved_against_their_own_url(store, hostile):
    doc = soup_of(render_snapshot(store, hostile).html)
    inlined = doc.find("style", attrs={"data-archiver-href": ORIGIN + "/static/css/site.css"})
    text = inlined.get_text()
    sha = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    assert f'url("assets/{sha(FONT)}.woff2")' in text
    assert f'url("assets/{sha(tiny_png("bg"))}.png")' in text             # ../img/bg.png from /static/css/
    assert f'url("assets/{sha(tiny_png("p"))}.png")' in text              # inside the inlined print.css
    assert "@media print" in text
    assert 'url("data:,")' in text                                         # not captured: loads nothing
    assert "evil.example" not in text


def test_iframes_become_generic_cards_or_notices(store, hostile):
    doc = soup_of(render_snapshot(store, hostile).html)
    notices = doc.find_all(attrs={"data-archiver": "frame"})
    texts = [n.get_text(" ", strip=True) for n in notices]
    assert any("ad.doubleclick.net" in t and "not archived" in t for t in texts)
    assert any("inline content" in t for t in texts)
    generic = doc.find("article", attrs={"data-provider": "generic"})   # the registry's generic embed
    assert "A map" in generic.get_text() and generic.find("a", href="https://maps.example.com/embed?x=1")
    assert "alert(5)" not in str(doc)


def test_single_file_inlines_everything(store, hostile):
    page = render_snapshot(store, hostile, single_file=True)
    doc = soup_of(page.html)
    assert page.assets == {}
    assert "assets/" not in page.html
    assert doc.find("img", alt="a")["src"].startswith("data:image/png;base64,")
    assert re.search(r'src:url\("data:font/woff2;base64,', doc.find("style", attrs={"data-archiver-href": True}).get_text())
    assert remote_references(doc) == []


def test_same_snapshot_same_bytes(store, hostile, tmp_path):
    assert render_snapshot(store, hostile).html == render_snapshot(store, hostile).html
    assert render_snapshot(store, hostile, single_file=True).html == render_snapshot(store, hostile, single_file=True).html
    one = write_rendered(render_snapshot(store, hostile), store, tmp_path / "one")
    two = write_rendered(render_snapshot(store, hostile), store, tmp_path / "two")
    assert one.read_bytes() == two.read_bytes()
    files = sorted(p.name for p in (tmp_path / "one" / "assets").iterdir())
    assert files == sorted(render_snapshot(store, hostile).assets)
    for f in (tmp_path / "one" / "assets").iterdir():
        assert hashlib.sha256(f.read_bytes()).hexdigest() == f.name.split(".")[0]


TWEET = ('<blockquote class="twitter-tweet"><p lang="en">Rain all day &lt;script&gt;alert(1)&lt;/script&gt; '
         '<a href="https://twitter.com/hashtag/wet">#wet</a></p>&mdash; Ada Lovelace (@ada) '
         '<a href="https://twitter.com/ada/status/1838978780611657405">September 25, 2024</a></blockquote>'
         '<script async src="https://platform.twitter.com/widgets.js"></script>')


def test_embeds_become_cards_with_banner(store):
    html = f"<html><head><title>t</title></head><body><p>Before</p>{TWEET}<p>After</p></body></html>"
    sid = save_page(store, html)
    doc = soup_of(render_snapshot(store, sid).html)
    assert doc.find("blockquote", class_="twitter-tweet") is None
    card = doc.find("article", class_="arc-card")
    assert card["data-provider"] == "twitter"
    assert "Ada Lovelace" in card.get_text() and "@ada" in card.get_text() and "Rain all day" in card.get_text()
    assert card.find("script") is None and "<script>alert(1)</script>" in card.get_text()   # shown, not run
    assert card.find_previous("p").get_text() == "Before" and card.find_next_sibling("p").get_text() == "After"
    banner = doc.body.find(True)
    assert banner["data-archiver"] == "banner"
    assert "1 embedded post preserved" in banner.get_text(" ", strip=True)
    assert banner.find("a")["href"] == ORIGIN + "/world/story.html"
    assert all("all: initial" in t["style"] for t in banner.find_all(True, recursive=True) if t.name != "time") \
        and "all: initial" in banner["style"]


def test_deleted_post_shows_what_the_page_said(store):
    html = f"<html><body>{TWEET}</body></html>"
    from tests.render_helpers import embed_rows
    rows = embed_rows(html.encode(), ORIGIN + "/world/story.html")
    rows[0]["status"] = "deleted"
    sid = save_page(store, html, embeds=rows)
    card = soup_of(render_snapshot(store, sid).html).find("article", class_="arc-card")
    assert card["data-status"] == "deleted"
    assert "deleted" in card.find(class_="arc-card__status").get_text()
    assert "Rain all day" in card.get_text()


def test_stored_rows_without_an_element_are_still_shown(store):
    row = {"position": 7, "provider": "bluesky", "kind": "post", "author_name": "Orphan", "text": "kept anyway",
           "post_url": "https://bsky.app/profile/x/post/1"}
    sid = save_page(store, "<html><body><p>No embed markup here</p></body></html>", embeds=[row])
    page = render_snapshot(store, sid)
    section = soup_of(page.html).find(attrs={"data-archiver": "other-posts"})
    assert "Orphan" in section.get_text() and "kept anyway" in section.get_text() and page.cards == 1


def test_legacy_charset_is_decoded(store):
    body = '<html><head><meta charset="windows-1252"></head><body><p>café – naïve</p></body></html>'.encode("cp1252")
    sid = save_page(store, body, content_type="text/html")
    html = render_snapshot(store, sid).html
    assert "café – naïve" in html and '<meta charset="utf-8">' in html


def test_failed_or_unknown_snapshot_is_a_render_error(store):
    from archiver.model import Snapshot
    failed = store.save_snapshot(Snapshot(url="http://x.example/", captured_at="2025-01-01T00:00:00Z", error="timeout"))
    with pytest.raises(RenderError, match="no stored page: timeout"):
        render_snapshot(store, failed)
    with pytest.raises(RenderError, match="no snapshot #999"):
        render_snapshot(store, 999)


def test_cli_render_folder_and_single_file(cli, store, db_path, hostile, tmp_path):
    out = tmp_path / "story"
    result = cli("--db", str(db_path), "render", str(hostile), "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout.strip() == str(out / "index.html")
    assert (out / "index.html").is_file() and any((out / "assets").iterdir())
    single = tmp_path / "story.html"
    result = cli("--db", str(db_path), "render", str(hostile), "--single-file", "-o", str(single), "--json")
    assert result.exit_code == 0 and '"path": "%s"' % single in result.stdout
    assert "assets/" not in single.read_text()


def test_cli_render_errors_are_one_line(cli, store, db_path, hostile, tmp_path):
    result = cli("--db", str(db_path), "render", "42")
    assert result.exit_code == 1 and result.output.strip() == "Error: no snapshot #42"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("--db", str(db_path), "render", str(hostile), "-o", str(blocker))
    assert result.exit_code == 1 and "not a folder" in result.output and blocker.read_text() == "x"
    result = cli("--db", str(tmp_path / "none.db"), "render", "1")
    assert result.exit_code == 1 and "no archive" in result.output
    result = cli("--db", str(db_path), "render", "abc")
    assert result.exit_code == 2
