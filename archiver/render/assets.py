"""Where a rendered page finds its requisites: the snapshot's URL -> blob map, and how a blob is
referred to from the page (a file under the asset prefix, or a `data:` URI in single-file mode).

Pure over the rows of `store.resources()`; the bytes are read through a callable only when a
`data:` URI (or an inlined stylesheet) needs them."""
from __future__ import annotations

import base64
import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

# Extensions that matter for file:// pages (Chromium picks the MIME type of a local file from it).
_EXTENSIONS = {
    "image/jpeg": "jpg", "image/jpg": "jpg", "image/pjpeg": "jpg", "image/png": "png", "image/gif": "gif",
    "image/webp": "webp", "image/avif": "avif", "image/svg+xml": "svg", "image/x-icon": "ico",
    "image/vnd.microsoft.icon": "ico", "image/bmp": "bmp", "image/apng": "png",
    "text/css": "css", "font/woff2": "woff2", "font/woff": "woff", "application/font-woff": "woff",
    "application/x-font-woff": "woff", "font/ttf": "ttf", "font/otf": "otf", "application/x-font-ttf": "ttf",
    "application/vnd.ms-fontobject": "eot", "video/mp4": "mp4", "video/webm": "webm", "audio/mpeg": "mp3",
    "audio/ogg": "ogg", "audio/mp4": "m4a", "text/vtt": "vtt", "application/json": "json",
}
_KNOWN_SUFFIXES = set(_EXTENSIONS.values()) | {"jpeg", "ttf", "otf", "eot", "ico", "txt"}


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def extension_for(content_type: str | None, url: str = "") -> str:
    """A file extension for a blob: from its media type, else from its URL, else 'bin'."""
    mt = media_type(content_type)
    if mt in _EXTENSIONS:
        return _EXTENSIONS[mt]
    suffix = posixpath.splitext(urlsplit(url).path)[1].lstrip(".").lower()
    if suffix in _KNOWN_SUFFIXES:
        return "jpg" if suffix == "jpeg" else suffix
    guessed = mimetypes.guess_extension(mt) if mt else None
    return guessed.lstrip(".") if guessed else "bin"


def url_key(url: str) -> str:
    """How URLs are compared: without fragment and surrounding space."""
    return urldefrag(url.strip())[0]


@dataclass(frozen=True)
class StoredAsset:
    sha256: str
    content_type: str
    name: str            # "<sha256>.<ext>"
    url: str


@dataclass
class AssetMap:
    """URL -> stored blob for one snapshot, and the references the page ends up using."""
    by_url: dict[str, StoredAsset]
    read_blob: Callable[[str], bytes | None]
    prefix: str = "assets/"
    single_file: bool = False
    by_sha: dict[str, StoredAsset] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)   # file name -> sha256, in order of first use

    def __post_init__(self) -> None:
        for asset in self.by_url.values():
            self.by_sha.setdefault(asset.sha256, asset)

    def lookup(self, url: str | None) -> StoredAsset | None:
        if not url:
            return None
        return self.by_url.get(url_key(url))

    def reference(self, asset: StoredAsset) -> str:
        """The URL the page uses for a stored asset (and remember that the page needs it)."""
        if self.single_file:
            return data_uri(self.read_blob(asset.sha256) or b"", asset.content_type)
        self.used.setdefault(asset.name, asset.sha256)
        return self.prefix + asset.name

    def local_url(self, url: str | None) -> str | None:
        """The local reference for an original URL, or None when it was not captured."""
        asset = self.lookup(url)
        return self.reference(asset) if asset else None

    def for_sha(self, sha256: str | None) -> str | None:
        """The local reference for a blob known by hash (post media, avatars); None if not stored."""
        asset = self.by_sha.get(sha256) if sha256 else None
        return self.reference(asset) if asset else None

    def add_blob(self, sha256: str, content_type: str | None, url: str = "") -> None:
        """Make a blob known by hash only (e.g. an avatar stored by the embeds step)."""
        if sha256 not in self.by_sha:
            self.by_sha[sha256] = StoredAsset(sha256, media_type(content_type),
                                              f"{sha256}.{extension_for(content_type, url)}", url)


def asset_map(resources: list[dict], read_blob: Callable[[str], bytes | None], *, prefix: str = "assets/",
              single_file: bool = False) -> AssetMap:
    """Build the URL -> blob map from `store.resources()` rows: only rows whose bytes were stored
    with a non-error status count as captured. Both the requested and the final URL map to it."""
    by_url: dict[str, StoredAsset] = {}
    for row in resources:
        sha = row.get("sha256")
        status = row.get("status_code")
        if not sha or (status is not None and status >= 400):
            continue
        ct = media_type(row.get("content_type"))
        url = row.get("url") or ""
        final = row.get("final_url") or url
        asset = StoredAsset(sha, ct, f"{sha}.{extension_for(ct, final)}", final)
        for u in (row.get("url"), row.get("final_url")):
            if u:
                by_url.setdefault(url_key(u), asset)
    return AssetMap(by_url, read_blob, prefix=prefix, single_file=single_file)


def data_uri(data: bytes, content_type: str | None) -> str:
    mt = media_type(content_type) or "application/octet-stream"
    return f"data:{mt};base64,{base64.b64encode(data).decode('ascii')}"
