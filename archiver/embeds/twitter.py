"""X (Twitter): `blockquote.twitter-tweet` fallbacks (and legacy `blockquote.twitter-video`), the
rendered state (`div.twitter-tweet-rendered` / older `iframe.twitter-tweet-rendered`, and any
`platform.twitter.com/embed/Tweet.html?id=` iframe), `amp-twitter[data-tweetid]` (with or without
a placeholder blockquote), and `a.twitter-timeline` profile/list timelines as "timeline" link cards.

Share/follow buttons (`a.twitter-share-button`, `twitter-tweet-btn`...) and links to posts in
running text are not embeds. The date comes from the post ID (snowflake), the link text is kept."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from . import _social
from ._dates import iso_utc, parse_date_text, snowflake_time
from ._media_util import Candidate, find_iframes, finish, iframe_url
from ._urls import absolute, host_matches
from .base import DERIVED, FALLBACK, Detected, Post

KEY = "twitter"
HOSTS = ("twitter.com", "x.com")
STATUS_PATH = re.compile(r"^/(?:(?P<handle>\w{1,15})|i(?:/web)?)/status(?:es)?/(?P<id>\d{1,20})(?:[/?#]|$)", re.I)
PROFILE_PATH = re.compile(r"^/(?P<handle>\w{1,15})(?P<list>/lists/[\w-]+)?/?$")
# Paths of x.com that are not profiles.
RESERVED = {"i", "home", "search", "hashtag", "intent", "share", "explore", "settings", "login", "signup",
            "messages", "notifications", "compose", "tos", "privacy", "about", "widgets", "download"}
MEDIA_LINK = re.compile(r"^(?:https?://)?pic\.(?:twitter|x)\.com/\w+$", re.I)


def post_url(handle: str | None, post_id: str) -> str:
    return f"https://x.com/{handle or 'i'}/status/{post_id}"


def _status(url: str | None) -> tuple[str | None, str] | None:
    """(handle or None, id) when url is an X post permalink (or a Tweet.html embed URL)."""
    url = absolute(url, None)
    if not url or not host_matches(url, *HOSTS, "platform.twitter.com"):
        return None
    parts = urlsplit(url)
    if host_matches(url, "platform.twitter.com"):
        ids = parse_qs(parts.query).get("id")
        return (None, ids[0]) if ids and ids[0].isdigit() else None
    m = STATUS_PATH.match(parts.path)
    if not m:
        return None
    return m.group("handle"), m.group("id")


def _post_for(url: str, handle: str | None, post_id: str, kind: str = "post") -> Post:
    post = Post(provider=KEY, kind=kind, post_url_original=url)
    post.put("post_id", post_id, FALLBACK)
    if handle:
        post.put("author_handle", handle, FALLBACK)
        post.put("author_url", f"https://x.com/{handle}", DERIVED)
    post.put("post_url", post_url(handle, post_id), DERIVED if "platform.twitter.com" in url else FALLBACK)
    post.put("published_at", snowflake_time(post_id), DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for an X/Twitter status URL (any host variant, /statuses/, /i/web/status/, Tweet.html?id=);
    a "timeline" Post for a profile or list URL."""
    found = _status(url)
    if found:
        return _post_for(url, found[0], found[1])
    return _timeline(url)


def _timeline(url: str | None, title: str | None = None) -> Post | None:
    url = absolute(url, None)
    if not url or not host_matches(url, *HOSTS) or host_matches(url, "platform.twitter.com"):
        return None
    m = PROFILE_PATH.match(urlsplit(url).path)
    if not m or m.group("handle").lower() in RESERVED:
        return None
    post = Post(provider=KEY, kind="timeline", post_url_original=url)
    handle = m.group("handle")
    post.put("post_url", f"https://x.com/{handle}{m.group('list') or ''}", FALLBACK)
    post.put("author_handle", handle, FALLBACK)
    post.put("author_url", f"https://x.com/{handle}", DERIVED)
    post.put("title", title, FALLBACK)
    return post


# --- reading a fallback blockquote ---------------------------------------------------------------

@dataclass
class _Permalink:
    anchor: Tag
    url: str
    handle: str | None
    post_id: str


def _permalink(quote: Tag, base_url: str) -> _Permalink | None:
    """The LAST link to a status in the blockquote: the permalink, whose text is the date."""
    found = None
    for a, url in _social.links(quote, base_url):
        status = _status(url)
        if status and not host_matches(url, "platform.twitter.com"):
            found = _Permalink(a, url, status[0], status[1])
    return found


def _text_nodes(quote: Tag, link: Tag) -> list:
    """The post's text: its <p> elements, or (CMSs that drop the <p>) the nodes before the dash."""
    # A paragraph holding the permalink is the byline (WordPress autop wraps "— Name (@handle) date").
    paras = [p for p in quote.find_all("p")
             if not _social.has_class(p, "twitter-tweet") and not any(a is link for a in p.find_all("a"))]
    if paras:
        return paras
    nodes: list = []
    for node in quote.children:
        if node is link or (isinstance(node, Tag) and any(a is link for a in node.find_all("a"))):
            break
        if isinstance(node, NavigableString) and any(d in node for d in "\u2014\u2013"):
            before = str(node).split("\u2014")[0].split("\u2013")[0]
            nodes.append(NavigableString(before))
            break
        nodes.append(node)
    return nodes


def _tail_text(quote: Tag, text_nodes: list, link: Tag) -> str:
    """Text of the blockquote outside the post text and the permalink: "— Name (@handle)"."""
    parts: list[str] = []
    skip = {id(n) for n in text_nodes if isinstance(n, Tag)} | {id(link)}
    for node in quote.descendants:
        if isinstance(node, NavigableString) and not any(id(p) in skip for p in node.parents):
            parts.append(str(node))
    return " ".join(parts)


def read_quote(quote: Tag, base_url: str, kind: str = "post") -> Post | None:
    """A Post from a fallback blockquote; None when it links to no post."""
    link = _permalink(quote, base_url)
    if link is None:
        return None
    text_nodes = _text_nodes(quote, link.anchor)
    name, handle = _social.byline(_tail_text(quote, text_nodes, link.anchor))
    post = _post_for(link.url, link.handle or handle, link.post_id, kind)
    post.put("author_name", name, FALLBACK)
    post.put("author_handle", handle, FALLBACK)
    date_text = _social.text_of_link(link.anchor)
    post.put("date_text", date_text, FALLBACK)
    # only when the ID carries no time (before late 2010): 2011-2012 codes put data-datetime on the link
    post.put("published_at", iso_utc(link.anchor.get("data-datetime")) or parse_date_text(date_text), FALLBACK)
    media_links = [a.get("href") for p in text_nodes if isinstance(p, Tag)
                   for a in p.find_all("a") if MEDIA_LINK.match(a.get_text(strip=True))]
    if media_links:
        post.extra["media_links"] = media_links
    clean = [_social.without(n, lambda el: el.name == "a" and bool(MEDIA_LINK.match(el.get_text(strip=True))))
             if isinstance(n, Tag) else n for n in text_nodes]
    _social.put_text(post, clean, base_url)
    lang = next((p.get("lang") for p in text_nodes if isinstance(p, Tag) and p.get("lang")), None)
    if lang:
        post.extra["lang"] = lang
    _social.add_images(post, quote, base_url)
    return post


# --- finding embeds ------------------------------------------------------------------------------

def _blockquotes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for quote in _social.roots(doc, "blockquote", "twitter-tweet", "twitter-video",
                               where=lambda el: el.find_parent("amp-twitter") is None
                               and el.find_parent(class_="twitter-tweet-rendered") is None):
        kind = "video" if _social.has_class(quote, "twitter-video") else "post"
        post = read_quote(quote, base_url, kind)
        if post is not None:
            yield Candidate(identity=post.post_url or "", inner=quote, post=post, box=quote)


def _rendered(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    """Rendered embeds: the wrapper (div, or the iframe itself in older pages) with class
    twitter-tweet-rendered, and bare Tweet.html iframes."""
    boxes = _social.roots(doc, ["div", "iframe", "twitter-widget"], "twitter-tweet-rendered")
    for box in boxes:
        quote = box.find("blockquote", class_="twitter-tweet")       # a kept fallback, when present
        post = read_quote(quote, base_url) if quote is not None else None
        frame = box if box.name == "iframe" else box.find("iframe")
        src = iframe_url(frame, base_url) if frame is not None else None
        if post is None and src and _status(src):
            post = _post_for(src, None, _status(src)[1])
        tweet_id = str((frame.get("data-tweet-id") if frame else None) or box.get("data-tweet-id") or "")
        if post is None and tweet_id.isdigit():
            post = _post_for(post_url(None, tweet_id), None, tweet_id)
        if post is not None:
            yield Candidate(identity=post.post_url or "", inner=box, post=post, box=box)
    for frame, url in find_iframes(doc, base_url):
        if any(frame is b or _inside(frame, b) for b in boxes) or frame.find_parent("amp-twitter"):
            continue
        if host_matches(url, "platform.twitter.com") and _status(url):
            post = _post_for(url, None, _status(url)[1])
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def _inside(el: Tag, box: Tag) -> bool:
    return any(p is box for p in el.parents)


def _amp(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for amp in doc.find_all("amp-twitter"):
        if _social.in_template(amp):
            continue
        quote = amp.find("blockquote", class_="twitter-tweet")
        post = read_quote(quote, base_url) if quote is not None else None
        post_id = (amp.get("data-tweetid") or "").strip()
        if post is None and post_id.isdigit():
            post = _post_for(post_url(None, post_id), None, post_id)
        if post is not None:
            yield Candidate(identity=post.post_url or "", inner=amp, post=post, box=amp)


def _timelines(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for a in _social.roots(doc, "a", "twitter-timeline"):
        post = _timeline(absolute(a.get("href"), base_url), _social.text_of_link(a))
        if post is not None:
            yield Candidate(identity=post.post_url or "", inner=a, post=post, box=a)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    cands = [*_amp(doc, base_url), *_blockquotes(doc, base_url), *_rendered(doc, base_url),
             *_timelines(doc, base_url)]
    return finish(cands)


PROVIDER = _social.ProviderRecord(key=KEY, name="X (Twitter)", order=100, find=find, match_url=match_url)
