"""`archiver export` and `archiver verify` (`archiver import`: cli/import_cmds.py)."""
from __future__ import annotations

from pathlib import Path

import click

from ..bundle.formats import ExportOptions, export_formats
from ..bundle.verify import verify as verify_archive
from . import Context, main, pass_ctx, print_json, progress


def default_output(fmt: str, ids: list[int], all_: bool) -> str:
    stem = "archive" if all_ or len(ids) != 1 else f"snapshot-{ids[0]}"
    return stem + export_formats()[fmt].suffix


def _format_help() -> str:
    return "; ".join(f"{f.name}: {f.help}" for f in export_formats().values()) + "."


@main.command("export")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Export every snapshot in the archive.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write [default: archive.<ext>, or snapshot-ID.<ext> for one snapshot].")
@click.option("-f", "--format", "fmt", type=click.Choice(list(export_formats())),
              default=next(iter(export_formats())), show_default=True, help=_format_help())
@click.option("--no-render", is_flag=True, help="zip: leave out the offline pages (raw data and snapshot.json only).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@pass_ctx
def export_cmd(ctx: Context, ids: tuple[int, ...], all_: bool, output: str | None, fmt: str, no_render: bool,
               as_json: bool, quiet: bool) -> None:
    """Export snapshots as a zip bundle, an HTML file, a WARC or a WACZ.

    \b
    archiver export 1 2 -o story.zip
    archiver export --all --format warc -o archive.warc.gz
    archiver export 3 --format html -o story.html
    """
    if all_ and ids:
        raise click.UsageError("give snapshot ids or --all, not both")
    if not all_ and not ids:
        raise click.UsageError("give at least one snapshot id, or --all")
    export_format = export_formats()[fmt]
    if export_format.one_snapshot and (all_ or len(ids) != 1):
        raise click.UsageError(f"--format {fmt} exports exactly one snapshot")
    store = ctx.store(must_exist=True)
    chosen = store.snapshot_ids() if all_ else list(ids)
    out = Path(output or default_output(fmt, chosen, all_))
    try:
        summary = export_format.export(store, chosen, out, ExportOptions(render=not no_render))
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}")
    if as_json:
        print_json(vars(summary))
    progress(quiet, f"wrote {summary.path}: {summary.format}, {summary.snapshots} snapshot"
                    f"{'' if summary.snapshots == 1 else 's'}, {summary.bytes} bytes")


@main.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@pass_ctx
def verify_cmd(ctx: Context, as_json: bool) -> None:
    """Check every blob against its hash, every reference against the blobs, and SQLite's integrity.

    Exits 0 when all is well, 1 (with the list of problems) otherwise.
    """
    report = verify_archive(ctx.store(must_exist=True))
    if as_json:
        print_json(report.as_json())
    else:
        for problem in report.problems:
            click.echo(f"{problem.kind}: {problem}")
        verdict = "ok" if report.ok else f"{len(report.problems)} problem{'' if len(report.problems) == 1 else 's'}"
        click.echo(f"{verdict}: {report.blobs} blobs, {report.snapshots} snapshots, "
                   f"{report.references} references checked")
    if not report.ok:
        raise SystemExit(1)
