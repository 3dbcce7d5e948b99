"""Time across captures: every capture of one URL with what changed since the one before
(`archiver history`), and the week's findings (`archiver changes`): posts found deleted,
unavailable or changed, and articles whose latest capture differs from the one before."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .diff import SnapshotDiff, diff_snapshots
from .store import Store
from .store import checks as check_rows

__all__ = ["HistoryEntry", "history", "Changes", "changes", "post_checks", "last_seen", "capture_count"]


@dataclass
class HistoryEntry:
    id: int
    captured_at: str
    title: str | None
    url: str
    error: str | None = None
    changes: dict[str, Any] | None = None     # SnapshotDiff.summary() against the capture before; None for the first
    diff: SnapshotDiff | None = None

    def as_json(self) -> dict[str, Any]:
        out = {"id": self.id, "captured_at": self.captured_at, "title": self.title, "changes": self.changes}
        if self.error:
            out["error"] = self.error
        return out


def capture_count(store: Store, url: str) -> int:
    """How many snapshots of `url` (requested, final or canonical) the archive holds."""
    return len(check_rows.snapshots_of_url(store, url.strip()))


def history(store: Store, url: str) -> list[HistoryEntry]:
    """Every snapshot of `url` (requested, final or canonical), oldest first, each compared with
    the last successful capture before it. Failed captures are listed, not compared."""
    entries, previous = [], None
    for row in check_rows.snapshots_of_url(store, url.strip()):
        entry = HistoryEntry(id=row["id"], captured_at=row["captured_at"], title=row["title"], url=row["url"],
                             error=row["error"])
        if row["error"] is None:
            if previous is not None:
                entry.diff = diff_snapshots(store, previous, row["id"])
                entry.changes = entry.diff.summary()
            previous = row["id"]
        entries.append(entry)
    return entries


@dataclass
class Changes:
    since: str | None
    posts: list[dict[str, Any]] = field(default_factory=list)      # latest check: deleted/unavailable/changed
    articles: list[dict[str, Any]] = field(default_factory=list)   # {url, a, b, title, captured_at, changes}

    def as_json(self) -> dict[str, Any]:
        return {"since": self.since, "posts": self.posts, "articles": self.articles}


def changes(store: Store, since: str | None = None) -> Changes:
    """What was found since `since` (an ISO time; None: ever)."""
    out = Changes(since)
    seen: set[str] = set()
    for row in check_rows.recent_findings(store, since, ("deleted", "unavailable", "changed")):
        key = row["post_url"] or f"embed:{row['embed_id']}"
        if key in seen:
            continue
        seen.add(key)
        out.posts.append({"post_url": row["post_url"], "provider": row["provider"], "status": row["status"],
                          "checked_at": row["checked_at"], "changed": row["changed"] or None,
                          "embed_id": row["embed_id"], "snapshot_id": row["snapshot_id"],
                          "article_title": row["article_title"], "article_url": row["article_url"]})
    for url in check_rows.captured_urls(store, since):
        entries = [e for e in history(store, url) if e.error is None and e.url == url]
        if len(entries) < 2 or entries[-1].diff is None:
            continue
        last = entries[-1]
        if since and last.captured_at < since:
            continue
        if not last.diff.same:
            out.articles.append({"url": url, "a": entries[-2].id, "b": last.id, "title": last.title,
                                 "captured_at": last.captured_at, "changes": last.changes})
    out.articles.sort(key=lambda art: (art["captured_at"], art["b"]), reverse=True)
    return out


def post_checks(store: Store, embed_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Every check of these embeds, oldest first (for pages that show a post's history)."""
    return check_rows.checks_of(store, embed_ids)


def last_seen(store: Store, embed_ids: list[int]) -> dict[int, str]:
    """When each post was last seen: its last check that found it there, for those ever checked so."""
    return {i: seen for i in embed_ids if (seen := check_rows.last_ok_check(store, i))}
