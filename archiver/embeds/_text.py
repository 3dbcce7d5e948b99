"""Turning untrusted fallback markup into plain text and sanitised HTML (pure functions).

The sanitised HTML keeps only text, <br>, <p> and <a href> with http(s) links (hashtags and
mentions stay links); every other element is unwrapped and every attribute but href dropped.
Templates still autoescape everything else; this HTML is marked safe only after this pass."""
from __future__ import annotations

import html
import re
from typing import Iterable

from bs4 import BeautifulSoup, NavigableString, Tag, Comment

ALLOWED = {"a", "br", "p"}
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


def clean_text(text: str | None) -> str | None:
    """Collapse runs of spaces (keeping line breaks), strip; None for empty."""
    if text is None:
        return None
    lines = [_SPACE.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out).strip()
    return out or None


def text_of(nodes: Tag | Iterable | None) -> str | None:
    """Visible text of an element (or of a list of nodes), <br> and <p> as line breaks."""
    if nodes is None:
        return None
    if isinstance(nodes, (Tag, NavigableString)):
        nodes = [nodes]
    parts: list[str] = []
    for node in nodes:
        _collect(node, parts)
    return clean_text("".join(parts))


def _collect(node, parts: list[str]) -> None:
    if isinstance(node, Comment):
        return
    if isinstance(node, NavigableString):
        parts.append(str(node))
        return
    if not isinstance(node, Tag) or node.name in ("script", "style", "template", "svg"):
        return
    if node.name == "br":
        parts.append("\n")
        return
    block = node.name in ("p", "div", "li", "blockquote", "section")
    if block:
        parts.append("\n")
    for child in node.children:
        _collect(child, parts)
    if block:
        parts.append("\n")


def sanitize_html(nodes: Tag | Iterable | str | None, base_url: str | None = None) -> str | None:
    """Sanitised HTML of an element's contents (or of a list of nodes, or of an HTML string)."""
    if nodes is None:
        return None
    if isinstance(nodes, str):
        nodes = BeautifulSoup(nodes, "lxml").body or []
        nodes = list(nodes.children) if isinstance(nodes, Tag) else []
    elif isinstance(nodes, Tag):
        nodes = list(nodes.children)
    out: list[str] = []
    for node in nodes:
        _sanitize(node, out, base_url)
    result = _trim_breaks("".join(out))
    result = re.sub(r"(<br>\s*){3,}", "<br><br>", result)
    return result or None


def _trim_breaks(html_text: str) -> str:
    """Without line breaks at the very start or end (left behind by dropped media links)."""
    return re.sub(r"^(\s*<br>)+|(<br>\s*)+$", "", html_text.strip()).strip()


def _sanitize(node, out: list[str], base_url: str | None) -> None:
    from ._urls import absolute
    if isinstance(node, Comment):
        return
    if isinstance(node, NavigableString):
        out.append(html.escape(_SPACE.sub(" ", str(node)), quote=False))
        return
    if not isinstance(node, Tag) or node.name in ("script", "style", "template", "svg", "iframe", "object",
                                                  "embed", "noscript", "img", "video", "audio", "form"):
        return
    if node.name == "br":
        out.append("<br>")
        return
    inner: list[str] = []
    for child in node.children:
        _sanitize(child, inner, base_url)
    body = "".join(inner)
    if node.name == "a":
        href = absolute(node.get("href"), base_url)
        if href:
            out.append(f'<a href="{html.escape(href, quote=True)}">{body}</a>')
        else:
            out.append(body)
    elif node.name == "p":
        body = _trim_breaks(body)
        if body:
            out.append(f"<p>{body}</p>")
    else:
        out.append(body)


def linkify_plain(text: str | None, hashtag_url: str | None = None, mention_url: str | None = None) -> str | None:
    """Sanitised HTML from plain text (an oEmbed title, an API caption): URLs, #tags and @mentions
    become links when the platform's URL patterns are given ('{}' is the tag/handle)."""
    if not text:
        return None
    pattern = re.compile(r"(https?://[^\s<>\"]+)|(?<![\w/])#(\w+)|(?<![\w/])@([\w.]+\w)")

    def link(m: re.Match) -> str:
        if m.group(1):
            u = m.group(1)
            return f'<a href="{html.escape(u)}">{html.escape(u)}</a>'
        if m.group(2) and hashtag_url:
            return f'<a href="{html.escape(hashtag_url.format(m.group(2)))}">#{html.escape(m.group(2))}</a>'
        if m.group(3) and mention_url:
            return f'<a href="{html.escape(mention_url.format(m.group(3)))}">@{html.escape(m.group(3))}</a>'
        return html.escape(m.group(0))

    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last:m.start()], quote=False))
        out.append(link(m))
        last = m.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out).replace("\n", "<br>")
