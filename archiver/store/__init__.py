"""The archive: one SQLite file, opened through sqlite-utils. All of archiver's SQL lives in
this package.

Tables (names other tools may rely on):
  snapshots  one row per capture attempt (failed ones too, with `error`)
  resources  the URL -> blob map of one snapshot (requisites and post media)
  blobs      content-addressed bytes, stored once across all snapshots
  embeds     the social posts and media embedded in a snapshot's page
  header_sets  response headers shared by resources (the view resource_headers gives them whole)
Full-text search: snapshots_fts and embeds_fts, configured the way sqlite-utils does it
(so Datasette's search box works on both tables).

    archive.py  Store: open and migrate, transactions, reading and writing rows and blobs
    schema.py   the migrations, and the columns holding JSON or naming blobs
    blobs.py    how a blob's bytes are kept (compressed where it pays)
    compact.py  bytes rows would repeat kept once (header sets, oEmbed answers), read back exactly
    queries.py  listing and full-text search, for archiver.browse
    removal.py  removing snapshots and the blobs only they used; finding a blob by hash prefix
"""
from __future__ import annotations

from .archive import ArchiveWriteError, CorruptArchive, MissingArchive, ReadOnlyArchive, Store
from .removal import BlobNotFound, Removed, UnknownSnapshot
from .schema import BLOB_COLUMNS, JSON_COLUMNS, META_COLUMNS, decode_row, encode_json, encode_row

__all__ = ["BLOB_COLUMNS", "JSON_COLUMNS", "META_COLUMNS", "ArchiveWriteError", "CorruptArchive", "MissingArchive",
           "ReadOnlyArchive", "Store", "BlobNotFound", "Removed", "UnknownSnapshot",
           "decode_row", "encode_json", "encode_row"]
