"""Re-checking preserved posts: ask each post's platform again, the way enrichment asks (the
same endpoints, readers and Meta token), whether the post is still there and still says the same.

    results = recheck(store, settings, snapshot_ids=[3], older_than="2026-03-01T00:00:00Z")

Every check is a row in the `checks` table with the answer's bytes kept as a blob. A post's
`embeds.status` follows the last conclusive check; an error (timeout, 5xx, 429, no network,
an unreadable answer) never changes it, and `deleted` comes only from a platform saying so. A post
embedded in several snapshots is asked once; the answer applies to each of its rows.

Polite by construction: at most `per_host` requests in flight per platform host, and a host that
answers 429 or 503 with Retry-After is left alone that long (the fetcher also waits before its
one retry)."""
from __future__ import annotations

import copy
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, fields as dc_fields
from typing import Any, Callable
from urllib.parse import urlsplit

from .embeds.base import Media, Post
from .embeds.reading import GONE, OK, PRIVATE
from .enrich import Answer, apply_answer, ask_platform
from .enrich.request import endpoints_for
from .fetch import Fetched, Fetcher, _retry_after
from .model import now_iso
from .settings import Settings
from .store import Store
from .store import checks as check_rows

__all__ = ["CheckResult", "Checked", "recheck", "summary_line", "PoliteFetcher", "COMPARED_FIELDS"]

log = logging.getLogger(__name__)

# What makes a post `changed`: its text or its author differ from what was preserved.
COMPARED_FIELDS = ("text", "author_name", "author_handle")
STATUSES = ("ok", "deleted", "unavailable", "changed", "error")
_POST_FIELD_NAMES = {f.name for f in dc_fields(Post)}


@dataclass
class CheckResult:
    """One check of one embed row."""
    embed_id: int
    snapshot_id: int
    post_url: str | None
    provider: str
    status: str                       # ok | deleted | unavailable | changed | error
    previous: str | None              # the embed's status before
    http_status: int | None = None
    checked_at: str | None = None
    endpoint: str | None = None
    answer_sha256: str | None = None
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"embed_id": self.embed_id, "snapshot_id": self.snapshot_id, "post_url": self.post_url,
                "provider": self.provider, "status": self.status, "previous": self.previous,
                "http_status": self.http_status, "checked_at": self.checked_at, "changed": self.changed or None,
                "endpoint": self.endpoint, "error": self.error}


class PoliteFetcher:
    """A Fetcher with at most `per_host` requests in flight per host, and a pause for a host that
    answered 429/503 (its Retry-After, capped, else `backoff` seconds) before anyone asks it again."""

    def __init__(self, fetcher: Fetcher, per_host: int = 2, backoff: float = 2.0):
        self.fetcher, self.per_host, self.backoff = fetcher, max(1, per_host), backoff
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._not_before: dict[str, float] = {}
        self.in_flight_peak: dict[str, int] = {}
        self._in_flight: Counter[str] = Counter()

    def get(self, url: str, **kwargs: Any) -> Fetched:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            slot = self._slots.setdefault(host, threading.Semaphore(self.per_host))
        with slot:
            wait = self._not_before.get(host, 0.0) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with self._lock:
                self._in_flight[host] += 1
                self.in_flight_peak[host] = max(self.in_flight_peak.get(host, 0), self._in_flight[host])
            try:
                fetched = self.fetcher.get(url, **kwargs)
            finally:
                with self._lock:
                    self._in_flight[host] -= 1
            if fetched.status in (429, 503):
                cap = self.fetcher.settings.retry_after_cap
                pause = _retry_after(fetched.headers.get("retry-after"), cap)
                with self._lock:
                    self._not_before[host] = time.monotonic() + (self.backoff if pause is None else pause)
        return fetched


class Checked(list):
    """The results of one run, in embed id order; `not_askable`: posts no endpoint can be asked
    about (a platform without one, or Meta's without a token), left as they were."""
    not_askable: int = 0


def recheck(store: Store, settings: Settings, *, snapshot_ids: list[int] | None = None,
            older_than: str | None = None, fetcher: Fetcher | None = None, per_host: int = 2,
            progress: Callable[[int, int], None] | None = None) -> Checked:
    """Ask the platforms about the archive's posts (all, or those of `snapshot_ids`; with
    `older_than`, an ISO time, only posts not checked since). Returns one result per embed row,
    in embed id order; each is already written to the archive."""
    rows = check_rows.posts_to_check(store, snapshot_ids=snapshot_ids, checked_before=older_than)
    askable = [r for r in rows if _askable(r, settings)]
    groups = _group(askable)
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    polite = PoliteFetcher(fetcher, per_host=per_host)
    results: list[CheckResult] = []
    try:
        with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
            futures = {pool.submit(_ask, group[0], polite, settings): group for group in groups}
            for done, future in enumerate(as_completed(futures), 1):
                group = futures[future]
                results += _record(store, group, future.result())
                if progress:
                    progress(done, len(groups))
    finally:
        if own:
            fetcher.close()
    checked = Checked(sorted(results, key=lambda r: r.embed_id))
    checked.not_askable = len(rows) - len(askable)
    return checked


def summary_line(results: list[CheckResult]) -> str:
    """`12 ok, 3 deleted, 1 unavailable, 2 errors` (statuses with none are left out), and how many
    posts could not be asked."""
    counts = Counter(r.status for r in results)
    parts = []
    for status in STATUSES:
        if counts[status]:
            label = "errors" if status == "error" and counts[status] != 1 else status
            parts.append(f"{counts[status]} {label}")
    line = ", ".join(parts) or "no posts to check"
    skipped = getattr(results, "not_askable", 0)
    if skipped:
        line += f" ({skipped} post{'s' if skipped != 1 else ''} with no platform endpoint to ask)"
    return line


# ---------------------------------------------------------------------------- asking
def post_from_row(row: dict[str, Any]) -> Post:
    """The preserved post of an embeds row, as enrichment's Post."""
    values = {k: v for k, v in row.items() if k in _POST_FIELD_NAMES and k != "media"}
    post = Post(**values)
    post.media = [Media(**{k: v for k, v in m.items() if k in Media.__dataclass_fields__})
                  for m in row.get("media") or [] if isinstance(m, dict) and m.get("url")]
    for name in ("sources", "alternatives", "extra"):
        if not isinstance(getattr(post, name), dict):
            setattr(post, name, {})
    return post


def _askable(row: dict[str, Any], settings: Settings) -> bool:
    if not (row.get("post_url") or row.get("post_id")):
        return False
    return any(not e.needs_meta_token or settings.meta_token
               for e in endpoints_for(row["provider"], row.get("kind") or "post", settings.endpoints))


def _group(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["provider"], row.get("post_url") or row.get("post_id")), []).append(row)
    return list(groups.values())


def _ask(row: dict[str, Any], fetcher: PoliteFetcher, settings: Settings) -> Answer:
    try:
        return ask_platform(post_from_row(row), fetcher, settings)   # type: ignore[arg-type]
    except Exception as exc:  # one post's trouble never costs the others
        log.warning("checking %s failed", row.get("post_url"), exc_info=True)
        return Answer(checked_at=now_iso(), notes=[f"check failed: {type(exc).__name__}: {exc}"[:200]])


def _conclude(row: dict[str, Any], answer: Answer) -> tuple[str, int | None, dict, str | None, str | None]:
    """(status, index of the deciding reading or None, changed fields, error, status_evidence)."""
    now = Post(provider=row["provider"], kind=row.get("kind") or "post", post_url=row.get("post_url"),
               post_id=row.get("post_id"))
    apply_answer(answer, now)
    decided = next((i for i, (_, r) in enumerate(answer.readings) if r.outcome in (OK, GONE, PRIVATE)), None)
    if decided is None:
        errors = [f"{e.key}: {r.error}" for e, r in answer.readings if r.error] + answer.notes
        return "error", None, {}, "; ".join(dict.fromkeys(errors)) or "no answer", None
    outcome = answer.readings[decided][1].outcome
    if outcome == GONE:
        return "deleted", decided, {}, None, now.status_evidence
    if outcome == PRIVATE:
        return "unavailable", decided, {}, None, now.status_evidence
    said = [r.fields for _, r in answer.readings if r.outcome == OK]
    changed = changed_fields(row, now, said)
    return ("changed" if changed else "ok"), decided, changed, None, now.status_evidence


def changed_fields(row: dict[str, Any], now: Post, said: list[dict[str, Any]] | None = None) -> dict[str, dict]:
    """{field: {then, now}} for each compared field the platform now gives differently from every
    value the capture kept (the field itself and the platforms' alternatives). A field the capture
    never had, or the platform no longer gives, is not a change."""
    out: dict[str, dict] = {}
    alternatives = row.get("alternatives") if isinstance(row.get("alternatives"), dict) else {}
    for name in COMPARED_FIELDS:
        then = row.get(name)
        new_values = [v for v in [getattr(now, name)] + [f.get(name) for f in said or []] if isinstance(v, str) and v]
        if not then or not new_values:
            continue
        known = {_norm(name, then)} | {_norm(name, v) for v in (alternatives.get(name) or {}).values()
                                       if isinstance(v, str)}
        if not any(_norm(name, v) in known for v in new_values):
            out[name] = {"then": then, "now": new_values[0]}
    return out


def _norm(name: str, value: str) -> str:
    text = " ".join(value.split())
    return text.lstrip("@").casefold() if name == "author_handle" else text


# ---------------------------------------------------------------------------- recording
def _record(store: Store, group: list[dict[str, Any]], answer: Answer) -> list[CheckResult]:
    row0 = group[0]
    status, decided, changed, error, evidence = _conclude(row0, answer)
    index = decided if decided is not None else (len(answer.resources) - 1 if answer.resources else None)
    resource = answer.resources[index] if index is not None and index < len(answer.resources) else None
    endpoint = answer.readings[index][0].key if index is not None and index < len(answer.readings) else None
    checked_at = answer.checked_at or now_iso()
    results = []
    with store.transaction():
        digest = None
        if resource is not None and resource.body:
            digest = store.put_blob(resource.body, resource.content_type)
        for row in group:
            result = CheckResult(
                embed_id=row["id"], snapshot_id=row["snapshot_id"], post_url=row.get("post_url"),
                provider=row["provider"], status=status, previous=row.get("status"),
                http_status=resource.status_code if resource else None, checked_at=checked_at,
                endpoint=endpoint, answer_sha256=digest, changed=copy.deepcopy(changed), error=error)
            check_rows.add_check(store, {
                "embed_id": result.embed_id, "snapshot_id": result.snapshot_id, "provider": result.provider,
                "post_url": result.post_url, "checked_at": checked_at, "status": status,
                "previous": result.previous, "http_status": result.http_status, "endpoint": endpoint,
                "answer_sha256": digest, "changed": changed or None, "error": error,
            }, conclusive=status != "error", evidence={"status_evidence": evidence})
            results.append(result)
    return results
