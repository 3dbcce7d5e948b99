"""Vimeo: `player.vimeo.com/video/ID` iframes (unlisted ones carry `?h=HASH`), live events, showcases,
`amp-vimeo`, and the older embed code's credit line
`<p><a href="https://vimeo.com/ID">TITLE</a> from <a href="https://vimeo.com/USER">AUTHOR</a> on <a>Vimeo</a>.</p>`,
which is read (title, author) and removed with the embed."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from ._media_util import (
    Candidate, absolute, find_iframes, finish, following, is_template, title_attr,
)
from ._text import text_of
from ._urls import host_matches
from ._oembed import oembed_reader
from .reading import PRIVATE
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "vimeo"
VIDEO_PATHS = [
    re.compile(r"^/video/(\d+)(?:/([0-9a-f]{6,}))?"),                       # player.vimeo.com/video/ID
    re.compile(r"^/(\d+)(?:/([0-9a-f]{6,}))?/?$"),                          # vimeo.com/ID[/HASH]
    re.compile(r"^/channels/[\w-]+/(\d+)/?$"),
    re.compile(r"^/groups/[\w-]+/videos/(\d+)/?$"),
    re.compile(r"^/album/\d+/video/(\d+)/?$"),
    re.compile(r"^/showcase/\d+/video/(\d+)/?$"),
]
COLLECTION = re.compile(r"^/(showcase|album)/(\d+)")
EVENT = re.compile(r"^/event/(\d+)")
GENERIC_TITLES = ("Vimeo video player", "Vimeo embed", "vimeo-player", "Vimeo", "video", "iframe")


def match_url(url: str) -> Post | None:
    """A Post for a Vimeo video (public or unlisted), live event, showcase or album URL."""
    url = absolute(url, None) or ""
    if not host_matches(url, "vimeo.com"):
        return None
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    post = Post(provider=KEY, kind="video", post_url_original=url)
    post.extra["embed_url"] = url
    for pattern in VIDEO_PATHS:
        m = pattern.match(parts.path)
        if m:
            video_id = m.group(1)
            secret = (m.group(2) if m.lastindex and m.lastindex >= 2 else None) or query.get("h")
            post.put("post_id", video_id, FALLBACK)
            post.put("post_url", f"https://vimeo.com/{video_id}" + (f"/{secret}" if secret else ""), DERIVED)
            if secret:
                post.extra["hash"] = secret
            return post
    m = COLLECTION.match(parts.path)
    if m:
        post.kind = "playlist"
        post.put("post_id", m.group(2), FALLBACK)
        post.put("post_url", f"https://vimeo.com/showcase/{m.group(2)}", DERIVED)
        return post
    m = EVENT.match(parts.path)
    if m:
        post.put("post_id", m.group(1), FALLBACK)
        post.put("post_url", f"https://vimeo.com/event/{m.group(1)}", DERIVED)
        post.extra["live"] = True
        return post
    return None


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        post = match_url(url)
        if post is None:
            continue
        post.put("title", title_attr(el, GENERIC_TITLES), FALLBACK)
        cand = Candidate(post.post_id or url, el, post)
        credit = following(el, lambda t: _is_credit(t, post.post_id))
        if credit is not None:
            _read_credit(credit, post, base_url)
            cand.also_remove.append(credit)
        cands.append(cand)
    for el in doc.find_all("amp-vimeo"):
        video_id = el.get("data-videoid")
        post = match_url(f"https://player.vimeo.com/video/{video_id}") if video_id and not is_template(el) else None
        if post:
            cands.append(Candidate(post.post_id or "", el, post))
    return finish(cands)


def _is_credit(tag: Tag, video_id: str | None) -> bool:
    if tag.name != "p" or not video_id:
        return False
    links = [absolute(a.get("href"), None) or "" for a in tag.find_all("a")]
    return (len(links) >= 2 and all(host_matches(u, "vimeo.com") for u in links)
            and any(re.search(rf"/{video_id}(?:\D|$)", u) for u in links))


def _read_credit(credit: Tag, post: Post, base_url: str) -> None:
    links = credit.find_all("a")
    post.put("title", text_of(links[0]), FALLBACK)
    author = next((a for a in links[1:] if urlsplit(absolute(a.get("href"), base_url) or "").path.strip("/")), None)
    if author is not None:
        post.put("author_name", text_of(author), FALLBACK)
        post.put("author_url", absolute(author.get("href"), base_url), FALLBACK)
        handle = urlsplit(post.author_url or "").path.strip("/")
        if re.fullmatch(r"[\w.-]+", handle):
            post.put("author_handle", handle, DERIVED)


ENDPOINTS = (
    # Vimeo answers 404 both for a removed video and for a live one embeddable only on some domains
    # (when the request's Referer is not one of them): the post cannot be seen, which is not "gone".
    Endpoint("vimeo", OEMBED_ENDPOINT, "https://vimeo.com/api/oembed.json",
             oembed_reader(find=find, handle_rule=None, status_means={404: PRIVATE})),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Vimeo", order=210, find=find, match_url=match_url,
    display=Display("v", "#1ab7ea", handle_prefix="", verb="Watch on"), family="video",
    hosts=("vimeo.com", "vimeocdn.com"), endpoints=ENDPOINTS)
