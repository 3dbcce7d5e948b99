"""Embeds in pages saved after the platforms' scripts ran (a browser's "Save Page As", SingleFile,
a web archive's replay), where one post can sit in the page several times (pure functions).

- `merge_copies`: the copies of one post side by side (the platform's rendered iframe and the
  original blockquote it has not removed yet, a widget script and the iframe it made, a noscript
  copy) are one embed, holding the facts of all of them. Copies are told by the post (same URL,
  or the same id), side by side by the page (no other embed and no more than a caption's worth of
  text between them): the same post embedded twice in an article, with text between, stays two.
- `saved_frames`: an iframe that a page saver turned into `srcdoc` (SingleFile keeps the frame's
  document in it and drops `src`) is known by what the saved document says it shows.
- `frame_facts`: the post a saved frame shows, read by the platform's own embed-page reader.
- `attribute_markup`: embed markup a consent or lazy-load wrapper keeps escaped in a `data-*`
  attribute (`data-iframe="&lt;iframe src=…&gt;"`, URL-encoded or base64) until the reader
  agrees to load it.
- `in_archive_chrome`: the web archive's own toolbar and banners are not the page.
"""
from __future__ import annotations

import base64
import logging
import re
from typing import Callable, Iterable
from urllib.parse import unquote

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ._media_util import is_template, outer_box
from .base import (DERIVED, EMBED_PAGE, EMBED_PAGE_ENDPOINT, FALLBACK, POST_FIELDS, Detected, Post, Reply)
from .reading import OK

log = logging.getLogger(__name__)

# Text allowed between two copies of one post (a caption, a "loading…" line); more is article text.
MAX_TEXT_BETWEEN = 40
# Ids of the Wayback Machine's toolbar, its print header and its donation banner in a replayed page.
ARCHIVE_CHROME = re.compile(r"^(wm-ipp|wm-btns|wm-toolbar|donato|playback-header)", re.I)
# Kinds that are not one post: a saved frame that only links to these shows no post.
NOT_A_POST = {"timeline", "profile", "link", "playlist"}
# A data-* attribute whose value is markup (entity-escaped in the page; some plugins URL-encode it).
MARKUP_VALUE = re.compile(r"^\s*(?:<|%3C)\s*(iframe|blockquote|amp-|div|figure|lite-|script|embed|object)", re.I)
_SHORT_ID = 6   # ids shorter than this are counters within one account (Telegram), not a post's identity


def in_archive_chrome(el: Tag) -> bool:
    for node in (el, *el.parents):
        if isinstance(node, Tag) and isinstance(node.get("id"), str) and ARCHIVE_CHROME.match(node["id"]):
            return True
    return False


def same_post(a: Post, b: Post) -> bool:
    if a.provider != b.provider:
        return False
    if a.post_url and b.post_url and a.post_url.rstrip("/") == b.post_url.rstrip("/"):
        return True
    return bool(a.post_id and a.post_id == b.post_id and len(a.post_id) >= _SHORT_ID
                and a.kind not in NOT_A_POST and b.kind not in NOT_A_POST)


# --- copies side by side ----------------------------------------------------------------------------

class _TextIndex:
    """Visible characters (not spaces) before each node of a document, to measure the text between two
    elements in one pass."""

    def __init__(self, doc: BeautifulSoup):
        self.start: dict[int, int] = {}
        self.before: list[int] = []
        count = 0
        for i, node in enumerate(doc.descendants):
            self.before.append(count)
            if isinstance(node, Tag):
                self.start[id(node)] = i
            elif isinstance(node, NavigableString) and not isinstance(node, Comment) and _visible(node):
                count += len("".join(str(node).split()))
        self.before.append(count)

    def end(self, el: Tag) -> int:
        return self.start[id(el)] + sum(1 for _ in el.descendants)

    def between(self, a: Tag, b: Tag) -> int | None:
        """Visible characters after a ends and before b starts; None when they overlap or b comes first."""
        if id(a) not in self.start or id(b) not in self.start:
            return None
        end_a, start_b = self.end(a), self.start[id(b)]
        if start_b <= end_a:
            return None
        return self.before[start_b] - self.before[end_a + 1]


_HIDDEN_TEXT = {"script", "style", "template", "noscript", "title", "head"}


def _visible(node: NavigableString) -> bool:
    return not any(p.name in _HIDDEN_TEXT for p in node.parents if isinstance(p, Tag))


def _richness(post: Post) -> int:
    return sum(1 for name in POST_FIELDS if getattr(post, name) and post.sources.get(name) != DERIVED) + len(post.media)


def merge_copies(found: list[Detected], doc: BeautifulSoup) -> list[Detected]:
    """`found` in page order, with each run of copies of one post side by side made one embed: the
    first copy's element is replaced, the others are removed with it; the post is the richest copy
    with what the others add (see `merge_post`)."""
    if len(found) < 2:
        return found
    index: _TextIndex | None = None
    out: list[Detected] = []
    for det in found:
        prev = out[-1] if out else None
        if prev is not None and same_post(prev.post, det.post):
            index = index or _TextIndex(doc)
            gaps = [index.between(t, det.element) for t in (prev.element, *prev.also_remove) if isinstance(t, Tag)]
            gaps = [g for g in gaps if g is not None]
            if gaps and min(gaps) <= MAX_TEXT_BETWEEN:
                out[-1] = _merged(prev, det)
                continue
        out.append(det)
    return out


def _merged(first: Detected, second: Detected) -> Detected:
    primary, other = (second, first) if _richness(second.post) > _richness(first.post) else (first, second)
    merge_post(primary.post, other.post)
    primary.post.markup = "\n".join(m for m in (first.post.markup, second.post.markup) if m)
    also = [*first.also_remove, second.element, *second.also_remove]
    seen: set[int] = {id(first.element)}
    kept = []
    for tag in also:
        if id(tag) not in seen:
            seen.add(id(tag))
            kept.append(tag)
    return Detected(element=first.element, post=primary.post, also_remove=kept)


def share_facts(found: list[Detected]) -> None:
    """The same post embedded again further down the page (two embeds) gets what the other copies
    know about it: the author and the text do not change between two places of one page."""
    for i, det in enumerate(found):
        for other in found[i + 1:]:
            if same_post(det.post, other.post):
                merge_post(det.post, other.post, count=False)
                merge_post(other.post, det.post, count=False)


def merge_post(post: Post, other: Post, count: bool = True) -> None:
    """Add to `post` what another copy of it says: empty fields are filled, a value only DERIVED in
    `post` gives way to one the other copy read from markup, differing values are kept as alternatives."""
    for name in POST_FIELDS:
        value = getattr(other, name)
        if value in (None, ""):
            continue
        source = other.sources.get(name, FALLBACK)
        current = getattr(post, name)
        better = source != DERIVED and not (name == "published_at" and "T" not in str(value))  # a date only
        if current not in (None, "") and post.sources.get(name) == DERIVED and better:
            if current == value:               # the markup confirms what was derived
                post.sources[name] = source
                continue
            post.alternatives.setdefault(name, {})[DERIVED] = current
            setattr(post, name, None)
        post.put(name, value, source)
    for name, values in other.alternatives.items():
        for source, value in values.items():
            if value != getattr(post, name):
                post.alternatives.setdefault(name, {}).setdefault(source, value)
    for media in other.media:
        post.add_media(media)
    for key, value in other.extra.items():
        if key != "copies":
            post.extra.setdefault(key, value)
    if post.kind == "post" and other.kind not in NOT_A_POST | {"post"}:
        post.kind = other.kind                 # a blockquote.twitter-video beside its rendered frame
    if not post.avatar_sha256 and other.avatar_sha256:
        post.avatar_sha256 = other.avatar_sha256
    if count:
        post.extra["copies"] = int(post.extra.get("copies") or 1) + int(other.extra.get("copies") or 1)


# --- frames saved with their document ---------------------------------------------------------------

def saved_document(frame: Tag) -> BeautifulSoup | None:
    doc = frame.get("srcdoc")
    if not isinstance(doc, str) or "<" not in doc:
        return None
    return BeautifulSoup(doc, "lxml")


def frame_facts(post: Post, frame: Tag, base_url: str) -> None:
    """Fill `post` from the document a page saver kept in the frame's `srcdoc`, read by the
    platform's embed-page reader (the frame is that page as it was shown), unless the provider read
    the saved frame itself (`extra["saved_frame"]`). Only fields: a saved
    copy is not the platform's answer today, so it never decides a status."""
    from . import provider as provider_of, endpoints   # the registry imports this module

    body = frame.get("srcdoc")
    if not isinstance(body, str) or not body.strip() or provider_of(post.provider) is None:
        return
    if post.extra.get("saved_frame"):
        return                                  # the provider read the saved frame itself
    page = next((e for e in endpoints(post.provider, post.kind) if e.kind == EMBED_PAGE_ENDPOINT), None)
    if page is None:
        return
    try:
        reading = page.read(Reply(url=post.post_url or base_url, status=200, body=body.encode("utf-8"),
                                  mime_type="text/html"), post)
    except Exception:  # a reader's bug costs the saved copy's facts, never the embed
        log.warning("reading the saved frame of %s failed", post.post_url, exc_info=True)
        return
    if reading.outcome != OK:
        return
    for name, value in reading.fields.items():
        if name in POST_FIELDS and name not in ("post_url", "post_id") and isinstance(value, str):
            post.put(name, value, EMBED_PAGE)
    for media in reading.media:
        if media.url and not media.url.startswith("data:") and media.url != post.avatar_url:
            post.add_media(media)
    post.extra["saved_frame"] = True


def frames_of(det: Detected) -> list[Tag]:
    tags = [det.element, *det.also_remove]
    out: list[Tag] = []
    for tag in tags:
        if not isinstance(tag, Tag):
            continue
        out += [tag] if tag.name == "iframe" else tag.find_all("iframe")
    return [f for f in out if f.get("srcdoc")]


def saved_frames(doc: BeautifulSoup, base_url: str, taken: Callable[[Tag], bool],
                 detect_inner: Callable[[BeautifulSoup], list[Detected]], match: Callable[[str], Post | None]
                 ) -> list[Detected]:
    """Embeds in `srcdoc` frames no provider knew (their `src` is gone): the post the saved document
    is about (its canonical URL, the one post it holds, or the one post its links point to)."""
    out = []
    for frame in doc.find_all("iframe", srcdoc=True):
        if taken(frame) or is_template(frame) or in_archive_chrome(frame):
            continue
        inner = saved_document(frame)
        if inner is None:
            continue
        post = _frame_post(inner, base_url, detect_inner, match)
        if post is not None:
            post.markup = str(frame)
            out.append(Detected(element=outer_box(frame), post=post))
    return out


def _frame_post(inner: BeautifulSoup, base_url: str, detect_inner, match) -> Post | None:
    for tag, attr in (("link", "href"), ("meta", "content")):
        for el in inner.find_all(tag):
            if (tag == "link" and "canonical" in (el.get("rel") or [])) or \
                    (tag == "meta" and el.get("property") in ("og:url", "twitter:url")):
                post = match(str(el.get(attr) or ""))
                if post is not None and post.kind not in NOT_A_POST:
                    return post
    held = [d.post for d in detect_inner(inner)]
    if len(held) == 1:
        return held[0]
    if held:
        return None
    from ._urls import absolute
    groups: list[tuple[Post, int]] = []
    for a in inner.find_all("a", href=True):
        post = match(absolute(a["href"], base_url) or "")
        if post is None or post.kind in NOT_A_POST:
            continue
        for i, (seen, n) in enumerate(groups):
            if same_post(seen, post):
                groups[i] = (seen, n + 1)
                break
        else:
            groups.append((post, 1))
    if not groups or len(groups) > 2:          # a timeline, a feed: not one post
        return None
    groups.sort(key=lambda g: -g[1])
    best, count = groups[0]
    if count < 2 or (len(groups) == 2 and groups[1][1] == count):
        return None
    return best


# --- markup kept in attributes ----------------------------------------------------------------------

def attribute_markup(doc: BeautifulSoup) -> Iterable[tuple[Tag, str]]:
    """(element, markup) for every data-* attribute holding embed markup (entity-escaped, URL-encoded
    or base64, as consent tools keep it), outside templates and <head>. Script templates
    (`<script type="text/template">`) are templates, and markup with placeholders ({{id}}) is one too."""
    for el in doc.find_all(True):
        if el.name == "script":
            continue
        for name, value in el.attrs.items():
            if not (name.startswith("data-") and isinstance(value, str) and len(value) > 20):
                continue
            markup = _markup_in(value)
            if markup is None:
                continue
            if _in_body(el):
                yield el, markup
            break


PLACEHOLDER = re.compile(r"\{\{|\{%|<%|\$\{")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{24,}={0,2}$")


def _markup_in(value: str) -> str | None:
    if MARKUP_VALUE.match(value):
        markup = unquote(value) if value.lstrip()[:3].upper() == "%3C" else value
        return None if PLACEHOLDER.search(markup) else markup
    compact = value.strip()
    if _BASE64.match(compact) and len(compact) % 4 == 0:
        try:
            decoded = base64.b64decode(compact, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded if MARKUP_VALUE.match(decoded) and not PLACEHOLDER.search(decoded) else None
    return None


def _in_body(el: Tag) -> bool:
    return not is_template(el) and el.find_parent("head") is None and not in_archive_chrome(el)
