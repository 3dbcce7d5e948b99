"""Ids are handed out once (schema m012, Store._new_id): after `archiver remove`, no capture,
import or re-check gets an id a removed row had, so "#5" cited somewhere never comes to mean
another capture. On real archive files, through the Store and the CLI."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from archiver.cli import main
from archiver.store import Store
from archiver.store.checks import add_check
from archiver.store.schema import ID_TABLES, migrations
from bundle_helpers import make_archive, make_snapshot, rows
from test_import import news_warc, three_warcs


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def ids(db: Path, table: str, where: str = "1", params: tuple = ()) -> list[int]:
    return [r[0] for r in rows(db, f"select id from [{table}] where {where} order by id", params)]


def marks(db: Path) -> dict[str, int]:
    return dict(rows(db, "select table_name, last_id from id_high_water"))


def check_post(store: Store, snapshot_id: int) -> int:
    """A re-check of the snapshot's first post, as `archiver recheck` records it; the check's id."""
    embed = store.embeds(snapshot_id)[0]
    with store.transaction():
        return add_check(store, {"embed_id": embed["id"], "snapshot_id": snapshot_id, "provider": "twitter",
                                 "post_url": embed["post_url"], "checked_at": "2024-06-01T00:00:00Z",
                                 "status": "ok", "previous": "ok"}, conclusive=True)


def test_archiving_after_removing_the_newest_snapshot_gives_a_new_id(site, tmp_path):
    db = tmp_path / "a.db"
    url = site.url_for("/site/article.html")
    for _ in range(2):
        assert run(db, "archive", "-q", url).exit_code == 0
    removed_resources = ids(db, "resources", "snapshot_id = 2")
    assert removed_resources
    assert run(db, "remove", "2").exit_code == 0

    res = run(db, "archive", "-q", "--json", url)
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["id"] == 3
    assert [s["id"] for s in json.loads(run(db, "list", "--json").stdout)] == [3, 1]
    assert min(ids(db, "resources", "snapshot_id = 3")) > max(removed_resources)
    # the cited #2 now names nothing, rather than another capture
    gone = run(db, "show", "2")
    assert gone.exit_code == 1 and gone.stdout == ""


def test_every_id_table_hands_out_ids_once_and_removal_leaves_the_marks(tmp_path):
    db = tmp_path / "a.db"
    store = make_archive(db, count=2)
    check_post(store, 2)
    newest = {t: max(ids(db, t)) for t in ID_TABLES}
    assert marks(db) == newest
    removed_embeds = ids(db, "embeds", "snapshot_id = 2")

    store.remove_snapshots([2])
    assert marks(db) == newest                       # the rows are gone, the marks stay
    assert {t: max(ids(db, t), default=0) for t in ID_TABLES} != newest

    assert store.save_snapshot(make_snapshot(3)) == newest["snapshots"] + 1
    assert min(ids(db, "resources", "snapshot_id = 3")) == newest["resources"] + 1
    assert min(ids(db, "embeds", "snapshot_id = 3")) == newest["embeds"] + 1
    assert not set(ids(db, "embeds")) & set(removed_embeds)
    assert check_post(store, 3) == newest["checks"] + 1
    # a check's embed_id names the post it was made on, never a post captured later
    assert rows(db, "select e.snapshot_id from checks c join embeds e on e.id = c.embed_id") == [(3,)]
    assert marks(db) == {t: max(ids(db, t)) for t in ID_TABLES}
    store.close()


def test_a_failed_write_takes_no_id(tmp_path):
    db = tmp_path / "a.db"
    store = make_archive(db, count=1)
    before = marks(db)
    bad = make_snapshot(2)
    bad.embeds = [*bad.embeds, bad.embeds[0]]       # two posts at one position: the unique index refuses it
    with pytest.raises(sqlite3.IntegrityError):
        store.save_snapshot(bad)
    assert marks(db) == before
    assert store.save_snapshot(make_snapshot(2)) == 2
    store.close()


def old_archive(path: Path) -> None:
    """An archive written by archiver before m012: every earlier migration, and rows whose newest
    ids are not all in one snapshot (snapshot 9 was removed back then, leaving no trace)."""
    conn = sqlite3.connect(path)
    migrations.apply(Database(conn), stop_before="m012_id_high_water")
    conn.executescript("""
        insert into snapshots (id, url, captured_at) values
            (1, 'https://news.example/a', '2024-05-01T12:00:00Z'),
            (4, 'https://news.example/b', '2024-05-02T12:00:00Z'),
            (8, 'https://news.example/c', '2024-05-03T12:00:00Z');
        insert into resources (id, snapshot_id, url) values (3, 1, 'https://news.example/a.css'),
                                                            (12, 4, 'https://news.example/b.css');
        insert into embeds (id, snapshot_id, position, provider) values (5, 4, 0, 'twitter'),
                                                                        (2, 8, 0, 'twitter');
        insert into checks (id, embed_id, snapshot_id, status) values (6, 5, 4, 'ok');
    """)
    conn.commit()
    assert "id_high_water" not in {r[0] for r in conn.execute("select name from sqlite_master")}
    conn.close()


def test_an_archive_made_before_the_marks_starts_from_its_largest_ids(tmp_path):
    db = tmp_path / "old.db"
    old_archive(db)
    store = Store(db)
    assert marks(db) == {"snapshots": 8, "resources": 12, "embeds": 5, "checks": 6, "header_sets": 0}

    store.remove_snapshots([8, 4])
    assert ids(db, "snapshots") == [1] and ids(db, "checks") == []
    new = store.save_snapshot(make_snapshot(1))
    assert new == 9
    assert min(ids(db, "resources", "snapshot_id = ?", (new,))) == 13
    assert ids(db, "embeds", "snapshot_id = ?", (new,)) == [6, 7]
    assert check_post(store, new) == 7
    store.close()


def test_a_new_archive_starts_at_one(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    assert marks(db) == {t: 0 for t in ID_TABLES}
    store = make_archive(db, count=1)
    assert ids(db, "snapshots") == [1] and ids(db, "embeds") == [1, 2]
    store.close()


def test_imports_after_removal_do_not_reuse_ids(tmp_path):
    db = tmp_path / "a.db"
    make_archive(db, count=3).close()
    assert run(db, "export", "3", "-o", str(tmp_path / "three.zip"), "--no-render", "-q").exit_code == 0
    taken = ids(db, "snapshots")

    # a bundle of the removed snapshot comes back as a new snapshot, not as #3
    assert run(db, "remove", "3").exit_code == 0
    assert run(db, "import", "-q", str(tmp_path / "three.zip")).exit_code == 0
    assert ids(db, "snapshots") == [1, 2, 4]
    taken.append(4)

    # another archive merged in (its snapshot #1 gets the next id here)
    other = Store(tmp_path / "other.db")
    other.save_snapshot(make_snapshot(5, base="https://other.example"))
    other.close()
    assert run(db, "remove", "4").exit_code == 0
    assert run(db, "import", "-q", str(tmp_path / "other.db")).exit_code == 0
    assert ids(db, "snapshots") == [1, 2, 5]
    taken.append(5)

    # a WARC read straight into the archive
    removed_embeds = ids(db, "embeds", "snapshot_id = 5")
    assert run(db, "remove", "5").exit_code == 0
    assert run(db, "import", "-q", "--no-oembed", str(news_warc(tmp_path / "news.warc.gz"))).exit_code == 0
    added = [i for i in ids(db, "snapshots") if i > 2]
    assert len(added) == 2 and min(added) > max(taken)
    assert min(ids(db, "embeds", "snapshot_id > 5")) > max(removed_embeds)
    taken += added

    # WARCs imported by worker processes into shards, merged here one by one
    assert run(db, "remove", "--yes", *map(str, added)).exit_code == 0
    res = run(db, "import", "-q", "--no-oembed", "--workers", "2", *map(str, three_warcs(tmp_path)))
    assert res.exit_code == 0, res.stderr
    merged = [i for i in ids(db, "snapshots") if i > 2]
    assert merged == list(range(max(taken) + 1, max(taken) + 7))
    assert marks(db)["snapshots"] == max(merged)
