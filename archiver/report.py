"""`archiver report`: one self-contained evidence page for a snapshot, for an editor or a lawyer.

    data = evidence(store, snapshot_id)           # plain dict (also `report --json`)
    html = evidence_html(store, snapshot_id)      # one HTML file, images inlined, nothing loaded
    write_pdf(html, path)                         # the same page printed by Chromium (archiver[browser])

It holds the requested and final URL, capture time, tool version and mode, the page's sha256, the
warnings, the full-page screenshot, every resource with its sha256, each post with every field
and where that field came from, the post's check history (its status, when and on what evidence),
and the result of checking every blob the snapshot refers to against its hash."""
from __future__ import annotations

import base64
import hashlib
import tempfile
from pathlib import Path
from typing import Any

from . import __version__
from .embeds.base import POST_FIELDS
from .errors import ArchiverError
from .history import post_checks
from .model import now_iso
from .store import Store
from .store.archive import CorruptArchive
from .templating import environment

SCREENSHOT_KINDS = ("screenshot", "embed-screenshot")


class ReportError(ArchiverError):
    """There is no such snapshot to report on."""


def _blob_checks(store: Store, refs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Each distinct blob the snapshot names, read back and hashed: ok, missing or corrupt."""
    seen: dict[str, dict[str, Any]] = {}
    for where, digest in refs:
        if not digest or digest in seen:
            continue
        info = store.blob_info(digest)
        try:
            data = store.blob(digest)
        except CorruptArchive as exc:
            seen[digest] = {"sha256": digest, "where": where, "result": "corrupt", "detail": exc.message}
            continue
        if data is None:
            seen[digest] = {"sha256": digest, "where": where, "result": "missing", "detail": "no such blob"}
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest or (info and info.get("size") not in (None, len(data))):
            seen[digest] = {"sha256": digest, "where": where, "result": "corrupt",
                            "detail": f"the bytes hash to {actual} ({len(data)} bytes)"}
        else:
            seen[digest] = {"sha256": digest, "where": where, "result": "ok", "detail": f"{len(data)} bytes"}
    return list(seen.values())


def evidence(store: Store, snapshot_id: int) -> dict[str, Any]:
    snap = store.snapshot(snapshot_id)
    if snap is None:
        raise ReportError(f"no snapshot #{snapshot_id}")
    resources = store.resources(snapshot_id)
    posts = store.embeds(snapshot_id)
    refs: list[tuple[str, str]] = [("page", snap.get("page_sha256"))]
    refs += [(f"resource {r['id']} ({r['kind']})", r["sha256"]) for r in resources]
    for p in posts:
        refs.append((f"post {p['position']} avatar", p.get("avatar_sha256")))
        refs.append((f"post {p['position']} screenshot", p.get("screenshot_sha256")))
        refs += [(f"post {p['position']} media", m.get("sha256")) for m in p.get("media") or [] if isinstance(m, dict)]
    rechecks = post_checks(store, [p["id"] for p in posts])
    refs += [(f"post {p['position']} check {c['checked_at']} answer", c.get("answer_sha256"))
             for p in posts for c in rechecks.get(p["id"], [])]
    checks = _blob_checks(store, refs)
    shot = next((r for r in resources if r["kind"] == "screenshot" and r["sha256"]), None)
    return {
        "snapshot": {k: snap.get(k) for k in ("id", "url", "final_url", "canonical_url", "captured_at", "status_code",
                                              "content_type", "title", "byline", "published_at", "site_name",
                                              "page_sha256", "tool_version", "capture_mode", "warnings", "error",
                                              "duration_ms")},
        "screenshot_sha256": shot["sha256"] if shot else None,
        "resources": [{k: r.get(k) for k in ("id", "kind", "url", "final_url", "status_code", "content_type",
                                             "size", "sha256", "error")} for r in resources],
        "posts": [{**{k: p.get(k) for k in ("position", "provider", "kind", *POST_FIELDS, "post_url_original",
                                            "avatar_sha256", "screenshot_sha256", "media", "sources",
                                            "alternatives", "enrich_error")},
                   "history": _history(p, rechecks.get(p["id"], []))} for p in posts],
        "verification": {"ok": all(c["result"] == "ok" for c in checks), "blobs": checks},
        "report": {"made_at": now_iso(), "tool_version": __version__},
    }


def _history(post: dict[str, Any], rechecks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The post's status over time: every re-check (`archiver recheck`) with what answered and the
    stored answer's hash, oldest first; a post never re-checked has its status from capture."""
    if not rechecks:
        return [{"status": post.get("status"), "checked_at": post.get("checked_at"),
                 "evidence": post.get("status_evidence")}]
    out = []
    for c in rechecks:
        said = c.get("error") or (f"{c.get('endpoint')} answered HTTP {c.get('http_status')}"
                                  + (f", answer sha256 {c['answer_sha256']}" if c.get("answer_sha256") else ""))
        out.append({"status": c.get("status"), "checked_at": c.get("checked_at"), "evidence": said,
                    "answer_sha256": c.get("answer_sha256")})
    return out


def _data_uri(store: Store, digest: str | None) -> str | None:
    data = store.blob(digest) if digest else None
    return f"data:image/png;base64,{base64.b64encode(data).decode()}" if data else None


def evidence_html(store: Store, snapshot_id: int, data: dict[str, Any] | None = None) -> str:
    data = data or evidence(store, snapshot_id)
    shots = {p["position"]: _data_uri(store, p.get("screenshot_sha256")) for p in data["posts"]}
    return environment().get_template("report/evidence.html").render(
        r=data, screenshot=_data_uri(store, data["screenshot_sha256"]), post_shots=shots, fields=POST_FIELDS)


def write_pdf(html: str, path: Path) -> None:
    """Print the page to PDF with headless Chromium (BrowserMissing when it is not installed). The
    browser runs in a thread of its own: Playwright's sync API refuses a thread that already runs
    one (a library caller's own Playwright)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="archiver-pdf") as one:
        one.submit(_print_pdf, html, Path(path)).result()


def _print_pdf(html: str, path: Path) -> None:
    from .chromium import open_browser
    with tempfile.TemporaryDirectory(prefix="archiver-report-") as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        with open_browser() as browser:
            page = browser.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            page.pdf(path=str(path), format="A4", print_background=True,
                     margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
