"""Check an archive's integrity: every blob's bytes against its sha256 and size, every reference
(page, resource, post avatar, screenshot and media, a re-check's answer) against the blobs table,
SQLite's own integrity and foreign-key checks. Reads only.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

from ..store import Store, blobs


@dataclass
class Problem:
    kind: str        # corrupt-blob | missing-blob | bad-json | sqlite-integrity | foreign-key
    where: str       # e.g. "blobs/<sha>", "resources/12", "embeds/3 media[0]"
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"


@dataclass
class Report:
    blobs: int = 0
    snapshots: int = 0
    references: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "blobs": self.blobs, "snapshots": self.snapshots, "references": self.references,
                "problems": [asdict(p) for p in self.problems]}


def verify(store: Store) -> Report:
    report = Report()
    _check_sqlite(store, report)
    known = _check_blobs(store, report)
    _check_references(store, known, report)
    return report


def _check_sqlite(store: Store, report: Report) -> None:
    try:
        rows = store.integrity_problems()
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem("sqlite-integrity", "database", str(exc)))
        return
    report.problems.extend(Problem("sqlite-integrity", "database", str(r)) for r in rows)
    for table, rowid, parent in store.foreign_key_problems():
        report.problems.append(Problem("foreign-key", f"{table}/{rowid}", f"points at a missing {parent} row"))


def _check_blobs(store: Store, report: Report) -> set[str]:
    """Recompute each blob's hash; the set of hashes present (corrupt ones included, reported once)."""
    known: set[str] = set()
    for digest, size, encoding, data in store.stored_blobs():
        report.blobs += 1
        known.add(digest)
        where = f"blobs/{digest}"
        try:
            raw = blobs.unpack(encoding, data)
        except (zlib.error, ValueError, TypeError) as exc:
            report.problems.append(Problem("corrupt-blob", where, f"cannot be decoded ({exc})"))
            continue
        actual = hashlib.sha256(raw).hexdigest()
        if actual != digest:
            report.problems.append(Problem("corrupt-blob", where, f"bytes hash to {actual}"))
        elif size is not None and size != len(raw):
            report.problems.append(Problem("corrupt-blob", where, f"is {len(raw)} bytes, recorded as {size}"))
    return known


def _check_references(store: Store, known: set[str], report: Report) -> None:
    def need(digest: Any, where: str, what: str) -> None:
        if not digest:
            return
        report.references += 1
        if digest not in known:
            report.problems.append(Problem("missing-blob", where, f"{what} {digest} is not in the blobs table"))

    labels = {"page_sha256": "page", "sha256": "resource", "avatar_sha256": "avatar", "screenshot_sha256": "screenshot",
              "answer_sha256": "check answer", "oembed_sha256": "oEmbed answer"}
    for table, row_id, column, value in store.blob_references():
        where = f"{table}/{row_id}"
        if table == "snapshots":
            report.snapshots += 1
        if column != "media":
            need(value, where, labels.get(column, column))   # a column added later still counts
            continue
        if not value:
            continue
        try:
            items = json.loads(value)
        except ValueError:
            report.problems.append(Problem("bad-json", where, "media is not valid JSON"))
            continue
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                need(item.get("sha256"), f"{where} media[{i}]", "media")
