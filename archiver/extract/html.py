"""Bytes to text for HTML, the way a browser picks the encoding (pure functions):
a byte-order mark, then the HTTP header charset, then <meta charset>, then detection.
A declared charset that cannot decode the bytes (a lying header or meta) is skipped."""
from __future__ import annotations

import codecs
import re

from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9._:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Labels the HTML spec maps to another decoder.
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
            "ascii": "cp1252", "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030",
            "windows-874": "cp874", "x-user-defined": "cp1252"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = _ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


_SINGLE_BYTE = {"cp1252", "iso8859-1", "iso8859-15", "cp1250", "cp1251", "ascii"}


def _is_utf8_with_non_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Never raises: the last resort decodes with replacement characters."""
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(enc, "replace"), enc
    for label in (header_charset, meta_charset(body)):
        enc = _codec(label)
        if enc in ("utf-16", "utf-16-le", "utf-16-be"):  # a meta can't truly say this; the spec ignores it
            enc = "utf-8"
        if enc in _SINGLE_BYTE and _is_utf8_with_non_ascii(body):
            return body.decode("utf-8"), "utf-8"   # a common lie: legacy label on UTF-8 bytes
        if enc:
            try:
                return body.decode(enc), enc
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    enc = _codec(best.encoding) if best else None
    enc = enc or "cp1252"
    return body.decode(enc, "replace"), enc


def parse_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")


def looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--")) or b"<html" in head
