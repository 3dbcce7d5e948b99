"""Export snapshots as a WARC 1.1 file (gzip per record), written with warcio.

Per snapshot, in capture order:
  request + response   the page, then every resource that has stored bytes, each under the URL
                       that answered (final URL), dated with the snapshot's captured_at
  response (302)       when a URL was redirected: a redirect from the requested URL to the final
                       one, rebuilt from the stored final URL (marked `WARC-Archiver-Synthesized`)
  metadata             application/json: the snapshot's metadata, its preserved posts (with the
                       source of every field) and the resources that failed; its target URI is
                       metadata://archiver/snapshot?url=…&date=… and WARC-Refers-To* name the page

Response headers are the stored ones, less Content-Encoding and Transfer-Encoding (the archive
keeps bodies decoded, as the HTTP client handed them over) and with Content-Length recomputed.
The request records are rebuilt (method, path, Host, User-Agent): the archive does not keep request
headers, so the User-Agent is archiver's default one for the version that made the capture (a run
with --user-agent sent another); such records carry `WARC-Archiver-Synthesized`.

A payload already written in this file (same sha256) is not repeated: the later response is a
`revisit` record (profile identical-payload-digest) with the stored status and headers, and
WARC-Refers-To-Target-URI/-Date/WARC-Refers-To naming the response that holds the bytes.
"""
from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from .. import __version__
from ..settings import DEFAULT_USER_AGENT
from ..files import atomic_output
from ..store import Store
from .clock import Clock, utc_now
from .records import SnapshotRecord
from .formats import ExportError, ExportFormat, ExportOptions, ExportSummary, load_records

WARC_VERSION = "WARC/1.1"
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
_ID_NAMESPACE = uuid.UUID("7c8f1a52-5f0e-4d8e-9a43-1f2b0c7d9e10")


def export_warc(store: Store, snapshot_ids: list[int], out: str | Path, *, clock: Clock = utc_now) -> ExportSummary:
    records = load_records(store, snapshot_ids)
    out = Path(out)
    with atomic_output(out) as tmp, tmp.open("wb") as fh:
        count = write_warc(store, records, fh, created=clock(), filename=out.name)
    return ExportSummary(str(out), "warc", len(records), count, out.stat().st_size)


def _export(store: Store, snapshot_ids: Sequence[int], out: Path, options: ExportOptions) -> ExportSummary:
    return export_warc(store, list(snapshot_ids), out, clock=options.clock)


FORMAT = ExportFormat("warc", ".warc.gz", "WARC 1.1 (gzip)", _export)


def write_warc(store: Store, records: Iterable[SnapshotRecord], fh: BinaryIO, *,
               created: datetime, filename: str = "archive.warc.gz") -> int:
    """Write the WARC to `fh`; the number of WARC records written."""
    writer = WARCWriter(fh, gzip=True, warc_version=WARC_VERSION)
    ids = _RecordIds()
    info = {"software": f"archiver/{__version__}", "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "Exported from an archiver archive: pages, their resources and preserved posts"}
    warcinfo = writer.create_warcinfo_record(filename, info)
    warcinfo.rec_headers.replace_header("WARC-Record-ID", ids("warcinfo", filename, created.isoformat()))
    warcinfo.rec_headers.replace_header("WARC-Date", warc_date(created.isoformat()))
    writer.write_record(warcinfo)
    count = 1
    for record in records:
        count += _write_snapshot(writer, ids, store, record)
    return count


def _write_snapshot(writer: WARCWriter, ids: _RecordIds, store: Store, record: SnapshotRecord) -> int:
    snap = record.snapshot
    date = warc_date(snap["captured_at"])
    agent = user_agent(snap.get("tool_version"))
    written = 0
    page_id = None
    if snap.get("page_sha256"):
        page_id, n = _write_exchange(writer, ids, store, url=snap["url"], final_url=snap.get("final_url"),
                                     status=snap.get("status_code"), headers=snap.get("headers") or {},
                                     content_type=snap.get("content_type"), digest=snap["page_sha256"], date=date,
                                     agent=agent)
        written += n
    elif snap.get("status_code"):   # a failed capture that got an HTTP answer, body not kept
        written += _write_answer_without_body(writer, ids, snap, date, agent)
    for res in record.resources:
        if res.get("sha256") and not res["url"].lower().startswith(("http://", "https://")):
            written += _write_made(writer, ids, store, res, snap.get("final_url") or snap["url"], date)
        elif res.get("sha256"):
            _, n = _write_exchange(writer, ids, store, url=res["url"], final_url=res.get("final_url"),
                                   status=res.get("status_code"), headers=res.get("headers") or {},
                                   content_type=res.get("content_type"), digest=res["sha256"], date=date,
                                   agent=agent)
            written += n
    body = json.dumps(posts_document(record), ensure_ascii=False, sort_keys=True, indent=2).encode("utf-8")
    page_url = snap.get("final_url") or snap["url"]
    headers = {"WARC-Record-ID": ids("metadata", snap["url"], date), "WARC-Date": date,
               "WARC-Refers-To-Target-URI": page_url, "WARC-Refers-To-Date": date}
    if page_id:
        headers["WARC-Refers-To"] = page_id
    # Its own URI, so that replay tools index it apart from the page it describes.
    meta = writer.create_warc_record(metadata_uri(page_url, date), "metadata", payload=BytesIO(body),
                                     length=len(body), warc_content_type="application/json",
                                     warc_headers_dict=headers)
    writer.write_record(meta)
    return written + 1


def _write_answer_without_body(writer: WARCWriter, ids: _RecordIds, snap: dict, date: str, agent: str) -> int:
    target = snap.get("final_url") or snap["url"]
    http = response_headers(snap["status_code"], snap.get("headers") or {}, snap.get("content_type"), 0)
    response = writer.create_warc_record(target, "response", payload=BytesIO(b""), length=0, http_headers=http,
                                         warc_headers_dict={
                                             "WARC-Record-ID": ids("response", target, date),
                                             "WARC-Date": date,
                                             "WARC-Archiver-Synthesized": "the archive kept this answer's "
                                                                          "status and headers, not its body"})
    request = writer.create_warc_record(target, "request", http_headers=request_headers(target, agent),
                                        warc_headers_dict={"WARC-Record-ID": ids("request", target, date),
                                                           "WARC-Date": date,
                                                           "WARC-Archiver-Synthesized": _REQUEST_NOTE})
    writer.write_request_response_pair(request, response)
    return 2


def _write_made(writer: WARCWriter, ids: _RecordIds, store: Store, res: dict, page_url: str, date: str) -> int:
    """What the archiver made rather than received (a browser capture's screenshots and rendered
    DOM, named `archiver:<kind>[/n]`): a `resource` record, URI `urn:<kind>[/n]:<page URL>`, as
    browser-based crawlers store their screenshots."""
    body = store.blob(res["sha256"]) or b""
    name = res["url"].split(":", 1)[1]
    uri = f"urn:{name}:{page_url}"
    record = writer.create_warc_record(uri, "resource", payload=BytesIO(body), length=len(body),
                                       warc_content_type=res.get("content_type") or "application/octet-stream",
                                       warc_headers_dict={"WARC-Record-ID": ids("resource", uri, date),
                                                          "WARC-Date": date})
    writer.write_record(record)
    return 1


def metadata_uri(page_url: str, date: str) -> str:
    """The URI of a snapshot's metadata record (in the style of crawlers' metadata:// records)."""
    return f"metadata://archiver/snapshot?{urlencode({'url': page_url, 'date': date})}"


def posts_document(record: SnapshotRecord) -> dict[str, Any]:
    """What the metadata record carries: the snapshot's metadata, posts, failed resources, and
    the posts' re-checks."""
    document = {
        "archiver": __version__,
        "snapshot": record.snapshot,
        "embeds": record.embeds,
        "failed_resources": [{k: r.get(k) for k in ("url", "kind", "status_code", "error")}
                             for r in record.resources if not r.get("sha256")],
    }
    if record.checks:   # each re-check of a post since capture (`embed`: its index in `embeds`)
        document["checks"] = record.checks
    return document


def _write_exchange(writer: WARCWriter, ids: _RecordIds, store: Store, *, url: str, final_url: str | None, status: int | None,
                    headers: dict[str, str], content_type: str | None, digest: str, date: str,
                    agent: str = DEFAULT_USER_AGENT) -> tuple[str, int]:
    target = final_url or url
    response_id = ids("response", target, date, digest)
    request = writer.create_warc_record(target, "request", http_headers=request_headers(target, agent),
                                        warc_headers_dict={"WARC-Record-ID": ids("request", target, date),
                                                           "WARC-Date": date,
                                                           "WARC-Archiver-Synthesized": _REQUEST_NOTE})
    original = ids.seen.get(digest)
    if original is not None:   # these bytes are already in the file: a revisit names them
        payload_digest, first_uri, first_date, first_id, length = original
        http = response_headers(status, headers, content_type, length)
        response = writer.create_revisit_record(target, payload_digest, first_uri, first_date, http_headers=http,
                                                warc_headers_dict={"WARC-Record-ID": response_id,
                                                                   "WARC-Date": date,
                                                                   "WARC-Refers-To": first_id})
    else:
        body = store.blob(digest)
        if body is None:
            raise ExportError(f"blob {digest} is missing from the archive (run `archiver verify`)")
        http = response_headers(status, headers, content_type, len(body))
        response = writer.create_warc_record(target, "response", payload=BytesIO(body), length=len(body),
                                             http_headers=http,
                                             warc_headers_dict={"WARC-Record-ID": response_id, "WARC-Date": date})
    writer.write_request_response_pair(request, response)
    if original is None:
        ids.seen[digest] = (response.rec_headers.get_header("WARC-Payload-Digest"), target, date, response_id,
                            len(body))
    written = 2
    if target != url:
        redirect = StatusAndHeaders("302 Found", [("Location", target), ("Content-Length", "0")],
                                    protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=BytesIO(b""), length=0, http_headers=redirect,
                                           warc_headers_dict={
                                               "WARC-Record-ID": ids("redirect", url, date, target),
                                               "WARC-Date": date,
                                               "WARC-Archiver-Synthesized": "redirect rebuilt from the stored final URL"})
        writer.write_record(record)
        written += 1
    return response_id, written


def response_headers(status: int | None, headers: dict[str, str], content_type: str | None,
                     length: int) -> StatusAndHeaders:
    """The stored response's status line and headers, fitted to the decoded body we hold."""
    code = status or 200
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = "Unknown"
    pairs = [(k, str(v)) for k, v in headers.items() if k.lower() not in _DROPPED_HEADERS]
    if content_type and not any(k.lower() == "content-type" for k, _ in pairs):
        pairs.append(("Content-Type", content_type))
    pairs.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{code} {reason}", pairs, protocol="HTTP/1.1")


_REQUEST_NOTE = "request rebuilt: method, path, Host and archiver's default User-Agent"


def user_agent(tool_version: str | None) -> str:
    """The User-Agent archiver sent by default in the version that made a capture."""
    if not tool_version or tool_version == __version__:
        return DEFAULT_USER_AGENT
    return DEFAULT_USER_AGENT.replace(f"archiver/{__version__}", f"archiver/{tool_version}")


def request_headers(url: str, agent: str = DEFAULT_USER_AGENT) -> StatusAndHeaders:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", parts.netloc), ("User-Agent", agent)],
                            is_http_request=True)


def warc_date(captured_at: str) -> str:
    """A WARC-Date (UTC, Z; microseconds when known) from the archive's ISO 8601 time."""
    try:
        moment = datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(f"unreadable capture time {captured_at!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=bool(moment.microsecond))


class _RecordIds:
    """Record ids derived from what each record holds plus a running number: they never repeat
    within a file, and the same export gives the same ids."""

    def __init__(self) -> None:
        self._sequence = itertools.count()
        # blob sha256 -> (WARC-Payload-Digest, target URI, WARC-Date, record id, length) of its response
        self.seen: dict[str, tuple[str, str, str, str, int]] = {}

    def __call__(self, *parts: str) -> str:
        name = chr(31).join((*parts, str(next(self._sequence))))
        return f"<urn:uuid:{uuid.uuid5(_ID_NAMESPACE, name)}>"
