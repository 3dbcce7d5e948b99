"""The `archiver` command: a click group. Each sub-module adds its commands to `main`;
commands parse options, call the library and print. Nothing here does the work."""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from .. import __version__
from ..settings import default_db_path
from ..store import CorruptArchive, MissingArchive, Store


class Context:
    def __init__(self, db_path: str):
        self.db_path = db_path
        self._store: Store | None = None

    def store(self, *, must_exist: bool = False) -> Store:
        if self._store is None:
            try:
                self._store = Store(self.db_path, create=not must_exist)
            except MissingArchive:
                raise click.ClickException(f"no archive at {self.db_path} (run `archiver archive URL` first)")
            except CorruptArchive as exc:
                raise click.ClickException(str(exc))
        return self._store


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
@click.option("--db", "db_path", default=default_db_path, show_default="archive.db or $ARCHIVER_DB",
              type=click.Path(dir_okay=False), help="The archive database file.")
@click.pass_context
def main(ctx: click.Context, db_path: str) -> None:
    """Preserve news articles together with the social posts embedded in them.

    \b
    archiver archive https://example.com/news/story.html
    archiver list
    archiver render 1 -o story/
    """
    ctx.obj = Context(db_path)


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


def progress(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


# Command modules register themselves on `main` when imported.
from . import capture_cmds  # noqa: E402,F401
from . import browse_cmds  # noqa: E402,F401
from . import bundle_cmds  # noqa: E402,F401
from . import render_cmds  # noqa: E402,F401
