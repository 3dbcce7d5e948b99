"""What changed between two captures (pure over the archive's rows): metadata, the article's
text paragraph by paragraph and then word by word, the embedded posts and the resources.

    d = diff_snapshots(store, 3, 9)
    d.same, d.as_json()
"""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import ArchiverError
from .store import Store
from .store.checks import checks_of

__all__ = ["SnapshotDiff", "Hunk", "diff_snapshots", "diff_rows", "diff_text", "NoSuchSnapshot"]

META_FIELDS = ("title", "byline", "published_at", "modified_at", "description", "canonical_url")
POST_FIELDS = ("author_name", "author_handle", "title", "text", "published_at")
# A post's status is compared only when the platform gave one in both captures: "unchecked" (not
# asked, or no answer: a timeout, an outage) says nothing about the post, so ok -> unchecked is no change.
NOT_A_VERDICT = (None, "", "unchecked")


class NoSuchSnapshot(ArchiverError):
    """A snapshot id that is not in the archive."""
    exit_code = 2


@dataclass
class Hunk:
    """One place where the text differs: whole paragraphs removed and added, or one paragraph
    rewritten (then `segments` are its words: ('=', kept), ('-', removed), ('+', added))."""
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    segments: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SnapshotDiff:
    a: int
    b: int
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    hunks: list[Hunk] = field(default_factory=list)
    embeds_added: list[dict[str, Any]] = field(default_factory=list)
    embeds_removed: list[dict[str, Any]] = field(default_factory=list)
    embeds_changed: list[dict[str, Any]] = field(default_factory=list)
    resources: dict[str, int] = field(default_factory=lambda: {"added": 0, "removed": 0, "changed": 0})

    @property
    def same(self) -> bool:
        return not (self.fields or self.hunks or self.embeds_added or self.embeds_removed or self.embeds_changed
                    or any(self.resources.values()))

    @property
    def removed_text(self) -> list[str]:
        return [t for h in self.hunks for t in h.removed]

    @property
    def added_text(self) -> list[str]:
        return [t for h in self.hunks for t in h.added]

    def words(self) -> tuple[int, int]:
        """(words added, words removed)."""
        return (sum(len(t.split()) for t in self.added_text), sum(len(t.split()) for t in self.removed_text))

    def as_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "same": self.same, "fields": self.fields,
                "text": {"removed": self.removed_text, "added": self.added_text},
                "embeds": {"added": self.embeds_added, "removed": self.embeds_removed,
                           "changed": self.embeds_changed},
                "resources": self.resources}

    def summary(self) -> dict[str, Any]:
        """The short form `history` shows for each capture."""
        added, removed = self.words()
        out: dict[str, Any] = {"same": self.same}
        if "title" in self.fields:
            out["title"] = self.fields["title"]
        out.update({"words_added": added, "words_removed": removed, "posts_added": len(self.embeds_added),
                    "posts_removed": len(self.embeds_removed), "posts_changed": len(self.embeds_changed),
                    "resources_changed": sum(self.resources.values())})
        return out


def diff_snapshots(store: Store, a: int, b: int) -> SnapshotDiff:
    """Compare snapshot `a` (before) with `b` (after). Raises NoSuchSnapshot for an unknown id."""
    rows = []
    for sid in (a, b):
        snap = store.snapshot(sid)
        if snap is None:
            raise NoSuchSnapshot(f"no snapshot {sid} in the archive")
        rows.append((snap, as_captured(store, store.embeds(sid)), store.resources(sid)))
    return diff_rows(a, b, *rows[0], *rows[1])


def as_captured(store: Store, posts: list[dict]) -> list[dict]:
    """The posts' rows with the verdict their capture got: a re-check since moves a post's row on
    to its latest verdict, and the first re-check's `previous` is the status the row had before.
    (What decided it then is not kept: `status_evidence` is left out for such a post.)"""
    history = checks_of(store, [p["id"] for p in posts])
    out = []
    for post in posts:
        first = next(iter(history[post["id"]]), None)
        if first is not None and first.get("previous"):
            post = {**post, "status": first["previous"], "status_evidence": None}
        out.append(post)
    return out


def diff_rows(a: int, b: int, snap_a: dict, embeds_a: list[dict], resources_a: list[dict],
              snap_b: dict, embeds_b: list[dict], resources_b: list[dict]) -> SnapshotDiff:
    d = SnapshotDiff(a, b)
    for name in META_FIELDS:
        va, vb = _clean(snap_a.get(name)), _clean(snap_b.get(name))
        if va != vb:
            d.fields[name] = {"a": snap_a.get(name), "b": snap_b.get(name)}
    d.hunks = diff_text(snap_a.get("text") or "", snap_b.get("text") or "")
    _diff_embeds(d, embeds_a, embeds_b)
    d.resources = _diff_resources(resources_a, resources_b)
    return d


# ---------------------------------------------------------------------------- text
def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.splitlines() if p.strip()]


def diff_text(a: str, b: str) -> list[Hunk]:
    """The text's differences, paragraph by paragraph. A paragraph that only moved is not a
    change; within a changed passage, an old paragraph and a new one that share most of their
    words are compared word by word. Unchanged paragraphs are never listed."""
    pa, pb = paragraphs(a), paragraphs(b)
    blocks = [(pa[i1:i2], pb[j1:j2]) for op, i1, i2, j1, j2
              in difflib.SequenceMatcher(None, pa, pb, autojunk=False).get_opcodes() if op != "equal"]
    gone = Counter(p for old, _ in blocks for p in old)
    came = Counter(p for _, new in blocks for p in new)
    moved = gone & came
    hunks = []
    for old, new in blocks:
        old, new = _without(old, moved), _without(new, moved)
        hunks += _pair_up(old, new)
    return [h for h in hunks if h.removed or h.added]


def _without(paras: list[str], moved: Counter) -> list[str]:
    """The paragraphs that did not simply move (a moved paragraph is taken out once per move)."""
    out = []
    for p in paras:
        if moved[p]:
            continue
        out.append(p)
    return out


def _pair_up(old: list[str], new: list[str]) -> list[Hunk]:
    """Hunks for one changed passage: each old paragraph is paired, in order, with the next new
    paragraph sharing at least half its words; the rest are whole paragraphs removed or added."""
    hunks, j = [], 0
    for p in old:
        match = next((k for k in range(j, len(new)) if _similar(p, new[k])), None)
        if match is None:
            hunks.append(Hunk(removed=[p], segments=[("-", p)]))
            continue
        hunks += [Hunk(added=[q], segments=[("+", q)]) for q in new[j:match]]
        hunks.append(_word_hunk(p, new[match]))
        j = match + 1
    hunks += [Hunk(added=[q], segments=[("+", q)]) for q in new[j:]]
    return hunks


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio() >= 0.5


def _word_hunk(old: str, new: str) -> Hunk:
    wa, wb = old.split(), new.split()
    hunk = Hunk()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if op == "equal":
            hunk.segments.append(("=", " ".join(wa[i1:i2])))
            continue
        if i2 > i1:
            hunk.removed.append(" ".join(wa[i1:i2]))
            hunk.segments.append(("-", " ".join(wa[i1:i2])))
        if j2 > j1:
            hunk.added.append(" ".join(wb[j1:j2]))
            hunk.segments.append(("+", " ".join(wb[j1:j2])))
    return hunk


# ---------------------------------------------------------------------------- posts, resources
def post_key(row: dict) -> str:
    """A post's identity across captures: its normalised URL, else provider and id, else markup position."""
    return row.get("post_url") or (f"{row.get('provider')}:{row['post_id']}" if row.get("post_id")
                                   else f"{row.get('provider')}@{row.get('position')}")


def _diff_embeds(d: SnapshotDiff, rows_a: list[dict], rows_b: list[dict]) -> None:
    by_a = {post_key(r): r for r in rows_a}
    by_b = {post_key(r): r for r in rows_b}
    for key, row in by_b.items():
        if key not in by_a:
            d.embeds_added.append({"post_url": row.get("post_url"), "provider": row.get("provider")})
    for key, row in by_a.items():
        if key not in by_b:
            d.embeds_removed.append({"post_url": row.get("post_url"), "provider": row.get("provider")})
            continue
        other = by_b[key]
        changed = {name: {"a": row.get(name), "b": other.get(name)} for name in POST_FIELDS
                   if _clean(row.get(name)) != _clean(other.get(name))}
        status_a, status_b = row.get("status"), other.get("status")
        if status_a != status_b and status_a not in NOT_A_VERDICT and status_b not in NOT_A_VERDICT:
            changed["status"] = {"a": status_a, "b": status_b, "evidence": other.get("status_evidence")}
        if changed:
            d.embeds_changed.append({"post_url": row.get("post_url"), "provider": row.get("provider"),
                                     "fields": changed})


def _diff_resources(rows_a: list[dict], rows_b: list[dict]) -> dict[str, int]:
    by_a = {r["url"]: r.get("sha256") for r in rows_a}
    by_b = {r["url"]: r.get("sha256") for r in rows_b}
    return {"added": len(by_b.keys() - by_a.keys()), "removed": len(by_a.keys() - by_b.keys()),
            "changed": sum(1 for url in by_a.keys() & by_b.keys() if by_a[url] != by_b[url])}


def _clean(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value
