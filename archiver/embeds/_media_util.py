"""Small pure helpers shared by the media providers (video, audio, image, iframe families).

- `iframe_url`: an iframe's real source, reading lazy-loading and consent-manager attributes.
- `outer_box`: the outermost element an embed owns (padding-ratio wrappers, WordPress wrappers).
- `finish`: candidates to Detected; a lazy element and its `<noscript>` copy are one embed.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..extract.slots import LAZY_SRC as LAZY_ATTRS  # where lazy loaders and consent managers park a URL
from ._urls import absolute  # noqa: F401  (providers import it from here)
from .base import DERIVED, Detected, Media, Post  # noqa: F401

# A lazy attribute's value is a URL only when it looks like one: loaders also use these names for flags
# (`data-lazy="true"`), which would otherwise resolve against the page into a bogus address.
URL_LIKE = re.compile(r"^(https?:)?//|^/(?!/)", re.I)
BLANK_SOURCES = ("about:blank", "about:srcdoc", "javascript:", "data:")
log = logging.getLogger(__name__)
WRAPPER_TAGS = {"div", "span", "p", "figure", "center"}
LAYOUT_CLASSES = re.compile(r"^((entry|post|article|story|page|main|site|single)[-_]?(content|body|text|inner)?|"
                            r"content|container|wrapper|main|body|prose)$", re.I)


def iframe_url(el: Tag, base_url: str | None) -> str | None:
    """The URL an iframe (or embed/amp-iframe) shows: a lazy/consent attribute when present, else `src`.
    None when there is none (about:blank without a lazy source, srcdoc only...)."""
    for attr in LAZY_ATTRS:
        value = el.get(attr)
        url = _web_url(value, base_url) if isinstance(value, str) and URL_LIKE.match(value.strip()) else None
        if url:
            return url
    return _web_url(el.get("src"), base_url)


def _web_url(value, base_url: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if value.lower().startswith(BLANK_SOURCES):
        return None
    return absolute(value, base_url)


def noscript_of(el: Tag) -> Tag | None:
    """The nearest `<noscript>` holding el, if any."""
    return next((p for p in el.parents if p.name == "noscript"), None)


def is_template(el: Tag) -> bool:
    """True when el sits in markup the browser never shows as-is: <template>, <script type=text/template>
    (lxml keeps script bodies as text, so only <template> and <textarea> need checking), comments."""
    return any(p.name in ("template", "textarea", "xmp") for p in el.parents)


def _insignificant(node, allowed: set[int]) -> bool:
    if isinstance(node, Comment):
        return True
    if isinstance(node, NavigableString):
        return not str(node).strip()
    if isinstance(node, Tag):
        return id(node) in allowed or node.name == "br"
    return True


def outer_box(el: Tag, also: Iterable[Tag] = (), max_up: int = 3) -> Tag:
    """Climb from el through wrappers that hold nothing else (padding-ratio divs, `<p>` added by
    WordPress autop, `div.wp-block-embed__wrapper`, a caption-less `figure.wp-block-embed`).
    `also` are siblings that belong to the embed (its noscript twin, its credit line)."""
    allowed = {id(t) for t in also}
    cur = el
    for _ in range(max_up):
        parent = cur.parent
        if not isinstance(parent, Tag) or parent.name not in WRAPPER_TAGS:
            break
        if parent.get("id") or any(LAYOUT_CLASSES.search(c) for c in parent.get("class") or ()):
            break
        if not all(ch is cur or _insignificant(ch, allowed) for ch in parent.children):
            break
        allowed.add(id(cur))
        cur = parent
    return cur


@dataclass
class Candidate:
    """An embed found by a provider, before noscript twins are merged and its box is chosen.
    `identity` says which post it shows (provider-specific: a video ID, a URL); `inner` is the element
    that matched (iframe, div...); `box`, when set, is the element to replace (no wrapper climbing)."""

    identity: str
    inner: Tag
    post: Post
    also_remove: list[Tag] = field(default_factory=list)
    box: Tag | None = None


def finish(cands: Iterable[Candidate]) -> list[Detected]:
    """One Detected per embed. A candidate inside `<noscript>` whose identity is also shown by a candidate
    outside it, near it (within the noscript's parent, up to three levels), is that one's twin: its
    noscript joins the twin's `also_remove` instead of being a second embed. Then each embed's element is
    its box (see `outer_box`) and its markup the element plus whatever else it removes."""
    cands = list(cands)
    outside = [c for c in cands if noscript_of(c.inner) is None]
    kept: list[Candidate] = []
    for cand in cands:
        ns = noscript_of(cand.inner)
        if ns is not None:
            twin = _nearby_twin(ns, cand.identity, outside)
            if twin is not None:
                if all(t is not ns for t in twin.also_remove):
                    twin.also_remove.append(ns)
                continue
        kept.append(cand)
    out = []
    for cand in kept:
        element = cand.box or box_for(cand.inner, cand.also_remove)
        extra = [t for t in cand.also_remove if t is not element and not _inside(t, element)]
        if not cand.post.markup:
            cand.post.markup = "\n".join(str(t) for t in [element, *extra])
        out.append(Detected(element=element, post=cand.post, also_remove=extra))
    return out


def _nearby_twin(ns: Tag, identity: str, outside: list[Candidate]) -> Candidate | None:
    scopes = [p for p, _ in zip(ns.parents, range(3)) if isinstance(p, Tag)]
    for c in outside:
        if c.identity == identity and any(_inside(c.inner, scope) for scope in scopes):
            return c
    return None


def _inside(el: Tag, scope: Tag) -> bool:
    return any(p is scope for p in el.parents)


def box_for(el: Tag, also: Iterable[Tag] = ()) -> Tag:
    """outer_box, but an element alone in its `<noscript>` is replaced together with that noscript."""
    ns = noscript_of(el)
    if ns is not None:
        if all(ch is el or _insignificant(ch, set()) for ch in ns.children):
            return outer_box(ns, also)
        return el
    return outer_box(el, also)


def find_iframes(doc: BeautifulSoup, base_url: str, tags: tuple[str, ...] = ("iframe",)) -> Iterator[tuple[Tag, str]]:
    """(element, url) for every iframe-like element with a web URL, outside templates."""
    for el in doc.find_all(tags):
        if is_template(el):
            continue
        url = iframe_url(el, base_url)
        if url:
            yield el, url


GENERIC_TITLE = re.compile(r"^[\w .-]{0,24}?\b(embed|embedded content|embedded video|video player|player|"
                           r"widget|iframe)$", re.I)


def title_attr(el: Tag, generic: Iterable[str] = ()) -> str | None:
    """The iframe `title`, unless it is a generic label ("YouTube video player", "Spotify Embed")."""
    title = (el.get("title") or "").strip()
    if not title or title.lower() in {g.lower() for g in generic} or GENERIC_TITLE.match(title):
        return None
    return title


def confirm_media(post: Post, media: Media) -> None:
    """Add media the page shows; when the same URL was derived already, the page confirms it."""
    same = next((m for m in post.media if m.url == media.url), None)
    if same is None:
        post.add_media(media)
    elif same.source == DERIVED:
        same.source = media.source


def int_attr(el: Tag, name: str) -> int | None:
    value = str(el.get(name) or "").strip().removesuffix("px")
    return int(value) if value.isdigit() else None


def classes(el: Tag) -> set[str]:
    return set(el.get("class") or ())


def next_tag(node: Tag) -> Tag | None:
    """The next sibling element, skipping whitespace, comments and <br>."""
    sib = node.next_sibling
    while sib is not None and (not isinstance(sib, Tag) or sib.name == "br"):
        if isinstance(sib, NavigableString) and not isinstance(sib, Comment) and str(sib).strip():
            return None
        sib = sib.next_sibling
    return sib


def following(el: Tag, test: Callable[[Tag], bool], levels: int = 3) -> Tag | None:
    """The element right after el, or after the wrapper holding el (up to `levels` wrappers), that
    passes test: how a credit line ("via GIPHY", SoundCloud's artist/title div) follows its iframe."""
    node: Tag | None = el
    for _ in range(levels):
        if node is None:
            return None
        sib = next_tag(node)
        if sib is not None and test(sib):
            return sib
        parent = node.parent
        if not isinstance(parent, Tag) or parent.name not in WRAPPER_TAGS or sib is not None:
            return None
        node = parent
    return None


def dispatch_url(url: str, exclude: Iterable[str] = ()) -> Post | None:
    """The Post of the first provider (in registry order) whose match_url knows this URL. Used for bare
    URLs (WordPress embed wrappers, aggregators, page-builder widgets). The generic provider, last,
    answers any web URL with a "link" post."""
    from . import providers                      # the registry imports the providers: import late

    skip = set(exclude)
    for prov in providers():
        if prov.key in skip:
            continue
        try:
            post = prov.match_url(url)
        except Exception:                         # one broken provider must not hide the others
            log.warning("match_url of %s failed on %s", prov.key, url, exc_info=True)
            continue
        if post is not None:
            return post
    return None
