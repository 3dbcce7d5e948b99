"""Dates of embedded posts: localised fallback text read by structure, and times derived from IDs."""
from __future__ import annotations

import pytest

from archiver.embeds._dates import parse_date_text, snowflake_time, tid_time, tiktok_id_time


@pytest.mark.parametrize("text,expected", [
    ("Wednesday, 22 November 2017", "2017-11-22"),
    ("on\u00a0Wednesday, 22 November 2017", "2017-11-22"),
    ("jeudi 27 août 2015", "2015-08-27"),
    ("November 25, 2024 at 7:49 AM", "2024-11-25"),
    ("Apr 10, 2020 at 11:47am PDT", "2020-04-10"),
    ("2025年12月27日 0:23", "2025-12-27"),
    ("2024년 3월 5일", "2024-03-05"),
    ("27 de agosto de 2015", "2015-08-27"),
    ("Montag, 3. März 2014", "2014-03-03"),
    ("1er mars 2020", "2020-03-01"),
    ("3 maart 2021", "2021-03-03"),
    ("27 мая 2015 г.", "2015-05-27"),
    ("22/11/2017", "2017-11-22"),
    ("2017-11-22", "2017-11-22"),
])
def test_localised_dates(text, expected):
    assert parse_date_text(text) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "05/04/2017", "31 February 2020", "12 tweets 2015"])
def test_no_date_or_ambiguous(text):
    assert parse_date_text(text) is None


def test_snowflake():
    assert snowflake_time("1813911801215958881") == "2024-07-18T12:20:48Z"
    assert snowflake_time(20) is None            # pre-snowflake IDs carry no time
    assert snowflake_time("not-an-id") is None


def test_tid_and_tiktok():
    assert tid_time("3l33vj4wwbea7") == "2024-09-01T13:33:21Z"
    assert tid_time("self") is None and tid_time("3L33VJ4WWBEA7") is None
    assert tiktok_id_time("7428135766506023606") == "2024-10-21T08:00:31Z"
    assert tiktok_id_time("123") is None


def test_snowflake_boundary_and_iso_utc():
    from archiver.embeds._dates import iso_utc
    assert snowflake_time("16234567890") is None          # a sequential ID from mid-2010, below the boundary
    assert snowflake_time("29700859247") is None
    assert snowflake_time("146622441274351616") == "2011-12-13T16:08:08Z"
    assert iso_utc("2010-06-15T18:20:00-04:00") == "2010-06-15T22:20:00Z"
    assert iso_utc("2011-07-15T11:53:09Z") == "2011-07-15T11:53:09Z"
    assert iso_utc("2011-07-15") is None and iso_utc("soon") is None and iso_utc(None) is None
