"""Streamable: `streamable.com/e/ID` (and older `/o/ID`, `/s/ID/...`) iframes, usually inside a
padding-ratio div."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from ._media_util import Candidate, absolute, find_iframes, finish, title_attr
from ._urls import host_matches
from ._oembed import oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "streamable"
PATH = re.compile(r"^/(?:(?:e|o|s|m|t)/)?([a-z0-9]{4,12})(?:/|$)", re.I)
RESERVED = {"login", "signup", "pricing", "about", "terms", "privacy", "blog", "documentation", "upload"}


def match_url(url: str) -> Post | None:
    """A Post for a Streamable video page or embed URL."""
    url = absolute(url, None) or ""
    if not host_matches(url, "streamable.com") or host_matches(url, "api.streamable.com"):
        return None
    m = PATH.match(urlsplit(url).path)
    if not m or m.group(1).lower() in RESERVED:
        return None
    post = Post(provider=KEY, kind="video", post_url_original=url)
    post.extra["embed_url"] = url
    post.put("post_id", m.group(1), FALLBACK)
    post.put("post_url", f"https://streamable.com/{m.group(1)}", DERIVED)
    return post


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        post = match_url(url)
        if post:
            post.put("title", title_attr(el, ("Streamable", "Streamable video", "video")), FALLBACK)
            cands.append(Candidate(post.post_id or url, el, post))
    return finish(cands)


ENDPOINTS = (
    Endpoint("streamable", OEMBED_ENDPOINT, "https://api.streamable.com/oembed.json", oembed_reader(find=find)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Streamable", order=240, find=find, match_url=match_url,
    display=Display("s", "#0f90fa", handle_prefix="", verb="Watch on"), family="video",
    hosts=("streamable.com",), endpoints=ENDPOINTS)
