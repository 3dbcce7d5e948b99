"""Stylesheets for the offline page: every url() (and @import, and image-set() string) points to a
local copy or to nothing, and @import is inlined so the rewritten text of the imported sheet is
used (an imported sheet's own url()s resolve against *its* URL). IE `expression()` is dropped.

Pure: URLs are resolved by callables, tokens come from tinycss2."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

import tinycss2
from tinycss2 import ast

# What a url() that was not captured becomes: an empty data: URI, which loads nothing.
MISSING = "data:,"
MAX_IMPORT_DEPTH = 8

Resolve = Callable[[str], str | None]               # absolute URL -> local reference, or None
LoadSheet = Callable[[str], tuple[str, str] | None]  # absolute URL -> (css text, its final URL)


def _css_url(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("\r", "")
    return f'url("{escaped}")'


def _absolute(url: str, base_url: str) -> str | None:
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    if url.lower().startswith("data:"):
        return url
    try:
        return urljoin(base_url, url)
    except ValueError:
        return None


class _Rewriter:
    def __init__(self, resolve: Resolve, load: LoadSheet | None, seen: frozenset[str], depth: int):
        self.resolve = resolve
        self.load = load
        self.seen = seen
        self.depth = depth

    def target(self, url: str, base_url: str) -> str:
        absolute = _absolute(url, base_url)
        if absolute is None:
            return MISSING
        if absolute.lower().startswith("data:"):
            return absolute if not absolute.lower().startswith("data:text/css") else MISSING
        return self.resolve(absolute) or MISSING

    def values(self, nodes: list | None, base_url: str) -> list:
        if not nodes:
            return nodes or []
        out = []
        for node in nodes:
            if isinstance(node, ast.URLToken):
                out.append(ast.URLToken(node.source_line, node.source_column, "", _css_url(self.target(node.value, base_url))))
            elif isinstance(node, ast.FunctionBlock):
                name = node.lower_name
                if name == "url" or name == "src":
                    arg = next((a for a in node.arguments if isinstance(a, ast.StringToken)), None)
                    value = self.target(arg.value, base_url) if arg else MISSING
                    out.append(ast.URLToken(node.source_line, node.source_column, "", _css_url(value)))
                elif name == "expression" or name.endswith("-binding"):
                    out.append(ast.IdentToken(node.source_line, node.source_column, "none"))
                elif name in ("image-set", "-webkit-image-set"):
                    node.arguments = [
                        ast.URLToken(a.source_line, a.source_column, "", _css_url(self.target(a.value, base_url)))
                        if isinstance(a, ast.StringToken) else self.values([a], base_url)[0]
                        for a in node.arguments]
                    out.append(node)
                else:
                    node.arguments = self.values(node.arguments, base_url)
                    out.append(node)
            elif isinstance(node, (ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)):
                node.content = self.values(node.content, base_url)
                out.append(node)
            elif isinstance(node, ast.IdentToken) and node.lower_value in ("behavior", "-ms-behavior"):
                out.append(ast.IdentToken(node.source_line, node.source_column, "-archiver-removed-" + node.lower_value))
            else:
                out.append(node)
        return out

    def sheet(self, rules: list, base_url: str) -> str:
        parts: list[str] = []
        for rule in rules:
            if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "import":
                parts.append(self.inline_import(rule, base_url))
            elif isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "charset":
                continue
            elif isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "namespace":
                parts.append(tinycss2.serialize([rule]))
            elif isinstance(rule, (ast.AtRule, ast.QualifiedRule)):
                rule.prelude = self.values(rule.prelude, base_url)
                if rule.content is not None:
                    rule.content = self.values(rule.content, base_url)
                parts.append(tinycss2.serialize([rule]))
            elif isinstance(rule, ast.ParseError):
                continue
            else:
                parts.append(tinycss2.serialize([rule]))
        return "".join(parts)

    def inline_import(self, rule: ast.AtRule, base_url: str) -> str:
        prelude = [t for t in rule.prelude if not isinstance(t, (ast.WhitespaceToken, ast.Comment))]
        if not prelude:
            return ""
        first, rest = prelude[0], rule.prelude[rule.prelude.index(prelude[0]) + 1:]
        if isinstance(first, (ast.URLToken, ast.StringToken)):
            href = first.value
        elif isinstance(first, ast.FunctionBlock) and first.lower_name == "url":
            href = next((a.value for a in first.arguments if isinstance(a, ast.StringToken)), "")
        else:
            return ""
        absolute = _absolute(href, base_url)
        if not absolute or self.load is None or self.depth >= MAX_IMPORT_DEPTH or absolute in self.seen:
            return ""
        loaded = self.load(absolute)
        if loaded is None:
            return "/* an imported stylesheet was not archived */"
        text, final_url = loaded
        inner = _Rewriter(self.resolve, self.load, self.seen | {absolute}, self.depth + 1)
        body = inner.sheet(tinycss2.parse_stylesheet(text), final_url or absolute)
        media = tinycss2.serialize(rest).strip()
        if media and not media.lower().startswith(("layer", "supports")):
            return f"@media {media} {{\n{body}\n}}\n"
        return body + "\n"


def rewrite_stylesheet(text: str, base_url: str, resolve: Resolve, load: LoadSheet | None = None) -> str:
    """A whole stylesheet (a file or a <style> block) with every reference made local."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=True)
    return _Rewriter(resolve, load, frozenset({base_url}), 0).sheet(rules, base_url)


def rewrite_declarations(text: str, base_url: str, resolve: Resolve) -> str:
    """A `style` attribute's declarations with every reference made local."""
    nodes = tinycss2.parse_component_value_list(text, skip_comments=True)
    return tinycss2.serialize(_Rewriter(resolve, None, frozenset(), 0).values(nodes, base_url))


def decode_stylesheet(data: bytes, content_type: str | None = None) -> str:
    """Text of stylesheet bytes: BOM, then the HTTP charset, then @charset, then UTF-8."""
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
    _, encoding = tinycss2.parse_stylesheet_bytes(data[:1024], protocol_encoding=charset)
    try:
        return data.decode(encoding.name if hasattr(encoding, "name") else str(encoding), errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")
