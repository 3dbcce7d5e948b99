"""Errors a user can cause: a snapshot that does not exist, a bundle that is damaged, an archive
file that is not one. Each module raises its own subclass where the trouble starts; the CLI turns
any of them into one line on stderr and `exit_code` (archiver/cli/__init__.py, one place)."""
from __future__ import annotations


class ArchiverError(Exception):
    """Something the user can fix, said in one line."""

    exit_code = 1

    @property
    def message(self) -> str:
        """The message as one line (newlines and runs of spaces folded)."""
        return " ".join(str(self).split())


# The archive's own errors (archiver/store raises them). They live here, beside the rest, so that
# the command line can name them without loading the store: `archive` opens the archive only
# once its worker processes are forked and under way.
class CorruptArchive(ArchiverError):
    """The database file is not an archive we can open, or a blob in it cannot be read."""


class MissingArchive(ArchiverError, FileNotFoundError):
    """There is no archive file where one was expected."""


class ReadOnlyArchive(ArchiverError):
    """The archive can be read but not written: a read-only file or folder, or a newer schema."""


class ArchiveWriteError(ArchiverError):
    """A write to the archive failed (disk full, I/O error); it was rolled back."""


def shorten(value: object, limit: int = 200) -> str:
    """A value fit for a one-line message: whitespace folded, and the middle of a long value cut
    out (`https://example.org/aaaa…(99,800 more)…zz.html`), so a 100 KB URL stays readable."""
    text = " ".join(str(value).split())
    if len(text) <= limit:
        return text
    keep = max(limit - 24, 20)
    head, tail = text[: keep * 2 // 3], text[-(keep - keep * 2 // 3):]
    return f"{head}…({len(text) - len(head) - len(tail):,} more)…{tail}"
