"""What every importer takes and gives back."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..settings import Settings


@dataclass(frozen=True)
class PageRef:
    """A page to import: its URL and, when known, its capture time (a WARC-Date / 14-digit ts)."""
    url: str
    ts: str | None = None


@dataclass
class ImportOptions:
    settings: Settings = field(default_factory=Settings)
    network: bool = True                  # ask the platforms about what the input lacks
    pages: list[PageRef] | None = None    # the pages to import (--pages), else each format's own rule
    max_bundle_bytes: int | None = None   # zip bundles: the declared-size cap


@dataclass
class FileReport:
    """What one input file gave: snapshot ids in the archive it was imported into."""
    path: str
    format: str
    pages: int = 0
    records: int = 0
    added: list[int] = field(default_factory=list)
    existing: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    blobs_added: int = 0
    checks_added: int = 0   # re-checks of posts that came with the snapshots (bundles, archives)
    bundle_ids: dict[int, int] = field(default_factory=dict)   # zip bundles: id in the bundle -> id here

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "added": self.added, "existing": self.existing,
                "records": self.records, "blobs_added": self.blobs_added, "checks_added": self.checks_added,
                "problems": self.problems}
