"""Export snapshots as a WACZ package (the format ReplayWeb.page and pywb load).

We write the WARC (archiver.bundle.warc) and a page list (one page per snapshot: the URL that
answered, its capture time and title), then hand both to Webrecorder's `wacz` package, which
indexes the WARC (CDXJ), packs archive/, indexes/, pages/ and writes datapackage.json with
every file's sha256.
"""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import atomic_output
from ..store import Store
from .clock import Clock, utc_now
from .records import SnapshotRecord
from .warc import warc_date, write_warc
from .formats import ExportError, ExportFormat, ExportOptions, ExportSummary, load_records


def export_wacz(store: Store, snapshot_ids: list[int], out: str | Path, *, clock: Clock = utc_now) -> ExportSummary:
    records = load_records(store, snapshot_ids)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="archiver-wacz-") as tmp:
        warc_path = Path(tmp) / "data.warc.gz"
        with warc_path.open("wb") as fh:
            write_warc(store, records, fh, created=clock(), filename=warc_path.name)
        pages_path = Path(tmp) / "pages.jsonl"
        pages_path.write_text(pages_jsonl(records), encoding="utf-8")
        with atomic_output(out) as part:
            log = io.StringIO()
            from wacz.main import main as wacz_main   # a third of a second to import: only when asked

            with contextlib.redirect_stdout(log):
                status = wacz_main(["create", "-o", str(part), "-p", str(pages_path), str(warc_path)])
            if status != 0:
                raise ExportError(f"wacz could not package the WARC: {log.getvalue().strip()[-300:]}")
    with zipfile.ZipFile(out) as packed:
        files = len(packed.namelist())
    return ExportSummary(str(out), "wacz", len(records), files, out.stat().st_size)


def _export(store: Store, snapshot_ids: Sequence[int], out: Path, options: ExportOptions) -> ExportSummary:
    return export_wacz(store, list(snapshot_ids), out, clock=options.clock)


FORMAT = ExportFormat("wacz", ".wacz", "WACZ for ReplayWeb.page and pywb", _export)


def pages_jsonl(records: list[SnapshotRecord]) -> str:
    """The WACZ page list: a header line, then one line per snapshot that has a page."""
    lines: list[dict[str, Any]] = [{"format": "json-pages-1.0", "id": "pages", "title": "Archived pages"}]
    for record in records:
        snap = record.snapshot
        if not snap.get("page_sha256"):
            continue
        url = snap.get("final_url") or snap["url"]
        lines.append({"url": url, "ts": warc_date(snap["captured_at"]), "title": snap.get("title") or url})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
