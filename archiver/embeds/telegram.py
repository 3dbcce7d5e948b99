"""Telegram: the whole embed is one script, `<script src=".../telegram-widget.js"
data-telegram-post="channel/123">`: that script IS the element (read before scripts are stripped).
The widget's injected iframe (`iframe#telegram-post-channel-123`, src `t.me/channel/123?embed=1`) is
the rendered state (in a saved page only its id may be left); the script and the iframe it made are
one post (the registry merges copies of a post that sit side by side). A frame saved with its
document (SingleFile's `srcdoc`) gives the channel's name, the text, the time and the pictures the
widget showed. Login/discussion widgets (`data-telegram-login`, `data-telegram-discussion`) are not
posts."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from . import _social
from ._dates import iso_utc
from ._match import attribute, every, first, has_class, inside, tag
from ._media_util import Candidate, finish, iframe_url, is_template
from ._pages import style_url
from ._urls import absolute, host_matches
from .base import DERIVED, EMBED_PAGE, FALLBACK, Detected, Display, Media, Post, ProviderRecord

KEY = "telegram"
FRAME_ID = re.compile(r"^telegram-post-([A-Za-z]\w{3,31})-(\d{1,12})$")   # the id the widget gives its iframe
POST_REF = re.compile(r"^(?:s/)?(?P<channel>[A-Za-z][\w]{3,31})/(?P<id>\d{1,12})$")


def post_for_ref(ref: str, original: str | None = None) -> Post | None:
    m = POST_REF.match(ref.strip().strip("/"))
    if not m:
        return None
    post = Post(provider=KEY, kind="post", post_url_original=original or ref)
    post.put("post_url", f"https://t.me/{m.group('channel')}/{m.group('id')}", FALLBACK)
    post.put("post_id", m.group("id"), DERIVED)
    post.put("author_handle", m.group("channel"), FALLBACK)
    post.put("author_url", f"https://t.me/{m.group('channel')}", DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for `t.me/channel/123` (also `t.me/s/channel/123`, telegram.me)."""
    url = absolute(url, None)
    if not url or not host_matches(url, "t.me", "telegram.me"):
        return None
    return post_for_ref(urlsplit(url).path, url)


def _candidates(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for script in doc.find_all("script", attrs={"data-telegram-post": True}):
        post = post_for_ref(script["data-telegram-post"])
        if post is not None:
            yield Candidate(identity=post.post_url or "", inner=script, post=post, box=script)
    for frame in doc.find_all("iframe"):
        if is_template(frame):
            continue
        url = iframe_url(frame, base_url)
        post = None
        if url and host_matches(url, "t.me", "telegram.me") and "embed=1" in url and (post := match_url(url)):
            post.extra["embed_url"] = url
        elif (m := FRAME_ID.match(str(frame.get("id") or ""))):
            # a saved page: the widget's frame keeps its id when its src became a local file or went away
            post = post_for_ref(f"{m.group(1)}/{m.group(2)}")
        if post is not None:
            read_saved_widget(frame, post, base_url)
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def read_saved_widget(frame: Tag, post: Post, base_url: str) -> None:
    """The post as the widget showed it (source: the embed page), when a page saver kept the frame's
    document in `srcdoc`."""
    saved = frame.get("srcdoc")
    if not isinstance(saved, str) or "tgme_widget_message" not in saved:
        return
    doc = BeautifulSoup(saved, "lxml")
    root = doc.find(class_="tgme_widget_message")
    if root is None or (root.get("data-post") and post_for_ref(root["data-post"]) is not None
                        and post_for_ref(root["data-post"]).post_url != post.post_url):
        return
    owner = first(root, has_class("tgme_widget_message_owner_name"))
    post.put("author_name", _social.text_of_link(owner), EMBED_PAGE)
    text = first(root, has_class("tgme_widget_message_text"))
    if text is not None:
        _social.put_text(post, text, base_url, EMBED_PAGE)
    time = first(root, tag("time", attribute("datetime"), inside(has_class("tgme_widget_message_date"))),
                 tag("time", attribute("datetime")))
    if time is not None:
        post.put("published_at", iso_utc(time.get("datetime")), EMBED_PAGE)
        post.put("date_text", _social.text_of_link(time), EMBED_PAGE)
    photo = first(root, tag("img", inside(has_class("tgme_widget_message_user_photo"))))
    src = absolute(photo.get("src"), base_url) if photo is not None else None
    if src:
        post.put("avatar_url", src, EMBED_PAGE)
    for wrap in every(root, has_class("tgme_widget_message_photo_wrap")):
        image = style_url(wrap.get("style"))
        if image:
            post.add_media(Media(url=image, type="image", source=EMBED_PAGE))


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish(_candidates(doc, base_url))


PROVIDER = ProviderRecord(
    key=KEY, name="Telegram", order=220, find=find, match_url=match_url,
    display=Display("✈", "#229ed9"),
    hosts=("t.me", "telegram.org", "telegram.me"))
