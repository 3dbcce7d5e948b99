"""Merge one archive database into another, the way shard archives are combined.

A snapshot is already present when the target has one imported from the same source (a WARC
record's id), or, for an imported snapshot, one the target captured itself with the same url,
capture time and page hash (an export of it coming back), or else one with the same url,
capture time, page hash and rows (the zip bundle's rule, archiver.bundle.zipimport.fingerprint). Everything else is added with new ids, with the
blobs it names (stored once). One transaction per merge: it all lands or none of it does.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..bundle.records import read_record, referenced_blobs
from ..bundle.zipimport import fingerprint
from ..errors import ArchiverError
from ..store import Store
from ..store.checks import POST_INDEX, merge_checks


class MergeError(ArchiverError):
    """Rows of the source archive do not fit the target."""


@dataclass
class MergeResult:
    added: dict[int, int] = field(default_factory=dict)     # id in the source -> new id in the target
    existing: dict[int, int] = field(default_factory=dict)  # id in the source -> the same snapshot's id
    blobs_added: int = 0
    checks_added: int = 0   # re-checks of posts the target lacked


def merge_archive(source: Store, target: Store) -> MergeResult:
    """Add the snapshots of `source` that `target` lacks, and the re-checks of their posts it lacks;
    nothing in `source` changes."""
    result = MergeResult()
    columns = {t: target.columns(t) for t in ("snapshots", "resources", "embeds", "checks")}
    claimed: set[int] = set()
    try:
        with target.transaction():
            for source_id in source.snapshot_ids():
                record = read_record(source, source_id)
                for digest in referenced_blobs(record):   # a snapshot already there may still bring new checks' answers
                    if not target.has_blob(digest):
                        data = source.blob(digest)
                        if data is None:
                            raise MergeError(f"{source.path}: snapshot {source_id} needs blob {digest}, "
                                             "which is missing (run `archiver verify`)")
                        info = source.blob_info(digest) or {}
                        target.put_blob(data, info.get("content_type"))
                        result.blobs_added += 1
                same = _existing(target, record, claimed)
                if same is not None:
                    result.existing[source_id] = same
                else:
                    same = result.added[source_id] = target.add_snapshot_rows(
                        _fit(record.snapshot, columns["snapshots"]),
                        [_fit(r, columns["resources"]) for r in record.resources],
                        [_fit(e, columns["embeds"]) for e in record.embeds])
                claimed.add(same)
                if record.checks or source_id in result.existing:   # a new copy has its posts' verdicts already
                    checks = [{**_fit(c, columns["checks"]), POST_INDEX: c[POST_INDEX]} for c in record.checks]
                    result.checks_added += merge_checks(target, same, record.embeds, checks)
    except sqlite3.IntegrityError as exc:
        raise MergeError(f"{source.path}: rows do not fit the archive ({exc}); nothing was imported") from None
    return result


def _fit(row: dict, columns: set[str]) -> dict:
    return {k: v for k, v in row.items() if k in columns}


def _existing(target: Store, record, claimed: set[int]) -> int | None:
    snap = record.snapshot
    source = snap.get("import_source")
    if source:
        for candidate in target.snapshot_ids_imported_from(source):
            if candidate not in claimed:
                return candidate
        # a page the target captured itself and exported (no source then): same URL, second and bytes
        for candidate in target.snapshot_ids_matching(url=snap["url"], captured_at=snap["captured_at"],
                                                      page_sha256=snap.get("page_sha256")):
            if candidate not in claimed and not (target.snapshot(candidate) or {}).get("import_source"):
                return candidate
        return None
    wanted = fingerprint(record.snapshot, record.resources, record.embeds)
    for candidate in target.snapshot_ids_matching(url=snap["url"], captured_at=snap["captured_at"],
                                                  page_sha256=snap.get("page_sha256")):
        if candidate in claimed:
            continue
        mine = read_record(target, candidate)
        if fingerprint(mine.snapshot, mine.resources, mine.embeds) == wanted:
            return candidate
    return None
