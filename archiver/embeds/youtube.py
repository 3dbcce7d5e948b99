"""YouTube: iframes (youtube.com, youtube-nocookie.com, lazy and noscript copies), `lite-youtube`
(including the progressive-enhancement `a.lty-playbtn` form), `amp-youtube`, WP Rocket's
`div.rll-youtube-player`, WP YouTube Lyte's `div#WYL_ID`, lazyYT `[data-youtube-id]`, and the legacy
Flash `object/embed` with youtube.com/v/ID. Playlists are kind "playlist"."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from ._media_util import (
    Candidate, absolute, classes, find_iframes, finish, is_template, title_attr,
)
from ._oembed import handle_after_host, oembed_reader
from ._pages import text_value
from ._urls import host_matches
from .base import (DERIVED, EMBED_PAGE, EMBED_PAGE_ENDPOINT, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint,
                   Media, Post, ProviderRecord, Reading, Reply)
from .reading import ERROR, GONE, OK, PRIVATE, from_status, with_fields

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

# The embed page's server HTML holds no player (the player script draws it) and always a
# <noscript> "player-unavailable" skeleton, live video or not: nothing in the markup says anything.
# The facts are JSON: ytcfg.set({... "PLAYER_VARS": {"embedded_player_response": "<JSON>"} ...}).
_YTCFG_SET = re.compile(r"ytcfg\.set\(\s*(?=\{)")
_INITIAL_RESPONSE = re.compile(r"ytInitialPlayerResponse\s*=\s*(?=\{)")
# playability status -> what it says about the video. ERROR is YouTube's "This video is unavailable"
# / "removed by the uploader"; the others exist but are not shown (age or sign-in walls, privacy).
PLAYABILITY = {"OK": OK, "LIVE_STREAM_OFFLINE": OK, "ERROR": GONE, "UNPLAYABLE": PRIVATE, "LOGIN_REQUIRED": PRIVATE,
               "AGE_CHECK_REQUIRED": PRIVATE, "AGE_VERIFICATION_REQUIRED": PRIVATE, "CONTENT_CHECK_REQUIRED": PRIVATE}


def _json_objects(text: str, pattern: re.Pattern) -> list[dict]:
    decoder, found = json.JSONDecoder(), []
    for m in pattern.finditer(text):
        try:
            value, _ = decoder.raw_decode(text, m.end())
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def player_response(html: str) -> dict | None:
    """The player response the embed page carries (embedded_player_response), parsed."""
    for cfg in _json_objects(html, _YTCFG_SET):
        vars_ = cfg.get("PLAYER_VARS")
        raw = vars_.get("embedded_player_response") if isinstance(vars_, dict) else None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                continue
        if isinstance(raw, dict):
            return raw
    found = _json_objects(html, _INITIAL_RESPONSE)
    return found[0] if found else None


def _runs(value) -> str | None:
    """The text of a YouTube text object ({"runs": [{"text": ...}]} or {"simpleText": ...})."""
    if isinstance(value, dict):
        if isinstance(value.get("simpleText"), str):
            return value["simpleText"].strip() or None
        runs = value.get("runs")
        if isinstance(runs, list):
            return "".join(r.get("text", "") for r in runs if isinstance(r, dict)).strip() or None
    return None


def _dig(value, *path):
    for key in path:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value


def _endpoint_url(run) -> str | None:
    nav = _dig(run, "navigationEndpoint") or {}
    url = _dig(nav, "urlEndpoint", "url") or _dig(nav, "browseEndpoint", "canonicalBaseUrl") or _dig(
        nav, "commandMetadata", "webCommandMetadata", "url")
    return absolute(url, "https://www.youtube.com/") if isinstance(url, str) else None


def _largest(thumbnails) -> dict | None:
    items = [t for t in thumbnails or [] if isinstance(t, dict) and isinstance(t.get("url"), str)]
    return max(items, key=lambda t: (t.get("width") or 0) * (t.get("height") or 0), default=None)


def read_player_response(data: dict, post: Post) -> Reading:
    status = _dig(data, "previewPlayabilityStatus") or _dig(data, "playabilityStatus") or {}
    code = status.get("status") if isinstance(status, dict) else None
    reason = (status.get("reason") if isinstance(status.get("reason"), str) else None) or _runs(
        _dig(status, "errorScreen", "playerErrorMessageRenderer", "reason")) if isinstance(status, dict) else None
    outcome = PLAYABILITY.get(code or "")
    if outcome is None:
        return Reading(ERROR, error=f"unknown playability status {code!r}" if code else "no playability status")
    if outcome != OK:
        said = f"playability {code}" + (f": {reason}" if reason else "")
        return Reading(outcome, error=said, evidence=said)
    reading = Reading(OK, evidence=f"playability {code}")
    f = reading.fields
    preview = _dig(data, "embedPreview", "thumbnailPreviewRenderer") or {}
    details = _dig(preview, "videoDetails", "embeddedPlayerOverlayVideoDetailsRenderer") or {}
    f["title"] = _runs(preview.get("title")) or _runs(_dig(details, "collapsedRenderer",
                                                           "embeddedPlayerOverlayVideoDetailsCollapsedRenderer", "title"))
    channel = _dig(details, "expandedRenderer", "embeddedPlayerOverlayVideoDetailsExpandedRenderer", "title") or {}
    f["author_name"] = _runs(channel)
    author_url = _endpoint_url(_dig(channel, "runs", 0)) or _endpoint_url(_dig(details, "channelThumbnailEndpoint")) or \
        absolute(_dig(details, "channelThumbnailEndpoint", "channelThumbnailEndpoint", "urlEndpoint", "urlEndpoint", "url"),
                 "https://www.youtube.com/")
    f["author_url"] = author_url
    if author_url and "/@" in author_url:
        f["author_handle"] = _channel_handle(author_url)
    avatar = _largest(_dig(details, "channelThumbnail", "thumbnails"))
    f["avatar_url"] = avatar["url"] if avatar else None
    thumb = _largest(_dig(preview, "defaultThumbnail", "thumbnails"))
    if thumb:
        reading.media.append(Media(thumb["url"], type="thumbnail", width=thumb.get("width"), height=thumb.get("height"),
                                   source=EMBED_PAGE))
    video = data.get("videoDetails") if isinstance(data.get("videoDetails"), dict) else {}   # a watch-page response
    f["title"] = f["title"] or text_value(video.get("title"))
    f["author_name"] = f["author_name"] or text_value(video.get("author"))
    f["text"] = text_value(video.get("shortDescription"))
    seconds = preview.get("videoDurationSeconds") or video.get("lengthSeconds")
    if isinstance(seconds, (str, int)) and str(seconds).isdigit() and int(seconds) > 0:
        reading.extra["duration"] = int(seconds)
    return with_fields(reading)


def read_embed_page(reply: Reply, post: Post) -> Reading:
    """YouTube's /embed/ID page: the player response JSON inside it, never its markup."""
    early = from_status(reply)
    if early is not None:
        return early
    data = player_response(reply.body.decode("utf-8", "replace"))
    if data is None:
        return Reading(ERROR, error="no player data in the embed page")
    return read_player_response(data, post)


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
             read_embed_page),
)

PROVIDER = ProviderRecord(
    key=KEY, name="YouTube", order=200, find=find, match_url=match_url,
    display=Display("▶", "#ff0000", verb="Watch on"), family="video",
    hosts=(*HOSTS, "ytimg.com", "ggpht.com", "googlevideo.com"), endpoints=ENDPOINTS, url_values=url_values)
