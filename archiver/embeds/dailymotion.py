"""Dailymotion: legacy `dailymotion.com/embed/video/ID` iframes, the current player iframes
(`geo.dailymotion.com/player.html?video=ID`, `geo.dailymotion.com/player/PID.html?video=ID`), playlists,
`amp-dailymotion`, and the script-only player `<script src=".../player/PID.js" data-video="ID">`, which is
the whole embed (it must be read before scripts are stripped)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from ._media_util import Candidate, absolute, find_iframes, finish, is_template, title_attr
from ._urls import host_matches
from ._oembed import oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Media, Post, ProviderRecord

KEY = "dailymotion"
VIDEO_PATH = re.compile(r"^/(?:embed/)?video/([a-zA-Z0-9]+)")
PLAYLIST_PATH = re.compile(r"^/(?:embed/)?playlist/([a-zA-Z0-9]+)")
PLAYER_SCRIPT = re.compile(r"^/player/([a-zA-Z0-9]+)\.js$")
GENERIC_TITLES = ("Dailymotion video player", "Dailymotion Video Player", "Dailymotion", "video")


def video_post(video_id: str, original: str) -> Post:
    post = Post(provider=KEY, kind="video", post_url_original=original)
    post.extra["embed_url"] = original
    post.put("post_id", video_id, FALLBACK)
    post.put("post_url", f"https://www.dailymotion.com/video/{video_id}", DERIVED)
    post.add_media(Media(url=f"https://www.dailymotion.com/thumbnail/video/{video_id}", type="video-poster",
                         source=DERIVED))
    return post


def playlist_post(playlist_id: str, original: str) -> Post:
    post = Post(provider=KEY, kind="playlist", post_url_original=original)
    post.put("post_id", playlist_id, FALLBACK)
    post.put("post_url", f"https://www.dailymotion.com/playlist/{playlist_id}", DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for a Dailymotion video or playlist URL (page, embed, player, dai.ly)."""
    url = absolute(url, None) or ""
    if not host_matches(url, "dailymotion.com", "dai.ly"):
        return None
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if host_matches(url, "dai.ly"):
        video_id = parts.path.strip("/")
        return video_post(video_id, url) if re.fullmatch(r"[a-zA-Z0-9]+", video_id) else None
    if query.get("video"):
        return video_post(query["video"], url)
    if query.get("playlist"):
        return playlist_post(query["playlist"], url)
    m = VIDEO_PATH.match(parts.path)
    if m:
        return video_post(m.group(1), url)
    m = PLAYLIST_PATH.match(parts.path)
    return playlist_post(m.group(1), url) if m else None


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        post = match_url(url)
        if post:
            post.put("title", title_attr(el, GENERIC_TITLES), FALLBACK)
            cands.append(Candidate(post.post_id or url, el, post))
    for script in doc.find_all("script", src=True):
        src = absolute(script["src"], base_url) or ""
        m = PLAYER_SCRIPT.match(urlsplit(src).path) if host_matches(src, "geo.dailymotion.com") else None
        if not m:
            continue
        if script.get("data-video"):
            post = video_post(script["data-video"], src)
        elif script.get("data-playlist"):
            post = playlist_post(script["data-playlist"], src)
        else:
            continue                      # the player library alone is not an embed
        post.extra["player_id"] = m.group(1)
        cands.append(Candidate(post.post_id or src, script, post))
    for el in doc.find_all("amp-dailymotion"):
        if el.get("data-videoid") and not is_template(el):
            post = video_post(el["data-videoid"], f"https://www.dailymotion.com/video/{el['data-videoid']}")
            cands.append(Candidate(post.post_id or "", el, post))
    return finish(cands)


ENDPOINTS = (
    # the `player` parameter is mandatory since 2026
    Endpoint("dailymotion", OEMBED_ENDPOINT, "https://www.dailymotion.com/services/oembed", oembed_reader(find=find),
             params=(("format", "json"), ("player", "default"))),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Dailymotion", order=220, find=find, match_url=match_url,
    display=Display("d", "#0d0d0d", handle_prefix="", verb="Watch on"), family="video",
    hosts=("dailymotion.com", "dai.ly", "dmcdn.net"), endpoints=ENDPOINTS)
