"""The detail view of one snapshot: a dict for --json, and a plain-text rendering of it."""
from __future__ import annotations

from collections import Counter
from typing import Any

from .store import Store

POST_FIELDS = ("post_url", "post_id", "author_name", "author_handle", "author_url", "published_at", "date_text",
               "title", "text")


def snapshot_detail(store: Store, snapshot_id: int) -> dict[str, Any] | None:
    snap = store.snapshot(snapshot_id)
    if snap is None:
        return None
    resources = store.resources(snapshot_id)
    stored = [r for r in resources if r["sha256"]]
    posts = store.embeds(snapshot_id)
    snap.pop("text", None)
    return {
        "snapshot": snap,
        "resources": {
            "total": len(resources),
            "stored": len(stored),
            "failed": len(resources) - len(stored),
            "bytes": sum(r["size"] or 0 for r in stored),
            "by_kind": dict(sorted(Counter(r["kind"] for r in resources).items())),
            "failures": [{"url": r["url"], "error": r["error"]} for r in resources if not r["sha256"]][:50],
        },
        "embeds": [_post(p) for p in posts],
    }


def _post(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row.get(k) for k in ("position", "provider", "kind", "status", *POST_FIELDS, "post_url_original",
                                   "avatar_sha256", "screenshot_sha256", "media", "sources", "alternatives", "checked_at",
                                   "status_evidence", "enrich_error", "extra")}
    return out


def format_detail(detail: dict[str, Any]) -> str:
    s = detail["snapshot"]
    lines = [f"#{s['id']}  {s.get('title') or '(no title)'}"]
    for label, key in (("url", "url"), ("final url", "final_url"), ("canonical", "canonical_url"),
                       ("captured", "captured_at"), ("status", "status_code"), ("type", "content_type"),
                       ("site", "site_name"), ("byline", "byline"), ("published", "published_at"),
                       ("modified", "modified_at"), ("language", "lang"), ("description", "description"),
                       ("page sha256", "page_sha256"), ("mode", "capture_mode"), ("error", "error")):
        if s.get(key) not in (None, ""):
            lines.append(f"  {label:<12} {s[key]}")
    for warning in s.get("warnings") or []:
        lines.append(f"  {'warning':<12} {warning}")
    r = detail["resources"]
    kinds = ", ".join(f"{k} {n}" for k, n in r["by_kind"].items())
    lines.append(f"\nresources: {r['stored']} stored, {r['failed']} failed, {r['bytes'] / 1e6:.2f} MB"
                 + (f"  ({kinds})" if kinds else ""))
    for f in r["failures"][:10]:
        lines.append(f"  failed  {f['url']}  {f['error']}")
    posts = detail["embeds"]
    lines.append(f"\nembedded posts: {len(posts)}")
    for p in posts:
        evidence = f"  ({p['status_evidence']})" if p.get("status_evidence") else ""
        lines.append(f"\n  [{p['position']}] {p['provider']} {p['kind']}  status: {p['status'] or 'unchecked'}{evidence}")
        sources = p.get("sources") or {}
        for key in POST_FIELDS:
            value = p.get(key)
            if value in (None, ""):
                continue
            value = " ".join(str(value).split())
            if len(value) > 100:
                value = value[:99] + "…"
            src = sources.get(key)
            lines.append(f"      {key:<14} {value}" + (f"   [{src}]" if src else ""))
        if p.get("avatar_sha256"):
            lines.append(f"      {'avatar':<14} stored {p['avatar_sha256'][:12]}…   [{sources.get('avatar_url', '')}]")
        if p.get("screenshot_sha256"):
            lines.append(f"      {'screenshot':<14} stored {p['screenshot_sha256'][:12]}…   [as the platform drew it]")
        for m in p.get("media") or []:
            state = f"stored {m['sha256'][:12]}…" if m.get("sha256") else "not stored"
            lines.append(f"      {'media':<14} {m.get('type', 'image')} {state}  {m.get('url', '')[:60]}")
        for key, alts in (p.get("alternatives") or {}).items():
            for src, val in alts.items():
                lines.append(f"      also {key:<9} {' '.join(str(val).split())[:90]}   [{src}]")
        if p.get("enrich_error"):
            lines.append(f"      {'enrichment':<14} {p['enrich_error']}")
    return "\n".join(lines)
