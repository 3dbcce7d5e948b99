"""Reading the platforms' embed pages into Post fields (pure functions, shared by providers).

These are the documents a browser shows inside an embed's iframe (Facebook's plugins/*.php, X's
Tweet.html, TikTok's embed/v2, Bluesky's embed page...). `page_reader(read_soup)` turns a
function over the parsed page into an endpoint reader; `read_card` is the reader of a page that
shows one post card, by role (an avatar image in the header, a time[datetime], the paragraph with
the post's text), never by the words of one language. Providers whose pages have their own
structure (Instagram, YouTube) pass their own `read_soup`."""
from __future__ import annotations

import re
from typing import Any, Callable

from bs4 import BeautifulSoup, Tag

from ._dates import iso_utc
from ._match import attribute, class_contains, first, has_class, inside, tag
from ._text import sanitize_html, text_of
from ._urls import absolute
from .base import EMBED_PAGE, Media, Post, Reader, Reading, Reply
from .reading import ERROR, OK, PRIVATE, from_status, login_wall, with_fields

_AVATAR = re.compile(r"avatar|profile|logo|userpic", re.I)
_CSS_URL = re.compile(r"url\(\s*(?:&quot;|[\"'])?(.*?)(?:&quot;|[\"'])?\s*\)", re.I)

ReadSoup = Callable[[BeautifulSoup, str, Post], Reading]


def page_reader(read_soup: ReadSoup, status_means: dict[int, str] | None = None) -> Reader:
    """An endpoint reader for an HTML embed page read by `read_soup(soup, base_url, post)`;
    `status_means`: HTTP statuses the platform's page uses otherwise (see reading.from_status)."""

    def read(reply: Reply, post: Post) -> Reading:
        early = from_status(reply, status_means) or login_wall(reply)
        if early is not None:
            return early
        soup = BeautifulSoup(reply.body, "lxml")
        reading = read_soup(soup, reply.url, post)
        if reading.outcome != OK:      # the page's own data said so (TikTok's state, YouTube's playability)
            return reading
        has_author = any(reading.fields.get(k) for k in ("author_name", "author_handle", "avatar_url"))
        if not has_author and shows_notice(soup):
            # A notice where the post would be: the platform will not show it. Embed pages do not
            # tell a deleted post from a private one, so this is never taken for deleted.
            return Reading(PRIVATE, error="the embed page shows a notice instead of the post",
                           evidence="the embed page shows a notice (role=alert) instead of the post")
        if reading.fields or reading.media:
            reading.evidence = reading.evidence or "the embed page shows the post"
            return reading
        # An app shell (the post is drawn by script, as on X's Tweet.html and Bluesky's embed page):
        # it says nothing about the post.
        return Reading(ERROR, error="no post found in the embed page (drawn by script)")

    return read


def shows_notice(soup: BeautifulSoup) -> bool:
    """An alert (role="alert") in a page that holds no post. Class names and words are not read:
    they are styling and language (YouTube's player page always carries a "player-unavailable"
    block for browsers without JavaScript)."""
    return soup.find(attrs={"role": "alert"}) is not None


def read_card(soup: BeautifulSoup, base_url: str, post: Post) -> Reading:
    """A page that shows one post card (X's Tweet.html, Facebook's plugins, TikTok's embed/v2,
    Bluesky's embed page)."""
    root = soup.find("article") or soup.find(attrs={"data-post-id": True}) or soup.body or soup
    reading = Reading(OK)
    f = reading.fields
    avatar = _avatar(root, post)
    if avatar is not None:
        f["avatar_url"] = absolute(avatar.get("src"), base_url)
    author = first(root, tag("a", has_class("author")), tag("a", attribute("href"), inside(class_contains("author"))),
                   tag("a", class_contains("author")))
    name = first(root, has_class("name"), class_contains("display-name"), class_contains("fullname")) or (
        author.find(["b", "strong"]) if author is not None else None)
    if name is not None:
        f["author_name"] = text_value(name.get_text())
    handle = first(root, has_class("handle"), class_contains("username"), class_contains("screen-name"))
    if handle is not None and text_value(handle.get_text()):
        f["author_handle"] = handle.get_text().strip().lstrip("@")
    link = author if author is not None else (avatar.find_parent("a") if avatar is not None else None)
    if link is not None:
        f["author_url"] = absolute(link.get("href"), base_url)
    if avatar is not None and not (f.get("author_name") and f.get("author_handle")):
        name_text, handle_text = _byline(root, avatar)
        f["author_name"] = f.get("author_name") or name_text
        f["author_handle"] = f.get("author_handle") or handle_text
    text = first(root, has_class("text"), class_contains("post-text"), attribute("data-testid", "tweetText"),
                 class_contains("userContent"), class_contains("caption"), class_contains("description")) \
        or _first_text_paragraph(root)
    if text is not None:
        f["text"] = text_of(text)
        f["text_html"] = sanitize_html(text, base_url or None)
    time = root.find("time")
    if time is not None:
        stamp = text_value(time.get("datetime"))
        f["published_at"] = iso_utc(stamp) or stamp
        f["date_text"] = text_value(time.get_text())
    for img in root.find_all("img"):
        if img is avatar or _is_avatar(img):
            continue
        add_image(reading, absolute(img.get("src"), base_url), post, alt=img.get("alt") or "",
                  width=int_value(img.get("width")), height=int_value(img.get("height")))
    for video in root.find_all("video", poster=True):
        add_image(reading, absolute(video["poster"], base_url), post, type="video-poster")
    return with_fields(reading)


read_card_page = page_reader(read_card)


def add_image(reading: Reading, src: str | None, post: Post, *, type: str | None = None, alt: str = "",
              width: int | None = None, height: int | None = None) -> None:
    """Add an image of the post's embed page to the reading once (a poster for videos)."""
    if src and all(m.url != src for m in reading.media):
        kind = type or ("video-poster" if post.kind == "video" else "image")
        reading.media.append(Media(src, type=kind, alt=alt, width=width, height=height, source=EMBED_PAGE))


def _avatar(root: Tag, post: Post) -> Tag | None:
    for img in root.find_all("img"):
        if _is_avatar(img):
            return img
    header = root.find("header")
    if header is not None and header.find("img") is not None:
        return header.find("img")
    # by role: the first image in a link to the same place as another link that has words (the
    # author's profile, linked from both the picture and the name; never a link to the post itself)
    named = {a.get("href") for a in root.find_all("a", href=True) if a.find("img") is None and text_of(a)
             and not (post.post_id and post.post_id in a["href"])}
    for img in root.find_all("img"):
        link = img.find_parent("a")
        if link is not None and link.get("href") in named:
            return img
    return None


def _byline(root: Tag, avatar: Tag) -> tuple[str | None, str | None]:
    """(name, handle) from the links to the avatar's profile: the "@…" string is the handle, the
    first other string the name."""
    link = avatar.find_parent("a")
    if link is None:
        return None, None
    strings = [s.strip() for a in root.find_all("a", href=link.get("href")) for s in a.stripped_strings]
    handle = next((s[1:] for s in strings if s.startswith("@") and len(s) > 1 and " " not in s), None)
    name = next((s for s in strings if not s.startswith("@")), None)
    return name, handle


def _is_avatar(img: Tag) -> bool:
    names = " ".join(img.get("class") or []) + " " + (img.get("alt") or "")
    parent = img.parent if isinstance(img.parent, Tag) else None
    if parent is not None:
        names += " " + " ".join(parent.get("class") or [])
    return bool(_AVATAR.search(names))


def _first_text_paragraph(root: Tag) -> Tag | None:
    for p in root.find_all("p"):
        if p.find_parent(["header", "footer", "a"]) is None and text_of(p):
            return p
    return None


def style_url(style: str | None) -> str | None:
    """The first url(...) in a style attribute."""
    m = _CSS_URL.search(style or "")
    return absolute(m.group(1), None) if m else None


def text_value(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def int_value(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
