"""Offline rendering: a stored snapshot as a page that runs no script and loads nothing from
the network, with every embedded post replaced by a preserved card.

    page = render_snapshot(store, snapshot_id)             # RenderedPage(html, assets)
    write_rendered(page, store, "story/")                 # story/index.html + story/assets/*
    render_snapshot(store, snapshot_id, single_file=True)  # one HTML file, assets as data: URIs
    save_single_file(store, snapshot_id, "story.html")     # that file, rendered and written
"""
from __future__ import annotations

from pathlib import Path

from ..files import atomic_write
from .cards import card_view, render_card
from .page import CSP, RenderedPage, RenderError, render_stored

__all__ = ["CSP", "RenderError", "RenderedPage", "card_view", "render_card", "render_snapshot", "save_single_file",
           "write_rendered", "write_single_file"]


def render_snapshot(store, snapshot_id: int, *, single_file: bool = False,
                    asset_prefix: str = "assets/") -> RenderedPage:
    """The offline page of a snapshot. In single-file mode `assets` is empty: everything is inline."""
    return render_stored(store, snapshot_id, single_file=single_file, asset_prefix=asset_prefix)


def write_rendered(page: RenderedPage, store, out_dir: str | Path) -> Path:
    """Write out_dir/index.html and out_dir/assets/<sha256>.<ext>; return the index path.
    Assets already present with the right size are kept (their names are their hashes)."""
    out = Path(out_dir)
    assets_dir = out / "assets"
    for name, digest in sorted(page.assets.items()):
        target = assets_dir / name
        if target.is_file():
            info = store.blob_info(digest)
            if info and info.get("size") == target.stat().st_size:
                continue
        data = store.blob(digest)
        if data is None:
            raise RenderError(f"blob {digest} is missing from the archive")
        atomic_write(target, data)
    index = out / "index.html"
    atomic_write(index, page.html.encode("utf-8"))
    return index


def write_single_file(page: RenderedPage, path: str | Path) -> Path:
    """Write a single-file page (rendered with single_file=True) to `path`."""
    target = Path(path)
    atomic_write(target, page.html.encode("utf-8"))
    return target


def save_single_file(store, snapshot_id: int, path: str | Path) -> RenderedPage:
    """Render the snapshot as one self-contained HTML file and write it to `path` atomically
    (what `archiver render --single-file` and `archiver export --format html` both do)."""
    page = render_snapshot(store, snapshot_id, single_file=True)
    write_single_file(page, path)
    return page
