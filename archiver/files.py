"""Writing output files safely: a temporary file beside the target, renamed over it only when
everything was written, so an interrupted write never leaves half a file."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class atomic_output:
    """with atomic_output(target) as tmp: write tmp; it replaces `target` only if the block succeeds."""

    def __init__(self, target: str | Path):
        self.target = Path(target)

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        # Created like any new file (0666 less the umask), not 0600 as mkstemp would.
        self.tmp = self.target.parent / f".{self.target.name}.{secrets.token_hex(6)}.part"
        os.close(os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)


def atomic_write(path: str | Path, data: bytes) -> None:
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
