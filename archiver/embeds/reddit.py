"""Reddit: `blockquote.reddit-embed-bq` (current), `blockquote.reddit-card` (legacy), iframes from
`embed.reddit.com` / `redditmedia.com`, and `amp-reddit[data-src]`. Posts and comments.

Fallback: a link to the post (its text is the title; a comment embed links to `/comment/CID/`),
a link to `/user/NAME/` and one to `/r/SUB/`. `data-embed-created` / `data-card-created` is when the
embed was made, not the post date: kept in extra, never as published_at."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from . import _social
from ._media_util import Candidate, find_iframes, finish
from ._urls import absolute, host_matches
from ._oembed import oembed_reader
from .base import DERIVED, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post, ProviderRecord

KEY = "reddit"
HOSTS = ("reddit.com", "redditmedia.com", "redd.it")
POST_PATH = re.compile(r"^/r/(?P<sub>\w+)/comments/(?P<id>[a-z0-9]{3,12})(?:/(?P<slug>[^/]*)(?:/(?P<cid>[a-z0-9]{3,12}))?)?/?")
COMMENT_PATH = re.compile(r"^/r/(?P<sub>\w+)/comments/(?P<id>[a-z0-9]{3,12})/comment/(?P<cid>[a-z0-9]{3,12})/?")
USER_PATH = re.compile(r"^/(?:user|u)/(?P<name>[\w-]+)/?$")
SUB_PATH = re.compile(r"^/r/(?P<sub>\w+)/?$")
CREATED_ATTRS = ("data-embed-created", "data-card-created", "data-embedcreated")


def match_url(url: str) -> Post | None:
    """A Post for a Reddit post or comment permalink (any reddit host, embed hosts, redd.it)."""
    url = absolute(url, None)
    if not url or not host_matches(url, *HOSTS):
        return None
    path = urlsplit(url).path
    if host_matches(url, "redd.it"):
        short = path.strip("/")
        if not re.fullmatch(r"[a-z0-9]{3,12}", short):
            return None
        post = Post(provider=KEY, kind="post", post_url_original=url)
        post.put("post_url", f"https://www.reddit.com/comments/{short}/", DERIVED)
        post.put("post_id", short, DERIVED)
        return post
    m = COMMENT_PATH.match(path) or POST_PATH.match(path)
    if not m:
        return None
    groups = m.groupdict()
    post = Post(provider=KEY, kind="post", post_url_original=url)
    slug = groups.get("slug")
    base = f"https://www.reddit.com/r/{groups['sub']}/comments/{groups['id']}/"
    if groups.get("cid"):
        post.put("post_url", f"{base}{slug or 'comment'}/{groups['cid']}/" if slug else f"{base}comment/{groups['cid']}/",
                 FALLBACK)
        post.put("post_id", groups["cid"], DERIVED)
        post.extra["comment"] = True
        post.extra["thread_id"] = groups["id"]
    else:
        post.put("post_url", f"{base}{slug + '/' if slug else ''}", FALLBACK)
        post.put("post_id", groups["id"], DERIVED)
    post.extra["subreddit"] = groups["sub"]
    return post


def read_fallback(quote, post: Post, base_url: str) -> None:
    for a, url in _social.links(quote, base_url):
        if not host_matches(url, *HOSTS):
            continue
        path = urlsplit(url).path
        user = USER_PATH.match(path)
        if user:
            post.put("author_handle", user.group("name"), FALLBACK)
            post.put("author_name", _social.text_of_link(a), FALLBACK)
            post.put("author_url", f"https://www.reddit.com/user/{user.group('name')}/", DERIVED)
        elif (found := match_url(url)) is not None and found.post_id == post.post_id and not post.extra.get("comment"):
            post.put("title", _social.text_of_link(a), FALLBACK)
        elif SUB_PATH.match(path):
            post.extra.setdefault("subreddit", SUB_PATH.match(path).group("sub"))
    for attr in CREATED_ATTRS:
        if quote.get(attr):
            post.extra["embed_created"] = quote[attr]
    _social.put_text(post, quote.find_all("p"), base_url)


def _blockquotes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for quote in _social.roots(doc, "blockquote", "reddit-embed-bq", "reddit-card"):
        post = next((p for p in (match_url(u) for _, u in _social.links(quote, base_url)) if p), None)
        if post is None:
            continue
        read_fallback(quote, post, base_url)
        yield Candidate(identity=post.post_url or "", inner=quote, post=post, box=quote)


def _iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for frame, url in find_iframes(doc, base_url):
        if host_matches(url, "embed.reddit.com", "redditmedia.com") and (post := match_url(url)):
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def _amp(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for amp in doc.find_all("amp-reddit"):
        post = match_url(absolute(amp.get("data-src"), base_url) or "")
        if post is not None and not _social.in_template(amp):
            yield Candidate(identity=post.post_url or "", inner=amp, post=post, box=amp)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish([*_amp(doc, base_url), *_blockquotes(doc, base_url), *_iframes(doc, base_url)])


ENDPOINTS = (
    # author_name is the username; there is no author_url
    Endpoint("reddit", OEMBED_ENDPOINT, "https://www.reddit.com/oembed",
             oembed_reader(find=find, name_is_handle=True, handle_rule=None,
                           profile_url="https://www.reddit.com/user/{}/")),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Reddit", order=170, find=find, match_url=match_url,
    display=Display("r/", "#ff4500", handle_prefix="u/"),
    hosts=(*HOSTS, "redditstatic.com", "redditmedia.com", "embed.reddit.com"), endpoints=ENDPOINTS)
