"""What one platform answer said about a post (pure data, shared by the oEmbed and page readers)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..embeds.base import Media

OK = "ok"            # the platform answered with the post
GONE = "gone"        # the platform says the post is not there (404/410, a "deleted" notice, a tombstone)
PRIVATE = "private"  # the platform refuses to show it (401/403, private, embedding disabled)
ERROR = "error"      # no usable answer (network trouble, 5xx, garbage, an API error)


@dataclass
class Reading:
    outcome: str
    fields: dict[str, Any] = field(default_factory=dict)   # Post field -> value
    media: list[Media] = field(default_factory=list)
    raw: dict[str, Any] | None = None                      # the oEmbed JSON, when there was one
    error: str | None = None                               # one line, without the "oembed: " prefix
    extra: dict[str, Any] = field(default_factory=dict)    # Post.extra additions (duration, ...)


def from_status(status: int | None, fetch_error: str | None) -> Reading | None:
    """The reading implied by the HTTP exchange alone, or None when the body must be read."""
    if status is None:
        return Reading(ERROR, error=fetch_error or "no answer")
    if status in (404, 410):
        return Reading(GONE, error=f"HTTP {status}")
    if status in (401, 403):
        return Reading(PRIVATE, error=f"HTTP {status}")
    if fetch_error:
        return Reading(ERROR, error=fetch_error)
    if not 200 <= status < 300:
        return Reading(ERROR, error=f"HTTP {status}")
    return None
