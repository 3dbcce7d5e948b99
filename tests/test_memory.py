"""Memory stays flat: a page with a 100 MB resource is captured by a process that peaks under
200 MB RSS (bodies are streamed in chunks and cut off at the per-resource cap, 50 MB by default)."""
from __future__ import annotations

import subprocess
import sys

from werkzeug import Response

from archiver.store import Store

MB = 1024 * 1024
BIG = 100 * MB

# Runs the CLI in a fresh interpreter and prints the peak RSS (kB) of that process and of the
# worker processes it forked. Its own peak is read from /proc (VmHWM): getrusage's ru_maxrss of a
# process keeps the high-water mark of whatever exec'd it (here pytest, hundreds of MB into a run).
PEAK = """
import resource, runpy, sys
sys.argv = ["archiver", *sys.argv[1:]]
try:
    runpy.run_module("archiver.cli", run_name="__main__")
except SystemExit:
    pass
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
"""


def _big_body():
    chunk = b"\xff" * MB
    for _ in range(BIG // MB):
        yield chunk


def _serve_big_page(server):
    server.expect_request("/big-chunked.jpg").respond_with_handler(
        lambda _r: Response(_big_body(), content_type="image/jpeg"))     # chunked: no Content-Length
    server.expect_request("/big-declared.jpg").respond_with_handler(
        lambda _r: Response(_big_body(), content_type="image/jpeg", headers={"Content-Length": str(BIG)},
                            direct_passthrough=True))
    server.expect_request("/small.jpg").respond_with_data(b"\xff\xd8\xff" + b"j" * 1000, content_type="image/jpeg")
    page = ('<html><head><title>Big</title></head><body><article><h1>A page with a huge image</h1>'
            '<img src="/big-chunked.jpg"><img src="/big-declared.jpg"><img src="/small.jpg">'
            '<p>Some text.</p></article></body></html>')
    server.expect_request("/page.html").respond_with_data(page, content_type="text/html")
    server.expect_request("/page2.html").respond_with_data(page, content_type="text/html")


def _peak_kb(db, *args) -> int:
    run = subprocess.run([sys.executable, "-c", PEAK, "--db", str(db), "archive", "-q", *args],
                         capture_output=True, text=True, timeout=300)
    return int(run.stdout.strip().splitlines()[-1])


def test_a_page_with_a_100_mb_resource_peaks_under_200_mb(server, tmp_path):
    _serve_big_page(server)
    db = tmp_path / "a.db"
    peak = _peak_kb(db, server.url_for("/page.html"))
    assert peak < 200 * 1024, f"peak RSS {peak / 1024:.0f} MB"
    store = Store(db)
    [sid] = store.snapshot_ids()
    res = {r["url"].rsplit("/", 1)[-1]: r for r in store.resources(sid)}
    assert res["small.jpg"]["sha256"] is not None
    for name in ("big-chunked.jpg", "big-declared.jpg"):      # capped, not kept
        assert res[name]["sha256"] is None and "limit" in res[name]["error"]
    assert store.snapshot(sid)["error"] is None


def test_worker_processes_stay_flat_too(server, tmp_path):
    _serve_big_page(server)
    db = tmp_path / "b.db"
    peak = _peak_kb(db, server.url_for("/page.html"), server.url_for("/page2.html"))
    assert peak < 200 * 1024, f"peak RSS {peak / 1024:.0f} MB"
    assert len(Store(db).snapshot_ids()) == 2
