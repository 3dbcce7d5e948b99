"""Small pure helpers shared by the social-post providers (twitter, facebook, instagram, ...).

Finding embed roots by class outside templates, keeping the outermost of nested roots, reading
`Name (@handle)` bylines by their shape, and filling a Post's text and images from fallback nodes.
"""
from __future__ import annotations

import copy
import re
from typing import Callable, Iterable, Iterator

from bs4 import BeautifulSoup, NavigableString, Tag

from . import _text
from ._urls import absolute
from .base import DERIVED, FALLBACK, Detected, Media, Post  # noqa: F401  (re-exported for providers)

# "Name (@handle)", "Name (@handle@instance)"; the name is whatever precedes the parenthesis.
BYLINE = re.compile(r"(?P<name>[^()\n]*?)\s*\(\s*@(?P<handle>[\w.\-]+(?:@[\w.\-]+)?)\s*\)")
DASHES = "\u2014\u2013\u2015-"


def in_template(el: Tag) -> bool:
    """Markup a browser never shows as-is (lxml keeps <script> bodies as text, so <script
    type=text/template> never yields elements; <template>/<textarea>/<xmp> do)."""
    return any(p.name in ("template", "textarea", "xmp") for p in el.parents)


def has_class(el: Tag, *names: str) -> bool:
    classes = el.get("class") or ()
    return any(name in classes for name in names)


def roots(doc: BeautifulSoup, tags: str | list[str], *class_names: str,
          where: Callable[[Tag], bool] | None = None) -> list[Tag]:
    """Elements with one of the classes, outside templates, outermost first: an element nested in
    another match (a quote-like double blockquote, a CMS wrapper repeating the class) is left out."""
    found = [el for el in doc.find_all(tags, class_=list(class_names))
             if not in_template(el) and (where is None or where(el))]
    return outermost(found)


def outermost(elements: Iterable[Tag]) -> list[Tag]:
    elements = list(elements)
    ids = {id(e) for e in elements}
    return [e for e in elements if not any(id(p) in ids for p in e.parents)]


def byline(text: str | None) -> tuple[str | None, str | None]:
    """(name, handle) from the last `Name (@handle)` in a text, ignoring a leading dash.
    Structure only: "A post shared by Name (@handle)" gives the words before the name too, so
    callers that know a prefix precedes the name should pass only the part they need."""
    if not text:
        return None, None
    matches = list(BYLINE.finditer(text))
    if not matches:
        return None, None
    m = matches[-1]
    name = m.group("name").strip().lstrip(DASHES).strip() or None
    return name, m.group("handle")


def handle_in(text: str | None) -> str | None:
    """The first @handle in a text ("Post by @handle", "@handle")."""
    m = re.search(r"@([\w.\-]+\w(?:@[\w.\-]+\w)?)", text or "")
    return m.group(1) if m else None


def put_text(post: Post, nodes: Tag | list | None, base_url: str | None, source: str = FALLBACK) -> None:
    """Fill text (plain) and text_html (sanitised) from fallback nodes."""
    if nodes is None:
        return
    post.put("text", _text.text_of(nodes), source)
    post.put("text_html", _text.sanitize_html(nodes, base_url), source)


def prefer(post: Post, name: str, value, source: str = FALLBACK) -> None:
    """Like Post.put, but a value read from the markup replaces one that was only DERIVED (which
    is kept under `alternatives`)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    if post.sources.get(name) == DERIVED and getattr(post, name) != value:
        post.alternatives.setdefault(name, {})[DERIVED] = getattr(post, name)
        setattr(post, name, None)
    post.put(name, value, source)


def without(element: Tag, drop: Callable[[Tag], bool]) -> Tag:
    """A copy of element without the descendants `drop` selects (the page is left untouched)."""
    clone = copy.copy(element)
    for el in clone.find_all(True):
        if el.parent is not None and drop(el):
            el.decompose()
    return clone


def add_images(post: Post, element: Tag, base_url: str | None, source: str = FALLBACK) -> None:
    """Every <img> inside the fallback as Media (lazy data-src first), with its alt text."""
    for img in element.find_all("img"):
        url = None
        for attr in ("data-src", "data-lazy-src", "data-original", "src"):
            url = absolute(img.get(attr), base_url)
            if url:
                break
        if url:
            post.add_media(Media(url=url, type="image", alt=(img.get("alt") or "").strip(),
                                 width=_int(img.get("width")), height=_int(img.get("height")), source=source))


def _int(value) -> int | None:
    value = str(value or "").strip().removesuffix("px")
    return int(value) if value.isdigit() else None


def links(element: Tag, base_url: str | None) -> Iterator[tuple[Tag, str]]:
    """(a, absolute href) for every web link inside element."""
    for a in element.find_all("a", href=True):
        url = absolute(a["href"], base_url)
        if url:
            yield a, url


def text_after(node: Tag) -> str:
    """The text of the sibling nodes after `node` up to the next element that carries text."""
    parts: list[str] = []
    for sib in node.next_siblings:
        if isinstance(sib, NavigableString):
            parts.append(str(sib))
        elif isinstance(sib, Tag):
            if sib.name == "br":
                continue
            break
    return " ".join(parts).strip()


def text_of_link(a: Tag | None) -> str | None:
    """A link's visible text on one line, or None."""
    if a is None:
        return None
    return _text.clean_text(" ".join(a.get_text(" ").split())) or None
