"""Daily-use behaviour of `archiver archive` (issue 13), through real subprocesses."""
from __future__ import annotations

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
