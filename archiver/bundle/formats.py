"""Export formats, as a registry (like datasette's output renderers): each format is one module
of this package that declares `FORMAT = ExportFormat(name, suffix, help, export)`. `archiver
export --format` offers what `export_formats()` lists, with each format's one-line help.

    fmt = export_format("warc")
    summary = fmt.export(store, [1, 2], "archive.warc.gz", ExportOptions())

Adding a format is adding a module here and its name to _MODULES."""
from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ArchiverError
from ..store import Store
from .clock import Clock, utc_now
from .records import SnapshotRecord, read_record

# The format modules, in the order `archiver export --help` lists them (the first is the default).
_MODULES = ("zipexport", "htmlexport", "warc", "wacz")


class ExportError(ArchiverError):
    """The archive cannot be exported as asked (unknown id, corrupt blob...)."""


@dataclass
class ExportSummary:
    path: str
    format: str
    snapshots: int
    files: int
    bytes: int


@dataclass
class ExportOptions:
    clock: Clock = field(default=utc_now)   # the export's creation time (bundles, WARC records)
    render: bool = True                     # include the offline pages (where the format has them)


@dataclass(frozen=True)
class ExportFormat:
    name: str                 # what --format takes
    suffix: str               # the default file's suffix
    help: str                 # one line for --help
    export: Callable[[Store, Sequence[int], Path, ExportOptions], ExportSummary]
    one_snapshot: bool = False   # exports exactly one snapshot


@functools.cache
def export_formats() -> dict[str, ExportFormat]:
    """name -> format, in _MODULES order."""
    formats = (importlib.import_module(f"{__package__}.{name}").FORMAT for name in _MODULES)
    return {fmt.name: fmt for fmt in formats}


def export_format(name: str) -> ExportFormat:
    try:
        return export_formats()[name]
    except KeyError:
        raise ExportError(f"unknown export format {name!r} (known: {', '.join(export_formats())})") from None


def load_records(store: Store, snapshot_ids: Sequence[int]) -> list[SnapshotRecord]:
    """The portable records of the snapshots to export, each once, in the order given."""
    if not snapshot_ids:
        raise ExportError("nothing to export: the archive has no snapshots" if not store.snapshot_ids()
                          else "nothing to export: give snapshot ids or --all")
    records = []
    for sid in dict.fromkeys(snapshot_ids):
        try:
            records.append(read_record(store, sid))
        except KeyError:
            raise ExportError(f"no snapshot #{sid}") from None
    return records
