"""Substack post embeds: `div.substack-post-embed` >
`<p lang>TITLE by AUTHOR</p><p>SUBTITLE</p><a data-post-link href=POST_URL>Read on Substack</a>`.
A `*.substack.com/embed` iframe is a subscribe form, not a post: it is not an embed."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from ._media_util import Candidate, absolute, finish, is_template
from ._text import text_of
from ._urls import host_matches, normalize_url
from .base import DERIVED, FALLBACK, Detected, Display, Post, ProviderRecord

KEY = "substack"
POST_PATH = re.compile(r"^/p/([\w-]+)/?$")


def match_url(url: str) -> Post | None:
    """A Post for a `NAME.substack.com/p/SLUG` URL (custom domains cannot be told apart by URL)."""
    url = absolute(url, None) or ""
    if not host_matches(url, "substack.com"):
        return None
    m = POST_PATH.match(urlsplit(url).path)
    if not m:
        return None
    post = Post(provider=KEY, kind="post", post_url_original=url)
    post.put("post_url", normalize_url(url.split("?")[0]), DERIVED)
    post.put("post_id", m.group(1), FALLBACK)
    return post


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for div in doc.find_all("div", class_="substack-post-embed"):
        if is_template(div):
            continue
        link = div.find("a", attrs={"data-post-link": True}) or div.find("a", href=True)
        href = absolute(link.get("href"), base_url) if link else None
        if not href:
            continue
        post = match_url(href) or Post(provider=KEY, kind="post", post_url_original=href)
        post.put("post_url", normalize_url(href), FALLBACK)
        paragraphs = div.find_all("p", recursive=False) or div.find_all("p")
        if paragraphs:
            heading = text_of(paragraphs[0]) or ""
            title, sep, author = heading.rpartition(" by ")
            post.put("title", title if sep else heading, FALLBACK)
            post.put("author_name", author if sep else None, FALLBACK)
        if len(paragraphs) > 1:
            subtitle = text_of(paragraphs[1])
            post.put("text", subtitle, FALLBACK)
            post.extra["subtitle"] = subtitle
        host = urlsplit(href).hostname or ""
        if host_matches(href, "substack.com") and host.count(".") == 2:
            post.extra["publication_url"] = f"https://{host}/"
        cands.append(Candidate(post.post_url or href, div, post))
    return finish(cands)


PROVIDER = ProviderRecord(
    key=KEY, name="Substack", order=290, find=find, match_url=match_url,
    display=Display("S", "#ff6719", handle_prefix="", verb="Read on"), family="article",
    hosts=("substack.com", "substackcdn.com"))
