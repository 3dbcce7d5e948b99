"""Stylesheets for the offline page. Where URLs sit in CSS is archiver.extract.css's business
(the same walk capture used to find them); this module adds what only an offline page needs:
`@import` is inlined so the rewritten text of the imported sheet is used (its own url()s
resolved against *its* URL), `@charset` is dropped, and IE's `expression()`, `behavior` and
`-moz-binding` are neutralised.

Pure: URLs are resolved by callables, tokens come from tinycss2."""
from __future__ import annotations

from collections.abc import Callable

import tinycss2
from tinycss2 import ast

from ..extract.css import NEUTRAL_URL, rewrite_tokens
from ..extract.urls import absolute

MISSING = NEUTRAL_URL   # what a url() that was not captured becomes: loads nothing
MAX_IMPORT_DEPTH = 8

Resolve = Callable[[str], str | None]               # absolute URL -> local reference, or None
LoadSheet = Callable[[str], tuple[str, str] | None]  # absolute URL -> (css text, its final URL)


def _neutralise(nodes: list | None) -> list:
    """Script-bearing CSS (expression(), *-binding(), behavior:) replaced, in nested blocks too."""
    out = []
    for node in nodes or []:
        if isinstance(node, ast.FunctionBlock):
            if node.lower_name == "expression" or node.lower_name.endswith("-binding"):
                node = ast.IdentToken(node.source_line, node.source_column, "none")
            else:
                node.arguments = _neutralise(node.arguments)
        elif isinstance(node, (ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)):
            node.content = _neutralise(node.content)
        elif isinstance(node, ast.IdentToken) and node.lower_value in ("behavior", "-ms-behavior"):
            node = ast.IdentToken(node.source_line, node.source_column, "-archiver-removed-" + node.lower_value)
        out.append(node)
    return out


def _localise(nodes: list, base_url: str, resolve_local: Resolve) -> list:
    nodes = _neutralise(nodes)
    rewrite_tokens(nodes, base_url, lambda url, _kind: resolve_local(url))
    return nodes


class _Sheet:
    def __init__(self, resolve_local: Resolve, load: LoadSheet | None, seen: frozenset[str], depth: int):
        self.resolve = resolve_local
        self.load = load
        self.seen = seen
        self.depth = depth

    def text(self, rules: list, base_url: str) -> str:
        parts: list[str] = []
        for rule in rules:
            if isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "import":
                parts.append(self.inline_import(rule, base_url))
            elif isinstance(rule, ast.AtRule) and rule.lower_at_keyword == "charset":
                continue
            elif isinstance(rule, (ast.AtRule, ast.QualifiedRule)):
                rule.prelude = _localise(rule.prelude, base_url, self.resolve)
                if rule.content is not None:
                    rule.content = _localise(rule.content, base_url, self.resolve)
                parts.append(tinycss2.serialize([rule]))
            elif not isinstance(rule, ast.ParseError):
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
        target = absolute(href, base_url)
        if not target or self.load is None or self.depth >= MAX_IMPORT_DEPTH or target in self.seen:
            return ""
        loaded = self.load(target)
        if loaded is None:
            return "/* an imported stylesheet was not archived */"
        text, final_url = loaded
        inner = _Sheet(self.resolve, self.load, self.seen | {target}, self.depth + 1)
        body = inner.text(tinycss2.parse_stylesheet(text), final_url or target)
        media = tinycss2.serialize(rest).strip()
        if media and not media.lower().startswith(("layer", "supports")):
            return f"@media {media} {{\n{body}\n}}\n"
        return body + "\n"


def rewrite_stylesheet(text: str, base_url: str, resolve_local: Resolve, load: LoadSheet | None = None) -> str:
    """A whole stylesheet (a file or a <style> block) with every reference made local."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=True)
    return _Sheet(resolve_local, load, frozenset({base_url}), 0).text(rules, base_url)


def rewrite_declarations(text: str, base_url: str, resolve_local: Resolve) -> str:
    """A `style` attribute's declarations with every reference made local."""
    nodes = tinycss2.parse_component_value_list(text, skip_comments=True)
    return tinycss2.serialize(_localise(nodes, base_url, resolve_local))
