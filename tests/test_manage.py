"""`archiver remove`, `archiver blob`, and `--db` after the command name: on real archive files
written through the Store (tests/bundle_helpers.py), through the CLI."""
from __future__ import annotations

import hashlib
import json
import os
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.bundle.verify import verify
from archiver.cli import load_commands, main
from archiver.model import Resource, sha256
from archiver.store import Store
from archiver.store.checks import add_check
from bundle_helpers import AVATAR, CSS, PHOTO, PNG, make_archive, make_snapshot, rows, table_dump


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_error_line(res, exit_code: int) -> str:
    """The result failed with `exit_code` and said so in exactly one line on stderr."""
    assert res.exit_code == exit_code, (res.exit_code, res.stderr)
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    return lines[0]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    make_archive(tmp_path / "a.db", count=3).close()
    return tmp_path / "a.db"


def blob_hashes(db: Path) -> set[str]:
    return {r[0] for r in rows(db, "select sha256 from blobs")}


def page_hash(db: Path, snapshot_id: int) -> str:
    return rows(db, "select page_sha256 from snapshots where id = ?", (snapshot_id,))[0][0]


def add_check_row(db: Path, snapshot_id: int, answer: bytes) -> str:
    """A re-check of the snapshot's first post, its answer kept as a blob (as `archiver recheck` does)."""
    store = Store(db)
    try:
        embed = store.embeds(snapshot_id)[0]
        with store.transaction():
            digest = store.put_blob(answer, "application/json")
            add_check(store, {"embed_id": embed["id"], "snapshot_id": snapshot_id, "provider": "twitter",
                              "post_url": embed["post_url"], "checked_at": "2024-06-01T00:00:00Z",
                              "status": "deleted", "previous": "ok", "http_status": 404, "endpoint": "twitter",
                              "answer_sha256": digest, "changed": None, "error": None}, conclusive=True)
        return digest
    finally:
        store.close()


# ------------------------------------------------------------------ --db after the command
@pytest.mark.parametrize("args", [["list", "--json"], ["show", "2", "--json"], ["search", "Story", "--json"],
                                  ["history", "https://news.example/story-1.html", "--json"]])
def test_db_after_the_command_is_the_same_as_before(archive, args):
    before = run("--db", str(archive), *args)
    after = run(*args, "--db", str(archive))
    assert before.exit_code == 0, before.stderr
    assert after.exit_code == 0 and after.stdout == before.stdout
    between = run(args[0], "--db", str(archive), *args[1:])
    assert between.stdout == before.stdout


def test_db_after_the_command_wins_over_the_groups(archive, tmp_path):
    other = tmp_path / "other.db"
    make_archive(other, count=1).close()
    res = run("--db", str(other), "list", "--json", "--db", str(archive))
    assert res.exit_code == 0 and [s["id"] for s in json.loads(res.stdout)] == [3, 2, 1]
    res = run("--db", str(archive), "list", "--json", "--db", str(other))
    assert [s["id"] for s in json.loads(res.stdout)] == [1]


def test_db_after_export_and_remove(archive, tmp_path):
    out = tmp_path / "one.zip"
    res = run("export", "1", "-o", str(out), "-q", "--db", str(archive))
    assert res.exit_code == 0 and out.exists() and res.stderr == ""
    res = run("remove", "1", "--db", str(archive), "-q")
    assert res.exit_code == 0 and rows(archive, "select id from snapshots order by id") == [(2,), (3,)]


def test_db_after_archive(site, tmp_path):
    url = site.url_for("/site/article.html")
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    res = run("archive", url, "--no-oembed", "-q", "--db", str(first))
    assert res.exit_code == 0, res.stderr
    res = run("--db", str(second), "archive", "--no-oembed", "-q", url)
    assert res.exit_code == 0, res.stderr
    assert rows(first, "select url from snapshots") == rows(second, "select url from snapshots") == [(url,)]
    assert not Path("archive.db").exists() or "archive.db" not in os.listdir(tmp_path)


def test_every_command_takes_db_after_its_name():
    for name, command in load_commands().items():
        assert any("--db" in p.opts for p in command.params), name
        assert "--db" in command.get_help(main.make_context("archiver", [name, "--help"], resilient_parsing=True)), name


@pytest.mark.parametrize("args", [["list", "--db"], ["--db"], ["list", "--db", "{dir}"], ["--db", "{dir}", "list"],
                                  ["show", "1", "--db", "{dir}"], ["export", "--all", "--db"]])
def test_a_missing_or_wrong_db_is_one_line_and_exit_2(tmp_path, args):
    res = run(*[a.format(dir=tmp_path) for a in args])
    line = one_error_line(res, 2)
    assert "--db" in line


def test_usage_errors_of_commands_are_one_line(archive):
    assert "No such option '--bogus'" in one_error_line(run("list", "--bogus", "--db", str(archive)), 2)
    assert "No such command" in one_error_line(run("--db", str(archive), "nosuch"), 2)
    assert "Missing argument" in one_error_line(run("--db", str(archive), "remove"), 2)
    assert "'x' is not a valid integer" in one_error_line(run("--db", str(archive), "remove", "x"), 2)


# ------------------------------------------------------------------ remove
def test_remove_one_snapshot_removes_its_rows_and_only_its_own_blobs(archive):
    before = blob_hashes(archive)
    page2 = page_hash(archive, 2)
    res = run("--db", str(archive), "remove", "2", "--json")
    assert res.exit_code == 0, res.stderr
    removed = json.loads(res.stdout)
    stored = len(zlib.compress(make_snapshot(2).body, 6))
    assert removed == {"snapshots": [2], "blobs": 1, "bytes_freed": stored, "blob_bytes": len(make_snapshot(2).body),
                       "vacuumed": False}
    assert res.stderr == f"removed snapshot #2 and 1 blob only it used ({stored} bytes in the archive; the file shrinks with --vacuum)\n"
    # Only the page of #2 was its own; the CSS, images, avatar and photo are shared with #1 and #3.
    assert blob_hashes(archive) == before - {page2}
    for table in ("resources", "embeds"):
        assert rows(archive, f"select count(*) from {table} where snapshot_id = 2") == [(0,)]
        assert rows(archive, f"select count(*) from {table}") == [(len(make_snapshot(1).resources if table == 'resources'
                                                                        else make_snapshot(1).embeds) * 2,)]
    assert rows(archive, "select id from snapshots order by id") == [(1,), (3,)]
    store = Store(archive)
    assert verify(store).ok
    store.close()
    # Its full-text rows went with it (and the index is consistent with what is left).
    assert rows(archive, "select rowid from snapshots_fts where snapshots_fts match 'story 2'") == []
    assert rows(archive, "select count(*) from snapshots_fts where snapshots_fts match 'story'") == [(2,)]
    assert rows(archive, "select count(*) from embeds_fts where embeds_fts match '\"post #2\"'") == [(0,)]
    rows(archive, "insert into snapshots_fts(snapshots_fts) values('integrity-check')")
    rows(archive, "insert into embeds_fts(embeds_fts) values('integrity-check')")
    # The rest still reads: the others render, and show says #2 is gone.
    assert run("--db", str(archive), "show", "1").exit_code == 0
    assert run("--db", str(archive), "show", "2").exit_code == 1


def test_removing_every_snapshot_leaves_no_blob(archive):
    res = run("--db", str(archive), "remove", "1", "2", "3", "--yes", "-q")
    assert res.exit_code == 0 and res.stdout == res.stderr == ""
    for table in ("snapshots", "resources", "embeds", "checks", "blobs", "header_sets"):
        assert rows(archive, f"select count(*) from {table}") == [(0,)], table
    assert rows(archive, "select count(*) from snapshots_fts where snapshots_fts match 'story'") == [(0,)]


def test_response_headers_go_with_the_last_snapshot_sharing_them(archive):
    """Resources share response-header sets (store/compact.py): a set stays while a remaining
    resource names it, goes with the last one, and the same store writes new captures after."""
    assert rows(archive, "select count(*) from header_sets") != [(0,)]
    kept = Store(archive)
    before = kept.resources(3)
    assert run("--db", str(archive), "remove", "1", "2", "--yes", "-q").exit_code == 0
    assert kept.resources(3) == before
    assert rows(archive, "select count(*) from header_sets where id not in "
                         "(select header_set from resources where header_set is not null)") == [(0,)]
    kept.remove_snapshots([3])
    assert rows(archive, "select count(*) from header_sets") == [(0,)]
    again = kept.save_snapshot(make_snapshot(4))
    assert kept.resources(again) and kept.foreign_key_problems() == []
    kept.close()


def test_more_than_one_id_needs_yes_and_changes_nothing(archive):
    before = table_dump(archive)
    line = one_error_line(run("--db", str(archive), "remove", "1", "2"), 1)
    assert "--yes" in line and "nothing was removed" in line
    assert table_dump(archive) == before
    # The same id twice is one snapshot: no --yes needed.
    assert run("--db", str(archive), "remove", "3", "3", "-q").exit_code == 0


@pytest.mark.parametrize("ids", [["1", "999"], ["999"], ["2", "99999999999999999999"], ["--", "-1"]])
def test_an_unknown_id_removes_nothing(archive, ids):
    before = table_dump(archive)
    line = one_error_line(run("--db", str(archive), "remove", "--yes", *ids), 1)
    assert f"no snapshot #{ids[-1]}" in line and "nothing was removed" in line
    assert table_dump(archive) == before


def test_many_unknown_ids_are_named_in_one_short_line(archive):
    line = one_error_line(run("--db", str(archive), "remove", "--yes", *map(str, range(1, 11))), 1)
    assert line == "Error: no snapshot #4, #5, #6, #7, #8 and 2 more in the archive; nothing was removed"


def test_the_summary_names_what_was_removed(archive):
    res = run("--db", str(archive), "remove", "--yes", "3", "1")
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr.startswith("removed snapshots #3, #1 and 2 blobs only they used (")


def test_the_store_checks_every_id_before_removing_any(archive):
    from archiver.store import UnknownSnapshot
    store = Store(archive)
    before = table_dump(archive)
    with pytest.raises(UnknownSnapshot, match="#42"):
        store.remove_snapshots([1, 2, 42])
    store.close()
    assert table_dump(archive) == before


def test_remove_without_an_archive(tmp_path):
    line = one_error_line(run("--db", str(tmp_path / "none.db"), "remove", "1"), 1)
    assert "no archive at" in line and not (tmp_path / "none.db").exists()


def test_blobs_named_only_by_another_snapshots_post_media_or_check_survive(tmp_path):
    """#1 keeps the photo as a resource; #2 names it only inside a post's media JSON. #2's check
    answer is also #1's page; #1's own check answer is only #1's."""
    db = tmp_path / "a.db"
    store = Store(db)
    first = make_snapshot(1)
    second = make_snapshot(2)
    second.resources = [r for r in second.resources if r.body not in (PHOTO, AVATAR)]
    second.resources.append(Resource(url="https://x.example/only2.png", kind="image", status_code=200,
                                     content_type="image/png", body=PNG + b"only2"))
    store.save_snapshot(first)
    store.save_snapshot(second)
    store.close()
    own_answer = add_check_row(db, 1, b'{"error": "gone", "for": 1}')
    shared = add_check_row(db, 2, first.body)      # #2's answer happens to have #1's page bytes
    assert shared == page_hash(db, 1)
    assert rows(db, "select count(*) from resources where snapshot_id = 2 and sha256 = ?", (sha256(PHOTO),)) == [(0,)]

    res = run("--db", str(db), "remove", "1", "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["blobs"] == 1            # only #1's own check answer
    left = blob_hashes(db)
    assert own_answer not in left
    assert {sha256(PHOTO), sha256(AVATAR), shared, sha256(CSS), sha256(PNG)} <= left
    assert rows(db, "select count(*) from checks") == [(1,)]
    store = Store(db)
    assert verify(store).ok
    store.close()

    res = run("--db", str(db), "remove", "2", "--json")
    # #2's page, CSS, PNG, only2, avatar, photo, and #1's old page its check still named
    assert json.loads(res.stdout)["blobs"] == 7
    assert blob_hashes(db) == set()


def test_remove_vacuum_shrinks_the_file(tmp_path):
    db = tmp_path / "a.db"
    store = Store(db)
    snap = make_snapshot(1)
    snap.resources.append(Resource(url="https://x.example/big.bin", kind="media", status_code=200,
                                   content_type="video/mp4", body=os.urandom(2_000_000)))
    store.save_snapshot(snap)
    store.save_snapshot(make_snapshot(2))
    store.close()
    size = db.stat().st_size
    res = run("--db", str(db), "remove", "1", "--vacuum", "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["vacuumed"] is True and json.loads(res.stdout)["bytes_freed"] > 2_000_000
    assert "file vacuumed" in res.stderr
    store = Store(db)
    assert verify(store).ok and store.snapshot_ids() == [2]
    store.close()
    assert db.stat().st_size < size - 1_500_000


# ------------------------------------------------------------------ blob
def test_blob_writes_the_original_bytes_of_a_compressed_blob(archive):
    assert rows(archive, "select encoding from blobs where sha256 = ?", (sha256(CSS),)) == [("zlib",)]
    res = run("--db", str(archive), "blob", sha256(CSS))
    assert res.exit_code == 0 and res.stdout_bytes == CSS and res.stderr == ""
    res = run("blob", sha256(PNG), "--db", str(archive))
    assert res.stdout_bytes == PNG


def test_blob_to_a_file_and_by_prefix(archive, tmp_path):
    out = tmp_path / "out" / "page.html"
    res = run("--db", str(archive), "blob", page_hash(archive, 1)[:10].upper(), "-o", str(out))
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_bytes() == make_snapshot(1).body
    assert os.listdir(out.parent) == ["page.html"]     # no temporary file left


@pytest.mark.parametrize("value, says", [("xyz", "not a sha256"), ("00", "too short"), ("a" * 65, "not a sha256"),
                                        ("0" * 64, "no blob 0000"), ("", "not a sha256")])
def test_blob_unknown_or_malformed_is_one_line(archive, tmp_path, value, says):
    out = tmp_path / "never"
    res = run("--db", str(archive), "blob", value, "-o", str(out))
    assert says in one_error_line(res, 1) and res.stdout_bytes == b""
    assert not out.exists()


def test_blob_ambiguous_prefix(tmp_path):
    seen: dict[str, bytes] = {}
    n = 0
    while True:       # two byte strings whose hashes share four hex digits (a few hundred tries)
        data = b"x%d" % n
        head = hashlib.sha256(data).hexdigest()[:4]
        if head in seen:
            break
        seen[head] = data
        n += 1
    db = tmp_path / "a.db"
    store = Store(db)
    with store.transaction():
        store.put_blob(seen[head])
        store.put_blob(data)
    store.close()
    assert "more than one blob" in one_error_line(run("--db", str(db), "blob", head), 1)
    assert run("--db", str(db), "blob", sha256(data)).stdout_bytes == data


def test_remove_refuses_a_read_only_archive(archive):
    before = table_dump(archive)
    archive.chmod(0o444)
    try:
        line = one_error_line(run("--db", str(archive), "remove", "1"), 1)
    finally:
        archive.chmod(0o644)
    assert "read-only" in line
    assert table_dump(archive) == before


def test_blob_reads_a_read_only_archive(archive):
    archive.chmod(0o444)
    try:
        res = run("blob", sha256(CSS), "--db", str(archive))
    finally:
        archive.chmod(0o644)
    assert res.exit_code == 0 and res.stdout_bytes == CSS
