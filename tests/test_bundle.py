"""Zip bundles: export, import, round trip, idempotency, determinism, CLI."""
from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from archiver.bundle.layout import FORMAT, FORMAT_VERSION
from archiver.bundle.formats import ExportError
from archiver.bundle.zipexport import export_zip
from archiver.bundle.zipimport import import_zip
from archiver.cli import main
from archiver.render import render_snapshot
from archiver.store import Store
from bundle_helpers import CSS, PHOTO, file_sha, make_archive, make_snapshot, table_dump

FIXED = datetime(2024, 6, 1, 8, 30, 0, tzinfo=timezone.utc)


def clock() -> datetime:
    return FIXED


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    make_archive(tmp_path / "a.db").close()
    return tmp_path / "a.db"


def test_manifest_describes_every_file(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    export_zip(store, store.snapshot_ids(), tmp_path / "b.zip", clock=clock, render=False)
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
        assert manifest["format"] == FORMAT and manifest["format_version"] == FORMAT_VERSION
        assert manifest["created_at"] == "2024-06-01T08:30:00Z"
        assert manifest["tool"]["name"] == "archiver"
        listed = {f["path"]: f for f in manifest["files"]}
        assert names == set(listed) | {"manifest.json"}
        for path, entry in listed.items():
            data = zf.read(path)
            assert len(data) == entry["size"]
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        # raw blobs by sha256, including a zlib-stored one (CSS) and post media
        assert zf.read(f"blobs/{hashlib.sha256(CSS).hexdigest()}") == CSS
        assert zf.read(f"blobs/{hashlib.sha256(PHOTO).hexdigest()}") == PHOTO
        snap = json.loads(zf.read("snapshots/2/snapshot.json"))
    assert [s["url"] for s in manifest["snapshots"]] == ["https://news.example/story-1.html",
                                                         "https://news.example/story-2.html"]
    assert snap["snapshot"]["captured_at"] == "2024-05-02T12:00:00Z"
    assert snap["snapshot"]["headers"]["Server"] == "test"
    assert [e["sources"]["published_at"] for e in snap["embeds"]] == ["derived", "derived"]
    assert {r["url"] for r in snap["resources"]} >= {"https://news.example/img/missing.png"}
    assert "id" not in snap["snapshot"] and all("snapshot_id" not in r for r in snap["resources"])


def test_index_html_lists_snapshots_and_needs_no_network(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    export_zip(store, store.snapshot_ids(), tmp_path / "b.zip", clock=clock, render=False)
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        soup = BeautifulSoup(zf.read("index.html"), "html.parser")
    items = soup.select("ol > li")
    assert len(items) == 2
    assert "Story 1 <über>" in items[0].get_text()          # escaped, then read back as text
    assert soup.find("script") is None
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp
    for tag in soup.find_all(["a", "img", "link"]):
        ref = tag.get("href") or tag.get("src") or ""
        assert not ref.startswith(("http:", "https:", "//")), ref


def test_export_is_deterministic_with_an_injected_clock(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    export_zip(store, store.snapshot_ids(), tmp_path / "one.zip", clock=clock, render=False)
    export_zip(store, store.snapshot_ids(), tmp_path / "two.zip", clock=clock, render=False)
    assert file_sha(tmp_path / "one.zip") == file_sha(tmp_path / "two.zip")
    later = lambda: datetime(2025, 1, 1, tzinfo=timezone.utc)  # noqa: E731
    export_zip(store, store.snapshot_ids(), tmp_path / "three.zip", clock=later, render=False)
    assert file_sha(tmp_path / "one.zip") != file_sha(tmp_path / "three.zip")


def test_round_trip_into_an_empty_archive_keeps_everything(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    export_zip(store, store.snapshot_ids(), tmp_path / "b.zip", clock=clock, render=False)
    target = Store(tmp_path / "empty.db")
    result = import_zip(target, tmp_path / "b.zip")
    assert sorted(result.added) == [1, 2] and not result.existing
    assert result.blobs_added == 6
    target.close()
    store.close()
    assert table_dump(archive) == table_dump(tmp_path / "empty.db")


def test_import_twice_adds_nothing(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    export_zip(store, store.snapshot_ids(), tmp_path / "b.zip", clock=clock, render=False)
    target = Store(tmp_path / "t.db")
    first = import_zip(target, tmp_path / "b.zip")
    before = table_dump(tmp_path / "t.db")
    second = import_zip(target, tmp_path / "b.zip")
    assert not second.added and second.blobs_added == 0
    assert second.existing == first.added
    assert table_dump(tmp_path / "t.db") == before


def test_import_merges_with_new_ids_and_shares_blobs(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    export_zip(store, [2], tmp_path / "b.zip", clock=clock, render=False)
    target = Store(tmp_path / "t.db")
    own = target.save_snapshot(make_snapshot(3))        # same CSS, images and avatar bytes
    result = import_zip(target, tmp_path / "b.zip")
    new_id = result.added[2]
    assert new_id != own
    assert result.blobs_added == 1                      # only the story-2 page is new
    assert target.snapshot(new_id)["url"] == "https://news.example/story-2.html"
    assert target.snapshot(new_id)["captured_at"] == "2024-05-02T12:00:00Z"
    assert len(target.resources(new_id)) == 5 and len(target.embeds(new_id)) == 2
    assert target.db.execute("select count(*) from snapshots_fts where snapshots_fts match 'Story'").fetchone()[0] == 2


def test_export_of_an_unknown_id_is_refused(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    with pytest.raises(ExportError, match="no snapshot #99"):
        export_zip(store, [1, 99], tmp_path / "b.zip", clock=clock)
    assert not (tmp_path / "b.zip").exists()
    assert not list(tmp_path.glob(".b.zip.*"))          # no half-written temp file left


def test_export_refuses_a_corrupt_blob(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    digest = store.snapshot(1)["page_sha256"]
    with store.transaction():
        store.db.execute("update blobs set data = ?, encoding = 'identity' where sha256 = ?", [b"tampered", digest])
    with pytest.raises(ExportError, match="does not match its hash"):
        export_zip(store, [1], tmp_path / "b.zip", clock=clock, render=False)


# ---------------------------------------------------------------- render inside the bundle
def test_bundle_carries_offline_pages_that_survive_the_round_trip(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    export_zip(store, store.snapshot_ids(), tmp_path / "b.zip", clock=clock)
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert all(s["rendered"] for s in manifest["snapshots"])
        page = zf.read("snapshots/1/index.html")
        zf.extractall(tmp_path / "unzipped")
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup.find_all(src=True):
        assert (tmp_path / "unzipped/snapshots/1" / tag["src"]).is_file(), tag["src"]
    index = BeautifulSoup((tmp_path / "unzipped/index.html").read_bytes(), "html.parser")
    assert index.find("a", href="snapshots/1/index.html") is not None
    target = Store(tmp_path / "t.db")
    mapping = import_zip(target, tmp_path / "b.zip").added
    for old, new in mapping.items():
        assert render_snapshot(target, new).html == render_snapshot(store, old).html


# ---------------------------------------------------------------- CLI
def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def test_cli_export_import_round_trip(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    res = run(archive, "export", "--all", "-o", str(out), "--no-render", "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["snapshots"] == 2 and summary["format"] == "zip" and out.is_file()
    res = run(tmp_path / "new.db", "import", str(out), "--json")
    assert res.exit_code == 0, res.output
    mapping = json.loads(res.stdout)
    assert [(m["bundle_id"], m["id"]) for m in mapping["added"]] == [(1, 1), (2, 2)]
    assert table_dump(archive) == table_dump(tmp_path / "new.db")
    again = run(tmp_path / "new.db", "import", str(out))
    assert again.exit_code == 0 and "imported 0 snapshots" in again.stderr and "2 already present" in again.stderr


@pytest.mark.parametrize("args, message", [
    ((), "give at least one snapshot id"),
    (("1", "--all"), "not both"),
    (("1", "2", "--format", "html"), "exactly one snapshot"),
])
def test_cli_export_usage_errors(archive: Path, args: tuple[str, ...], message: str) -> None:
    res = run(archive, "export", *args)
    assert res.exit_code == 2 and message in res.stderr


def test_cli_export_unknown_id_is_one_line_exit_1(archive: Path, tmp_path: Path) -> None:
    res = run(archive, "export", "7", "-o", str(tmp_path / "x.zip"))
    assert res.exit_code == 1
    assert res.stderr.strip() == "Error: no snapshot #7"


def test_cli_export_without_archive(tmp_path: Path) -> None:
    res = run(tmp_path / "none.db", "export", "--all")
    assert res.exit_code == 1 and "no archive" in res.stderr
    assert not (tmp_path / "none.db").exists()


def test_cli_import_of_a_missing_or_non_zip_file(tmp_path: Path) -> None:
    res = run(tmp_path / "t.db", "import", str(tmp_path / "missing.zip"))
    assert res.exit_code == 1 and "nothing was imported" in res.stderr
    (tmp_path / "notzip.zip").write_bytes(b"hello")
    res = run(tmp_path / "t.db", "import", str(tmp_path / "notzip.zip"))
    assert res.exit_code == 1 and "not a readable zip file, WARC, WACZ or archive database" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- real captures, end to end
def test_captured_snapshots_round_trip_with_identical_hashes_and_pages(site, tmp_path: Path) -> None:
    """Two captures of a page served from 127.0.0.1 (likely within the same second: still two
    snapshots), exported, imported into an empty archive: same pages, resources, hashes, renders."""
    from archiver.capture import archive_urls
    from archiver.settings import Settings

    url = site.url_for("/site/article.html")
    store = Store(tmp_path / "a.db")
    results = archive_urls([url], store, Settings(enrich=False)) + archive_urls([url], store, Settings(enrich=False))
    assert all(r.ok for r in results)
    ids = [r.snapshot_id for r in results]
    assert sum(len(store.resources(i)) for i in ids) > 2
    export_zip(store, ids, tmp_path / "b.zip", clock=clock, render=True)

    target = Store(tmp_path / "empty.db")
    result = import_zip(target, tmp_path / "b.zip")
    assert sorted(result.added) == sorted(ids) and not result.existing

    def hashes(s: Store, sid: int) -> tuple:
        snap = s.snapshot(sid)
        return (snap["url"], snap["captured_at"], snap["page_sha256"],
                [(r["url"], r["sha256"], r["status_code"]) for r in s.resources(sid)])

    for old, new in result.added.items():
        assert hashes(target, new) == hashes(store, old)
        assert render_snapshot(target, new).html == render_snapshot(store, old).html
    again = import_zip(target, tmp_path / "b.zip")
    assert not again.added and again.existing == result.added
    store.close()
    target.close()
    assert table_dump(tmp_path / "a.db") == table_dump(tmp_path / "empty.db")


def test_exported_files_get_ordinary_permissions(archive: Path, tmp_path: Path) -> None:
    import os
    store = Store(archive)
    old = os.umask(0o022)
    try:
        export_zip(store, [1], tmp_path / "b.zip", clock=clock, render=False)
    finally:
        os.umask(old)
    assert (tmp_path / "b.zip").stat().st_mode & 0o777 == 0o644
