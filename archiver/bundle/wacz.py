"""Export snapshots as a WACZ package (the format ReplayWeb.page and pywb load).

We write the WARC (archiver.bundle.warc) and a page list (one page per snapshot: the URL that
answered, its capture time and title), then hand both to Webrecorder's `wacz` package, which
indexes the WARC (CDXJ), packs archive/, indexes/, pages/ and writes datapackage.json with
every file's sha256. datapackage.json gets a title, a description, the main page (the first
snapshot's page) and names archiver as its software (the `wacz` package writes its own name: we
rewrite datapackage.json and its digest after it); pages.jsonl carries each page's extracted text
(`text`), which ReplayWeb.page searches.
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

from .. import __version__
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

            args = ["create", "-o", str(part), "-p", str(pages_path), "--title", package_title(records),
                    "--desc", package_description(records)]
            main = main_page(records)
            if main:
                args += ["--url", main[0], "--ts", main[1]]
            with contextlib.redirect_stdout(log):
                status = wacz_main([*args, str(warc_path)])
            if status != 0:
                raise ExportError(f"wacz could not package the WARC: {log.getvalue().strip()[-300:]}")
            _name_the_software(part)
    with zipfile.ZipFile(out) as packed:
        files = len(packed.namelist())
    return ExportSummary(str(out), "wacz", len(records), files, out.stat().st_size)


def _export(store: Store, snapshot_ids: Sequence[int], out: Path, options: ExportOptions) -> ExportSummary:
    return export_wacz(store, list(snapshot_ids), out, clock=options.clock)


FORMAT = ExportFormat("wacz", ".wacz", "WACZ for ReplayWeb.page and pywb", _export)


def package_title(records: list[SnapshotRecord]) -> str:
    if len(records) == 1:
        snap = records[0].snapshot
        return snap.get("title") or snap.get("final_url") or snap["url"]
    return f"{len(records)} archived pages"


def package_description(records: list[SnapshotRecord]) -> str:
    urls = [r.snapshot.get("final_url") or r.snapshot["url"] for r in records]
    shown = ", ".join(urls[:5]) + (f" and {len(urls) - 5} more" if len(urls) > 5 else "")
    return f"Exported by archiver {__version__}: {len(records)} snapshot(s) with their preserved posts: {shown}"


def main_page(records: list[SnapshotRecord]) -> tuple[str, str] | None:
    """The first capture that succeeded (else the first with a page): its URL and 14-digit timestamp."""
    ordered = sorted(records, key=lambda r: bool(r.snapshot.get("error")))
    for record in ordered:
        snap = record.snapshot
        if snap.get("page_sha256"):
            return snap.get("final_url") or snap["url"], "".join(c for c in warc_date(snap["captured_at"])
                                                                 if c.isdigit())[:14]
    return None


def _name_the_software(path: Path) -> None:
    """Rewrite datapackage.json's `software` (and datapackage-digest.json, its hash) in the zip."""
    import hashlib

    with zipfile.ZipFile(path) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    package = json.loads(next(data for info, data in entries if info.filename == "datapackage.json"))
    package["software"] = f"archiver {__version__} (packaged with {package.get('software', 'py-wacz')})"
    package_bytes = json.dumps(package, indent=2).encode("utf-8")
    digest = json.loads(next(data for info, data in entries if info.filename == "datapackage-digest.json"))
    digest["hash"] = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    rewritten = {"datapackage.json": package_bytes, "datapackage-digest.json": json.dumps(digest).encode("utf-8")}
    with zipfile.ZipFile(path, "w") as new:
        for info, data in entries:
            new.writestr(info, rewritten.get(info.filename, data))


def pages_jsonl(records: list[SnapshotRecord]) -> str:
    """The WACZ page list: a header line, then one line per snapshot that has a page."""
    lines: list[dict[str, Any]] = [{"format": "json-pages-1.0", "id": "pages", "title": "Archived pages"}]
    for record in records:
        snap = record.snapshot
        if not snap.get("page_sha256"):
            continue
        url = snap.get("final_url") or snap["url"]
        page = {"url": url, "ts": warc_date(snap["captured_at"]), "title": snap.get("title") or url}
        if snap.get("text"):
            page["text"] = snap["text"]
        lines.append(page)
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
