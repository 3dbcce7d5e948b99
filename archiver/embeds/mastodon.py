"""Mastodon, any instance: `iframe.mastodon-embed` (src `https://INSTANCE/@user/ID/embed`) and the
4.3+ `blockquote.mastodon-embed[data-embed-url]` ("Post by @user@INSTANCE", no text). Instances are
unbounded, so detection keys on the `mastodon-embed` class, never on a guessed host; an iframe whose
class an HTML filter dropped is still known by its src shape, `/@user/NUMERIC_ID/embed`."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from . import _social
from ._media_util import Candidate, find_iframes, finish, iframe_url
from ._urls import absolute, bare_host
from ._oembed import oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "mastodon"
POST_PATH = re.compile(r"^/@(?P<user>[\w.]+)(?:@(?P<home>[\w.-]+))?/(?P<id>\d{6,25})(?:/embed)?/?$")
STATUS_PATH = re.compile(r"^/users/(?P<user>[\w.]+)/statuses/(?P<id>\d{6,25})(?:/embed)?/?$")


def match_url(url: str) -> Post | None:
    """A Post for `https://INSTANCE/@user/ID` (or `/users/user/statuses/ID`, or their /embed). Any host
    has this shape, so callers should only offer URLs they already believe to be Mastodon posts."""
    url = absolute(url, None)
    if not url:
        return None
    parts = urlsplit(url)
    m = POST_PATH.match(parts.path) or STATUS_PATH.match(parts.path)
    if not m:
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
        post = next((p for p in map(match_url, filter(None, urls)) if p is not None), None)
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


ENDPOINTS = (
    # every server answers for its own posts: {instance} is the post's origin
    Endpoint("mastodon", OEMBED_ENDPOINT, "{instance}/api/oembed", oembed_reader(find=find)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Mastodon", order=160, find=find, match_url=match_url,
    display=Display("M", "#6364ff"),
    endpoints=ENDPOINTS)
