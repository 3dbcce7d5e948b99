"""`archiver report`: the evidence page of one snapshot (archiver/report.py)."""
from __future__ import annotations

from pathlib import Path

import click

from ..report import evidence, evidence_html, write_pdf
from . import Context, main, pass_ctx, print_json, progress


@main.command()
@click.argument("snapshot_id", type=click.IntRange(1), metavar="ID")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="File to write. Default: report-ID.html (report-ID.pdf with --pdf).")
@click.option("--pdf", is_flag=True, help="Print the report to PDF with headless Chromium (archiver[browser]).")
@click.option("--json", "as_json", is_flag=True, help="Print the report's data as JSON instead of writing a file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@pass_ctx
def report(ctx: Context, snapshot_id: int, output: Path | None, pdf: bool, as_json: bool, quiet: bool) -> None:
    """Write one self-contained evidence page for snapshot ID: URLs, capture time, tool version,
    page sha256, the screenshot, every resource with its sha256, every post field with its source,
    the posts' status history and the check of every blob against its hash.

    \b
    archiver report 1                 # report-1.html
    archiver report 1 --pdf -o story-evidence.pdf
    """
    store = ctx.store(must_exist=True)
    data = evidence(store, snapshot_id)
    if as_json:
        print_json(data)
        return
    path = output or Path(f"report-{snapshot_id}.{'pdf' if pdf else 'html'}")
    html = evidence_html(store, snapshot_id, data)
    if pdf:
        write_pdf(html, path)
    else:
        path.write_text(html, encoding="utf-8")
    ok = "all blobs verified" if data["verification"]["ok"] else "BLOBS DO NOT MATCH (see the report)"
    progress(quiet, f"report on #{snapshot_id}: {len(data['posts'])} posts, {len(data['resources'])} resources, {ok}")
    click.echo(str(path))
