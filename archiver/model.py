"""The records a capture produces: plain data, written to the archive by `archiver.store`.

`capture` builds a `Snapshot` (with its `Resource`s and embed rows) for each page; `enrich` adds
the Resources it downloaded. Neither needs the store to do so."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .stages import stage

__all__ = ["Resource", "Snapshot", "now_iso", "sha256"]


def sha256(data: bytes) -> str:
    with stage("hashing"):
        return hashlib.sha256(data).hexdigest()


def now_iso() -> str:
    """The current UTC time to the second, as ISO 8601 with a Z."""
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
    meta: dict[str, Any] = field(default_factory=dict)   # title, byline, ... (archiver.store.META_COLUMNS)
    resources: list[Resource] = field(default_factory=list)
    embeds: list[dict[str, Any]] = field(default_factory=list)  # rows for the embeds table
    duration_ms: int | None = None
    capture_mode: str = "static"     # static | browser | post (a post link, archived as the post)
    warnings: list[str] = field(default_factory=list)   # one line each, e.g. "looks like an app shell"
    import_source: str | None = None   # what it was imported from (a WARC record's id), else None
