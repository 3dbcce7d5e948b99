"""Bluesky: `blockquote.bluesky-embed[data-bluesky-uri]` (an AT URI `at://DID/app.bsky.feed.post/RKEY`)
and the rendered iframe `embed.bsky.app/embed/DID/app.bsky.feed.post/RKEY`.

Fallback: the post text (`<p>`; a "[image or embed]" link to the post itself marks omitted media),
then "— Name (@handle)" and a last link to the post whose text is the date in the embedder's
language. The date is derived from the record key (a TID encodes microseconds since the epoch)."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from . import _social
from ._dates import iso_utc, parse_date_text, tid_time
from ._media_util import Candidate, find_iframes, finish
from ._urls import absolute, host_matches
from ._oembed import oembed_reader
from ._pages import read_card_page
from .base import (DERIVED, EMBED_PAGE_ENDPOINT, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post,
                   ProviderRecord)

KEY = "bluesky"
AT_URI = re.compile(r"^at://(?P<actor>[^/]+)/app\.bsky\.feed\.post/(?P<rkey>[\w.~:-]+)$")
WEB_PATH = re.compile(r"^/profile/(?P<actor>[^/]+)/post/(?P<rkey>[\w.~:-]+)/?$")
EMBED_PATH = re.compile(r"^/embed/(?P<actor>did:[^/]+)/app\.bsky\.feed\.post/(?P<rkey>[\w.~:-]+)/?$")
PROFILE_PATH = re.compile(r"^/profile/(?P<actor>[^/]+)/?$")


def post_url(actor: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{actor}/post/{rkey}"


def _parse(url: str | None) -> tuple[str, str] | None:
    """(actor DID or handle, record key) for a post URL, an AT URI or an embed URL."""
    if not url:
        return None
    url = url.strip()
    m = AT_URI.match(url)
    if m:
        return m.group("actor"), m.group("rkey")
    url = absolute(url, None)
    if not url:
        return None
    path = unquote(urlsplit(url).path)
    if host_matches(url, "bsky.app") and not host_matches(url, "embed.bsky.app"):
        m = WEB_PATH.match(path)
    elif host_matches(url, "embed.bsky.app"):
        m = EMBED_PATH.match(path)
    else:
        m = None
    return (m.group("actor"), m.group("rkey")) if m else None


def _new_post(original: str, actor: str, rkey: str) -> Post:
    post = Post(provider=KEY, kind="post", post_url_original=original)
    post.put("post_url", post_url(actor, rkey), FALLBACK)
    post.put("post_id", rkey, FALLBACK)
    if actor.startswith("did:"):
        post.extra["did"] = actor
    else:
        post.put("author_handle", actor, FALLBACK)
    post.put("author_url", f"https://bsky.app/profile/{actor}", DERIVED)
    post.put("published_at", tid_time(rkey), DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for a bsky.app post URL, an `at://…/app.bsky.feed.post/…` URI or an embed URL."""
    found = _parse(url)
    return _new_post(url, *found) if found else None


def read_fallback(quote: Tag, post: Post, base_url: str) -> None:
    anchors = list(_social.links(quote, base_url))
    to_post = [(a, u) for a, u in anchors if _parse(u) and _parse(u)[1] == post.post_id]
    paras = quote.find_all("p")
    in_text = {id(a) for p in paras for a in p.find_all("a")}
    date_link = next((a for a, _ in reversed(to_post) if id(a) not in in_text), None)
    if date_link is not None:
        date_text = _social.text_of_link(date_link)
        post.put("date_text", date_text, FALLBACK)
        # oEmbed's copy writes the exact time (ISO): it wins over the time derived from a TID record
        # key. Copied codes write a localised date, which fills in only when the key is no TID.
        exact = iso_utc(date_text)
        if exact:
            _social.prefer(post, "published_at", exact)
        else:
            post.put("published_at", parse_date_text(date_text), FALLBACK)
    tail = " ".join(str(s) for s in quote.descendants if isinstance(s, NavigableString)
                    and not any(p in paras or p is date_link for p in s.parents))
    name, handle = _social.byline(tail)
    post.put("author_name", name, FALLBACK)
    _social.prefer(post, "author_handle", handle)
    profile = next((u for a, u in anchors if PROFILE_PATH.match(urlsplit(u).path) and host_matches(u, "bsky.app")), None)
    if handle:
        _social.prefer(post, "author_url", f"https://bsky.app/profile/{handle}", DERIVED)
        if post.post_id and "did" in post.extra:
            # Embed codes link by DID; people share and cite the handle form (bsky.app's own share
            # link). Keep that as the post URL and the DID form, which survives a handle change, in extra.
            post.extra["did_url"] = post.post_url
            post.post_url = post_url(handle, post.post_id)
    elif profile:
        _social.prefer(post, "author_url", profile.split("?")[0], FALLBACK)
    if paras:
        placeholders = {id(a) for a, _ in to_post if id(a) in in_text}
        if placeholders:
            post.extra["media_omitted"] = True
        clean = [_social.without(p, lambda el: el.name == "a" and _is_post_link(el, post, base_url)) for p in paras]
        _social.put_text(post, clean, base_url)
    _social.add_images(post, quote, base_url)


def _is_post_link(a: Tag, post: Post, base_url: str) -> bool:
    found = _parse(absolute(a.get("href"), base_url))
    return bool(found and found[1] == post.post_id)


def _blockquotes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for quote in _social.roots(doc, "blockquote", "bluesky-embed"):
        found = _parse(quote.get("data-bluesky-uri"))
        original = quote.get("data-bluesky-uri")
        if found is None:
            original, found = next(((u, _parse(u)) for _, u in _social.links(quote, base_url) if _parse(u)),
                                   (None, None))
        if found is None:
            continue
        post = _new_post(original, *found)
        if quote.get("data-bluesky-cid"):
            post.extra["cid"] = quote["data-bluesky-cid"]
        read_fallback(quote, post, base_url)
        yield Candidate(identity=post.post_url or "", inner=quote, post=post, box=quote)


def _iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for frame, url in find_iframes(doc, base_url):
        if host_matches(url, "embed.bsky.app") and _parse(url):
            post = match_url(url)
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish([*_blockquotes(doc, base_url), *_iframes(doc, base_url)])


_AT_URI_IN = re.compile(r"at://(did:[a-z]+:[\w.:%-]+)/app\.bsky\.feed\.post/([\w-]+)", re.I)
_DID_URL_IN = re.compile(r"bsky\.app/profile/(did:[\w.:%-]+)/post/([\w-]+)", re.I)


def url_values(post: Post) -> dict[str, str]:
    """{did} and {rkey} of the embed page: from an AT-URI anywhere in the post, else a DID-form URL."""
    strings = [post.post_url, post.post_url_original, *(v for v in post.extra.values() if isinstance(v, str)),
               post.markup]
    for pattern in (_AT_URI_IN, _DID_URL_IN):
        for value in filter(None, strings):
            m = pattern.search(value)
            if m:
                return {"did": m.group(1), "rkey": m.group(2)}
    did = post.extra.get("did")
    if isinstance(did, str) and did.startswith("did:") and post.post_id:
        return {"did": did, "rkey": post.post_id}
    return {}


ENDPOINTS = (
    Endpoint("bluesky", OEMBED_ENDPOINT, "https://embed.bsky.app/oembed", oembed_reader(find=find),
             params=(("format", "json"),)),
    Endpoint("bluesky.embed-page", EMBED_PAGE_ENDPOINT, "https://embed.bsky.app/embed/{did}/app.bsky.feed.post/{rkey}",
             read_card_page),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Bluesky", order=150, find=find, match_url=match_url,
    display=Display("b", "#1185fe", hashtag_url="https://bsky.app/hashtag/{}", mention_url="https://bsky.app/profile/{}"),
    hosts=("bsky.app", "bsky.social", "cdn.bsky.app", "embed.bsky.app"), endpoints=ENDPOINTS, url_values=url_values)
