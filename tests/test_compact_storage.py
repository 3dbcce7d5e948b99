"""m011_compact_storage (archiver/store/compact.py): repeated response headers and oEmbed answers
kept once, with every row reading back exactly as it was written; old archives read as before."""
from __future__ import annotations

import json
import sqlite3

import pytest
from sqlite_utils import Database

from archiver.bundle.verify import verify
from archiver.model import Resource, Snapshot, sha256
from archiver.store import Store, encode_row
from archiver.store.blobs import pack
from archiver.store.schema import migrations

PAGE = b"<!doctype html><html><head><title>Harbour</title></head><body><p>The pier.</p></body></html>"
ANSWER = {"type": "rich", "author_name": "Ann", "html": "<blockquote>Hello</blockquote>", "width": 550,
          "cache_age": 3153600000, "version": "1.0", "\u00e9t\u00e9": "caf\u00e9 \u2013 ok"}
ANSWER_BYTES = json.dumps(ANSWER).encode()          # key order and escapes as the platform sent them


def host_headers(i: int, **extra) -> dict:
    return {"server": "nginx/1.25 ", "cache-control": "public, max-age=300", "date": "Sun, 29 Nov 2026 01:57:05 GMT",
            "content-type": "image/jpeg", "content-length": str(1000 + i), "etag": f'"{i:08x}"',
            "last-modified": "Mon, 01 Jan 2024 00:00:00 GMT", **extra}


def page(resources: list[Resource], embeds: list[dict] | None = None, **kw) -> Snapshot:
    return Snapshot(url="https://news.example/a.html", final_url="https://news.example/a.html",
                    captured_at=kw.pop("captured_at", "2026-11-29T01:57:05Z"), status_code=200,
                    content_type="text/html", headers={"server": "nginx", "content-type": "text/html"},
                    body=PAGE, meta={"title": "Harbour"}, resources=resources, embeds=embeds or [], **kw)


def image(i: int, headers: dict, host: str = "cdn.example") -> Resource:
    return Resource(url=f"https://{host}/{i}.jpg", kind="image", content_type="image/jpeg", status_code=200,
                    body=b"\xff\xd8" + bytes([i % 256]) * (50 + i), headers=headers)


def oembed_resource(body: bytes = ANSWER_BYTES) -> Resource:
    return Resource(url="https://publish.x.example/oembed?url=https%3A%2F%2Fx.example%2Fann%2F1", kind="oembed",
                    content_type="application/json", status_code=200, body=body,
                    headers={"content-type": "application/json"})


def post(**kw) -> dict:
    return {"position": 0, "provider": "twitter", "kind": "post", "post_url": "https://x.example/ann/1",
            "author_name": "Ann", "oembed": ANSWER, "markup": "<blockquote>Hello</blockquote>", "status": "ok", **kw}


def stored(store: Store, sql: str, params=()) -> list[tuple]:
    return store.db.execute(sql, list(params)).fetchall()


# ------------------------------------------------------------------ headers
def test_repeated_headers_are_kept_once_and_read_back_exactly(tmp_path):
    store = Store(tmp_path / "a.db")
    odd = host_headers(7, **{"x-list": ["a", "b"], "x-num": 1, "x-float": 1.0, "x-true": True, "x-empty": "",
                             "x-unicode": "caf\u00e9 \u2603"})
    headers = [host_headers(i) for i in range(40)] + [odd, host_headers(41, **{"set-cookie": "a=1"})]
    less = host_headers(42)
    del less["server"]                                 # a response lacking one header of its set
    headers.append(less)
    resources = [image(i, h) for i, h in enumerate(headers)]
    resources.append(image(99, {"content-type": "image/png"}, host="other.example"))
    resources.append(image(100, {}, host="other.example"))
    sid = store.save_snapshot(page(resources))
    got = [r["headers"] for r in store.resources(sid)]
    assert got == [*headers, {"content-type": "image/png"}, {}]
    # same order of keys as the JSON the archive kept before m011 (sorted), which WARC export follows
    assert [list(h) for h in got] == [sorted(h) for h in got]
    sets = stored(store, "select count(*) from header_sets")[0][0]
    assert sets <= 3      # the host's set, the odd one, other.example's
    patch_bytes, set_rows = stored(store, "select sum(length(headers)), count(header_set) from resources")[0]
    full_bytes = sum(len(json.dumps(h, sort_keys=True, ensure_ascii=False)) for h in headers)
    assert set_rows == len(headers) + 1 and patch_bytes < full_bytes / 2
    # the lacking headers are null in the patch (a JSON merge patch), as SQLite's json_patch reads it
    patch = json.loads(stored(store, "select headers from resources where url like '%/42.jpg'")[0][0])
    assert patch == {"content-length": "1042", "etag": '"0000002a"', "server": None}
    view = {url: json.loads(h) if h else {} for url, h in stored(
        store, "select r.url, v.headers from resource_headers v join resources r on r.id = v.id")}
    assert [view[r.url] for r in resources] == [*headers, {"content-type": "image/png"}, {}]
    store.close()


def test_a_rolled_back_capture_leaves_no_header_set_behind_and_none_named(tmp_path):
    store = Store(tmp_path / "a.db")
    bad = page([image(1, host_headers(1))], embeds=[{"position": 0, "provider": "x"}, {"position": 0, "provider": "y"}])
    try:
        store.save_snapshot(bad)
    except sqlite3.IntegrityError:
        pass
    assert stored(store, "select count(*) from header_sets") == [(0,)]
    sid = store.save_snapshot(page([image(2, host_headers(2)), image(3, host_headers(3))]))
    assert [r["headers"] for r in store.resources(sid)] == [host_headers(2), host_headers(3)]
    assert store.foreign_key_problems() == []
    store.close()


# ------------------------------------------------------------------ oEmbed answers
def test_an_oembed_answer_kept_as_a_blob_is_not_copied_into_the_post(tmp_path):
    store = Store(tmp_path / "a.db")
    sid = store.save_snapshot(page([oembed_resource()], embeds=[post()]))
    assert stored(store, "select oembed, oembed_sha256 from embeds") == [(None, sha256(ANSWER_BYTES))]
    emb = store.embeds(sid)[0]
    assert emb["oembed"] == ANSWER and "oembed_sha256" not in emb
    assert json.dumps(emb["oembed"]) == json.dumps(ANSWER, sort_keys=True)   # keys sorted, as stored before
    assert verify(store).problems == []
    store.close()


def test_an_oembed_answer_that_differs_from_every_blob_stays_in_the_row(tmp_path):
    store = Store(tmp_path / "a.db")
    other = {**ANSWER, "author_name": "Bob"}
    sid = store.save_snapshot(page([oembed_resource()], embeds=[post(oembed=other), post(position=1, oembed=None)]))
    rows = stored(store, "select oembed, oembed_sha256 from embeds order by position")
    assert rows == [(json.dumps(other, sort_keys=True, ensure_ascii=False), None), (None, None)]
    assert [e["oembed"] for e in store.embeds(sid)] == [other, {}]
    store.close()


def test_rows_read_through_every_reader_are_the_logical_ones(tmp_path):
    from archiver.store.checks import posts_to_check
    from archiver.store.queries import list_posts
    store = Store(tmp_path / "a.db")
    sid = store.save_snapshot(page([oembed_resource(), image(1, host_headers(1))], embeds=[post()]))
    assert posts_to_check(store)[0]["oembed"] == ANSWER
    assert list_posts(store)[0][0]["oembed"] == ANSWER
    assert "header_set" not in store.columns("resources") and "oembed_sha256" not in store.columns("embeds")
    assert all("header_set" not in r for r in store.resources(sid))
    store.close()


# ------------------------------------------------------------------ old archives
def old_archive(path) -> tuple[list[dict], list[dict]]:
    """An archive made before m011, with rows written the way archiver wrote them then."""
    db = Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(db, stop_before="m011_compact_storage")
    for body, ctype in ((PAGE, "text/html"), (ANSWER_BYTES, "application/json")):
        encoding, data = pack(body, ctype)
        db.execute("insert into blobs values (?, ?, ?, ?, ?)", [sha256(body), len(body), ctype, encoding, data])
    db.execute("insert into snapshots (id, url, captured_at, page_sha256) values (1, 'https://news.example/a.html',"
               " '2024-05-01T10:00:00Z', ?)", [sha256(PAGE)])
    resources = [{"url": f"https://cdn.example/{i}.jpg", "kind": "image", "headers": host_headers(i)} for i in range(3)]
    resources.append({"url": "https://publish.x.example/oembed", "kind": "oembed", "sha256": sha256(ANSWER_BYTES),
                      "headers": {"content-type": "application/json"}})
    embeds = [post()]
    for table, rows in (("resources", resources), ("embeds", embeds)):
        for row in rows:
            values = encode_row(table, {**row, "snapshot_id": 1})
            db.execute(f"insert into {table} ({', '.join(values)}) values ({', '.join('?' * len(values))})",
                       list(values.values()))
    db.conn.close()
    return resources, embeds


def test_an_old_archive_reads_the_same_before_and_after_migrating(tmp_path):
    path = tmp_path / "old.db"
    resources, embeds = old_archive(path)
    ro = Store(path, read_only=True)                    # not migrated: read as it is
    before = (ro.resources(1), ro.embeds(1))
    ro.close()
    assert [r["headers"] for r in before[0]] == [r["headers"] for r in resources]
    assert before[1][0]["oembed"] == ANSWER
    store = Store(path)                                 # migrated
    assert "m011_compact_storage" in {name for (name,) in store.db.execute("select name from _sqlite_migrations")}
    assert (store.resources(1), store.embeds(1)) == before
    assert store.db.execute("pragma page_size").fetchone()[0] == 4096   # an old file keeps its pages
    view = [json.loads(h) for (h,) in stored(store, "select headers from resource_headers order by id")]
    assert view == [r["headers"] for r in resources]
    assert verify(store).problems == []
    # what it captures from now on is compacted
    sid = store.save_snapshot(page([oembed_resource(), image(5, host_headers(5)), image(6, host_headers(6))],
                                   embeds=[post()], captured_at="2024-06-01T00:00:00Z"))
    assert stored(store, "select count(*) from resources where header_set is not null") == [(3,)]
    assert store.embeds(sid)[0]["oembed"] == ANSWER and store.resources(sid)[1]["headers"] == host_headers(5)
    store.close()


def test_new_archives_use_small_pages(tmp_path):
    store = Store(tmp_path / "a.db")
    assert store.db.execute("pragma page_size").fetchone()[0] == 2048
    store.close()


@pytest.mark.parametrize("other_writes", [True, False], ids=["another set written since", "nothing written since"])
def test_a_set_removed_by_another_process_is_not_written_against(tmp_path, other_writes):
    """Two processes on one archive: A remembers the header set it wrote for a host; B removes the
    only snapshot using it (the set goes) and may write another host's set. A's next capture of
    that host must neither name the removed set (its foreign key fails) nor, under a reused id,
    B's set (its headers would read back as B's)."""
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "a.db")
    first = a.save_snapshot(page([image(i, host_headers(i)) for i in range(3)]))
    b.remove_snapshots([first])
    if other_writes:
        b.save_snapshot(page([image(1, {"server": "apache", "x-other": "1"}, host="other.example")],
                             captured_at="2026-11-30T00:00:00Z"))
    again = a.save_snapshot(page([image(5, host_headers(5))], captured_at="2026-12-01T00:00:00Z"))
    assert Store(tmp_path / "a.db").resources(again)[0]["headers"] == host_headers(5)
    assert 1 not in {r[0] for r in stored(a, "select id from header_sets")}   # a set's id is never given twice
