"""One archive run: capture each URL (capture/pipeline.py, one page; capture/engine.py, several at
once) and save each capture to the store in its own transaction, in input order.

    results = archive_urls(urls, store, settings)     # [CaptureResult], one per URL
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..extract.urls import without_credentials
from .. import stages
from ..fetch import check_url
from ..model import Snapshot
from ..settings import Settings
from .engine import capturer, forks_workers
from .pipeline import capture_page, fetch_requisites

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["CaptureResult", "archive_urls", "capture_page", "fetch_requisites", "iter_urls", "summarize",
           "unique_urls"]


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
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.snapshot_id, "url": self.url, "final_url": self.final_url,
                "status": "ok" if self.ok else "failed", "status_code": self.status_code,
                "resources": self.resources, "resources_failed": self.resources_failed,
                "embeds": self.embeds, "bytes": self.bytes, "seconds": round(self.seconds, 3),
                "error": self.error, "warnings": self.warnings}


def summarize(snapshot_id: int | None, snap: Snapshot) -> CaptureResult:
    stored = [r for r in snap.resources if r.body is not None]
    return CaptureResult(
        url=snap.url, snapshot_id=snapshot_id, final_url=snap.final_url, status_code=snap.status_code,
        ok=snap.error is None, error=snap.error, resources=len(stored),
        resources_failed=len(snap.resources) - len(stored), embeds=len(snap.embeds),
        bytes=len(snap.body or b"") + sum(len(r.body) for r in stored),
        seconds=(snap.duration_ms or 0) / 1000, warnings=list(snap.warnings))


def unique_urls(urls: Iterable[str]) -> list[str]:
    """The URLs in order, each once (surrounding whitespace ignored): a URL given twice in one
    run is captured once."""
    return list(dict.fromkeys(url.strip() for url in urls))


def archive_urls(urls: list[str], store: Store | Callable[[], Store], settings: Settings | None = None,
                 on_result: Callable[[CaptureResult], None] | None = None) -> list[CaptureResult]:
    """Capture every URL (several at once; a URL given twice once) and save each capture in its
    own transaction as soon as it completes, then call `on_result` with it: when the run is
    stopped (Ctrl-C), every capture reported so far is in the archive and nothing else is.
    Returns the results in input order. A URL that cannot be fetched at all (malformed, no
    host, another scheme) is reported without a snapshot row: nothing was attempted. A URL's
    `user:password@` authenticates its request and is neither stored nor reported.

    `store` may be a function that opens the archive. When the captures run in forked worker
    processes it is called once they are under way, so that loading the store and opening (or
    creating) the file overlap their first round trips, and the workers are forked without it;
    should it raise (an archive that cannot be written), the workers are stopped and nothing is
    saved or reported. Captures in this process's threads (one page, the browser) cannot be
    stopped half-way, so then the archive is opened first."""
    settings = settings or Settings()
    todo = unique_urls(urls)
    results: dict[int, CaptureResult] = {}

    def finished(index: int, result: CaptureResult) -> None:
        results[index] = result
        if on_result:
            on_result(result)

    problems = [check_url(without_credentials(url)) for url in todo]
    start = capturer
    if settings.browser:
        from .browser import browser_capturer as start   # needs the optional extra archiver[browser]
    if callable(store) and (settings.browser or not forks_workers(settings, problems.count(None))):
        store = store()
    with start(settings, problems.count(None)) as submit:
        pending = {submit(url): index for index, url in enumerate(todo) if problems[index] is None}
        if callable(store):
            store = store()
        for index, problem in enumerate(problems):
            if problem:
                finished(index, CaptureResult(url=without_credentials(todo[index]), error=problem))
        for job in as_completed(pending):
            snap = job.result()
            finished(pending[job], summarize(store.save_snapshot(snap), snap))
    stages.dump()
    return [results[i] for i in range(len(todo))]


def iter_urls(lines: Iterable[str]) -> Iterator[str]:
    """URLs from a file or stdin: one per line; blank lines and # comments skipped, and a note
    after the URL (`https://example.org/a  # the budget story`) dropped."""
    for line in lines:
        line = _NOTE.split(line, maxsplit=1)[0].strip()
        if line and not line.startswith("#"):
            yield line


_NOTE = re.compile(r"\s+#")
