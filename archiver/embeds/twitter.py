"""X (Twitter): `blockquote.twitter-tweet` fallbacks (and legacy `blockquote.twitter-video`), the
rendered state (`div.twitter-tweet-rendered`, older `iframe.twitter-tweet-rendered` and
`<twitterwidget>`, any `platform.twitter.com/embed/Tweet.html?id=` or `embed/index.html?id=` iframe, and
in saved pages any iframe that kept `data-tweet-id` when its src became a local file or went away),
`amp-twitter[data-tweetid]` (with or without
a placeholder blockquote), and `a.twitter-timeline` profile/list timelines as "timeline" link cards.

Share/follow buttons (`a.twitter-share-button`, `twitter-tweet-btn`...) and links to posts in
running text are not embeds. The date comes from the post ID (snowflake), the link text is kept."""
from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from . import _social
from ._dates import iso_utc, parse_date_text, snowflake_time
from ._media_util import Candidate, finish, iframe_url
from ._oembed import oembed_reader
from ._pages import read_card_page, text_value
from ._text import clean_text
from ._urls import absolute, host_matches
from .base import (DATA_ENDPOINT, DERIVED, EMBED_PAGE, EMBED_PAGE_ENDPOINT, FALLBACK, OEMBED_ENDPOINT, Detected,
                   Display, Endpoint, Media, Post, ProviderRecord, Reading, Reply)
from .reading import ERROR, GONE, OK, PRIVATE, from_status, with_fields

KEY = "twitter"
HOSTS = ("twitter.com", "x.com")
STATUS_PATH = re.compile(r"^/(?:(?P<handle>\w{1,15})|i(?:/web)?)/status(?:es)?/(?P<id>\d{1,20})(?:[/?#]|$)", re.I)
VIDEO_PATH = re.compile(r"^/i/videos(?:/tweet)?/(\d{1,20})(?:[/?#]|$)")   # the video player of a post
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
        video = VIDEO_PATH.match(parts.path)
        return (None, video.group(1)) if video else None
    return m.group("handle"), m.group("id")


def _post_for(url: str, handle: str | None, post_id: str, kind: str = "post") -> Post:
    post = Post(provider=KEY, kind=kind, post_url_original=url)
    post.put("post_id", post_id, FALLBACK)
    if handle:
        post.put("author_handle", handle, FALLBACK)
        post.put("author_url", f"https://x.com/{handle}", DERIVED)
    # without a handle the permalink is made up from the id (x.com/i/status/ID): a copy that names the
    # author gives the better one
    post.put("post_url", post_url(handle, post_id), DERIVED if handle is None or "platform.twitter.com" in url else FALLBACK)
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
    boxes = _social.roots(doc, ["div", "iframe", "twitter-widget", "twitterwidget"], "twitter-tweet-rendered")
    # the widget's own element in 2015-2017 pages (its shadow root is not saved), with or without the class
    boxes += [el for el in doc.find_all("twitterwidget") if not _social.in_template(el)
              and all(el is not b and not _inside(el, b) for b in boxes)]
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
            if frame is not None:
                read_saved_frame(frame, post, base_url)
            yield Candidate(identity=post.post_url or "", inner=box, post=post, box=box)
    for frame in doc.find_all("iframe"):
        if (any(frame is b or _inside(frame, b) for b in boxes) or frame.find_parent("amp-twitter")
                or _social.in_template(frame)):
            continue
        url = iframe_url(frame, base_url)
        found = _status(url) if url and (host_matches(url, "platform.twitter.com")
                                         or VIDEO_PATH.match(urlsplit(url).path)) else None
        tweet_id = str(frame.get("data-tweet-id") or "").strip()
        if found is None and tweet_id.isdigit():   # a saved page: the frame's src is a local file or gone
            found = (None, tweet_id)
        if found is not None:
            post = _post_for(url or post_url(None, found[1]), None, found[1])
            read_saved_frame(frame, post, base_url)
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def read_saved_frame(frame: Tag, post: Post, base_url: str) -> None:
    """The post as the widget showed it (source: the embed page), when a page saver kept the frame's
    document (SingleFile's `srcdoc`). Read by role, never by class names (the widget's are generated): the author is the
    link to a profile (its text the name, "@handle" the handle), the text is the element carrying the
    post's `lang` (or `data-testid=tweetText`), the time is the `time[datetime]` in the permalink."""
    saved = frame.get("srcdoc")
    if not isinstance(saved, str) or "<" not in saved:
        return
    doc = BeautifulSoup(saved, "lxml")
    body = doc.body or doc
    for a, url in _social.links(body, base_url):
        status = _status(url)
        if status and status[1] != post.post_id and not host_matches(url, "platform.twitter.com"):
            return                  # the frame shows another post first: not a copy of this one
        if status:
            break
    author = next(((a, t) for a, url in _social.links(body, base_url)
                   if (t := _timeline(url)) is not None and _social.text_of_link(a)), None)
    if author is not None:
        a, profile = author
        words = [w for w in (_social.text_of_link(a) or "").split("@")[0].split("\n") if w.strip()]
        _social.prefer(post, "author_handle", profile.author_handle, EMBED_PAGE)
        post.put("author_url", f"https://x.com/{profile.author_handle}", DERIVED)
        name = " ".join(words[0].split()) if words else None
        if name and name.lstrip("@") != profile.author_handle:
            post.put("author_name", name, EMBED_PAGE)
        if post.sources.get("post_url") == DERIVED and post.post_id:
            _social.prefer(post, "post_url", post_url(profile.author_handle, post.post_id), EMBED_PAGE)
    text = body.find(attrs={"data-testid": "tweetText"}) or next(
        (el for el in body.find_all(attrs={"lang": True}) if el.name not in ("html", "body") and _social.text_of_link(el)),
        None)
    if text is not None:
        _social.put_text(post, text, base_url, EMBED_PAGE)
    time = body.find("time", attrs={"datetime": True})
    if time is not None:
        post.put("published_at", iso_utc(time["datetime"]), EMBED_PAGE)
        post.put("date_text", _social.text_of_link(time), EMBED_PAGE)
    avatar = next((img for img in body.find_all("img") if "/profile_images/" in str(img.get("src") or "")), None)
    if avatar is not None:
        post.put("avatar_url", absolute(avatar.get("src"), base_url), EMBED_PAGE)
    for img in body.find_all("img"):
        src = absolute(img.get("src"), base_url)
        if src and "pbs.twimg.com/media/" in src:
            post.add_media(Media(url=src, type="image", alt=(img.get("alt") or "").strip(), source=EMBED_PAGE))
    post.extra["saved_frame"] = True



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


# --- what the platform answers ------------------------------------------------------------------

# Card images of a link card, best first (the syndication JSON names them in binding_values).
CARD_IMAGES = ("photo_image_full_size_original", "summary_photo_image_original", "thumbnail_image_original",
               "player_image_original", "photo_image_full_size_large", "summary_photo_image_large",
               "thumbnail_image_large", "player_image_large", "thumbnail_image", "player_image")


DELETED_TOMBSTONE = re.compile(r"\b(?:was|has been) deleted\b|account that no longer exists", re.I)


def read_tweet_result(reply: Reply, post: Post) -> Reading:
    """The JSON behind Tweet.html (cdn.syndication.twimg.com/tweet-result). It answers {} when the
    request lacks the widget's token (that says nothing about the post), a TweetTombstone for a
    post that is gone or hidden, 404 for one that does not exist."""
    early = from_status(reply)
    if early is not None:
        return early
    try:
        data = json.loads(reply.body.decode("utf-8", "replace"))
    except ValueError:
        return Reading(ERROR, error="answer is not valid JSON")
    if not isinstance(data, dict):
        return Reading(ERROR, error="answer is not a JSON object")
    kind = data.get("__typename")
    if kind == "TweetTombstone" or "tombstone" in data:
        said = _tombstone_text(data) or "a tombstone"
        # Only a tombstone that says the post was deleted (by its author, or with its account) is
        # gone; withheld, age-restricted, suspended, protected and "unavailable" posts still exist.
        outcome = GONE if DELETED_TOMBSTONE.search(said) else PRIVATE
        return Reading(outcome, error=f"tombstone: {said}", evidence=f"TweetTombstone: {said}")
    if kind == "TweetUnavailable":
        said = str(data.get("reason") or "unavailable")
        return Reading(PRIVATE, error=f"unavailable: {said}", evidence=f"TweetUnavailable: {said}")
    user = data.get("user") if isinstance(data.get("user"), dict) else None
    if not data or (user is None and not data.get("text")):
        return Reading(ERROR, error="the answer carries no post (the widget token may be wrong)")
    reading = Reading(OK, evidence="tweet-result answered with the post")
    f = reading.fields
    links = _short_links(data)
    text = _display_text(data)
    if text is not None:
        f["text"] = clean_text(_expand(text, links))
    if links:
        reading.extra["links"] = {short: full for short, full in links.items() if full}
    user = user or {}
    f["author_name"] = text_value(user.get("name"))
    f["author_handle"] = text_value(user.get("screen_name"))
    f["avatar_url"] = text_value(user.get("profile_image_url_https"))
    f["published_at"] = _twitter_time(data.get("created_at"))
    for item in data.get("mediaDetails") or []:
        if isinstance(item, dict) and text_value(item.get("media_url_https")):
            info = item.get("original_info") or {}
            mtype = "image" if item.get("type") == "photo" else "video-poster"
            reading.media.append(Media(item["media_url_https"], type=mtype, alt=text_value(item.get("ext_alt_text")) or "",
                                       width=info.get("width"), height=info.get("height"), source=EMBED_PAGE))
    for photo in data.get("photos") or []:
        if isinstance(photo, dict) and text_value(photo.get("url")):
            if all(m.url != photo["url"] for m in reading.media):
                reading.media.append(Media(photo["url"], type="image", width=photo.get("width"),
                                           height=photo.get("height"), source=EMBED_PAGE))
    poster = _dig(data, "video", "poster")
    if isinstance(poster, str) and all(m.url != poster for m in reading.media):
        reading.media.append(Media(poster, type="video-poster", source=EMBED_PAGE))
    card = _link_card(data.get("card"), links)
    if card:
        if card.get("image") and all(m.url != card["image"]["url"] for m in reading.media):
            image = card.pop("image")
            reading.media.append(Media(image["url"], type="image", alt=card.get("title") or "",
                                       width=image.get("width"), height=image.get("height"), source=EMBED_PAGE))
        reading.extra["card"] = card
    quoted = data.get("quoted_tweet")
    if isinstance(quoted, dict) and isinstance(quoted.get("user"), dict):
        qid, qhandle = quoted.get("id_str"), quoted["user"].get("screen_name")
        reading.extra["quoted_post"] = {
            "post_url": post_url(qhandle, qid) if qid else None, "author_name": text_value(quoted["user"].get("name")),
            "author_handle": text_value(qhandle), "text": clean_text(_expand(_display_text(quoted) or "", _short_links(quoted)))}
    return with_fields(reading)


def _dig(value, *path):
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _tombstone_text(data: dict) -> str | None:
    stone = data.get("tombstone")
    text = _dig(stone, "text", "text") if isinstance(stone, dict) else None
    return " ".join(text.split()) if isinstance(text, str) and text.strip() else None


def _short_links(data: dict) -> dict[str, str | None]:
    """t.co link -> the URL it stands for (None: a link to the post's own media, dropped from text)."""
    links: dict[str, str | None] = {}
    entities = data.get("entities") if isinstance(data.get("entities"), dict) else {}
    for item in entities.get("urls") or []:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            links[item["url"]] = text_value(item.get("expanded_url")) or text_value(item.get("display_url"))
    for item in entities.get("media") or []:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            links[item["url"]] = None
    return links


def _display_text(data: dict) -> str | None:
    """The post's text as shown: HTML entities decoded, without the leading reply mentions and the
    trailing media link that display_text_range leaves out."""
    raw = data.get("full_text") or data.get("text")
    if not isinstance(raw, str):
        return None
    text = html.unescape(raw)
    rng = data.get("display_text_range")
    if isinstance(rng, list) and len(rng) == 2 and all(isinstance(i, int) for i in rng) and 0 <= rng[0] <= rng[1]:
        head, body, tail = text[:rng[0]], text[rng[0]:rng[1]], text[rng[1]:]
        # the range counts the decoded text; keep it only when what it cuts is mentions and links
        if re.fullmatch(r"(?:\s*@\w+)*\s*", head) and re.fullmatch(r"(?:\s*https?://\S+)*\s*", tail):
            text = body
    return text


def _expand(text: str, links: dict[str, str | None]) -> str:
    for short, full in sorted(links.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(short, full or "")
    return text


def _link_card(card, links: dict[str, str | None]) -> dict | None:
    """A link card's title, description, domain, URL and best image."""
    if not isinstance(card, dict):
        return None
    values = card.get("binding_values")
    if isinstance(values, list):   # the GraphQL form: [{"key": ..., "value": {...}}]
        values = {v.get("key"): v.get("value") for v in values if isinstance(v, dict)}
    if not isinstance(values, dict):
        return None

    def string(name: str) -> str | None:
        return text_value(_dig(values, name, "string_value"))

    out = {"name": text_value(card.get("name")), "title": string("title"), "description": string("description"),
           "domain": string("domain") or string("vanity_url")}
    short = text_value(card.get("url")) or string("card_url")
    out["url"] = links.get(short) or short if short else None
    for name in CARD_IMAGES:
        image = _dig(values, name, "image_value")
        if isinstance(image, dict) and text_value(image.get("url")):
            out["image"] = {"url": image["url"], "width": image.get("width"), "height": image.get("height")}
            break
    out = {k: v for k, v in out.items() if v}
    return out if (out.get("title") or out.get("image")) else None


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


def radix36(value: float) -> str:
    """A positive double in base 36, digit for digit as JavaScript's Number#toString(36) writes it
    (shortest fraction that still reads back as the same double)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    integer, fraction = math.floor(value), value - math.floor(value)
    delta = max(0.5 * (math.nextafter(value, math.inf) - value), math.nextafter(0.0, 1.0))
    frac_digits: list[int] = []
    if fraction >= delta:
        while True:
            fraction *= 36
            delta *= 36
            digit = int(fraction)
            frac_digits.append(digit)
            fraction -= digit
            if fraction > 0.5 or (fraction == 0.5 and digit & 1):
                if fraction + delta > 1:
                    while True:       # round up, carrying into earlier digits
                        if not frac_digits:
                            integer += 1
                            break
                        last = frac_digits.pop() + 1
                        if last < 36:
                            frac_digits.append(last)
                            break
                    break
            if fraction < delta:
                break
    int_part = ""
    integer = int(integer)
    while True:
        integer, rem = divmod(integer, 36)
        int_part = digits[rem] + int_part
        if integer == 0:
            break
    return int_part + ("." + "".join(digits[d] for d in frac_digits) if frac_digits else "")


def x_widget_token(tweet_id: str) -> str:
    """The `token` parameter X's embed widget sends with a tweet-result request:
    (id / 1e15 * pi) in base 36, without zeros and the point."""
    return re.sub(r"0+|\.", "", radix36(int(tweet_id) / 1e15 * math.pi))


def url_values(post: Post) -> dict[str, str]:
    """{id} and {token} for the endpoint templates: the post id as X's widget sends it."""
    post_id = post.post_id if post.post_id and post.post_id.isdigit() else None
    for value in (post.post_url, post.post_url_original):
        if post_id is None and value:
            found = _status(value)
            post_id = found[1] if found else None
    return {"id": post_id, "token": x_widget_token(post_id)} if post_id else {}


ENDPOINTS = (
    # oEmbed gives author and the blockquote (text); the syndication JSON behind Tweet.html gives the
    # avatar, photos and the exact time; Tweet.html itself is the last resort.
    Endpoint("twitter", OEMBED_ENDPOINT, "https://publish.twitter.com/oembed", oembed_reader(find=find),
             params=(("omit_script", "1"), ("dnt", "true"))),
    Endpoint("twitter.data", DATA_ENDPOINT,
             "https://cdn.syndication.twimg.com/tweet-result?id={id}&lang=en&token={token}", read_tweet_result,
             accept="application/json, text/javascript;q=0.5, */*;q=0.1"),
    Endpoint("twitter.embed-page", EMBED_PAGE_ENDPOINT,
             "https://platform.twitter.com/embed/Tweet.html?dnt=true&id={id}&lang=en", read_card_page),
)

PROVIDER = ProviderRecord(
    key=KEY, name="X (Twitter)", order=100, find=find, match_url=match_url,
    display=Display("X", "#0f1419", hashtag_url="https://x.com/hashtag/{}", mention_url="https://x.com/{}"),
    hosts=(*HOSTS, "t.co", "twimg.com", "platform.twitter.com", "publish.twitter.com"),
    endpoints=ENDPOINTS, url_values=url_values)
