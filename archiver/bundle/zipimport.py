"""Merge a zip bundle into an archive, trusting nothing in it.

Every check runs before the first write: entry names and types, the manifest against the
entries, declared sizes against a cap, every byte against its sha256, snapshot.json against
the archive's columns. Then one transaction adds the snapshots not already present (same url,
captured_at and page sha256) with new ids, their blobs (deduplicated by the store), and the
re-checks of their posts the archive lacks (store/checks.py, merge_checks).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store import Store, encode_row
from ..store.checks import VERDICT_COLUMNS, merge_checks
from . import layout
from .records import LOCAL_COLUMNS, read_record
from .manifest import BundleError, CheckedRecord, FileEntry, Manifest, check_record, parse_manifest

DEFAULT_MAX_BUNDLE_BYTES = 8 * 1024 ** 3   # total uncompressed size a bundle may declare
MAX_MANIFEST_BYTES = 64 * 1024 ** 2
MAX_SNAPSHOT_JSON_BYTES = 256 * 1024 ** 2
MAX_ENTRIES = 500_000
_CHUNK = 1 << 20


@dataclass
class ImportResult:
    added: dict[int, int] = field(default_factory=dict)     # id in the bundle's archive -> new id here
    existing: dict[int, int] = field(default_factory=dict)  # id in the bundle -> id of the same snapshot here
    blobs_added: int = 0
    checks_added: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"added": [{"bundle_id": k, "id": v} for k, v in self.added.items()],
                "existing": [{"bundle_id": k, "id": v} for k, v in self.existing.items()],
                "blobs_added": self.blobs_added, "checks_added": self.checks_added}


@dataclass
class CheckedBundle:
    manifest: Manifest
    records: list[CheckedRecord]


def import_zip(store: Store, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BUNDLE_BYTES) -> ImportResult:
    """Check the bundle at `path` completely, then add what the archive lacks in one transaction.
    Raises BundleError ("<path>: <why>; nothing was imported") when anything is wrong."""
    try:
        return _import_zip(store, path, max_bytes)
    except BundleError as exc:
        raise BundleError(f"{path}: {exc}; nothing was imported") from None


def _import_zip(store: Store, path: str | Path, max_bytes: int) -> ImportResult:
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BundleError("no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"not a readable zip file ({exc})") from None
    with zf:
        try:
            bundle = check_bundle(zf, _columns(store), max_bytes=max_bytes)
            return _merge(store, zf, bundle)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise BundleError(f"damaged zip data ({exc})") from None


def check_bundle(zf: zipfile.ZipFile, columns: dict[str, set[str]], *,
                 max_bytes: int = DEFAULT_MAX_BUNDLE_BYTES) -> CheckedBundle:
    infos = _check_entries(zf)
    manifest_info = infos.get(layout.MANIFEST)
    if manifest_info is None:
        raise BundleError("not an archiver bundle (no manifest.json)")
    manifest = parse_manifest(_load_json(zf, manifest_info, MAX_MANIFEST_BYTES, layout.MANIFEST))
    if manifest.total_size > max_bytes:
        raise BundleError(f"bundle declares {manifest.total_size} bytes, more than the {max_bytes}-byte import cap")
    unlisted = sorted(set(infos) - set(manifest.files) - {layout.MANIFEST})
    if unlisted:
        raise BundleError(f"entry {unlisted[0]!r} is not listed in manifest.json")
    missing = sorted(set(manifest.files) - set(infos))
    if missing:
        raise BundleError(f"manifest.json lists {missing[0]!r} but the bundle has no such entry")
    for name, entry in manifest.files.items():
        if infos[name].file_size != entry.size:
            raise BundleError(f"entry {name!r} is {infos[name].file_size} bytes, manifest.json declares {entry.size}")
    for name, entry in sorted(manifest.files.items()):
        digest = _stream_digest(zf, infos[name], entry.size)
        if digest != entry.sha256:
            raise BundleError(f"entry {name!r} does not match its sha256 in manifest.json")
    records = []
    for snap in manifest.snapshots:
        name = snap.path + layout.SNAPSHOT_JSON
        data = _load_json(zf, infos[name], MAX_SNAPSHOT_JSON_BYTES, name)
        records.append(check_record(data, snap, columns))
    blobs = manifest.blob_entries()
    for record in records:
        for digest in record.blobs():
            if digest not in blobs:
                raise BundleError(f"snapshot {record.source_id} needs blob {digest} but the bundle lacks it")
    return CheckedBundle(manifest, records)


def _check_entries(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise BundleError(f"bundle has {len(infos)} entries, more than {MAX_ENTRIES}")
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        problem = layout.entry_problem(info)
        if problem:
            raise BundleError(f"refusing entry {info.filename!r}: {problem}")
        if info.filename in by_name:
            raise BundleError(f"entry {info.filename!r} appears twice")
        by_name[info.filename] = info
    return by_name


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes; BundleError as soon as it yields more than `limit` bytes."""
    out = bytearray()
    with zf.open(info) as src:
        while chunk := src.read(min(_CHUNK, limit + 1 - len(out))):
            out += chunk
            if len(out) > limit:
                raise BundleError(f"entry {info.filename!r} is bigger than declared")
    return bytes(out)


def _stream_digest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, declared: int) -> str:
    digest = hashlib.sha256()
    size = 0
    with zf.open(info) as src:
        while chunk := src.read(min(_CHUNK, declared + 1 - size)):
            size += len(chunk)
            if size > declared:
                raise BundleError(f"entry {info.filename!r} is bigger than declared")
            digest.update(chunk)
    if size != declared:
        raise BundleError(f"entry {info.filename!r} is smaller than declared")
    return digest.hexdigest()


def _load_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str) -> Any:
    if info.file_size > limit:
        raise BundleError(f"{name} is too big ({info.file_size} bytes)")
    try:
        return json.loads(_read_bounded(zf, info, limit).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"{name} is not valid JSON ({exc})") from None


def _columns(store: Store) -> dict[str, set[str]]:
    """The columns a bundle may fill, per table: all but the local ids."""
    return {table: store.columns(table) - set(LOCAL_COLUMNS[table]) for table in LOCAL_COLUMNS}


# ------------------------------------------------------------------ writing
def _merge(store: Store, zf: zipfile.ZipFile, bundle: CheckedBundle) -> ImportResult:
    result = ImportResult()
    blobs = bundle.manifest.blob_entries()
    try:
        with store.transaction():
            _merge_records(store, zf, bundle, blobs, result)
    except sqlite3.IntegrityError as exc:
        raise BundleError(f"bundle rows do not fit the archive ({exc})") from None
    return result


def _merge_records(store: Store, zf: zipfile.ZipFile, bundle: CheckedBundle,
                   blobs: dict[str, FileEntry], result: ImportResult) -> None:
    claimed: set[int] = set()   # archive snapshots already matched or added by this import
    for record in bundle.records:
        for digest in record.blobs():   # a snapshot already here may still bring new checks' answers
            result.blobs_added += _put_blob(store, zf, blobs[digest])
        same = _existing_snapshot(store, record, claimed)
        if same is not None:
            result.existing[record.source_id] = same
        else:
            same = result.added[record.source_id] = store.add_snapshot_rows(record.snapshot, record.resources,
                                                                          record.embeds)
        claimed.add(same)
        if record.checks or record.source_id in result.existing:   # a new copy has its posts' verdicts already
            result.checks_added += merge_checks(store, same, record.embeds, record.checks)


def _existing_snapshot(store: Store, record: CheckedRecord, claimed: set[int]) -> int | None:
    """The archive's copy of this snapshot: same url, captured_at and page sha256, and the same
    rows (resources and posts included), not yet matched by another snapshot of the bundle.
    Two captures made within the same second are thus still two snapshots."""
    snap = record.snapshot
    candidates = store.snapshot_ids_matching(url=snap["url"], captured_at=snap["captured_at"],
                                             page_sha256=snap.get("page_sha256"))
    wanted = fingerprint(record.snapshot, record.resources, record.embeds)
    for candidate in candidates:
        if candidate in claimed:
            continue
        mine = read_record(store, candidate)
        if fingerprint(mine.snapshot, mine.resources, mine.embeds) == wanted:
            return candidate
    return None


def fingerprint(snapshot: dict[str, Any], resources: list[dict[str, Any]], embeds: list[dict[str, Any]]) -> str:
    """A digest of a snapshot's rows as the archive would store them (ids left out, NULLs and
    empty JSON alike, resources and posts in a stable order). A post's latest verdict (status,
    checked_at, status_evidence) is left out too: `archiver recheck` moves it on after capture, and
    the same snapshot re-checked since is still the same snapshot (merge_checks brings the news)."""
    def norm(table: str, row: dict[str, Any]) -> dict[str, Any]:
        skip = LOCAL_COLUMNS[table] + (VERDICT_COLUMNS if table == "embeds" else ())
        out = encode_row(table, {k: v for k, v in row.items() if k not in skip})
        return {k: v for k, v in out.items() if v is not None}

    doc = {"snapshot": norm("snapshots", snapshot),
           "resources": sorted((norm("resources", r) for r in resources), key=_canonical),
           "embeds": sorted((norm("embeds", e) for e in embeds), key=_canonical)}
    return hashlib.sha256(_canonical(doc).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _put_blob(store: Store, zf: zipfile.ZipFile, entry: FileEntry) -> int:
    if store.has_blob(entry.sha256):
        return 0
    data = _read_bounded(zf, zf.getinfo(entry.path), entry.size)
    if store.put_blob(data, entry.content_type) != entry.sha256:  # the zip changed under us
        raise BundleError(f"entry {entry.path!r} changed while importing")
    return 1
