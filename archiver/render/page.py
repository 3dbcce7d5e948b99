"""The offline page of one snapshot, rebuilt from the store alone.

parse the stored bytes -> find the embeds again (same registry, same order as at capture) ->
take out everything that runs or loads -> point requisites at local copies -> put a preserved
card where each embed was -> add the CSP, the card styles and the archive banner.
Deterministic: the same snapshot gives the same bytes."""
from __future__ import annotations

import functools
import hashlib
import logging
import re
from html import escape as html_escape
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.dammit import EntitySubstitution
from bs4.element import Stylesheet
from bs4.formatter import HTMLFormatter

from .. import embeds as embed_registry
from ..errors import ArchiverError
from ..extract.charset import charset_of
from ..extract.css import decode_css
from ..extract.html import decode_html
from ..extract.requisites import base_url_of
from ..extract.slots import LAZY_SRC
from ..extract.urls import absolute
from ..templating import environment, templates_dir
from .assets import AssetMap, asset_map
from .cards import human_date, render_card
from .refs import Rewriter
from .sanitize import neutralise

log = logging.getLogger(__name__)

# Nothing from the network: local files and data: URIs only (inline styles for the page's own CSS).
CSP = ("default-src 'none'; img-src 'self' data: file:; style-src 'self' 'unsafe-inline' data: file:; "
       "font-src 'self' data: file:; media-src 'self' data: file:; script-src 'none'; object-src 'none'; "
       "frame-src 'none'; child-src 'none'; worker-src 'none'; connect-src 'none'; manifest-src 'none'; "
       "form-action 'none'; base-uri 'none'")
CARD_SCOPE = ".arc-card:not(#arc-page)"
# Only &, < and > escaped (no named entities), void elements without a slash, boolean attributes bare.
_FORMATTER = HTMLFormatter(entity_substitution=EntitySubstitution.substitute_xml, void_element_close_prefix="",
                           empty_attributes_are_booleans=True)
_SLOT = re.compile(r'<archiver-slot data-k="([0-9a-f]+)"></archiver-slot>')


class RenderError(ArchiverError):
    """The snapshot cannot be rendered (unknown id, failed capture, no stored page)."""


@dataclass
class RenderedPage:
    snapshot_id: int
    html: str
    assets: dict[str, str] = field(default_factory=dict)   # "<sha256>.<ext>" -> sha256
    title: str | None = None
    cards: int = 0


@functools.cache
def card_css() -> str:
    text = (templates_dir() / "page" / "cards.css").read_text(encoding="utf-8")
    return text.replace("CARD", CARD_SCOPE)


class _Slots:
    """Markers in the tree for markup inserted after serialisation (cards, notices, banner)."""

    def __init__(self, doc: BeautifulSoup, salt: str):
        self.doc = doc
        self.salt = salt
        self.markup: dict[str, str] = {}

    def make(self, html: str) -> Tag:
        key = hashlib.sha256(f"{self.salt}:{len(self.markup)}".encode()).hexdigest()[:24]
        self.markup[key] = html
        return self.doc.new_tag("archiver-slot", attrs={"data-k": key})

    def fill(self, text: str) -> str:
        return _SLOT.sub(lambda m: self.markup.get(m.group(1), ""), text)


def _frame_notice(slots: _Slots, base_url: str) -> Callable[[Tag], Tag | None]:
    template = environment().get_template("page/iframe.html")

    def notice(frame: Tag) -> Tag | None:
        # what it shows: its src (or an <object>'s data), else the URL a lazy loader parked
        url = next(filter(None, (absolute(frame.get(a), base_url) for a in ("src", "data") + LAZY_SRC)), None)
        if url is None and frame.get("srcdoc") is None and frame.name == "object":
            frame.unwrap()   # an <object> without a loadable URL: show its fallback content
            return None
        host = urlsplit(url).hostname if url else ("inline content" if frame.get("srcdoc") is not None else None)
        if url is None and host is None:
            return None
        title = frame.get("title") or frame.get("aria-label")
        return slots.make(template.render(host=host, url=url, title=title))

    return notice


def _stylesheet_loader(assets: AssetMap) -> Callable[[str], tuple[str, str] | None]:
    cache: dict[str, str] = {}

    def load(url: str) -> tuple[str, str] | None:
        asset = assets.lookup(url)
        if asset is None:
            return None
        if asset.sha256 not in cache:
            data = assets.read_blob(asset.sha256)
            if data is None:
                return None
            cache[asset.sha256] = decode_css(data, asset.content_type)
        return cache[asset.sha256], asset.url or url

    return load


def _match_embeds(detected: list, rows: list[dict]) -> list[tuple[Tag, list[Tag], dict]]:
    """Pair each embed found in the page with its stored row (by position, provider checked);
    an embed the capture did not store is carded from what the page itself says."""
    by_position = {r.get("position"): r for r in rows}
    pairs = []
    for det in detected:
        row = by_position.get(det.position)
        if row is None or (row.get("provider") or "") != det.post.provider:
            row = next((r for r in rows if r.get("post_url") and r.get("post_url") == det.post.post_url
                        and not r.get("_placed")), None)
        if row is None:
            row = det.post.row()
            row["sources"] = {k: v for k, v in (row.get("sources") or {}).items()}
        row["_placed"] = True
        pairs.append((det.element, list(det.also_remove), row))
    return pairs


def render_document(*, body: bytes, page_url: str, charset: str | None, assets: AssetMap, embed_rows: list[dict],
                    captured_at: str | None, preserved_at: str | None = None,
                    leftover_heading: str = "Other preserved posts from this page") -> tuple[str, int]:
    """The offline HTML of a stored page (pure apart from reading blobs through `assets`);
    returns (html, number of cards)."""
    text = decode_html(body, charset)[0]   # the rule the capture used
    doc = BeautifulSoup(text, "lxml")
    if doc.html is None:
        doc = BeautifulSoup("<!DOCTYPE html><html><head></head><body></body></html>", "lxml")
    base_url = base_url_of(doc, page_url)
    slots = _Slots(doc, hashlib.sha256(body).hexdigest())
    env = environment()
    rows = [dict(r) for r in embed_rows]

    detected = embed_registry.detect(doc, base_url)
    cards = 0
    for element, extra, row in _match_embeds(detected, rows):
        if element.parent is None:
            continue
        for tag in extra:
            if tag.parent is not None:
                tag.decompose()
        element.replace_with(slots.make(_card(row, assets, preserved_at or captured_at, env)))
        cards += 1
    leftovers = [r for r in rows if not r.get("_placed")]

    neutralise(doc, _frame_notice(slots, base_url))
    Rewriter(base_url, assets.local_url, _stylesheet_loader(assets)).document(doc)

    head, body_tag = doc.head, doc.body
    if head is None:
        head = doc.new_tag("head")
        doc.html.insert(0, head)
    if body_tag is None:
        body_tag = doc.new_tag("body")
        doc.html.append(body_tag)
    charset_meta = doc.new_tag("meta", attrs={"charset": "utf-8"})
    csp = doc.new_tag("meta", attrs={"http-equiv": "Content-Security-Policy", "content": CSP})
    referrer = doc.new_tag("meta", attrs={"name": "referrer", "content": "no-referrer"})
    style = doc.new_tag("style", attrs={"data-archiver": "cards"})
    style.string = Stylesheet(card_css())
    for i, tag in enumerate((charset_meta, csp, referrer)):
        head.insert(i, tag)
    head.append(style)
    if leftovers:
        extra_html = "".join(_card(r, assets, preserved_at or captured_at, env) for r in leftovers)
        cards += len(leftovers)
        section = ('<section data-archiver="other-posts" style="max-width:800px;margin:2em auto;padding:0 16px">'
                   f'<h2>{html_escape(leftover_heading)}</h2>{extra_html}</section>')
        body_tag.append(slots.make(section))
    captured_iso, captured_human = human_date(captured_at)
    banner = env.get_template("page/banner.html").render(
        url=page_url if page_url.lower().startswith(("http://", "https://")) else None,
        host=urlsplit(page_url).hostname, captured_iso=captured_iso, captured_human=captured_human, posts=cards)
    body_tag.insert(0, slots.make(banner))
    html = slots.fill(_serialise(doc))
    return html, cards


def _card(row: dict, assets: AssetMap, preserved_at: str | None, env) -> str:
    return str(render_card(row, asset_url=assets.for_sha, preserved_at=preserved_at or row.get("checked_at"), env=env))


def _serialise(doc: BeautifulSoup) -> str:
    out = doc.decode(formatter=_FORMATTER)
    if not out.lstrip().lower().startswith("<!doctype"):
        out = "<!DOCTYPE html>\n" + out
    return out


def render_stored(store, snapshot_id: int, *, single_file: bool = False, asset_prefix: str = "assets/") -> RenderedPage:
    snap = store.snapshot(snapshot_id)
    if snap is None:
        raise RenderError(f"no snapshot #{snapshot_id}")
    is_post = snap.get("capture_mode") == "post" and not snap.get("error")
    if not snap.get("page_sha256") and not is_post:
        reason = f": {snap['error']}" if snap.get("error") else ""
        raise RenderError(f"snapshot {snapshot_id} has no stored page{reason}")
    body = store.blob(snap["page_sha256"]) if snap.get("page_sha256") else b""
    if body is None:
        raise RenderError(f"snapshot {snapshot_id}: the page's bytes are missing from the archive")
    resources = store.resources(snapshot_id)
    charset = charset_of(snap.get("content_type"), snap.get("headers"))
    heading = "Other preserved posts from this page"
    if is_post:   # a post link: the post's card on a page of its own
        body, charset, heading = _post_page(snap), "utf-8", "The archived post"
    else:
        rendered = _rendered_dom(resources, store.blob)   # a browser capture: the DOM after scripts ran
        if rendered is not None:
            body, charset = rendered, "utf-8"
    assets = asset_map(resources, store.blob, prefix=asset_prefix, single_file=single_file)
    rows = store.embeds(snapshot_id)
    for row in rows:   # post media and avatars may be stored as blobs without a resource row
        shas = [row.get("avatar_sha256")] + [m.get("sha256") for m in row.get("media") or [] if isinstance(m, dict)]
        for sha in shas:
            if sha and sha not in assets.by_sha:
                info = store.blob_info(sha)
                if info:
                    assets.add_blob(sha, info.get("content_type"))
    page_url = snap.get("final_url") or snap.get("url") or ""
    html, cards = render_document(
        body=body, page_url=page_url, charset=charset, assets=assets, embed_rows=rows,
        captured_at=snap.get("captured_at"), leftover_heading=heading)
    return RenderedPage(snapshot_id, html, dict(assets.used), snap.get("title"), cards)


def _rendered_dom(resources: list[dict], read_blob) -> bytes | None:
    """The DOM a browser capture kept (resource kind `rendered-html`), if any."""
    row = next((r for r in resources if r.get("kind") == "rendered-html" and r.get("sha256")), None)
    return read_blob(row["sha256"]) if row else None


def _post_page(snap: dict) -> bytes:
    title = html_escape(snap.get("title") or snap.get("url") or "Archived post")
    return (f'<!DOCTYPE html><html><head><title>{title}</title></head>'
            f'<body></body></html>').encode("utf-8")


__all__ = ["CSP", "RenderError", "RenderedPage", "render_document", "render_stored"]
