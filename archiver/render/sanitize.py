"""Taking the original page's behaviour out of a parsed document (pure, in place).

After `neutralise(doc)` no element or attribute can run script or start a navigation or load
by itself: scripts, event handlers, `javascript:` URLs, meta refresh, <base>, resource hints,
plugins and frames are gone (frames become "not archived" notices, made by the caller).
`<noscript>` content is shown, since no script runs."""
from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, Comment, Tag

from ..extract.slots import is_lazy

# Elements that are removed with their content.
REMOVE = ("script", "template", "applet", "frameset", "portal", "fencedframe", "xml")
# Void elements removed alone: libxml2 does not know some of them are void and nests what follows
# inside them, so their "children" are the page's own content and stay.
REMOVE_VOID = ("embed", "base", "param", "bgsound", "frame", "keygen")
# <link rel> values that may stay: stylesheets and icons are rewritten afterwards, the rest load nothing.
KEEP_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed",
                  "mask-icon", "canonical", "author", "license", "alternate", "shortlink", "me", "amphtml"}
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
             "longdesc", "manifest", "codebase", "lowsrc", "dynsrc", "ping", "to", "values", "from", "by")
DROP_ATTRS = {"srcdoc", "integrity", "crossorigin", "nonce", "ping", "autoplay", "lowsrc", "dynsrc",
              "manifest", "attributionsrc", "blocking", "fetchpriority", "loading"}
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|livescript|data\s*:\s*text/html|data\s*:\s*application/"
                         r"(x-)?javascript|data\s*:\s*image/svg)", re.I)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def is_script_url(value: str) -> bool:
    """True for URLs that would run code when followed or loaded (case, spaces, control chars ignored)."""
    squeezed = _CONTROL.sub("", value)
    return bool(_SCRIPT_URL.match(squeezed)) or squeezed.lower().startswith(("javascript:", "vbscript:"))


def neutralise(doc: BeautifulSoup, frame_notice: Callable[[Tag], Tag | None]) -> None:
    """Remove everything that runs or loads by itself. `frame_notice(iframe)` gives what replaces
    an iframe/object (None: remove it)."""
    for tag in doc.find_all(REMOVE):
        tag.decompose()
    for tag in doc.find_all(REMOVE_VOID):
        tag.unwrap()
    for comment in doc.find_all(string=lambda s: isinstance(s, Comment)):
        if "[if" in comment or "<!" in comment:   # IE conditional comments can hide markup
            comment.extract()
    for meta in doc.find_all("meta"):
        if meta.get("http-equiv") is not None or meta.get("charset") is not None:
            meta.decompose()
    for link in doc.find_all("link"):
        rels = {r.lower() for r in (link.get("rel") or [])}
        if not rels or not rels <= KEEP_LINK_RELS or ("alternate" in rels and "stylesheet" in rels):
            link.decompose()
    for frame in doc.find_all(["iframe", "object"]):
        if frame.parent is None:   # inside a frame already replaced
            continue
        notice = frame_notice(frame)
        if notice is None:
            frame.decompose()
        else:
            frame.replace_with(notice)
    for noscript in doc.find_all("noscript"):
        _show_noscript(noscript)
    for tag in doc.find_all(True):
        _clean_attributes(tag)


def _show_noscript(noscript: Tag) -> None:
    """Show the no-script content; when it duplicates the lazy image just before it, keep one."""
    previous = noscript.find_previous_sibling()
    if (previous is not None and previous.name == "img" and noscript.find("img") is not None
            and not is_lazy(previous)):
        previous.decompose()   # a placeholder <img> whose real image is in the <noscript>
    elif previous is not None and previous.name == "img" and noscript.find("img") is not None:
        noscript.decompose()   # the lazy image will be promoted; the no-script copy would be a duplicate
        return
    noscript.unwrap()


def _clean_attributes(tag: Tag) -> None:
    for name in list(tag.attrs):
        lower = name.lower()
        value = tag.attrs[name]
        if lower.startswith("on") or lower in DROP_ATTRS:
            del tag.attrs[name]
        elif lower in URL_ATTRS or lower.endswith(":href"):
            text = " ".join(value) if isinstance(value, list) else str(value)
            if is_script_url(text):
                del tag.attrs[name]
        elif lower == "style" and re.search(r"expression\s*\(|javascript:|behavior\s*:|-moz-binding",
                                            str(value), re.I):
            tag.attrs[name] = re.sub(r"expression\s*\(|javascript:|behavior\s*:|-moz-binding", "removed(",
                                     str(value), flags=re.I)
    if tag.name in ("animate", "set", "animatetransform", "animatemotion"):
        target = (tag.get("attributeName") or tag.get("attributename") or "").lower()
        if target.endswith("href"):
            tag.decompose()
