"""Every URL a page needs to display, found in its HTML (pure functions).

`iter_refs` walks a parsed document and yields one `Ref` per URL-bearing slot (an attribute,
or the text of a <style> block). Capture reads the URLs out of them; render rewrites the very
same slots, so both agree on what a requisite is. CSS inside is handled by `css.py`.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .css import css_refs
from .urls import absolute

# Lazy-loading attributes seen in the wild (lazysizes, WP Rocket, jQuery lazyload, a3, Jetpack...).
LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-echo",
            "data-hi-res-src", "data-full-src", "data-orig-file", "data-large-file", "data-img-src",
            "data-pagespeed-lazy-src", "data-delayed-url", "data-actualsrc")
LAZY_SRCSET = ("data-srcset", "data-lazy-srcset", "data-original-set", "data-pagespeed-lazy-srcset")
ICON_RELS = {"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "fluid-icon"}
PRELOAD_KINDS = {"font": "font", "image": "image", "style": "stylesheet"}


@dataclass
class Ref:
    """One slot holding URLs: element[attr] (or the element's text when attr is None)."""

    element: Tag
    attr: str | None
    kind: str       # image, lazy-image, stylesheet, icon, font, script, css-image, poster
    syntax: str     # "url" | "srcset" | "style" (a style attribute) | "css" (a <style> block)

    @property
    def value(self) -> str:
        if self.attr is None:
            return self.element.string or "".join(self.element.strings)
        v = self.element.get(self.attr)
        return " ".join(v) if isinstance(v, list) else (v or "")


def base_url_of(doc: BeautifulSoup, page_url: str) -> str:
    """The URL relative references resolve against: <base href> if any, else the page URL."""
    base = doc.find("base", href=True)
    return (absolute(base["href"], page_url) if base is not None else None) or page_url


def _rels(el: Tag) -> set[str]:
    rel = el.get("rel") or []
    if isinstance(rel, str):
        rel = rel.split()
    return {r.lower() for r in rel}


def iter_refs(doc: BeautifulSoup) -> Iterator[Ref]:
    """Every URL-bearing slot in the document, in document order."""
    for el in doc.find_all(True):
        name = el.name
        attrs = el.attrs
        if name == "source" and el.parent is not None and el.parent.name in ("video", "audio"):
            pass  # media files are not fetched: they can be gigabytes (the poster is)
        elif name in ("img", "source") or (name == "input" and (el.get("type") or "").lower() == "image"):
            lazy = any(a in attrs for a in LAZY_SRC) or any(a in attrs for a in LAZY_SRCSET)
            if "src" in attrs:
                yield Ref(el, "src", "image", "url")
            if "srcset" in attrs:
                yield Ref(el, "srcset", "image", "srcset")
            for a in LAZY_SRC:
                if a in attrs:
                    yield Ref(el, a, "lazy-image" if lazy else "image", "url")
            for a in LAZY_SRCSET:
                if a in attrs:
                    yield Ref(el, a, "lazy-image", "srcset")
        elif name == "link" and el.get("href"):
            rels = _rels(el)
            if "stylesheet" in rels:
                yield Ref(el, "href", "stylesheet", "url")
            elif rels & ICON_RELS:
                yield Ref(el, "href", "icon", "url")
            elif "preload" in rels or "modulepreload" in rels:
                kind = PRELOAD_KINDS.get((el.get("as") or "").lower())
                if kind:
                    yield Ref(el, "href", kind, "url")
                    if el.get("imagesrcset"):
                        yield Ref(el, "imagesrcset", "image", "srcset")
        elif name == "script" and el.get("src"):
            yield Ref(el, "src", "script", "url")
        elif name == "video" and el.get("poster"):
            yield Ref(el, "poster", "poster", "url")
        elif name == "image" and (el.get("href") or el.get("xlink:href")):  # <svg><image>
            yield Ref(el, "href" if el.get("href") else "xlink:href", "image", "url")
        elif name == "style":
            yield Ref(el, None, "css-image", "css")
        if name in ("body", "table", "td", "th") and el.get("background"):
            yield Ref(el, "background", "image", "url")
        if "style" in attrs and name != "style":
            yield Ref(el, "style", "css-image", "style")


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


def format_srcset(candidates: list[tuple[str, str]]) -> str:
    return ", ".join(f"{u} {d}".strip() for u, d in candidates)


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
        for url, kind in ref_urls(ref, base_url):
            url = url.split("#", 1)[0]
            if url not in seen:
                seen[url] = kind
    return list(seen.items())
