"""A post link captured as the post: a URL a platform provider recognises as one of its posts (an
X status, an Instagram /p/, a TikTok video, a YouTube watch page, ...) becomes a snapshot with one
embed row for that post, built by enrichment as for an embed in an article. The page the link
serves (often an app shell saying JavaScript is needed) is kept as the snapshot's page."""
from __future__ import annotations

import time

from .. import embeds as embed_registry
from ..embeds.base import Post
from ..fetch import ByteBudget, Fetcher
from ..model import Snapshot, now_iso
from ..settings import Settings


def capture_post(url: str, post: Post, fetcher: Fetcher, settings: Settings) -> Snapshot:
    """One post snapshot; never raises for network trouble. The snapshot fails only when neither
    the link nor the platform's endpoints said anything about the post."""
    from .pipeline import _enrich, _link_stored_media, http_error, is_html   # pipeline imports this module

    started = time.monotonic()
    budget = ByteBudget(settings.max_capture_bytes)
    page = fetcher.get(url, budget=budget)
    snap = Snapshot(url=url, captured_at=now_iso(), final_url=page.final_url, status_code=page.status,
                    content_type=page.headers.get("content-type"), headers=page.headers)
    snap.capture_mode = "post"
    if page.ok and page.body:
        snap.body = page.body
    snap.resources = _enrich([post], fetcher, settings, budget)
    by_url = {r.url: r for r in snap.resources if r.body is not None}
    _link_stored_media(post, by_url)
    learned = bool(post.author_name or post.author_handle or post.text or post.title)
    page_error = page.error or (None if page.ok else http_error(page.status or 0))
    if page_error and not learned:
        snap.error = page_error if not post.enrich_error else f"{page_error}; {post.enrich_error}"
    else:
        row = post.row()
        row["position"] = 0
        snap.embeds.append(row)
        prov = embed_registry.provider(post.provider)
        name = prov.name if prov else post.provider
        who = post.author_name or post.author_handle
        snap.meta = {"title": post.title or (f"{name} post by {who}" if who else f"{name} post"),
                     "byline": who, "published_at": post.published_at, "site_name": name,
                     "text": post.text, "canonical_url": post.post_url}
        if page.ok and not is_html(page):
            snap.body = None
    snap.duration_ms = int((time.monotonic() - started) * 1000)
    return snap
