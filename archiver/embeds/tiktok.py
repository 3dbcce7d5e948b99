"""TikTok: `blockquote.tiktok-embed[cite][data-video-id]` (video embeds; creator embeds with
`data-embed-type="creator"` are kind "profile"), the `player/v1/ID` and `embed/v2/ID` iframes, and
`amp-tiktok[data-src]` (an ID or a URL).

Fallback: handle (the `@handle` link), caption (`<p>`, or the section's loose text when a CMS
dropped the `<p>`), sound (the `/music/` link, kept in extra["sound"]). No date and no display name:
the date is derived from the video ID (seconds in its top 32 bits; undocumented, so DERIVED)."""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from . import _social
from ._dates import epoch_utc, tiktok_id_time
from ._media_util import Candidate, find_iframes, finish
from ._urls import absolute, host_matches
from ._oembed import oembed_reader
from ._pages import add_image, page_reader, read_card, text_value
from .base import (DERIVED, EMBED_PAGE_ENDPOINT, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post,
                   ProviderRecord, Reading)
from .reading import ERROR, GONE, OK, PRIVATE, with_fields

KEY = "tiktok"
HOSTS = ("tiktok.com",)
VIDEO_PATH = re.compile(r"^/@(?P<handle>[\w.\-]+)/(?P<type>video|photo)/(?P<id>\d{8,25})")
PLAYER_PATH = re.compile(r"^/(?:player/v1|embed/v2|embed|v)/(?P<id>\d{8,25})(?:\.html)?(?:[/?#]|$)")
PROFILE_PATH = re.compile(r"^/@(?P<handle>[\w.\-]+)/?$")
SOUND_MARK = "\u266c"


def post_url(video_id: str, handle: str | None = None, kind: str = "video") -> str:
    # Without a handle TikTok resolves "/@/video/ID" to the post.
    return f"https://www.tiktok.com/@{handle or ''}/{kind}/{video_id}"


def _new_post(url: str, video_id: str, handle: str | None, kind_path: str = "video") -> Post:
    post = Post(provider=KEY, kind="photo" if kind_path == "photo" else "video", post_url_original=url)
    post.put("post_id", video_id, FALLBACK)
    post.put("post_url", post_url(video_id, handle, kind_path), FALLBACK if handle else DERIVED)
    if handle:
        post.put("author_handle", handle, FALLBACK)
        post.put("author_url", f"https://www.tiktok.com/@{handle}", DERIVED)
    post.put("published_at", tiktok_id_time(video_id), DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for a TikTok video/photo URL, a player/embed URL (kind video) or a profile (kind profile)."""
    url = absolute(url, None)
    if not url or not host_matches(url, *HOSTS):
        return None
    path = urlsplit(url).path
    m = VIDEO_PATH.match(path)
    if m:
        return _new_post(url, m.group("id"), m.group("handle"), m.group("type"))
    m = PLAYER_PATH.match(path)
    if m:
        post = _new_post(url, m.group("id"), None)
        post.extra["embed_url"] = url
        return post
    m = PROFILE_PATH.match(path)
    if m:
        post = Post(provider=KEY, kind="profile", post_url_original=url)
        post.put("post_url", f"https://www.tiktok.com/@{m.group('handle')}", FALLBACK)
        post.put("author_handle", m.group("handle"), FALLBACK)
        post.put("author_url", f"https://www.tiktok.com/@{m.group('handle')}", DERIVED)
        return post
    return None


def read_fallback(quote: Tag, post: Post, base_url: str) -> None:
    handle_link = sound_link = None
    for a, url in _social.links(quote, base_url):
        path = urlsplit(url).path
        if handle_link is None and PROFILE_PATH.match(path) and host_matches(url, *HOSTS):
            handle_link = a
        elif "/music/" in path or (a.get_text() or "").strip().startswith(SOUND_MARK):
            sound_link = a
    if handle_link is not None:
        m = PROFILE_PATH.match(urlsplit(absolute(handle_link["href"], base_url) or "").path)
        if m:
            _social.prefer(post, "author_handle", m.group("handle"))
            _social.prefer(post, "author_url", f"https://www.tiktok.com/@{m.group('handle')}", DERIVED)
            if post.post_id and post.kind != "profile":
                _social.prefer(post, "post_url", post_url(post.post_id, m.group("handle")))
    if sound_link is not None:
        sound = (_social.text_of_link(sound_link) or "").lstrip(SOUND_MARK).strip()
        if sound:
            post.extra["sound"] = sound
            post.extra["sound_url"] = absolute(sound_link.get("href"), base_url)
    paras = quote.find_all("p")
    if paras:
        _social.put_text(post, paras, base_url)
    else:
        section = quote.find("section") or quote
        loose = [n for n in section.children
                 if n is not handle_link and n is not sound_link
                 and (isinstance(n, Tag) or (isinstance(n, NavigableString) and n.strip()))]
        _social.put_text(post, loose, base_url)
    _social.add_images(post, quote, base_url)


def _blockquotes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for quote in _social.roots(doc, "blockquote", "tiktok-embed"):
        cite = absolute(quote.get("cite"), base_url)
        video_id = (quote.get("data-video-id") or "").strip()
        post = match_url(cite) if cite else None
        if post is None and video_id.isdigit():
            post = _new_post(cite or post_url(video_id), video_id, None)
        if post is None:
            continue
        if (quote.get("data-embed-type") or "").lower() == "creator":
            post.kind = "profile"
            _social.prefer(post, "author_handle", quote.get("data-unique-id"))
        read_fallback(quote, post, base_url)
        yield Candidate(identity=post.post_url or "", inner=quote, post=post, box=quote)


def _iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for frame, url in find_iframes(doc, base_url):
        if host_matches(url, *HOSTS) and PLAYER_PATH.match(urlsplit(url).path):
            post = match_url(url)
            if post is not None:
                yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def _amp(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for amp in doc.find_all("amp-tiktok"):
        src = (amp.get("data-src") or "").strip()
        if _social.in_template(amp) or not src:
            continue
        post = _new_post(post_url(src), src, None) if src.isdigit() else match_url(absolute(src, base_url) or "")
        if post is not None:
            quote = amp.find("blockquote", class_="tiktok-embed")
            if quote is not None:
                read_fallback(quote, post, base_url)
            yield Candidate(identity=post.post_url or "", inner=amp, post=post, box=amp)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish([*_amp(doc, base_url), *_blockquotes(doc, base_url), *_iframes(doc, base_url)])


def url_values(post: Post) -> dict[str, str]:
    """{id}: the numeric video id."""
    if post.post_id and post.post_id.isdigit():
        return {"id": post.post_id}
    for value in (post.post_url, post.post_url_original):
        found = match_url(value) if value else None
        if found and found.post_id and found.post_id.isdigit():
            return {"id": found.post_id}
    return {}


# The embed page's state (`__FRONTITY_CONNECT_STATE__`) answers an error object instead of videoData:
# 10204 is a video that does not exist (removed); 10216 and 10222 a private video or account.
STATE_ERRORS = {10204: GONE, 10216: PRIVATE, 10222: PRIVATE}


def read_embed_page(soup: BeautifulSoup, base_url: str, post: Post) -> Reading:
    """embed/v2/ID: the server-rendered state JSON (videoData: itemInfos, authorInfos, musicInfos);
    a page without it is read as a card."""
    script = soup.find("script", id="__FRONTITY_CONNECT_STATE__")
    try:
        state = json.loads(script.string or "") if script is not None else None
    except ValueError:
        state = None
    routes = _dig(state, "source", "data")
    if not isinstance(routes, dict):
        return read_card(soup, base_url, post)
    route = routes.get(f"/embed/v2/{post.post_id}") if post.post_id else None
    if not isinstance(route, dict):
        route = next((v for k, v in routes.items() if k.startswith("/embed/v2/") and isinstance(v, dict)), {})
    video = route.get("videoData")
    if not isinstance(video, dict):
        code = route.get("errorCode") if route.get("isError") else route.get("statusCode")
        outcome = STATE_ERRORS.get(code) if isinstance(code, int) else None
        said = f"embed state error {code}" if code is not None else "embed state without videoData"
        return Reading(outcome or ERROR, error=said, evidence=said if outcome else None)
    item, author, music = (video.get(k) if isinstance(video.get(k), dict) else {}
                           for k in ("itemInfos", "authorInfos", "musicInfos"))
    reading = Reading(OK, evidence="the embed page's state holds the video")
    f = reading.fields
    handle = text_value(author.get("uniqueId"))
    f["author_handle"] = handle
    f["author_name"] = text_value(author.get("nickName"))
    f["author_url"] = f"https://www.tiktok.com/@{handle}" if handle else None
    f["avatar_url"] = (_first(author.get("coversMedium")) or _first(author.get("covers"))
                       or _first(author.get("avatarThumb")))
    f["text"] = text_value(item.get("text"))
    f["published_at"] = epoch_utc(item.get("createTime"))
    add_image(reading, _first(item.get("covers")) or _first(item.get("coversOrigin")), post, type="video-poster")
    duration = _dig(item, "video", "videoMeta", "duration")
    if isinstance(duration, (int, float)) and duration > 0:
        reading.extra["duration"] = duration
    name, by = text_value(music.get("musicName")), text_value(music.get("authorName"))
    if name:
        reading.extra["sound"] = f"{name} - {by}" if by and by not in name else name
    return with_fields(reading)


def _dig(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return text_value(value) if isinstance(value, str) else None


ENDPOINTS = (
    # oEmbed's `title` is the video's caption, not a headline
    Endpoint("tiktok", OEMBED_ENDPOINT, "https://www.tiktok.com/oembed", oembed_reader(find=find, title_is_text=True)),
    Endpoint("tiktok.embed-page", EMBED_PAGE_ENDPOINT, "https://www.tiktok.com/embed/v2/{id}?lang=en-US",
             page_reader(read_embed_page)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="TikTok", order=140, find=find, match_url=match_url,
    display=Display("♪", "#111111", hashtag_url="https://www.tiktok.com/tag/{}", mention_url="https://www.tiktok.com/@{}"),
    hosts=(*HOSTS, "tiktokcdn.com", "tiktokcdn-us.com", "tiktokv.com"), endpoints=ENDPOINTS, url_values=url_values)
