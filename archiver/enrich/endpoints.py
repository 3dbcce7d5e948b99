"""Where every platform answers: THE one table of endpoint URLs, keyed by provider key.

Each row is one place a platform can be asked about a post, the way its own embed asks:
an oEmbed endpoint (a base URL; the request adds `url=` and the row's fixed parameters) or an
embed page / data document (a template with {placeholders} filled from the post). Rows of one
provider are asked in the order they appear here.

Every URL can be replaced through `Settings.endpoints` ({row key: URL}); that is the supported way
to point the archiver at a mirror or a local stand-in (the tests do exactly that). An override
replaces the whole base URL or template, so an override for a template row must keep the
placeholders it needs.

Placeholders: {url} (the post URL, percent-encoded), {id} (post id / shortcode / video id),
{did} and {rkey} (Bluesky), {instance} (a Mastodon server's origin), {token} (the X widget token).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

OEMBED = "oembed"          # an oEmbed endpoint (JSON)
EMBED_PAGE = "embed-page"  # the HTML document the platform's embed iframe shows
DATA = "data"              # the JSON document behind an embed page

META_TOKEN_HINT = "set ARCHIVER_META_TOKEN to ask Meta's oEmbed"


@dataclass(frozen=True)
class Endpoint:
    key: str                       # unique row key, also the Settings.endpoints override key
    provider: str                  # provider key (archiver.embeds) this row serves
    kind: str                      # OEMBED | EMBED_PAGE | DATA
    url: str                       # oEmbed: base URL; others: a template with {placeholders}
    params: dict[str, str] = field(default_factory=dict)  # fixed query parameters (oEmbed)
    needs_meta_token: bool = False  # asked only when Settings.meta_token is set (sent as access_token)
    post_kinds: tuple[str, ...] = ()    # only for these Post.kind values (empty: any)
    except_kinds: tuple[str, ...] = ()  # never for these Post.kind values
    text_from_title: bool = False  # the oEmbed `title` is the post's caption (TikTok), not a headline


_VIDEO = ("video",)

TABLE: tuple[Endpoint, ...] = (
    # X / Twitter: oEmbed gives author and the blockquote (text); the syndication JSON behind
    # Tweet.html gives avatar, photos and the exact time; Tweet.html itself is the last resort.
    Endpoint("twitter", "twitter", OEMBED, "https://publish.twitter.com/oembed",
             {"omit_script": "1", "dnt": "true"}),
    Endpoint("twitter.data", "twitter", DATA, "https://cdn.syndication.twimg.com/tweet-result?id={id}&lang=en&token={token}"),
    Endpoint("twitter.embed-page", "twitter", EMBED_PAGE,
             "https://platform.twitter.com/embed/Tweet.html?dnt=true&id={id}&lang=en"),
    # Meta: Graph oEmbed only with a token; the plugin / embed pages are what the SDKs show.
    Endpoint("facebook", "facebook", OEMBED, "https://graph.facebook.com/v22.0/oembed_post",
             {"omitscript": "true"}, needs_meta_token=True, except_kinds=_VIDEO),
    Endpoint("facebook.video", "facebook", OEMBED, "https://graph.facebook.com/v22.0/oembed_video",
             {"omitscript": "true"}, needs_meta_token=True, post_kinds=_VIDEO),
    Endpoint("facebook.embed-page", "facebook", EMBED_PAGE,
             "https://www.facebook.com/plugins/post.php?href={url}&show_text=true&width=500", except_kinds=_VIDEO),
    Endpoint("facebook.video-page", "facebook", EMBED_PAGE,
             "https://www.facebook.com/plugins/video.php?href={url}&show_text=true&width=500", post_kinds=_VIDEO),
    Endpoint("instagram", "instagram", OEMBED, "https://graph.facebook.com/v22.0/instagram_oembed",
             {"omitscript": "true"}, needs_meta_token=True),
    # cr=1&v=14: what Instagram's embed.js asks for a version-14 embed code
    Endpoint("instagram.embed-page", "instagram", EMBED_PAGE,
             "https://www.instagram.com/p/{id}/embed/captioned/?cr=1&v=14"),
    Endpoint("threads", "threads", OEMBED, "https://graph.threads.net/v1.0/oembed"),
    # Video and audio platforms.
    Endpoint("youtube", "youtube", OEMBED, "https://www.youtube.com/oembed", {"format": "json"}),
    Endpoint("youtube.embed-page", "youtube", EMBED_PAGE, "https://www.youtube.com/embed/{id}"),
    Endpoint("vimeo", "vimeo", OEMBED, "https://vimeo.com/api/oembed.json"),
    Endpoint("tiktok", "tiktok", OEMBED, "https://www.tiktok.com/oembed", text_from_title=True),
    Endpoint("tiktok.embed-page", "tiktok", EMBED_PAGE, "https://www.tiktok.com/embed/v2/{id}?lang=en-US"),
    Endpoint("dailymotion", "dailymotion", OEMBED, "https://www.dailymotion.com/services/oembed",
             {"format": "json", "player": "default"}),
    Endpoint("streamable", "streamable", OEMBED, "https://api.streamable.com/oembed.json"),
    Endpoint("spotify", "spotify", OEMBED, "https://open.spotify.com/oembed"),
    Endpoint("soundcloud", "soundcloud", OEMBED, "https://soundcloud.com/oembed", {"format": "json"}),
    # Text and picture platforms.
    Endpoint("reddit", "reddit", OEMBED, "https://www.reddit.com/oembed"),
    Endpoint("bluesky", "bluesky", OEMBED, "https://embed.bsky.app/oembed", {"format": "json"}),
    Endpoint("bluesky.embed-page", "bluesky", EMBED_PAGE,
             "https://embed.bsky.app/embed/{did}/app.bsky.feed.post/{rkey}"),
    Endpoint("mastodon", "mastodon", OEMBED, "{instance}/api/oembed"),
    Endpoint("tumblr", "tumblr", OEMBED, "https://www.tumblr.com/oembed/1.0"),
    Endpoint("flickr", "flickr", OEMBED, "https://www.flickr.com/services/oembed/", {"format": "json"}),
    Endpoint("giphy", "giphy", OEMBED, "https://giphy.com/services/oembed"),
    Endpoint("pinterest", "pinterest", OEMBED, "https://www.pinterest.com/oembed.json"),
)

KEYS = frozenset(e.key for e in TABLE)


def endpoints_for(provider: str, kind: str, overrides: dict[str, str] | None = None) -> list[Endpoint]:
    """The rows to ask for a post of this provider and kind, in order, with overrides applied."""
    overrides = overrides or {}
    rows = []
    for row in TABLE:
        if row.provider != provider or kind in row.except_kinds:
            continue
        if row.post_kinds and kind not in row.post_kinds:
            continue
        if row.key in overrides:
            row = replace(row, url=overrides[row.key])
        rows.append(row)
    return rows


def unknown_overrides(overrides: dict[str, str]) -> list[str]:
    """Override keys that match no row (a typo would otherwise silently do nothing)."""
    return sorted(k for k in overrides if k not in KEYS)
