"""Dates of embedded posts (pure functions).

Two sources: IDs that encode their creation time (X snowflakes, Bluesky TIDs, TikTok video IDs),
and the localised human text of fallbacks ("Wednesday, 22 November 2017", "jeudi 27 août 2015",
"2025年12月27日 0:23"). Text is read by structure (day, month, year numbers and a month name in
one of several languages), never by English words around it. Text gives a date only: the time
printed in a fallback is in the embedding person's unknown time zone.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from typing import Any

TWITTER_EPOCH_MS = 1288834974657
# The last sequential (pre-snowflake) X post ID, late 2010: smaller IDs carry no time.
LAST_SEQUENTIAL_X_ID = 29700859247
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"

# Month names and abbreviations, accents removed, lower case: en, fr, de, nl, es, pt, it, sv/da/no,
# pl and ru (genitive, as dates use them), tr.
_MONTH_WORDS = {
    1: "january jan janvier janv januar janner jaenner januari enero ene janeiro gennaio gen januar stycznia "
       "styczen января январь ocak",
    2: "february feb fevrier fevr fev februar februari febrero febr fevereiro febbraio lutego luty "
       "февраля февраль subat",
    3: "march mar mars marz maerz maart mrt marzo marco marca marzec марта март mart",
    4: "april apr avril avr abril abr aprile kwietnia kwiecien апреля апрель nisan",
    5: "may mai mei mayo maio maggio mag maj maja мая май mayis",
    6: "june jun juin juni junio junho giugno giu czerwca czerwiec июня июнь haziran",
    7: "july jul juillet juil juli julio julho luglio lug lipca lipiec июля июль temmuz",
    8: "august aug aout augustus agosto ago augusti sierpnia sierpien августа август agustos",
    9: "september sep sept septembre septiembre setiembre setembro settembre set wrzesnia wrzesien "
       "сентября сентябрь eylul",
    10: "october oct octobre oktober okt octubre outubro out ottobre ott pazdziernika pazdziernik "
        "октября октябрь ekim",
    11: "november nov novembre noviembre novembro listopada listopad ноября ноябрь kasim",
    12: "december dec decembre dezember dez diciembre dic dezembro dicembre grudnia grudzien "
        "декабря декабрь aralik",
}

_WORD = r"([^\W\d_]{3,})\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|er|e|º|°|\.)?"
_YEAR = r"(\d{4})"
# "22 November 2017", "27 de agosto de 2015", "27. August 2015", "1er mars 2020"
_DAY_MONTH_YEAR = re.compile(_DAY + r"\s*(?:de\s+|of\s+)?" + _WORD + r",?\s*(?:de\s+|del\s+)?" + _YEAR + r"\b")
# "November 22, 2017", "Apr 10, 2020"
_MONTH_DAY_YEAR = re.compile(r"\b" + _WORD + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b")
# "2025年12月27日", "2025년 12월 27일"
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "22.11.2017", "22/11/2017": the order is only certain when one number exceeds 12
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")


def _fold(text: str) -> str:
    """Lower case without accents (août -> aout, März -> marz); Cyrillic stays as it is."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


MONTHS: dict[str, int] = {_fold(word): num for num, words in _MONTH_WORDS.items() for word in words.split()}


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date_text(text: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) from a localised date in free text, or None when there is none."""
    if not text:
        return None
    for m in _CJK.finditer(text):              # before folding: NFKD splits Hangul into jamo
        found = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    folded = _fold(text)
    for m in _ISO.finditer(folded):
        found = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    for m in _DAY_MONTH_YEAR.finditer(folded):
        month = MONTHS.get(m.group(2))
        if month:
            found = _iso(int(m.group(3)), month, int(m.group(1)))
            if found:
                return found
    for m in _MONTH_DAY_YEAR.finditer(folded):
        month = MONTHS.get(m.group(1))
        if month:
            found = _iso(int(m.group(3)), month, int(m.group(2)))
            if found:
                return found
    for m in _NUMERIC.finditer(folded):
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 >= b:
            return _iso(year, b, a)
        if b > 12 >= a:
            return _iso(year, a, b)
    return None


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_utc(seconds: Any) -> str | None:
    """Seconds since 1970 (a number or digits, as Facebook's data-utime and TikTok's createTime give
    them) in UTC 'Z' form; None for anything else."""
    text = str(seconds).strip() if isinstance(seconds, (int, str)) and not isinstance(seconds, bool) else ""
    return _utc(int(text)) if text.isdigit() and 0 < int(text) < 10 ** 11 else None


def iso_utc(stamp: str | None) -> str | None:
    """A machine timestamp with a time and a zone ("2010-06-15T18:20:00-04:00", "…Z") in UTC 'Z' form;
    None for anything else (a bare date, text)."""
    stamp = (stamp or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})", stamp, re.I):
        return None
    try:
        moment = datetime.fromisoformat(stamp.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return _utc(moment.timestamp())


def snowflake_time(post_id: str | int | None) -> str | None:
    """Creation time of an X post from its ID (snowflake: milliseconds since the Twitter epoch in the
    bits above 22). IDs from before snowflakes (late 2010) are sequential and give None."""
    try:
        value = int(str(post_id))
    except (TypeError, ValueError):
        return None
    if value <= LAST_SEQUENTIAL_X_ID:      # pre-snowflake sequential IDs carry no time
        return None
    ms = (value >> 22) + TWITTER_EPOCH_MS
    if not 1288834974657 <= ms <= 4102444800000:   # 2010-11-04 .. 2100-01-01
        return None
    return _utc(ms / 1000)


def tid_time(rkey: str | None) -> str | None:
    """Creation time of an AT Protocol record key in TID form: 13 base32-sortable characters encoding
    a 64-bit integer whose top bit is 0, then 53 bits of microseconds since the epoch, then a
    10-bit clock id. Other record keys give None."""
    if not rkey or len(rkey) != 13 or any(c not in TID_ALPHABET for c in rkey):
        return None
    value = 0
    for char in rkey:
        value = value * 32 + TID_ALPHABET.index(char)
    if value >> 63:
        return None
    seconds = (value >> 10) / 1_000_000
    if not 946684800 <= seconds <= 4102444800:    # 2000 .. 2100: anything else is not a timestamp
        return None
    return _utc(seconds)


def tiktok_id_time(video_id: str | int | None) -> str | None:
    """Creation time of a TikTok video from its ID (seconds since the epoch in the top 32 bits).
    Widely observed but undocumented by TikTok: callers record it as DERIVED."""
    try:
        value = int(str(video_id))
    except (TypeError, ValueError):
        return None
    seconds = value >> 32
    if not 1451606400 <= seconds <= 4102444800:   # TikTok IDs start after 2016
        return None
    return _utc(seconds)
