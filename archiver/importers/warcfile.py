"""Reading a WARC as a stream, and answering GETs from it.

`WarcIndex.build(path)` reads the file once with warcio and keeps, per target URL, where each
response, revisit and (for redirects) Location is: offsets and a few headers, never bodies, so
memory stays bounded by the number of records whatever the file size. A record warcio cannot
read is reported with its offset (`index.problems`) and reading goes on at the next gzip member
when there is one (a plain .warc cannot be resynchronised: the rest of it is reported lost).

`WarcGetter(index, date)` then answers `get(url)` like a Fetcher, reading the one record it
needs by offset: redirects are followed inside the WARC, revisit records are resolved to the
response they repeat (by payload digest, else by the URL and date they refer to).
"""
from __future__ import annotations

import gzip
import logging
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..fetch import ByteBudget, Fetched

log = logging.getLogger(__name__)

MAX_REDIRECTS = 10
NOT_IN_WARC = "not in the WARC"


@dataclass
class Entry:
    """One response or revisit record of the WARC."""
    url: str
    offset: int
    rec_type: str               # response | revisit
    date: str                   # WARC-Date as written
    status: int | None
    mime: str                   # the HTTP Content-Type's media type, lower case
    record_id: str = ""
    location: str | None = None
    payload_digest: str | None = None
    refers_to_url: str | None = None
    refers_to_date: str | None = None


@dataclass
class WarcIndex:
    path: str
    by_url: dict[str, list[Entry]] = field(default_factory=dict)
    by_digest: dict[str, Entry] = field(default_factory=dict)
    by_path: dict[str, set[str]] = field(default_factory=dict)   # host + path -> the URLs with it
    order: list[Entry] = field(default_factory=list)          # responses in file order
    metadata: dict[tuple[str, str], int] = field(default_factory=dict)  # (refers-to url, date) -> offset
    problems: list[str] = field(default_factory=list)
    records: int = 0

    @classmethod
    def build(cls, path: str | Path) -> "WarcIndex":
        index = cls(str(path))
        with open(path, "rb") as fh:
            index._scan(fh)
        return index

    def _scan(self, fh) -> None:
        start = 0
        while True:
            fh.seek(start)
            stream = ArchiveIterator(fh, no_record_parse=False)
            last_offset = start
            try:
                for record in stream:
                    last_offset = start + stream.get_record_offset()
                    self.records += 1
                    self._add(record, last_offset)
                return
            except (ArchiveLoadFailed, ValueError, EOFError, OSError, zlib.error, gzip.BadGzipFile) as exc:
                bad = start + stream.offset if stream.offset is not None else last_offset
                resume = _next_gzip_member(fh, max(bad, last_offset) + 1)
                what = f"{self.path}: broken record at offset {bad} ({type(exc).__name__}: {str(exc)[:120]})"
                if resume is None:
                    self.problems.append(what + "; the rest of the file was skipped")
                    return
                self.problems.append(what + f"; reading on at offset {resume}")
                log.warning("%s", self.problems[-1])
                start = resume

    def _add(self, record, offset: int) -> None:
        h = record.rec_headers
        rec_type = record.rec_type
        if rec_type == "metadata":
            refers = h.get_header("WARC-Refers-To-Target-URI")
            if refers and (h.get_header("WARC-Target-URI") or "").startswith("metadata://archiver/"):
                self.metadata[(clean_uri(refers), h.get_header("WARC-Refers-To-Date") or "")] = offset
            return
        if rec_type not in ("response", "revisit"):
            return
        url = clean_uri(h.get_header("WARC-Target-URI") or "")
        if not url:
            return
        http = record.http_headers
        status = None
        location = mime = None
        if http is not None:
            try:
                status = int(http.get_statuscode())
            except (TypeError, ValueError):
                status = None
            location = http.get_header("Location")
            mime = http.get_header("Content-Type")
        entry = Entry(url=url, offset=offset, rec_type=rec_type, date=h.get_header("WARC-Date") or "",
                      status=status, mime=(mime or "").split(";")[0].strip().lower(),
                      record_id=h.get_header("WARC-Record-ID") or "", location=location,
                      payload_digest=h.get_header("WARC-Payload-Digest"),
                      refers_to_url=clean_uri(h.get_header("WARC-Refers-To-Target-URI") or "") or None,
                      refers_to_date=h.get_header("WARC-Refers-To-Date"))
        self.by_url.setdefault(url, []).append(entry)
        self.by_path.setdefault(_loose_key(url), set()).add(url)
        if rec_type == "response":
            self.order.append(entry)
            if entry.payload_digest and entry.payload_digest not in self.by_digest:
                self.by_digest[entry.payload_digest] = entry
        # the body is not read here: warcio skips to the next record

    # ------------------------------------------------------------ lookups
    def entry(self, url: str, near: str | None = None) -> Entry | None:
        """The record for `url` captured nearest to `near` (a WARC-Date), else the first one."""
        found = self.by_url.get(clean_uri(url))
        if not found:
            return None
        if near is None or len(found) == 1:
            return found[0]
        when = parse_warc_date(near)
        return min(found, key=lambda e: abs((parse_warc_date(e.date) - when).total_seconds()))

    def loose_entry(self, url: str, near: str | None = None) -> Entry | None:
        """The record of the one URL the WARC holds with the same host and path as `url` (any
        scheme or query): how a platform answer a crawler recorded under another query string
        (`/embed/ID?feature=oembed`) is found for the request the enricher makes (`/embed/ID`)."""
        same = self.by_path.get(_loose_key(clean_uri(url)), set())
        return self.entry(next(iter(same)), near) if len(same) == 1 else None

    def read(self, entry: Entry, limit: int | None = None) -> tuple[int | None, dict[str, str], bytes]:
        """(status, headers with lower-case names, decoded body) of a response; a revisit's
        body is the response it repeats. With `limit`, at most limit + 1 bytes of body are read."""
        status, headers, body = self._read_at(entry.offset, limit)
        if entry.rec_type == "revisit":
            original = self._revisited(entry)
            if original is None:
                raise LookupError(f"revisit of {entry.url} refers to a record not in the WARC")
            o_status, o_headers, body = self._read_at(original.offset, limit)
            status = status or o_status
            headers = {**o_headers, **headers}
        return status, headers, body

    def _revisited(self, entry: Entry) -> Entry | None:
        if entry.payload_digest and entry.payload_digest in self.by_digest:
            return self.by_digest[entry.payload_digest]
        if entry.refers_to_url:
            for e in self.by_url.get(entry.refers_to_url, []):
                if e.rec_type == "response" and (not entry.refers_to_date or e.date == entry.refers_to_date):
                    return e
        return None

    def read_metadata(self, offset: int) -> bytes:
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            return record.content_stream().read()

    def _read_at(self, offset: int, limit: int | None = None) -> tuple[int | None, dict[str, str], bytes]:
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            http = record.http_headers
            status = None
            headers: dict[str, str] = {}
            if http is not None:
                try:
                    status = int(http.get_statuscode())
                except (TypeError, ValueError):
                    status = None
                headers = {k.lower(): v for k, v in http.headers}
            body = record.content_stream().read(-1 if limit is None else limit + 1)
        for name in ("content-encoding", "transfer-encoding", "content-length"):
            headers.pop(name, None)   # the body is handed over decoded, as a Fetcher would
        return status, headers, body


def _next_gzip_member(fh, start: int) -> int | None:
    """The offset of the next gzip member header at or after `start`, if the file has one."""
    fh.seek(start)
    pos = start
    tail = b""
    while chunk := fh.read(1 << 20):
        data = tail + chunk
        at = data.find(b"\x1f\x8b\x08")
        if at >= 0:
            return pos - len(tail) + at
        tail = data[-2:]
        pos += len(chunk)
    return None


def _loose_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}"


def clean_uri(uri: str) -> str:
    """A WARC-Target-URI as a plain URL: WARC 1.0 writers sometimes wrap it in <>; no fragment."""
    uri = uri.strip()
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    return uri.split("#", 1)[0]


def parse_warc_date(value: str) -> datetime:
    value = (value or "").strip()
    if value.isdigit() and len(value) >= 14:   # a 14-digit CDX timestamp
        return datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return datetime.min.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def captured_at(warc_date: str) -> str:
    """The archive's capture time (ISO 8601, UTC, Z) from a WARC-Date."""
    moment = parse_warc_date(warc_date).astimezone(timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


class WarcGetter:
    """Answers GETs from the WARC like a Fetcher (redirects followed inside it); a URL the WARC
    lacks is a Fetched with the error "not in the WARC", or goes to `fallback` when given. With
    `loose`, a URL the WARC lacks may be answered by the one record with its host and path."""

    def __init__(self, index: WarcIndex, near: str | None = None, fallback=None, loose: bool = False,
                 max_bytes: int = 50 * 1024 * 1024):
        self.index, self.near, self.fallback, self.loose = index, near, fallback, loose
        self.max_bytes = max_bytes
        self.used_fallback = False

    def get(self, url: str, *, budget: ByteBudget | None = None, max_bytes: int | None = None,
            headers: dict[str, str] | None = None, retries: int | None = None) -> Fetched:
        redirects: list[str] = []
        current = url
        limit = max_bytes or self.max_bytes
        for _ in range(MAX_REDIRECTS + 1):
            entry = self.index.entry(current, self.near)
            if entry is None and self.loose:
                entry = self.index.loose_entry(current, self.near)
            if entry is None:
                break
            try:
                status, got_headers, body = self.index.read(entry, limit)
            except (LookupError, ArchiveLoadFailed, ValueError, EOFError, OSError, zlib.error, StopIteration) as exc:
                return Fetched(url=url, final_url=current, error=f"unreadable WARC record at offset {entry.offset} ({exc})")
            location = got_headers.get("location")
            if status is not None and 300 <= status < 400 and location:
                redirects.append(current)
                current = clean_uri(urljoin(current, location))
                continue
            if len(body) > limit:
                return Fetched(url=url, final_url=current, status=status, headers=got_headers,
                               error=f"body is over the {limit}-byte limit", redirects=redirects)
            if budget is not None and not budget.take(len(body)):
                return Fetched(url=url, final_url=current, status=status, headers=got_headers,
                               error=f"capture is over its {budget.limit}-byte limit", redirects=redirects)
            return Fetched(url=url, final_url=current, status=status, headers=got_headers, body=body,
                           redirects=redirects)
        if self.fallback is not None:
            self.used_fallback = True
            kwargs = {"budget": budget, "max_bytes": max_bytes, "headers": headers}
            if retries is not None:
                kwargs["retries"] = retries
            return self.fallback.get(url, **kwargs)
        return Fetched(url=url, final_url=current if redirects else None, error=NOT_IN_WARC, redirects=redirects)
