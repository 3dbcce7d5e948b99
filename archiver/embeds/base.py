"""The embedded-post model and the provider contract.

A provider module (one per platform family, in this package) defines a module-level
`PROVIDER` object with:

    key:    stable string id ("twitter", "facebook", ...): stored in embeds.provider,
            picks the card template cards/<key>.html
    name:   human name ("X (Twitter)")
    order:  int; lower runs first. Specific providers < 500, aggregators/wrappers 500-899,
            the generic fallback 900+
    find(doc: bs4.BeautifulSoup, base_url: str) -> Iterable[Detected]
            yield every embed of this provider in the document, in any order. It must not
            yield elements inside an element already claimed (see Detection.claimed).
    match_url(url: str) -> Post | None
            a Post (provider, kind, post_url, post_id set) when the URL is one of this
            platform's posts, else None. Used for bare URLs (WordPress embed wrappers,
            aggregators such as Iframely/Embedly, amp-iframe) and by enrichment.
Where each platform answers (oEmbed endpoint, embed page) is declared in ONE table,
archiver/enrich/endpoints.py, keyed by provider key, so users and tests can point the
archiver elsewhere through configuration.

Providers are pure: bytes/soup in, `Post` out. No network, no storage, no rendering.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Protocol

from bs4 import Tag

# Where a field's value came from.
FALLBACK = "fallback"        # the embed markup in the page
OEMBED = "oembed"            # the platform's oEmbed answer
EMBED_PAGE = "embed-page"    # the platform's embed page (or the JSON behind it)
DERIVED = "derived"          # computed (e.g. an X post's date from its ID)

POST_FIELDS = ("post_url", "post_id", "author_name", "author_handle", "author_url", "avatar_url",
               "published_at", "date_text", "title", "text", "text_html")


@dataclass
class Media:
    url: str
    type: str = "image"            # image | video-poster | thumbnail | gif
    alt: str = ""
    sha256: str | None = None      # set once the bytes are stored
    width: int | None = None
    height: int | None = None
    source: str = FALLBACK


@dataclass
class Post:
    """One embed's post, with the source of every field."""

    provider: str
    kind: str = "post"             # post | video | photo | audio | timeline | link | profile | playlist
    post_url: str | None = None    # normalised permalink
    post_url_original: str | None = None  # as written in the page
    post_id: str | None = None
    author_name: str | None = None
    author_handle: str | None = None      # without '@'
    author_url: str | None = None
    avatar_url: str | None = None
    avatar_sha256: str | None = None
    published_at: str | None = None       # ISO 8601 (UTC 'Z' when a time is known, else a date)
    date_text: str | None = None          # the date as the page wrote it
    title: str | None = None              # video/audio/link title
    text: str | None = None               # plain text of the post / caption / description
    text_html: str | None = None          # sanitised HTML of the text (links and hashtags kept as <a>)
    media: list[Media] = field(default_factory=list)
    markup: str = ""                      # the embed's original markup
    status: str = "unchecked"             # ok | deleted | unavailable | unchecked
    sources: dict[str, str] = field(default_factory=dict)
    alternatives: dict[str, dict[str, Any]] = field(default_factory=dict)
    oembed: dict[str, Any] | None = None
    enrich_error: str | None = None
    checked_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)   # duration, artist, subtitle, embed_url, ...

    def put(self, name: str, value: Any, source: str) -> None:
        """Fill a field if it is empty; if it already holds another value, keep both (the first
        one wins, the other is recorded under `alternatives`). Empty values are ignored."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if isinstance(value, str):
            value = value.strip()
        current = getattr(self, name)
        if current in (None, ""):
            setattr(self, name, value)
            self.sources[name] = source
        elif current != value:
            self.alternatives.setdefault(name, {})[source] = value

    def add_media(self, media: Media) -> None:
        if media.url and all(m.url != media.url for m in self.media):
            self.media.append(media)

    def row(self) -> dict[str, Any]:
        """The `embeds` table row (without snapshot_id and position)."""
        d = asdict(self)
        return d


@dataclass
class Detected:
    """An embed found in a document."""

    element: Tag                 # the outermost element the card replaces
    post: Post
    also_remove: list[Tag] = field(default_factory=list)  # e.g. "via GIPHY" line, SoundCloud credit div
    position: int = -1           # order in the page, set by the registry


@dataclass(frozen=True)
class ProviderRecord:
    """A provider as data: what a provider module assigns to `PROVIDER`."""

    key: str
    name: str
    order: int
    find: Callable[[Any, str], Iterable[Detected]]
    match_url: Callable[[str], "Post | None"]


class Provider(Protocol):
    key: str
    name: str
    order: int

    def find(self, doc: Any, base_url: str) -> Iterable[Detected]: ...

    def match_url(self, url: str) -> Post | None: ...
