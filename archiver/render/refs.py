"""Pointing every requisite of a (neutralised) document at its local copy (pure, in place).

`src`, `srcset`, `poster`, stylesheet and icon links, `style` attributes, `<style>` blocks and
everything inside stylesheets. Lazy images are promoted (`data-src` -> `src`). What was not
captured becomes a neutral placeholder, never a live URL. Links (<a href>) stay links to the
original web, made absolute so they still lead somewhere from a local file."""
from __future__ import annotations

import base64
import re
from collections.abc import Callable
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from bs4.element import Stylesheet

from ..extract.requisites import ICON_RELS, LAZY_SRC, LAZY_SRCSET, parse_srcset
from .css import MISSING, LoadSheet, rewrite_declarations, rewrite_stylesheet

Resolve = Callable[[str], str | None]   # absolute URL -> local reference (None: not captured)



def absolute(url: str | None, base_url: str) -> str | None:
    if url is None:
        return None
    url = url.strip()
    if not url:
        return None
    try:
        return urljoin(base_url, url)
    except ValueError:
        return None


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
        target = absolute(url, base_url or self.base_url)
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

    # ------------------------------------------------------------------ elements
    def document(self, doc: BeautifulSoup) -> None:
        for tag in doc.find_all(True):
            handler = getattr(self, "tag_" + tag.name.replace("-", "_").replace(":", "_"), None)
            if handler is not None:
                handler(tag)
            if tag.parent is None and tag is not doc:   # removed by its handler
                continue
            if "style" in tag.attrs:
                tag["style"] = rewrite_declarations(str(tag["style"]), self.base_url, self.resolve)
            if "background" in tag.attrs:
                local = self.local(tag["background"])
                if local:
                    tag["background"] = local
                else:
                    del tag["background"]

    def tag_img(self, img: Tag) -> None:
        self.promote_lazy(img)
        src = self.local(img.get("src"))
        srcset = self.srcset(img["srcset"]) if img.get("srcset") else None
        if srcset:
            img["srcset"] = srcset
        elif "srcset" in img.attrs:
            del img["srcset"]
        if src:
            img["src"] = src
        elif srcset:
            img["src"] = srcset.split(", ")[0].split(" ")[0]
        else:
            img["src"] = placeholder_image(img.get("width"), img.get("height"))
            img["data-archiver-missing"] = ""
            if "sizes" in img.attrs:
                del img["sizes"]

    def tag_input(self, tag: Tag) -> None:   # only type=image loads
        if (tag.get("type") or "").lower() == "image" or tag.get("src"):
            tag["src"] = self.local(tag.get("src")) or placeholder_image(tag.get("width"), tag.get("height"))

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

    def tag_source(self, source: Tag) -> None:
        self.promote_lazy(source)
        if source.get("srcset"):
            srcset = self.srcset(source["srcset"])
            if srcset:
                source["srcset"] = srcset
            else:
                source.decompose()   # let the <img> inside <picture> be used instead
                return
        if source.get("src") is not None:
            local = self.local(source["src"])
            if local:
                source["src"] = local
            else:
                source.decompose()

    def tag_video(self, video: Tag) -> None:
        self._media_element(video)
        if video.get("poster"):
            local = self.local(video["poster"])
            if local:
                video["poster"] = local
            else:
                del video["poster"]

    def tag_audio(self, audio: Tag) -> None:
        self._media_element(audio)

    def _media_element(self, tag: Tag) -> None:
        self.promote_lazy(tag)
        if tag.get("src") is not None:
            local = self.local(tag["src"])
            if local:
                tag["src"] = local
            else:
                del tag["src"]
        tag["controls"] = ""
        if "preload" in tag.attrs:
            del tag["preload"]

    def tag_track(self, track: Tag) -> None:
        local = self.local(track.get("src"))
        if local:
            track["src"] = local
        else:
            track.decompose()

    def tag_image(self, image: Tag) -> None:   # SVG <image>
        for attr in ("href", "xlink:href"):
            if image.get(attr):
                image[attr] = self.local(image[attr]) or placeholder_image()

    def tag_use(self, use: Tag) -> None:       # SVG <use>: only same-document references stay
        for attr in ("href", "xlink:href"):
            value = (use.get(attr) or "").strip()
            if value and not value.startswith("#"):
                del use[attr]

    def tag_feimage(self, fe: Tag) -> None:
        self.tag_use(fe)

    def tag_a(self, a: Tag) -> None:
        for attr in ("href", "xlink:href"):
            href = (a.get(attr) or "").strip()
            if href and not href.startswith("#"):
                target = absolute(href, self.base_url)
                if target and target.lower().startswith(("http://", "https://", "mailto:", "tel:")):
                    a[attr] = target
                else:
                    del a[attr]

    tag_area = tag_a

    def tag_form(self, form: Tag) -> None:
        if form.get("action") is not None:
            target = absolute(form["action"], self.base_url)
            if target and target.lower().startswith(("http://", "https://")):
                form["action"] = target
            else:
                del form["action"]

    def tag_link(self, link: Tag) -> None:
        rels = {r.lower() for r in (link.get("rel") or [])}
        if "stylesheet" in rels:
            self._inline_stylesheet(link)
        elif rels & ICON_RELS:
            local = self.local(link.get("href"))
            if local:
                link["href"] = local
            else:
                link.decompose()
        elif link.get("href"):
            target = absolute(link["href"], self.base_url)
            if target and target.lower().startswith(("http://", "https://")):
                link["href"] = target
            else:
                link.decompose()

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

    def tag_style(self, style: Tag) -> None:
        text = style.string if style.string is not None else style.get_text()
        style.string = Stylesheet(_safe_style_text(rewrite_stylesheet(str(text), self.base_url, self.resolve, self.load_sheet)))


def _safe_style_text(css: str) -> str:
    """CSS text that cannot close its <style> element early."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)


__all__ = ["MISSING", "Rewriter", "absolute", "placeholder_image"]
