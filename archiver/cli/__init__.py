"""The `archiver` command: a click group. Each sub-module adds its commands to `main`, and is
imported only when one of its commands is asked for (COMMANDS): `archiver archive` does not load
the export, replay or web code. Commands parse options, call the library and print. Nothing here
does the work.

Errors a user can cause reach the user in one place: `ArchiverGroup.invoke` turns any
`ArchiverError` into one line on stderr and its exit code. Logging is set up here too
(`configure_logging`): a warning is one line on stderr; a traceback only with `--debug`."""
from __future__ import annotations

import atexit
import importlib
import json
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from .lazy import import_on_first_use

import_on_first_use("soupsieve")   # before anything imports Beautiful Soup (cli/lazy.py)

from .. import __version__
from ..errors import ArchiverError, MissingArchive
from ..settings import default_db_path

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger(__name__)


class Context:
    def __init__(self, db_path: str):
        self.db_path = db_path
        self._store: Store | None = None

    def store(self, *, must_exist: bool = False, write: bool = False) -> Store:
        """The archive; with `write`, refused up front (one line) when it cannot be written."""
        if self._store is None:
            from ..store import Store   # here, not above: `archive` forks its workers before loading it
            try:
                self._store = Store(self.db_path, create=not must_exist)
            except MissingArchive:
                raise MissingArchive(f"no archive at {self.db_path} (run `archiver archive URL` first)") from None
        if write:
            self._store.check_writable()
        return self._store

    def close(self) -> None:
        """Close the archive, if a command opened it: its last writes are checkpointed into the
        file, and the file's `-wal` and `-shm` companions go (click calls this as the command ends)."""
        if self._store is not None:
            self._store.close()
            self._store = None


pass_ctx = click.make_pass_decorator(Context)


def _db_after_command(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """`archiver list --db x.db`: the archive named after the command wins over the group's."""
    obj = ctx.find_object(Context)
    if value is not None and obj is not None:
        obj.db_path = value


def db_option(cmd: click.Command) -> click.Command:
    """Give a command its own `--db` (as sqlite-utils and datasette take it after the command)."""
    if not any(isinstance(p, click.Option) and "--db" in p.opts for p in cmd.params):
        cmd.params.append(click.Option(
            ["--db", "db_after"], type=click.Path(dir_okay=False), metavar="PATH", expose_value=False,
            callback=_db_after_command, help="The archive database file (the same as `archiver --db PATH …`)."))
    return cmd


class ArchiverGroup(click.Group):
    """A click group that reports an ArchiverError from any command as `Error: <one line>` on
    stderr and exits with the error's exit code (the traceback only in the --debug log).
    Every command added to it also takes `--db` after its name (`db_option`)."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(db_option(cmd), name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"{__package__}.{COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_commands()
        return super().list_commands(ctx)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:   # a bad option before the command (`archiver --db /tmp list`)
            raise OneLineUsageError.of(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:   # a bad option or argument of the command
            raise OneLineUsageError.of(exc) from None
        except ArchiverError as exc:
            log.debug("%s", exc.message, exc_info=True)
            failure = click.ClickException(exc.message)
            failure.exit_code = exc.exit_code
            raise failure from None


class OneLineUsageError(click.UsageError):
    """A usage error shown as one line, `Error: <message>` (exit code 2), without click's usage
    lines around it: the same shape as every other error."""

    @classmethod
    def of(cls, exc: click.UsageError) -> click.UsageError:
        if isinstance(exc, cls) or type(exc).__name__ == "NoArgsIsHelpError":   # `archiver` alone: the help
            return exc
        return cls(exc.format_message(), ctx=exc.ctx)

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {' '.join(self.format_message().split())}", file=file, err=file is None)


class OneLineFormatter(logging.Formatter):
    """`warning: message` on one line, the exception's type and text appended; with `debug`,
    the full traceback follows instead."""

    def __init__(self, debug: bool = False):
        super().__init__()
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            if self.debug:
                return line + "\n" + self.formatException(record.exc_info)
            exc = record.exc_info[1]
            line += f" ({type(exc).__name__}: {exc})" if str(exc) else f" ({type(exc).__name__})"
        return line if self.debug else " ".join(line.split())


class _StderrHandler(logging.Handler):
    """Writes through click to whatever stderr is at the time (CliRunner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:
            self.handleError(record)


_handler: logging.Handler | None = None


def configure_logging(debug: bool = False) -> None:
    """Route log records to stderr: warnings and worse as one line each; with `debug`, archiver's
    debug messages too, and tracebacks."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = _StderrHandler(logging.DEBUG if debug else logging.WARNING)
    _handler.setFormatter(OneLineFormatter(debug))
    root.addHandler(_handler)
    logging.getLogger("archiver").setLevel(logging.DEBUG if debug else logging.NOTSET)


@click.group(cls=ArchiverGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
@click.option("--db", "db_path", default=default_db_path, show_default="archive.db or $ARCHIVER_DB",
              type=click.Path(dir_okay=False), help="The archive database file.")
@click.option("--debug", is_flag=True, help="Show debug messages, and tracebacks with warnings and errors.")
@click.pass_context
def main(ctx: click.Context, db_path: str, debug: bool) -> None:
    """Preserve news articles together with the social posts embedded in them.

    \b
    archiver archive https://example.com/news/story.html
    archiver list
    archiver render 1 -o story/
    """
    configure_logging(debug)
    ctx.obj = Context(db_path)
    ctx.call_on_close(ctx.obj.close)


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


def progress(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


# Each command and the module that adds it to `main` when imported (adding a command is adding
# its line here; tests/test_cli_commands.py checks the table against the modules).
COMMANDS = {
    "archive": "capture_cmds", "show": "capture_cmds",
    "list": "browse_cmds", "search": "browse_cmds", "serve": "browse_cmds",
    "export": "bundle_cmds", "verify": "bundle_cmds",
    "render": "render_cmds",
    "recheck": "time_cmds", "history": "time_cmds", "diff": "time_cmds", "changes": "time_cmds",
    "report": "report_cmds",
    "import": "import_cmds",
    "remove": "manage_cmds", "blob": "manage_cmds",
}


def run() -> None:
    """The `archiver` console script: `main`, and then the process leaves without the
    interpreter's teardown, which frees every module and object one by one (0.08 s after the
    benchmark's `archive` run, a twentieth of it). What matters has happened by then: the
    command's archive is closed (`Context.close`), stdout and stderr are flushed, and every other
    exit handler has run (`_leave` is registered first, so it runs last). Callers of `main` (tests,
    other programs) get the ordinary exit."""
    atexit.register(_leave)
    try:
        main()
    except SystemExit as done:
        _leaving["code"] = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        raise
    except BaseException:
        _leaving["code"] = 1   # a bug: Python prints the traceback, then the exit handlers run
        raise


_leaving: dict[str, int] = {}


def _leave() -> None:
    code = _leaving.get("code")
    if code is None:   # main() did not return through run(): leave the usual way
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):   # a closed pipe (`archiver list | head`): the usual way reports it
        return
    os._exit(code)


def load_commands() -> dict[str, click.Command]:
    """Import every command module; return `main`'s commands."""
    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"{__package__}.{module}")
    return main.commands
