"""Twitch: `player.twitch.tv/?channel=|video=|collection=` and `embed.twitch.tv/?channel=` iframes,
`clips.twitch.tv/embed?clip=` iframes, and the JavaScript form (`new Twitch.Embed("ID", {channel: ...})`,
which leaves an empty `div#ID`): the div is the embed. A channel is kind "profile" (a live stream
that cannot be archived), a past broadcast or clip "video", a collection "playlist"."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from ._media_util import Candidate, absolute, find_iframes, finish, title_attr
from ._urls import host_matches
from .base import DERIVED, FALLBACK, Detected, Display, Post, ProviderRecord

KEY = "twitch"
JS_EMBED = re.compile(r"Twitch\.(?:Embed|Player)\(\s*[\"']([\w-]+)[\"']\s*,\s*\{(.*?)\}", re.S)
JS_OPTION = re.compile(r"\b(channel|video|collection)\s*:\s*[\"']([\w-]+)[\"']")
RESERVED = {"videos", "directory", "p", "downloads", "jobs", "settings", "search", "embed", "collections"}


def _post(kind: str, post_id: str, url: str, original: str) -> Post:
    post = Post(provider=KEY, kind=kind, post_url_original=original)
    post.extra["embed_url"] = original
    post.put("post_id", post_id, FALLBACK)
    post.put("post_url", url, DERIVED)
    return post


def from_params(channel: str | None, video: str | None, collection: str | None, clip: str | None,
                original: str) -> Post | None:
    if video:
        video = video.lstrip("v")
        return _post("video", video, f"https://www.twitch.tv/videos/{video}", original)
    if clip:
        return _post("video", clip, f"https://clips.twitch.tv/{clip}", original)
    if collection:
        return _post("playlist", collection, f"https://www.twitch.tv/collections/{collection}", original)
    if channel:
        post = _post("profile", channel.lower(), f"https://www.twitch.tv/{channel.lower()}", original)
        post.put("author_handle", channel.lower(), FALLBACK)
        post.put("author_url", post.post_url, DERIVED)
        post.extra["live"] = True
        return post
    return None


def match_url(url: str) -> Post | None:
    """A Post for a Twitch channel, past broadcast, clip or collection URL (page or player)."""
    url = absolute(url, None) or ""
    if not host_matches(url, "twitch.tv"):
        return None
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    segs = [s for s in parts.path.split("/") if s]
    if host_matches(url, "player.twitch.tv", "embed.twitch.tv"):
        return from_params(q.get("channel"), q.get("video"), q.get("collection"), None, url)
    if host_matches(url, "clips.twitch.tv"):
        slug = q.get("clip") if segs[:1] == ["embed"] else (segs[0] if segs else None)
        return from_params(None, None, None, slug, url)
    if len(segs) == 2 and segs[0] == "videos":
        return from_params(None, segs[1], None, None, url)
    if len(segs) == 2 and segs[0] == "collections":
        return from_params(None, None, segs[1], None, url)
    if len(segs) == 3 and segs[1] == "clip":
        return from_params(None, None, None, segs[2], url)
    if len(segs) == 1 and segs[0].lower() not in RESERVED and re.fullmatch(r"\w+", segs[0]):
        return from_params(segs[0], None, None, None, url)
    return None


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        post = match_url(url)
        if post:
            post.put("title", title_attr(el, ("Twitch", "Twitch video player", "Twitch player")), FALLBACK)
            cands.append(Candidate(post.post_id or url, el, post))
    for script in doc.find_all("script", src=False):
        for m in JS_EMBED.finditer(script.string or ""):
            target = doc.find(id=m.group(1))
            options = dict(JS_OPTION.findall(m.group(2)))
            post = from_params(options.get("channel"), options.get("video"), options.get("collection"), None,
                               f"https://player.twitch.tv/?{'&'.join(f'{k}={v}' for k, v in options.items())}")
            if target is not None and post is not None and not target.find("iframe"):
                cands.append(Candidate(post.post_id or "", target, post, box=target))
    return finish(cands)


PROVIDER = ProviderRecord(
    key=KEY, name="Twitch", order=230, find=find, match_url=match_url,
    display=Display("tv", "#9146ff", handle_prefix="", verb="Watch on"), family="video",
    hosts=("twitch.tv",))
