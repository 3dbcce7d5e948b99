"""Pinterest: `a[data-pin-do="embedPin"][href*="/pin/ID/"]` (pins, kind "photo"), `embedBoard`
(kind "link") and `embedUser` (kind "profile"); the widget script `pinit.js` is not part of them.
Save buttons (`data-pin-do="buttonPin"`/`buttonBookmark`) are not embeds."""
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

KEY = "pinterest"
PIN_PATH = re.compile(r"^/pin/(?P<id>[\w-]{5,40})/?")
USER_PATH = re.compile(r"^/(?P<user>[\w.-]+)/?(?P<board>[\w.-]+)?/?$")
EMBED_KINDS = {"embedpin": "photo", "embedboard": "link", "embeduser": "profile"}
RESERVED = {"pin", "search", "ideas", "today", "explore", "oembed.json", "business", "_"}


def match_url(url: str) -> Post | None:
    """A Post for a pin URL (any pinterest.* host, pin.it is a redirect and not resolved here)."""
    url = absolute(url, None)
    if not url or not (host_matches(url, "pinterest.com") or re.search(r"(^|\.)pinterest\.[a-z.]+$", urlsplit(url).hostname or "")):
        return None
    m = PIN_PATH.match(urlsplit(url).path)
    if not m:
        return None
    post = Post(provider=KEY, kind="photo", post_url_original=url)
    post.put("post_url", f"https://www.pinterest.com/pin/{m.group('id')}/", FALLBACK)
    post.put("post_id", m.group("id"), DERIVED)
    return post


def _board_or_user(url: str, kind: str) -> Post | None:
    m = USER_PATH.match(urlsplit(url).path)
    if not m or m.group("user").lower() in RESERVED:
        return None
    post = Post(provider=KEY, kind=kind, post_url_original=url)
    board = f"{m.group('board')}/" if m.group("board") and kind == "link" else ""
    post.put("post_url", f"https://www.pinterest.com/{m.group('user')}/{board}", FALLBACK)
    post.put("author_handle", m.group("user"), FALLBACK)
    post.put("author_url", f"https://www.pinterest.com/{m.group('user')}/", DERIVED)
    return post


def _candidates(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for a in doc.find_all("a", attrs={"data-pin-do": True}):
        kind = EMBED_KINDS.get(a["data-pin-do"].strip().lower())
        url = absolute(a.get("href"), base_url)
        if kind is None or not url or _social.in_template(a):
            continue
        post = match_url(url) if kind == "photo" else _board_or_user(url, kind)
        if post is None:
            continue
        post.put("title", _social.text_of_link(a), FALLBACK)
        _social.add_images(post, a, base_url)
        yield Candidate(identity=post.post_url or "", inner=a, post=post, box=a)
    for frame, url in find_iframes(doc, base_url):
        if host_matches(url, "assets.pinterest.com") and "/ext/embed.html" in url:
            pin_id = re.search(r"[?&]id=([\w-]+)", url)
            if pin_id:
                post = match_url(f"https://www.pinterest.com/pin/{pin_id.group(1)}/")
                post.extra["embed_url"] = url
                yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish(_candidates(doc, base_url))


ENDPOINTS = (
    Endpoint("pinterest", OEMBED_ENDPOINT, "https://www.pinterest.com/oembed.json", oembed_reader(find=find)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Pinterest", order=200, find=find, match_url=match_url,
    display=Display("P", "#e60023", handle_prefix=""),
    hosts=("pinterest.com", "pin.it", "pinimg.com"), endpoints=ENDPOINTS)
