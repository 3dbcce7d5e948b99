"""YouTube: iframes (youtube.com, youtube-nocookie.com, lazy and noscript copies), `lite-youtube`
(including the progressive-enhancement `a.lty-playbtn` form), `amp-youtube`, WP Rocket's
`div.rll-youtube-player`, WP YouTube Lyte's `div#WYL_ID`, lazyYT `[data-youtube-id]`, and the legacy
Flash `object/embed` with youtube.com/v/ID. Playlists are kind "playlist"."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from ._media_util import (
    Candidate, absolute, classes, find_iframes, finish, is_template, title_attr,
)
from ._oembed import handle_after_host, oembed_reader
from ._pages import page_reader, style_url, text_value
from ._urls import host_matches
from .base import (DERIVED, EMBED_PAGE, EMBED_PAGE_ENDPOINT, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint,
                   Media, Post, ProviderRecord, Reading)
from .reading import OK, with_fields

KEY = "youtube"
HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be", "youtube.googleapis.com")
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{10,12}$")
PATH_ID = re.compile(r"^/(?:embed|v|e|shorts|live|watch)/([A-Za-z0-9_-]{10,12})(?:[/?&#]|$)")
NOT_IDS = {"videoseries", "live_stream"}
GENERIC_TITLES = ("YouTube video player", "YouTube video", "YouTube", "YouTube player", "video", "Video player",
                  "Embedded video", "Embedded content", "iframe")
PLAY_PREFIX = re.compile(r"^\s*play(?:\s+video)?\s*[:\-–]\s*", re.I)


def poster_url(video_id: str) -> str:
    return f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"


def match_url(url: str) -> Post | None:
    """A Post for any YouTube video, Short, live, playlist or live-channel URL (watch, youtu.be, embed, v)."""
    url = absolute(url, None) or ""
    if not host_matches(url, *HOSTS):
        return None
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    video_id = None
    if host_matches(url, "youtu.be"):
        video_id = parts.path.strip("/").split("/")[0]
    elif parts.path in ("/watch", "/watch/"):
        video_id = query.get("v")
    else:
        m = PATH_ID.match(parts.path)
        video_id = m.group(1) if m and m.group(1) not in NOT_IDS else None
    post = Post(provider=KEY, kind="video", post_url_original=url)
    post.extra["embed_url"] = url
    if video_id and VIDEO_ID.match(video_id):
        post.put("post_id", video_id, FALLBACK)
        post.put("post_url", f"https://www.youtube.com/watch?v={video_id}", DERIVED)
        post.add_media(Media(url=poster_url(video_id), type="video-poster", source=DERIVED))
        start = query.get("start") or query.get("t")
        if start:
            post.extra["start"] = start
        if query.get("list"):
            post.extra["playlist_id"] = query["list"]
        return post
    if query.get("list"):
        post.kind = "playlist"
        post.put("post_id", query["list"], FALLBACK)
        post.put("post_url", f"https://www.youtube.com/playlist?list={query['list']}", DERIVED)
        return post
    channel = query.get("channel")
    if parts.path.startswith("/embed/live_stream") and channel:
        post.put("post_id", channel, FALLBACK)
        post.put("post_url", f"https://www.youtube.com/channel/{channel}/live", DERIVED)
        post.extra["live"] = True
        return post
    return None


def video_post(video_id: str, original: str | None = None) -> Post | None:
    if not VIDEO_ID.match(video_id or ""):
        return None
    post = match_url(f"https://www.youtube.com/embed/{video_id}")
    if post is not None:
        post.post_url_original = original or post.post_url_original
    return post


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    legacy: list[Tag] = []
    for obj in doc.find_all("object"):
        url = _flash_url(obj, base_url)
        post = match_url(url) if url else None
        if post and not is_template(obj):
            legacy.append(obj)
            cands.append(Candidate(post.post_id or url, obj, post))
    for el, url in find_iframes(doc, base_url, ("iframe", "embed", "amp-iframe")):
        if any(el is o or any(p is o for p in el.parents) for o in legacy):
            continue
        post = match_url(url)
        if post:
            post.put("title", title_attr(el, GENERIC_TITLES), FALLBACK)
            cands.append(Candidate(post.post_id or url, el, post))
    cands += _custom_elements(doc, base_url)
    return finish(cands)


def _flash_url(obj: Tag, base_url: str) -> str | None:
    for value in [obj.get("data")] + [p.get("value") for p in obj.find_all("param")
                                      if (p.get("name") or "").lower() in ("movie", "src")]:
        url = absolute(value, base_url) if isinstance(value, str) else None
        if url and host_matches(url, *HOSTS):
            return url
    return None


def _custom_elements(doc: BeautifulSoup, base_url: str) -> list[Candidate]:
    out: list[Candidate] = []
    for el in doc.find_all(["lite-youtube", "amp-youtube", "div", "span"]):
        post = _custom_post(el, base_url)
        if post is None or is_template(el):
            continue
        post.post_url_original = post.post_url_original or post.post_url
        box = None
        if el.name == "div" and (el.get("id") or "").startswith("WYL_"):
            wrapper = el.find_parent("div", class_="lyte-wrapper")
            box = wrapper or el
        out.append(Candidate(post.post_id or "", el, post, box=box))
    return out


def _custom_post(el: Tag, base_url: str) -> Post | None:
    if el.name == "lite-youtube":
        return _lite(el, base_url)
    if el.name == "amp-youtube":
        vid = el.get("data-videoid")
        if vid:
            return video_post(vid)
        channel = el.get("data-live-channelid")
        return match_url(f"https://www.youtube.com/embed/live_stream?channel={channel}") if channel else None
    cls = classes(el)
    if "rll-youtube-player" in cls and el.get("data-id"):
        post = video_post(el["data-id"], absolute(el.get("data-src"), base_url))
        if post:
            post.put("title", el.get("data-alt"), FALLBACK)
        return post
    if el.name == "div" and (el.get("id") or "").startswith("WYL_"):
        post = video_post(el["id"][4:])
        if post:
            title = el.find(class_="tT")
            post.put("title", title.get_text(" ", strip=True) if title else None, FALLBACK)
        return post
    if el.get("data-youtube-id") and el.name in ("div", "span"):
        post = video_post(el["data-youtube-id"])
        if post:
            post.put("title", el.get("title"), FALLBACK)
        return post
    return None


def _lite(el: Tag, base_url: str) -> Post | None:
    vid, playlist = el.get("videoid"), el.get("playlistid")
    post = video_post(vid) if vid else None
    if post is None and playlist:
        post = match_url(f"https://www.youtube.com/playlist?list={playlist}")
    if post is None:
        return None
    label = el.get("playlabel") or el.get("title")
    if not label:
        hidden = el.find(class_=re.compile(r"visually-hidden"))
        label = hidden.get_text(" ", strip=True) if hidden else None
    if label:
        post.put("title", PLAY_PREFIX.sub("", label), FALLBACK)
    button = el.find("a", class_=["lty-playbtn", "lyt-playbtn"])
    if button and button.get("href"):
        post.post_url_original = absolute(button["href"], base_url)
    m = re.search(r"url\(\s*['\"]?([^'\")]+)", el.get("style") or "")
    poster = absolute(m.group(1), base_url) if m else None
    if poster:
        post.media = [Media(url=poster, type="video-poster", source=FALLBACK)] + [
            media for media in post.media if media.url != poster]
    return post


# --- what the platform answers ------------------------------------------------------------------

def read_embed_soup(soup: BeautifulSoup, base_url: str, post: Post) -> Reading:
    """YouTube's /embed/ID player page."""
    reading = Reading(OK)
    f = reading.fields
    logo = soup.select_one(".ytp-title-channel-logo")
    if logo is not None:
        f["avatar_url"] = style_url(logo.get("style"))
        f["author_url"] = absolute(logo.get("href"), base_url)
    channel = soup.select_one(".ytp-title-channel-name")
    if channel is not None:
        f["author_name"] = text_value(channel.get_text())
        f["author_url"] = f.get("author_url") or absolute(channel.get("href"), base_url)
    title = soup.select_one(".ytp-title-link")
    if title is not None:
        f["title"] = text_value(title.get_text())
    thumb = soup.select_one(".ytp-cued-thumbnail-overlay-image")
    poster = style_url(thumb.get("style")) if thumb is not None else None
    if poster:
        reading.media.append(Media(poster, type="thumbnail", source=EMBED_PAGE))
    return with_fields(reading)


def _channel_handle(author_url: str) -> str | None:
    """A handle only from a /@handle channel URL (/channel/UC... and /user/... are not handles)."""
    return handle_after_host(author_url) if "/@" in author_url else None


def url_values(post: Post) -> dict[str, str]:
    """{id}: the 11-character video id."""
    if post.post_id and VIDEO_ID.match(post.post_id):
        return {"id": post.post_id}
    for value in (post.post_url, post.post_url_original, post.extra.get("embed_url")):
        found = match_url(value) if isinstance(value, str) else None
        if found and found.post_id and VIDEO_ID.match(found.post_id):
            return {"id": found.post_id}
    return {}


ENDPOINTS = (
    Endpoint("youtube", OEMBED_ENDPOINT, "https://www.youtube.com/oembed",
             oembed_reader(find=find, handle_rule=_channel_handle), params=(("format", "json"),)),
    Endpoint("youtube.embed-page", EMBED_PAGE_ENDPOINT, "https://www.youtube.com/embed/{id}",
             page_reader(read_embed_soup)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="YouTube", order=200, find=find, match_url=match_url,
    display=Display("▶", "#ff0000", verb="Watch on"), family="video",
    hosts=(*HOSTS, "ytimg.com", "ggpht.com", "googlevideo.com"), endpoints=ENDPOINTS, url_values=url_values)
