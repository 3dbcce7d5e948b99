"""Capture and render read one table of the places URLs sit in HTML (archiver.extract.slots):
every URL capture fetches is pointed at its local copy by render, and no attribute render leaves
pointing at the web is one capture did not know about."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup
from werkzeug import Request, Response

from archiver.capture import archive_urls
from archiver.extract.requisites import page_requisites, ref_urls
from archiver.extract.slots import LAZY_SRC, LAZY_SRCSET, SLOTS, iter_refs, url_attributes
from archiver.render import render_snapshot
from archiver.render.refs import Rewriter
from archiver.render.sanitize import URL_ATTRS
from archiver.settings import Settings
from archiver.store import Store
from conftest import tiny_png

BASE = "http://news.example/world/story.html"
# One page with every slot of the table (and some of each lazy, preload and link flavour).
PAGE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="/s/site.css"><link rel="icon" href="/s/icon.png">
<link rel="preload" as="image" href="/s/preload.png" imagesrcset="/s/preload-1.png 1x, /s/preload-2.png 2x">
<link rel="preload" as="font" href="/s/preload.woff2"><link rel="canonical" href="/world/story.html">
<script src="/s/app.js"></script>
<style>.hero{background:url(/s/style-block.png)}</style>
</head><body background="/s/body.png">
<img src="/s/img.png" srcset="/s/img-1.png 1x, /s/img-2.png 2x" alt="plain">
<img src="/s/placeholder.png" data-src="/s/lazy.png" data-srcset="/s/lazy-1.png 1x, /s/lazy-2.png 2x" alt="lazy">
<img src="/s/placeholder.png" data-lazy-src="/s/lazy-wprocket.png" data-original="/s/lazy-original.png" alt="two">
<picture><source srcset="/s/picture.webp" type="image/webp"><source src="/s/picture-src.png">
<source data-srcset="/s/picture-lazy.png"><img src="/s/img.png" alt="pic"></picture>
<input type="image" src="/s/button.png" alt="go">
<video poster="/s/poster.png" src="/s/film.mp4" data-src="/s/film-lazy.mp4">
<source src="/s/film.webm"><source srcset="/s/film-set.webm"><track src="/s/subtitles.vtt"></video>
<audio src="/s/sound.mp3"></audio>
<svg><image href="/s/svg.png"/><image xlink:href="/s/svg-xlink.png"/><use href="/s/sprite.svg#icon"/>
<use href="#local"/><filter><feImage href="/s/fe.png"/></filter></svg>
<a href="/world/next.html">next</a> <a href="mailto:desk@news.example">mail</a>
<map><area href="/world/area.html"></map><form action="/search"></form>
<div style="background:url(/s/div.png)">styled</div>
<table background="/s/table.png"><tr><td background="/s/td.png">cell</td></tr></table>
</body></html>"""


def doc_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def slot_of(ref) -> int:
    return SLOTS.index(ref.slot)


def test_the_page_exercises_every_slot_and_the_lazy_lists_are_slots():
    used = {slot_of(r) for r in iter_refs(doc_of(PAGE))}
    assert used == set(range(len(SLOTS))), [SLOTS[i] for i in set(range(len(SLOTS))) - used]
    assert set(LAZY_SRC) | set(LAZY_SRCSET) <= url_attributes()


def test_capture_fetches_the_slots_marked_fetch_and_nothing_else():
    doc = doc_of(PAGE)
    fetched = {u for u, _ in page_requisites(doc, BASE)}
    by_slot: dict[bool, set[str]] = {True: set(), False: set()}
    for ref in iter_refs(doc):
        by_slot[ref.slot.fetch].update(u.split("#")[0] for u, _ in ref_urls(ref, BASE))
    assert fetched == by_slot[True]
    assert "http://news.example/s/film.mp4" in by_slot[False] and not fetched & by_slot[False]
    assert "http://news.example/world/next.html" in by_slot[False]   # a link is followed, not fetched


def rewrite(html: str) -> tuple[BeautifulSoup, list[str], list[str]]:
    """Render's rewriting over `html` when capture got everything it fetched (and the sheets'
    own images): (doc, URLs render asked for, stylesheets it loaded)."""
    captured = {u for u, _ in page_requisites(doc_of(html), BASE)} | {"http://news.example/s/sheet.png"}
    asked: list[str] = []
    sheets: list[str] = []

    def local(url: str) -> str | None:
        asked.append(url)
        return "assets/" + re.sub(r"\W", "_", url.split("://", 1)[1]) if url in captured else None

    def load(url: str):
        sheets.append(url)
        return ".from-sheet{background:url(sheet.png)}", url

    doc = doc_of(html)
    Rewriter(BASE, local, load).document(doc)
    return doc, asked, sheets


def test_render_asks_for_every_url_capture_fetched():
    original = doc_of(PAGE)
    refs = list(iter_refs(original))
    removed = {u for r in refs if r.slot.offline == "removed" for u, _ in ref_urls(r, BASE)}
    media = {u for r in refs if r.slot.kind == "media" for u, _ in ref_urls(r, BASE)}
    # the placeholder a lazy image shows until its script runs: the lazy copy takes its place
    promoted_away = {"http://news.example/s/placeholder.png"}
    fetched = dict(page_requisites(original, BASE))
    _, asked, sheets = rewrite(PAGE)
    wanted = {u for u, kind in fetched.items() if kind != "stylesheet"} - removed
    assert wanted - set(asked) == promoted_away
    assert set(sheets) == {u for u, kind in fetched.items() if kind == "stylesheet"}
    assert set(asked) - wanted == media | {"http://news.example/s/sheet.png"}   # media: tried, never fetched


def web_references(doc: BeautifulSoup) -> list[str]:
    """Every attribute or CSS text that still points at the web, as 'element[attr]=value'."""
    found = []
    names = url_attributes() | set(URL_ATTRS)
    for tag in doc.find_all(True):
        for attr in names & set(tag.attrs):
            value = tag[attr] if isinstance(tag[attr], str) else " ".join(tag[attr])
            if re.search(r"(https?:)?//|^/|^mailto:", value.strip()):
                found.append(f"{tag.name}[{attr}]={value}")
    for style in doc.find_all("style"):
        found += re.findall(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", style.get_text())
    return found


def test_only_links_are_left_pointing_at_the_web():
    doc, _, _ = rewrite(PAGE)
    assert sorted(web_references(doc)) == [
        "a[href]=http://news.example/world/next.html", "a[href]=mailto:desk@news.example",
        "area[href]=http://news.example/world/area.html", "form[action]=http://news.example/search",
        "link[href]=http://news.example/world/story.html",
    ]
    assert doc.find("script") is None and not doc.find_all("link", rel="preload")
    assert doc.find("track") is None and len(doc.find("video").find_all("source")) == 0   # media: not captured
    assert doc.find("img", alt="pic")["src"] == "assets/news_example_s_img_png"   # <picture> keeps its <img>
    assert doc.find("img", alt="lazy")["src"] == "assets/news_example_s_lazy_png"
    assert doc.find("use", href="#local") is not None and doc.find("use", href=re.compile("sprite")) is None


def test_a_slot_render_cannot_fill_is_never_left_live():
    doc = doc_of(PAGE)
    Rewriter(BASE, lambda url: None, lambda url: None).document(doc)
    left = web_references(doc)
    assert all(re.match(r"(a|area|form|link)\[(href|action)\]", ref) for ref in left), left
    plain = doc.find("img", alt="plain")
    assert plain["src"].startswith("data:image/svg+xml") and "srcset" not in plain.attrs
    assert "data-archiver-missing" in plain.attrs
    assert doc.find("picture").find("source") is None and doc.find("img", alt="pic") is not None


def _serve_slot_page(server) -> str:
    def requisite(request: Request) -> Response:
        path = request.path
        if path.endswith(".css"):
            return Response(".from-sheet{background:url(sheet.png)}", content_type="text/css")
        if path.endswith(".js"):
            return Response("console.log(1)", content_type="application/javascript")
        if path.endswith(".woff2"):
            return Response(b"wOF2" + bytes(60), content_type="font/woff2")
        return Response(tiny_png(path), content_type="image/png")

    server.expect_request("/world/story.html").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    server.expect_request(re.compile(r"^/s/.*")).respond_with_handler(requisite)
    return server.url_for("/world/story.html")


def test_captured_then_rendered_page_keeps_no_live_requisite(server, tmp_path):
    """End to end: what the real capture stored is exactly what the offline page uses."""
    url = _serve_slot_page(server)
    store = Store(tmp_path / "a.db")
    [result] = archive_urls([url], store, Settings(enrich=False))
    assert result.ok
    resources = [r for r in store.resources(result.snapshot_id) if r["sha256"]]
    page = render_snapshot(store, result.snapshot_id)
    doc = doc_of(page.html)
    origin = url.split("/world/")[0]
    links = {f"{origin}/world/next.html", f"{origin}/world/area.html", f"{origin}/search", url}
    left = [ref for ref in web_references(doc) if ref.split("=", 1)[1] not in links | {"mailto:desk@news.example"}]
    assert left == []
    stored = {r["url"]: r["sha256"] for r in resources}
    original = doc_of(PAGE)
    removed = {u for r in iter_refs(original) if r.slot.offline == "removed" for u, _ in ref_urls(r, url)}
    sheets = {r["url"] for r in resources if r["kind"] == "stylesheet"}
    media = {f"{origin}/s/{name}" for name in ("film.mp4", "film-lazy.mp4", "film.webm", "film-set.webm",
                                               "subtitles.vtt", "sound.mp3")}
    assert media & set(stored) == set() and not [req for req, _ in server.log if "film" in req.path]
    used = set(page.assets.values())
    promoted_away = {f"{origin}/s/placeholder.png"}   # the lazy images show their lazy copies
    assert {u for u, sha in stored.items() if sha not in used} == removed | sheets | promoted_away
    assert doc.find("style", attrs={"data-archiver-href": f"{origin}/s/site.css"}) is not None
    store.close()
