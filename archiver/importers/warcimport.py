"""A WARC's pages as snapshots.

    report = import_warc(path, store, options)

Which records are pages: the list given (`--pages FILE`, a WACZ's pages.jsonl), else every 200
HTML response that is not on a platform host (archiver.embeds.is_platform_url) and that no other
candidate page names as a frame or requisite. Each page goes through the capture pipeline with a
getter that answers from the WARC (archiver.importers.warcfile): the page's requisites come from
the WARC only; platform answers come from the WARC first and, when `options.network`, from the
platforms for what the WARC lacks. The snapshot is dated with the page record's WARC-Date and
remembers the record's id (`import_source`), so importing the same WARC again adds nothing.
"""
from __future__ import annotations

import json
import logging
from dataclasses import replace
from collections.abc import Callable
from pathlib import Path

from ..capture.pipeline import capture_page
from ..embeds import is_platform_url
from ..extract.html import decode_html, looks_like_html, parse_html
from ..extract.requisites import base_url_of, page_requisites
from ..extract.urls import absolute
from ..fetch import Fetcher
from ..model import Snapshot, sha256
from .base import FileReport, ImportOptions, PageRef
from .warcfile import Entry, WarcGetter, WarcIndex, captured_at, clean_uri

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_LIMIT = 50 * 1024 * 1024   # the bytes of a candidate page read to see what it loads
_SNIFF = ("", "text/plain", "application/octet-stream")


def import_warc(path: str | Path, store, options: ImportOptions, *, pages: list[PageRef] | None = None,
                fmt: str = "warc", on_page: Callable[[str], None] | None = None) -> FileReport:
    """Add the WARC's pages to `store`; the report counts them and lists what went wrong."""
    index = WarcIndex.build(path)
    report = FileReport(path=str(path), format=fmt, records=index.records, problems=list(index.problems))
    wanted = options.pages if options.pages is not None else pages
    chosen = _listed_pages(index, wanted, report) if wanted is not None else choose_pages(index)
    fallback = Fetcher(options.settings) if options.network else None
    try:
        for url, entry in chosen:
            if entry.record_id and store.snapshot_ids_imported_from(entry.record_id):
                report.existing.append(store.snapshot_ids_imported_from(entry.record_id)[0])
                continue
            snap = snapshot_from_warc(index, url, entry, options, fallback)
            columns = store.columns("embeds") - {"id", "snapshot_id"}
            snap.embeds = [{k: v for k, v in row.items() if k in columns} for row in snap.embeds]
            report.added.append(store.save_snapshot(snap))
            report.pages += 1
            if on_page:
                on_page(url)
    finally:
        if fallback is not None:
            fallback.close()
    return report


def snapshot_from_warc(index: WarcIndex, url: str, entry: Entry, options: ImportOptions,
                       fallback: Fetcher | None = None) -> Snapshot:
    """One page of the WARC as a Snapshot: the capture pipeline run on the WARC's bytes."""
    limit = options.settings.max_bytes
    requisites = WarcGetter(index, near=entry.date, max_bytes=limit)
    fetcher = WarcGetter(index, near=entry.date, fallback=fallback, loose=True, max_bytes=limit)
    # one requisite at a time: reading a local file gains nothing from more, and the resources
    # then come in the same order every time (stylesheets' own needs included)
    settings = replace(options.settings, concurrency=1)
    snap = capture_page(url, fetcher, settings, shared=requisites)  # type: ignore[arg-type]
    snap.captured_at = captured_at(entry.date)
    snap.import_source = entry.record_id or None
    snap.duration_ms = None
    if not fetcher.used_fallback:   # every answer is as the crawl recorded it: checked then
        for row in snap.embeds:
            if row.get("checked_at"):
                row["checked_at"] = snap.captured_at
    _recorded_posts(index, snap, entry)
    return snap


def _recorded_posts(index: WarcIndex, snap: Snapshot, entry: Entry) -> None:
    """A WARC that archiver exported carries each snapshot's posts (with the source of every
    field) in a metadata record: take them as they were, when every blob they name came along;
    and a snapshot that was itself imported keeps the source it was imported from."""
    offset = index.metadata.get((snap.final_url or snap.url, entry.date))
    if offset is None:
        return
    try:
        doc = json.loads(index.read_metadata(offset))
        rows = doc["embeds"]
        assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    except Exception:   # not ours after all, or damaged: the detected posts stay
        log.warning("%s: unreadable archiver metadata record at offset %d", index.path, offset)
        return
    source = (doc.get("snapshot") or {}).get("import_source") if isinstance(doc, dict) else None
    if isinstance(source, str) and source:
        snap.import_source = source   # exported after an import: the same snapshot as that import's
    have = {sha256(r.body) for r in snap.resources if r.body is not None}
    for row in rows:
        needed = [row.get("avatar_sha256")] + [m.get("sha256") for m in row.get("media") or [] if isinstance(m, dict)]
        if any(d and d not in have for d in needed):
            return
    snap.embeds = rows


def _listed_pages(index: WarcIndex, wanted: list[PageRef], report: FileReport) -> list[tuple[str, Entry]]:
    out = []
    for ref in wanted:
        entry = index.entry(ref.url, ref.ts)
        if entry is None:
            report.problems.append(f"{report.path}: page {ref.url} is not in the WARC")
            continue
        out.append((clean_uri(ref.url), entry))
    return out


def is_html_entry(entry: Entry) -> bool:
    return entry.mime in HTML_TYPES


def choose_pages(index: WarcIndex) -> list[tuple[str, Entry]]:
    """Every 200 HTML response not on a platform host, first capture of each URL, less those
    another candidate names as a frame or requisite."""
    candidates: dict[str, Entry] = {}
    for entry in index.order:
        if entry.status != 200 or entry.url in candidates or is_platform_url(entry.url):
            continue
        if not entry.url.startswith(("http://", "https://")):
            continue
        if is_html_entry(entry) or (entry.mime in _SNIFF and _sniff_html(index, entry)):
            candidates[entry.url] = entry
    needed: set[str] = set()
    for url, entry in candidates.items():
        needed |= {u for u in _needs(index, url, entry) if u != url}
    # a requisite reached through a redirect counts as the page it lands on
    getter = WarcGetter(index)
    for ref in list(needed):
        if ref not in candidates and index.entry(ref) is not None:
            landed = _landing(getter, ref)
            if landed:
                needed.add(landed)
    return [(url, entry) for url, entry in candidates.items() if url not in needed]


def _landing(getter: WarcGetter, url: str) -> str | None:
    entry = getter.index.entry(url)
    hops = 0
    while entry is not None and entry.status and 300 <= entry.status < 400 and entry.location and hops < 10:
        url = clean_uri(absolute(entry.location, url) or "")
        entry = getter.index.entry(url)
        hops += 1
    return url if hops else None


def _sniff_html(index: WarcIndex, entry: Entry) -> bool:
    try:
        _, _, body = index.read(entry, 4096)
    except Exception:
        return False
    return looks_like_html(body)


def _needs(index: WarcIndex, url: str, entry: Entry) -> set[str]:
    """The URLs a page loads: its requisites and its frames."""
    try:
        status, headers, body = index.read(entry, PAGE_LIMIT)
        text, _ = decode_html(body, None)
        doc = parse_html(text)
    except Exception:
        return set()
    base = base_url_of(doc, url)
    found = {u for u, _kind in page_requisites(doc, base)}
    for tag in doc.find_all(["iframe", "frame"]):
        src = tag.get("src")
        if src:
            full = absolute(src, base)
            if full:
                found.add(clean_uri(full))
    return found
