"""`Store`: one archive file. Opening it migrates it; writing goes through transactions; every
read and write of the archive's rows is a method here (queries for browsing: store/queries.py)."""
from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .. import __version__
from ..errors import ArchiveWriteError, CorruptArchive, MissingArchive, ReadOnlyArchive
from ..extract.urls import without_credentials
from ..model import Snapshot, sha256
from ..stages import stage
from . import blobs, removal
from .compact import INTERNAL_BLOB_COLUMNS, INTERNAL_COLUMNS, Compactor
from .schema import BLOB_COLUMNS, ID_TABLES, META_COLUMNS, decode_row, encode_row, migrations


# The page size of new archives: blobs a little over a page leave less slack in 2 kB pages than
# in SQLite's default 4 kB ones (measured on the bench: 0.7 % of the file). Old archives keep theirs.
PAGE_SIZE = 2048


class Store:
    """The archive at `path` (created and migrated unless `create=False`). With `read_only=True`
    the file is opened with `mode=ro` and any write fails; it must exist and be up to date.

    An archive that cannot be written is still opened for reading, and `cannot_write` says why
    (`check_writable()` raises it, as does any write): a read-only file or folder, or an archive
    made by a newer archiver (one whose migrations this version does not know)."""

    def __init__(self, path: str | Path = "archive.db", *, create: bool = True, read_only: bool = False):
        self.path = str(path)
        self.cannot_write: str | None = None
        self.compact = Compactor(self)
        memory = self.path == ":memory:"
        if not memory and (read_only or not create) and not Path(self.path).exists():
            raise MissingArchive(f"no archive at {self.path}")
        if not memory and not read_only:
            self.cannot_write = _unwritable(Path(self.path))
            if self.cannot_write and not Path(self.path).exists():
                raise ReadOnlyArchive(f"cannot create {self.path}: {self.cannot_write}")
        try:
            if read_only or self.cannot_write:
                self.db = Database(_connect_read_only(Path(self.path)))
                self._check_version()
                return
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:   # a new file: before its first table
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            if not memory:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            self.db = Database(conn)
            self._check_version()
            if self.cannot_write is None:
                self._migrate()
        except sqlite3.DatabaseError as exc:
            raise CorruptArchive(f"{self.path} is not a usable archive database ({exc})") from exc

    def _check_version(self) -> None:
        known = {m.name for m in migrations._migrations}
        unknown = [m.name for m in migrations.applied(self.db) if m.name not in known]
        if unknown:
            self.cannot_write = (f"it was made by a newer version of archiver (schema {unknown[-1]}; "
                                 f"this is {__version__}): upgrade archiver to add to it")

    def check_writable(self) -> None:
        """Raise ReadOnlyArchive when this archive cannot be written (see `cannot_write`)."""
        if self.cannot_write:
            raise ReadOnlyArchive(f"cannot write to {self.path}: {self.cannot_write}; reading it still works")

    def _migrate(self) -> None:
        if not migrations.pending(self.db):
            return
        # Under one write lock, so two processes opening a new file do not both migrate it;
        # each migration then runs in a savepoint (sqlite-utils nests atomic() that way).
        # Foreign keys off meanwhile (it cannot change inside a transaction): a migration that
        # rebuilds a table to add a key drops the old one, which with keys on would count every
        # row pointing at it as a violation (SQLite's documented way to rebuild a table).
        self.db.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                migrations.apply(self.db)
        finally:
            self.db.conn.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception (KeyboardInterrupt included)."""
        self.check_writable()
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self.compact.drop_gone()
                yield self.db
            except BaseException:
                self.compact.forget()
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                self.compact.forget()
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            if _write_failure(exc) is None:   # not the storage's fault: a bug, raised as it is
                raise
            raise ArchiveWriteError(f"cannot write to {self.path}: {_write_failure(exc)}; "
                                    "nothing of this write was kept, what was saved before is intact") from exc

    # ---------------------------------------------------------------- writing
    def put_blob(self, data: bytes, content_type: str | None = None) -> str:
        """Store bytes once (by sha256); return the hash. Call inside a transaction."""
        digest = sha256(data)
        if self.has_blob(digest):
            return digest
        encoding, stored = blobs.pack(data, content_type)
        self.db.execute("insert into blobs (sha256, size, content_type, encoding, data) values (?, ?, ?, ?, ?)",
                        [digest, len(data), content_type, encoding, stored])
        return digest

    def save_snapshot(self, snap: Snapshot) -> int:
        """Write a snapshot, its blobs, resources and embeds in one transaction; return its id."""
        with stage("store"), self.transaction():
            page_sha = self.put_blob(snap.body, snap.content_type) if snap.body is not None else None
            row = {
                "url": without_credentials(snap.url), "final_url": without_credentials(snap.final_url),
                "captured_at": snap.captured_at,
                "status_code": snap.status_code, "content_type": snap.content_type,
                "page_sha256": page_sha, "headers": snap.headers, "error": snap.error,
                "tool_version": __version__, "duration_ms": snap.duration_ms,
                "metadata": snap.meta.get("metadata"),
                "capture_mode": snap.capture_mode, "warnings": snap.warnings,
            }
            if snap.import_source is not None:
                row["import_source"] = snap.import_source
            row.update({k: snap.meta.get(k) for k in META_COLUMNS})
            snapshot_id = self._insert("snapshots", row)
            for res in snap.resources:
                digest = self.put_blob(res.body, res.content_type) if res.body is not None else None
                self._insert("resources", {
                    "snapshot_id": snapshot_id, "url": without_credentials(res.url),
                    "final_url": without_credentials(res.final_url), "sha256": digest,
                    "content_type": res.content_type, "status_code": res.status_code, "kind": res.kind,
                    "size": len(res.body) if res.body is not None else None, "headers": res.headers,
                    "error": res.error})
            self._insert_embeds(snapshot_id, snap.embeds)
        return snapshot_id

    def add_snapshot_rows(self, snapshot: dict[str, Any], resources: Iterable[dict[str, Any]],
                          embeds: Iterable[dict[str, Any]]) -> int:
        """Add one snapshot from its rows (JSON columns decoded, no ids: a bundle's snapshot.json);
        its blobs must be stored already. Call inside a transaction; the new snapshot's id."""
        snapshot_id = self._insert("snapshots", snapshot)
        for row in resources:
            self._insert("resources", {**row, "snapshot_id": snapshot_id})
        self._insert_embeds(snapshot_id, embeds)
        return snapshot_id

    def _insert_embeds(self, snapshot_id: int, embeds: Iterable[dict[str, Any]]) -> None:
        """Insert a snapshot's embeds rows, after its resources (an oEmbed answer kept as one of
        its resources is not copied into the row: archiver.store.compact)."""
        rows = list(embeds)
        answers = self.compact.oembed_answers(snapshot_id) if any(r.get("oembed") for r in rows) else {}
        for row in rows:
            self._insert("embeds", self.compact.embed_row({**row, "snapshot_id": snapshot_id}, answers))

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row (JSON columns encoded here); its id. Column names must be the table's own.
        Rows of the ID_TABLES get their id from `_new_id` (never one given before): call inside
        the transaction that writes them."""
        if table == "resources":
            row = self.compact.resource_row(row)
        values = encode_row(table, row)
        if table in ID_TABLES:
            if "id" in values:
                raise ValueError(f"{table} ids are assigned by the store, not given")
            values = {"id": self._new_id(table), **values}
        columns = ", ".join(f"[{k}]" for k in values)
        cur = self.db.execute(f"insert into [{table}] ({columns}) values ({', '.join('?' * len(values))})",
                              list(values.values()))
        return cur.lastrowid

    def _new_id(self, table: str) -> int:
        """The next id of `table`, past every id it has now or ever handed out (`id_high_water`,
        schema m012), and raise the mark to it. The write lock of the transaction keeps two
        writers from taking the same one."""
        (new,) = self.db.execute(
            f"update id_high_water set last_id = max(last_id, coalesce((select max(id) from [{table}]), 0)) + 1 "
            f"where table_name = ? returning last_id", [table]).fetchone()
        return new

    def remove_snapshots(self, ids: Iterable[int]) -> removal.Removed:
        """Remove snapshots, every row tied to them and the blobs only they used (store/removal.py).
        Raises UnknownSnapshot, removing nothing, when an id is not in the archive."""
        return removal.remove_snapshots(self, ids)

    def check_snapshots(self, ids: Iterable[int]) -> None:
        """Raise UnknownSnapshot, naming them, when some of `ids` name no snapshot."""
        removal.check_known(self, ids)

    def vacuum(self) -> None:
        """Give the pages freed by removals back to the disk (rewrites the whole file)."""
        removal.vacuum(self)

    # ---------------------------------------------------------------- reading
    def snapshot(self, snapshot_id: int) -> dict | None:
        row = self._one("select * from snapshots where id = ?", [snapshot_id])
        return decode_row("snapshots", row) if row else None

    def resources(self, snapshot_id: int) -> list[dict]:
        rows = self._all("select * from resources where snapshot_id = ? order by id", [snapshot_id])
        return [self.decode("resources", r) for r in rows]

    def embeds(self, snapshot_id: int) -> list[dict]:
        rows = self._all("select * from embeds where snapshot_id = ? order by position", [snapshot_id])
        return [self.decode("embeds", r) for r in rows]

    def decode(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """A row as selected (`select *`, JSON as text) as readers want it: what m011 keeps once put
        back in place, the store's own columns removed, JSON columns decoded."""
        return decode_row(table, self.compact.expand(table, row))

    def snapshot_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("select id from snapshots order by id")]

    def snapshot_ids_matching(self, *, url: str, captured_at: str, page_sha256: str | None) -> list[int]:
        """Snapshots of `url` captured at `captured_at` whose page has this hash (or none), by id."""
        return [row[0] for row in self.db.execute(
            "select id from snapshots where url = ? and captured_at = ? and page_sha256 is ? order by id",
            [url, captured_at, page_sha256])]

    def snapshot_ids_imported_from(self, source: str) -> list[int]:
        """Snapshots imported from `source` (archiver.importers: a WARC record's id), by id."""
        return [row[0] for row in self.db.execute(
            "select id from snapshots where import_source = ? order by id", [source])]

    def columns(self, table: str) -> set[str]:
        """The column names of one of the archive's tables, less those the store fills itself."""
        return set(self.db[table].columns_dict) - set(INTERNAL_COLUMNS.get(table, ()))

    def blob(self, digest: str) -> bytes | None:
        """The blob's bytes, or None when there is no such blob."""
        row = self.db.execute("select encoding, data from blobs where sha256 = ?", [digest]).fetchone()
        if row is None:
            return None
        try:
            return blobs.unpack(*row)
        except (ValueError, zlib.error) as exc:
            raise CorruptArchive(f"blob {digest} cannot be read ({exc}); run `archiver verify`") from None

    def find_blob(self, text: str) -> str:
        """The full sha256 of the one blob named by `text` (a sha256 or a unique prefix of one);
        raises BlobNotFound otherwise."""
        return removal.find_blob(self, text)

    def has_blob(self, digest: str) -> bool:
        return self.db.execute("select 1 from blobs where sha256 = ?", [digest]).fetchone() is not None

    def blob_info(self, digest: str) -> dict | None:
        return self._one("select sha256, size, content_type, encoding from blobs where sha256 = ?", [digest])

    def snapshot_blob_type(self, snapshot_id: int, digest: str) -> str | None:
        """The content type of blob `digest` if snapshot `snapshot_id` refers to it (as a resource,
        a post's avatar or one of its media), else None. The raw page itself is not counted."""
        row = self.db.execute("select content_type from resources where snapshot_id = ? and sha256 = ? limit 1",
                              [snapshot_id, digest]).fetchone()
        if row:
            return row[0] or self._blob_type(digest)
        if self.db.execute("select 1 from embeds where snapshot_id = ? and avatar_sha256 = ? limit 1",
                           [snapshot_id, digest]).fetchone():
            return self._blob_type(digest)
        for row in self._all("select media from embeds where snapshot_id = ? and instr(media, ?) > 0",
                             [snapshot_id, digest]):
            media = decode_row("embeds", row)["media"]
            if isinstance(media, list) and any(isinstance(m, dict) and m.get("sha256") == digest for m in media):
                return self._blob_type(digest)
        return None

    def _blob_type(self, digest: str) -> str:
        return (self.blob_info(digest) or {}).get("content_type") or "application/octet-stream"

    # ---------------------------------------------------------------- checking (archiver verify)
    def integrity_problems(self) -> list[str]:
        """SQLite's integrity check: [] when the file is sound. May raise sqlite3.DatabaseError."""
        return [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]

    def foreign_key_problems(self) -> list[tuple[str, int, str]]:
        """(table, rowid, parent table) for each row whose foreign key points at nothing."""
        return [(table, rowid, parent) for table, rowid, parent, _ in self.db.execute("PRAGMA foreign_key_check")]

    def stored_blobs(self) -> Iterator[tuple[str, int | None, str | None, bytes | None]]:
        """(sha256, recorded size, encoding, stored data) of every blob, by hash: data as kept in
        the table, for `blobs.unpack`."""
        yield from self.db.conn.execute("select sha256, size, encoding, data from blobs order by sha256")

    def blob_references(self) -> Iterator[tuple[str, int, str, Any]]:
        """(table, row id, column, value) for every column that names blobs, table by table in id
        order: the BLOB_COLUMNS (and `embeds.oembed_sha256`, archiver.store.compact, when the archive has
        it), and `embeds.media` as stored (JSON text, for the caller to check)."""
        for table, columns in BLOB_COLUMNS.items():
            extra = ["media"] if table == "embeds" else []
            present = self.db[table].columns_dict
            names = [*columns, *(c for c in INTERNAL_BLOB_COLUMNS.get(table, ()) if c in present), *extra]
            for row in self.db.execute(f"select id, {', '.join(names)} from {table} order by id"):
                for name, value in zip(names, row[1:]):
                    yield table, row[0], name, value

    # ---------------------------------------------------------------- helpers
    def _one(self, sql: str, params: Iterable[Any]) -> dict | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _all(self, sql: str, params: Iterable[Any]) -> list[dict]:
        try:
            cur = self.db.execute(sql, list(params))
        except OverflowError:   # a number past SQLite's 64 bits (`show 99999999999999999999`) matches nothing
            return []
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def _unwritable(path: Path) -> str | None:
    """Why the archive at `path` cannot be written, or None. A file or folder with no write
    permission bit set counts as read-only even for root (who could write it anyway)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists():
        if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
            return "the file is read-only"
    if folder.exists() and (not os.access(folder, os.W_OK | os.X_OK) or not folder.stat().st_mode & 0o222):
        return f"its folder {folder} is read-only"
    return None


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection; `immutable` when SQLite cannot even make its shared-memory file
    (a WAL archive in a read-only folder)."""
    uri = path.resolve().as_uri()
    for mode in ("?mode=ro", "?immutable=1"):
        conn = sqlite3.connect(uri + mode, uri=True, timeout=30.0, check_same_thread=False)
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()
            if mode == "?immutable=1":
                raise
    raise AssertionError("unreachable")


def _write_failure(exc: sqlite3.OperationalError) -> str | None:
    text = str(exc).lower()
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the file is read-only"
    if "locked" in text or "busy" in text:
        return "another process is writing to it (database is locked)"
    if "i/o" in text:
        return f"the disk failed ({exc})"
    return None
