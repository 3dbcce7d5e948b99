"""`archiver verify`: blob hashes, references, SQLite integrity."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.bundle.verify import verify
from archiver.cli import main
from archiver.store import Store
from bundle_helpers import CSS, make_archive


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    make_archive(tmp_path / "a.db").close()
    return tmp_path / "a.db"


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), "verify", *args], catch_exceptions=False)


def raw(db: Path, sql: str, params: list) -> None:
    """Change the file behind the archiver's back, the way a disk or a person might."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(sql, params)
    conn.close()


def test_a_healthy_archive_passes(archive: Path) -> None:
    report = verify(Store(archive))
    assert report.ok and report.blobs == 6 and report.snapshots == 2
    # 2 pages + 2x4 stored resources + 2 embeds x 2 (avatar + media) x 2 snapshots
    assert report.references == 2 + 8 + 8
    res = run(archive)
    assert res.exit_code == 0 and res.stdout.startswith("ok: 6 blobs")


def test_changed_blob_bytes_fail(archive: Path) -> None:
    store = Store(archive)
    page = store.snapshot(1)["page_sha256"]
    store.close()
    raw(archive, "update blobs set data = ?, encoding = 'identity' where sha256 = ?", [b"<html>changed</html>", page])
    report = verify(Store(archive))
    assert not report.ok
    assert [(p.kind, p.where) for p in report.problems] == [("corrupt-blob", f"blobs/{page}")]
    res = run(archive)
    assert res.exit_code == 1
    assert f"corrupt-blob: blobs/{page}: bytes hash to" in res.stdout
    assert res.stdout.strip().splitlines()[-1].startswith("1 problem:")


def test_changed_compressed_blob_fails(archive: Path) -> None:
    digest = hashlib.sha256(CSS).hexdigest()
    conn = sqlite3.connect(archive)
    assert conn.execute("select encoding from blobs where sha256 = ?", [digest]).fetchone()[0] == "zlib"
    conn.close()
    raw(archive, "update blobs set data = ? where sha256 = ?", [zlib.compress(CSS + b"/* extra */"), digest])
    assert [p.kind for p in verify(Store(archive)).problems] == ["corrupt-blob"]
    raw(archive, "update blobs set data = ? where sha256 = ?", [b"not zlib at all", digest])
    problems = verify(Store(archive)).problems
    assert len(problems) == 1 and "cannot be decoded" in problems[0].detail


def test_wrong_recorded_size_fails(archive: Path) -> None:
    digest = hashlib.sha256(CSS).hexdigest()
    raw(archive, "update blobs set size = size + 1 where sha256 = ?", [digest])
    problems = verify(Store(archive)).problems
    assert len(problems) == 1 and "recorded as" in problems[0].detail


def test_missing_blobs_are_reported_for_each_reference(archive: Path) -> None:
    store = Store(archive)
    emb = store.embeds(1)[0]
    photo = emb["media"][0]["sha256"]
    store.close()
    raw(archive, "delete from blobs where sha256 = ?", [photo])
    report = verify(Store(archive))
    kinds = {(p.kind, p.where) for p in report.problems}
    # both snapshots' post-media resources, and every embed's media item
    assert ("missing-blob", f"embeds/{emb['id']} media[0]") in kinds
    assert sum(1 for k, w in kinds if k == "missing-blob" and w.startswith("resources/")) == 2
    assert sum(1 for k, w in kinds if k == "foreign-key") == 2     # resources.sha256 references blobs
    res = run(archive, "--json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["ok"] is False and len(data["problems"]) == len(report.problems)


def test_dangling_page_and_avatar_are_reported(archive: Path) -> None:
    ghost = "0" * 64
    raw(archive, "update snapshots set page_sha256 = ? where id = 2", [ghost])
    raw(archive, "update embeds set avatar_sha256 = ? where id = 1", [ghost])
    where = {p.where for p in verify(Store(archive)).problems}
    assert where == {"snapshots/2", "embeds/1"}


def test_bad_media_json_is_reported(archive: Path) -> None:
    raw(archive, "update embeds set media = ? where id = 2", ["[{not json"])
    problems = verify(Store(archive)).problems
    assert [(p.kind, p.where) for p in problems] == [("bad-json", "embeds/2")]


def test_verify_json_when_healthy(archive: Path) -> None:
    res = run(archive, "--json")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {"ok": True, "blobs": 6, "snapshots": 2, "references": 18, "problems": []}


def test_verify_without_archive_is_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["--db", str(tmp_path / "none.db"), "verify"])
    assert res.exit_code == 1 and "no archive" in res.stderr
    assert not (tmp_path / "none.db").exists()


def test_verify_of_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    res = CliRunner().invoke(main, ["--db", str(tmp_path / "junk.db"), "verify"])
    assert res.exit_code == 1 and "not a usable archive" in res.stderr


def test_an_archive_with_recheck_rows_verifies(archive: Path) -> None:
    """A re-check keeps the platform's answer as a blob (checks.answer_sha256): it counts as a
    reference, and one whose blob is missing is reported like any other."""
    from archiver.store.checks import add_check

    store = Store(archive)
    embed = store.embeds(1)[0]
    answer = b'{"errors": [{"code": 144, "message": "No status found with that ID."}]}'
    with store.transaction():
        digest = store.put_blob(answer, "application/json")
        add_check(store, {"embed_id": embed["id"], "snapshot_id": 1, "provider": "twitter",
                          "post_url": embed["post_url"], "checked_at": "2024-06-01T00:00:00Z", "status": "deleted",
                          "previous": "ok", "http_status": 404, "endpoint": "twitter", "answer_sha256": digest},
                  conclusive=True)
    report = verify(store)
    store.close()
    assert report.ok and report.blobs == 7 and report.references == 2 + 8 + 8 + 1
    res = run(archive)
    assert res.exit_code == 0 and res.stdout.startswith("ok: 7 blobs")

    raw(archive, "delete from blobs where sha256 = ?", [digest])
    report = verify(Store(archive))
    assert [(p.kind, p.where, p.detail) for p in report.problems] == [
        ("foreign-key", "checks/1", "points at a missing blobs row"),
        ("missing-blob", "checks/1", f"check answer {digest} is not in the blobs table")]
    assert run(archive).exit_code == 1
