"""`archiver archive` and `archiver show`."""
from __future__ import annotations

import sys

import click

from ..capture import CaptureResult, archive_urls, iter_urls
from ..settings import Settings
from ..show import snapshot_detail, format_detail
from . import Context, main, pass_ctx, print_json, progress


def _report(result: CaptureResult, *, quiet: bool, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dict())
    for warning in result.warnings:   # e.g. an app shell: printed even with -q, like errors
        click.echo(f"warning: {result.url}: {warning}", err=True)
    if result.ok:
        progress(quiet, f"archived {result.url} -> #{result.snapshot_id}: {result.resources} resources"
                        f"{f' ({result.resources_failed} failed)' if result.resources_failed else ''}, "
                        f"{result.embeds} embedded posts, {result.bytes / 1e6:.1f} MB in {result.seconds:.1f} s")
    else:
        # failures are printed even with -q: one line naming the URL and the cause
        click.echo(f"error: {result.url}: {result.error}", err=True)


@main.command()
@click.argument("urls", nargs=-1)
@click.option("-i", "--input", "input_file", type=click.File("r", encoding="utf-8", errors="replace"),
              help="Read URLs from FILE, one per line ('-' for stdin).")
@click.option("--no-assets", is_flag=True, help="Store the page only, not its images, CSS, fonts and scripts.")
@click.option("--no-oembed", is_flag=True, help="Do not ask the platforms (oEmbed, embed pages) about embedded posts.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Downloads in flight per page.")
@click.option("--parallel", type=click.IntRange(1, 32), default=4, show_default=True,
              help="Pages captured at once (spread over one worker process per CPU core).")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=20.0, show_default=True,
              help="Seconds to wait for a server (connect and each read).")
@click.option("--user-agent", help="User-Agent header to send.")
@click.option("--max-bytes", type=click.IntRange(1), default=50 * 1024 * 1024, show_default=True,
              help="Largest single response to keep.")
@click.option("--browser", is_flag=True,
              help="Capture in headless Chromium: scripts run, lazy content loads, screenshots are kept "
                   "(needs archiver[browser] and chromium).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per capture on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (errors are still printed).")
@pass_ctx
def archive(ctx: Context, urls: tuple[str, ...], input_file, no_assets: bool, no_oembed: bool, concurrency: int,
            parallel: int, timeout: float, user_agent: str | None, max_bytes: int, browser: bool, as_json: bool,
            quiet: bool) -> None:
    """Capture pages, everything they need to display, and their embedded posts.

    \b
    archiver archive https://example.com/news/story.html
    archiver archive -i urls.txt --json
    """
    todo = list(urls)
    if input_file is not None:
        todo += list(iter_urls(input_file))
    if not todo:
        raise click.UsageError("give at least one URL (or -i FILE)")
    settings = Settings(timeout=timeout, connect_timeout=min(timeout, 10.0), max_bytes=max_bytes,
                        concurrency=concurrency, parallel_pages=parallel, processes=True,
                        fetch_assets=not no_assets, enrich=not no_oembed, browser=browser)
    if user_agent:
        settings.user_agent = user_agent
    if browser:
        from ..chromium import ensure_available
        ensure_available()   # one line naming what is missing, before anything is written
    store = ctx.store()
    progress(quiet, f"archiving {len(todo)} URL{'s' if len(todo) != 1 else ''} into {ctx.db_path}")
    try:
        results = archive_urls(todo, store, settings,
                               on_result=lambda r: _report(r, quiet=quiet, as_json=as_json))
    except KeyboardInterrupt:
        click.echo("interrupted: captures already reported are saved; the one in progress was discarded",
                   err=True)
        sys.exit(130)
    failed = [r for r in results if not r.ok]
    if failed:
        click.echo(f"{len(failed)} of {len(results)} URL{'s' if len(results) != 1 else ''} failed", err=True)
        sys.exit(1)


@main.command()
@click.argument("snapshot_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON.")
@pass_ctx
def show(ctx: Context, snapshot_id: int, as_json: bool) -> None:
    """Show one snapshot: metadata, resources summary, and every embedded post with the source of each field.

    \b
    archiver show 1
    archiver show 1 --json
    """
    detail = snapshot_detail(ctx.store(must_exist=True), snapshot_id)
    if detail is None:
        raise click.ClickException(f"no snapshot #{snapshot_id}")
    if as_json:
        print_json(detail)
    else:
        click.echo(format_detail(detail))
