"""Where a capture's CPU time goes, stage by stage (parse, article, requisites, embeds, enrich,
fetch, hashing, store): for benchmarks/wget_bench.py. Off unless the environment variable
ARCHIVER_STAGE_TIMES names a file; then each process adds up, per stage, the CPU seconds of the
threads inside `with stage(name):` (a stage inside another counts only for itself) and
`dump()` appends one JSON line {"pid", "cpu" (the process's CPU seconds so far), "stages"} to
that file.

    with stage("parse"):
        doc = parse_html(text)

Off, a stage costs one global read; on, two thread_time() calls."""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "ARCHIVER_STAGE_TIMES"
_file = os.environ.get(ENV)
_totals: dict[str, float] = {}
_lock = threading.Lock()
_local = threading.local()


def enabled() -> bool:
    return bool(_file)


@contextmanager
def stage(name: str) -> Iterator[None]:
    if not _file:
        yield
        return
    stack = _local.__dict__.setdefault("stack", [])
    stack.append(0.0)              # CPU time of the stages inside this one
    start = time.thread_time()
    try:
        yield
    finally:
        spent = time.thread_time() - start
        inner = stack.pop()
        if stack:
            stack[-1] += spent
        with _lock:
            _totals[name] = _totals.get(name, 0.0) + spent - inner


def reset() -> None:
    """Forget what this process counted so far (a forked worker starts from nothing)."""
    with _lock:
        _totals.clear()


def dump() -> None:
    """Append this process's totals to the ARCHIVER_STAGE_TIMES file (nothing when off)."""
    if not _file:
        return
    with _lock:
        line = json.dumps({"pid": os.getpid(), "cpu": time.process_time(), "stages": dict(_totals)})
        _totals.clear()
    with open(_file, "a", encoding="utf-8") as out:
        out.write(line + "\n")
