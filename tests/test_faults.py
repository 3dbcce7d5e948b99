"""Fault classes from issue 13, each against a real local server or a real subprocess."""
from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from archiver.fetch import Fetcher, check_url
from archiver.settings import Settings
from archiver.store import ReadOnlyArchive, Store

CLI = [sys.executable, "-m", "archiver.cli"]


def _drip_server(body: bytes, content_length: bool = True) -> tuple[int, threading.Event]:
    """A server that sends headers at once and then the body one byte every 0.2 s."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            conn, _ = sock.accept()
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            head += b"Content-Length: %d\r\n" % len(body) if content_length else b"Connection: close\r\n"
            conn.sendall(head + b"\r\n")
            try:
                for i in range(len(body)):
                    if stop.is_set():
                        break
                    conn.sendall(body[i:i + 1])
                    time.sleep(0.2)
            except OSError:
                pass
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return sock.getsockname()[1], stop


def test_a_body_dripping_with_content_length_stops_at_the_deadline():
    port, stop = _drip_server(b"x" * 200)
    with Fetcher(Settings(timeout=2, deadline=1.5, retries=0)) as fetcher:
        started = time.monotonic()
        rec = fetcher.get(f"http://127.0.0.1:{port}/drip")
        took = time.monotonic() - started
    stop.set()
    assert rec.error and rec.error.startswith("timed out") and rec.body == b""
    assert took < 5


def test_malformed_urls_are_reasons_not_exceptions():
    assert "malformed URL" in check_url("http://[::1")
    assert "malformed URL" in check_url("http://[zz]/")


def test_bad_lines_each_fail_and_the_rest_go_on(tmp_path, site):
    server_url = site.url_for("").rstrip("/")
    db = tmp_path / "a.db"
    listing = tmp_path / "urls.txt"
    listing.write_text(f"http://[::1\nhttp://[zz]/\n{server_url}/site/article.html  # the good one\n"
                       f"{server_url}/site/article.html\n")
    res = subprocess.run([*CLI, "--db", str(db), "archive", "-i", str(listing), "--no-oembed"],
                         capture_output=True, text=True, timeout=120)
    assert "Traceback" not in res.stderr
    assert res.stderr.count("malformed URL") == 2
    assert "archived 1 of 3 URLs (2 failed)" in res.stderr     # the duplicate is captured once
    assert len(Store(db).snapshot_ids()) == 1


def test_credentials_are_never_stored_or_printed(tmp_path, site):
    server_url = site.url_for("").rstrip("/")
    db = tmp_path / "a.db"
    url = server_url.replace("http://", "http://alice:s3cret@") + "/site/article.html"
    res = subprocess.run([*CLI, "--db", str(db), "archive", url, "--no-oembed"],
                         capture_output=True, text=True, timeout=120)
    listing = subprocess.run([*CLI, "--db", str(db), "list", "--json"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "s3cret" not in res.stderr + res.stdout + listing.stdout
    assert b"s3cret" not in db.read_bytes() and b"alice" not in db.read_bytes()


def test_out_of_range_ids_are_one_line(tmp_path, site):
    db = tmp_path / "a.db"
    Store(db).close()
    for args in (["show", "99999999999999999999"], ["render", "99999999999999999999"],
                 ["list", "--since", "99999999999d"]):
        res = subprocess.run([*CLI, "--db", str(db), *args], capture_output=True, text=True)
        assert res.returncode in (1, 2) and "Traceback" not in res.stderr, args
    for path in ("/snapshot/99999999999999999999", "/?page=99999999999999999999"):
        res = subprocess.run([*CLI, "--db", str(db), "serve", "--get", path], capture_output=True, text=True)
        assert "404" in res.stderr and "Traceback" not in res.stderr


def test_a_newer_archive_is_read_but_not_written(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                 "values ('archiver', 'm999_future', '2030-01-01')")
    conn.commit()
    conn.close()
    res = subprocess.run([*CLI, "--db", str(db), "list"], capture_output=True, text=True)
    assert res.returncode == 0
    res = subprocess.run([*CLI, "--db", str(db), "archive", "http://127.0.0.1:1/"], capture_output=True, text=True)
    assert res.returncode == 1 and "newer version" in res.stderr and len(res.stderr.splitlines()) == 1
    # the archive is opened once the capture is under way: its refusal does not wait for a slow page
    port, stop = _drip_server(b"x" * 100)   # 20 s to send
    started = time.monotonic()
    res = subprocess.run([*CLI, "--db", str(db), "archive", f"http://127.0.0.1:{port}/slow"],
                         capture_output=True, text=True, timeout=60)
    stop.set()
    assert res.returncode == 1 and len(res.stderr.splitlines()) == 1 and "newer version" in res.stderr
    assert time.monotonic() - started < 10


def test_a_read_only_file_is_read_but_not_written(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    os.chmod(db, 0o444)
    try:
        assert subprocess.run([*CLI, "--db", str(db), "list"], capture_output=True).returncode == 0
        res = subprocess.run([*CLI, "--db", str(db), "archive", "http://127.0.0.1:1/"],
                             capture_output=True, text=True)
        assert res.returncode == 1 and "read-only" in res.stderr and "Traceback" not in res.stderr
    finally:
        os.chmod(db, 0o644)


def test_disk_full_is_one_error_and_old_snapshots_stay(tmp_path, site):
    from archiver.model import Snapshot
    store = Store(tmp_path / "a.db")
    first = store.save_snapshot(Snapshot(url="http://x/1", captured_at="2026-01-01T00:00:00Z", body=b"a"))
    pages = store.db.execute("pragma page_count").fetchone()[0]
    store.db.execute(f"pragma max_page_count = {pages + 2}")
    big = Snapshot(url="http://x/2", captured_at="2026-01-01T00:00:00Z", body=os.urandom(200_000))
    try:
        store.save_snapshot(big)
        raise AssertionError("no error")
    except ReadOnlyArchive:
        raise
    except Exception as exc:
        assert "disk is full" in str(exc)
    assert store.snapshot_ids() == [first]


# `archiver archive` with the archive's file capped at its size after migration plus `room` pages:
# SQLite's max_page_count gives the real SQLITE_FULL ("database or disk is full") a full disk gives.
_CAPPED = """
import sys
from archiver.store import archive
room = int(sys.argv.pop(1))
migrate = archive.Store._migrate
def capped(self):
    migrate(self)
    pages = self.db.execute("pragma page_count").fetchone()[0]
    self.db.execute(f"pragma max_page_count = {pages + room}")
archive.Store._migrate = capped
from archiver.cli import main
sys.argv[0] = "archiver"
main()
"""


def test_disk_full_during_archive_is_one_line_a_summary_and_the_earlier_snapshots(tmp_path, server):
    server.expect_request("/small.html").respond_with_data(
        "<html><title>Small story</title><p>fits</p></html>", content_type="text/html")
    big = os.urandom(400_000).hex()   # does not compress: far more than the room left
    server.expect_request("/big.html").respond_with_data(
        f"<html><title>Big story</title><p>{big}</p></html>", content_type="text/html")
    server.expect_request("/after.html").respond_with_data(
        "<html><title>After</title><p>never saved</p></html>", content_type="text/html")
    urls = [server.url_for(p) for p in ("/small.html", "/big.html", "/after.html")]
    db = tmp_path / "a.db"
    for quiet in ([], ["-q"]):
        db.unlink(missing_ok=True)
        res = subprocess.run([sys.executable, "-c", _CAPPED, "12", "--db", str(db), "archive", *quiet,
                              "--parallel", "1", "--no-assets", "--no-oembed", *urls],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 1, res.stderr
        assert "Traceback" not in res.stderr
        lines = res.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("Error:")]
        assert len(errors) == 1 and "the disk is full" in errors[0] and "intact" in errors[0]
        assert re.fullmatch(r"archived 1 of 3 URLs \(0 failed\) in \d+\.\d s; saved 1 snapshot \(#1\); "
                            r"2 URLs not captured", lines[-1]), lines
        if quiet:
            assert lines == [errors[0], lines[-1]]
        store = Store(db, read_only=True)
        assert store.snapshot_ids() == [1] and store.snapshot(1)["title"] == "Small story"
        assert store.foreign_key_problems() == [] and store.integrity_problems() == []
        store.close()


def _small_disk(folder) -> bool:
    """Mount a 1 MB tmpfs on `folder`: a disk that really fills (root only; False if refused)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    folder.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def test_a_disk_that_really_fills_during_archive(tmp_path, server):
    """The same on a real 1 MB file system (when this runs as root and may mount one)."""
    disk = tmp_path / "disk"
    if not _small_disk(disk):
        pytest.skip("mounting a small tmpfs needs root")
    try:
        server.expect_request("/small.html").respond_with_data(
            "<html><title>Small story</title><p>fits</p></html>", content_type="text/html")
        big = os.urandom(800_000).hex()
        server.expect_request("/big.html").respond_with_data(
            f"<html><title>Big story</title><p>{big}</p></html>", content_type="text/html")
        urls = [server.url_for("/small.html"), server.url_for("/big.html")]
        res = subprocess.run([*CLI, "--db", str(disk / "a.db"), "archive", "--parallel", "1", "--no-assets",
                              "--no-oembed", *urls], capture_output=True, text=True, timeout=60)
        assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
        lines = res.stderr.strip().splitlines()
        assert [line for line in lines if line.startswith("Error:")] == [
            f"Error: cannot write to {disk / 'a.db'}: the disk is full; nothing of this write was kept, "
            "what was saved before is intact"]
        assert re.fullmatch(r"archived 1 of 2 URLs \(0 failed\) in \d+\.\d s; saved 1 snapshot \(#1\); "
                            r"1 URL not captured", lines[-1]), lines
        store = Store(disk / "a.db", read_only=True)
        assert store.snapshot_ids() == [1] and store.snapshot(1)["title"] == "Small story"
        assert store.integrity_problems() == []
        store.close()
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def _children_of(pid: int) -> list[str]:
    """The processes whose parent is `pid`, read from /proc (no procps needed on a bare machine)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):   # not a process, or one that just ended
            continue
        if fields[1] == str(pid):
            found.append(entry)
    return found


def test_workers_end_when_the_parent_is_killed(tmp_path):
    port, stop = _drip_server(b"x" * 10_000)
    urls = [f"http://127.0.0.1:{port}/{i}" for i in range(4)]
    proc = subprocess.Popen([*CLI, "--db", str(tmp_path / "a.db"), "archive", "--parallel", "4", *urls],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    children = _children_of(proc.pid)
    proc.kill()
    proc.wait()
    time.sleep(2)
    alive = [pid for pid in children if os.path.exists(f"/proc/{pid}") and
             "Z" not in open(f"/proc/{pid}/stat").read().split()[2]]
    stop.set()
    assert children and not alive


def test_a_busy_port_for_serve_is_one_line(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run([*CLI, "--db", str(db), "serve", "--port", str(port)],
                             capture_output=True, text=True, timeout=30)
    assert res.returncode == 1 and res.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"]
