"""docs/datasette.json, the metadata the README's `datasette` command uses: every table, view and
column it names exists in a real archive, and every canned query runs there and finds what it says."""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from archiver.model import Snapshot
from archiver.store import Store

METADATA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "datasette.json").read_text())
DB = METADATA["databases"]["archive"]


@pytest.fixture
def archive(tmp_path) -> Path:
    path = tmp_path / "archive.db"
    store = Store(path)
    store.save_snapshot(Snapshot(url="https://news.example/a", captured_at="2026-01-01T00:00:00Z",
                                 status_code=404, error="HTTP 404"))
    store.close()
    return path


def columns(conn: sqlite3.Connection, name: str) -> set[str]:
    return {row[1] for row in conn.execute(f"pragma table_info([{name}])")}


def test_every_table_view_and_column_named_exists(archive):
    conn = sqlite3.connect(archive)
    for name, conf in DB["tables"].items():
        cols = columns(conn, name)
        assert cols, f"{name} is neither a table nor a view"
        named = [conf.get("label_column"), conf.get("sort_desc"), conf.get("fts_pk"), *conf.get("facets", [])]
        assert {c for c in named if c} <= cols, (name, {c for c in named if c} - cols)
        if "fts_table" in conf:
            assert columns(conn, conf["fts_table"])


def test_every_table_is_described_or_hidden(archive):
    """A table the metadata does not name would show up in Datasette's listing unexplained:
    bookkeeping tables are hidden, full-text indexes Datasette hides itself."""
    conn = sqlite3.connect(archive)
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    fts = {t for t in tables if re.fullmatch(r"\w+_fts(_\w+)?", t)}
    assert tables - fts - set(DB["tables"]) == set()
    assert {t for t, conf in DB["tables"].items() if conf.get("hidden")} == {"header_sets", "id_high_water",
                                                                          "_sqlite_migrations"}


@pytest.mark.parametrize("name", sorted(DB["queries"]))
def test_every_canned_query_runs(archive, name):
    sql = DB["queries"][name]["sql"]
    params = {p: "https://news.example/a" for p in re.findall(r":(\w+)", sql)}
    conn = sqlite3.connect(archive)
    conn.execute(sql, params).fetchall()


def test_the_failed_capture_is_found_by_its_queries(archive):
    conn = sqlite3.connect(archive)
    failed = conn.execute(DB["queries"]["failed_captures"]["sql"]).fetchall()
    assert [(row[2], row[4]) for row in failed] == [("https://news.example/a", "HTTP 404")]
    captures = conn.execute(DB["queries"]["captures_of_url"]["sql"], {"url": "https://news.example/a"}).fetchall()
    assert len(captures) == 1
