"""The archive: one SQLite file, opened through sqlite-utils.

Tables (names other tools may rely on):
  snapshots  one row per capture attempt (failed ones too, with `error`)
  resources  the URL -> blob map of one snapshot (requisites and post media)
  blobs      content-addressed bytes, stored once across all snapshots
  embeds     the social posts and media embedded in a snapshot's page
Full-text search: snapshots_fts and embeds_fts, configured the way sqlite-utils does it
(so Datasette's search box works on both tables).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from . import __version__

migrations = Migrations("archiver")

# Media types whose bytes are worth compressing. Images, fonts, audio and video already are.
_COMPRESSIBLE_PREFIXES = ("text/", "application/json", "application/javascript", "application/x-javascript",
                          "application/xml", "application/xhtml", "image/svg", "application/ld+json",
                          "application/rss", "application/atom", "application/manifest", "image/x-icon",
                          "image/vnd.microsoft.icon", "image/bmp", "application/pdf")
_MIN_GAIN = 0.9  # keep compressed data only when it is at most 90 % of the raw size


@migrations()
def m001_capture(db: Database) -> None:
    db["snapshots"].create({
        "id": int, "url": str, "final_url": str, "canonical_url": str, "captured_at": str,
        "status_code": int, "content_type": str, "title": str, "byline": str, "published_at": str,
        "modified_at": str, "site_name": str, "description": str, "lang": str, "text": str,
        "page_sha256": str, "headers": str, "metadata": str, "tool_version": str, "error": str,
        "duration_ms": int,
    }, pk="id")
    db["blobs"].create({"sha256": str, "size": int, "content_type": str, "encoding": str, "data": bytes},
                       pk="sha256")
    db["resources"].create({
        "id": int, "snapshot_id": int, "url": str, "final_url": str, "sha256": str, "content_type": str,
        "status_code": int, "kind": str, "size": int, "headers": str, "error": str,
    }, pk="id", foreign_keys=[("snapshot_id", "snapshots", "id"), ("sha256", "blobs", "sha256")])
    db["resources"].create_index(["snapshot_id"])
    db["resources"].create_index(["sha256"])
    db["snapshots"].create_index(["captured_at"])
    db["snapshots"].create_index(["url"])


@migrations()
def m002_embeds(db: Database) -> None:
    db["embeds"].create({
        "id": int, "snapshot_id": int, "position": int, "provider": str, "kind": str,
        "post_url": str, "post_url_original": str, "post_id": str,
        "author_name": str, "author_handle": str, "author_url": str,
        "avatar_url": str, "avatar_sha256": str,
        "published_at": str, "date_text": str, "title": str, "text": str, "text_html": str,
        "media": str,          # JSON list of {url, sha256, type, alt, width, height}
        "sources": str,        # JSON {field: fallback|oembed|embed-page|derived}
        "alternatives": str,   # JSON {field: {source: value}} when sources disagree
        "oembed": str,         # raw oEmbed JSON answer, when there was one
        "markup": str,         # the original embed markup, as it was in the page
        "status": str,         # ok | deleted | unavailable | unchecked
        "checked_at": str, "enrich_error": str, "extra": str,
    }, pk="id", foreign_keys=[("snapshot_id", "snapshots", "id")])
    db["embeds"].create_index(["snapshot_id", "position"], unique=True)
    db["embeds"].create_index(["provider"])
    db["embeds"].create_index(["author_handle"])


@migrations()
def m003_search(db: Database) -> None:
    db["snapshots"].enable_fts(["title", "description", "byline", "text"], create_triggers=True,
                               tokenize="porter")
    db["embeds"].enable_fts(["author_name", "author_handle", "title", "text"], create_triggers=True,
                            tokenize="porter")
    db.create_view("posts_with_articles", """
        select embeds.id as embed_id, embeds.provider, embeds.kind, embeds.author_name, embeds.author_handle,
               embeds.published_at, embeds.text, embeds.post_url, embeds.status,
               snapshots.id as snapshot_id, snapshots.title as article_title, snapshots.url as article_url,
               snapshots.captured_at
        from embeds join snapshots on snapshots.id = embeds.snapshot_id""", replace=True)


@migrations()
def m004_browse_views(db: Database) -> None:
    """Views for Datasette / sqlite-utils users: one row per capture, and one per author."""
    db.create_view("snapshot_summary", """
        select snapshots.id, snapshots.captured_at, snapshots.title, snapshots.url, snapshots.final_url,
               snapshots.site_name, snapshots.byline, snapshots.published_at, snapshots.status_code,
               case when snapshots.error is null then 'ok' else 'failed' end as status, snapshots.error,
               (select count(*) from embeds where embeds.snapshot_id = snapshots.id) as posts,
               (select count(*) from resources where resources.snapshot_id = snapshots.id) as resources,
               (select coalesce(sum(resources.size), 0) from resources
                 where resources.snapshot_id = snapshots.id) as resource_bytes
        from snapshots""", replace=True)
    db.create_view("post_authors", """
        select provider, author_handle, max(author_name) as author_name, count(*) as posts,
               count(distinct snapshot_id) as articles, min(published_at) as first_post,
               max(published_at) as last_post
        from embeds where coalesce(author_handle, author_name) is not null
        group by provider, coalesce(author_handle, author_name)""", replace=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now_iso() -> str:
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Resource:
    """One URL a snapshot needed, and what became of it."""
    url: str
    kind: str
    final_url: str | None = None
    status_code: int | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None        # None when nothing was stored (error)
    error: str | None = None


@dataclass
class Snapshot:
    """A finished capture, ready to be written in one transaction."""
    url: str
    captured_at: str
    final_url: str | None = None
    status_code: int | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)   # title, byline, canonical_url, ... (see COLUMNS)
    resources: list[Resource] = field(default_factory=list)
    embeds: list[dict[str, Any]] = field(default_factory=list)  # rows for the embeds table
    duration_ms: int | None = None


META_COLUMNS = ("canonical_url", "title", "byline", "published_at", "modified_at", "site_name",
                "description", "lang", "text")


class CorruptArchive(Exception):
    """The database file is not an archive we can open."""


class Store:
    def __init__(self, path: str | Path = "archive.db", *, create: bool = True):
        self.path = str(path)
        if self.path != ":memory:" and not create and not Path(self.path).exists():
            raise FileNotFoundError(f"no archive at {self.path}")
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            self.db = Database(conn)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise CorruptArchive(f"{self.path} is not a usable archive database ({exc})") from exc

    def _migrate(self) -> None:
        if not migrations.pending(self.db):
            return
        # Under one write lock, so two processes opening a new file do not both migrate it;
        # each migration then runs in a savepoint (sqlite-utils nests atomic() that way).
        with self.transaction():
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception (KeyboardInterrupt included)."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    # ---------------------------------------------------------------- writing
    def put_blob(self, data: bytes, content_type: str | None = None) -> str:
        """Store bytes once (by sha256); return the hash. Call inside a transaction."""
        digest = sha256(data)
        exists = self.db.execute("select 1 from blobs where sha256 = ?", [digest]).fetchone()
        if exists:
            return digest
        encoding, stored = "identity", data
        if _compressible(content_type) and len(data) > 256:
            packed = zlib.compress(data, 6)
            if len(packed) <= len(data) * _MIN_GAIN:
                encoding, stored = "zlib", packed
        self.db.execute("insert into blobs (sha256, size, content_type, encoding, data) values (?, ?, ?, ?, ?)",
                        [digest, len(data), content_type, encoding, stored])
        return digest

    def save_snapshot(self, snap: Snapshot) -> int:
        """Write a snapshot, its blobs, resources and embeds in one transaction; return its id."""
        with self.transaction():
            page_sha = self.put_blob(snap.body, snap.content_type) if snap.body is not None else None
            row = {
                "url": snap.url, "final_url": snap.final_url, "captured_at": snap.captured_at,
                "status_code": snap.status_code, "content_type": snap.content_type,
                "page_sha256": page_sha, "headers": _json(snap.headers), "error": snap.error,
                "tool_version": __version__, "duration_ms": snap.duration_ms,
                "metadata": _json(snap.meta.get("metadata")),
            }
            row.update({k: snap.meta.get(k) for k in META_COLUMNS})
            cur = self.db.execute(
                f"insert into snapshots ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                list(row.values()))
            snapshot_id = cur.lastrowid
            for res in snap.resources:
                digest = self.put_blob(res.body, res.content_type) if res.body is not None else None
                self.db.execute(
                    "insert into resources (snapshot_id, url, final_url, sha256, content_type, status_code, kind,"
                    " size, headers, error) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [snapshot_id, res.url, res.final_url, digest, res.content_type, res.status_code, res.kind,
                     len(res.body) if res.body is not None else None, _json(res.headers), res.error])
            for emb in snap.embeds:
                emb = {k: (_json(v) if isinstance(v, dict | list) else v) for k, v in emb.items()}
                emb["snapshot_id"] = snapshot_id
                self.db.execute(
                    f"insert into embeds ({', '.join(emb)}) values ({', '.join('?' * len(emb))})",
                    list(emb.values()))
        return snapshot_id

    # ---------------------------------------------------------------- reading
    def snapshot(self, snapshot_id: int) -> dict | None:
        row = self._one("select * from snapshots where id = ?", [snapshot_id])
        if row:
            row["headers"] = _unjson(row["headers"]) or {}
            row["metadata"] = _unjson(row["metadata"]) or {}
        return row

    def resources(self, snapshot_id: int) -> list[dict]:
        rows = self._all("select * from resources where snapshot_id = ? order by id", [snapshot_id])
        for r in rows:
            r["headers"] = _unjson(r["headers"]) or {}
        return rows

    def embeds(self, snapshot_id: int) -> list[dict]:
        rows = self._all("select * from embeds where snapshot_id = ? order by position", [snapshot_id])
        return [decode_embed(r) for r in rows]

    def blob(self, digest: str) -> bytes | None:
        row = self.db.execute("select encoding, data from blobs where sha256 = ?", [digest]).fetchone()
        if row is None:
            return None
        encoding, data = row
        return zlib.decompress(data) if encoding == "zlib" else bytes(data)

    def blob_info(self, digest: str) -> dict | None:
        return self._one("select sha256, size, content_type, encoding from blobs where sha256 = ?", [digest])

    def snapshot_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("select id from snapshots order by id")]

    def _one(self, sql: str, params: Iterable[Any]) -> dict | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _all(self, sql: str, params: Iterable[Any]) -> list[dict]:
        cur = self.db.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


JSON_EMBED_COLUMNS = ("media", "sources", "alternatives", "oembed", "extra")


def decode_embed(row: dict) -> dict:
    for key in JSON_EMBED_COLUMNS:
        if key in row:
            row[key] = _unjson(row[key]) or ({} if key != "media" else [])
    return row


def _compressible(content_type: str | None) -> bool:
    ct = (content_type or "").lower()
    return ct.startswith(_COMPRESSIBLE_PREFIXES) or "+xml" in ct or "+json" in ct


def _json(value: Any) -> str | None:
    if value is None or value == {} or value == []:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _unjson(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None
