"""The Store API on its own: a real SQLite file, no capture, no network."""
from __future__ import annotations

import sqlite3
import zlib

import pytest

from archiver import __version__
from archiver.errors import ArchiverError
from archiver.model import Resource, Snapshot, sha256
from archiver.store import (BLOB_COLUMNS, JSON_COLUMNS, CorruptArchive, MissingArchive, Store, decode_row,
                            encode_json)
from archiver.store import ArchiveWriteError
from archiver.store.schema import migrations

HTML = ("<!doctype html><html><head><title>Harbour</title></head><body>"
        + "<p>The harbour board met on Tuesday to discuss the new pier.</p>" * 40 + "</body></html>").encode()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4          # already-compressed kind of bytes
CSS = ("body { color: #333; margin: 0 auto; max-width: 40em; }\n" * 30).encode()


def snapshot(**overrides) -> Snapshot:
    snap = Snapshot(
        url="https://example.com/news/harbour.html", captured_at="2024-05-01T10:00:00Z",
        final_url="https://example.com/news/harbour.html", status_code=200,
        content_type="text/html; charset=utf-8", headers={"content-type": "text/html; charset=utf-8"},
        body=HTML, meta={"title": "Harbour", "byline": "A. Reporter", "lang": "en",
                         "metadata": {"og": {"title": "Harbour"}}},
        resources=[Resource(url="https://example.com/a.png", kind="image", content_type="image/png",
                            status_code=200, body=PNG, headers={"etag": "x"}),
                   Resource(url="https://example.com/s.css", kind="stylesheet", content_type="text/css",
                            status_code=200, body=CSS),
                   Resource(url="https://example.com/gone.png", kind="image", status_code=404,
                            error="HTTP 404 Not Found")],
        embeds=[{"position": 0, "provider": "twitter", "kind": "post", "post_url": "https://x.com/a/status/1",
                 "author_name": "Ann", "author_handle": "ann", "text": "Hello harbour", "avatar_sha256": sha256(PNG),
                 "media": [{"url": "https://example.com/a.png", "sha256": sha256(PNG), "type": "image"}],
                 "sources": {"author_name": "fallback"}, "alternatives": {}, "oembed": {"html": "<p>hi</p>"},
                 "extra": {}, "status": "ok"}],
        duration_ms=12)
    for key, value in overrides.items():
        setattr(snap, key, value)
    return snap


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "archive.db")
    yield s
    s.close()


def count(store: Store, table: str) -> int:
    return store.db.execute(f"select count(*) from {table}").fetchone()[0]


def test_a_saved_snapshot_reads_back_with_its_rows_and_bytes(store):
    sid = store.save_snapshot(snapshot())
    row = store.snapshot(sid)
    assert row["url"] == "https://example.com/news/harbour.html" and row["title"] == "Harbour"
    assert row["byline"] == "A. Reporter" and row["tool_version"] == __version__ and row["duration_ms"] == 12
    assert row["page_sha256"] == sha256(HTML) and store.blob(row["page_sha256"]) == HTML
    resources = store.resources(sid)
    assert [r["url"] for r in resources] == ["https://example.com/a.png", "https://example.com/s.css",
                                             "https://example.com/gone.png"]
    assert store.blob(resources[0]["sha256"]) == PNG and resources[0]["size"] == len(PNG)
    assert resources[2]["sha256"] is None and resources[2]["error"] == "HTTP 404 Not Found"
    [post] = store.embeds(sid)
    assert post["provider"] == "twitter" and post["author_handle"] == "ann" and post["snapshot_id"] == sid
    assert store.snapshot_ids() == [sid]
    assert store.snapshot(sid + 1) is None and store.resources(sid + 1) == [] and store.blob("0" * 64) is None


def test_json_columns_are_decoded_and_empty_ones_read_as_empty(store):
    sid = store.save_snapshot(snapshot())
    row = store.snapshot(sid)
    assert row["headers"] == {"content-type": "text/html; charset=utf-8"}
    assert row["metadata"] == {"og": {"title": "Harbour"}}
    resources = store.resources(sid)
    assert resources[0]["headers"] == {"etag": "x"} and resources[1]["headers"] == {}
    [post] = store.embeds(sid)
    assert post["media"] == [{"url": "https://example.com/a.png", "sha256": sha256(PNG), "type": "image"}]
    assert post["sources"] == {"author_name": "fallback"} and post["oembed"] == {"html": "<p>hi</p>"}
    assert post["alternatives"] == {} and post["extra"] == {}
    # stored as JSON text (empty ones as NULL), so Datasette and sqlite-utils see plain columns
    stored = store.db.execute("select media, alternatives, extra from embeds").fetchone()
    assert stored[0].startswith("[{") and stored[1] is None and stored[2] is None
    for table, columns in JSON_COLUMNS.items():
        assert set(columns) <= store.columns(table), table
    for table, columns in BLOB_COLUMNS.items():
        assert set(columns) <= store.columns(table), table


def test_decode_row_tolerates_bad_json():
    row = decode_row("embeds", {"media": "not json", "sources": '{"a": "b"}', "text": "[1]"})
    assert row == {"media": [], "sources": {"a": "b"}, "text": "[1]"}
    assert encode_json({}) is None and encode_json([]) is None and encode_json({"b": 1, "a": "é"}) == '{"a": "é", "b": 1}'


def test_identical_bytes_are_stored_once_and_text_is_compressed_where_it_pays(store):
    first = store.save_snapshot(snapshot())
    second = store.save_snapshot(snapshot(captured_at="2024-05-02T10:00:00Z"))
    assert first != second
    assert count(store, "blobs") == 3          # page, PNG, CSS: the second capture added none
    assert count(store, "resources") == 6
    encodings = dict(store.db.execute("select sha256, encoding from blobs"))
    assert encodings[sha256(HTML)] == "zlib" and encodings[sha256(CSS)] == "zlib"
    assert encodings[sha256(PNG)] == "identity"     # an image is not recompressed
    size, stored = store.db.execute("select size, length(data) from blobs where sha256 = ?", [sha256(HTML)]).fetchone()
    assert size == len(HTML) and stored < len(HTML) * 0.9
    assert store.blob(sha256(HTML)) == HTML and store.blob(sha256(CSS)) == CSS
    info = store.blob_info(sha256(CSS))
    assert info == {"sha256": sha256(CSS), "size": len(CSS), "content_type": "text/css", "encoding": "zlib"}


def test_small_or_incompressible_text_is_kept_as_is(store):
    with store.transaction():
        small = store.put_blob(b"<p>hi</p>", "text/html")
        noise = store.put_blob(zlib.compress(bytes(range(256)) * 8), "text/plain")   # does not shrink
    encodings = dict(store.db.execute("select sha256, encoding from blobs"))
    assert encodings == {small: "identity", noise: "identity"}


def test_a_failing_transaction_leaves_nothing(store):
    store.save_snapshot(snapshot())
    before = {t: count(store, t) for t in ("snapshots", "resources", "embeds", "blobs")}
    with pytest.raises(RuntimeError, match="boom"):
        with store.transaction():
            store.put_blob(b"new bytes never kept", "text/plain")
            raise RuntimeError("boom")
    bad = snapshot(embeds=[{"position": 0, "provider": "x"}, {"position": 0, "provider": "y"}],  # same position
                   body=b"another page", captured_at="2024-06-01T00:00:00Z")
    with pytest.raises(sqlite3.IntegrityError):
        store.save_snapshot(bad)
    assert {t: count(store, t) for t in before} == before
    assert not store.has_blob(sha256(b"another page")) and not store.has_blob(sha256(b"new bytes never kept"))


def test_migrations_are_recorded_and_opening_again_changes_nothing(tmp_path):
    path = tmp_path / "archive.db"
    Store(path).close()

    def state() -> tuple[list, list]:
        conn = sqlite3.connect(path)
        try:
            applied = [r[0] for r in conn.execute("select name from _sqlite_migrations order by rowid")]
            return applied, sorted(conn.execute("select type, name, sql from sqlite_master"))
        finally:
            conn.close()

    applied, schema = state()
    # the names are what archives on disk record: renaming one would run it again on every old archive
    assert applied == ["m001_capture", "m002_embeds", "m003_search", "m004_browse_views", "m005_status_evidence",
                       "m006_checks", "m008_browser_evidence", "m009_import_source", "m010_blob_foreign_keys",
                       "m011_compact_storage", "m012_id_high_water", "m013_header_set_ids", "m014_reference_indexes"]
    for _ in range(2):
        store = Store(path)
        assert migrations.pending(store.db) == []
        store.close()
    assert state() == (applied, schema)


def test_an_archive_half_migrated_is_brought_up_to_date(tmp_path):
    path = tmp_path / "archive.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("drop view snapshot_summary")
    conn.execute("drop view post_authors")
    conn.execute("delete from _sqlite_migrations where name = 'm004_browse_views'")
    conn.commit()
    conn.close()
    store = Store(path)
    assert {"snapshot_summary", "post_authors"} <= set(store.db.view_names())
    store.close()


def test_opening_what_is_not_an_archive(tmp_path):
    with pytest.raises(MissingArchive, match="no archive at"):
        Store(tmp_path / "none.db", create=False)
    with pytest.raises(MissingArchive):
        Store(tmp_path / "none.db", read_only=True)
    assert not (tmp_path / "none.db").exists()
    (tmp_path / "junk.db").write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(CorruptArchive, match="not a usable archive database") as caught:
        Store(tmp_path / "junk.db")
    assert isinstance(caught.value, ArchiverError) and "\n" not in caught.value.message


def test_a_read_only_store_reads_and_refuses_writes(tmp_path):
    path = tmp_path / "archive.db"
    writer = Store(path)
    sid = writer.save_snapshot(snapshot())
    writer.close()
    ro = Store(path, read_only=True)
    assert ro.snapshot(sid)["title"] == "Harbour" and ro.blob(sha256(PNG)) == PNG
    with pytest.raises(ArchiveWriteError, match="read-only"):
        ro.save_snapshot(snapshot(captured_at="2024-07-01T00:00:00Z"))
    ro.close()
    again = Store(path)
    assert again.snapshot_ids() == [sid]
    again.close()


def test_a_blob_that_cannot_be_decoded_is_a_one_line_error(store):
    store.save_snapshot(snapshot())
    store.db.execute("update blobs set data = ? where sha256 = ?", [b"not zlib at all", sha256(CSS)])
    with pytest.raises(CorruptArchive, match=f"blob {sha256(CSS)} cannot be read"):
        store.blob(sha256(CSS))


def test_which_blobs_a_snapshot_refers_to(store):
    sid = store.save_snapshot(snapshot())
    other = store.save_snapshot(snapshot(captured_at="2024-05-03T00:00:00Z", resources=[], embeds=[]))
    with store.transaction():
        only_media = store.put_blob(b"GIF89a" + b"\0" * 40, "image/gif")
        store.db.execute("update embeds set media = ? where snapshot_id = ?",
                         [encode_json([{"url": "https://example.com/p.gif", "sha256": only_media}]), sid])
        store.db.execute("update resources set sha256 = null, content_type = null where snapshot_id = ? and kind = 'image'",
                         [sid])
    assert store.snapshot_blob_type(sid, sha256(CSS)) == "text/css"          # a resource
    assert store.snapshot_blob_type(sid, sha256(PNG)) == "image/png"         # an avatar, typed by its blob
    assert store.snapshot_blob_type(sid, only_media) == "image/gif"          # a post's media item
    assert store.snapshot_blob_type(sid, sha256(HTML)) is None               # the raw page is not an asset
    assert store.snapshot_blob_type(other, sha256(CSS)) is None              # another snapshot's asset


def test_adding_a_snapshot_from_its_rows(store):
    sid = store.save_snapshot(snapshot())
    snap = {k: v for k, v in store.snapshot(sid).items() if k != "id"}
    resources = [{k: v for k, v in r.items() if k not in ("id", "snapshot_id")} for r in store.resources(sid)]
    embeds = [{k: v for k, v in e.items() if k not in ("id", "snapshot_id")} for e in store.embeds(sid)]
    with store.transaction():
        copy = store.add_snapshot_rows(snap, resources, embeds)
    assert copy != sid
    assert store.snapshot_ids_matching(url=snap["url"], captured_at=snap["captured_at"],
                                       page_sha256=sha256(HTML)) == [sid, copy]
    assert store.snapshot_ids_matching(url=snap["url"], captured_at=snap["captured_at"], page_sha256=None) == []
    assert {k: v for k, v in store.snapshot(copy).items() if k != "id"} == snap
    assert store.embeds(copy)[0]["media"] == store.embeds(sid)[0]["media"]
    assert store.resources(copy)[0]["headers"] == {"etag": "x"}


def test_checks_for_verify(store):
    sid = store.save_snapshot(snapshot())
    assert store.integrity_problems() == [] and store.foreign_key_problems() == []
    assert sorted(d for d, *_ in store.stored_blobs()) == sorted([sha256(HTML), sha256(PNG), sha256(CSS)])
    refs = list(store.blob_references())
    assert ("snapshots", sid, "page_sha256", sha256(HTML)) in refs
    assert ("embeds", 1, "avatar_sha256", sha256(PNG)) in refs
    assert any(t == "embeds" and c == "media" and sha256(PNG) in v for t, _, c, v in refs)
    assert [r for r in refs if r[0] == "resources"] == [
        ("resources", 1, "sha256", sha256(PNG)), ("resources", 2, "sha256", sha256(CSS)), ("resources", 3, "sha256", None)]


def _old_archive(path, *, dangling: bool = False):
    from archiver.store.compact import Compactor
    """An archive made before m010 (migrated up to m009 by sqlite-utils itself), with one
    snapshot written through the Store's own insert (the FTS triggers of m003 fill the index)."""
    from sqlite_utils import Database
    db = Database(path)
    migrations.apply(db, stop_before="m010_blob_foreign_keys")
    db.conn.close()
    conn = sqlite3.connect(path)
    assert not any(fk[3] == "page_sha256" for fk in conn.execute("pragma foreign_key_list(snapshots)"))
    conn.close()
    store = Store.__new__(Store)          # a Store that does not migrate: as the older version wrote
    store.path, store.cannot_write = str(path), None
    store.db = Database(sqlite3.connect(path, isolation_level=None))
    store.compact = Compactor(store)      # before m011: it writes rows whole
    store._new_id = lambda table: None    # before m012: SQLite picks each id
    store.db.conn.execute("PRAGMA foreign_keys = ON")
    sid = store.save_snapshot(snapshot())
    if dangling:   # a reference to a blob that is not there: what `verify` exists to report
        store.db.execute("update embeds set avatar_sha256 = ? where snapshot_id = ?", ["0" * 64, sid])
    store.db.conn.close()
    return sid


def _blob_fks(store: Store) -> set[tuple[str, str]]:
    found = set()
    for table in ("snapshots", "resources", "embeds", "checks"):
        found |= {(table, fk.column) for fk in store.db[table].foreign_keys if fk.other_table == "blobs"}
    return found


@pytest.mark.parametrize("old", [True, False], ids=["migrated-archive", "new-archive"])
def test_every_blob_column_has_a_foreign_key_and_search_still_works(tmp_path, old):
    from archiver.store.queries import search_articles, search_posts
    path = tmp_path / "archive.db"
    if old:
        first = _old_archive(path)
        store = Store(path)
    else:
        store = Store(path)
        first = store.save_snapshot(snapshot())
    from archiver.store.compact import INTERNAL_BLOB_COLUMNS
    named = {**BLOB_COLUMNS, "embeds": (*BLOB_COLUMNS["embeds"], *INTERNAL_BLOB_COLUMNS["embeds"])}
    assert _blob_fks(store) == {(t, c) for t, cols in named.items() for c in cols}
    assert store.db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert store.foreign_key_problems() == [] and store.integrity_problems() == []
    # the FTS triggers came through the rebuild: old rows are found, new rows are indexed
    triggers = {name for (name,) in store.db.execute("select name from sqlite_master where type = 'trigger'")}
    assert {"snapshots_ai", "snapshots_ad", "snapshots_au", "embeds_ai", "embeds_ad", "embeds_au"} <= triggers
    assert [r["snapshot_id"] for r in search_articles(store, "harbour", 10)] == [first]
    second = store.save_snapshot(snapshot(captured_at="2024-06-01T00:00:00Z",
                                          meta={"title": "Lighthouse", "text": "The lighthouse keeper retired"}))
    assert [r["snapshot_id"] for r in search_articles(store, "lighthouse", 10)] == [second]
    assert sorted(r["snapshot_id"] for r in search_posts(store, "harbour", 10)) == [first, second]
    store.db.execute("update snapshots set title = 'Breakwater' where id = ?", [second])
    assert [r["snapshot_id"] for r in search_articles(store, "breakwater", 10)] == [second]
    # views over the rebuilt tables still answer
    assert store.db.execute("select count(*) from snapshot_summary").fetchone()[0] == 2
    assert store.db.execute("select count(*) from posts_with_articles").fetchone()[0] == 2
    # and SQLite now refuses a row naming a blob that is not stored
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        with store.transaction():
            store.db.execute("update embeds set avatar_sha256 = ? where snapshot_id = ?", ["f" * 64, first])
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        with store.transaction():
            store.db.execute("update snapshots set page_sha256 = ? where id = ?", ["f" * 64, first])
    store.close()


def test_an_old_archive_with_a_dangling_blob_reference_still_migrates(tmp_path):
    path = tmp_path / "archive.db"
    sid = _old_archive(path, dangling=True)
    store = Store(path)
    assert ("embeds", "avatar_sha256") in _blob_fks(store)
    assert [(table, parent) for table, _, parent in store.foreign_key_problems()] == [("embeds", "blobs")]
    assert store.snapshot(sid)["title"] == "Harbour"      # nothing was lost or changed
    assert store.embeds(sid)[0]["avatar_sha256"] == "0" * 64
    store.close()
