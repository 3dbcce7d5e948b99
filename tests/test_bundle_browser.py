"""The unzipped bundle opens in a real browser from file:// with no network: the index, and each
snapshot's offline page with its images."""
from __future__ import annotations

import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archiver.bundle.zipexport import export_zip
from archiver.capture import archive_urls
from archiver.settings import Settings
from archiver.store import Store

pytestmark = pytest.mark.browser


def test_unzipped_bundle_opens_offline(site, tmp_path: Path, open_page) -> None:  # noqa: F811
    store = Store(tmp_path / "a.db")
    [result] = archive_urls([site.url_for("/site/article.html")], store, Settings(enrich=False))
    assert result.ok
    export_zip(store, [result.snapshot_id], tmp_path / "b.zip",
               clock=lambda: datetime(2024, 6, 1, tzinfo=timezone.utc))
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        zf.extractall(tmp_path / "out")
    site.clear()   # nothing to fetch from any more: no routes, and any request is logged

    index = open_page((tmp_path / "out/index.html").as_uri())
    assert index.outside() == []
    link = index.page.locator("a", has_text="offline page")
    assert link.count() == 1

    page = open_page((tmp_path / "out/snapshots/1/index.html").as_uri())
    assert page.outside() == [] and page.failed == []
    assert page.page.evaluate("document.images.length") > 0
    assert page.broken_images() == []
    assert page.page.title()
    assert site.log == [], "the offline bundle asked the capture server for something"
