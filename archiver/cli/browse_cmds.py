"""`archiver list`, `archiver search` and `archiver serve`: coming back to what was saved."""
from __future__ import annotations

import shutil
import socket
import sys
from datetime import datetime
from typing import Any

import click

from .. import browse
from . import Context, main, pass_ctx, print_json


class SinceParam(click.ParamType):
    """A date, an ISO time, or an age such as 7d / 36h / 2w."""
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return browse.parse_since(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _limit_option(default: int):  # type: ignore[no-untyped-def]
    return click.option("--limit", "-n", type=click.IntRange(min=0), default=default, show_default=True,
                        help="At most this many results (0 = no limit).")


@main.command("list")
@click.option("--domain", metavar="HOST", help="Only pages from this host or its subdomains.")
@click.option("--since", type=SinceParam(), help="Captured at or after: 2024-05-01, an ISO time, or an age (7d, 36h).")
@click.option("--provider", metavar="KEY", help="Only pages with a preserved post of this provider (twitter, bluesky…).")
@click.option("--failed", is_flag=True, help="Only captures that failed.")
@_limit_option(100)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@pass_ctx
def list_cmd(ctx: Context, domain: str | None, since: str | None, provider: str | None, failed: bool,
             limit: int, as_json: bool) -> None:
    """List archived snapshots, newest first.

    \b
    archiver list --domain example.com --since 7d
    archiver list --provider bluesky --json
    """
    rows = browse.list_snapshots(ctx.store(must_exist=True), domain=domain, since=since, provider=provider,
                                 failed=failed, limit=limit or None)
    if as_json:
        print_json([row.__dict__ for row in rows])
        return
    if not rows:
        click.echo("No snapshots match." if (domain or since or provider or failed) else "The archive is empty.",
                   err=True)
        return
    width = shutil.get_terminal_size((120, 24)).columns
    click.echo(f"{'ID':>5}  {'CAPTURED':<16}  {'POSTS':>5}  {'STATUS':<6}  TITLE / URL")
    for row in rows:
        status = "failed" if row.status == "failed" else "ok"
        label = row.title or row.url
        line = f"{row.id:>5}  {_short_time(row.captured_at):<16}  {row.posts:>5}  {status:<6}  {label}"
        click.echo(_clip(line, width))
        detail = row.error if row.status == "failed" else (row.url if row.title else "")
        if detail:
            click.echo(_clip(" " * 40 + detail, width))


@main.command("search")
@click.argument("query")
@_limit_option(20)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of text.")
@pass_ctx
def search_cmd(ctx: Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over article titles and text, and over preserved posts'
    authors, handles and text. Every word must match; "quote a phrase"; end a word
    with * to match its prefix.

    \b
    archiver search harbour
    archiver search '"city council" budget' --json
    """
    hits = browse.search(ctx.store(must_exist=True), query, limit=limit or 1_000_000)
    if as_json:
        print_json([hit.as_json() for hit in hits])
        return
    if not hits:
        click.echo(f"No matches for {query!r}.", err=True)
        return
    width = shutil.get_terminal_size((120, 24)).columns
    for hit in hits:
        if hit.matched == "post":
            who = " ".join(filter(None, [hit.author_name, f"@{hit.author_handle}" if hit.author_handle else None]))
            head = f"#{hit.snapshot_id}  post by {who or 'unknown'} ({hit.provider}) in: {hit.title or hit.url}"
        else:
            head = f"#{hit.snapshot_id}  article: {hit.title or hit.url}"
        click.echo(_clip(head, width))
        snippet = "".join(click.style(text, bold=True) if match else text for text, match in hit.snippet_parts)
        click.echo("      " + " ".join(snippet.split()))
        click.echo()


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Anything but 127.0.0.1 exposes the archive to your network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--get", "get_path", metavar="PATH",
              help="Answer one request for PATH (e.g. '/?q=harbour'), print the response and exit.")
@pass_ctx
def serve_cmd(ctx: Context, host: str, port: int, get_path: str | None) -> None:
    """A local, read-only web UI over the archive.

    \b
    archiver serve            # then open http://127.0.0.1:8000/
    archiver serve --get /posts
    """
    from ..serve import create_app

    ctx.store(must_exist=True)   # refuses a missing or corrupt file; brings an older schema up to date
    app = create_app(ctx.db_path)
    if get_path is not None:
        response = app.test_client().get(get_path)
        out = sys.stdout.buffer   # as sent: an image or a font is not text
        out.write(response.get_data())
        out.flush()
        if response.status_code >= 400:
            raise click.ClickException(f"{get_path} answered {response.status}")
        return
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: serving on {host}: anyone who can reach this address can read the archive.",
                   err=True)
    from werkzeug.serving import make_server
    _check_port(host, port)
    try:
        server = make_server(host, port, app, threaded=True)
    except (OSError, SystemExit) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}")
    click.echo(f"Serving {ctx.db_path} read-only at http://{_url_host(host)}:{server.server_port}/"
               "  (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _check_port(host: str, port: int) -> None:
    """One line when the port is taken (werkzeug would print three and exit with a bare 1)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _short_time(value: str | None) -> str:
    if not value:
        return "-"
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value[:16]


def _clip(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(width - 1, 10)] + "…"
