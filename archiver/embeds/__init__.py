"""The embed-provider registry.

Every module in this package that defines `PROVIDER` is a provider (see base.py for the
contract): it owns detection, URL matching, display, endpoints and the readers of their answers.
Adding a provider is adding a module: nothing else changes. Providers run in `order` (specific
first, the generic fallback last); an element claimed by one provider, or anything inside or
around it, is not offered to the next. A provider that fails is logged and skipped: it never
aborts a capture. Render and enrichment ask this module, never a table of their own.

After the providers, the registry reads what pages saved after the platforms' scripts ran hold
(see _copies): embed markup a consent tool keeps in a data-* attribute, frames kept with their
document (`srcdoc`), and copies of one post side by side, which are one embed.
"""
from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from typing import Any

from bs4 import BeautifulSoup, Tag

from . import _copies
from ._urls import host_matches
from .base import Detected, Display, Endpoint, Media, Post, Provider

__all__ = ["Detected", "Display", "Endpoint", "Media", "Post", "Provider", "detect", "endpoints", "endpoint_keys",
           "fallback_provider", "is_platform_url", "match_post_url", "providers", "provider", "reload_registry"]

GENERIC = "generic"    # the key of the catch-all provider: cards of unknown providers look like its cards
SPECIFIC_ORDER = 500   # providers below this order are platforms; above are wrappers and the catch-all

log = logging.getLogger(__name__)


@functools.cache
def providers() -> tuple[Provider, ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        prov = getattr(module, "PROVIDER", None)
        if prov is not None:
            found.append(prov)
    return tuple(sorted(found, key=lambda p: (p.order, p.key)))


def reload_registry() -> None:
    """Forget the providers found so far: the next call looks for provider modules again (after a
    module was added to this package's path, as the tests of a new provider do)."""
    for cached in (providers, _by_key, endpoint_keys):
        cached.cache_clear()


def provider(key: str | None) -> Provider | None:
    return _by_key().get(key or "")


@functools.cache
def _by_key() -> dict[str, Provider]:
    return {p.key: p for p in providers()}


def fallback_provider() -> Provider:
    """The catch-all provider, whose display stands in for providers this build does not know."""
    return _by_key()[GENERIC]


def endpoints(key: str, kind: str = "post") -> list[Endpoint]:
    """Where a post of this provider and kind can be asked about, in the order to ask."""
    prov = provider(key)
    return [e for e in prov.endpoints if e.serves(kind)] if prov else []


@functools.cache
def endpoint_keys() -> frozenset[str]:
    return frozenset(e.key for p in providers() for e in p.endpoints)


def match_post_url(url: str) -> Post | None:
    """The post a URL points at, when a platform provider recognises it (a status, a video, ...);
    wrappers and the catch-all are not asked."""
    for prov in providers():
        if prov.order >= SPECIFIC_ORDER or not getattr(prov, "hosts", None):   # a stand-in without hosts
            continue
        try:
            post = prov.match_url(url)
        except Exception:  # a provider's bug must not hide the URL from the others
            log.warning("provider %s failed to match %s", prov.key, url, exc_info=True)
            continue
        if post is not None and post.post_url:
            return post
    return None


def is_platform_url(url: str) -> bool:
    """True when the URL is on a host one of the platforms serves from (posts, embeds, media)."""
    return any(prov.hosts and host_matches(url, *prov.hosts) for prov in providers())


def parse(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def detect(doc: BeautifulSoup | str | bytes, base_url: str, *, indexed: bool = True) -> list[Detected]:
    """Every embed in the document, in page order, with `position` set (0, 1, 2, ...). Copies of
    one post side by side (a rendered frame and its original blockquote) are one embed; see _copies.
    With `indexed` (the default), the providers' doc.find_all / doc.find calls are answered from
    one index of the page's tags (see DocIndex): same results, one walk instead of one per call."""
    return _detect(doc, base_url, 0, indexed)


MAX_DEPTH = 2   # markup in an attribute or a saved frame is read; markup in those, once more


def _detect(doc: BeautifulSoup | str | bytes, base_url: str, depth: int, indexed: bool = True) -> list[Detected]:
    if not isinstance(doc, BeautifulSoup):
        doc = parse(doc)
    index = DocIndex(doc) if indexed else None
    claimed: set[int] = set()
    found: list[Detected] = []

    def claim(det: Detected) -> None:
        claimed.add(id(det.element))
        claimed.update(id(t) for t in det.also_remove)  # a noscript twin, a credit line
        found.append(det)

    try:
        if index is not None:
            index.install()
        for prov in providers():
            try:
                for det in prov.find(doc, base_url):
                    if not _overlaps(det.element, claimed):
                        claim(det)
            except Exception:  # a broken provider must not cost the other embeds
                log.warning("embed provider %s failed on %s", prov.key, base_url, exc_info=True)
    finally:
        if index is not None:
            index.uninstall()
    if depth < MAX_DEPTH:
        for step in (_attribute_embeds, _saved_frame_embeds):
            try:
                for det in step(doc, base_url, depth, claimed, found):
                    claim(det)
            except Exception:
                log.warning("embed step %s failed on %s", step.__name__, base_url, exc_info=True)
    found = [d for d in found if not _copies.in_archive_chrome(d.element)]
    order = index.order if index is not None else \
        {id(el): i for i, el in enumerate(doc.descendants) if isinstance(el, Tag)}
    found.sort(key=lambda d: order.get(id(d.element), 1 << 30))
    for det in found:
        for frame in _copies.frames_of(det):
            _copies.frame_facts(det.post, frame, base_url)
    found = _copies.merge_copies(found, doc)
    _copies.share_facts(found)
    for i, det in enumerate(found):
        det.position = i
    return found


def _attribute_embeds(doc: BeautifulSoup, base_url: str, depth: int, claimed: set[int],
                      found: list[Detected]) -> list[Detected]:
    """Embeds whose markup a wrapper keeps in a data-* attribute: the wrapper is the embed's element.
    When the wrapper already holds a copy of the post (a placeholder blockquote), that copy gains the
    facts; a wrapper whose markup holds several posts is a content blob, not one embed."""
    out = []
    for holder, markup in _copies.attribute_markup(doc):
        inner = _detect(markup, base_url, depth + 1)
        if len(inner) != 1:
            continue
        post = inner[0].post
        post.markup = str(holder)
        if _overlaps(holder, claimed):
            near = [d for d in found if d.element is holder or _contains(holder, d.element) or _contains(d.element, holder)]
            for det in near:
                if _copies.same_post(det.post, post):
                    _copies.merge_post(det.post, post)
                    break
            continue
        out.append(Detected(element=holder, post=post))
    return out


def _saved_frame_embeds(doc: BeautifulSoup, base_url: str, depth: int, claimed: set[int],
                        found: list[Detected]) -> list[Detected]:
    """Embeds in frames a page saver kept with their document (`srcdoc`) that no provider knew."""
    def inner_platform_posts(inner: BeautifulSoup) -> list[Detected]:
        return [d for d in _detect(inner, base_url, depth + 1)
                if (prov := provider(d.post.provider)) is not None and prov.order < SPECIFIC_ORDER]

    return _copies.saved_frames(doc, base_url, lambda el: _overlaps(el, claimed), inner_platform_posts,
                                match_post_url)


def _contains(outer: Tag, el: Tag) -> bool:
    return any(p is outer for p in el.parents)


def _overlaps(element: Tag, claimed: set[int]) -> bool:
    if id(element) in claimed or any(id(p) in claimed for p in element.parents):
        return True
    return any(id(t) in claimed for t in element.find_all(True))


class DocIndex:
    """The tags of a parsed page by name and by attribute, gathered in one walk, so that the
    providers' `doc.find_all(...)` and `doc.find(...)` look only at the tags that can match.

    While installed (during `detect`), the document's own find_all/find answer a search over the
    whole document whose name is a string or list of strings, or that requires attributes to be
    present (a value of True, a string or a list of strings), by handing Beautiful Soup's own
    matcher the smallest of those lists instead of every descendant: the same tags, in the same
    order. Any other search (a regex or function name, `string=`, recursive=False, an absent
    attribute asked for with None/False) walks the tree as before. The page must not change while
    the index is installed (providers only read it)."""

    def __init__(self, doc: BeautifulSoup):
        self.doc = doc
        self.by_name: dict[str, list[Tag]] = {}
        self.by_attr: dict[str, list[Tag]] = {}
        self.order: dict[int, int] = {}
        for i, el in enumerate(doc.descendants):
            if not isinstance(el, Tag):
                continue
            self.order[id(el)] = i
            self.by_name.setdefault(el.name, []).append(el)
            if el.prefix:
                self.by_name.setdefault(f"{el.prefix}:{el.name}", []).append(el)
            for attr in el.attrs:
                self.by_attr.setdefault(attr, []).append(el)

    def install(self) -> None:
        self.doc.find_all = self.find_all   # instance attributes: only this document, until uninstall()
        self.doc.find = self.find

    def uninstall(self) -> None:
        for name in ("find_all", "find"):
            self.doc.__dict__.pop(name, None)

    def candidates(self, name: Any, attrs: Any, kwargs: dict[str, Any]) -> list[Tag] | None:
        """A list, in document order, holding every tag the search can match; None when the
        search must walk the whole tree."""
        if "text" in kwargs or (attrs is not None and not isinstance(attrs, dict)):
            return None
        lists: list[list[Tag]] = []
        if isinstance(name, str):
            lists.append(self.by_name.get(name, []))
        elif isinstance(name, (list, tuple, set)) and name and all(isinstance(n, str) for n in name):
            merged = {id(t): t for n in set(name) for t in self.by_name.get(n, [])}
            lists.append(sorted(merged.values(), key=lambda t: self.order[id(t)]))
        elif name is not None and name is not True:
            return None
        for key, value in [*(attrs or {}).items(), *kwargs.items()]:
            key = "class" if key == "class_" else key
            if value is True or (isinstance(value, str)) or (
                    isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value)):
                lists.append(self.by_attr.get(key, []))
        return min(lists, key=len) if lists else None

    def find_all(self, name: Any = None, attrs: Any = None, recursive: bool = True, string: Any = None,
                 limit: int | None = None, **kwargs: Any) -> Any:
        kwargs.pop("_stacklevel", None)
        found = self.candidates(name, attrs, kwargs) if recursive and string is None else None
        if found is None:
            return Tag.find_all(self.doc, name, attrs, recursive, string, limit, **kwargs)
        return self.doc._find_all(name, attrs, None, limit, iter(found), **kwargs)

    def find(self, name: Any = None, attrs: Any = None, recursive: bool = True, string: Any = None,
             **kwargs: Any) -> Any:
        kwargs.pop("_stacklevel", None)
        found = self.find_all(name, attrs, recursive, string, 1, **kwargs)
        return found[0] if found else None
