"""The embedded-post model and the provider contract.

A provider module (one per platform, in this package) owns everything about its platform and
assigns a `ProviderRecord` to a module-level `PROVIDER`:

    key        stable string id ("twitter", "facebook", ...): stored in embeds.provider, picks the
               card template (cards/<key>.html, else cards/<family>.html, else cards/post.html)
    name       human name ("X (Twitter)")
    order      lower runs first: specific providers < 500, wrappers/aggregators 500-899, generic 900+
    find(doc, base_url) -> Iterable[Detected]
               every embed of this platform in a parsed document
    match_url(url) -> Post | None
               a Post (provider, kind, post_url, post_id) when the URL is one of the platform's posts
    display    how cards show the platform (Display: short label, brand colour, handle prefix,
               hashtag/mention links, the link's verb)
    family     what its posts are by default: post | video | audio | photo | link | article
    hosts      the domains the platform serves from (posts, embeds, answers, media)
    endpoints  where the platform answers about a post (oEmbed, embed page, data API), each with
               the pure function that reads that answer, asked in this order
    url_values(post) -> {placeholder: value}
               what the endpoints' URL templates are filled with ({id}, {token}, ...)

Providers are pure: markup and answers in, `Post` / `Reading` out. No network, no storage, no
rendering. Settings.endpoints ({endpoint key: URL}) points any endpoint elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Iterable

from bs4 import Tag

# Where a field's value came from.
FALLBACK = "fallback"        # the embed markup in the page
OEMBED = "oembed"            # the platform's oEmbed answer
EMBED_PAGE = "embed-page"    # the platform's embed page (or the JSON behind it)
DERIVED = "derived"          # computed (e.g. an X post's date from its ID)

# Unicode controls that change how the text around them reads (bidi embeddings, overrides,
# isolates) or that hide (zero-width marks): a name wrapped in U+202E ... U+202C would read
# backwards on a card. Names, handles and titles lose all of them; post text loses the ones that
# reorder what follows (marks and joiners stay: RTL text and emoji sequences need them). A zero-width
# joiner inside an emoji sequence (family, profession and flag emoji in display names) is part of
# the character and stays in names too.
_PICTOGRAPH = "\u2600-\u27bf\U0001f000-\U0001faff"
_NAME_CONTROLS = re.compile(
    "[\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
    f"|(?<![{_PICTOGRAPH}\ufe0f])\u200d|\u200d(?![{_PICTOGRAPH}])")
_TEXT_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
NAME_FIELDS = ("post_id", "author_name", "author_handle", "title", "date_text")
TEXT_FIELDS = ("text", "text_html")


def without_controls(value: str) -> str:
    """A name, handle or title without direction or zero-width controls."""
    return _NAME_CONTROLS.sub("", value)


def neutral_text(value: str) -> str:
    """Post text without the controls that would reorder what follows them."""
    return _TEXT_CONTROLS.sub("", value)


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
    status_evidence: str | None = None    # which answer decided the status, and what it said
    sources: dict[str, str] = field(default_factory=dict)
    alternatives: dict[str, dict[str, Any]] = field(default_factory=dict)
    oembed: dict[str, Any] | None = None
    enrich_error: str | None = None
    checked_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)   # duration, artist, subtitle, embed_url, ...

    def put(self, name: str, value: Any, source: str) -> None:
        """Fill a field if it is empty; if it already holds another value, keep both (the first
        one wins, the other is recorded under `alternatives`). Empty values are ignored."""
        if isinstance(value, str):
            value = without_controls(value) if name in NAME_FIELDS else (
                neutral_text(value) if name in TEXT_FIELDS else value)
            value = value.strip()
        if value is None or value == "":
            return
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


# What kind of place an endpoint is.
OEMBED_ENDPOINT = "oembed"      # an oEmbed endpoint (JSON); the request adds url= and the row's params
EMBED_PAGE_ENDPOINT = "embed-page"  # the HTML document the platform's embed iframe shows
DATA_ENDPOINT = "data"          # the JSON document behind an embed page
ENDPOINT_KINDS = (OEMBED_ENDPOINT, EMBED_PAGE_ENDPOINT, DATA_ENDPOINT)


@dataclass(frozen=True)
class Reply:
    """A platform's answer to one request, as plain data (what a reader reads)."""

    url: str
    status: int | None = None          # None: no answer at all (see error)
    body: bytes = b""
    mime_type: str = ""                 # media type without parameters, lower case
    error: str | None = None            # one line: why there is no usable answer


@dataclass
class Reading:
    """What one answer said about a post."""

    outcome: str                                           # see OUTCOMES in archiver.embeds.reading
    fields: dict[str, Any] = field(default_factory=dict)   # Post field -> value
    media: list[Media] = field(default_factory=list)
    raw: dict[str, Any] | None = None                      # the oEmbed JSON, when there was one
    error: str | None = None                               # one line
    extra: dict[str, Any] = field(default_factory=dict)    # Post.extra additions (duration, ...)
    evidence: str | None = None                            # what in the answer decided the outcome


Reader = Callable[[Reply, Post], Reading]


@dataclass(frozen=True)
class Endpoint:
    """One place a platform can be asked about a post, the way its own embed asks."""

    key: str                       # unique; also the Settings.endpoints override key
    kind: str                      # OEMBED_ENDPOINT | EMBED_PAGE_ENDPOINT | DATA_ENDPOINT
    url: str                       # oEmbed: base URL; others: a template with {placeholders}
    read: Reader                   # the reader of this endpoint's answer (pure)
    params: tuple[tuple[str, str], ...] = ()   # fixed query parameters (oEmbed)
    needs_meta_token: bool = False  # asked only when Settings.meta_token is set (sent as access_token)
    post_kinds: tuple[str, ...] = ()    # only for these Post.kind values (empty: any)
    except_kinds: tuple[str, ...] = ()  # never for these Post.kind values
    accept: str | None = None      # the Accept header to send (None: the fetcher's default)
    provider: str = ""             # filled in by ProviderRecord

    def serves(self, kind: str) -> bool:
        if kind in self.except_kinds:
            return False
        return not self.post_kinds or kind in self.post_kinds


@dataclass(frozen=True)
class Display:
    """How a preserved card shows a platform."""

    label: str                     # one or two characters drawn in the card's mark ("X", "▶")
    color: str                     # brand colour of the mark (#rrggbb)
    handle_prefix: str = "@"       # written before handles ("@", "u/", "" for none)
    hashtag_url: str | None = None  # "https://x.com/hashtag/{}"
    mention_url: str | None = None  # "https://x.com/{}"
    verb: str = "View on"          # the link to the original: "<verb> <name>"


FAMILIES = ("post", "video", "audio", "photo", "link", "article")


def _post_id_values(post: Post) -> dict[str, str]:
    return {"id": post.post_id} if post.post_id else {}


@dataclass(frozen=True)
class ProviderRecord:
    """A provider as data: what a provider module assigns to `PROVIDER`."""

    key: str
    name: str
    order: int
    find: Callable[[Any, str], Iterable[Detected]]
    match_url: Callable[[str], "Post | None"]
    display: Display = Display("↗", "#5f6368", handle_prefix="")
    family: str = "post"
    hosts: tuple[str, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    url_values: Callable[[Post], dict[str, str]] = _post_id_values

    def __post_init__(self) -> None:
        object.__setattr__(self, "endpoints", tuple(
            e if e.provider == self.key else replace(e, provider=self.key) for e in self.endpoints))


Provider = ProviderRecord
