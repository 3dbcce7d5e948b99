"""`archiver import`: bring other archives in. An importer registry (one entry per kind of input,
told apart by content, not by name) and the runner that imports several files, one after the
other, in worker processes or on a Dask cluster, with the same result.

    reports = import_files(["crawl.warc.gz", "more.wacz"], store, ImportOptions(), workers=2)

Each input file becomes a shard archive of its own (a temporary SQLite file next to the target);
the shards are then merged into the target in the order the files were given
(archiver.importers.merge: deduplicated, one transaction each). Every file is checked before
anything is written, and every shard is built before the first merge, so a bad input leaves the
archive as it was.
"""
from __future__ import annotations

import gzip
import logging
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from ..bundle.manifest import BundleError
from ..bundle.zipimport import import_zip
from ..errors import ArchiverError
from ..store import CorruptArchive, Store
from .base import FileReport, ImportOptions, PageRef
from .merge import MergeError, merge_archive
from .wacz import WaczError, import_wacz, is_wacz
from .warcimport import import_warc

__all__ = ["FileReport", "ImportFailed", "ImportOptions", "Importer", "PageRef", "detect_format",
           "import_files", "importers", "read_page_list"]

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"


class ImportFailed(ArchiverError):
    """An input that cannot be imported; nothing was written."""


@dataclass(frozen=True)
class Importer:
    name: str
    help: str
    sniff: Callable[[Path, bytes], bool]          # (path, first bytes) -> is this mine?
    run: Callable[..., FileReport]   # (path, store, options, on_page=None): import into a (fresh) store


# ------------------------------------------------------------------ the importers
def _is_database(path: Path, head: bytes) -> bool:
    return head.startswith(SQLITE_MAGIC)


def _import_database(path: Path, store: Store, options: ImportOptions, on_page=None) -> FileReport:
    try:
        source = Store(path, read_only=True)
    except CorruptArchive as exc:
        raise ImportFailed(f"{path}: {exc}") from None
    try:
        if "snapshots" not in source.db.table_names():
            raise ImportFailed(f"{path}: an SQLite file but not an archiver archive")
        merged = merge_archive(source, store)
    finally:
        source.close()
    return FileReport(str(path), "archive", pages=len(merged.added) + len(merged.existing),
                      added=list(merged.added.values()), existing=list(merged.existing.values()),
                      blobs_added=merged.blobs_added, checks_added=merged.checks_added)


def _zip_names(path: Path) -> set[str] | None:
    try:
        with zipfile.ZipFile(path) as zf:
            return set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return None


def _is_bundle(path: Path, head: bytes) -> bool:
    if not head.startswith(b"PK"):
        return False
    names = _zip_names(path)
    return names is not None and "manifest.json" in names and "datapackage.json" not in names


def _import_bundle(path: Path, store: Store, options: ImportOptions, on_page=None) -> FileReport:
    kwargs = {"max_bytes": options.max_bundle_bytes} if options.max_bundle_bytes else {}
    result = import_zip(store, path, **kwargs)
    return FileReport(str(path), "bundle", pages=len(result.added) + len(result.existing),
                      added=list(result.added.values()), existing=list(result.existing.values()),
                      blobs_added=result.blobs_added, checks_added=result.checks_added, bundle_ids={**result.existing, **result.added})


def _is_wacz(path: Path, head: bytes) -> bool:
    if not head.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return is_wacz(zf)
    except (zipfile.BadZipFile, OSError):
        return False


def _import_wacz(path: Path, store: Store, options: ImportOptions, on_page=None) -> FileReport:
    try:
        return import_wacz(path, store, options, on_page=on_page)
    except (WaczError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ImportFailed(f"{path}: not a readable WACZ ({exc}); nothing was imported") from None


def _is_warc(path: Path, head: bytes) -> bool:
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read(5) == b"WARC/"
        except (OSError, EOFError, zlib.error):
            return False
    return False


def _import_warc(path: Path, store: Store, options: ImportOptions, on_page=None) -> FileReport:
    return import_warc(path, store, options, on_page=on_page)


_IMPORTERS = (
    Importer("archive", "an archiver archive database (merged, deduplicated)", _is_database, _import_database),
    Importer("bundle", "a zip bundle from `archiver export`", _is_bundle, _import_bundle),
    Importer("wacz", "a WACZ package (its pages.jsonl names the pages)", _is_wacz, _import_wacz),
    Importer("warc", "a WARC file, .warc or .warc.gz, from any crawler", _is_warc, _import_warc),
)


def importers() -> dict[str, Importer]:
    return {imp.name: imp for imp in _IMPORTERS}


def detect_format(path: str | Path) -> Importer:
    """The importer for the file at `path`, by its content. ImportFailed when there is none."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file; nothing was imported") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read it ({exc.strerror or exc}); nothing was imported") from None
    for imp in _IMPORTERS:
        if imp.sniff(path, head):
            return imp
    if head.startswith(b"PK"):
        raise ImportFailed(f"{path}: a zip file that is neither an archiver bundle (no manifest.json) "
                           "nor a WACZ; nothing was imported")
    raise ImportFailed(f"{path}: not a readable zip file, WARC, WACZ or archive database; nothing was imported")


def read_page_list(lines: Sequence[str]) -> list[PageRef]:
    """--pages FILE: one URL a line (optionally followed by a WARC-Date), # comments skipped."""
    out = []
    for line in lines:
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            out.append(PageRef(parts[0], parts[1] if len(parts) > 1 else None))
    return out


# ------------------------------------------------------------------ running
def build_shard(path: str, shard_path: str, options: ImportOptions,
                on_page: Callable[[str], None] | None = None) -> FileReport:
    """Import one file into a new archive at `shard_path` (one task: a process or a Dask worker);
    `on_page(url)` after each page of a WARC or WACZ (in this process only)."""
    imp = detect_format(path)
    shard = Store(shard_path)
    try:
        return imp.run(Path(path), shard, options, on_page=on_page)
    except (BundleError, MergeError, ImportFailed) as exc:
        raise ImportFailed(str(exc)) from None
    finally:
        shard.close()


def import_files(paths: Sequence[str | Path], store: Store, options: ImportOptions | None = None, *,
                 workers: int = 1, dask: str | None = None,
                 on_file: Callable[[FileReport], None] | None = None,
                 on_page: Callable[[str], None] | None = None) -> list[FileReport]:
    """Import every file into `store`; one report per file, in the order given. `on_file` is
    called as each file lands in the archive; `on_page(url)` as each page is read (sequential
    imports only: worker processes report per file)."""
    options = options or ImportOptions()
    paths = [str(p) for p in paths]
    for p in paths:
        detect_format(p)
    where = None if store.path == ":memory:" else str(Path(store.path).resolve().parent)
    with tempfile.TemporaryDirectory(prefix="archiver-import-", dir=where) as tmp:
        shards = [os.path.join(tmp, f"shard-{i}.db") for i in range(len(paths))]
        if dask:
            reports = _on_dask(dask, paths, shards, options, workers)
        elif workers > 1 and len(paths) > 1:
            with ProcessPoolExecutor(max_workers=min(workers, len(paths)), mp_context=get_context("spawn")) as pool:
                reports = list(pool.map(build_shard, paths, shards, [options] * len(paths)))
        else:
            reports = [build_shard(p, s, options, on_page) for p, s in zip(paths, shards)]
        for report, shard_path in zip(reports, shards):
            _merge_shard(report, shard_path, store)
            if on_file:
                on_file(report)
    return reports


def _merge_shard(report: FileReport, shard_path: str, store: Store) -> None:
    shard = Store(shard_path)
    try:
        merged = merge_archive(shard, store)
    finally:
        shard.close()
    into = {**merged.existing, **merged.added}
    report.bundle_ids = {b: into[s] for b, s in report.bundle_ids.items() if s in into}
    report.added = list(merged.added.values())
    report.existing = list(merged.existing.values())
    report.blobs_added = merged.blobs_added
    report.checks_added = merged.checks_added


def _on_dask(address: str, paths: list[str], shards: list[str], options: ImportOptions, workers: int) -> list[FileReport]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportFailed("--dask needs the optional extra: pip install 'archiver[dask]'") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="10s")
        except (OSError, ValueError) as exc:
            raise ImportFailed(f"cannot reach the Dask scheduler at {address} ({exc})") from None
    try:
        futures = client.map(build_shard, paths, shards, [options] * len(paths), pure=False)
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
