"""Daily-use behaviour of `archiver archive` (issue 13), through real subprocesses."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest

from archiver.capture import iter_urls, unique_urls
from archiver.store import Store
from test_faults import CLI, _drip_server


def test_notes_and_duplicates():
    assert list(iter_urls(["https://a.org/x#frag  # a note\n", "# comment\n", "\n", "https://b.org/\n"])) == [
        "https://a.org/x#frag", "https://b.org/"]
    assert unique_urls(["https://a.org/", " https://a.org/", "https://b.org/"]) == ["https://a.org/", "https://b.org/"]


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_stopping_keeps_finished_work_and_says_what_was_saved(tmp_path, site, sig, code):
    port, stop = _drip_server(b"x" * 10_000)
    db = tmp_path / "a.db"
    pages = [site.url_for(f"/site/article.html?copy={i}") for i in range(3)]
    proc = subprocess.Popen([*CLI, "--db", str(db), "archive", "--no-oembed", "--parallel", "4",
                             f"http://127.0.0.1:{port}/slow", *pages],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if db.exists() and len(Store(db).snapshot_ids()) == 3:
            break
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    stop.set()
    assert proc.returncode == code
    assert "saved 3 snapshots (#1-#3); 1 URL not captured" in err
    assert "archived 3 of 4 URLs (0 failed)" in err
    assert len(Store(db).snapshot_ids()) == 3


def test_python_dash_m_archiver_works():
    res = subprocess.run([sys.executable, "-m", "archiver", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and "archiver" in res.stdout


def _run_on_a_terminal(args: list[str], timeout: float = 60) -> tuple[int, str, str]:
    """Run the CLI with stderr on a real pseudo-terminal (stdout a pipe): exit code, what the
    terminal showed (as bytes decoded), stdout."""
    import os
    import pty
    import threading

    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:   # EIO: the child closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=timeout)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace"), out.decode()


def test_on_a_terminal_archive_shows_a_bar_with_counter_and_time_left(tmp_path, server):
    def slow(request):   # a page that takes a moment, so the bar is drawn while captures run
        from werkzeug import Response
        time.sleep(0.4)
        return Response(f"<html><title>Story {request.path}</title><p>text</p></html>", content_type="text/html")

    for i in range(5):
        server.expect_request(f"/story-{i}.html").respond_with_handler(slow)
    urls = [server.url_for(f"/story-{i}.html") for i in range(5)]
    base = [*CLI, "--db", str(tmp_path / "a.db"), "archive", "--parallel", "1", "--no-assets", "--no-oembed"]
    code, shown, out = _run_on_a_terminal([*base, *urls])
    assert code == 0 and out == "", shown
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)   # cursor hiding, line clearing
    frames = [f.strip() for f in plain.replace("\r\n", "\n").replace("\r", "\n").split("\n") if f.strip()]
    bars = [f for f in frames if f.startswith("archiving") and "[" in f]
    # the counter, from 0/5 up to 5/5, and once a page is done a time left (hh:mm:ss)
    assert any(re.search(r"\] +0/5", f) for f in bars), frames
    assert any(re.search(r"\] +[1-4]/5 +\d\d:\d\d:\d\d", f) for f in bars), frames
    assert any(re.search(r"\] +5/5", f) for f in bars), frames
    # no line per URL on a terminal (the bar replaces them), and the closing summary
    assert not any(f.startswith("archived http") for f in frames), frames
    assert re.fullmatch(r"archived 5 of 5 URLs \(0 failed\) in \d+\.\d s", frames[-1]), frames
    assert len(Store(tmp_path / "a.db").snapshot_ids()) == 5

    code, shown, out = _run_on_a_terminal([*base, "-q", *urls])
    assert code == 0 and shown == "" and out == ""
    assert len(Store(tmp_path / "a.db").snapshot_ids()) == 10
