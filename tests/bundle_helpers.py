"""Archives for the bundle tests, written through the real Store into real SQLite files."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from archiver.model import Resource, Snapshot
from archiver.store import Store

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
AVATAR = PNG + b"avatar"
PHOTO = PNG + b"photo"
CSS = b"body { font-family: serif; background: url(bg.png); }\n" * 20   # > 256 bytes: stored zlib


def page(title: str, extra: str = "") -> bytes:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><article><h1>{title}</h1><img src="/img/a.png" alt="">
<blockquote class="twitter-tweet"><p>Hello from the post</p>
<a href="https://x.com/someone/status/1790000000000000000">May 1, 2024</a></blockquote>
{extra}</article></body></html>""".encode()


def embed_row(position: int, text: str) -> dict:
    return {
        "position": position, "provider": "twitter", "kind": "post",
        "post_url": f"https://x.com/someone/status/17900000000000000{position:02d}",
        "post_id": f"17900000000000000{position:02d}", "author_name": "Some One", "author_handle": "someone",
        "author_url": "https://x.com/someone", "avatar_url": "https://pbs.example/avatar.png",
        "avatar_sha256": hashlib.sha256(AVATAR).hexdigest(),
        "published_at": "2024-05-01T10:00:00Z", "text": text,
        "media": [{"url": "https://pbs.example/photo.png", "sha256": hashlib.sha256(PHOTO).hexdigest(),
                   "type": "image", "alt": "a photo"}],
        "sources": {"author_name": "fallback", "text": "fallback", "published_at": "derived"},
        "oembed": {"author_name": "Some One", "html": "<blockquote>…</blockquote>"},
        "markup": '<blockquote class="twitter-tweet">…</blockquote>', "status": "ok",
        "checked_at": "2024-05-01T12:00:05Z",
    }


def make_snapshot(n: int, base: str = "https://news.example") -> Snapshot:
    url = f"{base}/story-{n}.html"
    return Snapshot(
        url=url, final_url=url if n % 2 else f"{base}/stories/{n}", captured_at=f"2024-05-0{n}T12:00:00Z",
        status_code=200, content_type="text/html; charset=utf-8",
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Server": "test"},
        body=page(f"Story {n} <über>"),
        meta={"title": f"Story {n} <über>", "byline": "A. Writer", "lang": "en", "text": f"Story {n} text",
              "site_name": "News Example", "metadata": {"og:title": f"Story {n}"}},
        resources=[
            Resource(url=f"{base}/static/site.css", kind="stylesheet", final_url=f"{base}/static/site.css",
                     status_code=200, content_type="text/css", headers={"Content-Type": "text/css"}, body=CSS),
            Resource(url=f"{base}/img/a.png", kind="image", final_url="https://cdn.example/img/a.png",
                     status_code=200, content_type="image/png", headers={"Content-Type": "image/png"}, body=PNG),
            Resource(url="https://pbs.example/avatar.png", kind="avatar", final_url="https://pbs.example/avatar.png",
                     status_code=200, content_type="image/png", headers={}, body=AVATAR),
            Resource(url="https://pbs.example/photo.png", kind="post-media", final_url="https://pbs.example/photo.png",
                     status_code=200, content_type="image/png", headers={"Content-Type": "image/png"}, body=PHOTO),
            Resource(url=f"{base}/img/missing.png", kind="image", status_code=404, error="HTTP 404"),
        ],
        embeds=[embed_row(0, f"Hello from the post #{n}"), embed_row(1, "Second post")],
        duration_ms=120,
    )


def make_archive(path: Path, count: int = 2) -> Store:
    store = Store(path)
    for n in range(1, count + 1):
        store.save_snapshot(make_snapshot(n))
    return store


def rows(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """The rows of one query on the archive file, through a connection of its own."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def table_dump(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of the archive's tables, ids dropped, for comparing archives."""
    conn = sqlite3.connect(db_path)
    try:
        out = {}
        out["snapshots"] = sorted(conn.execute(
            "select url, final_url, canonical_url, captured_at, status_code, content_type, title, byline, "
            "published_at, modified_at, site_name, description, lang, text, page_sha256, headers, metadata, "
            "tool_version, error, duration_ms from snapshots"))
        out["resources"] = sorted(conn.execute(
            "select s.captured_at, r.url, r.final_url, r.sha256, r.content_type, r.status_code, r.kind, r.size, "
            "r.headers, r.error from resources r join snapshots s on s.id = r.snapshot_id"), key=repr)
        cols = [r[1] for r in conn.execute("pragma table_info(embeds)") if r[1] not in ("id", "snapshot_id")]
        out["embeds"] = sorted(conn.execute(
            f"select s.captured_at, {', '.join('e.' + c for c in cols)} from embeds e "
            "join snapshots s on s.id = e.snapshot_id"), key=repr)
        out["blobs"] = sorted(conn.execute("select sha256, size, content_type, encoding, data from blobs"))
        return out
    finally:
        conn.close()


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
