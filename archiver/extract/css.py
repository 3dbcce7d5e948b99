"""URLs in CSS, found and rewritten with tinycss2 (pure functions). The one place that knows
where a URL can sit in CSS: capture uses it to find what a stylesheet needs, render to point
the same references at local copies.

`css_refs` lists what a stylesheet (or a style attribute) needs: `@import` targets (kind
"stylesheet"), `url()`s inside `@font-face` (kind "font") and every other `url()`, `src()` and
`image-set()` string (kind "css-image"), resolved against the stylesheet's own URL.
`rewrite_tokens` / `rewrite_css` replace each of those URLs by what a callback returns.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import tinycss2
from tinycss2 import ast
from tinycss2.serializer import serialize_string_value

from .charset import charset_of
from .urls import absolute

# replace(absolute_url, kind) -> new URL, or None to neutralise the reference
Replace = Callable[[str, str], "str | None"]
NEUTRAL_URL = "data:,"   # an empty resource: loads nothing, shows nothing
URLToken = ast.URLToken | ast.StringToken


def iter_url_tokens(nodes: list, kind: str = "css-image") -> Iterator[tuple[URLToken, str]]:
    """(token, kind) for every URL-bearing token in a list of component values: a URLToken, or
    the string in url("..."), src("..."), image-set("...") and @import "..."."""
    pending_import = False
    pending_font_face = False
    for node in nodes:
        if isinstance(node, ast.AtKeywordToken):
            pending_import = node.lower_value == "import"
            pending_font_face = node.lower_value == "font-face"
            continue
        if isinstance(node, (ast.WhitespaceToken, ast.Comment)):
            continue
        this_kind = "stylesheet" if pending_import else kind
        if pending_import and isinstance(node, ast.StringToken):
            yield node, this_kind
        elif isinstance(node, ast.URLToken):
            yield node, this_kind
        elif isinstance(node, ast.FunctionBlock):
            if node.lower_name in ("url", "src"):
                arg = next((a for a in node.arguments if isinstance(a, ast.StringToken)), None)
                if arg is not None:
                    yield arg, this_kind
            elif node.lower_name in ("image-set", "-webkit-image-set"):
                for arg in node.arguments:
                    if isinstance(arg, ast.StringToken):
                        yield arg, kind
                yield from iter_url_tokens(node.arguments, kind)
            else:
                yield from iter_url_tokens(node.arguments, kind)
        elif isinstance(node, (ast.CurlyBracketsBlock, ast.SquareBracketsBlock, ast.ParenthesesBlock)):
            inner = "font" if (pending_font_face and isinstance(node, ast.CurlyBracketsBlock)) else kind
            yield from iter_url_tokens(node.content, inner)
            pending_font_face = False
        pending_import = False  # only the first token after @import is its target


def parse(text: str) -> list:
    return tinycss2.parse_component_value_list(text, skip_comments=False)


def css_refs(text: str, base_url: str | None) -> list[tuple[str, str]]:
    """Every (absolute URL, kind) the CSS needs, in order, without duplicates."""
    seen: dict[str, str] = {}
    for token, kind in iter_url_tokens(parse(text)):
        url = absolute(token.value, base_url)
        if url and url not in seen:
            seen[url] = kind
    return list(seen.items())


def set_url(token: URLToken, url: str) -> None:
    # tinycss2 serialises a token from its `representation`, so both must change.
    token.value = url
    quoted = f'"{serialize_string_value(url)}"'
    token.representation = f"url({quoted})" if isinstance(token, ast.URLToken) else quoted


def rewrite_tokens(nodes: list, base_url: str | None, replace: Replace) -> bool:
    """Point every URL in `nodes` (in place) at replace(absolute_url, kind). data: URIs and
    fragments stay; anything else that is not http(s), and every None from replace, becomes an
    empty resource. True when something changed."""
    changed = False
    for token, kind in iter_url_tokens(nodes):
        raw = token.value.strip()
        if raw.lower().startswith("data:") or raw.startswith("#"):
            continue
        url = absolute(raw, base_url)
        new = replace(url, kind) if url else None
        set_url(token, new if new is not None else NEUTRAL_URL)
        changed = True
    return changed


def rewrite_css(text: str, base_url: str | None, replace: Replace) -> str:
    """The CSS text with every URL reference rewritten (see rewrite_tokens)."""
    nodes = parse(text)
    return tinycss2.serialize(nodes) if rewrite_tokens(nodes, base_url, replace) else text


def decode_css(data: bytes, content_type: str | None = None) -> str:
    """Text of stylesheet bytes: BOM, then the HTTP charset, then @charset, then UTF-8."""
    _, encoding = tinycss2.parse_stylesheet_bytes(data[:1024], protocol_encoding=charset_of(content_type))
    try:
        return data.decode(getattr(encoding, "name", str(encoding)), errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")
