"""Coming back to what was saved: list snapshots, search them, walk the preserved posts.

Functions over a `Store` that return dataclass records and never write; the SQL is in
archiver/store/queries.py. The CLI (`archiver list`, `archiver search`) and the web UI
(`archiver serve`) are thin layers over this module.

Search uses the FTS5 tables the store keeps in sync (`snapshots_fts`, `embeds_fts`), ranked with
bm25. A user's query is never handed to FTS5 as syntax: it is split into words and quoted
phrases, each quoted, so `"`, `-`, `*`, `NEAR`, `AND` or an unbalanced parenthesis are just text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import shorten
from .store import Store, queries
from .store.queries import HL_CLOSE as _HL_CLOSE, HL_OPEN as _HL_OPEN, domain_matches, host_of

__all__ = ["Facet", "PostEntry", "SearchHit", "SnapshotSummary", "author_facets", "count_snapshots",
           "domain_facets", "domain_matches", "fts_query", "host_of", "list_posts", "list_snapshots",
           "parse_since", "provider_facets", "search", "snippet_parts"]

_WORD = re.compile(r"\w", re.UNICODE)


# ------------------------------------------------------------------------------------ records
@dataclass
class SnapshotSummary:
    """One row of `archiver list`."""
    id: int
    captured_at: str | None
    title: str | None
    url: str
    final_url: str | None
    domain: str
    posts: int
    status: str                # ok | failed
    status_code: int | None
    error: str | None


@dataclass
class SearchHit:
    """One search result: an article (`matched='article'`) or a post inside one (`'post'`)."""
    matched: str
    snapshot_id: int
    title: str | None
    url: str
    captured_at: str | None
    snippet: str                              # matches wrapped in **…**
    snippet_parts: list[tuple[str, bool]]     # (text, is_match) segments, for HTML highlighting
    rank: float                               # bm25: lower is better
    embed_id: int | None = None
    provider: str | None = None
    author_name: str | None = None
    author_handle: str | None = None
    post_url: str | None = None

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "snippet_parts"}
        if self.matched == "article":
            for key in ("embed_id", "provider", "author_name", "author_handle", "post_url"):
                out.pop(key)
        return out


@dataclass
class PostEntry:
    """A preserved post with the article it was found in (for the gallery)."""
    embed: dict[str, Any]                     # a decoded `embeds` row, as `Store.embeds()` gives it
    snapshot_id: int
    article_title: str | None
    article_url: str
    captured_at: str | None


@dataclass
class Facet:
    value: str
    count: int


# ------------------------------------------------------------------------------- list
def list_snapshots(store: Store, *, domain: str | None = None, since: str | None = None,
                   provider: str | None = None, failed: bool = False,
                   limit: int | None = 100, offset: int = 0) -> list[SnapshotSummary]:
    """Snapshots, newest first. `domain` matches the host and its subdomains; `since` is an ISO
    date or time (UTC); `provider` keeps snapshots with at least one post of that provider;
    `failed` keeps failed captures only. `limit=None` means no limit."""
    rows = queries.list_snapshots(store, domain=domain.lower().strip().rstrip(".") if domain else None,
                                  since=since, provider=provider, failed=failed, limit=limit, offset=offset)
    return [SnapshotSummary(id=r["id"], captured_at=r["captured_at"], title=r["title"], url=r["url"],
                            final_url=r["final_url"], domain=host_of(r["final_url"] or r["url"]), posts=r["posts"],
                            status="failed" if r["error"] else "ok", status_code=r["status_code"], error=r["error"])
            for r in rows]


def count_snapshots(store: Store) -> int:
    return queries.count_snapshots(store)


# ------------------------------------------------------------------------------- search
def fts_query(user_query: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word and every "quoted phrase"
    becomes a quoted FTS5 phrase (all must match); a trailing `*` on a word keeps its meaning
    (prefix search). Returns None when nothing searchable is left."""
    terms: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', user_query):
        text = phrase if phrase else word
        prefix = bool(word) and word.endswith("*") and len(word.rstrip("*")) > 0
        text = text.rstrip("*") if prefix else text
        text = text.replace('"', " ").strip()
        if not _WORD.search(text):
            continue
        terms.append('"' + text + '"' + ("*" if prefix else ""))
    return " ".join(terms) if terms else None


def search(store: Store, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Articles and posts matching every word of `query`, best first (bm25 over both tables)."""
    match = fts_query(query)
    if match is None or limit <= 0:
        return []
    hits = [_hit("article", **row) for row in queries.search_articles(store, match, limit)]
    for row in queries.search_posts(store, match, limit):
        row["snippet"] = _with_post_text(row["snippet"], row.pop("text_snippet"))
        hits.append(_hit("post", **row))
    hits.sort(key=lambda h: (h.rank, h.matched != "article", h.snapshot_id))
    return hits[:limit]


def _with_post_text(best: str | None, text_snippet: str | None) -> str | None:
    """When a post matched on its author or title, follow that with the start of its text, so a
    result always shows what the post said."""
    if not best or not text_snippet or _HL_OPEN in text_snippet or text_snippet == best:
        return best
    return f"{best} — {text_snippet}"


def _hit(matched: str, *, snippet: str | None, **fields: Any) -> SearchHit:
    parts = snippet_parts(snippet or "")
    return SearchHit(matched=matched, snippet="".join(f"**{t}**" if m else t for t, m in parts),
                     snippet_parts=parts, **fields)


def snippet_parts(raw: str) -> list[tuple[str, bool]]:
    """Split an FTS5 snippet with our markers into (text, is_match) segments."""
    parts: list[tuple[str, bool]] = []
    for piece in re.split(f"({_HL_OPEN}[^{_HL_CLOSE}]*{_HL_CLOSE})", raw):
        if not piece:
            continue
        if piece.startswith(_HL_OPEN):
            parts.append((piece[1:-1], True))
        else:
            parts.append((piece.replace(_HL_OPEN, "").replace(_HL_CLOSE, ""), False))
    return parts


# ------------------------------------------------------------------------------- posts
def list_posts(store: Store, *, provider: str | None = None, author: str | None = None,
               snapshot_id: int | None = None, status: str | None = None, limit: int | None = 60,
               offset: int = 0) -> list[PostEntry]:
    """Preserved posts across the archive, newest capture first. `author` matches a handle
    (with or without `@`) or a display name, case-insensitively."""
    return [PostEntry(embed=row, snapshot_id=row["snapshot_id"], article_title=article["title"],
                      article_url=article["url"], captured_at=article["captured_at"])
            for row, article in queries.list_posts(store, provider=provider, author=author, snapshot_id=snapshot_id,
                                                   status=status, limit=limit, offset=offset)]


def provider_facets(store: Store) -> list[Facet]:
    return [Facet(value, count) for value, count in queries.provider_counts(store)]


def author_facets(store: Store, *, provider: str | None = None, limit: int = 50) -> list[Facet]:
    """The most-preserved authors (by handle, else name)."""
    return [Facet(value, count) for value, count in queries.author_counts(store, provider=provider, limit=limit)]


def domain_facets(store: Store, *, limit: int = 50) -> list[Facet]:
    counts: dict[str, int] = {}
    for url, final_url in queries.snapshot_urls(store):
        host = host_of(final_url or url)
        if host:
            counts[host] = counts.get(host, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Facet(k, v) for k, v in ranked]


# ------------------------------------------------------------------------------- helpers
def parse_since(text: str, *, now: datetime | None = None) -> str:
    """An ISO 8601 UTC time string from `2024-05-01`, `2024-05-01T10:00`, `2024-05-01T10:00:00+02:00`,
    or a relative age such as `36h`, `7d`, `2w`. Raises ValueError on anything else."""
    text = text.strip()
    rel = re.fullmatch(r"(\d+)\s*([mhdw])", text)
    if rel:
        amount, unit = int(rel.group(1)), rel.group(2)
        try:
            delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
                     "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]
            moment = (now or datetime.now(timezone.utc)) - delta
        except OverflowError:
            raise ValueError(f"{shorten(text, 40)} reaches back before the year 1") from None
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a date: {shorten(text, 60)!r} (use YYYY-MM-DD, an ISO time, or an age like 7d)") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc).replace(microsecond=0)
    return utc.isoformat().replace("+00:00", "Z")

