"""Where URLs sit in HTML: one table, read by capture (which URLs a page needs) and by render
(which attributes to point at the local copies), so the two cannot disagree. Also the one list of
attributes lazy loaders and consent managers park a URL in. Pure data and lookups.

A `Slot` is an attribute (or the text of a `<style>` block) of some elements that holds URLs:
its `kind` (what capture records), its `syntax` (one URL, a srcset, a style attribute, a
stylesheet), whether capture `fetch`es it, and what the offline page does with it:

- "local":  pointed at the captured copy; without one, `missing` says what happens
            ("placeholder": a grey image, "drop-attr", "drop-element");
- "inline": CSS rewritten in place, a linked stylesheet inlined as a `<style>` block;
- "web":    a link to follow, not a resource: made absolute, kept if its scheme is in `schemes`
            (else `missing` applies);
- "same-document": only `#fragment` references stay (SVG `<use>`);
- "removed": the element does not survive neutralising (scripts, preloads); capture still keeps
            what it points at, for the WARC and for whatever else on the page uses the same URL.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

# Attributes where lazy loaders (lazysizes, WP Rocket, LiteSpeed, Ezoic, a3 Lazy Load, jQuery lazyload,
# Jetpack, PageSpeed...) and consent managers park an element's real URL, in the order they are tried:
# Cookiebot (data-cookieblock-src), Complianz (data-src-cmplz; its `src` is then the plugin's own
# placeholder video), iubenda (data-suppressedsrc), Borlabs (src-consent), Real Cookie Banner
# (consent-original-src-_, before its autoplaying click-to-play copy), Usercentrics (data-uc-src), Moove
# GDPR (data-gdpr-iframesrc), Cookie Information (data-consent-src), WPConsent, Avada's privacy facade
# (data-privacy-src), EmbedPlus (data-ep-src), Invision (data-embed-src). Capture fetches them on images,
# render promotes them, the embeds read them on iframes.
LAZY_SRC = ("data-src", "data-lazy-src", "data-litespeed-src", "data-rocket-src", "data-ezsrc",
            "data-original", "data-original-src", "data-lazy", "data-cookieblock-src", "data-src-cmplz",
            "data-suppressedsrc", "data-cmp-src", "data-usercentrics-src", "data-uc-src", "data-borlabs-src",
            "src-consent", "consent-original-src-_", "consent-original-src", "consent-click-original-src-_",
            "data-consent-src", "data-wpconsent-src", "data-gdpr-iframesrc", "data-privacy-src", "data-ep-src",
            "data-embed-src", "data-url", "data-echo", "data-hi-res-src", "data-full-src", "data-orig-file",
            "data-large-file", "data-img-src", "data-pagespeed-lazy-src", "data-delayed-url", "data-actualsrc")
LAZY_SRCSET = ("data-srcset", "data-lazy-srcset", "data-original-set", "data-pagespeed-lazy-srcset")
ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
                       "fluid-icon"})
PRELOAD_KINDS = {"font": "font", "image": "image", "style": "stylesheet"}   # <link rel=preload as=...>
WEB_LINK = ("http", "https")
MAIL_LINK = ("http", "https", "mailto", "tel")


def is_lazy(el: Tag) -> bool:
    """True when a lazy loader parked the element's real source in one of its attributes."""
    return any(a in el.attrs for a in LAZY_SRC) or any(a in el.attrs for a in LAZY_SRCSET)


def rels(el: Tag) -> set[str]:
    rel = el.get("rel") or []
    if isinstance(rel, str):
        rel = rel.split()
    return {r.lower() for r in rel}


def _in_media(el: Tag) -> bool:
    """A <source> of a <video>/<audio> (not of a <picture>). libxml2 does not know <source> is void
    and nests each in the one before, so the nearest such ancestor decides."""
    for parent in el.parents:
        if parent.name in ("video", "audio"):
            return True
        if parent.name == "picture":
            return False
    return False


def _image_source(el: Tag) -> bool:
    """<img>, <source> in <picture>, <input type=image>."""
    if el.name == "input":
        return (el.get("type") or "").lower() == "image"
    return el.name == "img" or not _in_media(el)


def _stylesheet(el: Tag) -> bool:
    return "stylesheet" in rels(el)


def _icon(el: Tag) -> bool:
    r = rels(el)
    return "stylesheet" not in r and bool(r & ICON_RELS)


def _preload(el: Tag) -> bool:
    r = rels(el)
    return (not r & ICON_RELS and "stylesheet" not in r and bool(r & {"preload", "modulepreload"})
            and (el.get("as") or "").lower() in PRELOAD_KINDS)


def _preload_image(el: Tag) -> bool:
    return _preload(el) and (el.get("as") or "").lower() == "image"


def _other_link(el: Tag) -> bool:
    return not (_stylesheet(el) or _icon(el) or _preload(el))


def _not_style_element(el: Tag) -> bool:
    return el.name != "style"


@dataclass(frozen=True)
class Slot:
    elements: frozenset[str]           # element names (lower case); empty: any element
    attrs: tuple[str | None, ...]      # attributes holding the URL(s); None: the element's text
    kind: str                          # image, lazy-image, stylesheet, icon, font, script, poster, css-image,
                                       # media (never fetched: can be gigabytes), link, fragment
    syntax: str = "url"                # url | srcset | style (a style attribute) | css (a <style> block)
    fetch: bool = True                 # capture downloads what it points at
    offline: str = "local"             # local | inline | web | same-document | removed (see the module doc)
    missing: str = "drop-attr"         # placeholder | drop-attr | drop-element
    when: Callable[[Tag], bool] | None = None
    schemes: tuple[str, ...] = WEB_LINK   # "web" slots: the schemes a link may keep

    def applies(self, el: Tag) -> bool:
        """True when this slot is one of el's (its attribute may still be absent)."""
        return (not self.elements or el.name in self.elements) and (self.when is None or self.when(el))


IMAGES = frozenset({"img", "source", "input"})
MEDIA = frozenset({"video", "audio"})
_f = frozenset

SLOTS: tuple[Slot, ...] = (
    # images: <img>, <picture><source>, <input type=image>; lazy copies are promoted by render
    Slot(_f({"img", "input"}), ("src",), "image", missing="placeholder", when=_image_source),
    Slot(_f({"source"}), ("src",), "image", missing="drop-element", when=_image_source),
    Slot(_f({"img", "input"}), ("srcset",), "image", "srcset", when=_image_source),
    Slot(_f({"source"}), ("srcset",), "image", "srcset", missing="drop-element", when=_image_source),
    Slot(IMAGES, LAZY_SRC, "lazy-image", when=_image_source),
    Slot(IMAGES, LAZY_SRCSET, "lazy-image", "srcset", when=_image_source),
    # audio and video: the poster is kept, the media files are not fetched (they can be gigabytes)
    Slot(_f({"video"}), ("poster",), "poster"),
    Slot(MEDIA, ("src",) + LAZY_SRC, "media", fetch=False),
    Slot(_f({"source"}), ("src",) + LAZY_SRC, "media", fetch=False, missing="drop-element", when=_in_media),
    Slot(_f({"source"}), ("srcset",) + LAZY_SRCSET, "media", "srcset", fetch=False, missing="drop-element",
         when=_in_media),
    Slot(_f({"track"}), ("src",), "media", fetch=False, missing="drop-element"),
    # <link>: stylesheets are inlined, icons kept, preloads fetched (the page's CSS uses them) but
    # removed; canonical, alternate... stay links to the web
    Slot(_f({"link"}), ("href",), "stylesheet", offline="inline", missing="drop-element", when=_stylesheet),
    Slot(_f({"link"}), ("href",), "icon", missing="drop-element", when=_icon),
    Slot(_f({"link"}), ("href",), "preload", offline="removed", missing="drop-element", when=_preload),
    Slot(_f({"link"}), ("imagesrcset",), "image", "srcset", offline="removed", missing="drop-element",
         when=_preload_image),
    Slot(_f({"link"}), ("href",), "link", fetch=False, offline="web", missing="drop-element", when=_other_link),
    Slot(_f({"script"}), ("src",), "script", offline="removed", missing="drop-element"),
    # SVG
    Slot(_f({"image"}), ("href", "xlink:href"), "image", missing="placeholder"),
    Slot(_f({"use", "feimage"}), ("href", "xlink:href"), "fragment", fetch=False, offline="same-document"),
    # links and forms: followed, never fetched
    Slot(_f({"a", "area"}), ("href", "xlink:href"), "link", fetch=False, offline="web", schemes=MAIL_LINK),
    Slot(_f({"form"}), ("action",), "link", fetch=False, offline="web"),
    # CSS
    Slot(_f({"style"}), (None,), "css-image", "css", offline="inline"),
    Slot(_f(), ("background",), "image"),   # body, table, td... (render drops it anywhere uncaptured)
    Slot(_f(), ("style",), "css-image", "style", offline="inline", when=_not_style_element),
)


@dataclass
class Ref:
    """One slot of one element: element[attr] (or the element's text when attr is None)."""

    element: Tag
    attr: str | None
    slot: Slot

    @property
    def kind(self) -> str:
        if self.slot.kind == "preload":
            return PRELOAD_KINDS[(self.element.get("as") or "").lower()]
        return self.slot.kind

    @property
    def syntax(self) -> str:
        return self.slot.syntax

    @property
    def value(self) -> str:
        if self.attr is None:
            return self.element.string or "".join(self.element.strings)
        v = self.element.get(self.attr)
        return " ".join(v) if isinstance(v, list) else (v or "")


_ANY_ELEMENT = tuple(s for s in SLOTS if not s.elements)
_BY_ELEMENT: dict[str, tuple[Slot, ...]] = {
    name: tuple(s for s in SLOTS if name in s.elements) + _ANY_ELEMENT for name in {n for s in SLOTS for n in s.elements}}


def element_refs(el: Tag) -> list[Ref]:
    """The URL-bearing slots of one element, in table order."""
    out = []
    attrs = el.attrs
    for slot in _BY_ELEMENT.get(el.name, _ANY_ELEMENT):
        if slot.when is not None and not slot.when(el):
            continue
        for attr in slot.attrs:
            if attr is None or attr in attrs:
                out.append(Ref(el, attr, slot))
    return out


def iter_refs(doc: BeautifulSoup | Tag) -> Iterator[Ref]:
    """Every URL-bearing slot in the document, in document order."""
    for el in doc.find_all(True):
        yield from element_refs(el)


def url_attributes() -> frozenset[str]:
    """Every attribute name some slot reads."""
    return frozenset(a for s in SLOTS for a in s.attrs if a is not None)
