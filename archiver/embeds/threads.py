"""Threads: `blockquote.text-post-media[data-text-post-permalink]` (id `ig-tp-CODE`). The fallback
carries the handle ("Post by @handle", read by its `@` shape) and the URL only; threads.net
(older) and threads.com hosts. The rendered state is an iframe on `/@handle/post/CODE/embed`."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from . import _social
from ._media_util import Candidate, find_iframes, finish
from ._urls import absolute, host_matches
from ._oembed import oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "threads"
HOSTS = ("threads.net", "threads.com")
POST_PATH = re.compile(r"^/(?:@(?P<handle>[\w.]+)/post|t)/(?P<code>[\w-]{5,})/?")
EMBED_PATH = re.compile(r"/(?:post|t)/[\w-]{5,}/embed/?$")


def match_url(url: str) -> Post | None:
    """A Post for a Threads post URL (`/@handle/post/CODE`, `/t/CODE`) on threads.net or threads.com."""
    url = absolute(url, None)
    if not url or not host_matches(url, *HOSTS):
        return None
    m = POST_PATH.match(urlsplit(url).path)
    if not m:
        return None
    handle, code = m.group("handle"), m.group("code")
    post = Post(provider=KEY, kind="post", post_url_original=url)
    post.put("post_url", f"https://www.threads.com/@{handle}/post/{code}" if handle
             else f"https://www.threads.com/t/{code}", FALLBACK)
    post.put("post_id", code, DERIVED)
    if handle:
        post.put("author_handle", handle, FALLBACK)
        post.put("author_url", f"https://www.threads.com/@{handle}", DERIVED)
    return post


def _blockquotes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for quote in _social.roots(doc, "blockquote", "text-post-media"):
        urls = [absolute(quote.get("data-text-post-permalink"), base_url)]
        urls += [u for _, u in _social.links(quote, base_url)]
        post = next((p for p in map(match_url, filter(None, urls)) if p is not None), None)
        if post is None:
            continue
        handle = _social.handle_in(_social.text_of_link(quote))
        if handle and not post.author_handle:
            post.put("author_handle", handle, FALLBACK)
            post.put("author_url", f"https://www.threads.com/@{handle}", DERIVED)
        _social.put_text(post, quote.find_all("p"), base_url)
        _social.add_images(post, quote, base_url)
        yield Candidate(identity=post.post_url or "", inner=quote, post=post, box=quote)


def _iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    """The frame Threads' embed.js puts in the blockquote's place (`/@handle/post/CODE/embed`)."""
    for frame, url in find_iframes(doc, base_url):
        if host_matches(url, *HOSTS) and EMBED_PATH.search(urlsplit(url).path) and (post := match_url(url)):
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish([*_blockquotes(doc, base_url), *_iframes(doc, base_url)])


ENDPOINTS = (
    # no author fields: the handle is in the html, the author URL follows from it
    Endpoint("threads", OEMBED_ENDPOINT, "https://graph.threads.net/v1.0/oembed",
             oembed_reader(find=find, profile_url="https://www.threads.com/@{}")),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Threads", order=130, find=find, match_url=match_url,
    display=Display("@", "#101010", mention_url="https://www.threads.com/@{}"),
    hosts=HOSTS, endpoints=ENDPOINTS)
