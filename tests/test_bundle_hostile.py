"""Tampered and hostile bundles are refused with one clear line, and nothing is written."""
from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.bundle.manifest import BundleError
from archiver.bundle.zipexport import export_zip
from archiver.bundle.zipimport import import_zip
from archiver.cli import main
from archiver.store import Store
from bundle_helpers import make_archive, make_snapshot, table_dump


def clock() -> datetime:
    return datetime(2024, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory) -> dict[str, bytes]:
    """The entries of an honest two-snapshot bundle, name -> bytes (in zip order)."""
    tmp = tmp_path_factory.mktemp("good")
    store = make_archive(tmp / "a.db")
    export_zip(store, store.snapshot_ids(), tmp / "b.zip", clock=clock, render=False)
    with zipfile.ZipFile(tmp / "b.zip") as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture
def target(tmp_path: Path) -> Store:
    """An archive that already holds one snapshot, so 'nothing written' is a real claim."""
    store = Store(tmp_path / "target.db")
    store.save_snapshot(make_snapshot(5))
    return store


def write_zip(path: Path, entries: dict[str, bytes], *, tweak: Callable[[zipfile.ZipInfo], None] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            if tweak:
                tweak(info)
            zf.writestr(info, data)
    return path


def manifest_of(entries: dict[str, bytes]) -> dict:
    return json.loads(entries["manifest.json"])


def with_manifest(entries: dict[str, bytes], manifest: dict) -> dict[str, bytes]:
    return {**entries, "manifest.json": json.dumps(manifest).encode()}


def with_file(entries: dict[str, bytes], name: str, data: bytes, *, list_it: bool = True) -> dict[str, bytes]:
    """Add an entry, and (when list_it) an honest manifest line for it."""
    out = {**entries, name: data}
    if list_it:
        manifest = manifest_of(entries)
        manifest["files"].append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        out = with_manifest(out, manifest)
    return out


def assert_refused(target: Store, bundle: Path, message: str) -> None:
    db = Path(target.path)
    before = table_dump(db)
    with pytest.raises(BundleError, match=message):
        import_zip(target, bundle)
    assert table_dump(db) == before
    res = CliRunner().invoke(main, ["--db", str(db), "import", str(bundle)])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "nothing was imported" in lines[0]
    assert table_dump(db) == before


def test_honest_bundle_imports(good_bundle, target: Store, tmp_path: Path) -> None:
    """The control: the same helpers build a bundle that imports."""
    result = import_zip(target, write_zip(tmp_path / "ok.zip", good_bundle))
    assert len(result.added) == 2


def test_dotdot_entry_is_refused(good_bundle, target, tmp_path) -> None:
    bundle = write_zip(tmp_path / "x.zip", with_file(good_bundle, "../evil.txt", b"pwned"))
    assert_refused(target, bundle, r"'\.\.' in path")
    assert not (tmp_path / "evil.txt").exists()


def test_dotdot_entry_not_listed_is_refused(good_bundle, target, tmp_path) -> None:
    bundle = write_zip(tmp_path / "x.zip", with_file(good_bundle, "snapshots/../../evil", b"x", list_it=False))
    assert_refused(target, bundle, r"refusing entry")


@pytest.mark.parametrize("name, reason", [
    ("/etc/evil", "absolute path"),
    ("C:/evil", "absolute path"),
    ("blobs\\..\\evil", "backslash"),
    ("blobs//x", "empty or '.' path segment"),
])
def test_unsafe_names_are_refused(good_bundle, target, tmp_path, name, reason) -> None:
    bundle = write_zip(tmp_path / "x.zip", with_file(good_bundle, name, b"x"))
    assert_refused(target, bundle, reason)


def test_symlink_entry_is_refused(good_bundle, target, tmp_path) -> None:
    entries = with_file(good_bundle, "snapshots/1/link", b"/etc/passwd")

    def as_symlink(info: zipfile.ZipInfo) -> None:
        if info.filename == "snapshots/1/link":
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16

    assert_refused(target, write_zip(tmp_path / "x.zip", entries, tweak=as_symlink), "symbolic link")


def test_duplicate_entry_is_refused(good_bundle, target, tmp_path) -> None:
    path = write_zip(tmp_path / "x.zip", good_bundle)
    with zipfile.ZipFile(path, "a") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("index.html", b"<p>second copy</p>")
    assert_refused(target, path, "appears twice")


def test_entry_not_in_manifest_is_refused(good_bundle, target, tmp_path) -> None:
    bundle = write_zip(tmp_path / "x.zip", with_file(good_bundle, "extra.txt", b"hi", list_it=False))
    assert_refused(target, bundle, "'extra.txt' is not listed in manifest.json")


def test_manifest_listing_a_missing_file_is_refused(good_bundle, target, tmp_path) -> None:
    blob = next(n for n in good_bundle if n.startswith("blobs/"))
    entries = {k: v for k, v in good_bundle.items() if k != blob}
    assert_refused(target, write_zip(tmp_path / "x.zip", entries), "bundle has no such entry")


def test_entry_bigger_than_declared_is_refused(good_bundle, target, tmp_path) -> None:
    blob = next(n for n in good_bundle if n.startswith("blobs/"))
    manifest = manifest_of(good_bundle)
    for f in manifest["files"]:
        if f["path"] == blob:
            f["size"] -= 1
    bundle = write_zip(tmp_path / "x.zip", with_manifest(good_bundle, manifest))
    assert_refused(target, bundle, "manifest.json declares")


def test_zip_header_lying_about_size_is_refused(good_bundle, target, tmp_path) -> None:
    """The central directory says 10 bytes; the data inflates to far more."""
    big = b"A" * 200_000
    entries = with_file(good_bundle, "snapshots/1/assets/big.txt", big)
    manifest = manifest_of(entries)
    for f in manifest["files"]:
        if f["path"] == "snapshots/1/assets/big.txt":
            f["size"] = 10
    path = write_zip(tmp_path / "x.zip", with_manifest(entries, manifest))
    data = bytearray(path.read_bytes())
    # patch the uncompressed size (offset 24 in the central directory record) of that entry
    name = b"snapshots/1/assets/big.txt"
    at = data.rfind(b"PK\x01\x02" , 0, data.rfind(name))
    data[at + 24:at + 28] = (10).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04" + b"", 0)
    while data[local + 30:local + 30 + len(name)] != name:
        local = data.find(b"PK\x03\x04", local + 4)
    data[local + 22:local + 26] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert_refused(target, path, "bigger than declared|damaged zip data")


def test_zip_bomb_past_the_cap_is_refused(good_bundle, target, tmp_path) -> None:
    bomb = b"\0" * (3 * 1024 * 1024)   # deflates to a few kB
    bundle = write_zip(tmp_path / "x.zip", with_file(good_bundle, "snapshots/1/assets/zeros.bin", bomb))
    assert bundle.stat().st_size < 100_000
    db = Path(target.path)
    before = table_dump(db)
    with pytest.raises(BundleError, match="more than the 1048576-byte import cap"):
        import_zip(target, bundle, max_bytes=1024 * 1024)
    assert table_dump(db) == before
    res = CliRunner().invoke(main, ["--db", str(db), "import", str(bundle), "--max-size", str(1024 * 1024)])
    assert res.exit_code == 1 and "import cap" in res.stderr


def test_tampered_blob_is_refused(good_bundle, target, tmp_path) -> None:
    blob = next(n for n in good_bundle if n.startswith("blobs/"))
    original = good_bundle[blob]
    tampered = bytes([original[0] ^ 1]) + original[1:]
    bundle = write_zip(tmp_path / "x.zip", {**good_bundle, blob: tampered})
    assert_refused(target, bundle, "does not match its sha256")


def test_tampered_snapshot_json_with_fixed_hash_is_refused(good_bundle, target, tmp_path) -> None:
    """A liar who also rewrites the manifest hash: snapshot.json and manifest disagree about the url."""
    name = "snapshots/1/snapshot.json"
    record = json.loads(good_bundle[name])
    record["snapshot"]["url"] = "https://elsewhere.example/"
    data = json.dumps(record).encode()
    entries = {**good_bundle, name: data}
    manifest = manifest_of(good_bundle)
    for f in manifest["files"]:
        if f["path"] == name:
            f.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    assert_refused(target, write_zip(tmp_path / "x.zip", with_manifest(entries, manifest)), "disagree about")


def test_manifest_blob_named_with_another_hash_is_refused(good_bundle, target, tmp_path) -> None:
    blob = next(n for n in good_bundle if n.startswith("blobs/"))
    data = b"not the bytes that name promises"
    manifest = manifest_of(good_bundle)
    for f in manifest["files"]:
        if f["path"] == blob:
            f.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    entries = with_manifest({**good_bundle, blob: data}, manifest)
    assert_refused(target, write_zip(tmp_path / "x.zip", entries), "declared with another sha256")


def test_snapshot_needing_a_blob_the_bundle_lacks_is_refused(good_bundle, target, tmp_path) -> None:
    page = json.loads(good_bundle["snapshots/1/snapshot.json"])["snapshot"]["page_sha256"]
    entries = {k: v for k, v in good_bundle.items() if k != f"blobs/{page}"}
    manifest = manifest_of(good_bundle)
    manifest["files"] = [f for f in manifest["files"] if f["path"] != f"blobs/{page}"]
    assert_refused(target, write_zip(tmp_path / "x.zip", with_manifest(entries, manifest)), "bundle lacks it")


@pytest.mark.parametrize("field, value, message", [
    ("id", 1, "not a column"),
    ("title; drop table snapshots", "x", "not a column"),
    ("title", {"nested": True}, "plain value"),
    ("page_sha256", "../../etc/passwd", "is not a sha256"),
])
def test_snapshot_json_fields_are_checked(good_bundle, target, tmp_path, field, value, message) -> None:
    name = "snapshots/2/snapshot.json"
    record = json.loads(good_bundle[name])
    record["snapshot"][field] = value
    data = json.dumps(record).encode()
    manifest = manifest_of(good_bundle)
    for f in manifest["files"]:
        if f["path"] == name:
            f.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    if field == "page_sha256":
        for s in manifest["snapshots"]:
            if s["path"] == "snapshots/2/":
                s["page_sha256"] = value
    entries = with_manifest({**good_bundle, name: data}, manifest)
    assert_refused(target, write_zip(tmp_path / "x.zip", entries), message)


@pytest.mark.parametrize("mutate, message", [
    (lambda m: m.update(format="something-else"), "not an archiver bundle"),
    (lambda m: m.update(format_version=99), "newer than this archiver"),
    (lambda m: m.update(files="nope"), "must be a list"),
    (lambda m: m["files"].append(dict(m["files"][0])), "twice"),
    (lambda m: m["snapshots"].append({**m["snapshots"][0], "path": "snapshots/9/", "source_id": 9}),
     "not its snapshot.json"),
    (lambda m: m["snapshots"][1].update(source_id=m["snapshots"][0]["source_id"]), r"\(source_id 1\) twice"),
])
def test_lying_or_foreign_manifests_are_refused(good_bundle, target, tmp_path, mutate, message) -> None:
    manifest = manifest_of(good_bundle)
    mutate(manifest)
    assert_refused(target, write_zip(tmp_path / "x.zip", with_manifest(good_bundle, manifest)), message)


def test_zip_without_manifest_is_refused(target, tmp_path) -> None:
    assert_refused(target, write_zip(tmp_path / "x.zip", {"hello.txt": b"hi"}), "no manifest.json")


def test_manifest_that_is_not_json_is_refused(good_bundle, target, tmp_path) -> None:
    entries = {**good_bundle, "manifest.json": b"{not json"}
    assert_refused(target, write_zip(tmp_path / "x.zip", entries), "not valid JSON")


def test_failure_late_in_the_transaction_rolls_everything_back(good_bundle, target, tmp_path) -> None:
    """Two embeds at the same position in snapshot 2 break a unique index after snapshot 1's rows
    and blobs were written: the whole import is rolled back."""
    name = "snapshots/2/snapshot.json"
    record = json.loads(good_bundle[name])
    record["embeds"][1]["position"] = record["embeds"][0]["position"]
    data = json.dumps(record).encode()
    manifest = manifest_of(good_bundle)
    for f in manifest["files"]:
        if f["path"] == name:
            f.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    entries = with_manifest({**good_bundle, name: data}, manifest)
    assert_refused(target, write_zip(tmp_path / "x.zip", entries), "do not fit the archive")
