"""Reading an oEmbed answer (oembed.com spec) into Post fields (pure functions).

Providers build their oEmbed reader with `oembed_reader(...)`, saying what differs on their
platform: whether the `title` is the post's caption (TikTok), how a handle follows from
`author_url`, and which parser reads the blockquote in `html` (the provider's own `find`, which
knows, e.g., that Instagram's blockquote holds no caption).

The JSON is checked the way the spec describes it (an object with a known `type`); fields map onto
the Post: author_name, author_url, title, thumbnail_url (a thumbnail), photo `url` (the photo)."""
from __future__ import annotations

import html as htmlmod
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from bs4 import BeautifulSoup

from ._text import sanitize_html, text_of
from .base import OEMBED, Detected, Media, Reader, Reading, Reply, Post
from .reading import ERROR, OK, from_status, login_wall, with_fields

log = logging.getLogger(__name__)

TYPES = {"photo", "video", "rich", "link"}
# Fields read from the blockquote in `html`, when the answer carries one.
HTML_FIELDS = ("text", "text_html", "author_name", "author_handle", "published_at", "date_text", "title")
BLOCKQUOTE_EXTRAS = ("sound", "lang", "media_links")
_HANDLE_AFTER_HOST = re.compile(r"^https?://[^/]+/(?:profile/|@)?@?([\w.-]+)/?$")
_META_CODES = {104: "token required", 190: "invalid token", 10: "permission denied (oEmbed Read not granted)",
               4: "rate limited", 32: "rate limited", 613: "rate limited"}

Find = Callable[[Any, str], Iterable[Detected]]
HandleRule = Callable[[str], "str | None"]


def handle_after_host(author_url: str) -> str | None:
    """The handle in https://host/NAME, /@NAME or /profile/NAME."""
    m = _HANDLE_AFTER_HOST.match(author_url)
    return m.group(1) if m else None


@dataclass(frozen=True)
class OembedRules:
    """What differs in one platform's oEmbed answers."""

    find: Find | None = None           # the provider's parser of the blockquote in `html`
    title_is_text: bool = False        # the `title` is the post's caption (TikTok)
    title_is_label: bool = False       # the `title` is a label ("New status by ana": Mastodon), not a title
    name_is_handle: bool = False       # `author_name` is the username (Instagram, Reddit); names come from html
    handle_rule: HandleRule | None = handle_after_host   # how a handle follows from `author_url`
    profile_url: str | None = None     # the author's URL from the handle ("https://host/user/{}") when none is given
    status_means: dict[int, str] | None = None           # HTTP statuses the platform uses otherwise


def oembed_reader(**rules: Any) -> Reader:
    """The reader of one platform's oEmbed answers (keyword arguments: OembedRules' fields)."""
    fixed = OembedRules(**rules)

    def read(reply: Reply, post: Post) -> Reading:
        return read_oembed(reply, fixed)

    return read


def read_oembed(reply: Reply, rules: OembedRules = OembedRules()) -> Reading:
    """What an oEmbed response says. Never raises."""
    status = reply.status
    if status is not None and status >= 400 and _looks_like_json(reply.body):
        meta = _graph_error(reply.body)
        if meta:   # Meta's Graph error (no token, no permission, rate limit): nothing about the post
            return Reading(ERROR, error=f"HTTP {status} ({meta})")
    early = from_status(reply, rules.status_means)
    if early is not None:
        return early
    wall = login_wall(reply)
    if wall:
        return wall
    data, problem = parse_json(reply.body, reply.mime_type)
    if problem:
        return Reading(ERROR, error=problem)
    return map_fields(data, rules)


def parse_json(body: bytes, mime: str) -> tuple[dict[str, Any], str | None]:
    """The oEmbed object, or why there is none."""
    text = body.decode("utf-8", "replace").lstrip("\ufeff").strip()
    if not text:
        return {}, "empty answer"
    if text.startswith("<") or mime in ("text/html", "application/xhtml+xml"):
        return {}, f"HTML where JSON was expected ({mime or 'no content type'})"
    try:
        data = json.loads(text)
    except ValueError:
        return {}, "answer is not valid JSON"
    if not isinstance(data, dict):
        return {}, "answer is not a JSON object"
    if "error" in data and "type" not in data:
        return {}, f"platform error: {_short(data['error'])}"
    kind = data.get("type")
    if kind is not None and kind not in TYPES:
        return {}, f"unknown oEmbed type {_short(kind)!s}"
    if kind is None and not any(k in data for k in ("html", "author_name", "title", "url")):
        return {}, "answer is not an oEmbed object"
    return data, None


_NAME_AND_HANDLE = re.compile(r"^(?P<name>.*?)\s*\(\s*@(?P<handle>[\w.:@-]+)\s*\)$")


def map_fields(data: dict[str, Any], rules: OembedRules = OembedRules()) -> Reading:
    reading = Reading(OK, raw=data, evidence="oEmbed answered with the post")
    f = reading.fields
    name = _str(data.get("author_name"))
    f["author_url"] = _url(data.get("author_url"))
    handle = _str(data.get("author_unique_id"))
    if name and rules.name_is_handle:
        handle, name = handle or name, None
    elif name:
        m = _NAME_AND_HANDLE.match(name)   # Bluesky: "Display Name (@handle)"
        if m:
            name, handle = m.group("name") or None, handle or m.group("handle")
        elif name.startswith("@") and " " not in name:
            name, handle = None, handle or name
    f["author_name"] = name
    handle = handle or (rules.handle_rule(f["author_url"]) if rules.handle_rule and f["author_url"] else None)
    if handle:
        f["author_handle"] = handle.lstrip("@")
        if not f["author_url"] and rules.profile_url:
            f["author_url"] = rules.profile_url.format(f["author_handle"])
    title = _str(data.get("title"))
    if title and not rules.title_is_label:
        f["text" if rules.title_is_text else "title"] = title
    thumb = _url(data.get("thumbnail_url"))
    if thumb:
        reading.media.append(Media(thumb, type="thumbnail", width=_int(data.get("thumbnail_width")),
                                   height=_int(data.get("thumbnail_height")), source=OEMBED))
    if data.get("type") == "photo" and _url(data.get("url")):
        reading.media.append(Media(_url(data.get("url")) or "", type="image", alt=title or "",
                                   width=_int(data.get("width")), height=_int(data.get("height")), source=OEMBED))
    for key in ("upload_date", "created_at", "published_at"):
        when = _str(data.get(key))
        if when:
            f.setdefault("published_at", re.sub(r"^(\d{4}-\d\d-\d\d) (\d)", r"\1T\2", when))
    for key in ("duration", "description", "provider_name", "video_id"):
        if data.get(key) not in (None, ""):
            reading.extra[key] = data[key]
    html = data.get("html")
    if isinstance(html, str) and "<blockquote" in html:   # rich, and Meta's and TikTok's video answers
        fields, extra = read_blockquote(html, rules.find, data.get("url") or "")
        for key, value in fields.items():
            if key == "author_name" and f.get("author_name"):
                # Meta gives a personal profile's first name in author_name, the full name in html
                if isinstance(value, str) and value.startswith(f["author_name"] + " "):
                    f["author_name"] = value
                continue
            if key == "author_name" and _is_handle_label(value, f.get("author_handle")):
                continue   # Reddit's "u/NAME", "@NAME": the username again, not a display name
            if not f.get(key):
                f[key] = value
        if not f.get("author_url") and f.get("author_handle") and rules.profile_url:
            f["author_url"] = rules.profile_url.format(f["author_handle"])
        for key, value in extra.items():
            reading.extra.setdefault(key, value)
    return with_fields(reading)


def read_blockquote(html: str, find: Find | None, base_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Post fields (and extras such as a sound credit) from the blockquote an oEmbed `html` carries:
    read by the provider's own `find` when it has one, else the first paragraph of the blockquote."""
    soup = BeautifulSoup(html, "lxml")
    if find is not None:
        try:
            found = list(find(soup, base_url))
        except Exception:  # a provider's parser must not cost the enrichment
            log.warning("a provider could not read an oEmbed html", exc_info=True)
            return {}, {}
        if not found:
            return {}, {}
        post = found[0].post
        fields = {name: getattr(post, name) for name in HTML_FIELDS if getattr(post, name) not in (None, "")}
        return fields, {k: v for k, v in post.extra.items() if k in BLOCKQUOTE_EXTRAS}
    quote = soup.find("blockquote")
    if quote is None:
        return {}, {}
    para = quote.find("p")
    node = para if para is not None else quote
    text = text_of(node)
    return ({"text": text, "text_html": sanitize_html(node, base_url or None)} if text else {}), {}


def _is_handle_label(name: Any, handle: Any) -> bool:
    if not (isinstance(name, str) and isinstance(handle, str) and handle):
        return False
    bare = re.sub(r"^(?:u/|@)", "", name.strip(), flags=re.I)
    return bare.lower() == handle.lstrip("@").lower()


def _graph_error(body: bytes) -> str | None:
    """Meta's Graph error object ({"error": {"type": "OAuthException", "code": 104, ...}}) as a short cause."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    err = data.get("error") if isinstance(data, dict) else None
    if not isinstance(err, dict) or not ("fbtrace_id" in err or str(err.get("type", "")).endswith("Exception")):
        return None   # another platform's error object (Dailymotion's 404 JSON): its HTTP status speaks
    code = err.get("code")
    known = _META_CODES.get(code) if isinstance(code, int) else None
    label = known or _short(err.get("message") or err.get("type") or "error", 80)
    return f"{label}; {err['type']} {code}" if err.get("type") and code is not None else label


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")


def _str(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _url(value: Any) -> str | None:
    """An absolute http(s) URL: protocol-relative ones (Streamable's `//cdn...`) get https, HTML-escaped
    ones (Reddit's `&amp;` in thumbnail_url) are unescaped; `#` and other non-URLs are dropped."""
    value = _str(value)
    if value and value.startswith("//"):
        value = "https:" + value
    if value and "&amp;" in value:
        value = htmlmod.unescape(value)
    return value if value and value.lower().startswith(("http://", "https://")) else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _short(value: Any, n: int = 120) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= n else text[: n - 1] + "…"
