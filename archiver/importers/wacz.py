"""A WACZ's pages as snapshots: its WARCs (archive/*.warc[.gz]) are copied out, one after the
other, into one temporary WARC (streamed: memory stays bounded) and imported with the pages its
pages/pages.jsonl lists (every line with a "url"; "ts" picks the capture)."""
from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

from .base import FileReport, ImportOptions, PageRef
from .warcimport import import_warc

MAX_PAGES_BYTES = 256 * 1024 ** 2


class WaczError(ValueError):
    pass


def is_wacz(zf: zipfile.ZipFile) -> bool:
    names = zf.namelist()
    return "datapackage.json" in names or any(_is_warc_member(n) for n in names)


def _is_warc_member(name: str) -> bool:
    return name.startswith("archive/") and name.endswith((".warc", ".warc.gz"))


def import_wacz(path: str | Path, store, options: ImportOptions, on_page=None) -> FileReport:
    with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory(prefix="archiver-wacz-") as tmp:
        members = sorted(n for n in zf.namelist() if _is_warc_member(n))
        if not members:
            raise WaczError("the WACZ holds no WARC under archive/")
        joined = Path(tmp) / "joined.warc.gz"
        with joined.open("wb") as out:
            for name in members:
                with zf.open(name) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        pages = read_pages(zf)
        report = import_warc(joined, store, options, pages=pages, fmt="wacz", on_page=on_page)
    report.path = str(path)
    report.problems = [p.replace(str(joined), f"{path} (archive/)") for p in report.problems]
    return report


def read_pages(zf: zipfile.ZipFile) -> list[PageRef] | None:
    """The pages pages/pages.jsonl lists, or None when the WACZ has no page list."""
    try:
        info = zf.getinfo("pages/pages.jsonl")
    except KeyError:
        return None
    if info.file_size > MAX_PAGES_BYTES:
        raise WaczError(f"pages/pages.jsonl is too big ({info.file_size} bytes)")
    pages: list[PageRef] = []
    for line in zf.read(info).decode("utf-8", "replace").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            ts = item.get("ts")
            pages.append(PageRef(item["url"], ts if isinstance(ts, str) else None))
    return pages
