"""Every URL a page needs to display, found in its HTML (pure functions).

Which attributes hold URLs is the table in `slots.py`, which render reads too, so both agree on
what a requisite is; this module reads the URLs out of the slots capture fetches (srcset syntax
here, CSS in `css.py`)."""
from __future__ import annotations

from bs4 import BeautifulSoup

from .css import css_refs
from .slots import Ref, iter_refs
from .urls import absolute


def base_url_of(doc: BeautifulSoup, page_url: str) -> str:
    """The URL relative references resolve against: <base href> if any, else the page URL."""
    base = doc.find("base", href=True)
    return (absolute(base["href"], page_url) if base is not None else None) or page_url


def parse_srcset(value: str) -> list[tuple[str, str]]:
    """[(url, descriptor)] from a srcset value, following the HTML spec's parsing rules
    (URLs may contain commas; candidates are separated by a comma after the descriptors)."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        if i >= n:
            break
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start = i
            depth = 0
            while i < n:
                c = value[i]
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth = max(0, depth - 1)
                elif c == "," and depth == 0:
                    break
                i += 1
            descriptor = value[start:i].strip()
        if url:
            out.append((url, descriptor))
    return out


def ref_urls(ref: Ref, base_url: str) -> list[tuple[str, str]]:
    """The (absolute URL, kind) pairs one slot refers to."""
    value = ref.value
    if ref.syntax == "url":
        url = absolute(value, base_url)
        return [(url, ref.kind)] if url else []
    if ref.syntax == "srcset":
        return [(u, ref.kind) for u in (absolute(c, base_url) for c, _ in parse_srcset(value)) if u]
    return css_refs(value, base_url)


def page_requisites(doc: BeautifulSoup, base_url: str) -> list[tuple[str, str]]:
    """Every (absolute URL, kind) the page needs, first occurrence first, no duplicates."""
    seen: dict[str, str] = {}
    for ref in iter_refs(doc):
        if not ref.slot.fetch:
            continue
        for url, kind in ref_urls(ref, base_url):
            url = url.split("#", 1)[0]
            if url not in seen:
                seen[url] = kind
    return list(seen.items())
