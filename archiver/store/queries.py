"""Read-only queries for browsing an archive (`archiver list`, `search`, `serve`): the SQL, and
rows out as dicts. archiver/browse.py turns them into records; nothing here writes.

Search runs over the FTS5 tables the schema keeps in sync (`snapshots_fts`, `embeds_fts`), ranked
with bm25; `match` must already be a safe FTS5 query (browse.fts_query builds one)."""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit


if TYPE_CHECKING:
    from .archive import Store

# Markers FTS5 puts around matched words in a snippet: control characters that never appear in
# stored text (browse.snippet_parts splits on them).
HL_OPEN, HL_CLOSE = "\x02", "\x03"
_ELLIPSIS = "…"
_SNIPPET_TOKENS = 14

# bm25 column weights: a match in a title or an author's name counts more than one in body text.
_ARTICLE_WEIGHTS = "10.0, 3.0, 3.0, 1.0"   # title, description, byline, text
_POST_WEIGHTS = "6.0, 6.0, 3.0, 1.0"       # author_name, author_handle, title, text


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


def list_snapshots(store: Store, *, domain: str | None = None, since: str | None = None,
                   provider: str | None = None, failed: bool = False,
                   limit: int | None = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Snapshot rows (id, captured_at, title, url, final_url, status_code, error, posts), newest
    first; the filters as in browse.list_snapshots. `limit=None` means no limit."""
    where, params = [], []
    if domain:
        where.append("(archiver_domain_matches(s.final_url, ?) or archiver_domain_matches(s.url, ?))")
        params += [domain, domain]
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
    return _rows(_conn(store).execute(sql, params))


def count_snapshots(store: Store) -> int:
    return _conn(store).execute("select count(*) from snapshots").fetchone()[0]


def search_articles(store: Store, match: str, limit: int) -> list[dict[str, Any]]:
    """Articles matching `match`, best first: snapshot_id, rank, snippet, title, url, captured_at."""
    return _rows(_conn(store).execute(
        "select f.rowid as snapshot_id, f.rank, f.snip as snippet, s.title, s.url, s.captured_at from ("
        "  select rowid, rank, snippet(snapshots_fts, -1, ?, ?, ?, ?) as snip from snapshots_fts"
        f"  where snapshots_fts match ? and rank match 'bm25({_ARTICLE_WEIGHTS})'"
        "  order by rank limit ?"
        ") f join snapshots s on s.id = f.rowid order by f.rank",
        [HL_OPEN, HL_CLOSE, _ELLIPSIS, _SNIPPET_TOKENS, match, limit]))


def search_posts(store: Store, match: str, limit: int) -> list[dict[str, Any]]:
    """Posts matching `match`, best first: embed_id, rank, snippet (of the best column),
    text_snippet, snapshot_id, provider, author_name, author_handle, post_url, and the article's
    title, url and captured_at."""
    return _rows(_conn(store).execute(
        "select f.rowid as embed_id, f.rank, f.snip as snippet, e.snapshot_id, e.provider, e.author_name,"
        "       e.author_handle, e.post_url, s.title, s.url, s.captured_at, f.text_snip as text_snippet from ("
        "  select rowid, rank, snippet(embeds_fts, -1, ?, ?, ?, ?) as snip,"
        "         snippet(embeds_fts, 3, ?, ?, ?, ?) as text_snip from embeds_fts"
        f"  where embeds_fts match ? and rank match 'bm25({_POST_WEIGHTS})'"
        "  order by rank limit ?"
        ") f join embeds e on e.id = f.rowid join snapshots s on s.id = e.snapshot_id order by f.rank",
        [HL_OPEN, HL_CLOSE, _ELLIPSIS, _SNIPPET_TOKENS] * 2 + [match, limit]))


def list_posts(store: Store, *, provider: str | None = None, author: str | None = None,
               snapshot_id: int | None = None, status: str | None = None, limit: int | None = 60,
               offset: int = 0) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(decoded embeds row, its article: title, url, captured_at) pairs, newest capture first.
    `author` matches a handle (with or without `@`) or a display name, case-insensitively."""
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
    if status:
        where.append("coalesce(e.status, 'unchecked') = ?")
        params.append(status)
    sql = ("select e.*, s.title as _article_title, s.url as _article_url, s.captured_at as _captured_at"
           " from embeds e join snapshots s on s.id = e.snapshot_id"
           + (" where " + " and ".join(where) if where else "")
           + " order by s.captured_at desc, e.snapshot_id desc, e.position limit ? offset ?")
    params += [-1 if limit is None else limit, offset]
    out = []
    for row in _rows(_conn(store).execute(sql, params)):
        article = {"title": row.pop("_article_title"), "url": row.pop("_article_url"),
                   "captured_at": row.pop("_captured_at")}
        out.append((store.decode("embeds", row), article))
    return out


def provider_counts(store: Store) -> list[tuple[str, int]]:
    """(provider, posts), most posts first."""
    return [(r[0], r[1]) for r in _conn(store).execute(
        "select provider, count(*) from embeds where provider is not null"
        " group by provider order by count(*) desc, provider")]


def author_counts(store: Store, *, provider: str | None = None, limit: int = 50) -> list[tuple[str, int]]:
    """(author handle, else name; posts), most posts first."""
    sql = ("select coalesce(nullif(author_handle, ''), author_name) as who, count(*) from embeds"
           " where coalesce(nullif(author_handle, ''), author_name) is not null"
           + (" and provider = ?" if provider else "")
           + " group by who order by count(*) desc, who limit ?")
    params: list[Any] = ([provider] if provider else []) + [limit]
    return [(r[0], r[1]) for r in _conn(store).execute(sql, params)]


def snapshot_urls(store: Store) -> list[tuple[str, str | None]]:
    """(url, final_url) of every snapshot."""
    return [(r[0], r[1]) for r in _conn(store).execute("select url, final_url from snapshots")]


def _rows(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _conn(store: Store) -> sqlite3.Connection:
    conn: sqlite3.Connection = store.db.conn
    conn.create_function("archiver_domain_matches", 2, domain_matches, deterministic=True)
    return conn
