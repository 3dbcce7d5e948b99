"""How captures run: in this process with a thread per page, or, when the CLI asks for it, in
forked worker processes (the work is partly CPU: parsing, TLS, hashing), each capturing a few
pages at once in threads with one pooled session and one SharedFetches, so fewer processes fetch
a site's shared requisites and open TLS connections fewer times.

    with capturer(settings, n_pages) as submit:
        future = submit(url)          # Future[Snapshot]

Nothing runs at import time: `warm_up()` fills the first-use caches every worker needs before
they are forked, and each worker warms up article extraction (`warm_extraction`) in the background
while its first pages are on the network."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from .. import embeds, stages
from ..extract.article import extract_article
from ..extract.html import parse_html
from ..fetch import ByteBudget, Fetched, Fetcher
from ..settings import Settings
from .pipeline import capture_page

_WARM_PAGE = ("<html><head><title>warm</title></head><body><article><h1>Warm up</h1>"
              + "<p>A paragraph of text long enough to be taken for an article body.</p>" * 8
              + "</article></body></html>")


def warm_up() -> None:
    """Fill the first-use caches every process needs at once, before workers are forked, so that
    they start with them: the provider registry. (The embed-page readers find elements with
    embeds/_match.py rather than CSS selectors, whose parser compiles its own patterns on first
    use: 0.1 s for every process.)"""
    embeds.providers()


def warm_extraction() -> None:
    """What article extraction reads or builds the first time (0.1 s of CPU): trafilatura's
    first extraction, and the public suffix list that trafilatura (through courlan) reads on
    the first URL it cannot split, such as an IP address. A worker runs this in the background
    as it starts, while its first pages are on the network: done before the fork, it held up
    every worker's first request."""
    try:
        from tld.utils import get_tld_names
        get_tld_names(fail_silently=True)
    except Exception:   # not installed, or another version: the first such page pays for it instead
        pass
    doc = parse_html(_WARM_PAGE)
    extract_article(doc, _WARM_PAGE, "https://example.org/news/warm-up.html")


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


_STOP = None


def _end_with_parent(parent: int) -> None:
    """Make this worker end when the process that forked it does, even by `kill -9`: Linux
    sends us SIGKILL then (prctl PR_SET_PDEATHSIG); elsewhere, and should the parent be gone
    already, a thread notices that we were handed to another parent and exits."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


_PR_SET_PDEATHSIG = 1


def _worker_main(settings: Settings, threads: int, tasks, results, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited by the fork
    _end_with_parent(parent)
    stages.reset()   # what the parent counted before the fork is the parent's
    threading.Thread(target=warm_extraction, daemon=True, name="warm-extraction").start()
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
    stages.dump()


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
        self._procs = [ctx.Process(target=_worker_main, args=(settings, threads, self._tasks, self._results,
                                                                     os.getpid()),
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
            if fut.done():   # already failed by terminate(): the run was stopped
                continue
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


def forks_workers(settings: Settings, n_pages: int) -> bool:
    """Whether `capturer` runs these captures in forked worker processes (else in threads here)."""
    return settings.processes and min(settings.parallel_pages, n_pages) > 1


@contextmanager
def capturer(settings: Settings, n_pages: int) -> Iterator[Callable[[str], Future]]:
    """submit(url) -> Future[Snapshot], in worker processes when several pages are asked for."""
    workers = max(1, min(settings.parallel_pages, n_pages))
    if forks_workers(settings, n_pages):
        # fork: the workers start warm with what this process already loaded. Only the CLI asks
        # for processes, and it has no other threads at this point (fork is unsafe with threads).
        warm_up()
        processes = min(workers, _cpu_cores())
        pool = _WorkerPool(settings, processes, threads=-(-workers // processes))
        try:
            yield pool.submit
        except BaseException:
            pool.terminate()
            raise
        pool.close()
        return
    with Fetcher(settings) as fetcher:
        pool = ThreadPoolExecutor(max_workers=workers)
        shared = SharedFetches(fetcher)
        try:
            yield lambda url: pool.submit(capture_page, url, fetcher, settings, shared)
        except BaseException:   # stopped: do not wait for the captures in flight
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
