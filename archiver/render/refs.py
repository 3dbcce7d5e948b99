"""Pointing every requisite of a (neutralised) document at its local copy (pure, in place).

Which attributes hold URLs, and what the offline page does with each, is the slot table in
archiver.extract.slots, the same one capture reads to decide what to fetch. Lazy images are
promoted (`data-src` -> `src`). What was not captured becomes a neutral placeholder, never a live
URL. Links (<a href>) stay links to the original web, made absolute so they still lead somewhere
from a local file."""
from __future__ import annotations

import base64
import re
from collections.abc import Callable

from bs4 import BeautifulSoup, Tag
from bs4.element import Stylesheet

from ..extract.requisites import parse_srcset
from ..extract.slots import LAZY_SRC, LAZY_SRCSET, Ref, element_refs
from ..extract.urls import absolute
from .css import MISSING, LoadSheet, rewrite_declarations, rewrite_stylesheet

Resolve = Callable[[str], str | None]   # absolute URL -> local reference (None: not captured)
PROMOTE_LAZY = frozenset({"img", "source", "input", "video", "audio"})   # elements whose lazy copies are promoted
# Void elements libxml2 does not know are void: it nests what follows inside them (a <picture>'s
# <img> inside its <source>s), so removing one keeps its "children".
NESTING_VOID = frozenset({"source", "track"})


def placeholder_image(width: str | int | None = None, height: str | int | None = None) -> str:
    """A neutral grey image (an SVG data: URI) standing in for an image that was not captured."""
    w = _dimension(width, 640)
    h = _dimension(height, round(w * 9 / 16) if width else 360)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
           f'<rect width="100%" height="100%" fill="#e9e9e6"/>'
           f'<text x="50%" y="50%" fill="#8a8a85" font-family="sans-serif" font-size="{max(9, min(16, w // 20))}"'
           f' text-anchor="middle" dominant-baseline="middle">image not archived</text></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _dimension(value: str | int | None, default: int) -> int:
    try:
        n = int(str(value).strip().rstrip("px")) if value is not None else default
    except ValueError:
        n = default
    return n if 0 < n <= 4000 else default


class Rewriter:
    def __init__(self, base_url: str, resolve: Resolve, load_sheet: LoadSheet):
        self.base_url = base_url
        self.resolve = resolve
        self.load_sheet = load_sheet

    def local(self, url: str | None, base_url: str | None = None) -> str | None:
        """The local reference for a URL the page uses (data: URIs stay), or None."""
        target = absolute(url, base_url or self.base_url, schemes=None)
        if target is None:
            return None
        if target.lower().startswith("data:"):
            return target
        return self.resolve(target)

    def srcset(self, value: str) -> str | None:
        kept = []
        for url, descriptor in parse_srcset(value):
            local = self.local(url)
            if local:
                kept.append(f"{local} {descriptor}".strip())
        return ", ".join(kept) or None

    # ------------------------------------------------------------------ the slots
    def document(self, doc: BeautifulSoup) -> None:
        for tag in doc.find_all(True):
            if tag.decomposed or tag.parent is None:   # removed along with an earlier element
                continue
            self.element(tag)

    def element(self, tag: Tag) -> None:
        """Every slot of one element, then what the element needs as a whole."""
        if tag.name in PROMOTE_LAZY:
            self.promote_lazy(tag)
        for ref in element_refs(tag):
            if ref.attr is not None and ref.attr not in tag.attrs:   # taken out by an earlier slot
                continue
            self.slot(ref)
            if tag.decomposed or tag.parent is None:
                return
        finish = _FINISH.get(tag.name)
        if finish is not None:
            finish(self, tag)

    def slot(self, ref: Ref) -> None:
        el, attr, slot = ref.element, ref.attr, ref.slot
        if slot.offline == "inline":
            if slot.syntax == "css":
                self._style_block(el)
            elif slot.syntax == "style":
                el[attr] = rewrite_declarations(ref.value, self.base_url, self.resolve)
            else:
                self._inline_stylesheet(el)
            return
        if slot.offline == "web":
            value = ref.value.strip()
            if value.startswith("#"):
                return
            target = absolute(value, self.base_url, schemes=slot.schemes)
            if target:
                el[attr] = target
                return
        elif slot.offline == "same-document":
            if ref.value.strip().startswith("#"):
                return
        elif slot.offline == "local":
            new = self.srcset(ref.value) if slot.syntax == "srcset" else self.local(ref.value)
            if new:
                el[attr] = new
                return
        self.missing(ref)

    def missing(self, ref: Ref) -> None:
        """What takes the place of a URL the page cannot keep."""
        el, attr, how = ref.element, ref.attr, ref.slot.missing
        if how == "drop-element":
            el.unwrap() if el.name in NESTING_VOID else el.decompose()
        elif how == "placeholder":
            srcset = el.get("srcset") if attr == "src" else None
            candidates = parse_srcset(self.srcset(srcset) or "") if srcset else []
            if candidates:   # a captured srcset candidate beats a placeholder
                el[attr] = candidates[0][0]
            else:
                self.placeholder(el, attr)
        elif attr is not None:
            del el[attr]

    def placeholder(self, el: Tag, attr: str) -> None:
        el[attr] = placeholder_image(el.get("width"), el.get("height"))
        el["data-archiver-missing"] = ""
        if "sizes" in el.attrs:
            del el["sizes"]

    def promote_lazy(self, tag: Tag) -> None:
        """data-src -> src and data-srcset -> srcset when the lazy copy was captured."""
        for attr in LAZY_SRC:
            if tag.get(attr) and self.local(tag[attr]):
                tag["src"] = tag[attr]
                del tag[attr]
                break
        for attr in LAZY_SRCSET:
            if tag.get(attr):
                tag["srcset"] = tag[attr]
                del tag[attr]
                break
        classes = tag.get("class") or []
        if "lazyload" in classes:
            tag["class"] = [("lazyloaded" if c == "lazyload" else c) for c in classes]

    # ------------------------------------------------------------------ elements as a whole
    def _image_has_source(self, tag: Tag) -> None:
        """An <img> (or image button) always shows something: a placeholder when it had no source."""
        if not tag.get("src") and (tag.name == "img" or (tag.get("type") or "").lower() == "image"):
            self.placeholder(tag, "src")

    def _media_controls(self, tag: Tag) -> None:
        tag["controls"] = ""
        if "preload" in tag.attrs:
            del tag["preload"]

    def _inline_stylesheet(self, link: Tag) -> None:
        href = absolute(link.get("href"), self.base_url)
        loaded = self.load_sheet(href) if href else None
        if loaded is None or link.get("disabled") is not None:
            link.decompose()
            return
        text, final_url = loaded
        style = BeautifulSoup("", "lxml").new_tag("style")
        if link.get("media"):
            style["media"] = link["media"]
        style["data-archiver-href"] = href
        style.string = Stylesheet(_safe_style_text(rewrite_stylesheet(text, final_url, self.resolve, self.load_sheet)))
        link.replace_with(style)

    def _style_block(self, style: Tag) -> None:
        text = style.string if style.string is not None else style.get_text()
        style.string = Stylesheet(_safe_style_text(rewrite_stylesheet(str(text), self.base_url, self.resolve, self.load_sheet)))


_FINISH: dict[str, Callable[[Rewriter, Tag], None]] = {
    "img": Rewriter._image_has_source, "input": Rewriter._image_has_source,
    "video": Rewriter._media_controls, "audio": Rewriter._media_controls,
}


def _safe_style_text(css: str) -> str:
    """CSS text that cannot close its <style> element early."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)


__all__ = ["MISSING", "Rewriter", "placeholder_image"]
