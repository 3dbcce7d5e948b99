"""The zip bundle's layout and the rules a path inside it must follow (docs/bundle-format.md).

    manifest.json                    what the bundle holds: format, tool, snapshots, every file's sha256 and size
    index.html                       a page listing the snapshots (opens offline)
    snapshots/<n>/snapshot.json      one snapshot's rows: metadata, resources map, preserved posts with sources
    snapshots/<n>/index.html         its offline render, when the render module is installed
    snapshots/<n>/assets/<file>      the render's local files
    blobs/<sha256>                   the raw bytes, named by their hash

Pure functions only.
"""
from __future__ import annotations

import re
import stat
import zipfile

FORMAT = "archiver-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
INDEX = "index.html"
BLOB_DIR = "blobs/"
SNAPSHOT_DIR = "snapshots/"
SNAPSHOT_JSON = "snapshot.json"

SHA256_RE = re.compile(r"[0-9a-f]{64}")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
_FORBIDDEN_CHARS = ("\\", "\x00")


def blob_path(digest: str) -> str:
    return f"{BLOB_DIR}{digest}"


def snapshot_dir(n: int) -> str:
    return f"{SNAPSHOT_DIR}{n}/"


def blob_digest(path: str) -> str | None:
    """The sha256 a blobs/<sha256> path names, or None when the path is not a blob."""
    if not path.startswith(BLOB_DIR):
        return None
    name = path[len(BLOB_DIR):]
    return name if SHA256_RE.fullmatch(name) else None


def unsafe_path_reason(path: str) -> str | None:
    """Why a path may not appear in a bundle (None when it is fine): absolute, drive letters,
    backslashes, `..` or `.` or empty segments, control characters."""
    if not path:
        return "empty name"
    if any(ch in path for ch in _FORBIDDEN_CHARS) or any(ord(ch) < 32 for ch in path):
        return "backslash or control character in name"
    if path.startswith("/") or _WINDOWS_DRIVE.match(path):
        return "absolute path"
    segments = path.split("/")
    if any(seg == ".." for seg in segments):
        return "'..' in path"
    if any(seg in ("", ".") for seg in segments):
        return "empty or '.' path segment"
    return None


def entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip entry may not be read from a bundle (None when it is fine): unsafe name,
    directory, symbolic link or other special file, encryption."""
    reason = unsafe_path_reason(info.filename)
    if reason:
        return reason
    if info.is_dir():
        return "directory entry"
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind and kind != stat.S_IFREG:  # the unix file type some zip tools store in the high bits
        return "symbolic link" if kind == stat.S_IFLNK else "special file"
    if info.flag_bits & 0x1:
        return "encrypted entry"
    return None
