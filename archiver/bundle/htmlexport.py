"""Export one snapshot as a single HTML file: its offline page with every asset inlined, exactly
what `archiver render --single-file` writes (archiver.render.save_single_file)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..render import save_single_file
from ..store import Store
from .formats import ExportError, ExportFormat, ExportOptions, ExportSummary


def export_html(store: Store, snapshot_ids: Sequence[int], out: str | Path) -> ExportSummary:
    """Write the single-file page of the one snapshot in `snapshot_ids` to `out`."""
    if len(snapshot_ids) != 1:
        raise ExportError("--format html exports exactly one snapshot")
    out = Path(out)
    save_single_file(store, snapshot_ids[0], out)
    return ExportSummary(str(out), "html", 1, 1, out.stat().st_size)


def _export(store: Store, snapshot_ids: Sequence[int], out: Path, options: ExportOptions) -> ExportSummary:
    return export_html(store, snapshot_ids, out)


FORMAT = ExportFormat("html", ".html", "one snapshot as a single file", _export, one_snapshot=True)
