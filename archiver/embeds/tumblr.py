"""Tumblr: `div.tumblr-post[data-href="https://embed.tumblr.com/embed/post/TOKEN/POSTID"]` holding a
link to the post (`https://BLOG.tumblr.com/post/POSTID/slug` or `tumblr.com/BLOG/POSTID`). No text."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from . import _social
from ._media_util import Candidate, find_iframes, finish
from ._urls import absolute, bare_host, host_matches
from ._oembed import handle_after_host, oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "tumblr"
BLOG_POST = re.compile(r"^/post/(?P<id>\d{5,25})(?:/(?P<slug>[^/?#]*))?")
WWW_POST = re.compile(r"^/(?:blog/view/)?(?P<blog>[\w-]+)/(?P<id>\d{5,25})(?:/(?P<slug>[^/?#]*))?")
EMBED_POST = re.compile(r"^/embed/post/(?:t:)?[\w-]+/(?P<id>\d{5,25})")


def match_url(url: str) -> Post | None:
    """A Post for `BLOG.tumblr.com/post/ID[/slug]` or `www.tumblr.com/BLOG/ID[/slug]`."""
    url = absolute(url, None)
    if not url or not host_matches(url, "tumblr.com"):
        return None
    host, path = bare_host(urlsplit(url).hostname or ""), urlsplit(url).path
    if host in ("tumblr.com", "embed.tumblr.com", "assets.tumblr.com"):
        m = WWW_POST.match(path) if host == "tumblr.com" else None
        blog = m.group("blog") if m else None
    else:
        m = BLOG_POST.match(path)
        blog = host.removesuffix(".tumblr.com")
    if not m or not blog:
        return None
    post = Post(provider=KEY, kind="post", post_url_original=url)
    slug = m.group("slug")
    post.put("post_url", f"https://www.tumblr.com/{blog}/{m.group('id')}{'/' + slug if slug else ''}", FALLBACK)
    post.put("post_id", m.group("id"), DERIVED)
    post.put("author_handle", blog, FALLBACK)
    post.put("author_url", f"https://www.tumblr.com/{blog}", DERIVED)
    return post


def _candidates(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for div in _social.roots(doc, "div", "tumblr-post"):
        post = next((p for p in (match_url(u) for _, u in _social.links(div, base_url)) if p), None)
        if post is None:
            continue
        embed = absolute(div.get("data-href"), base_url)
        if embed:
            post.extra["embed_url"] = embed
        title = _social.text_of_link(div.find("a")) if div.find("a") else None
        if title and not title.lower().startswith(("http://", "https://")):
            post.put("title", title, FALLBACK)
        yield Candidate(identity=post.post_url or "", inner=div, post=post, box=div)
    for frame, url in find_iframes(doc, base_url):
        m = EMBED_POST.match(urlsplit(url).path) if host_matches(url, "embed.tumblr.com") else None
        if m and frame.find_parent(class_="tumblr-post") is None:
            post = Post(provider=KEY, kind="post", post_url_original=url)
            post.put("post_id", m.group("id"), DERIVED)
            post.put("post_url", url, FALLBACK)
            post.extra["embed_url"] = url
            yield Candidate(identity=url, inner=frame, post=post)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish(_candidates(doc, base_url))


def blog_handle(author_url: str) -> str | None:
    """The blog name: the subdomain of https://BLOG.tumblr.com/, or the path of www.tumblr.com/BLOG."""
    host = bare_host(urlsplit(author_url).hostname or "")
    if host.endswith(".tumblr.com") and host.count(".") == 2:
        return host.removesuffix(".tumblr.com")
    return handle_after_host(author_url) if host == "tumblr.com" else None


ENDPOINTS = (
    Endpoint("tumblr", OEMBED_ENDPOINT, "https://www.tumblr.com/oembed/1.0",
             oembed_reader(find=find, handle_rule=blog_handle)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Tumblr", order=190, find=find, match_url=match_url,
    display=Display("t", "#001935", handle_prefix="", hashtag_url="https://www.tumblr.com/tagged/{}"),
    hosts=("tumblr.com",), endpoints=ENDPOINTS)
