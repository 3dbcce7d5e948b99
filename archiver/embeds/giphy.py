"""Giphy: `giphy.com/embed/ID` iframes (class `giphy-embed`) and the "via GIPHY" line that follows them
(`<p><a href="https://giphy.com/gifs/slug-ID">via GIPHY</a></p>`), which gives the permalink and is
removed with the embed. The GIF itself is `media.giphy.com/media/ID/giphy.gif`."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from ._media_util import Candidate, absolute, find_iframes, finish, following, title_attr
from ._urls import host_matches
from ._oembed import oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Media, Post, ProviderRecord

KEY = "giphy"
EMBED_PATH = re.compile(r"^/embed/(\w+)")
PAGE_PATH = re.compile(r"^/(gifs|stickers|clips)/(?:[\w-]*-)?(\w+)/?$")
MEDIA_PATH = re.compile(r"^/(?:v1\.[^/]+/)?media/(?:[\w.-]+/)?(\w+)/[\w.]+$")


def _post(gif_id: str, original: str, section: str = "gifs") -> Post:
    post = Post(provider=KEY, kind="video" if section == "clips" else "photo", post_url_original=original)
    post.extra["embed_url"] = original
    post.put("post_id", gif_id, FALLBACK)
    post.put("post_url", f"https://giphy.com/{section}/{gif_id}", DERIVED)
    if section != "clips":
        post.add_media(Media(url=f"https://media.giphy.com/media/{gif_id}/giphy.gif", type="gif", source=DERIVED))
    return post


def match_url(url: str) -> Post | None:
    """A Post for a Giphy page, embed or media URL."""
    url = absolute(url, None) or ""
    if not host_matches(url, "giphy.com", "gph.is"):
        return None
    path = urlsplit(url).path
    if host_matches(url, "i.giphy.com") or re.match(r"^media\d*\.giphy\.com$", urlsplit(url).hostname or ""):
        m = MEDIA_PATH.match(path) or re.match(r"^/(\w+)\.(?:gif|webp|mp4)$", path)
        return _post(m.group(1), url) if m else None
    m = EMBED_PATH.match(path)
    if m:
        return _post(m.group(1), url)
    m = PAGE_PATH.match(path)
    return _post(m.group(2), url, m.group(1)) if m else None


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        if not EMBED_PATH.match(urlsplit(url).path) or not host_matches(url, "giphy.com"):
            continue
        post = match_url(url)
        if post is None:
            continue
        post.put("title", title_attr(el, ("Giphy", "GIPHY", "gif")), FALLBACK)
        cand = Candidate(post.post_id or url, el, post)
        via = following(el, lambda t: _is_via(t, post.post_id or ""))
        if via is not None:
            link = via.find("a")
            permalink = absolute(link.get("href"), base_url) if link else None
            if permalink:
                post.post_url, post.sources["post_url"] = permalink.split("?")[0], FALLBACK
            cand.also_remove.append(via)
        cands.append(cand)
    return finish(cands)


def _is_via(tag: Tag, gif_id: str) -> bool:
    links = tag.find_all("a")
    return (tag.name in ("p", "div") and len(links) == 1 and not tag.find(["iframe", "img"])
            and host_matches(absolute(links[0].get("href"), None), "giphy.com")
            and (gif_id in (links[0].get("href") or "") or "giphy" in tag.get_text().lower()))


ENDPOINTS = (
    Endpoint("giphy", OEMBED_ENDPOINT, "https://giphy.com/services/oembed", oembed_reader(find=find)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="GIPHY", order=270, find=find, match_url=match_url,
    display=Display("G", "#121212", handle_prefix=""),
    hosts=("giphy.com", "gph.is"), endpoints=ENDPOINTS)
