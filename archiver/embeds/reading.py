"""What a platform's answer means for a post: the outcomes a reader can reach, and the ones the
HTTP exchange alone decides (pure functions).

    OK       the platform answered with the post
    GONE     the platform says the post is not there (a 404/410 where the platform means gone,
             a tombstone, an embed page whose data says it was removed)
    PRIVATE  the platform refuses to show it (private, age-restricted, login-walled, embedding off)
    ERROR    no usable answer (network trouble, 5xx, 429, garbage): says nothing about the post
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .base import Reading, Reply

OK = "ok"
GONE = "gone"
PRIVATE = "private"
ERROR = "error"
OUTCOMES = (OK, GONE, PRIVATE, ERROR)


# What an HTTP status says about the post, where the platform means it (a provider's reader may
# say otherwise: an API that answers 401 to everyone without a token says nothing about the post).
STATUS_MEANS = {404: GONE, 410: GONE, 401: PRIVATE, 403: PRIVATE}


def from_status(reply: Reply, means: dict[int, str] | None = None) -> Reading | None:
    """The reading implied by the HTTP exchange alone, or None when the body must be read.
    429, 5xx and network trouble are always ERROR: they say nothing about the post."""
    status = reply.status
    if status is None:
        return Reading(ERROR, error=reply.error or "no answer")
    outcome = {**STATUS_MEANS, **(means or {})}.get(status)
    if outcome in (GONE, PRIVATE) and not reply.error:
        return Reading(outcome, error=f"HTTP {status}", evidence=f"HTTP {status}")
    if reply.error:
        return Reading(ERROR, error=reply.error)
    if not 200 <= status < 300:
        return Reading(ERROR, error=f"HTTP {status}")
    return None


# Where platforms send a visitor they will not show a post to without an account (the path of the
# final URL after redirects: Instagram's /accounts/login/, Facebook's /login.php, X's /i/flow/login).
_LOGIN_PATH = re.compile(r"^/(?:accounts/login|login(?:\.php)?|i/flow/login|signin|sign_in|checkpoint)(?:/|$)", re.I)


def login_wall(reply: Reply) -> Reading | None:
    """PRIVATE when the answer came from a login page (the request was redirected there)."""
    if reply.status is not None and 200 <= reply.status < 300 and _LOGIN_PATH.match(urlsplit(reply.url).path or "/"):
        return Reading(PRIVATE, error="redirected to a login page",
                       evidence=f"the platform answered with its login page ({urlsplit(reply.url).path})")
    return None


def with_fields(reading: Reading) -> Reading:
    """The reading without empty field values."""
    reading.fields = {k: v for k, v in reading.fields.items() if v not in (None, "", [])}
    return reading
