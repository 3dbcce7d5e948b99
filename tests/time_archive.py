"""Archives for the recheck / history / diff tests, written through the real Store."""
from __future__ import annotations

from archiver.embeds.base import FALLBACK, OEMBED, Post
from archiver.model import Resource, Snapshot
from archiver.store import Store

TEXT = "The council approved the night bus pilot"


def tweet(n: int, text: str = TEXT, name: str = "Ines Haddad", handle: str = "ihaddad3",
          status: str = "ok", position: int = 0) -> dict:
    post = Post(provider="twitter", post_url=f"https://x.com/{handle}/status/17834386017453342{n:02d}",
                post_id=f"17834386017453342{n:02d}", status=status, checked_at="2024-05-01T10:00:05Z")
    post.put("text", text, FALLBACK)
    post.put("author_name", name, OEMBED)
    post.put("author_handle", handle, FALLBACK)
    post.put("avatar_url", "https://pbs.twimg.com/profile_images/1/a_normal.jpg", OEMBED)
    row = post.row()
    row["position"] = position
    return row


def article(store: Store, *, url: str = "https://news.example.com/story", title: str = "Council backs night buses",
            paragraphs: list[str] | None = None, embeds: list[dict] | None = None,
            captured_at: str = "2024-05-01T10:00:00Z", resources: list[Resource] | None = None,
            modified_at: str | None = None) -> int:
    paragraphs = paragraphs if paragraphs is not None else PARAGRAPHS
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return store.save_snapshot(Snapshot(
        url=url, final_url=url, captured_at=captured_at, status_code=200, content_type="text/html; charset=utf-8",
        body=f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode(),
        meta={"title": title, "text": "\n".join(paragraphs), "byline": "Jane Reporter", "modified_at": modified_at},
        resources=resources or [], embeds=embeds or []))


PARAGRAPHS = [
    "The city council voted on Tuesday to run night buses on four routes from June.",
    "Supporters said shift workers had waited years for a safe way home after midnight.",
    "The pilot will cost 2.4 million over two years, paid from the transport budget.",
    "Opponents asked why the money was not spent on daytime services first.",
]
