"""Building snapshots for render tests: a page, its resources and its embed rows, written
through the real Store (no capture, no network)."""
from __future__ import annotations

from archiver.embeds import detect
from archiver.model import Resource, Snapshot
from archiver.store import Store

ORIGIN = "http://news.example"


def save_page(store: Store, html: str | bytes, *, url: str = ORIGIN + "/world/story.html",
              resources: dict[str, tuple[bytes, str]] | None = None, embeds: list[dict] | None = None,
              content_type: str = "text/html; charset=utf-8", missing: tuple[str, ...] = ()) -> int:
    """Store a snapshot; `resources` maps absolute URL -> (bytes, content type); `missing` lists
    URLs recorded as failed. Embed rows default to what the registry finds in the page."""
    body = html.encode("utf-8") if isinstance(html, str) else html
    res = [Resource(url=u, final_url=u, kind="image", status_code=200, content_type=ct, body=data)
           for u, (data, ct) in (resources or {}).items()]
    res += [Resource(url=u, kind="image", status_code=404, error="HTTP 404") for u in missing]
    if embeds is None:
        embeds = embed_rows(body, url)
    snap = Snapshot(url=url, final_url=url, captured_at="2025-03-04T05:06:07Z", status_code=200,
                    content_type=content_type, body=body, resources=res, embeds=embeds,
                    meta={"title": "A story"})
    return store.save_snapshot(snap)


def embed_rows(body: bytes, url: str) -> list[dict]:
    rows = []
    for det in detect(body, url):
        row = det.post.row()
        row["position"] = det.position
        row["media"] = [m for m in row["media"]]
        rows.append(row)
    return rows
