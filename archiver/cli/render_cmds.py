"""`archiver render`: the offline page of a snapshot."""
from __future__ import annotations

from pathlib import Path

import click

from ..render import render_snapshot, save_single_file, write_rendered
from . import Context, main, pass_ctx, print_json, progress


@main.command()
@click.argument("snapshot_id", type=click.IntRange(1), metavar="ID")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path),
              help="Folder to write (index.html + assets/), or the .html file with --single-file. "
                   "Default: snapshot-ID/ or snapshot-ID.html.")
@click.option("--single-file", is_flag=True, help="One HTML file with every asset inlined as data: URIs.")
@click.option("--json", "as_json", is_flag=True, help="Print {id, path, assets, cards} as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@pass_ctx
def render(ctx: Context, snapshot_id: int, output: Path | None, single_file: bool, as_json: bool, quiet: bool) -> None:
    """Write the offline page of snapshot ID: no script, nothing loaded from the web, and every
    embedded post shown as a preserved card. Prints the path of the page.

    \b
    archiver render 1 -o story/
    archiver render 1 --single-file -o story.html
    """
    store = ctx.store(must_exist=True)
    try:
        if single_file:
            path = output or Path(f"snapshot-{snapshot_id}.html")
            if path.is_dir():
                path = path / f"snapshot-{snapshot_id}.html"
            page = save_single_file(store, snapshot_id, path)
        else:
            path = output or Path(f"snapshot-{snapshot_id}")
            page = render_snapshot(store, snapshot_id)
            if path.exists() and not path.is_dir():
                raise click.ClickException(f"{path} exists and is not a folder (use --single-file for one file)")
            path = write_rendered(page, store, path)
    except OSError as exc:
        raise click.ClickException(f"cannot write the page: {exc}")
    if as_json:
        print_json({"id": snapshot_id, "path": str(path), "assets": len(page.assets), "cards": page.cards,
                    "single_file": single_file})
    else:
        progress(quiet, f"rendered #{snapshot_id}: {page.cards} preserved post{'s' if page.cards != 1 else ''}, "
                        f"{len(page.assets)} assets")
        click.echo(str(path))
