"""The embed-provider registry.

Every module in this package that defines `PROVIDER` is a provider (see base.py for the
contract). Adding a provider is adding a module: nothing else changes. Providers run in
`order` (specific first, the generic fallback last); an element claimed by one provider,
or anything inside or around it, is not offered to the next. A provider that fails is
logged and skipped: it never aborts a capture.
"""
from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from typing import Any

from bs4 import BeautifulSoup, Tag

from .base import Detected, Media, Post, Provider

__all__ = ["Detected", "Media", "Post", "Provider", "detect", "providers", "provider"]

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


def provider(key: str) -> Provider | None:
    return next((p for p in providers() if p.key == key), None)


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
