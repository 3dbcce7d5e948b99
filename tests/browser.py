"""Headless Chromium for tests (Playwright driving Debian's /usr/bin/chromium).

tests/conftest.py imports these fixtures once for the whole suite (importing them again in a test
module would start a second Playwright in the same thread, which Playwright refuses). Tests are skipped, not failed, when Chromium or
Playwright is missing, so the rest of the suite runs anywhere — except under CI (CI=true),
where a missing browser fails them."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ARCHIVER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def chromium():
    """A launched Playwright Browser (session-wide)."""
    missing = None if (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)) else f"no Chromium at {CHROMIUM}"
    if missing and os.environ.get("CI"):
        pytest.fail(f"{missing}: CI must run the browser tests (scripts/setup --browser installs it)")
    if missing:
        pytest.skip(missing)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageVisit:
    """What happened when a page was opened: every request URL, console errors, and the page."""
    page: object
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def outside(self, allowed: tuple[str, ...] = ("file:", "data:")) -> list[str]:
        return [u for u in self.requests if not u.startswith(allowed)]

    def broken_images(self) -> list[str]:
        return self.page.evaluate("""() => [...document.images]
            .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src)""")

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def open_page(chromium):
    """open_page(url, width=1280) -> PageVisit; recording every request the page makes."""
    contexts = []

    def visit(url: str, *, width: int = 1280, height: int = 900) -> PageVisit:
        context = chromium.new_context(viewport={"width": width, "height": height}, java_script_enabled=True)
        contexts.append(context)
        page = context.new_page()
        result = PageVisit(page)
        page.on("request", lambda r: result.requests.append(r.url))
        page.on("requestfailed", lambda r: result.failed.append(r.url))
        page.goto(url, wait_until="load")
        page.evaluate("""() => Promise.all([...document.images].map(i => i.decode().catch(() => null)))""")
        return result

    yield visit
    for context in contexts:
        context.close()
