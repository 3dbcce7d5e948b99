"""The embed-provider registry.

Every module in this package that defines `PROVIDER` is a provider (see base.py for the
contract): it owns detection, URL matching, display, endpoints and the readers of their answers.
Adding a provider is adding a module: nothing else changes. Providers run in `order` (specific
first, the generic fallback last); an element claimed by one provider, or anything inside or
around it, is not offered to the next. A provider that fails is logged and skipped: it never
aborts a capture. Render and enrichment ask this module, never a table of their own.
"""
from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from typing import Any

from bs4 import BeautifulSoup, Tag

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


def detect(doc: BeautifulSoup | str | bytes, base_url: str) -> list[Detected]:
    """Every embed in the document, in page order, with `position` set (0, 1, 2, ...)."""
    if not isinstance(doc, BeautifulSoup):
        doc = parse(doc)
    claimed: set[int] = set()
    found: list[Detected] = []
    for prov in providers():
        try:
            for det in prov.find(doc, base_url):
                if _overlaps(det.element, claimed):
                    continue
                claimed.add(id(det.element))
                claimed.update(id(t) for t in det.also_remove)  # a noscript twin, a credit line
                found.append(det)
        except Exception:  # a broken provider must not cost the other embeds
            log.warning("embed provider %s failed on %s", prov.key, base_url, exc_info=True)
    order = {id(el): i for i, el in enumerate(doc.descendants) if isinstance(el, Tag)}
    found.sort(key=lambda d: order.get(id(d.element), 1 << 30))
    for i, det in enumerate(found):
        det.position = i
    return found


def _overlaps(element: Tag, claimed: set[int]) -> bool:
    if id(element) in claimed or any(id(p) in claimed for p in element.parents):
        return True
    return any(id(t) in claimed for t in element.find_all(True))


def is_claimed(element: Any, claimed_elements: list[Tag]) -> bool:
    """Helper for providers that track their own claims within one `find` run."""
    ids = {id(e) for e in claimed_elements}
    return _overlaps(element, ids)
