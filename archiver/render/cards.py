"""Preserved cards: one static, trustworthy card per embedded post, from a row of `store.embeds()`.

`card_view(row, asset_url)` turns a row into plain display values (pure; how a platform looks is
its provider's `display`); `render_card` puts them through the Jinja2 template `cards/<provider>.html`,
else `cards/<family>.html` (video, audio, ...), else `cards/post.html`.
Post text is untrusted: templates autoescape, and the stored HTML of a post's text is
sanitised again here before it is marked safe."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from .. import embeds
from ..embeds._text import linkify_plain, sanitize_html
from ..templating import environment


@dataclass(frozen=True)
class Platform:
    """A provider as a card shows it: its name and its display (archiver.embeds.base.Display)."""
    name: str
    color: str
    mark: str
    handle_prefix: str = "@"
    hashtag_url: str | None = None
    mention_url: str | None = None
    verb: str = "View on"


def platform_of(provider: str) -> Platform:
    """How cards show a provider, from the registry (the catch-all's look for unknown keys)."""
    prov = embeds.provider(provider) or embeds.fallback_provider()
    d = prov.display
    return Platform(prov.name, d.color, d.label, d.handle_prefix, d.hashtag_url, d.mention_url, d.verb)


SOURCE_LABELS = {"fallback": "page markup", "oembed": "oEmbed", "embed-page": "embed page",
                 "derived": "post ID"}
STATUS_NOTES = {"deleted": "This post has been deleted at {name}.",
                "unavailable": "This post is no longer available on {name}.",
                "changed": "This post now reads differently on {name}; this is what it said when preserved."}
FOUND = {"deleted": "found deleted", "unavailable": "found unavailable", "changed": "found changed"}
VIDEO_KINDS = {"video", "clip", "live", "reel", "short"}
AUDIO_KINDS = {"audio", "track", "album", "episode", "podcast", "playlist", "show"}

AssetUrl = Callable[[str], str | None]


@dataclass
class MediaView:
    src: str | None
    alt: str
    type: str
    width: int | None = None
    height: int | None = None


@dataclass
class CardView:
    provider: str
    platform: Platform
    kind: str
    family: str                      # post | video | audio | photo | link
    post_url: str | None
    author_name: str | None
    author_handle: str | None        # with the platform's prefix (@, u/, ...)
    author_url: str | None
    avatar_src: str | None
    initials: str
    published_iso: str | None
    published_human: str | None
    title: str | None
    text_html: Markup | None
    media: list[MediaView] = field(default_factory=list)
    duration: str | None = None
    artist: str | None = None
    status: str = "unchecked"
    status_note: str | None = None
    preserved_at: str | None = None
    checked: bool = False            # the platform answered about this post (status other than unchecked)
    sources: list[str] = field(default_factory=list)
    host: str | None = None
    known_little: bool = False
    screenshot_src: str | None = None   # the platform's own rendering at capture (browser mode)


def _web_url(url: Any) -> str | None:
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def initials(name: str | None, handle: str | None) -> str:
    words = re.findall(r"\w+", name or "") or re.findall(r"[^\W_]+", handle or "")
    if not words:
        return "?"
    letters = words[0][0] + (words[1][0] if len(words) > 1 else "")
    return letters.upper()


def human_date(value: str | None) -> tuple[str | None, str | None]:
    """(machine ISO, human text) of an ISO 8601 date or date-time; (None, None) when unreadable."""
    if not value:
        return None, None
    text = value.strip()
    try:
        if len(text) == 10:
            d = datetime.strptime(text, "%Y-%m-%d")
            return text, f"{d.day} {d:%B %Y}"
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)
        iso = dt.replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return iso, f"{dt.day} {dt:%B %Y}, {dt:%H:%M} UTC"
    return dt.replace(microsecond=0).isoformat(), f"{dt.day} {dt:%B %Y}, {dt:%H:%M}"


def duration_text(seconds: Any) -> str | None:
    try:
        total = int(float(seconds))
    except (TypeError, ValueError):
        return None
    if total <= 0:
        return None
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def family_of(kind: str, provider: str) -> str:
    """post | video | audio | photo | link | article: what the card shows, from the post's kind and the
    provider's own family (a YouTube playlist is still a video card)."""
    prov = embeds.provider(provider)
    family = prov.family if prov else "post"
    if kind in VIDEO_KINDS or family == "video":
        return "video"
    if kind in AUDIO_KINDS or family == "audio":
        return "audio"
    if kind in ("photo", "gif", "image"):
        return "photo"
    if kind in ("link", "timeline", "profile", "article"):
        return "link"
    return family if family == "article" else "post"


def _text_html(row: dict, platform: Platform) -> Markup | None:
    stored = row.get("text_html")
    if stored:
        clean = sanitize_html(stored)   # again: the archive may come from someone else's bundle
        if clean:
            return Markup(clean)
    text = row.get("text")
    if text:
        return Markup(linkify_plain(text, platform.hashtag_url, platform.mention_url) or "")
    return None


def _handle(handle: Any, platform: Platform) -> str | None:
    if not isinstance(handle, str) or not handle.strip():
        return None
    handle = handle.strip()
    prefix = platform.handle_prefix
    if not prefix or handle.startswith(prefix):
        return handle
    return prefix + handle.lstrip("@")


def card_view(row: dict, asset_url: AssetUrl, preserved_at: str | None = None) -> CardView:
    """Display values of one embed row (pure: blobs are only referred to through `asset_url`)."""
    provider = row.get("provider") or embeds.GENERIC
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", provider):
        provider = embeds.GENERIC
    platform = platform_of(provider)
    kind = (row.get("kind") or "post").lower()
    extra = row.get("extra") if isinstance(row.get("extra"), dict) else {}
    media: list[MediaView] = []
    for item in row.get("media") or []:
        if not isinstance(item, dict):
            continue
        src = asset_url(item["sha256"]) if item.get("sha256") else None
        if src:
            media.append(MediaView(src, str(item.get("alt") or ""), str(item.get("type") or "image"),
                                   _int(item.get("width")), _int(item.get("height"))))
    avatar = asset_url(row["avatar_sha256"]) if row.get("avatar_sha256") else None
    iso, human = human_date(row.get("published_at"))
    if human is None and row.get("date_text"):
        human = str(row["date_text"])
    status = (row.get("status") or "unchecked").lower()
    sources = row.get("sources") if isinstance(row.get("sources"), dict) else {}
    labels = sorted({SOURCE_LABELS.get(v, str(v)) for v in sources.values() if v})
    post_url = _web_url(row.get("post_url")) or _web_url(row.get("post_url_original"))
    text_html = _text_html(row, platform)
    name = (row.get("author_name") or "").strip() or None
    handle = _handle(row.get("author_handle"), platform)
    return CardView(
        provider=provider, platform=platform, kind=kind, family=family_of(kind, provider),
        post_url=post_url, author_name=name, author_handle=handle,
        author_url=_web_url(row.get("author_url")), avatar_src=avatar, initials=initials(name, handle),
        published_iso=iso, published_human=human,
        title=(row.get("title") or "").strip() or None, text_html=text_html, media=media,
        duration=duration_text(extra.get("duration")),
        artist=(extra.get("artist") or None) if isinstance(extra.get("artist"), str) else None,
        status=status,
        status_note=_status_note(status, platform, row, preserved_at),
        preserved_at=human_date(preserved_at or row.get("checked_at"))[1],
        checked=status != "unchecked",
        sources=labels, host=urlsplit(post_url).hostname if post_url else None,
        known_little=not (name or handle or text_html or row.get("title") or media),
        screenshot_src=asset_url(row["screenshot_sha256"]) if row.get("screenshot_sha256") else None,
    )


def _status_note(status: str, platform: Platform, row: dict, preserved_at: str | None) -> str | None:
    """What the platform last said, with both dates when it said so after the post was last seen:
    "This post has been deleted at X. Last seen 3 March 2026; found deleted 9 March 2026." """
    if status not in STATUS_NOTES:
        return None
    note = STATUS_NOTES[status].format(name=platform.name)
    checked, last = row.get("checked_at") or "", row.get("last_seen_at") or preserved_at or ""
    found, seen = human_date(checked[:10])[1], human_date(last[:10])[1]
    # a post found gone by the capture itself was never seen: only a later finding gets the dates
    if found and seen and checked > last and (found != seen or row.get("last_seen_at")):
        note += f" Last seen {seen}; {FOUND[status]} {found}."
    return note


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def template_for(provider: str, family: str, env: jinja2.Environment) -> jinja2.Template:
    """The provider's own card template, else its family's, else the shared post card."""
    return env.get_or_select_template([f"cards/{provider}.html", f"cards/{family}.html", "cards/post.html"])


def render_card(embed_row: dict, *, asset_url: AssetUrl, preserved_at: str | None = None,
                env: jinja2.Environment | None = None) -> Markup:
    """One preserved card (HTML) from a row of `store.embeds()`."""
    view = card_view(embed_row, asset_url, preserved_at)
    env = env or environment()
    return Markup(template_for(view.provider, view.family, env).render(card=view))
