"""Reading a bundle's manifest.json and snapshot.json without trusting them: every field is
checked for type and shape, and whatever does not fit raises BundleError with one clear line.

Pure functions: parsed JSON in, checked records out.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ArchiverError
from ..store import BLOB_COLUMNS, JSON_COLUMNS
from ..store.checks import POST_INDEX
from . import layout
from .records import embed_blobs, referenced_blobs


class BundleError(ArchiverError):
    """The bundle is damaged, hostile or not ours; nothing was written."""


@dataclass
class FileEntry:
    path: str
    sha256: str
    size: int
    content_type: str | None = None


@dataclass
class SnapshotEntry:
    path: str            # "snapshots/<n>/"
    source_id: int
    url: str
    captured_at: str
    page_sha256: str | None


@dataclass
class Manifest:
    format_version: int
    created_at: str | None
    tool_version: str | None
    files: dict[str, FileEntry] = field(default_factory=dict)
    snapshots: list[SnapshotEntry] = field(default_factory=list)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files.values())

    def blob_entries(self) -> dict[str, FileEntry]:
        """sha256 -> entry, for the blobs/<sha256> files."""
        out = {}
        for entry in self.files.values():
            digest = layout.blob_digest(entry.path)
            if digest:
                out[digest] = entry
        return out


def parse_manifest(data: Any) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != layout.FORMAT:
        raise BundleError("not an archiver bundle (manifest.json has no \"format\": \"archiver-bundle\")")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BundleError("manifest.json: format_version must be an integer")
    if version > layout.FORMAT_VERSION:
        raise BundleError(f"bundle format {version} is newer than this archiver reads ({layout.FORMAT_VERSION});"
                          " upgrade archiver")
    if version < 1:
        raise BundleError(f"manifest.json: unknown format_version {version}")
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    manifest = Manifest(version, _opt_str(data.get("created_at")), _opt_str(tool.get("version")))
    files = data.get("files")
    if not isinstance(files, list):
        raise BundleError("manifest.json: \"files\" must be a list")
    for item in files:
        entry = _file_entry(item)
        if entry.path in manifest.files:
            raise BundleError(f"manifest.json lists {entry.path!r} twice")
        manifest.files[entry.path] = entry
    snapshots = data.get("snapshots")
    if not isinstance(snapshots, list):
        raise BundleError("manifest.json: \"snapshots\" must be a list")
    seen: set[str] = set()
    source_ids: set[int] = set()
    for item in snapshots:
        snap = _snapshot_entry(item)
        if snap.path in seen or snap.source_id in source_ids:
            raise BundleError(f"manifest.json lists snapshot {snap.path!r} (source_id {snap.source_id}) twice")
        seen.add(snap.path)
        source_ids.add(snap.source_id)
        if snap.path + layout.SNAPSHOT_JSON not in manifest.files:
            raise BundleError(f"manifest.json lists snapshot {snap.path!r} but not its {layout.SNAPSHOT_JSON}")
        manifest.snapshots.append(snap)
    return manifest


def _file_entry(item: Any) -> FileEntry:
    if not isinstance(item, dict):
        raise BundleError("manifest.json: every file must be an object")
    path, digest, size = item.get("path"), item.get("sha256"), item.get("size")
    if not isinstance(path, str):
        raise BundleError("manifest.json: a file has no path")
    reason = layout.unsafe_path_reason(path)
    if reason:
        raise BundleError(f"manifest.json: unsafe path {path!r} ({reason})")
    if path == layout.MANIFEST:
        raise BundleError("manifest.json lists itself")
    if not isinstance(digest, str) or not layout.SHA256_RE.fullmatch(digest):
        raise BundleError(f"manifest.json: {path!r} has no valid sha256")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise BundleError(f"manifest.json: {path!r} has no valid size")
    if path.startswith(layout.BLOB_DIR):
        named = layout.blob_digest(path)
        if named is None:
            raise BundleError(f"manifest.json: {path!r} is not named blobs/<sha256>")
        if named != digest:
            raise BundleError(f"manifest.json: {path!r} is declared with another sha256 ({digest})")
    return FileEntry(path, digest, size, _opt_str(item.get("content_type")))


def _snapshot_entry(item: Any) -> SnapshotEntry:
    if not isinstance(item, dict):
        raise BundleError("manifest.json: every snapshot must be an object")
    path = item.get("path")
    if not isinstance(path, str) or not path.startswith(layout.SNAPSHOT_DIR) or not path.endswith("/") \
            or layout.unsafe_path_reason(path.rstrip("/")):
        raise BundleError(f"manifest.json: bad snapshot path {path!r}")
    source_id = item.get("source_id")
    url, captured_at = item.get("url"), item.get("captured_at")
    if not isinstance(source_id, int) or isinstance(source_id, bool):
        raise BundleError(f"manifest.json: snapshot {path!r} has no source_id")
    if not isinstance(url, str) or not url or not isinstance(captured_at, str) or not captured_at:
        raise BundleError(f"manifest.json: snapshot {path!r} has no url or captured_at")
    return SnapshotEntry(path, source_id, url, captured_at, _sha_or_none(item.get("page_sha256"), path))


@dataclass
class CheckedRecord:
    """A snapshot.json whose rows fit the archive's columns."""
    source_id: int
    snapshot: dict[str, Any]
    resources: list[dict[str, Any]]
    embeds: list[dict[str, Any]]
    checks: list[dict[str, Any]] = field(default_factory=list)   # each names its post by index (POST_INDEX)

    def blobs(self) -> list[str]:
        return referenced_blobs(self)   # the same fields as a SnapshotRecord


def check_record(data: Any, entry: SnapshotEntry, columns: Mapping[str, set[str]]) -> CheckedRecord:
    """Check a parsed snapshot.json against its manifest entry and the archive's columns
    (`columns`: table -> column names)."""
    where = entry.path + layout.SNAPSHOT_JSON
    if not isinstance(data, dict):
        raise BundleError(f"{where}: not an object")
    snapshot = _row(data.get("snapshot"), "snapshots", columns, where)
    resources = [_row(r, "resources", columns, where) for r in _list(data.get("resources"), where, "resources")]
    embeds = [_row(e, "embeds", columns, where) for e in _list(data.get("embeds"), where, "embeds")]
    checks = [_check_row(c, len(embeds), columns, where) for c in _list(data.get("checks"), where, "checks")]
    claims = {"url": entry.url, "captured_at": entry.captured_at, "page_sha256": entry.page_sha256}
    for key, claimed in claims.items():
        if snapshot.get(key) != claimed:
            raise BundleError(f"manifest.json and {where} disagree about the snapshot's {key}")
    if data.get("source_id") != entry.source_id:
        raise BundleError(f"manifest.json and {where} disagree about the snapshot's source_id")
    for emb in embeds:
        media = emb.get("media")
        if media is not None and not isinstance(media, list):
            raise BundleError(f"{where}: an embed's media is not a list")
        for digest in embed_blobs(emb):
            _sha_or_none(digest, where)
    return CheckedRecord(entry.source_id, snapshot, resources, embeds, checks)


def _check_row(value: Any, n_embeds: int, columns: Mapping[str, set[str]], where: str) -> dict[str, Any]:
    """A re-check of one of the snapshot's posts: `embed` is the post's index in `embeds`."""
    if not isinstance(value, dict):
        raise BundleError(f"{where}: a checks row is not an object")
    index = value.get(POST_INDEX)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < n_embeds:
        raise BundleError(f"{where}: a check names no post of this snapshot ({POST_INDEX}: {index!r})")
    row = _row({k: v for k, v in value.items() if k != POST_INDEX}, "checks", columns, where)
    if not (isinstance(row.get("checked_at"), str) and isinstance(row.get("status"), str)):
        raise BundleError(f"{where}: a check has no checked_at or status")
    return {POST_INDEX: index, **row}


def _row(value: Any, table: str, columns: Mapping[str, set[str]], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BundleError(f"{where}: a {table} row is not an object")
    allowed = columns[table]
    for key, item in value.items():
        if key not in allowed:
            raise BundleError(f"{where}: {key!r} is not a column of {table} in this archive"
                              " (a bundle from a newer archiver?)")
        if key in JSON_COLUMNS[table]:
            continue
        if item is not None and not isinstance(item, (str, int, float)):
            raise BundleError(f"{where}: {table}.{key} must be a plain value")
    for key in BLOB_COLUMNS[table]:
        _sha_or_none(value.get(key), where)
    if table == "snapshots" and not (isinstance(value.get("url"), str) and isinstance(value.get("captured_at"), str)):
        raise BundleError(f"{where}: the snapshot has no url or captured_at")
    return value


def _list(value: Any, where: str, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BundleError(f"{where}: {name} must be a list")
    return value


def _sha_or_none(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not layout.SHA256_RE.fullmatch(value):
        raise BundleError(f"{where}: {value!r} is not a sha256")
    return value


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
