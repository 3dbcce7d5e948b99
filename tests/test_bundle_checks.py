"""A post's re-checks travel with its snapshot: in the zip bundle (snapshot.json's `checks`, each
naming its post by index, with the platform's answer as a blob), back in through `import`, and in
the WARC's metadata record. Proof that a post was found gone must survive being handed on."""
from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.bundle.manifest import BundleError
from archiver.bundle.warc import export_warc
from archiver.bundle.zipexport import export_zip
from archiver.bundle.zipimport import import_zip
from archiver.store import Store
from archiver.store.checks import add_check, checks_of
from bundle_helpers import make_archive, rows, table_dump

GONE_ANSWER = b'{"errors":[{"code":144,"message":"No status found with that ID."}]}'


def clock() -> datetime:
    return datetime(2024, 6, 1, tzinfo=timezone.utc)


def recheck(store: Store, snapshot_id: int, position: int, status: str, when: str, answer: bytes | None = None) -> None:
    """One re-check of the post at `position`, as `archiver recheck` records it."""
    embed = next(e for e in store.embeds(snapshot_id) if e["position"] == position)
    with store.transaction():
        digest = store.put_blob(answer, "application/json") if answer is not None else None
        add_check(store, {"embed_id": embed["id"], "snapshot_id": snapshot_id, "provider": "twitter",
                          "post_url": embed["post_url"], "checked_at": when, "status": status,
                          "previous": embed["status"], "http_status": 404 if status == "deleted" else None,
                          "endpoint": "twitter-syndication", "answer_sha256": digest,
                          "error": "timed out" if status == "error" else None},
                  conclusive=status != "error", evidence={"status_evidence": "twitter-syndication: HTTP 404"})


@pytest.fixture
def source(tmp_path) -> Store:
    """Two snapshots; the second post of the first one found deleted, then a check that got no answer."""
    store = make_archive(tmp_path / "source.db")
    first = store.snapshot_ids()[0]
    recheck(store, first, 1, "deleted", "2024-05-20T08:00:00Z", GONE_ANSWER)
    recheck(store, first, 0, "error", "2024-05-21T08:00:00Z")
    return store


def test_the_bundle_carries_each_check_with_its_post_and_answer(source, tmp_path):
    bundle = tmp_path / "b.zip"
    export_zip(source, source.snapshot_ids(), bundle, clock=clock, render=False)
    with zipfile.ZipFile(bundle) as zf:
        first, second = (json.loads(zf.read(f"snapshots/{n}/snapshot.json")) for n in (1, 2))
        answer = hashlib.sha256(GONE_ANSWER).hexdigest()
        assert zf.read(f"blobs/{answer}") == GONE_ANSWER
    assert "checks" not in second   # never re-checked: the shape it always had
    silent, gone = first["checks"]   # by post, then by time
    assert first["embeds"][gone["embed"]]["position"] == 1 and first["embeds"][silent["embed"]]["position"] == 0
    assert (gone["status"], gone["previous"], gone["http_status"], gone["answer_sha256"]) == ("deleted", "ok", 404, answer)
    assert (silent["status"], silent["error"]) == ("error", "timed out")
    assert not {"id", "embed_id", "snapshot_id"} & set(gone)


def test_import_brings_the_checks_back_and_a_second_import_adds_only_new_ones(source, tmp_path):
    bundle = tmp_path / "b.zip"
    export_zip(source, source.snapshot_ids(), bundle, clock=clock, render=False)
    target = Store(tmp_path / "target.db")
    result = import_zip(target, bundle)
    assert result.checks_added == 2 and len(result.added) == 2
    new_first = result.added[source.snapshot_ids()[0]]
    posts = {e["position"]: e for e in target.embeds(new_first)}
    history = checks_of(target, [posts[0]["id"], posts[1]["id"]])
    assert [(c["status"], c["checked_at"]) for c in history[posts[1]["id"]]] == [("deleted", "2024-05-20T08:00:00Z")]
    assert [c["status"] for c in history[posts[0]["id"]]] == ["error"]
    assert posts[1]["status"] == "deleted"   # the post's row travelled as the re-check left it
    assert target.blob(history[posts[1]["id"]][0]["answer_sha256"]) == GONE_ANSWER
    assert rows(Path(target.path), "select count(*) from checks where snapshot_id != ?", (new_first,)) == [(0,)]

    assert import_zip(target, bundle).checks_added == 0   # the same bundle again: nothing new
    recheck(source, source.snapshot_ids()[0], 0, "error", "2024-06-02T08:00:00Z")   # no answer: post rows unchanged
    export_zip(source, source.snapshot_ids(), bundle, clock=clock, render=False)
    again = import_zip(target, bundle)
    assert (again.added, again.checks_added) == ({}, 1)
    assert len(checks_of(target, [posts[0]["id"]])[posts[0]["id"]]) == 2


def test_a_snapshot_re_checked_since_its_export_is_the_same_snapshot(source, tmp_path):
    """A conclusive re-check moves the post's verdict on (checked_at, status): exported again, the
    snapshot is still the one the archive has. Its new check arrives, and the post's row takes the
    newer verdict; an older bundle then changes nothing."""
    bundle, later = tmp_path / "b.zip", tmp_path / "later.zip"
    export_zip(source, source.snapshot_ids(), bundle, clock=clock, render=False)
    target = Store(tmp_path / "target.db")
    first = import_zip(target, bundle).added[source.snapshot_ids()[0]]
    recheck(source, source.snapshot_ids()[0], 0, "deleted", "2024-06-03T08:00:00Z", GONE_ANSWER)
    export_zip(source, source.snapshot_ids(), later, clock=clock, render=False)
    again = import_zip(target, later)
    assert (again.added, sorted(again.existing.values()), again.checks_added) == ({}, sorted(target.snapshot_ids()), 1)
    post = next(e for e in target.embeds(first) if e["position"] == 0)
    assert (post["status"], post["checked_at"]) == ("deleted", "2024-06-03T08:00:00Z")
    assert import_zip(target, bundle).checks_added == 0
    assert next(e for e in target.embeds(first) if e["position"] == 0)["status"] == "deleted"


def test_a_check_naming_no_post_of_its_snapshot_is_refused(source, tmp_path):
    bundle = tmp_path / "b.zip"
    export_zip(source, source.snapshot_ids(), bundle, clock=clock, render=False)
    with zipfile.ZipFile(bundle) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    name = "snapshots/1/snapshot.json"
    record = json.loads(entries[name])
    record["checks"][0]["embed"] = 7
    data = json.dumps(record).encode()
    manifest = json.loads(entries["manifest.json"])
    for f in manifest["files"]:
        if f["path"] == name:
            f.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    entries.update({name: data, "manifest.json": json.dumps(manifest).encode()})
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as zf:
        for entry, body in entries.items():
            zf.writestr(entry, body)
    target = Store(tmp_path / "target.db")
    before = table_dump(Path(target.path))
    with pytest.raises(BundleError, match="names no post of this snapshot"):
        import_zip(target, forged)
    assert table_dump(Path(target.path)) == before


def test_the_warc_metadata_record_carries_the_checks(source, tmp_path):
    out = tmp_path / "a.warc.gz"
    export_warc(source, source.snapshot_ids(), out, clock=clock)
    documents = []
    with out.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "metadata":
                documents.append(json.loads(record.content_stream().read()))
    with_checks = [d for d in documents if d.get("checks")]
    assert len(documents) == 2 and len(with_checks) == 1
    assert [(c["embed"], c["status"]) for c in with_checks[0]["checks"]] == [(0, "error"), (1, "deleted")]


@pytest.mark.parametrize("kind", ["archive", "bundle"])
def test_the_import_command_brings_the_checks_once(source, tmp_path, cli, kind):
    """`archiver import` of another archive, or of a bundle (each goes through a shard archive
    merged into the target): the checks arrive, and importing again adds none."""
    given = tmp_path / "b.zip"
    export_zip(source, source.snapshot_ids(), given, clock=clock, render=False)
    source.close()
    if kind == "archive":
        given = Path(source.path)
    target = tmp_path / "target.db"
    first = cli("--db", str(target), "import", str(given))
    assert first.exit_code == 0 and "2 re-checks of posts" in first.stderr
    assert rows(target, "select status, answer_sha256 is not null from checks order by checked_at") == \
        [("deleted", 1), ("error", 0)]
    again = cli("--db", str(target), "import", str(given), "--json")
    assert json.loads(again.stdout)["files"][0]["checks_added"] == 0
    assert rows(target, "select count(*) from checks") == [(2,)]
    assert cli("--db", str(target), "verify").exit_code == 0


def test_a_copy_matched_by_its_source_but_with_other_posts_takes_no_checks(tmp_path):
    """Another archive's snapshot the target has already (the same import source) need not have
    the same posts: a check of a post the target's copy lacks is left out, and the rest merges."""
    from archiver.importers.merge import merge_archive
    from test_compact_storage import page, post
    source, target = Store(tmp_path / "source.db"), Store(tmp_path / "target.db")
    mine = source.save_snapshot(page([], [post()], import_source="urn:uuid:1"))
    target.save_snapshot(page([], [post(post_url="https://x.example/ann/2")], import_source="urn:uuid:1"))
    recheck(source, mine, 0, "deleted", "2026-12-01T00:00:00Z", GONE_ANSWER)
    result = merge_archive(source, target)
    assert (result.added, result.existing, result.checks_added) == ({}, {mine: 1}, 0)
    assert target.embeds(1)[0]["status"] == "ok"
