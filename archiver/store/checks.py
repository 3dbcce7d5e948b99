"""The SQL of re-checking posts and comparing captures over time (archiver.recheck,
archiver.history): which posts to ask about, the `checks` rows, and snapshots of one URL."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .schema import decode_row

if TYPE_CHECKING:
    from .archive import Store

CONCLUSIVE = ("ok", "deleted", "unavailable", "changed")
VERDICT_COLUMNS = ("status", "checked_at", "status_evidence")   # a post's row, as its latest conclusive check left it
POST_INDEX = "embed"   # in a check that travels with its snapshot (a bundle, a merge): its post's index in the snapshot's posts


def posts_to_check(store: Store, *, snapshot_ids: Iterable[int] | None = None,
                   checked_before: str | None = None) -> list[dict[str, Any]]:
    """Decoded embeds rows (every one, or those of the given snapshots), by id. With
    `checked_before`, only posts whose last conclusive answer (at capture or since: `embeds.checked_at`)
    is older than that time, or that never had one; a check that got no answer does not count."""
    where, params = [], []
    ids = list(snapshot_ids or [])
    if ids:
        where.append(f"e.snapshot_id in ({', '.join('?' * len(ids))})")
        params += ids
    if checked_before:
        where.append("coalesce(e.checked_at, '') < ?")
        params.append(checked_before)
    sql = "select e.* from embeds e" + (" where " + " and ".join(where) if where else "") + " order by e.id"
    return [store.decode("embeds", row) for row in store._all(sql, params)]


def add_check(store: Store, row: dict[str, Any], *, conclusive: bool, evidence: dict[str, Any] | None = None) -> int:
    """Record one check of one embed (call inside a transaction); when it is conclusive the
    embed's status, checked_at and status_evidence follow it."""
    check_id = store._insert("checks", row)
    if conclusive:
        _set_verdict(store, row["embed_id"], {"status": row["status"], "checked_at": row["checked_at"],
                                              "status_evidence": (evidence or {}).get("status_evidence")})
    return check_id


def _set_verdict(store: Store, embed_id: int, verdict: dict[str, Any]) -> None:
    """A post's row takes a verdict (VERDICT_COLUMNS)."""
    store.db.execute(f"update embeds set {', '.join(f'{c} = ?' for c in VERDICT_COLUMNS)} where id = ?",
                     [*(verdict.get(c) for c in VERDICT_COLUMNS), embed_id])


def checks_of(store: Store, embed_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every check of these embeds, oldest first, by embed id."""
    ids = list(embed_ids)
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        rows = store._all(f"select * from checks where embed_id in ({', '.join('?' * len(part))})"
                          " order by checked_at, id", part)
        for row in rows:
            out[row["embed_id"]].append(decode_row("checks", row))
    return out


def recent_findings(store: Store, since: str | None, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    """The latest check of each post (by post URL) checked at or after `since`, when its status is
    one of `statuses`; with the article it was preserved in. Newest first."""
    marks = ", ".join("?" * len(statuses))
    sql = (
        "select c.*, s.title as article_title, s.url as article_url, s.captured_at"
        " from checks c join snapshots s on s.id = c.snapshot_id"
        " where c.id = (select c2.id from checks c2 where c2.embed_id = c.embed_id"
        "               order by c2.checked_at desc, c2.id desc limit 1)"
        + (" and c.checked_at >= ?" if since else "")
        + f" and c.status in ({marks}) order by c.checked_at desc, c.id desc")
    params = ([since] if since else []) + list(statuses)
    return [decode_row("checks", row) for row in store._all(sql, params)]


def last_ok_check(store: Store, embed_id: int) -> str | None:
    """When the platform last said this post was there (a check `ok` or `changed`)."""
    row = store.db.execute("select max(checked_at) from checks where embed_id = ? and status in ('ok', 'changed')",
                           [embed_id]).fetchone()
    return row[0] if row else None


def snapshots_of_url(store: Store, url: str) -> list[dict[str, Any]]:
    """Snapshots whose requested, final or canonical URL is `url`, oldest first (no text)."""
    return store._all(
        "select id, url, final_url, canonical_url, captured_at, title, error from snapshots"
        " where url = ? or final_url = ? or canonical_url = ? order by captured_at, id", [url, url, url])


def captured_urls(store: Store, since: str | None = None) -> list[str]:
    """Requested URLs captured more than once whose latest capture is at or after `since`."""
    sql = ("select url from snapshots where error is null group by url having count(*) > 1"
           + (" and max(captured_at) >= ?" if since else "") + " order by max(captured_at) desc")
    return [row[0] for row in store.db.execute(sql, [since] if since else [])]


def merge_checks(store: Store, snapshot_id: int, posts: list[dict[str, Any]], checks: Iterable[dict[str, Any]]) -> int:
    """Add the checks that travelled with a snapshot (a bundle's, another archive's: each names its
    post by index in `posts`, the snapshot's posts as they travelled) that the archive's copy of the
    snapshot lacks: the same post, time, status, endpoint and answer. A bundle exported again after
    more re-checks thus brings only those. A post's row takes the travelled verdict (VERDICT_COLUMNS)
    when that one is newer. A travelled post the archive's copy does not have (a copy matched by
    where it came from, not by its rows) brings nothing. Call inside a transaction, with the
    answers' blobs stored; the number of checks added."""
    stored = store.embeds(snapshot_id)
    ids = _post_ids(stored, posts)
    by_id = {row["id"]: row for row in stored}
    for embed_id, post in zip(ids, posts):
        if embed_id is not None and (post.get("checked_at") or "") > (by_id[embed_id].get("checked_at") or ""):
            _set_verdict(store, embed_id, post)
    have = {(c["embed_id"], c["checked_at"], c["status"], c.get("endpoint"), c.get("answer_sha256"))
            for found in checks_of(store, [i for i in ids if i is not None]).values() for c in found}
    added = 0
    for check in checks:
        row = {k: v for k, v in check.items() if k != POST_INDEX}
        embed_id = ids[check[POST_INDEX]]
        key = (embed_id, row["checked_at"], row["status"], row.get("endpoint"), row.get("answer_sha256"))
        if embed_id is None or key in have:
            continue
        store._insert("checks", {**row, "embed_id": embed_id, "snapshot_id": snapshot_id})
        have.add(key)
        added += 1
    return added


def _post_ids(stored: list[dict[str, Any]], travelled: list[dict[str, Any]]) -> list[int | None]:
    """For each travelled post, in order, the id of the same post in the archive's copy (None when
    it has none): matched by position, provider and URL (the n-th of equal ones to the n-th)."""
    def key(row: dict[str, Any]) -> tuple:
        return row.get("position"), row.get("provider"), row.get("post_url")
    ids: dict[tuple, list[int]] = {}
    for row in stored:
        ids.setdefault(key(row), []).append(row["id"])
    seen: dict[tuple, int] = {}
    out = []
    for row in travelled:
        k = key(row)
        n = seen[k] = seen.get(k, -1) + 1
        same = ids.get(k, [])
        out.append(same[n] if n < len(same) else None)
    return out
