"""The Fetcher on its own, against the local server: what it retries and what it does not,
redirects, size caps, the shared byte budget, timeouts, and the record it returns."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from werkzeug import Response

from archiver.fetch import ByteBudget, Fetcher
from archiver.settings import Settings


def fetcher(**kw) -> Fetcher:
    return Fetcher(Settings(**{"retry_backoff": 0.01, **kw}))


def counting(*responses: Response):
    """A handler answering with `responses` in turn (the last one again and again), and its call log."""
    calls: list[float] = []

    def handler(_request):
        calls.append(time.monotonic())
        return responses[min(len(calls), len(responses)) - 1]

    return handler, calls


def test_a_page_is_returned_as_received(server):
    body = "<title>Новости</title>".encode("windows-1251")
    server.expect_request("/p").respond_with_data(body, content_type="text/html; charset=windows-1251",
                                                  headers={"X-Thing": "1"})
    with fetcher() as f:
        rec = f.get(server.url_for("/p"))
    assert rec.ok and rec.status == 200 and rec.error is None
    assert rec.body == body and rec.final_url == server.url_for("/p") and rec.redirects == []
    assert rec.headers["x-thing"] == "1"                   # header names in lower case
    assert rec.mime_type == "text/html" and rec.header_charset == "windows-1251"
    assert rec.elapsed > 0


def test_503_is_retried_after_the_wait_the_server_asks_for(server):
    handler, calls = counting(Response("busy", status=503, headers={"Retry-After": "0"}),
                              Response("busy", status=503, headers={"Retry-After": "0"}), Response("done"))
    server.expect_request("/busy").respond_with_handler(handler)
    started = time.monotonic()
    rec = fetcher(retry_backoff=5).get(server.url_for("/busy"))
    assert rec.ok and rec.body == b"done" and len(calls) == 3
    assert time.monotonic() - started < 4        # Retry-After: 0 was honoured instead of the 5 s backoff


def test_a_long_retry_after_is_capped(server):
    handler, calls = counting(Response("busy", status=503, headers={"Retry-After": "3600"}), Response("done"))
    server.expect_request("/later").respond_with_handler(handler)
    rec = fetcher(retry_after_cap=0.2).get(server.url_for("/later"))
    assert rec.ok and len(calls) == 2
    assert 0.15 < calls[1] - calls[0] < 3


def test_429_is_retried_with_backoff(server):
    handler, calls = counting(Response("slow down", status=429), Response("slow down", status=429),
                              Response("done"))
    server.expect_request("/rate").respond_with_handler(handler)
    rec = fetcher(retry_backoff=0.1).get(server.url_for("/rate"))
    assert rec.ok and len(calls) == 3
    assert calls[2] - calls[1] >= calls[1] - calls[0] > 0.08     # the wait doubles


def test_retries_run_out_and_the_last_answer_is_kept(server):
    handler, calls = counting(Response("busy", status=503))
    server.expect_request("/down").respond_with_handler(handler)
    rec = fetcher(retries=2).get(server.url_for("/down"))
    assert len(calls) == 3 and rec.status == 503 and not rec.ok and rec.body == b"busy"


def test_404_is_not_retried(server):
    handler, calls = counting(Response(status=404))
    server.expect_request("/nope").respond_with_handler(handler)
    rec = fetcher().get(server.url_for("/nope"))
    assert rec.status == 404 and len(calls) == 1 and not rec.ok and rec.error is None


def test_dns_failure_is_one_line_and_not_retried():
    started = time.monotonic()
    rec = fetcher(retry_backoff=5).get("http://no-such-host.invalid/page")   # .invalid never resolves
    assert rec.error == "could not resolve host (DNS failure)" and rec.status is None
    assert time.monotonic() - started < 4    # a retry would have slept 5 s first


def test_connection_refused_is_not_retried():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]         # closed again: nothing listens there
    started = time.monotonic()
    rec = fetcher(retry_backoff=5).get(f"http://127.0.0.1:{port}/")
    assert rec.error == "connection refused" and time.monotonic() - started < 4


@pytest.mark.parametrize("url, error", [
    ("ftp://example.com/x", "unsupported scheme ftp: (only http and https)"),
    ("example.com/x", "no scheme (expected http:// or https://)"),
    ("http:///x", "no host in URL"),
])
def test_urls_that_cannot_be_fetched_are_refused_before_any_request(url, error):
    assert fetcher().get(url).error == error


def test_redirects_are_followed_and_recorded(server):
    server.expect_request("/a").respond_with_response(Response(status=301, headers={"Location": "/b"}))
    server.expect_request("/b").respond_with_response(Response(status=302, headers={"Location": "/c"}))
    server.expect_request("/c").respond_with_data("here")
    rec = fetcher().get(server.url_for("/a"))
    assert rec.ok and rec.body == b"here" and rec.final_url == server.url_for("/c")
    assert rec.redirects == [server.url_for("/a"), server.url_for("/b")]


def test_redirect_limit(server):
    for i in range(5):
        server.expect_request(f"/r{i}").respond_with_response(Response(status=302, headers={"Location": f"/r{i + 1}"}))
    server.expect_request("/r5").respond_with_data("too far")
    assert fetcher(max_redirects=5).get(server.url_for("/r0")).body == b"too far"
    rec = fetcher(max_redirects=4).get(server.url_for("/r0"))
    assert rec.error == "too many redirects (redirect loop?)" and not rec.ok


def test_a_declared_size_over_the_cap_is_refused_unread(server):
    server.expect_request("/big").respond_with_data(b"x" * 200_000)       # sends Content-Length
    rec = fetcher().get(server.url_for("/big"), max_bytes=100_000)
    assert rec.error == "body of 200000 bytes is over the 100000-byte limit"
    assert rec.status == 200 and rec.body == b"" and not rec.ok


def test_an_undeclared_size_is_cut_off_at_the_cap(server):
    sent = []

    def endless(_request):
        def chunks():
            while len(sent) < 1000:
                sent.append(1)
                yield b"x" * 65536
        return Response(chunks())                                        # chunked: no Content-Length
    server.expect_request("/endless").respond_with_handler(endless)
    rec = fetcher(max_bytes=300_000).get(server.url_for("/endless"))
    assert rec.error == "body is over the 300000-byte limit" and rec.body == b""
    assert len(sent) < 100                                               # it stopped reading


def test_the_byte_budget_is_shared_by_every_download(server):
    server.expect_request("/part").respond_with_data(b"y" * 60_000)
    budget = ByteBudget(100_000)
    with fetcher() as f:
        first = f.get(server.url_for("/part"), budget=budget)
        second = f.get(server.url_for("/part"), budget=budget)
    assert first.ok and len(first.body) == 60_000
    assert second.error == "capture is over its 100000-byte limit" and second.body == b""
    assert budget.used <= budget.limit


def test_a_read_timeout_is_reported_and_not_retried(server):
    release = threading.Event()
    handler_calls = []

    def slow(_request):
        handler_calls.append(1)
        release.wait(5)
        return Response("late")
    server.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    try:
        rec = fetcher(timeout=0.3, retry_backoff=5).get(server.url_for("/slow"))
    finally:
        release.set()
    assert rec.error == "timed out waiting for the server" and rec.status is None
    assert len(handler_calls) == 1 and time.monotonic() - started < 4


class _CountingServer:
    """A threaded HTTP server that counts the connections it has accepted but not yet answered
    (each answer takes 50 ms), remembers the most there were at once, and counts every connection
    it accepted (`accepted`)."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        counts = self
        self.lock, self.unanswered, self.most, self.accepted = threading.Lock(), 0, 0, 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.answered = False
                with counts.lock:
                    counts.accepted += 1
                    counts.unanswered += 1
                    counts.most = max(counts.most, counts.unanswered)

            def do_GET(self):
                time.sleep(0.05)
                if not self.answered:
                    self.answered = True
                    with counts.lock:
                        counts.unanswered -= 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _get_all_at_once(get, url: str, n: int = 16) -> list:
    results: list = [None] * n
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, get(f"{url}{i}"))) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_connections_to_one_server_are_opened_a_few_at_a_time() -> None:
    """Sixteen requests at once need sixteen connections; a server drops connection attempts past
    its listen backlog (a 1 s wait for the client), so only OPENING_PER_SERVER of them are opened
    at once, each counted until the server has answered it. A plain requests session (the
    control) opens all of them at once against the same server."""
    from archiver.transport import OPENING_PER_SERVER
    import requests
    control = _CountingServer()
    try:
        with requests.Session() as session:
            answers = _get_all_at_once(lambda u: session.get(u, timeout=5).status_code, control.url)
        assert answers == [200] * 16 and control.most > OPENING_PER_SERVER
    finally:
        control.close()
    counted = _CountingServer()
    try:
        with fetcher(concurrency=16) as f:
            records = _get_all_at_once(f.get, counted.url)
            assert [r.status for r in records] == [200] * 16
            assert 1 < counted.most <= OPENING_PER_SERVER
            opened = counted.accepted
            again = _get_all_at_once(f.get, counted.url)   # the opened connections are reused
        assert [r.status for r in again] == [200] * 16 and counted.accepted == opened
    finally:
        counted.close()


def test_a_full_gate_delays_a_connection_no_longer_than_its_connect_timeout() -> None:
    """The gate is a courtesy: when every slot for a server is held (by connections to a slow
    site, say), a new connection waits at most its connect timeout, then opens anyway."""
    from archiver.transport import _GATE, OPENING_PER_SERVER
    counted = _CountingServer()
    port = int(counted.url.rsplit(":", 1)[1].strip("/"))
    slot = _GATE.slot("127.0.0.1", port)
    for _ in range(OPENING_PER_SERVER):
        slot.acquire()
    try:
        started = time.monotonic()
        with fetcher(connect_timeout=0.5) as f:
            rec = f.get(counted.url)
        assert rec.status == 200 and 0.5 <= time.monotonic() - started < 5
    finally:
        for _ in range(OPENING_PER_SERVER):
            slot.release()
        counted.close()
