"""One function for the charset a Content-Type names, used by fetch, render, serve and CSS."""
from __future__ import annotations

import pytest

from archiver.extract.charset import charset_of
from archiver.extract.css import decode_css
from archiver.fetch import Fetched


@pytest.mark.parametrize("content_type, expected", [
    ("text/html; charset=windows-1251", "windows-1251"),
    ('text/html; Charset="ISO-8859-1"', "ISO-8859-1"),
    ("text/html;charset = 'utf-8'; foo=bar", "utf-8"),
    ("text/css; foo=bar; charset=shift_jis", "shift_jis"),
    ("text/html", None), ("text/html; charset=", None), ("", None), (None, None),
])
def test_charset_of_a_content_type(content_type, expected):
    assert charset_of(content_type) == expected
    assert Fetched(url="http://e.example/", headers={"content-type": content_type or ""}).header_charset == expected


def test_headers_are_read_when_there_is_no_content_type():
    assert charset_of(None, {"Content-Type": "text/html; charset=koi8-r"}) == "koi8-r"
    assert charset_of("text/html; charset=utf-8", {"Content-Type": "text/html; charset=koi8-r"}) == "utf-8"
    assert charset_of("", {"x-other": "charset=koi8-r"}) is None


def test_css_reads_a_quoted_charset():
    assert decode_css("a{content:'é'}".encode("cp1252"), 'text/css; charset="windows-1252"') == "a{content:'é'}"
