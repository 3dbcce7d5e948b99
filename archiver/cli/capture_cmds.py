"""`archiver archive` and `archiver show`."""
from __future__ import annotations

import errno
import os
import signal
import sys
import time

import click

from ..capture import CaptureResult, archive_urls, iter_urls, unique_urls
from ..errors import ArchiveWriteError, shorten
from ..settings import Settings
from . import Context, main, pass_ctx, print_json, progress


class _Reporter:
    """What `archive` says while it runs: a bar with a counter and the time left when stderr is a
    terminal, otherwise a line per URL as each completes; failures always get their own line.
    It keeps what was saved, for the closing summary (and the one after Ctrl-C)."""

    def __init__(self, total: int, *, quiet: bool, as_json: bool):
        self.total, self.quiet, self.as_json = total, quiet, as_json
        self.results: list[CaptureResult] = []
        self.started = time.monotonic()
        self.bar = None

    def begin(self, heading: str) -> None:
        """The first line, and the bar under it on a terminal: once the archive is open, so that an
        archive that cannot be written gets its one line of error and nothing else."""
        progress(self.quiet, heading)
        if not self.quiet and self.total > 1 and sys.stderr.isatty():
            self.bar = click.progressbar(length=self.total, label="archiving", show_pos=True, show_eta=True,
                                         file=sys.stderr, width=24)
            self.bar.render_progress()

    def __call__(self, result: CaptureResult) -> None:
        self.results.append(result)
        if self.as_json:
            print_json(result.as_dict())
        url = shorten(result.url, 120)
        for warning in result.warnings:   # e.g. an app shell: printed even with -q, like errors
            self._line(f"warning: {url}: {warning}")
        if not result.ok:
            # failures are printed even with -q: one line naming the URL and the cause
            self._line(f"error: {url}: {shorten(result.error)}"
                       + (f" (saved as #{result.snapshot_id})" if result.snapshot_id else ""))
        elif self.bar is None:
            progress(self.quiet, f"archived {url} -> #{result.snapshot_id}: {result.resources} resources"
                                 f"{f' ({result.resources_failed} failed)' if result.resources_failed else ''}, "
                                 f"{result.embeds} embedded posts, {result.bytes / 1e6:.1f} MB "
                                 f"in {result.seconds:.1f} s")
        if self.bar is not None:
            self.bar.update(1)

    def _line(self, text: str) -> None:
        if self.bar is not None:
            click.echo("\r\033[K", err=True, nl=False)   # clear the bar's line, it is redrawn next
        click.echo(text, err=True)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)

    def summary(self) -> str:
        ok = len(self.results) - self.failed
        return (f"archived {ok} of {self.total} URL{'s' if self.total != 1 else ''} ({self.failed} failed) "
                f"in {time.monotonic() - self.started:.1f} s")

    def saved(self) -> str:
        ids = [r.snapshot_id for r in self.results if r.snapshot_id is not None]
        if not ids:
            return "nothing was saved"
        return (f"saved {len(ids)} snapshot{'s' if len(ids) != 1 else ''} "
                f"({_id_list(ids)}); {self.total - len(self.results)} URL"
                f"{'s' if self.total - len(self.results) != 1 else ''} not captured")


def _id_list(ids: list[int]) -> str:
    ids = sorted(ids)
    if len(ids) > 1 and ids[-1] - ids[0] == len(ids) - 1:
        return f"#{ids[0]}-#{ids[-1]}"
    return ", ".join(f"#{i}" for i in ids)


def _write_problem(exc: BaseException) -> str | None:
    """One line for a failure to write (the archive's own message, or a full disk met by a
    temporary file), or None for any other error."""
    if isinstance(exc, ArchiveWriteError):
        return exc.message
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" ({exc.filename})" if exc.filename else ""
        return (f"no space left on the device{where}: the capture in progress was not saved, "
                "what was saved before is intact")
    return None


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that the run stops the way Ctrl-C stops it."""


def _on_sigterm(signum, frame) -> None:  # type: ignore[no-untyped-def]
    raise _Terminated()


def _stop(code: int) -> None:
    """Leave now: captures still in flight in this process's threads are abandoned, not awaited."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


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
    given = list(urls)
    if input_file is not None:
        given += list(iter_urls(input_file))
    if not given:
        raise click.UsageError("give at least one URL (or -i FILE)")
    todo = unique_urls(given)
    settings = Settings(timeout=timeout, connect_timeout=min(timeout, 10.0), max_bytes=max_bytes,
                        concurrency=concurrency, parallel_pages=parallel, processes=True,
                        fetch_assets=not no_assets, enrich=not no_oembed, browser=browser)
    if user_agent:
        settings.user_agent = user_agent
    if browser:
        from ..chromium import ensure_available
        ensure_available()   # one line naming what is missing, before anything is written
    repeated = len(given) - len(todo)
    reporter = _Reporter(len(todo), quiet=quiet, as_json=as_json)

    def open_archive():   # called once the captures are under way (archive_urls)
        store = ctx.store(write=True)
        reporter.begin(f"archiving {len(todo)} URL{'s' if len(todo) != 1 else ''} into {ctx.db_path}"
                       + (f" ({repeated} given twice, captured once)" if repeated else ""))
        return store

    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        archive_urls(todo, open_archive, settings, on_result=reporter)
    except (KeyboardInterrupt, _Terminated) as stop:
        reporter.finish()
        click.echo(f"interrupted: {reporter.summary()}; {reporter.saved()}", err=True)
        _stop(143 if isinstance(stop, _Terminated) else 130)
    except (ArchiveWriteError, OSError) as exc:
        # The archive cannot take more (disk full, I/O error, locked): every capture saved so far
        # is in it; say why it stopped, then the summary, and leave without awaiting the rest.
        problem = _write_problem(exc)
        if problem is None:
            raise
        reporter.finish()
        click.echo(f"Error: {problem}", err=True)
        click.echo(f"{reporter.summary()}; {reporter.saved()}", err=True)
        _stop(1)
    finally:
        signal.signal(signal.SIGTERM, previous)
    reporter.finish()
    progress(quiet, reporter.summary())
    if reporter.failed:
        if quiet:
            click.echo(reporter.summary(), err=True)
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
    from ..show import format_detail, snapshot_detail   # not for `archive`, which loads no store before forking
    detail = snapshot_detail(ctx.store(must_exist=True), snapshot_id)
    if detail is None:
        raise click.ClickException(f"no snapshot #{snapshot_id}")
    if as_json:
        print_json(detail)
    else:
        click.echo(format_detail(detail))
