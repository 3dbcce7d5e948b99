"""A snapshot as a portable record: the rows of one snapshot, with JSON columns decoded and
database ids left out, plus the list of blobs it needs: its resources, its posts, and every
re-check of those posts (`checks`, each naming its post by index in `embeds`). Shared by the zip
bundle (snapshot.json) and the WARC export (the metadata record of preserved posts).

Reading only; no files, no network.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..store import Store
from ..store.checks import POST_INDEX, checks_of

# Columns that are local to one database and never travel.
LOCAL_COLUMNS = {"snapshots": ("id",), "resources": ("id", "snapshot_id"), "embeds": ("id", "snapshot_id"),
                 "checks": ("id", "embed_id", "snapshot_id")}


@dataclass
class SnapshotRecord:
    """One snapshot ready to travel: `snapshot`, `resources` and `embeds` hold column -> value
    (JSON columns decoded), without database ids."""
    source_id: int
    snapshot: dict[str, Any]
    resources: list[dict[str, Any]] = field(default_factory=list)
    embeds: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = {"source_id": self.source_id, "snapshot": self.snapshot,
               "resources": self.resources, "embeds": self.embeds}
        if self.checks:   # a snapshot never re-checked keeps the shape it always had
            out["checks"] = self.checks
        return out


def read_record(store: Store, snapshot_id: int) -> SnapshotRecord:
    """The portable record of a stored snapshot. Raises KeyError when there is no such snapshot."""
    row = store.snapshot(snapshot_id)
    if row is None:
        raise KeyError(snapshot_id)
    embeds = store.embeds(snapshot_id)
    found = checks_of(store, [e["id"] for e in embeds])
    return SnapshotRecord(
        source_id=snapshot_id,
        snapshot=_without(row, LOCAL_COLUMNS["snapshots"]),
        resources=[_without(r, LOCAL_COLUMNS["resources"]) for r in store.resources(snapshot_id)],
        embeds=[_without(e, LOCAL_COLUMNS["embeds"]) for e in embeds],
        checks=[{POST_INDEX: index, **_without(check, LOCAL_COLUMNS["checks"])}
                for index, embed in enumerate(embeds) for check in found[embed["id"]]],
    )


def referenced_blobs(record: SnapshotRecord) -> list[str]:
    """Every sha256 the snapshot points at (page, resources, post avatars and media), in first-seen order."""
    found: dict[str, None] = {}
    page = record.snapshot.get("page_sha256")
    if page:
        found[page] = None
    for res in record.resources:
        if res.get("sha256"):
            found[res["sha256"]] = None
    for emb in record.embeds:
        for digest in embed_blobs(emb):
            found[digest] = None
    for check in record.checks:
        if check.get("answer_sha256"):
            found[check["answer_sha256"]] = None
    return list(found)


def embed_blobs(embed: dict[str, Any]) -> list[str]:
    """The sha256s one decoded embed row points at: its avatar and each media item."""
    out: list[str] = []
    if embed.get("avatar_sha256"):
        out.append(embed["avatar_sha256"])
    media = embed.get("media")
    if isinstance(media, list):
        out.extend(m["sha256"] for m in media if isinstance(m, dict) and isinstance(m.get("sha256"), str) and m["sha256"])
    return out


def _without(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}
