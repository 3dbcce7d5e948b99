"""SoundCloud: `w.soundcloud.com/player/?url=...` iframes (API track/playlist/user URLs or permalinks) and
the credit div the embed code puts after the iframe,
`<div><a href=ARTIST_URL>ARTIST</a> · <a href=TRACK_URL>TITLE</a></div>`: it holds the artist, the title
and the public permalink, so it is read, then removed with the embed."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from ._media_util import Candidate, absolute, find_iframes, finish, following, title_attr
from ._text import text_of
from ._urls import host_matches, normalize_url
from ._oembed import oembed_reader
from .reading import PRIVATE
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "soundcloud"
API_PATH = re.compile(r"^/(tracks|playlists|users)/(\d+)")
KINDS = {"tracks": "audio", "playlists": "playlist", "users": "profile"}
RESERVED = {"discover", "search", "stream", "upload", "you", "pages", "charts", "mobile", "settings", "player",
            "oembed", "imprint", "terms-of-use", "jobs", "signin", "people", "tags"}


def _permalink_post(url: str, original: str) -> Post | None:
    segs = [s for s in urlsplit(url).path.split("/") if s]
    if not segs or segs[0].lower() in RESERVED:
        return None
    if len(segs) == 1:
        kind = "profile"
    elif len(segs) >= 3 and segs[1] == "sets":
        kind = "playlist"
    elif len(segs) == 2 and segs[1] not in ("sets", "tracks", "likes", "followers", "following", "albums", "reposts"):
        kind = "audio"
    else:
        return None
    post = Post(provider=KEY, kind=kind, post_url_original=original)
    post.put("post_url", normalize_url(f"https://soundcloud.com/{'/'.join(segs[:3])}"), DERIVED)
    post.put("post_id", "/".join(segs[:3]), FALLBACK)
    post.put("author_handle", segs[0], FALLBACK)
    post.put("author_url", f"https://soundcloud.com/{segs[0]}", DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for a SoundCloud permalink, an api.soundcloud.com URL or a w.soundcloud.com player URL."""
    url = absolute(url, None) or ""
    if not host_matches(url, "soundcloud.com"):
        return None
    parts = urlsplit(url)
    if host_matches(url, "w.soundcloud.com"):
        inner = parse_qs(parts.query).get("url", [""])[0]
        post = match_url(inner) if inner and not host_matches(inner, "w.soundcloud.com") else None
        if post is not None:
            post.post_url_original = url
            post.extra["embed_url"] = url
        return post
    if host_matches(url, "api.soundcloud.com", "api-v2.soundcloud.com"):
        m = API_PATH.match(parts.path)
        if not m:
            return None
        post = Post(provider=KEY, kind=KINDS[m.group(1)], post_url_original=url)
        post.put("post_id", m.group(2), FALLBACK)
        post.put("post_url", f"https://api.soundcloud.com/{m.group(1)}/{m.group(2)}", DERIVED)
        post.extra["api_url"] = post.post_url
        return post
    if (parts.hostname or "").lower() in ("soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"):
        return _permalink_post(url, url)
    return None


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        if not host_matches(url, "w.soundcloud.com"):
            continue
        post = match_url(url)
        if post is None:
            continue
        post.put("title", title_attr(el, ("SoundCloud", "SoundCloud Player", "SoundCloud Widget")), FALLBACK)
        cand = Candidate(post.post_id or url, el, post)
        credit = following(el, _is_credit)
        if credit is not None:
            _read_credit(credit, post, base_url)
            cand.also_remove.append(credit)
        cands.append(cand)
    for el in doc.find_all("amp-soundcloud"):
        if el.get("data-trackid"):
            post = match_url(f"https://api.soundcloud.com/tracks/{el['data-trackid']}")
        elif el.get("data-playlistid"):
            post = match_url(f"https://api.soundcloud.com/playlists/{el['data-playlistid']}")
        else:
            post = None
        if post is not None:
            cands.append(Candidate(post.post_id or "", el, post))
    return finish(cands)


def _is_credit(tag: Tag) -> bool:
    links = tag.find_all("a")
    return (tag.name in ("div", "p") and 1 <= len(links) <= 3 and not tag.find(["iframe", "img"])
            and all(host_matches(absolute(a.get("href"), None), "soundcloud.com") for a in links))


def _read_credit(credit: Tag, post: Post, base_url: str) -> None:
    """Artist link, then track (or playlist) link; the permalink becomes the post URL."""
    links = credit.find_all("a")
    artist, item = (links[0], links[-1]) if len(links) >= 2 else (None, links[0])
    permalink = _permalink_post(absolute(item.get("href"), base_url) or "", "")
    if permalink is not None and permalink.kind == post.kind:
        if post.post_url and post.post_url != permalink.post_url:
            post.extra.setdefault("api_url", post.post_url)
        post.post_url, post.sources["post_url"] = permalink.post_url, FALLBACK
        post.put("author_handle", permalink.author_handle, FALLBACK)
    post.put("title", item.get("title") or text_of(item), FALLBACK)
    if artist is not None:
        post.put("author_name", artist.get("title") or text_of(artist), FALLBACK)
        post.put("author_url", normalize_url(absolute(artist.get("href"), base_url)), FALLBACK)


ENDPOINTS = (
    # SoundCloud answers 404 for a removed track, a private one, and a live one asked with a trailing
    # slash: the track cannot be seen, which is not "gone".
    Endpoint("soundcloud", OEMBED_ENDPOINT, "https://soundcloud.com/oembed",
             oembed_reader(find=find, handle_rule=None, status_means={404: PRIVATE}), params=(("format", "json"),)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="SoundCloud", order=260, find=find, match_url=match_url,
    display=Display("☁", "#ff5500", handle_prefix="", verb="Listen on"), family="audio",
    hosts=("soundcloud.com", "sndcdn.com"), endpoints=ENDPOINTS)
