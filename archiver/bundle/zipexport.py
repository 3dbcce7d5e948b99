"""Write snapshots to a self-describing zip bundle (layout in archiver/bundle/layout.py).

Deterministic: entries in a fixed order, every timestamp from the injected clock, fixed
permissions. The same archive exported with the same clock gives the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..files import atomic_output
from ..render import RenderError, render_snapshot, write_rendered
from ..store import Store
from ..templating import environment
from . import layout
from .clock import Clock, iso, utc_now, zip_time
from .formats import ExportError, ExportFormat, ExportOptions, ExportSummary, load_records
from .records import SnapshotRecord, referenced_blobs


@dataclass
class _Entry:
    path: str
    sha256: str
    size: int
    content_type: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "sha256": self.sha256, "size": self.size}
        if self.content_type:
            out["content_type"] = self.content_type
        return out


def export_zip(store: Store, snapshot_ids: Sequence[int], out: str | Path, *,
               clock: Clock = utc_now, render: bool = True) -> ExportSummary:
    """Write `snapshot_ids` to the zip file `out` (replaced atomically)."""
    records = load_records(store, snapshot_ids)
    created = clock()
    out = Path(out)
    with atomic_output(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        writer = _ZipWriter(zf, zip_time(created))
        listing = []
        for n, record in enumerate(records, start=1):
            listing.append(_write_snapshot(writer, store, n, record, render))
        writer.add_bytes(layout.INDEX, _index_html(listing, iso(created)).encode("utf-8"))
        for digest in _all_blobs(records):
            _write_blob(writer, store, digest)
        manifest = build_manifest(created=iso(created), snapshots=listing, files=writer.entries)
        writer.add_bytes(layout.MANIFEST, json_bytes(manifest), listed=False)
    return ExportSummary(str(out), "zip", len(records), len(writer.entries) + 1, out.stat().st_size)


def _export(store: Store, snapshot_ids: Sequence[int], out: Path, options: ExportOptions) -> ExportSummary:
    return export_zip(store, snapshot_ids, out, clock=options.clock, render=options.render)


FORMAT = ExportFormat("zip", ".zip", "bundle that imports without loss", _export)


def build_manifest(*, created: str, snapshots: list[dict[str, Any]], files: list[_Entry]) -> dict[str, Any]:
    return {
        "format": layout.FORMAT,
        "format_version": layout.FORMAT_VERSION,
        "tool": {"name": "archiver", "version": __version__},
        "created_at": created,
        "snapshots": snapshots,
        "files": [e.as_json() for e in sorted(files, key=lambda e: e.path)],
    }


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


class _ZipWriter:
    def __init__(self, zf: zipfile.ZipFile, date_time: tuple[int, int, int, int, int, int]):
        self.zf = zf
        self.date_time = date_time
        self.entries: list[_Entry] = []
        self._names: set[str] = set()

    def _info(self, path: str) -> zipfile.ZipInfo:
        if path in self._names:
            raise ExportError(f"internal error: {path} written twice")
        self._names.add(path)
        info = zipfile.ZipInfo(path, self.date_time)
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def add_bytes(self, path: str, data: bytes, *, content_type: str | None = None, listed: bool = True) -> None:
        self.zf.writestr(self._info(path), data)
        if listed:
            self.entries.append(_Entry(path, hashlib.sha256(data).hexdigest(), len(data), content_type))

    def add_file(self, path: str, source: Path) -> None:
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, self.zf.open(self._info(path), "w") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        self.entries.append(_Entry(path, digest.hexdigest(), size))


def _write_snapshot(writer: _ZipWriter, store: Store, n: int, record: SnapshotRecord, render: bool) -> dict[str, Any]:
    folder = layout.snapshot_dir(n)
    writer.add_bytes(folder + layout.SNAPSHOT_JSON, json_bytes(record.as_json()))
    rendered = False
    if render and record.snapshot.get("page_sha256"):
        with tempfile.TemporaryDirectory(prefix="archiver-export-") as tmp:
            _render_into(store, record.source_id, Path(tmp))
            for file in sorted(_files_under(Path(tmp))):
                writer.add_file(folder + file.relative_to(tmp).as_posix(), file)
            rendered = True
    snap = record.snapshot
    return {
        "path": folder,
        "source_id": record.source_id,
        "url": snap.get("url"),
        "final_url": snap.get("final_url"),
        "captured_at": snap.get("captured_at"),
        "title": snap.get("title"),
        "page_sha256": snap.get("page_sha256"),
        "status_code": snap.get("status_code"),
        "error": snap.get("error"),
        "resources": len(record.resources),
        "embeds": len(record.embeds),
        "rendered": rendered,
    }


def _render_into(store: Store, snapshot_id: int, out_dir: Path) -> None:
    """The snapshot's offline page as out_dir/index.html and out_dir/assets/."""
    try:
        write_rendered(render_snapshot(store, snapshot_id, asset_prefix="assets/"), store, out_dir)
    except RenderError as exc:
        raise ExportError(f"cannot render snapshot {snapshot_id}: {exc}") from exc


def _files_under(root: Path) -> Iterable[Path]:
    for path in root.rglob("*"):
        if path.is_symlink():
            raise ExportError(f"render produced a symbolic link ({path.name}); refusing to bundle it")
        if path.is_file():
            yield path


def _all_blobs(records: list[SnapshotRecord]) -> list[str]:
    seen: dict[str, None] = {}
    for record in records:
        for digest in referenced_blobs(record):
            seen[digest] = None
    return sorted(seen)


def _write_blob(writer: _ZipWriter, store: Store, digest: str) -> None:
    data = store.blob(digest)
    if data is None:
        raise ExportError(f"blob {digest} is missing from the archive (run `archiver verify`)")
    if hashlib.sha256(data).hexdigest() != digest:
        raise ExportError(f"blob {digest} does not match its hash (run `archiver verify`)")
    info = store.blob_info(digest) or {}
    writer.add_bytes(layout.blob_path(digest), data, content_type=info.get("content_type"))


def _index_html(snapshots: list[dict[str, Any]], created: str) -> str:
    template = environment().get_template("bundle/index.html")
    return template.render(snapshots=snapshots, created_at=created, version=__version__)
