"""Turning an endpoint row and a post into the URL to ask (pure functions)."""
from __future__ import annotations

import math
import re
from urllib.parse import quote, urlencode, urlsplit

from ..embeds.base import Post
from .endpoints import OEMBED, Endpoint

_TWEET_ID = re.compile(r"(?:twitter|x)\.com/(?:\w+|i(?:/web)?)/status(?:es)?/(\d+)", re.I)
_INSTAGRAM_CODE = re.compile(r"instagram\.com/(?:[\w.]+/)?(?:p|reel|reels|tv)/([\w-]+)", re.I)
_YOUTUBE_ID = re.compile(r"(?:youtube(?:-nocookie)?\.com/(?:watch\?(?:.*&)?v=|embed/|shorts/|live/|v/)|youtu\.be/)"
                         r"([\w-]{11})", re.I)
_TIKTOK_ID = re.compile(r"tiktok\.com/(?:@[\w.-]+/video|embed(?:/v2)?|player/v1)/(\d+)", re.I)
_AT_URI = re.compile(r"at://(did:[a-z]+:[\w.:%-]+)/app\.bsky\.feed\.post/([\w-]+)", re.I)
_BSKY_URL = re.compile(r"bsky\.app/profile/([\w.:%-]+)/post/([\w-]+)", re.I)
_ID_PATTERNS = {"twitter": _TWEET_ID, "instagram": _INSTAGRAM_CODE, "youtube": _YOUTUBE_ID, "tiktok": _TIKTOK_ID}


def _candidates(post: Post) -> list[str]:
    """Every string of the post that may carry its identity, most trusted first."""
    values = [post.post_url, post.post_url_original, *(str(v) for v in post.extra.values() if isinstance(v, str)),
              post.markup]
    return [v for v in values if v]


def post_id(post: Post) -> str | None:
    """The id the platform's embed page is addressed by (tweet id, shortcode, video id...)."""
    pattern = _ID_PATTERNS.get(post.provider)
    if pattern is None:
        return post.post_id
    if post.post_id and re.fullmatch(r"[\w-]+", post.post_id):
        return post.post_id
    for value in _candidates(post):
        m = pattern.search(value)
        if m:
            return m.group(1)
    return None


def bluesky_did_rkey(post: Post) -> tuple[str, str] | None:
    """(DID, record key) from an AT-URI anywhere in the post, or from a DID-form post URL."""
    for value in _candidates(post):
        m = _AT_URI.search(value)
        if m:
            return m.group(1), m.group(2)
    for value in _candidates(post):
        m = _BSKY_URL.search(value)
        if m and m.group(1).startswith("did:"):
            return m.group(1), m.group(2)
    return None


def instance_of(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.netloc}"
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


def build_url(endpoint: Endpoint, post: Post, meta_token: str | None = None) -> str | None:
    """The URL to GET, or None when the post lacks what the endpoint is addressed by."""
    if endpoint.kind == OEMBED:
        if not post.post_url:
            return None
        base = endpoint.url
        if "{instance}" in base:
            instance = instance_of(post.post_url)
            if not instance:
                return None
            base = base.replace("{instance}", instance)
        params = {"url": post.post_url, **endpoint.params}
        if endpoint.needs_meta_token and meta_token:
            params["access_token"] = meta_token
        return base + ("&" if "?" in base else "?") + urlencode(params)
    values: dict[str, str] = {}
    if "{url}" in endpoint.url:
        if not post.post_url:
            return None
        values["url"] = quote(post.post_url, safe="")
    if "{id}" in endpoint.url or "{token}" in endpoint.url:
        pid = post_id(post)
        if not pid:
            return None
        values["id"] = quote(pid, safe="")
        if "{token}" in endpoint.url:
            values["token"] = x_widget_token(pid) if pid.isdigit() else "0"
    if "{did}" in endpoint.url or "{rkey}" in endpoint.url:
        found = bluesky_did_rkey(post)
        if not found:
            return None
        values["did"], values["rkey"] = quote(found[0], safe=":"), quote(found[1], safe="")
    if "{instance}" in endpoint.url:
        instance = instance_of(post.post_url)
        if not instance:
            return None
        values["instance"] = instance
    try:
        return endpoint.url.format(**values)
    except (KeyError, IndexError, ValueError):
        return None
