"""`archiver import`: WARC, WACZ, zip bundles and archive databases (archiver.importers)."""
from __future__ import annotations

import click

from ..bundle.zipimport import DEFAULT_MAX_BUNDLE_BYTES
from ..importers import FileReport, ImportOptions, import_files, importers, read_page_list
from ..settings import Settings
from . import Context, main, pass_ctx, print_json, progress


def _formats_help() -> str:
    return "; ".join(f"{imp.name}: {imp.help}" for imp in importers().values())


@main.command("import", help=f"""Import WARC, WACZ, zip bundles and archive databases into the archive.

    The kind of each FILE is told by its content ({_formats_help()}). A WARC's pages are its
    200 HTML responses not on a platform host and not a frame or requisite of another page
    (a WACZ lists its own; --pages lists them explicitly); each becomes a snapshot dated by its
    WARC-Date, with the requisites the WARC holds and its embedded posts. Importing the same
    input twice adds nothing.

    \b
    archiver import crawl.warc.gz
    archiver import --workers 3 a.warc.gz b.warc.gz c.wacz
    archiver import --dask local *.warc.gz
    archiver import story.zip
    """)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--pages", "pages_file", type=click.File("r"),
              help="Import only these pages: one URL a line (optionally a WARC-Date after it).")
@click.option("--no-oembed", is_flag=True,
              help="Do not ask the platforms about posts; use only the answers the input holds.")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Import this many files at once (worker processes; with --dask, local workers).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run one task per file on this Dask scheduler (`local` starts a local cluster); "
                   "needs archiver[dask].")
@click.option("--max-size", type=click.IntRange(1), default=DEFAULT_MAX_BUNDLE_BYTES, show_default=True,
              help="Zip bundles: refuse those that declare more bytes than this (uncompressed).")
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@pass_ctx
def import_cmd(ctx: Context, files: tuple[str, ...], pages_file, no_oembed: bool, workers: int,
               dask_address: str | None, max_size: int, as_json: bool, quiet: bool) -> None:
    options = ImportOptions(settings=Settings(), network=not no_oembed, max_bundle_bytes=max_size,
                            pages=read_page_list(pages_file.read().splitlines()) if pages_file else None)

    def report(r: FileReport) -> None:
        for problem in r.problems:
            click.echo(f"warning: {problem}", err=True)
        mapping = ", ".join(f"{old} -> {new}" for old, new in r.bundle_ids.items() if new in r.added)
        progress(quiet, f"{r.path} ({r.format}): imported {len(r.added)} snapshot{'' if len(r.added) == 1 else 's'}"
                        f"{f' ({mapping})' if mapping else ''}, {len(r.existing)} already present, "
                        f"{r.blobs_added} new blob{'' if r.blobs_added == 1 else 's'}"
                        + (f", {r.checks_added} re-check{'' if r.checks_added == 1 else 's'} of posts"
                           if r.checks_added else ""))

    pages_read = 0

    def page(url: str) -> None:
        nonlocal pages_read
        pages_read += 1
        progress(quiet, f"  page {pages_read}: {url}")

    reports = import_files(files, ctx.store(write=True), options, workers=workers, dask=dask_address, on_file=report,
                           on_page=page)
    if as_json:
        print_json(_as_json(reports))


def _as_json(reports: list[FileReport]) -> dict:
    added, existing = [], []
    for r in reports:
        back = {new: old for old, new in r.bundle_ids.items()}
        for kind, ids in ((added, r.added), (existing, r.existing)):
            for new in ids:
                item = {"file": r.path, "id": new}
                if new in back:
                    item["bundle_id"] = back[new]
                kind.append(item)
    return {"files": [r.as_json() for r in reports], "added": added, "existing": existing}
