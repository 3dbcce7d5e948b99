"""`archiver recheck`, `history`, `diff` and `changes`: the archive over time."""
from __future__ import annotations

import sys

import click

from .. import diff as diffmod
from .. import history as historymod
from ..enrich.request import unknown_overrides
from ..recheck import recheck, summary_line
from ..settings import Settings
from . import Context, main, pass_ctx, print_json, progress
from .browse_cmds import SinceParam, _short_time


@main.command("recheck")
@click.argument("snapshot_ids", nargs=-1, type=click.IntRange(min=1), metavar="[ID]...")
@click.option("--older-than", type=SinceParam(), metavar="DURATION",
              help="Only posts not checked within this age (1d, 12h, 2w) or since this date.")
@click.option("--per-host", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Requests in flight per platform host.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=20.0, show_default=True,
              help="Seconds to wait for a platform (connect and each read).")
@click.option("--endpoint", "endpoints", multiple=True, metavar="KEY=URL",
              help="Ask this URL instead of a platform endpoint (Settings.endpoints), e.g. a mirror or a test server.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per post per line.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@pass_ctx
def recheck_cmd(ctx: Context, snapshot_ids: tuple[int, ...], older_than: str | None, per_host: int,
                timeout: float, endpoints: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Ask each preserved post's platform whether the post is still there and still says the
    same. Every answer is kept in the `checks` table; an error never changes a post's status.
    Exit 1 when some check got no answer.

    \b
    archiver recheck                    # every post in the archive
    archiver recheck 3 7 --json         # the posts of snapshots 3 and 7
    archiver recheck --older-than 1d    # daily, from cron
    """
    store = ctx.store(must_exist=True, write=True)
    for sid in snapshot_ids:
        if store.snapshot(sid) is None:
            raise click.ClickException(f"no snapshot {sid} in the archive")
    overrides = {}
    for item in endpoints:
        key, sep, url = item.partition("=")
        if not (sep and key.strip() and url.strip()):
            raise click.BadParameter(f"{item!r} is not KEY=URL", param_hint="--endpoint")
        overrides[key.strip()] = url.strip()
    unknown = unknown_overrides(overrides)
    if unknown:
        raise click.BadParameter(f"no endpoint named {', '.join(unknown)}", param_hint="--endpoint")
    settings = Settings(timeout=timeout, connect_timeout=min(timeout, 10.0), concurrency=max(4, per_host * 4),
                        endpoints=overrides)

    def tick(done: int, total: int) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"\rchecked {done}/{total} posts", err=True, nl=False)

    results = recheck(store, settings, snapshot_ids=list(snapshot_ids) or None, older_than=older_than,
                      per_host=per_host, progress=tick)
    if not quiet and sys.stderr.isatty() and results:
        click.echo("", err=True)
    for result in results:
        if as_json:
            print_json(result.as_json())
        else:
            note = result.error or ", ".join(result.changed) or ""
            was = f" (was {result.previous})" if result.previous != result.status and result.status != "error" else ""
            click.echo(f"{result.snapshot_id:>5}  {result.status:<11} {result.provider:<10} {result.post_url or '-'}"
                       f"{was}{'  ' + note if note else ''}")
    progress(quiet, summary_line(results))
    if any(r.status == "error" for r in results):
        ctx_exit(1)


def ctx_exit(code: int) -> None:
    raise click.exceptions.Exit(code)


@main.command("history")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@pass_ctx
def history_cmd(ctx: Context, url: str, as_json: bool) -> None:
    """Every capture of URL (requested, final or canonical), oldest first, with what changed
    since the capture before.

    \b
    archiver history https://example.com/news/story.html
    """
    entries = historymod.history(ctx.store(must_exist=True), url)
    if as_json:
        print_json([e.as_json() for e in entries])
        return
    if not entries:
        raise click.ClickException(f"no capture of {url} in the archive")
    for e in entries:
        click.echo(f"{e.id:>5}  {_short_time(e.captured_at):<16}  {e.title or e.url}")
        if e.error:
            click.echo(f"{'':23}failed: {e.error}")
        elif e.changes is None:
            click.echo(f"{'':23}first capture")
        else:
            click.echo(f"{'':23}{_change_line(e.changes)}")


def _change_line(c: dict) -> str:
    if c["same"]:
        return "no change"
    parts = []
    if "title" in c:
        parts.append(f"title: {c['title']['a']!r} -> {c['title']['b']!r}")
    if c["words_added"] or c["words_removed"]:
        parts.append(f"text +{c['words_added']}/-{c['words_removed']} words")
    for key, label in (("posts_added", "added"), ("posts_removed", "removed"), ("posts_changed", "changed")):
        if c[key]:
            parts.append(f"{c[key]} post{'s' if c[key] != 1 else ''} {label}")
    if c["resources_changed"]:
        parts.append(f"{c['resources_changed']} resources differ")
    return "; ".join(parts) or "metadata changed"


@main.command("diff")
@click.argument("a", type=int)
@click.argument("b", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--color/--no-color", default=None, help="Colour the output (default: on a terminal).")
@pass_ctx
def diff_cmd(ctx: Context, a: int, b: int, as_json: bool, color: bool | None) -> None:
    """Compare snapshots A (before) and B (after): metadata, article text, posts, resources.
    Exit 0 when they say the same, 1 when they differ, 2 on trouble.

    \b
    archiver diff 3 9
    archiver diff 3 9 --json
    """
    try:
        d = diffmod.diff_snapshots(ctx.store(must_exist=True), a, b)
    except diffmod.NoSuchSnapshot as exc:
        click.echo(f"Error: {exc.message}", err=True)
        ctx_exit(2)
    except Exception as exc:   # diff(1): trouble is 2, never confused with "differ"
        click.echo(f"Error: {getattr(exc, 'message', None) or exc}", err=True)
        ctx_exit(2)
    if as_json:
        print_json(d.as_json())
    else:
        for line in human_diff(d):
            click.echo(line, color=color)
    ctx_exit(0 if d.same else 1)


def human_diff(d: diffmod.SnapshotDiff) -> list[str]:
    red = lambda t: click.style(t, fg="red")      # noqa: E731
    green = lambda t: click.style(t, fg="green")  # noqa: E731
    if d.same:
        return [f"snapshots {d.a} and {d.b} say the same"]
    out = [click.style(f"snapshot {d.a} -> {d.b}", bold=True)]
    for name, v in d.fields.items():
        out.append(f"{name}:")
        out.append(red(f"  - {v['a']}") if v["a"] else "  - (none)")
        out.append(green(f"  + {v['b']}") if v["b"] else "  + (none)")
    if d.hunks:
        out.append(f"text: {len(d.hunks)} passage{'s' if len(d.hunks) != 1 else ''} changed")
        for hunk in d.hunks:
            line = " ".join(red(f"[-{t}-]") if op == "-" else green(f"{{+{t}+}}") if op == "+" else _ellipsize(t)
                            for op, t in hunk.segments)
            out.append("  " + line)
    for post in d.embeds_removed:
        out.append(red(f"post removed: {post['post_url']} ({post['provider']})"))
    for post in d.embeds_added:
        out.append(green(f"post added: {post['post_url']} ({post['provider']})"))
    for post in d.embeds_changed:
        status = post["fields"].get("status")
        what = [f"status {status['a']} -> {status['b']}" if name == "status" else name for name in post["fields"]]
        line = f"post changed: {post['post_url']} ({', '.join(what)})"
        out.append(red(line) if status and status["b"] == "deleted" else line)
    r = d.resources
    if any(r.values()):
        out.append(f"resources: {r['added']} added, {r['removed']} removed, {r['changed']} changed")
    return out


def _ellipsize(text: str, words: int = 6) -> str:
    w = text.split()
    return text if len(w) <= 2 * words else " ".join(w[:words]) + " … " + " ".join(w[-words:])


@main.command("changes")
@click.option("--since", type=SinceParam(), default="7d", show_default=True,
              help="Findings at or after: an age (7d, 36h) or a date.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_ctx
def changes_cmd(ctx: Context, since: str, as_json: bool) -> None:
    """Posts found deleted, unavailable or changed since, and articles whose latest capture
    differs from the one before.

    \b
    archiver changes                 # the last 7 days
    archiver changes --since 2026-03-01 --json
    """
    found = historymod.changes(ctx.store(must_exist=True), since)
    if as_json:
        print_json(found.as_json())
        return
    click.echo(f"Since {_short_time(since)}:")
    if not (found.posts or found.articles):
        click.echo("  nothing changed")
        return
    if found.posts:
        click.echo(f"{len(found.posts)} post{'s' if len(found.posts) != 1 else ''}:")
        for p in found.posts:
            what = f" ({', '.join(p['changed'])})" if p["changed"] else ""
            click.echo(f"  {p['status']:<11} {p['provider']:<10} {p['post_url']}{what}")
            click.echo(f"  {'':11} found {_short_time(p['checked_at'])} in #{p['snapshot_id']} "
                       f"{p['article_title'] or p['article_url']}")
    if found.articles:
        click.echo(f"{len(found.articles)} article{'s' if len(found.articles) != 1 else ''} changed:")
        for art in found.articles:
            click.echo(f"  #{art['a']} -> #{art['b']}  {art['title'] or art['url']}")
            click.echo(f"  {'':13}{_change_line(art['changes'])}")
