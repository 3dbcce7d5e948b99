"""A CDXJ index of a WARC, as pywb and ReplayWeb.page read it (and as Webrecorder's cdxj-indexer
writes it): one line per response, revisit, resource and metadata record,

    <SURT key> <14-digit timestamp> {"url": ..., "mime": ..., "status": ..., "digest": ...,
                                     "length": ..., "offset": ..., "filename": ...}

sorted, with `offset` and `length` the record's gzip member in the WARC file `filename` (numbers
written as strings, fields without a value left out).

`surt()` is the SURT key pywb computes for a URL (the `surt` package's default canonicalisation:
host reversed, lowercased, `www.` dropped, default port, user info and fragment dropped, escapes
normalised, query arguments sorted), written here for the http(s) and other hierarchical URLs
archiver exports: the `surt` package needs tldextract and its own dependencies for this.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import SplitResult, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

INDEXED_RECORDS = ("response", "revisit", "resource", "metadata")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WWW = re.compile(r"^www\d*\.")
_SPACE = re.compile(r"[;\s]")


def cdxj_lines(fh: BinaryIO, filename: str) -> list[str]:
    """The sorted CDXJ lines (each ending in a newline) of the WARC read from `fh`."""
    return sorted(_index(fh, filename))


def _index(fh: BinaryIO, filename: str) -> Iterator[str]:
    records = ArchiveIterator(fh)
    for record in records:
        if record.rec_type not in INDEXED_RECORDS:
            continue
        headers = record.rec_headers
        if record.rec_type in ("resource", "metadata") and headers.get_header("Content-Type") == "application/warc-fields":
            continue
        url = headers.get_header("WARC-Target-URI")
        if record.rec_type == "revisit":
            mime = "warc/revisit"
        elif record.http_headers is not None:
            mime = record.http_headers.get_header("Content-Type")
        else:
            mime = headers.get_header("Content-Type")
        fields = {
            "url": url,
            "mime": _SPACE.split(mime, 1)[0].strip() if mime else None,
            "status": record.http_headers.get_statuscode() if record.http_headers is not None else None,
            "digest": headers.get_header("WARC-Payload-Digest"),
            "length": str(records.get_record_length()),
            "offset": str(records.get_record_offset()),
            "filename": filename,
        }
        fields = {k: v for k, v in fields.items() if v}
        timestamp = iso_date_to_timestamp(headers.get_header("WARC-Date"))
        yield f"{surt(url)} {timestamp} {json.dumps(fields)}\n"


def surt(url: str) -> str:
    """The SURT key of `url` (for example `com,example)/news/a.html?id=1`)."""
    if not url:
        return "-"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not parts.netloc or "://" not in url:   # urn:, dns:, data: ... are their own keys
        return url
    host = _host(parts)
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    path = _normalise_path(_escape_once(parts.path)).lower()
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    key = f"{host})" + (path or "/")
    query = _sorted_query(_escape_once(parts.query).lower())
    return f"{key}?{query}" if query else key


def _host(parts: SplitResult) -> str:
    host = (parts.hostname or "").strip(".")
    if ":" in host:                      # an IPv6 address: not reversed
        return host
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    host = _WWW.sub("", host.lower())
    return ",".join(reversed(host.split(".")))


def _escape_once(text: str) -> str:
    """Undo every level of %-escaping, then escape once what must be: control characters, space,
    '#', '%' and bytes past ASCII (the Google canonicaliser's rule, in surt)."""
    data = text.encode("utf-8")
    while True:
        undone = _unescape(data)
        if undone == data:
            break
        data = undone
    return "".join(chr(b) if 0x20 < b < 0x7F and b not in (0x23, 0x25) else f"%{b:02X}" for b in data)


_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")


def _unescape(data: bytes) -> bytes:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _normalise_path(path: str) -> str:
    """'.' segments dropped, '..' resolved (kept at the root), empty segments dropped but a
    trailing slash kept: surt's rule."""
    if not path:
        return "/"
    kept: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == ".":
            continue
        if segment == ".." and kept:
            kept.pop()
        else:
            kept.append(segment)
    if not kept:
        return "/"
    return "/" + "".join(f"{s}/" for s in kept[:-1] if s) + kept[-1]


def _sorted_query(query: str) -> str:
    """Arguments sorted by name then value, `a` and `a=` kept apart (surt's order)."""
    if len(query) <= 1:
        return query
    pairs = sorted(tuple(arg.split("=", 1)) for arg in query.split("&"))
    return "&".join("=".join(pair) for pair in pairs)
