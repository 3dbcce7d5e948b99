"""Spotify: `open.spotify.com/embed/(track|album|playlist|episode|show|artist)/ID` iframes (also
`embed-podcast/`, `/intl-xx/` and the legacy `embed.spotify.com/?uri=spotify:TYPE:ID`). There is no
fallback text; the iframe `title` ("Spotify Embed: NAME") names the item."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup

from ._media_util import Candidate, absolute, find_iframes, finish, title_attr
from ._urls import host_matches
from ._oembed import oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "spotify"
KINDS = {"track": "audio", "episode": "audio", "album": "playlist", "playlist": "playlist", "show": "playlist",
         "artist": "profile", "user": "profile"}
PATH = re.compile(r"^(?:/intl-[\w-]+)?(?:/embed(?:-podcast)?)?/(track|album|playlist|episode|show|artist)/(\w+)")
URI = re.compile(r"^spotify:(track|album|playlist|episode|show|artist):(\w+)$")
USER_PLAYLIST_URI = re.compile(r"^spotify:user:[^:]+:playlist:(\w+)$")
TITLE_PREFIX = re.compile(r"^\s*Spotify Embed\s*:\s*", re.I)


def _post(item_type: str, item_id: str, original: str) -> Post:
    post = Post(provider=KEY, kind=KINDS[item_type], post_url_original=original)
    post.extra["embed_url"] = original
    post.extra["spotify_type"] = item_type
    post.put("post_id", item_id, FALLBACK)
    post.put("post_url", f"https://open.spotify.com/{item_type}/{item_id}", DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for an open.spotify.com URL, an embed URL or a spotify: URI."""
    url = (url or "").strip()
    m = URI.match(url)
    if m:
        return _post(m.group(1), m.group(2), url)
    m = USER_PLAYLIST_URI.match(url)
    if m:
        return _post("playlist", m.group(1), url)
    url = absolute(url, None) or ""
    if host_matches(url, "embed.spotify.com"):
        uri = unquote(parse_qs(urlsplit(url).query).get("uri", [""])[0])
        post = match_url(uri) if uri.startswith("spotify:") else None
        if post is not None:
            post.post_url_original = post.extra["embed_url"] = url
        return post
    if not host_matches(url, "open.spotify.com"):
        return None
    m = PATH.match(urlsplit(url).path)
    return _post(m.group(1), m.group(2), url) if m else None


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        post = match_url(url)
        if post:
            title = title_attr(el, ("Spotify Embed", "Spotify", "Spotify Player", "Spotify embed player"))
            post.put("title", TITLE_PREFIX.sub("", title) if title else None, FALLBACK)
            cands.append(Candidate(post.post_id or url, el, post))
    return finish(cands)


ENDPOINTS = (
    Endpoint("spotify", OEMBED_ENDPOINT, "https://open.spotify.com/oembed", oembed_reader(find=find, handle_rule=None)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Spotify", order=250, find=find, match_url=match_url,
    display=Display("♫", "#1db954", handle_prefix="", verb="Listen on"), family="audio",
    hosts=("spotify.com", "scdn.co", "spotifycdn.com"), endpoints=ENDPOINTS)
