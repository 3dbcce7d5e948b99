"""Mastodon, any instance: `iframe.mastodon-embed` (src `https://INSTANCE/@user/ID/embed`) and the
4.3+ `blockquote.mastodon-embed[data-embed-url]` ("Post by @user@INSTANCE", no text). Instances are
unbounded, so detection keys on the `mastodon-embed` class, never on a guessed host; an iframe whose
class an HTML filter dropped is still known by its src shape, `/@user/NUMERIC_ID/embed`."""
from __future__ import annotations

import json
import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from . import _social
from ._media_util import Candidate, find_iframes, finish, iframe_url
from ._urls import absolute, bare_host
from ._oembed import handle_after_host, oembed_reader
from ._dates import iso_utc
from ._pages import text_value
from ._text import sanitize_html, text_of
from .base import (DATA_ENDPOINT, DERIVED, EMBED_PAGE, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Media,
                   Post, ProviderRecord, Reading, Reply)
from .reading import ERROR, OK, from_status, with_fields

KEY = "mastodon"
POST_PATH = re.compile(r"^/@(?P<user>[\w.]+)(?:@(?P<home>[\w.-]+))?/(?P<id>\d{1,25})(?:/embed)?/?$")
STATUS_PATH = re.compile(r"^/users/(?P<user>[\w.]+)/statuses/(?P<id>\d{1,25})(?:/embed)?/?$")
# Snowflake-style ids (mastodon.social's are 18 digits); a small server's first posts are /@user/1.
# A short id is believed only where the markup says Mastodon (class mastodon-embed, data-embed-url).
MIN_ID_DIGITS_ANYWHERE = 6


def match_url(url: str) -> Post | None:
    """A Post for `https://INSTANCE/@user/ID` (or `/users/user/statuses/ID`, or their /embed). Any host
    has this shape, so callers should only offer URLs they already believe to be Mastodon posts."""
    return _match(url, short_ids=False)


def _match(url: str, *, short_ids: bool) -> Post | None:
    url = absolute(url, None)
    if not url:
        return None
    parts = urlsplit(url)
    m = POST_PATH.match(parts.path) or STATUS_PATH.match(parts.path)
    if not m or (not short_ids and len(m.group("id")) < MIN_ID_DIGITS_ANYWHERE):
        return None
    instance = bare_host(parts.hostname or "")
    user = m.group("user")
    remote = m.groupdict().get("home")          # a post from another instance, seen through this one
    account = f"{user}@{remote}" if remote else user
    home = remote or instance
    post = Post(provider=KEY, kind="post", post_url_original=url)
    post.put("post_url", f"https://{parts.hostname}/@{account}/{m.group('id')}", FALLBACK)
    post.put("post_id", m.group("id"), DERIVED)
    post.put("author_handle", f"{user}@{home}", FALLBACK)
    post.put("author_url", f"https://{parts.hostname}/@{user}", DERIVED)
    post.extra["instance"] = instance
    return post


def _candidates(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for el in _social.roots(doc, ["blockquote", "iframe"], "mastodon-embed"):
        urls = [absolute(el.get("data-embed-url"), base_url), iframe_url(el, base_url) if el.name == "iframe" else None]
        urls += [u for _, u in _social.links(el, base_url)]
        post = next((p for p in (_match(u, short_ids=True) for u in urls if u) if p is not None), None)
        if post is None:
            continue
        handle = _social.handle_in(_social.text_of_link(el))
        if handle and "@" in handle:
            _social.prefer(post, "author_handle", handle)
        if el.name == "iframe":
            post.extra["embed_url"] = iframe_url(el, base_url)
            yield Candidate(identity=post.post_url or "", inner=el, post=post)
        else:
            yield Candidate(identity=post.post_url or "", inner=el, post=post, box=el)


def _classless_iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for frame, url in find_iframes(doc, base_url):
        if _social.has_class(frame, "mastodon-embed") or not urlsplit(url).path.rstrip("/").endswith("/embed"):
            continue
        post = match_url(url)
        if post is not None:
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish([*_candidates(doc, base_url), *_classless_iframes(doc, base_url)])


# --- what the platform answers ------------------------------------------------------------------

def fediverse_handle(author_url: str) -> str | None:
    """user@instance from https://instance/@user (a bare "user" is ambiguous across servers)."""
    user = handle_after_host(author_url)
    host = urlsplit(author_url).hostname
    return f"{user.lstrip('@')}@{bare_host(host)}" if user and host and "@" not in user else user


def read_status(reply: Reply, post: Post) -> Reading:
    """GET /api/v1/statuses/:id on the post's server: public statuses need no token. A server that
    wants one for everything (401/403) says nothing about the post; 404 means it is gone (public
    posts cannot be made private after the fact)."""
    early = from_status(reply, {401: ERROR, 403: ERROR})
    if early is not None:
        return early
    try:
        data = json.loads(reply.body.decode("utf-8", "replace"))
    except ValueError:
        return Reading(ERROR, error="answer is not valid JSON")
    if not isinstance(data, dict) or "id" not in data:
        error = data.get("error") if isinstance(data, dict) else None
        return Reading(ERROR, error=f"platform error: {error}" if error else "answer is not a status")
    reading = Reading(OK, evidence="the status API answered with the post")
    f = reading.fields
    content = data.get("content")
    if isinstance(content, str) and content.strip():
        body = BeautifulSoup(content, "lxml").body
        f["text"] = text_of(body)
        f["text_html"] = sanitize_html(body, reply.url or None)
    account = data.get("account") if isinstance(data.get("account"), dict) else {}
    f["author_name"] = text_value(account.get("display_name")) or text_value(account.get("username"))
    acct = text_value(account.get("acct"))
    # the account's own URL names its server (the request may have gone through another address)
    host = urlsplit(text_value(account.get("url")) or reply.url).hostname
    if acct:
        f["author_handle"] = acct if "@" in acct or not host else f"{acct}@{bare_host(host)}"
    f["author_url"] = text_value(account.get("url"))
    f["avatar_url"] = text_value(account.get("avatar_static")) or text_value(account.get("avatar"))
    f["published_at"] = iso_utc(data.get("created_at") if isinstance(data.get("created_at"), str) else None)
    for item in data.get("media_attachments") or []:
        if not isinstance(item, dict):
            continue
        still = item.get("type") == "image"
        url = text_value(item.get("url") if still else item.get("preview_url")) or text_value(item.get("preview_url"))
        if url:
            meta = _dig(item, "meta", "original") if still else _dig(item, "meta", "small")
            reading.media.append(Media(url, type="image" if still else "video-poster",
                                       alt=text_value(item.get("description")) or "",
                                       width=_dig(meta, "width"), height=_dig(meta, "height"), source=EMBED_PAGE))
    if text_value(data.get("spoiler_text")):
        reading.extra["content_warning"] = data["spoiler_text"].strip()
    if text_value(data.get("edited_at")):
        reading.extra["edited_at"] = data["edited_at"]
    return with_fields(reading)


def _dig(value, *path):
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


ENDPOINTS = (
    # every server answers for its own posts: {instance} is the post's origin. The status API gives
    # the text, the avatar and the media that oEmbed (an iframe) does not.
    Endpoint("mastodon.api", DATA_ENDPOINT, "{instance}/api/v1/statuses/{id}", read_status,
             accept="application/json"),
    Endpoint("mastodon", OEMBED_ENDPOINT, "{instance}/api/oembed",
             oembed_reader(find=find, title_is_label=True, handle_rule=fediverse_handle)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Mastodon", order=160, find=find, match_url=match_url,
    display=Display("M", "#6364ff"),
    endpoints=ENDPOINTS)
