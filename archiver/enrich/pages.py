"""Reading the platforms' embed pages, and the JSON behind them, into Post fields (pure functions).

These are the documents a browser shows inside an embed's iframe (Instagram's /embed/captioned/,
Facebook's plugins/*.php, X's Tweet.html and its tweet-result JSON, TikTok's embed/v2, Bluesky's
embed page, YouTube's /embed/ID player). They are read by structure: class names the platforms
have kept for years where there are such names (Instagram's Caption/EmbeddedMediaImage, YouTube's
ytp-title-*), and otherwise by role (an avatar image in the header, a time[datetime], the paragraph
with the post's text), never by the words of one language. A page with no post in it and a notice
(role="alert", an "unavailable"/"tombstone" block) says the post is gone."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from bs4 import BeautifulSoup, Tag

from ..embeds.base import EMBED_PAGE, Media
from ..embeds._text import clean_text, sanitize_html, text_of
from ..embeds._urls import absolute
from .reading import ERROR, GONE, OK, Reading, from_status

_GONE_CLASS = re.compile(r"unavailable|tombstone|not-?found|removed|deleted|error", re.I)
_AVATAR = re.compile(r"avatar|profile|logo|userpic", re.I)
_CSS_URL = re.compile(r"url\(\s*(?:&quot;|[\"'])?(.*?)(?:&quot;|[\"'])?\s*\)", re.I)


# ------------------------------------------------------------------------ entry point
def read(status: int | None, body: bytes, mime: str, fetch_error: str | None = None, *,
         provider: str, kind: str = "post", data: bool = False, base_url: str = "") -> Reading:
    """What an embed page (or, with data=True, the JSON behind it) says. Never raises."""
    early = from_status(status, fetch_error)
    if early is not None:
        return early
    if data:
        return read_tweet_result(body)
    soup = BeautifulSoup(body, "lxml")
    reader = {"instagram": read_instagram, "youtube": read_youtube}.get(provider, read_card)
    reading = reader(soup, base_url, kind)
    has_author = any(reading.fields.get(k) for k in ("author_name", "author_handle", "avatar_url"))
    if not has_author and says_gone(soup):
        return Reading(GONE, error="the embed page says the post is unavailable")
    if reading.fields or reading.media:
        return reading
    return Reading(ERROR, error="no post found in the embed page")


def says_gone(soup: BeautifulSoup) -> bool:
    if soup.find(attrs={"role": "alert"}):
        return True
    return any(_GONE_CLASS.search(" ".join(el.get("class") or [])) for el in soup.find_all(True))


# ------------------------------------------------------------------------ X: tweet-result JSON
def read_tweet_result(body: bytes) -> Reading:
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return Reading(ERROR, error="answer is not valid JSON")
    if not isinstance(data, dict):
        return Reading(ERROR, error="answer is not a JSON object")
    if data.get("__typename") == "TweetTombstone" or "tombstone" in data:
        return Reading(GONE, error="the platform answered with a tombstone")
    if not data:
        return Reading(GONE, error="empty tweet result")
    reading = Reading(OK)
    f = reading.fields
    text = data.get("full_text") or data.get("text")
    if isinstance(text, str):
        rng = data.get("display_text_range")
        if isinstance(rng, list) and len(rng) == 2 and all(isinstance(i, int) for i in rng):
            text = text[rng[0]:rng[1]]
        f["text"] = clean_text(text)
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    f["author_name"] = _s(user.get("name"))
    f["author_handle"] = _s(user.get("screen_name"))
    f["avatar_url"] = _s(user.get("profile_image_url_https"))
    f["published_at"] = _twitter_time(data.get("created_at"))
    for item in data.get("mediaDetails") or []:
        if isinstance(item, dict) and _s(item.get("media_url_https")):
            info = item.get("original_info") or {}
            mtype = "image" if item.get("type") == "photo" else "video-poster"
            reading.media.append(Media(item["media_url_https"], type=mtype, alt=_s(item.get("ext_alt_text")) or "",
                                       width=info.get("width"), height=info.get("height"), source=EMBED_PAGE))
    for photo in data.get("photos") or []:
        if isinstance(photo, dict) and _s(photo.get("url")):
            if all(m.url != photo["url"] for m in reading.media):
                reading.media.append(Media(photo["url"], type="image", width=photo.get("width"),
                                           height=photo.get("height"), source=EMBED_PAGE))
    reading.fields = {k: v for k, v in f.items() if v}
    return reading


def _twitter_time(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ", "%a %b %d %H:%M:%S %z %Y"):
        try:
            when = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


# ------------------------------------------------------------------------ Instagram /embed/captioned/
def read_instagram(soup: BeautifulSoup, base_url: str, kind: str) -> Reading:
    reading = Reading(OK)
    f = reading.fields
    avatar = soup.select_one(".Avatar img, .EmbedHeader img")
    if avatar is not None:
        f["avatar_url"] = absolute(avatar.get("src"), base_url)
    user = soup.select_one(".UsernameText, .HeaderText a")
    if user is not None:
        f["author_handle"] = _s(user.get_text()).lstrip("@") if _s(user.get_text()) else None
        f["author_url"] = absolute(user.get("href"), base_url)
    caption = soup.select_one(".Caption")
    if caption is not None:
        caption = BeautifulSoup(str(caption), "lxml").select_one(".Caption")
        for noise in caption.select(".CaptionUsername, .CaptionComments"):
            noise.decompose()
        f["text"] = text_of(caption)
        f["text_html"] = sanitize_html(caption, base_url or None)
    for img in soup.select(".EmbeddedMediaImage, .EmbeddedMedia img"):
        src = absolute(img.get("src"), base_url)
        if src and all(m.url != src for m in reading.media):
            reading.media.append(Media(src, type="video-poster" if kind == "video" else "image",
                                       alt=img.get("alt") or "", width=_int(img.get("width")),
                                       height=_int(img.get("height")), source=EMBED_PAGE))
    time = soup.find("time", attrs={"datetime": True})
    if time is not None:
        f["published_at"] = time["datetime"]
    reading.fields = {k: v for k, v in f.items() if v}
    return reading


# ------------------------------------------------------------------------ YouTube /embed/ID
def read_youtube(soup: BeautifulSoup, base_url: str, kind: str) -> Reading:
    reading = Reading(OK)
    f = reading.fields
    logo = soup.select_one(".ytp-title-channel-logo")
    if logo is not None:
        f["avatar_url"] = _style_url(logo.get("style"))
        f["author_url"] = absolute(logo.get("href"), base_url)
    channel = soup.select_one(".ytp-title-channel-name")
    if channel is not None:
        f["author_name"] = _s(channel.get_text())
        f["author_url"] = f.get("author_url") or absolute(channel.get("href"), base_url)
    title = soup.select_one(".ytp-title-link")
    if title is not None:
        f["title"] = _s(title.get_text())
    thumb = soup.select_one(".ytp-cued-thumbnail-overlay-image")
    poster = _style_url(thumb.get("style")) if thumb is not None else None
    if poster:
        reading.media.append(Media(poster, type="thumbnail", source=EMBED_PAGE))
    reading.fields = {k: v for k, v in f.items() if v}
    return reading


# ------------------------------------------------------------------------ generic embed card
def read_card(soup: BeautifulSoup, base_url: str, kind: str) -> Reading:
    """X's Tweet.html, Facebook's plugins, TikTok's embed/v2, Bluesky's embed page: one post card."""
    root = soup.find("article") or soup.find(attrs={"data-post-id": True}) or soup.body or soup
    reading = Reading(OK)
    f = reading.fields
    avatar = _avatar(root)
    if avatar is not None:
        f["avatar_url"] = absolute(avatar.get("src"), base_url)
    author = root.select_one("a.author, [class*=author] a[href], a[class*=author]")
    name = root.select_one(".name, [class*=display-name], [class*=fullname]") or (
        author.find(["b", "strong"]) if author is not None else None)
    if name is not None:
        f["author_name"] = _s(name.get_text())
    handle = root.select_one(".handle, [class*=username], [class*=screen-name]")
    if handle is not None and _s(handle.get_text()):
        f["author_handle"] = handle.get_text().strip().lstrip("@")
    link = author if author is not None else (avatar.find_parent("a") if avatar is not None else None)
    if link is not None:
        f["author_url"] = absolute(link.get("href"), base_url)
    text = root.select_one(".text, [class*=post-text], [data-testid=tweetText], [class*=userContent], "
                           "[class*=caption], [class*=description]") or _first_text_paragraph(root)
    if text is not None:
        f["text"] = text_of(text)
        f["text_html"] = sanitize_html(text, base_url or None)
    time = root.find("time")
    if time is not None:
        f["published_at"] = _s(time.get("datetime"))
        f["date_text"] = _s(time.get_text())
    for img in root.find_all("img"):
        if img is avatar or _is_avatar(img):
            continue
        src = absolute(img.get("src"), base_url)
        if src and all(m.url != src for m in reading.media):
            reading.media.append(Media(src, type="video-poster" if kind == "video" else "image",
                                       alt=img.get("alt") or "", width=_int(img.get("width")),
                                       height=_int(img.get("height")), source=EMBED_PAGE))
    for video in root.find_all("video", poster=True):
        src = absolute(video["poster"], base_url)
        if src and all(m.url != src for m in reading.media):
            reading.media.append(Media(src, type="video-poster", source=EMBED_PAGE))
    reading.fields = {k: v for k, v in f.items() if v}
    return reading


def _avatar(root: Tag) -> Tag | None:
    for img in root.find_all("img"):
        if _is_avatar(img):
            return img
    header = root.find("header")
    return header.find("img") if header is not None else None


def _is_avatar(img: Tag) -> bool:
    names = " ".join(img.get("class") or []) + " " + (img.get("alt") or "")
    parent = img.parent if isinstance(img.parent, Tag) else None
    if parent is not None:
        names += " " + " ".join(parent.get("class") or [])
    return bool(_AVATAR.search(names))


def _first_text_paragraph(root: Tag) -> Tag | None:
    for p in root.find_all("p"):
        if p.find_parent(["header", "footer"]) is None and text_of(p):
            return p
    return None


def _style_url(style: str | None) -> str | None:
    m = _CSS_URL.search(style or "")
    return absolute(m.group(1), None) if m else None


def _s(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
