"""How a blob's bytes are kept in the `blobs` table: zlib-compressed when that pays (text, JSON,
SVG...; images, fonts, audio and video already are compressed), as they are otherwise."""
from __future__ import annotations

import zlib

IDENTITY, ZLIB = "identity", "zlib"

# Media types whose bytes are worth compressing.
_COMPRESSIBLE_PREFIXES = ("text/", "application/json", "application/javascript", "application/x-javascript",
                          "application/xml", "application/xhtml", "image/svg", "application/ld+json",
                          "application/rss", "application/atom", "application/manifest", "image/x-icon",
                          "image/vnd.microsoft.icon", "image/bmp", "application/pdf")
_MIN_SIZE = 256     # smaller bodies are stored as they are
_MIN_GAIN = 0.9     # keep compressed data only when it is at most 90 % of the raw size


def compressible(content_type: str | None) -> bool:
    ct = (content_type or "").lower()
    return ct.startswith(_COMPRESSIBLE_PREFIXES) or "+xml" in ct or "+json" in ct


def pack(data: bytes, content_type: str | None) -> tuple[str, bytes]:
    """(encoding, stored bytes) for a blob."""
    if compressible(content_type) and len(data) > _MIN_SIZE:
        packed = zlib.compress(data, 6)
        if len(packed) <= len(data) * _MIN_GAIN:
            return ZLIB, packed
    return IDENTITY, data


def unpack(encoding: str | None, data: bytes | memoryview | None) -> bytes:
    """The blob's bytes. Raises ValueError (or zlib.error) when they cannot be decoded."""
    if data is None:
        raise ValueError("no data")
    if encoding in (None, "", IDENTITY):
        return bytes(data)
    if encoding == ZLIB:
        return zlib.decompress(data)
    raise ValueError(f"unknown encoding {encoding!r}")
