"""Bytes an archive would otherwise keep twice, kept once (migration m011_compact_storage).

Rows come in and go out exactly as before (the *logical* rows every reader and writer uses:
bundles, WARC export, `show`, `serve`, imports); only what sits in the table differs:

* **Response headers** that repeat (server, cache-control, date, content-type... the same for many
  responses of one host) live once in `header_sets`; a resource row names its set
  (`resources.header_set`) and keeps in `resources.headers` only what differs from it: a JSON
  merge patch (RFC 7396: a key the set has and this response lacks is `null`). The full headers
  are `json_patch(header_sets.headers, resources.headers)`, which is what the `resource_headers`
  view shows; a row without a set keeps its full headers, as every row did before m011.
* **A post's raw oEmbed answer** (`embeds.oembed`) is the parsed JSON of an answer the snapshot
  already keeps as a blob (its `oembed` resource); when the blob parses to exactly the same JSON
  the row names the blob (`embeds.oembed_sha256`) and leaves `oembed` empty.

A row is compacted only when reading it back gives the same stored text, byte for byte; otherwise it
is kept whole. Old rows (made before m011) stay whole and read as before."""
from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import ArchiverError
from .schema import encode_json

if TYPE_CHECKING:
    from .archive import Store

# Columns the store fills itself: never part of a logical row (readers, bundles, imports).
INTERNAL_COLUMNS: dict[str, tuple[str, ...]] = {"resources": ("header_set",), "embeds": ("oembed_sha256",)}
# Internal columns naming blobs (checked by `archiver verify` like the BLOB_COLUMNS).
INTERNAL_BLOB_COLUMNS: dict[str, tuple[str, ...]] = {"embeds": ("oembed_sha256",)}
OEMBED_KIND = "oembed"       # resources.kind of a platform's oEmbed answer (archiver.enrich)
_RECENT_SETS = 8             # header sets remembered per host while writing


def merge_headers(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A header set with a row's patch applied (RFC 7396 on a flat object: null removes)."""
    merged = {**base, **patch}
    return {k: v for k, v in merged.items() if v is not None}


class Compactor:
    """One store's compaction, with the header sets it used recently per host: forgotten when a
    transaction rolls back (the ids of sets it wrote may then name other sets), and checked at the
    start of each write (`drop_gone`: another process, or `remove`, may have deleted some since).
    A set's id is never given to another set (id_high_water), so what is remembered is never wrong,
    at most gone."""

    def __init__(self, store: Store):
        self.store = store
        self._recent: dict[str, list[tuple[dict[str, Any], int]]] = {}   # host -> [(set, its id)]
        self._sets: dict[int, dict[str, Any]] = {}   # id -> headers, for reading
        self._lock = threading.Lock()
        self._writes: bool | None = None   # the archive has m011's table and column

    def writes(self) -> bool:
        """Whether rows are written compacted: not into an archive before m011 (it has nowhere
        to put a header set), which is written whole as the version before wrote it."""
        if self._writes is None:
            self._writes = "header_sets" in self.store.db.table_names()
        return self._writes

    def drop_gone(self) -> None:
        """At the start of a write transaction: forget the remembered sets no longer in the archive."""
        with self._lock:
            remembered = {set_id for sets in self._recent.values() for _, set_id in sets}
        if not remembered:
            return
        marks = ", ".join("?" * len(remembered))
        present = {row[0] for row in self.store.db.execute(
            f"select id from header_sets where id in ({marks})", list(remembered))}
        if present != remembered:
            with self._lock:
                self._recent = {host: [s for s in sets if s[1] in present] for host, sets in self._recent.items()}

    def forget(self) -> None:
        """After a rollback: ids read or written in it may name other sets later."""
        with self._lock:
            self._recent.clear()
            self._sets.clear()

    # ------------------------------------------------------------ writing
    def resource_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """The resource row as stored: its headers split into a shared set and a patch."""
        headers = row.get("headers")
        if not isinstance(headers, dict) or not headers or any(v is None for v in headers.values()):
            return row
        if not self.writes():
            return row
        host = _host(row.get("final_url") or row.get("url"))
        found, patch = self._closest(host, headers)
        if found is not None and 2 * len(patch) <= len(headers):
            if not (_plain(headers) and _plain(found[0])) and \
                    encode_json(merge_headers(found[0], patch)) != encode_json(headers):
                return row   # e.g. 1 and 1.0 or True compare equal in Python, not in JSON
        else:                # a set of its own (a copy: the caller's dict may change later)
            found, patch = (dict(headers), self._set_id(encode_json(headers) or "{}")), {}
        with self._lock:
            recent = [s for s in self._recent.get(host, []) if s[1] != found[1]]
            self._recent[host] = [found, *recent][:_RECENT_SETS]
        return {**row, "headers": patch or None, "header_set": found[1]}

    def _closest(self, host: str, headers: dict[str, Any]) -> tuple[tuple[dict[str, Any], int] | None, dict[str, Any]]:
        """The recent set of this host that leaves the smallest patch, and that patch."""
        best: tuple[tuple[dict[str, Any], int] | None, dict[str, Any]] = (None, {})
        with self._lock:
            candidates = list(self._recent.get(host, []))
        for found in candidates:
            base = found[0]
            patch = {k: v for k, v in headers.items() if k not in base or base[k] != v}
            patch.update({k: None for k in base if k not in headers})
            if best[0] is None or len(patch) < len(best[1]):
                best = (found, patch)
                if len(patch) <= 2:
                    break
        return best

    def _set_id(self, text: str) -> int:
        db = self.store.db
        row = db.execute("select id from header_sets where headers = ?", [text]).fetchone()
        if row:
            return row[0]
        return db.execute("insert into header_sets (id, headers) values (?, ?)",
                          [self.store._new_id("header_sets"), text]).lastrowid

    def oembed_answers(self, snapshot_id: int) -> dict[str, str]:
        """{stored oembed text: sha256} of the snapshot's oEmbed answers (its resources, stored
        already) that are JSON objects."""
        out: dict[str, str] = {}
        if not self.writes():
            return out
        for (digest,) in self.store.db.execute(
                "select distinct sha256 from resources where snapshot_id = ? and kind = ? and sha256 is not null",
                [snapshot_id, OEMBED_KIND]).fetchall():
            text = self._answer_text(digest)
            if text is not None:
                out.setdefault(text, digest)
        return out

    @staticmethod
    def embed_row(row: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
        """The embed row as stored: its oEmbed answer named by the blob that holds it, if one does."""
        oembed = row.get("oembed")
        if not answers or not isinstance(oembed, dict) or not oembed:
            return row
        digest = answers.get(encode_json(oembed) or "")
        return {**row, "oembed": None, "oembed_sha256": digest} if digest else row

    def _answer_text(self, digest: str) -> str | None:
        """The oembed column's text for this blob's JSON (None unless it is a non-empty object)."""
        try:
            data = self.store.blob(digest)
            value = json.loads(data) if data is not None else None
        except (ValueError, RecursionError, ArchiverError):   # an unreadable blob: `archiver verify` says so
            return None
        if not isinstance(value, dict) or not value:
            return None
        return encode_json(value)

    # ------------------------------------------------------------ reading
    def expand(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """A stored row (JSON still text) as it was before compaction; internal columns removed."""
        if table == "resources" and "header_set" in row:
            set_id = row.pop("header_set")
            if set_id is not None:
                base = self._set(set_id)
                patch = _loads(row.get("headers")) or {}
                if base is not None and isinstance(patch, dict):
                    row["headers"] = encode_json(merge_headers(base, patch))
        elif table == "embeds" and "oembed_sha256" in row:
            digest = row.pop("oembed_sha256")
            if digest and not row.get("oembed"):
                row["oembed"] = self._answer_text(digest)
        return row

    def _set(self, set_id: int) -> dict[str, Any] | None:
        with self._lock:
            found = self._sets.get(set_id)
        if found is None:
            row = self.store.db.execute("select headers from header_sets where id = ?", [set_id]).fetchone()
            found = _loads(row[0]) if row else None
            if not isinstance(found, dict):
                return None
            with self._lock:
                self._sets[set_id] = found
        return found


def _plain(headers: dict[str, Any]) -> bool:
    """Every value a string: then a set and a patch merge back to exactly the same JSON."""
    return all(type(v) is str for v in headers.values())


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _host(url: str | None) -> str:
    try:
        return urlsplit(url or "").netloc.lower()
    except ValueError:
        return ""
