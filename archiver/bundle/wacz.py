"""Export snapshots as a WACZ package (WACZ 1.1.1: the format ReplayWeb.page and pywb load).

A WACZ is a zip holding

  archive/data.warc.gz     the WARC (archiver.bundle.warc), stored uncompressed in the zip so that
                           a player reads one record by its offset without unpacking the rest
  indexes/index.cdx        its CDXJ index (archiver.bundle.cdxj): one sorted line per response,
                           revisit, resource and metadata record, with the record's offset and length
  pages/pages.jsonl        a header line, then one line per snapshot with a page: the URL that
                           answered, its capture time, its title and extracted text (ReplayWeb.page
                           searches the text)
  datapackage.json         every file above with its sha256 and size, a title, a description, the
                           main page (the first capture that succeeded), when it was made, and
                           archiver as its software
  datapackage-digest.json  the sha256 of datapackage.json

written here with the standard library and warcio. Webrecorder's `wacz` package (the reference
tool) validates the result in the tests; it is not needed to write it.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..files import atomic_output
from ..store import Store
from .cdxj import cdxj_lines
from .clock import Clock, iso, utc_now, zip_time
from .records import SnapshotRecord
from .warc import warc_date, write_warc
from .formats import ExportFormat, ExportOptions, ExportSummary, load_records

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
SOFTWARE = f"archiver {__version__} (news-embed-archiver)"
_PAGE_IDS = uuid.UUID("0b6a53f4-1d8e-4c59-a7a2-2f6f0e3c9d41")


def export_wacz(store: Store, snapshot_ids: list[int], out: str | Path, *, clock: Clock = utc_now) -> ExportSummary:
    records = load_records(store, snapshot_ids)
    out = Path(out)
    created = clock()
    when = zip_time(created)
    with tempfile.TemporaryDirectory(prefix="archiver-wacz-") as tmp:
        warc_path = Path(tmp) / WARC_NAME
        with warc_path.open("wb") as fh:
            write_warc(store, records, fh, created=created, filename=WARC_NAME)
        with warc_path.open("rb") as fh:
            index = "".join(cdxj_lines(fh, WARC_NAME)).encode("utf-8")
        resources: list[dict[str, Any]] = []
        with atomic_output(out) as part, zipfile.ZipFile(part, "w") as packed:
            resources.append(_add_file(packed, f"archive/{WARC_NAME}", warc_path, when))
            resources.append(_add(packed, "indexes/index.cdx", index, when))
            resources.append(_add(packed, "pages/pages.jsonl", pages_jsonl(records).encode("utf-8"), when))
            package = (json.dumps(datapackage(records, resources, created), indent=2) + "\n").encode("utf-8")
            _add(packed, "datapackage.json", package, when)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package).hexdigest()}
            _add(packed, "datapackage-digest.json", json.dumps(digest, indent=2).encode("utf-8"), when)
            files = len(packed.namelist())
    return ExportSummary(str(out), "wacz", len(records), files, out.stat().st_size)


def datapackage(records: list[SnapshotRecord], resources: list[dict[str, Any]], created) -> dict[str, Any]:
    """datapackage.json: the frictionless data package WACZ 1.1.1 describes."""
    package: dict[str, Any] = {"profile": "data-package", "wacz_version": WACZ_VERSION, "resources": resources,
                               "title": package_title(records), "description": package_description(records)}
    main = main_page(records)
    if main:
        url, timestamp = main
        package["mainPageURL"] = url
        package["mainPageDate"] = (f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}T"
                                   f"{timestamp[8:10]}:{timestamp[10:12]}:{timestamp[12:14]}Z")
    package["created"] = iso(created)
    package["software"] = SOFTWARE
    return package


def _add(packed: zipfile.ZipFile, path: str, data: bytes, when) -> dict[str, Any]:
    info = zipfile.ZipInfo(path, when)
    info.compress_type = zipfile.ZIP_DEFLATED
    packed.writestr(info, data)
    return _resource(path, hashlib.sha256(data).hexdigest(), len(data))


def _add_file(packed: zipfile.ZipFile, path: str, source: Path, when) -> dict[str, Any]:
    """A file copied in stored (not deflated): index offsets point into it as it is."""
    info = zipfile.ZipInfo(path, when)
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = source.stat().st_size
    hasher = hashlib.sha256()
    with source.open("rb") as src, packed.open(info, "w", force_zip64=info.file_size > 2 ** 31) as dst:
        while chunk := src.read(1 << 20):
            hasher.update(chunk)
            dst.write(chunk)
    return _resource(path, hasher.hexdigest(), info.file_size)


def _resource(path: str, sha256: str, size: int) -> dict[str, Any]:
    return {"name": path.rsplit("/", 1)[-1].lower(), "path": path, "hash": f"sha256:{sha256}", "bytes": size}


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


def pages_jsonl(records: list[SnapshotRecord]) -> str:
    """The WACZ page list: a header line, then one line per snapshot that has a page (its id
    derived from its URL and time, so the same export gives the same ids)."""
    header: dict[str, Any] = {"format": "json-pages-1.0", "id": "pages", "title": "Archived pages"}
    lines: list[dict[str, Any]] = [header]
    for record in records:
        snap = record.snapshot
        if not snap.get("page_sha256"):
            continue
        url = snap.get("final_url") or snap["url"]
        ts = warc_date(snap["captured_at"])
        page = {"id": uuid.uuid5(_PAGE_IDS, f"{record.source_id}\x1f{url}\x1f{ts}").hex, "url": url, "ts": ts,
                "title": snap.get("title") or url}
        if snap.get("text"):
            page["text"] = snap["text"]
            header["hasText"] = True
        lines.append(page)
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
