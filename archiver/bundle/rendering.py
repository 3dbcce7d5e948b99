"""The bundle's door to archiver.render: the offline page of a snapshot, as files or as one HTML file."""
from __future__ import annotations

from pathlib import Path

from ..store import Store


class RenderUnavailable(Exception):
    """archiver.render is not installed in this build."""


class RenderFailed(Exception):
    """archiver.render refused a snapshot (its RenderError), as one line."""


def _render_module():
    try:
        from .. import render
        render.render_snapshot, render.write_rendered  # noqa: B018 - both must exist
    except (ImportError, AttributeError) as exc:
        raise RenderUnavailable("the render module is not available in this build") from exc
    return render


def render_available() -> bool:
    try:
        _render_module()
    except RenderUnavailable:
        return False
    return True


def render_into(store: Store, snapshot_id: int, out_dir: Path) -> Path | None:
    """Write the snapshot's offline page to out_dir/index.html (+ out_dir/assets/); the path of
    index.html, or None when rendering is not available."""
    try:
        render = _render_module()
    except RenderUnavailable:
        return None
    try:
        page = render.render_snapshot(store, snapshot_id, single_file=False, asset_prefix="assets/")
        return Path(render.write_rendered(page, store, out_dir))
    except getattr(render, "RenderError", ()) as exc:
        raise RenderFailed(f"cannot render snapshot {snapshot_id}: {exc}") from exc


def render_single_file(store: Store, snapshot_id: int) -> str:
    """The snapshot's offline page as one self-contained HTML document."""
    render = _render_module()
    try:
        return render.render_snapshot(store, snapshot_id, single_file=True).html
    except getattr(render, "RenderError", ()) as exc:
        raise RenderFailed(f"cannot render snapshot {snapshot_id}: {exc}") from exc
