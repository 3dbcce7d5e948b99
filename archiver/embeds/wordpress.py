"""WordPress: post embeds between WordPress sites (`blockquote.wp-embedded-content` with its title link,
plus the hidden `iframe.wp-embedded-content` that replaces it: one embed), and block-editor embed figures
(`figure.wp-block-embed > div.wp-block-embed__wrapper`) whose wrapper holds only a bare URL, because the
oEmbed lookup failed or the content is raw: that URL is dispatched to the providers' match_url, and
becomes a generic "link" post when none knows it. Figures holding oEmbed HTML are left to the providers
of that HTML (they run earlier)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ._media_util import (
    Candidate, absolute, classes, dispatch_url, finish, is_template, noscript_of,
)
from ._text import text_of
from ._urls import normalize_url
from .base import DERIVED, FALLBACK, Detected, Display, Post, ProviderRecord

KEY = "wordpress"
SITE_TITLE = re.compile(r"^[“\"](.+)[”\"]\s+[—–-]\s+(.+)$")
URL_ONLY = re.compile(r"^https?://\S+$")


def match_url(url: str) -> Post | None:
    """WordPress posts cannot be told apart by URL, except their embed URL (`.../embed/#?secret=`)."""
    url = absolute(url, None) or ""
    parts = urlsplit(url)
    if not re.search(r"/embed/?$", parts.path) or "secret=" not in (parts.fragment + parts.query):
        return None
    post_url = urlunsplit((parts.scheme, parts.netloc, re.sub(r"embed/?$", "", parts.path), "", ""))
    post = Post(provider=KEY, kind="post", post_url_original=url)
    post.put("post_url", normalize_url(post_url), DERIVED)
    post.extra["embed_url"] = url.split("#")[0]
    return post


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    return finish(_wp_embeds(doc, base_url) + _bare_url_figures(doc, base_url))


def _wp_embeds(doc: BeautifulSoup, base_url: str) -> list[Candidate]:
    cands: list[Candidate] = []
    iframes = [f for f in doc.find_all("iframe", class_="wp-embedded-content") if not is_template(f)]
    paired: set[int] = set()
    for quote in doc.find_all("blockquote", class_="wp-embedded-content"):
        link = quote.find("a", href=True)
        href = absolute(link["href"], base_url) if link else None
        if not href or is_template(quote):
            continue
        post = Post(provider=KEY, kind="post", post_url_original=href)
        post.put("post_url", normalize_url(href), FALLBACK)
        post.put("title", text_of(link), FALLBACK)
        cand = Candidate(post.post_url or href, quote, post)
        frame = _partner(quote, iframes)
        if frame is not None:
            paired.add(id(frame))
            _read_frame(frame, post, base_url)
            cand.also_remove.append(frame)
        cands.append(cand)
    for frame in iframes:
        if id(frame) in paired:
            continue
        post = match_url(absolute(frame.get("src") or frame.get("data-src"), base_url) or "")
        if post is not None:
            _read_frame(frame, post, base_url)
            cands.append(Candidate(post.post_url or "", frame, post))
    return cands


def _partner(quote: Tag, iframes: list[Tag]) -> Tag | None:
    """The hidden iframe of this blockquote: same data-secret, else the next element after it."""
    secret = quote.get("data-secret")
    if secret:
        same = next((f for f in iframes if f.get("data-secret") == secret), None)
        if same is not None:
            return same
    sib = quote.find_next_sibling()
    return sib if sib is not None and any(sib is f for f in iframes) else None


def _read_frame(frame: Tag, post: Post, base_url: str) -> None:
    """The iframe title is "“POST TITLE” — SITE NAME"."""
    title = (frame.get("title") or "").strip()
    m = SITE_TITLE.match(title)
    if m:
        post.put("title", m.group(1), FALLBACK)
        post.extra["site_name"] = m.group(2)
    embed_url = absolute(frame.get("src") or frame.get("data-src"), base_url)
    if embed_url:
        post.extra["embed_url"] = embed_url.split("#")[0]


def _bare_url_figures(doc: BeautifulSoup, base_url: str) -> list[Candidate]:
    cands: list[Candidate] = []
    for wrapper in doc.find_all(class_="wp-block-embed__wrapper"):
        figure = wrapper.find_parent(class_="wp-block-embed")
        url = bare_url(wrapper, base_url)
        if url is None or is_template(wrapper) or noscript_of(wrapper) is not None:
            continue
        post = dispatch_url(url, exclude=(KEY,))
        if post is None:
            continue
        post.post_url_original = post.post_url_original or url
        if figure is not None:
            slug = next((c[len("is-provider-"):] for c in classes(figure) if c.startswith("is-provider-")), None)
            if slug:
                post.extra.setdefault("wp_provider", slug)
            caption = figure.find("figcaption")
            if caption is not None:
                post.extra["caption"] = text_of(caption)
        post.extra["bare_url"] = True
        cands.append(Candidate(post.post_url or url, wrapper, post))
    return cands


def bare_url(wrapper: Tag, base_url: str) -> str | None:
    """The URL when the wrapper holds nothing but one URL (as text, or as one link whose text is a URL)."""
    parts: list[str] = []
    for node in wrapper.children:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if str(node).strip():
                parts.append(str(node).strip())
        elif isinstance(node, Tag) and node.name == "a" and not node.find(True):
            parts.append(node.get("href") or "")
        elif isinstance(node, Tag) and node.name == "br":
            continue
        else:
            return None
    if len(parts) != 1 or not URL_ONLY.match(parts[0]):
        return None
    return absolute(parts[0], base_url)


PROVIDER = ProviderRecord(
    key=KEY, name="WordPress", order=600, find=find, match_url=match_url,
    display=Display("W", "#21759b", handle_prefix="", verb="Read on"), family="article")
