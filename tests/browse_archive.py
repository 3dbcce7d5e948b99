"""A small but varied archive for the list/search/serve tests, written through the real Store."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from archiver.model import Resource, Snapshot
from archiver.store import Store
from conftest import tiny_png


def png(seed: str) -> bytes:
    return tiny_png(seed, 6)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


HARBOUR_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Council votes on harbour plan</title>
<link rel="stylesheet" href="/style.css"></head><body><h1>Council votes on harbour plan</h1>
<p>The council met on Tuesday to vote on the harbour plan.</p><img src="/photo.png" alt="The harbour">
<script>document.title = "pwned"</script>
<blockquote class="twitter-tweet"><p>The harbour is lovely today</p>&mdash; Ada Lovelace (@ada)
<a href="https://twitter.com/ada/status/1790000000000000000">May 1, 2024</a></blockquote>
</body></html>"""

PHOTO = png("photo")
AVATAR = png("avatar-ada")
POST_MEDIA = png("post-media")
OTHER_IMAGE = png("other")
CSS = b"body { font-family: Georgia, serif; } h1 { color: #123456; }"


@dataclass
class Archive:
    path: Path
    harbour: int      # news.example.com, 2 posts (twitter @ada, bluesky Grace Hopper), resources
    storm: int        # www.example.com, 1 mastodon post by Ada
    failed: int       # blog.other.org, failed capture
    tricky: int       # notexample.com, a title full of search syntax and markup


def build(path: Path) -> Archive:
    store = Store(path)
    # The avatar and the post media are blobs too (capture stores them as resources of kind 'media'),
    # stored first: embeds.avatar_sha256 is a foreign key to blobs.
    with store.transaction():
        store.put_blob(AVATAR, "image/png")
        store.put_blob(POST_MEDIA, "image/png")
    harbour = store.save_snapshot(Snapshot(
        url="https://news.example.com/2024/harbour", final_url="https://news.example.com/2024/harbour",
        captured_at="2024-05-01T10:00:00Z", status_code=200, content_type="text/html; charset=utf-8",
        body=HARBOUR_PAGE,
        meta={"title": "Council votes on harbour plan", "byline": "Jane Reporter", "site_name": "Example News",
              "text": "The council met on Tuesday to vote on the harbour plan. " * 5,
              "published_at": "2024-05-01T08:00:00Z", "lang": "en"},
        resources=[
            Resource(url="https://news.example.com/photo.png", kind="image", status_code=200,
                     content_type="image/png", body=PHOTO),
            Resource(url="https://news.example.com/style.css", kind="stylesheet", status_code=200,
                     content_type="text/css", body=CSS),
            Resource(url="https://news.example.com/missing.png", kind="image", status_code=404,
                     error="HTTP 404"),
        ],
        embeds=[
            {"position": 0, "provider": "twitter", "kind": "post",
             "post_url": "https://twitter.com/ada/status/1790000000000000000", "post_id": "1790000000000000000",
             "author_name": "Ada Lovelace", "author_handle": "ada", "author_url": "https://twitter.com/ada",
             "avatar_sha256": sha(AVATAR), "published_at": "2024-05-01T09:00:00Z",
             "text": "The harbour is lovely today",
             "media": [{"url": "https://pbs.example/media.png", "sha256": sha(POST_MEDIA), "type": "image",
                        "alt": "boats"}],
             "sources": {"author_name": "fallback", "text": "fallback", "published_at": "derived"},
             "alternatives": {"author_name": {"oembed": "Ada L."}},
             "markup": '<blockquote class="twitter-tweet"><p>The harbour is lovely today</p></blockquote>',
             "status": "ok"},
            {"position": 1, "provider": "bluesky", "kind": "post",
             "post_url": "https://bsky.app/profile/grace.bsky.social/post/3kabc",
             "author_name": "Grace Hopper", "author_handle": "grace.bsky.social",
             "text": "Compilers are translators between people and machines",
             "sources": {"author_name": "oembed", "text": "oembed"}, "status": "deleted"},
        ],
    ))
    storm = store.save_snapshot(Snapshot(
        url="https://www.example.com/storm", captured_at="2024-06-10T07:30:00Z", status_code=200,
        content_type="text/html", body=b"<html><head><title>Storm closes schools</title></head>"
                                      b"<body><p>A storm closed every school.</p></body></html>",
        meta={"title": "Storm closes schools", "text": "A storm closed every school in the county."},
        embeds=[{"position": 0, "provider": "mastodon", "author_name": "Ada Lovelace",
                 "author_handle": "ada@mastodon.social", "text": "Stay safe in the storm, everyone"}],
    ))
    failed = store.save_snapshot(Snapshot(
        url="https://blog.other.org/post", captured_at="2024-06-11T12:00:00Z",
        error="connection refused"))
    tricky = store.save_snapshot(Snapshot(
        url="https://notexample.com/tricky", captured_at="2024-04-01T00:00:00Z", status_code=200,
        content_type="text/html", body=b"<html><body>tricky</body></html>",
        meta={"title": '<script>alert(1)</script> "Quotes" & (parens) - NEAR AND',
              "text": "Only a passing mention of a harbour deep in the body text. " + "filler words " * 80},
        resources=[Resource(url="https://notexample.com/other.png", kind="image", status_code=200,
                            content_type="image/png", body=OTHER_IMAGE)],
    ))
    store.close()
    return Archive(path=path, harbour=harbour, storm=storm, failed=failed, tricky=tricky)
