"""LinkedIn: `iframe[src*="linkedin.com/embed/feed/update/urn:li:(share|ugcPost|activity):ID"]`.
No fallback text and no script; the iframe `title` ("Embedded post") is generic."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from ._media_util import Candidate, find_iframes, finish
from ._urls import absolute, host_matches
from .base import DERIVED, FALLBACK, Detected, Display, Post, ProviderRecord

KEY = "linkedin"
URN_PATH = re.compile(r"^/(?:embed/)?feed/update/(?P<urn>urn:li:(?P<type>share|ugcPost|activity):(?P<id>\d{6,25}))/?")
POSTS_PATH = re.compile(r"^/posts/[\w%-]+-(?P<type>activity|share|ugcPost)-(?P<id>\d{6,25})-\w+/?")


def match_url(url: str) -> Post | None:
    """A Post for a LinkedIn feed update (`/feed/update/urn:li:…:ID`, its /embed/ form, or `/posts/…-activity-ID-…`)."""
    url = absolute(url, None)
    if not url or not host_matches(url, "linkedin.com"):
        return None
    path = unquote(urlsplit(url).path)
    m = URN_PATH.match(path) or POSTS_PATH.match(path)
    if not m:
        return None
    urn = f"urn:li:{m.group('type')}:{m.group('id')}"
    post = Post(provider=KEY, kind="post", post_url_original=url)
    post.put("post_url", f"https://www.linkedin.com/feed/update/{urn}/", FALLBACK)
    post.put("post_id", urn, DERIVED)
    return post


def _iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for frame, url in find_iframes(doc, base_url):
        if host_matches(url, "linkedin.com") and "/embed/" in url and (post := match_url(url)):
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish(_iframes(doc, base_url))


PROVIDER = ProviderRecord(
    key=KEY, name="LinkedIn", order=180, find=find, match_url=match_url,
    display=Display("in", "#0a66c2", handle_prefix=""),
    hosts=("linkedin.com", "licdn.com"))
