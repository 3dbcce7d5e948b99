"""The clock exports read "now" from; tests pass a fixed one so bundles compare byte for byte."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, the form the archive stores times in."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's date_time (zip cannot say anything before 1980)."""
    m = moment.astimezone(timezone.utc)
    if m.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (m.year, m.month, m.day, m.hour, m.minute, m.second)
