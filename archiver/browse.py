"""Read-only queries over an archive: list snapshots, search them, walk the preserved posts.

Pure functions over a `Store` (any object with a sqlite-utils `db`): they return dataclass records
and never write. The CLI (`archiver list`, `archiver search`) and the web UI (`archiver serve`)
are thin layers over this module.

Search uses the FTS5 tables the store keeps in sync (`snapshots_fts`, `embeds_fts`), ranked with
bm25. A user's query is never handed to FTS5 as syntax: it is split into words and quoted
phrases, each quoted, so `"`, `-`, `*`, `NEAR`, `AND` or an unbalanced parenthesis are just text.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlite_utils import Database

from .store import decode_embed

# Markers FTS5 puts around matched words in a snippet; control characters that never appear in
# stored text, turned into `snippet_parts` (for HTML) and `**word**` (for terminals and JSON).
_HL_OPEN, _HL_CLOSE = "\x02", "\x03"
_ELLIPSIS = "…"
_SNIPPET_TOKENS = 14

# bm25 column weights: a match in a title or an author's name counts more than one in body text.
_ARTICLE_WEIGHTS = "10.0, 3.0, 3.0, 1.0"   # title, description, byline, text
_POST_WEIGHTS = "6.0, 6.0, 3.0, 1.0"       # author_name, author_handle, title, text

_WORD = re.compile(r"\w", re.UNICODE)


class HasDatabase(Protocol):
    db: Database


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
def list_snapshots(store: HasDatabase, *, domain: str | None = None, since: str | None = None,
                   provider: str | None = None, failed: bool = False,
                   limit: int | None = 100, offset: int = 0) -> list[SnapshotSummary]:
    """Snapshots, newest first. `domain` matches the host and its subdomains; `since` is an ISO
    date or time (UTC); `provider` keeps snapshots with at least one post of that provider;
    `failed` keeps failed captures only. `limit=None` means no limit."""
    conn = _conn(store)
    where, params = [], []
    if domain:
        where.append("(archiver_domain_matches(s.final_url, ?) or archiver_domain_matches(s.url, ?))")
        params += [domain.lower().strip().rstrip("."), domain.lower().strip().rstrip(".")]
    if since:
        where.append("s.captured_at >= ?")
        params.append(since)
    if provider:
        where.append("exists (select 1 from embeds e where e.snapshot_id = s.id and e.provider = ?)")
        params.append(provider)
    if failed:
        where.append("s.error is not null")
    sql = ("select s.id, s.captured_at, s.title, s.url, s.final_url, s.status_code, s.error,"
           " (select count(*) from embeds e where e.snapshot_id = s.id) as posts"
           " from snapshots s"
           + (" where " + " and ".join(where) if where else "")
           + " order by s.captured_at desc, s.id desc limit ? offset ?")
    params += [-1 if limit is None else limit, offset]
    rows = conn.execute(sql, params).fetchall()
    return [SnapshotSummary(id=r[0], captured_at=r[1], title=r[2], url=r[3], final_url=r[4],
                            domain=host_of(r[4] or r[3]), posts=r[7],
                            status="failed" if r[6] else "ok", status_code=r[5], error=r[6])
            for r in rows]


def count_snapshots(store: HasDatabase) -> int:
    return _conn(store).execute("select count(*) from snapshots").fetchone()[0]


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


def search(store: HasDatabase, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Articles and posts matching every word of `query`, best first (bm25 over both tables)."""
    match = fts_query(query)
    if match is None or limit <= 0:
        return []
    conn = _conn(store)
    hits = _article_hits(conn, match, limit) + _post_hits(conn, match, limit)
    hits.sort(key=lambda h: (h.rank, h.matched != "article", h.snapshot_id))
    return hits[:limit]


def _article_hits(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        "select f.rowid, f.rank, f.snip, s.title, s.url, s.final_url, s.captured_at from ("
        "  select rowid, rank, snippet(snapshots_fts, -1, ?, ?, ?, ?) as snip from snapshots_fts"
        f"  where snapshots_fts match ? and rank match 'bm25({_ARTICLE_WEIGHTS})'"
        "  order by rank limit ?"
        ") f join snapshots s on s.id = f.rowid order by f.rank",
        [_HL_OPEN, _HL_CLOSE, _ELLIPSIS, _SNIPPET_TOKENS, match, limit]).fetchall()
    return [_hit("article", snapshot_id=r[0], rank=r[1], raw_snippet=r[2], title=r[3], url=r[4],
                 captured_at=r[6]) for r in rows]


def _post_hits(conn: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = conn.execute(
        "select f.rowid, f.rank, f.snip, e.snapshot_id, e.provider, e.author_name, e.author_handle,"
        "       e.post_url, s.title, s.url, s.captured_at, f.text_snip from ("
        "  select rowid, rank, snippet(embeds_fts, -1, ?, ?, ?, ?) as snip,"
        "         snippet(embeds_fts, 3, ?, ?, ?, ?) as text_snip from embeds_fts"
        f"  where embeds_fts match ? and rank match 'bm25({_POST_WEIGHTS})'"
        "  order by rank limit ?"
        ") f join embeds e on e.id = f.rowid join snapshots s on s.id = e.snapshot_id order by f.rank",
        [_HL_OPEN, _HL_CLOSE, _ELLIPSIS, _SNIPPET_TOKENS] * 2 + [match, limit]).fetchall()
    return [_hit("post", embed_id=r[0], rank=r[1], raw_snippet=_with_post_text(r[2], r[11]),
                 snapshot_id=r[3], provider=r[4],
                 author_name=r[5], author_handle=r[6], post_url=r[7], title=r[8], url=r[9],
                 captured_at=r[10]) for r in rows]


def _with_post_text(best: str | None, text_snippet: str | None) -> str | None:
    """When a post matched on its author or title, follow that with the start of its text, so a
    result always shows what the post said."""
    if not best or not text_snippet or _HL_OPEN in text_snippet or text_snippet == best:
        return best
    return f"{best} — {text_snippet}"


def _hit(matched: str, *, raw_snippet: str | None, **fields: Any) -> SearchHit:
    parts = snippet_parts(raw_snippet or "")
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
def list_posts(store: HasDatabase, *, provider: str | None = None, author: str | None = None,
               snapshot_id: int | None = None, limit: int | None = 60, offset: int = 0) -> list[PostEntry]:
    """Preserved posts across the archive, newest capture first. `author` matches a handle
    (with or without `@`) or a display name, case-insensitively."""
    where, params = [], []
    if provider:
        where.append("e.provider = ?")
        params.append(provider)
    if author:
        handle = author.strip().lstrip("@").lower()
        where.append("(lower(e.author_handle) = ? or lower(e.author_name) = ?)")
        params += [handle, author.strip().lower()]
    if snapshot_id is not None:
        where.append("e.snapshot_id = ?")
        params.append(snapshot_id)
    sql = ("select e.*, s.title as _article_title, s.url as _article_url, s.captured_at as _captured_at"
           " from embeds e join snapshots s on s.id = e.snapshot_id"
           + (" where " + " and ".join(where) if where else "")
           + " order by s.captured_at desc, e.snapshot_id desc, e.position limit ? offset ?")
    params += [-1 if limit is None else limit, offset]
    cur = _conn(store).execute(sql, params)
    cols = [d[0] for d in cur.description]
    entries = []
    for values in cur.fetchall():
        row = dict(zip(cols, values))
        title, url, captured = row.pop("_article_title"), row.pop("_article_url"), row.pop("_captured_at")
        entries.append(PostEntry(embed=decode_embed(row), snapshot_id=row["snapshot_id"],
                                 article_title=title, article_url=url, captured_at=captured))
    return entries


def provider_facets(store: HasDatabase) -> list[Facet]:
    rows = _conn(store).execute(
        "select provider, count(*) from embeds where provider is not null"
        " group by provider order by count(*) desc, provider").fetchall()
    return [Facet(r[0], r[1]) for r in rows]


def author_facets(store: HasDatabase, *, provider: str | None = None, limit: int = 50) -> list[Facet]:
    """The most-preserved authors (by handle, else name)."""
    sql = ("select coalesce(nullif(author_handle, ''), author_name) as who, count(*) from embeds"
           " where coalesce(nullif(author_handle, ''), author_name) is not null"
           + (" and provider = ?" if provider else "")
           + " group by who order by count(*) desc, who limit ?")
    params: list[Any] = ([provider] if provider else []) + [limit]
    return [Facet(r[0], r[1]) for r in _conn(store).execute(sql, params).fetchall()]


def domain_facets(store: HasDatabase, *, limit: int = 50) -> list[Facet]:
    counts: dict[str, int] = {}
    for url, final_url in _conn(store).execute("select url, final_url from snapshots"):
        host = host_of(final_url or url)
        if host:
            counts[host] = counts.get(host, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Facet(k, v) for k, v in ranked]


# ------------------------------------------------------------------------------- helpers
def host_of(url: str | None) -> str:
    """The lower-case host of a URL ('' when there is none)."""
    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


def domain_matches(url: str | None, domain: str) -> bool:
    """True when the URL's host is `domain` or a subdomain of it."""
    host = host_of(url)
    return bool(host) and bool(domain) and (host == domain or host.endswith("." + domain))


def parse_since(text: str, *, now: datetime | None = None) -> str:
    """An ISO 8601 UTC time string from `2024-05-01`, `2024-05-01T10:00`, `2024-05-01T10:00:00+02:00`,
    or a relative age such as `36h`, `7d`, `2w`. Raises ValueError on anything else."""
    text = text.strip()
    rel = re.fullmatch(r"(\d+)\s*([mhdw])", text)
    if rel:
        amount, unit = int(rel.group(1)), rel.group(2)
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
                 "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]
        moment = (now or datetime.now(timezone.utc)) - delta
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD, an ISO time, or an age like 7d)") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc).replace(microsecond=0)
    return utc.isoformat().replace("+00:00", "Z")


def _conn(store: HasDatabase) -> sqlite3.Connection:
    conn: sqlite3.Connection = store.db.conn
    conn.create_function("archiver_domain_matches", 2, domain_matches, deterministic=True)
    return conn
