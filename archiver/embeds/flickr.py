"""Flickr: `a[data-flickr-embed]` wrapping the photo's `<img>` (already a static image: it becomes the
card's media with its alt text), Flickr player iframes, and flic.kr short links."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from ._media_util import (
    Candidate, absolute, find_iframes, finish, int_attr, is_template, title_attr,
)
from ._urls import host_matches
from ._oembed import oembed_reader
from .reading import PRIVATE
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Media, Post, ProviderRecord

KEY = "flickr"
PHOTO_PATH = re.compile(r"^/photos/([^/]+)/(\d+)")
ALBUM_PATH = re.compile(r"^/photos/([^/]+)/(?:albums|sets)/(\d+)")
BASE58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


def decode_short(code: str) -> str | None:
    """flic.kr/p/CODE is the photo ID in Flickr's base-58 alphabet."""
    n = 0
    for ch in code:
        if ch not in BASE58:
            return None
        n = n * 58 + BASE58.index(ch)
    return str(n)


def match_url(url: str) -> Post | None:
    """A Post for a Flickr photo or album URL (page, player, flic.kr/p/ short link)."""
    url = absolute(url, None) or ""
    if not host_matches(url, "flickr.com", "flic.kr"):
        return None
    path = urlsplit(url).path
    post = Post(provider=KEY, kind="photo", post_url_original=url)
    if host_matches(url, "flic.kr"):
        m = re.match(r"^/p/(\w+)", path)
        photo_id = decode_short(m.group(1)) if m else None
        if not photo_id:
            return None
        post.put("post_id", photo_id, FALLBACK)
        post.put("post_url", f"https://www.flickr.com/photo.gne?id={photo_id}", DERIVED)
        return post
    m = ALBUM_PATH.match(path)
    if m:
        post.extra["album"] = True
    else:
        m = PHOTO_PATH.match(path)
    if not m:
        return None
    user, item_id = m.groups()
    section = "albums/" if post.extra.get("album") else ""
    post.put("post_id", item_id, FALLBACK)
    post.put("post_url", f"https://www.flickr.com/photos/{user}/{section}{item_id}", DERIVED)
    post.put("author_url", f"https://www.flickr.com/photos/{user}/", DERIVED)
    if "@" not in user:
        post.put("author_handle", user, FALLBACK)
    return post


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for a in doc.find_all("a", attrs={"data-flickr-embed": True}):
        post = match_url(absolute(a.get("href"), base_url) or "")
        if post is None or is_template(a):
            continue
        img = a.find("img")
        post.put("title", a.get("title") or (img.get("alt") if img else None), FALLBACK)
        src = absolute(img.get("src") or img.get("data-src"), base_url) if img else None
        if src:
            post.add_media(Media(url=src, type="image", alt=(img.get("alt") or "").strip(),
                                 width=int_attr(img, "width"), height=int_attr(img, "height")))
        cands.append(Candidate(post.post_id or "", a, post))
    for el, url in find_iframes(doc, base_url, ("iframe",)):
        post = match_url(url) if "/player" in url or host_matches(url, "embedr.flickr.com") else None
        if post:
            post.put("title", title_attr(el, ("Flickr", "flickr")), FALLBACK)
            cands.append(Candidate(post.post_id or url, el, post))
    return finish(cands)


ENDPOINTS = (
    # Flickr answers 404 alike for a deleted photo and for one its owner made private
    Endpoint("flickr", OEMBED_ENDPOINT, "https://www.flickr.com/services/oembed/",
             oembed_reader(find=find, handle_rule=None, status_means={404: PRIVATE}), params=(("format", "json"),)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Flickr", order=280, find=find, match_url=match_url,
    display=Display("••", "#0063dc", handle_prefix=""),
    hosts=("flickr.com", "flic.kr", "staticflickr.com"), endpoints=ENDPOINTS)
