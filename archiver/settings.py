"""Settings for one archiver run: a plain dataclass, filled from the CLI or by library callers."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import __version__

DEFAULT_DB = "archive.db"
DEFAULT_USER_AGENT = (
    f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/126.0 Safari/537.36 archiver/{__version__}"
)


def default_db_path() -> str:
    return os.environ.get("ARCHIVER_DB") or DEFAULT_DB


@dataclass
class Settings:
    timeout: float = 20.0                 # read timeout, seconds
    connect_timeout: float = 10.0
    deadline: float | None = None         # whole response, seconds (None: 3 x timeout, at least 60)
    user_agent: str = DEFAULT_USER_AGENT
    max_bytes: int = 50 * 1024 * 1024     # per resource
    max_capture_bytes: int = 500 * 1024 * 1024  # per snapshot (page + requisites + post media)
    max_resources: int = 2000             # requisites per page; the rest are recorded as skipped
    concurrency: int = 8                  # requisite downloads in flight per capture
    parallel_pages: int = 4               # captures in flight per run
    processes: bool = False               # several captures in worker processes (the CLI turns it on)
    max_redirects: int = 10
    retries: int = 3
    retry_backoff: float = 0.5            # seconds, doubled each try
    retry_after_cap: float = 30.0         # longest Retry-After we honour
    fetch_assets: bool = True
    browser: bool = False                 # capture in headless Chromium (archiver.capture.browser)
    enrich: bool = True                   # ask platforms (oEmbed, embed pages) for what fallbacks lack
    meta_token: str | None = field(default_factory=lambda: os.environ.get("ARCHIVER_META_TOKEN"))
    # Override endpoint base URLs (see archiver.enrich.endpoints), e.g. {"youtube": "http://127.0.0.1:5000/oembed"}
    endpoints: dict[str, str] = field(default_factory=dict)
