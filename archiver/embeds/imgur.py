"""Imgur: `blockquote.imgur-embed-pub[data-id="ID" | "a/ALBUMID"]` (child link `//imgur.com/ID`, its
text the title when there is one), iframes `imgur.com/ID/embed` / `imgur.com/a/ID/embed`, and
`amp-imgur[data-imgur-id]`."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from . import _social
from ._media_util import Candidate, find_iframes, finish
from ._urls import absolute, host_matches
from .base import DERIVED, FALLBACK, Detected, Display, Post, ProviderRecord

KEY = "imgur"
ITEM_PATH = re.compile(r"^/(?:(?P<album>a|gallery)/)?(?P<id>[A-Za-z0-9]{5,10})(?:/embed)?/?$")


def post_for_id(data_id: str, original: str | None = None) -> Post | None:
    m = re.fullmatch(r"(?:(?P<album>a|gallery)/)?(?P<id>[A-Za-z0-9]{5,10})", data_id.strip())
    if not m:
        return None
    album = m.group("album")
    post = Post(provider=KEY, kind="photo", post_url_original=original or data_id)
    post.put("post_url", f"https://imgur.com/{album + '/' if album else ''}{m.group('id')}", FALLBACK)
    post.put("post_id", m.group("id"), DERIVED)
    if album:
        post.extra["album"] = True
    return post


def match_url(url: str) -> Post | None:
    """A Post for an Imgur image, album or gallery URL (and their /embed forms); not i.imgur.com files."""
    url = absolute(url, None)
    if not url or not host_matches(url, "imgur.com") or host_matches(url, "i.imgur.com", "s.imgur.com"):
        return None
    m = ITEM_PATH.match(urlsplit(url).path)
    if not m:
        return None
    return post_for_id(f"{m.group('album') + '/' if m.group('album') else ''}{m.group('id')}", url)


def _candidates(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for quote in _social.roots(doc, "blockquote", "imgur-embed-pub"):
        post = post_for_id(quote.get("data-id") or "", quote.get("data-id"))
        if post is None:
            post = next((p for p in (match_url(u) for _, u in _social.links(quote, base_url)) if p), None)
        if post is None:
            continue
        title = _social.text_of_link(quote.find("a")) if quote.find("a") else None
        if title and not title.lower().startswith(("http", "//", "imgur.com")):
            post.put("title", title, FALLBACK)
        yield Candidate(identity=post.post_url or "", inner=quote, post=post, box=quote)
    for frame, url in find_iframes(doc, base_url):
        if host_matches(url, "imgur.com") and "/embed" in url and (post := match_url(url)):
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)
    for amp in doc.find_all("amp-imgur"):
        post = post_for_id(amp.get("data-imgur-id") or "")
        if post is not None and not _social.in_template(amp):
            yield Candidate(identity=post.post_url or "", inner=amp, post=post, box=amp)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish(_candidates(doc, base_url))


PROVIDER = ProviderRecord(
    key=KEY, name="Imgur", order=210, find=find, match_url=match_url,
    display=Display("i", "#1bb76e", handle_prefix=""),
    hosts=("imgur.com",))
