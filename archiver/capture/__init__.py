"""One archive run: capture each URL (capture/pipeline.py, one page; capture/engine.py, several at
once) and save each capture to the store in its own transaction, in input order.

    results = archive_urls(urls, store, settings)     # [CaptureResult], one per URL
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .. import stages
from ..fetch import check_url
from ..model import Snapshot
from ..settings import Settings
from ..store import Store
from .engine import capturer
from .pipeline import capture_page, fetch_requisites

__all__ = ["CaptureResult", "archive_urls", "capture_page", "fetch_requisites", "iter_urls", "summarize"]


@dataclass
class CaptureResult:
    """What the CLI reports for one URL."""

    url: str
    snapshot_id: int | None = None
    final_url: str | None = None
    status_code: int | None = None
    ok: bool = False
    error: str | None = None
    resources: int = 0
    resources_failed: int = 0
    embeds: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"id": self.snapshot_id, "url": self.url, "final_url": self.final_url,
                "status": "ok" if self.ok else "failed", "status_code": self.status_code,
                "resources": self.resources, "resources_failed": self.resources_failed,
                "embeds": self.embeds, "bytes": self.bytes, "seconds": round(self.seconds, 3),
                "error": self.error}


def summarize(snapshot_id: int | None, snap: Snapshot) -> CaptureResult:
    stored = [r for r in snap.resources if r.body is not None]
    return CaptureResult(
        url=snap.url, snapshot_id=snapshot_id, final_url=snap.final_url, status_code=snap.status_code,
        ok=snap.error is None, error=snap.error, resources=len(stored),
        resources_failed=len(snap.resources) - len(stored), embeds=len(snap.embeds),
        bytes=len(snap.body or b"") + sum(len(r.body) for r in stored),
        seconds=(snap.duration_ms or 0) / 1000)


def archive_urls(urls: list[str], store: Store, settings: Settings | None = None,
                 on_result: Callable[[CaptureResult], None] | None = None) -> list[CaptureResult]:
    """Capture every URL (several at once) and save each in its own transaction, in input order.
    Invalid URLs are reported without a snapshot row (nothing was attempted)."""
    settings = settings or Settings()
    results: list[CaptureResult] = []
    problems = {url: check_url(url) for url in urls}
    with capturer(settings, sum(1 for p in problems.values() if p is None)) as submit:
        jobs = [(url, None if problems[url] else submit(url)) for url in urls]
        for url, job in jobs:
            if job is None:
                result = CaptureResult(url=url, error=problems[url])
            else:
                snap = job.result()
                result = summarize(store.save_snapshot(snap), snap)
            results.append(result)
            if on_result:
                on_result(result)
    stages.dump()
    return results


def iter_urls(lines: Iterable[str]) -> Iterator[str]:
    """URLs from a file or stdin: one per line, blank lines and # comments skipped."""
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            yield line
