"""One archive run: fetch each page, extract what it says and what it needs, fetch that,
and write each capture to the store in one transaction.

`capture_page` does the network work for one URL and returns a `Snapshot` record (nothing is
written); `archive_urls` runs several captures in parallel and saves each as it completes."""
from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

from . import embeds as embed_registry
from .enrich import enrich_posts
from .extract.article import extract_article
from .extract.css import css_refs, decode_css
from .extract.html import decode_html, looks_like_html, parse_html
from .extract.requisites import base_url_of, page_requisites
from .fetch import ByteBudget, Fetched, Fetcher, check_url
from .settings import Settings
from .model import Resource, Snapshot, now_iso, sha256
from .store import Store

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
SNIFF_TYPES = ("", "text/plain", "application/octet-stream", "binary/octet-stream")


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
                "error": self.error}


def http_error(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP {status} {phrase}".strip()


def is_html(rec: Fetched) -> bool:
    mime = rec.mime_type
    if mime in HTML_TYPES:
        return True
    return mime in SNIFF_TYPES and looks_like_html(rec.body)


class SharedFetches:
    """Requisites fetched once per run: pages of one site share stylesheets, fonts and logos.
    Thread-safe; the first caller of a URL fetches it, later callers wait for that answer."""

    def __init__(self, fetcher: Fetcher, max_bytes: int = 256 * 1024 * 1024):
        self.fetcher, self.max_bytes, self.held = fetcher, max_bytes, 0
        self._lock = threading.Lock()
        self._answers: dict[str, Future] = {}

    def get(self, url: str, budget: ByteBudget | None = None) -> Fetched:
        with self._lock:
            answer = self._answers.get(url)
            owner = answer is None and self.held < self.max_bytes
            if owner:
                answer = self._answers[url] = Future()
        if answer is None:  # the cache is full: fetch without keeping
            return self.fetcher.get(url, budget=budget)
        if owner:
            try:
                rec = self.fetcher.get(url, budget=budget)
            except BaseException as exc:
                answer.set_exception(exc)
                raise
            with self._lock:
                self.held += len(rec.body)
            answer.set_result(rec)
        return answer.result()


def capture_page(url: str, fetcher: Fetcher, settings: Settings,
                 shared: SharedFetches | None = None) -> Snapshot:
    """Fetch one page and everything it needs; never raises for network or markup trouble."""
    started = time.monotonic()
    budget = ByteBudget(settings.max_capture_bytes)
    page = fetcher.get(url, budget=budget)
    snap = Snapshot(url=url, captured_at=now_iso(), final_url=page.final_url, status_code=page.status,
                    content_type=page.headers.get("content-type"), headers=page.headers)
    if page.error:
        snap.error = page.error
    elif not page.ok:
        snap.error = http_error(page.status or 0)
    else:
        snap.body = page.body
        if is_html(page):
            _capture_html(snap, page, fetcher, settings, budget, shared or SharedFetches(fetcher, 0))
        else:
            snap.meta = _non_html_meta(page)
    snap.duration_ms = int((time.monotonic() - started) * 1000)
    return snap


def _non_html_meta(page: Fetched) -> dict:
    name = urlsplit(page.final_url or page.url).path.rstrip("/").rsplit("/", 1)[-1]
    meta: dict = {"title": name or page.final_url}
    if page.mime_type.startswith("text/"):
        text, _ = decode_html(page.body, page.header_charset)
        meta["text"] = text[:1_000_000]
    return meta


def _capture_html(snap: Snapshot, page: Fetched, fetcher: Fetcher, settings: Settings,
                  budget: ByteBudget, shared: SharedFetches) -> None:
    text, _encoding = decode_html(page.body, page.header_charset)
    doc = parse_html(text)
    page_url = page.final_url or page.url
    base = base_url_of(doc, page_url)
    detected = _detect_embeds(doc, page_url)
    posts = [d.post for d in detected]
    # asking the platforms and fetching requisites are independent: do both at once, starting
    # with the platforms (a chain of requests per post, the longest part of most captures)
    with ThreadPoolExecutor(max_workers=2) as side:
        enriched = side.submit(_enrich, posts, fetcher, settings, budget)
        wanted = page_requisites(doc, base) if settings.fetch_assets else []
        metadata = side.submit(extract_article, doc, text, page_url)
        snap.resources = fetch_requisites(wanted, shared, settings, budget) if wanted else []
        snap.meta = metadata.result()
        snap.resources += enriched.result()
    by_url = {r.url: r for r in snap.resources if r.body is not None}
    for d in detected:
        _link_stored_media(d.post, by_url)
        row = d.post.row()
        row["position"] = d.position
        snap.embeds.append(row)


def _detect_embeds(doc, page_url: str) -> list[embed_registry.Detected]:
    try:
        return embed_registry.detect(doc, page_url)
    except Exception:  # a detector bug must not lose the page
        log.warning("embed detection failed on %s", page_url, exc_info=True)
        return []


def _enrich(posts: list, fetcher: Fetcher, settings: Settings, budget: ByteBudget) -> list[Resource]:
    if not posts:
        return []
    try:
        return enrich_posts(posts, fetcher, settings, budget)
    except Exception as exc:  # enrichment never fails a capture
        log.warning("enrichment failed", exc_info=True)
        for p in posts:
            p.enrich_error = p.enrich_error or f"enrichment failed: {exc}"
        return []


def _link_stored_media(post, by_url: dict[str, Resource]) -> None:
    """Media the page itself carried (e.g. a Flickr <img>) are already requisites: point at them."""
    for m in post.media:
        if not m.sha256 and m.url in by_url:
            m.sha256 = sha256(by_url[m.url].body)
    if post.avatar_url and not post.avatar_sha256 and post.avatar_url in by_url:
        post.avatar_sha256 = sha256(by_url[post.avatar_url].body)


def _resource(url: str, kind: str, rec: Fetched) -> Resource:
    res = Resource(url=url, kind=kind, final_url=rec.final_url, status_code=rec.status,
                   content_type=rec.headers.get("content-type"), headers=rec.headers, error=rec.error)
    if rec.error is None and not rec.ok:
        res.error = http_error(rec.status or 0)
    if res.error is None:
        res.body = rec.body
    return res


def fetch_requisites(wanted: Iterable[tuple[str, str]], fetcher: Fetcher | SharedFetches,
                     settings: Settings, budget: ByteBudget | None = None) -> list[Resource]:
    """Fetch requisites concurrently (bounded pool); stylesheets are parsed as they arrive and
    what they need (url(), @import) is fetched too, resolved against the stylesheet's own URL.
    Results come back in discovery order."""
    order: dict[str, int] = {}
    kinds: dict[str, str] = {}
    results: dict[str, Resource] = {}
    skipped: list[str] = []

    def want(url: str, kind: str) -> bool:
        if url in order:
            return False
        order[url] = len(order)
        kinds[url] = kind
        if len(order) > settings.max_resources:
            skipped.append(url)
            return False
        return True

    with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        pending: dict[Future, str] = {}
        for url, kind in wanted:
            if want(url, kind):
                pending[pool.submit(fetcher.get, url, budget=budget)] = url
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                url = pending.pop(fut)
                rec = fut.result()
                res = _resource(url, kinds[url], rec)
                results[url] = res
                if res.body is not None and _is_stylesheet(res):
                    sheet_url = rec.final_url or url
                    for sub_url, sub_kind in css_refs(decode_css(rec.body, rec.headers.get("content-type")), sheet_url):
                        if want(sub_url, sub_kind):
                            pending[pool.submit(fetcher.get, sub_url, budget=budget)] = sub_url
    for url in skipped:
        results[url] = Resource(url=url, kind=kinds[url],
                                error=f"not fetched: the page needs more than {settings.max_resources} resources")
    return sorted(results.values(), key=lambda r: order[r.url])


def _is_stylesheet(res: Resource) -> bool:
    ct = (res.content_type or "").lower()
    return res.kind == "stylesheet" or ct.startswith("text/css")


def summarize(snapshot_id: int | None, snap: Snapshot) -> CaptureResult:
    stored = [r for r in snap.resources if r.body is not None]
    return CaptureResult(
        url=snap.url, snapshot_id=snapshot_id, final_url=snap.final_url, status_code=snap.status_code,
        ok=snap.error is None, error=snap.error, resources=len(stored),
        resources_failed=len(snap.resources) - len(stored), embeds=len(snap.embeds),
        bytes=len(snap.body or b"") + sum(len(r.body) for r in stored),
        seconds=(snap.duration_ms or 0) / 1000)


# Several pages are captured in forked worker processes (the work is partly CPU: parsing, TLS,
# hashing), each capturing a few pages at once in threads with one pooled session and one
# SharedFetches: fewer processes fetch the site's shared requisites and open TLS connections
# fewer times. One page, or a library caller, runs in this process.
_STOP = None


def _worker_main(settings: Settings, threads: int, tasks, results) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent handles Ctrl-C and stops us
    fetcher = Fetcher(settings)
    shared = SharedFetches(fetcher)

    def capture_loop() -> None:
        while (task := tasks.get()) is not _STOP:
            index, url = task
            try:
                results.put((index, capture_page(url, fetcher, settings, shared), None))
            except BaseException as exc:  # a bug: the parent raises it from the Future
                results.put((index, None, _picklable(exc)))

    loops = [threading.Thread(target=capture_loop, daemon=True) for _ in range(threads)]
    for t in loops:
        t.start()
    for t in loops:
        t.join()


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class _WorkerPool:
    """Forked processes, each capturing `threads` pages at once; submit(url) -> Future[Snapshot]."""

    def __init__(self, settings: Settings, processes: int, threads: int):
        ctx = multiprocessing.get_context("fork")
        self._tasks, self._results = ctx.Queue(), ctx.Queue()
        self._futures: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._threads = threads
        self._procs = [ctx.Process(target=_worker_main, args=(settings, threads, self._tasks, self._results),
                                   daemon=True) for _ in range(processes)]
        for proc in self._procs:   # fork before this process starts any thread
            proc.start()
        self._collector = threading.Thread(target=self._collect, daemon=True)
        self._collector.start()

    def submit(self, url: str) -> Future:
        fut: Future = Future()
        with self._lock:
            index = len(self._futures)
            self._futures[index] = fut
        self._tasks.put((index, url))
        return fut

    def _collect(self) -> None:
        while True:
            try:
                item = self._results.get(timeout=0.5)
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in self._procs):
                    self._fail_pending(RuntimeError("a capture worker process died"))
                    return
                continue
            if item is _STOP:
                return
            index, snap, exc = item
            fut = self._futures[index]
            if exc is None:
                fut.set_result(snap)
            else:
                fut.set_exception(exc)

    def _fail_pending(self, exc: BaseException) -> None:
        with self._lock:
            for fut in self._futures.values():
                if not fut.done():
                    fut.set_exception(exc)

    def close(self) -> None:
        for _ in range(len(self._procs) * self._threads):
            self._tasks.put(_STOP)
        for proc in self._procs:
            proc.join()
        self._results.put(_STOP)
        self._collector.join()

    def terminate(self) -> None:
        for proc in self._procs:
            proc.terminate()
        self._tasks.cancel_join_thread()
        self._fail_pending(RuntimeError("capture stopped"))


def _cpu_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def _capturer(settings: Settings, n_pages: int) -> Iterator[Callable[[str], Future]]:
    """submit(url) -> Future[Snapshot], in worker processes when several pages are asked for."""
    workers = max(1, min(settings.parallel_pages, n_pages))
    if workers > 1 and settings.processes:
        # fork: the workers start warm with what this process already loaded. Only the CLI asks
        # for processes, and it has no other threads at this point (fork is unsafe with threads).
        from . import _warm  # noqa: F401
        processes = min(workers, _cpu_cores())
        pool = _WorkerPool(settings, processes, threads=-(-workers // processes))
        try:
            yield pool.submit
        except BaseException:
            pool.terminate()
            raise
        pool.close()
        return
    with Fetcher(settings) as fetcher, ThreadPoolExecutor(max_workers=workers) as pool:
        shared = SharedFetches(fetcher)
        try:
            yield lambda url: pool.submit(capture_page, url, fetcher, settings, shared)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def archive_urls(urls: list[str], store: Store, settings: Settings | None = None,
                 on_result: Callable[[CaptureResult], None] | None = None) -> list[CaptureResult]:
    """Capture every URL (several at once) and save each in its own transaction, in input order.
    Invalid URLs are reported without a snapshot row (nothing was attempted)."""
    settings = settings or Settings()
    results: list[CaptureResult] = []
    problems = {url: check_url(url) for url in urls}
    with _capturer(settings, sum(1 for p in problems.values() if p is None)) as submit:
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
    return results


def iter_urls(lines: Iterable[str]) -> Iterator[str]:
    """URLs from a file or stdin: one per line, blank lines and # comments skipped."""
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            yield line
