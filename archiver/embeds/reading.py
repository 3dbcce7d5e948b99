"""What a platform's answer means for a post: the outcomes a reader can reach, and the ones the
HTTP exchange alone decides (pure functions).

    OK       the platform answered with the post
    GONE     the platform says the post is not there (a 404/410 where the platform means gone,
             a tombstone, an embed page whose data says it was removed)
    PRIVATE  the platform refuses to show it (private, age-restricted, login-walled, embedding off)
    ERROR    no usable answer (network trouble, 5xx, 429, garbage): says nothing about the post
"""
from __future__ import annotations

from .base import Reading, Reply

OK = "ok"
GONE = "gone"
PRIVATE = "private"
ERROR = "error"
OUTCOMES = (OK, GONE, PRIVATE, ERROR)


def from_status(reply: Reply) -> Reading | None:
    """The reading implied by the HTTP exchange alone, or None when the body must be read."""
    status = reply.status
    if status is None:
        return Reading(ERROR, error=reply.error or "no answer")
    if status in (404, 410):
        return Reading(GONE, error=f"HTTP {status}", evidence=f"HTTP {status}")
    if status in (401, 403):
        return Reading(PRIVATE, error=f"HTTP {status}", evidence=f"HTTP {status}")
    if reply.error:
        return Reading(ERROR, error=reply.error)
    if not 200 <= status < 300:
        return Reading(ERROR, error=f"HTTP {status}")
    return None


def with_fields(reading: Reading) -> Reading:
    """The reading without empty field values."""
    reading.fields = {k: v for k, v in reading.fields.items() if v not in (None, "", [])}
    return reading
