"""URLs in CSS, found and rewritten with tinycss2 (pure functions).

`css_refs` lists what a stylesheet (or a style attribute) needs: `@import` targets (kind
"stylesheet"), `url()`s inside `@font-face` (kind "font") and every other `url()` (kind
"css-image"), resolved against the stylesheet's own URL. `rewrite_css` serialises the same
CSS with each of those URLs replaced by what a callback returns.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urljoin

import tinycss2
from tinycss2 import ast
from tinycss2.serializer import serialize_string_value, serialize_url

# replace(absolute_url, kind) -> new URL, or None to neutralise the reference
Replace = Callable[[str, str], "str | None"]
NEUTRAL_URL = "data:,"   # an empty resource: loads nothing, shows nothing


def resolve(url: str, base_url: str | None) -> str | None:
    """Absolute http(s) URL for a reference, or None (data:, empty, fragments, other schemes)."""
    url = (url or "").strip()
    if not url or url.startswith("#"):
        return None
    low = url.lower()
    if low.startswith(("data:", "javascript:", "about:", "blob:", "mailto:", "tel:")):
        return None
    absolute = urljoin(base_url, url) if base_url else url
    return absolute if absolute.lower().startswith(("http://", "https://")) else None


def _url_slots(nodes: list, kind: str) -> Iterator[tuple[object, str]]:
    """Yield (token, kind) for every URL-bearing token: URLToken, or the StringToken in url("...")
    and in @import "..."."""
    pending_import = False
    pending_font_face = False
    for node in nodes:
        if isinstance(node, ast.AtKeywordToken):
            name = node.lower_value
            pending_import = name == "import"
            pending_font_face = name == "font-face"
            continue
        if isinstance(node, (ast.WhitespaceToken, ast.Comment)):
            continue
        if pending_import and isinstance(node, ast.StringToken):
            yield node, "stylesheet"
            pending_import = False
            continue
        if isinstance(node, ast.URLToken):
            yield node, "stylesheet" if pending_import else kind
        elif isinstance(node, ast.FunctionBlock):
            if node.lower_name in ("url", "src"):
                for arg in node.arguments:
                    if isinstance(arg, ast.StringToken):
                        yield arg, "stylesheet" if pending_import else kind
                        break
            elif node.lower_name == "image-set" or node.lower_name == "-webkit-image-set":
                for arg in node.arguments:
                    if isinstance(arg, ast.StringToken):
                        yield arg, kind
                yield from _url_slots(node.arguments, kind)
            else:
                yield from _url_slots(node.arguments, kind)
        elif isinstance(node, (ast.CurlyBracketsBlock, ast.SquareBracketsBlock, ast.ParenthesesBlock)):
            inner_kind = "font" if (pending_font_face and isinstance(node, ast.CurlyBracketsBlock)) else kind
            yield from _url_slots(node.content, inner_kind)
            pending_font_face = False
        if isinstance(node, ast.LiteralToken) and node.value == ";":
            pending_import = False
        elif not isinstance(node, ast.AtKeywordToken):
            # @import "x" <media>; only the first token after @import is its target
            pending_import = False


def _parse(text: str) -> list:
    return tinycss2.parse_component_value_list(text, skip_comments=False)


def css_refs(text: str, base_url: str | None) -> list[tuple[str, str]]:
    """Every (absolute URL, kind) the CSS needs, in order, without duplicates."""
    seen: dict[str, str] = {}
    for token, kind in _url_slots(_parse(text), "css-image"):
        url = resolve(token.value, base_url)
        if url and url not in seen:
            seen[url] = kind
    return list(seen.items())


def rewrite_css(text: str, base_url: str | None, replace: Replace) -> str:
    """The CSS with every URL reference replaced by replace(absolute_url, kind); references
    that cannot be resolved to http(s) are left alone when they are data: URIs or fragments,
    and neutralised otherwise. None from replace neutralises the reference."""
    nodes = _parse(text)
    changed = False
    for token, kind in _url_slots(nodes, "css-image"):
        raw = token.value
        if raw.strip().lower().startswith("data:") or raw.strip().startswith("#"):
            continue
        url = resolve(raw, base_url)
        new = replace(url, kind) if url else None
        _set_url(token, new if new is not None else NEUTRAL_URL)
        changed = True
    return tinycss2.serialize(nodes) if changed else text


def _set_url(token: ast.URLToken | ast.StringToken, url: str) -> None:
    # tinycss2 serialises a token from its `representation`, so both must change.
    token.value = url
    if isinstance(token, ast.URLToken):
        token.representation = f"url({serialize_url(url)})"
    else:
        token.representation = f'"{serialize_string_value(url)}"'


def join(base: str | None, url: str) -> str:
    return urljoin(base, url) if base else url
