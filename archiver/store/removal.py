"""Removing snapshots (`archiver remove`) and finding blobs by hash (`archiver blob`): every row
tied to a snapshot goes with it (its resources, posts, the checks of those posts and their
full-text rows), and so do the blobs and response-header sets no other row names any more. One
transaction: all or nothing.

SQLite keeps the pages freed by a removal for reuse; `vacuum()` gives them back to the disk."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ArchiverError, shorten
from .compact import INTERNAL_BLOB_COLUMNS
from .schema import BLOB_COLUMNS

if TYPE_CHECKING:
    from .archive import Store

_MAX_ID = 2 ** 63 - 1            # SQLite's largest integer: a larger id names no snapshot
_CHUNK = 500                     # ids or hashes per `in (...)` list
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-f]+")
MIN_PREFIX = 4                   # the shortest sha256 prefix `find_blob` accepts


class UnknownSnapshot(ArchiverError):
    """A snapshot id that is not in the archive."""


class BlobNotFound(ArchiverError):
    """No blob (or more than one) has the sha256 or prefix given, or it is not a sha256 at all."""


@dataclass
class Removed:
    snapshots: list[int]     # the ids removed
    blobs: int               # blobs removed because nothing else named them
    bytes_freed: int         # their bytes as stored in the archive (compressed where it paid)
    blob_bytes: int          # their original size

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def check_known(store: Store, ids: Iterable[int]) -> None:
    """Raise UnknownSnapshot, naming them, when some of `ids` name no snapshot."""
    missing = missing_snapshots(store, ids)
    if missing:
        raise UnknownSnapshot(f"no snapshot {id_list(missing)} in the archive; nothing was removed")


def missing_snapshots(store: Store, ids: Iterable[int]) -> list[int]:
    """The ids among `ids` that name no snapshot, in the order given (each once)."""
    wanted = list(dict.fromkeys(ids))
    present: set[int] = set()
    valid = [i for i in wanted if 0 <= i <= _MAX_ID]
    for part in _chunks(valid):
        present.update(r[0] for r in store.db.execute(
            f"select id from snapshots where id in ({_marks(part)})", part))
    return [i for i in wanted if i not in present]


def remove_snapshots(store: Store, ids: Iterable[int]) -> Removed:
    """Remove these snapshots, every row tied to them and the blobs only they used. Raises
    UnknownSnapshot (and removes nothing) when any id is not in the archive."""
    wanted = list(dict.fromkeys(ids))
    with store.transaction() as db:
        check_known(store, wanted)
        # Rows are deleted table by table; foreign keys are checked at COMMIT, whatever the order.
        db.execute("PRAGMA defer_foreign_keys = ON")
        candidates: set[str] = set()
        for part in _chunks(wanted):
            candidates |= _blobs_named(store, part)
            embed_ids = [r[0] for r in db.execute(
                f"select id from embeds where snapshot_id in ({_marks(part)})", part)]
            for sub in _chunks(embed_ids):
                for table in _tables_with("embed_id", store):
                    db.execute(f"delete from [{table}] where embed_id in ({_marks(sub)})", sub)
            for table in _tables_with("snapshot_id", store):
                db.execute(f"delete from [{table}] where snapshot_id in ({_marks(part)})", part)
            db.execute(f"delete from snapshots where id in ({_marks(part)})", part)
        unused = sorted(candidates - _still_named(store, candidates))
        count = stored = original = 0
        for part in _chunks(unused):
            row = db.execute(f"select count(*), coalesce(sum(length(data)), 0), coalesce(sum(size), 0) "
                             f"from blobs where sha256 in ({_marks(part)})", part).fetchone()
            count, stored, original = count + row[0], stored + row[1], original + row[2]
            db.execute(f"delete from blobs where sha256 in ({_marks(part)})", part)
        if "header_sets" in db.table_names():   # response headers no remaining resource shares
            db.execute("delete from header_sets where id not in "
                       "(select header_set from resources where header_set is not null)")
    return Removed(snapshots=wanted, blobs=count, bytes_freed=stored, blob_bytes=original)


def vacuum(store: Store) -> None:
    """Rebuild the file without its free pages (needs as much free disk as the archive's size)."""
    store.check_writable()
    store.db.execute("VACUUM")
    if store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":   # the file shrinks at a checkpoint
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def find_blob(store: Store, text: str) -> str:
    """The sha256 of the one blob whose hash is `text` or starts with it (at least MIN_PREFIX hex
    digits). Raises BlobNotFound when it is not a sha256, names no blob, or more than one."""
    prefix = text.strip().lower()
    if not _HEX.fullmatch(prefix) or len(prefix) > 64:
        raise BlobNotFound(f"not a sha256: {shorten(text, 80)!r} (64 hex digits, or a prefix of at least "
                           f"{MIN_PREFIX})")
    if len(prefix) < MIN_PREFIX:
        raise BlobNotFound(f"sha256 prefix {prefix!r} is too short: give at least {MIN_PREFIX} hex digits")
    # A range over the primary key: every hash starting with `prefix` sorts in [prefix, prefix + 'g').
    found = [r[0] for r in store.db.execute(
        "select sha256 from blobs where sha256 >= ? and sha256 < ? order by sha256 limit 2", [prefix, prefix + "g"])]
    if not found:
        raise BlobNotFound(f"no blob {prefix} in the archive")
    if len(found) > 1:
        raise BlobNotFound(f"more than one blob starts with {prefix}: give more of the sha256")
    return found[0]


def _blob_columns() -> dict[str, tuple[str, ...]]:
    """Every column naming a blob: BLOB_COLUMNS and the store's own (a post's oEmbed answer)."""
    columns = dict(BLOB_COLUMNS)
    for table, more in INTERNAL_BLOB_COLUMNS.items():
        columns[table] = (*columns.get(table, ()), *more)
    return columns


def _blobs_named(store: Store, snapshot_ids: list[int]) -> set[str]:
    """Every hash the rows of these snapshots name: the blob columns and the posts' media."""
    found: set[str] = set()
    for table, columns in _blob_columns().items():
        key = "id" if table == "snapshots" else "snapshot_id"
        for column in columns:
            found.update(r[0] for r in store.db.execute(
                f"select [{column}] from [{table}] where [{key}] in ({_marks(snapshot_ids)}) "
                f"and [{column}] is not null", snapshot_ids))
    # Checks of these snapshots' posts (a check names its post's snapshot too; this also covers
    # a check whose snapshot_id was left empty).
    found.update(r[0] for r in store.db.execute(
        f"select answer_sha256 from checks where answer_sha256 is not null and embed_id in "
        f"(select id from embeds where snapshot_id in ({_marks(snapshot_ids)}))", snapshot_ids))
    for (media,) in store.db.execute(
            f"select media from embeds where snapshot_id in ({_marks(snapshot_ids)}) and media is not null",
            snapshot_ids):
        found.update(_HEX64.findall(media))
    return found


def _still_named(store: Store, digests: set[str]) -> set[str]:
    """Those of `digests` some remaining row still names."""
    named: set[str] = set()
    for part in _chunks(sorted(digests)):
        for table, columns in _blob_columns().items():
            for column in columns:
                named.update(r[0] for r in store.db.execute(
                    f"select distinct [{column}] from [{table}] where [{column}] in ({_marks(part)})", part))
    # A post's media items name their blobs inside its JSON: any hash found there counts.
    if digests - named:
        for (media,) in store.db.execute("select media from embeds where media is not null"):
            named.update(d for d in _HEX64.findall(media) if d in digests)
    return named


def _tables_with(column: str, store: Store) -> list[str]:
    """The archive's tables (not views, not full-text shadow tables) having this column."""
    tables = [r[0] for r in store.db.execute(
        "select name from sqlite_master where type = 'table' and name not like '%_fts%' "
        "and name not like 'sqlite_%' order by name")]
    return [t for t in tables if column in store.columns(t)]


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _marks(items: list) -> str:
    return ", ".join("?" * len(items))


def id_list(ids: list[int]) -> str:
    """`#3, #4` (five at most, then how many more)."""
    shown = ", ".join(f"#{i}" for i in ids[:5])
    return shown + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
