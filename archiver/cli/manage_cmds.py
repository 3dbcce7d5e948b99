"""Looking after the archive: `remove` snapshots (and the blobs only they used), and get a `blob`'s
original bytes back out."""
from __future__ import annotations

import sys

import click

from ..files import atomic_write
from ..store.removal import id_list
from . import Context, main, pass_ctx, print_json, progress


@main.command("remove")
@click.argument("snapshot_ids", nargs=-1, type=int, required=True, metavar="ID...")
@click.option("-y", "--yes", is_flag=True, help="Remove more than one snapshot without asking for this flag.")
@click.option("--vacuum", is_flag=True,
              help="Then rebuild the file so it shrinks on disk (rewrites the whole archive; needs that much free space).")
@click.option("--json", "as_json", is_flag=True, help="Print what was removed as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@pass_ctx
def remove_cmd(ctx: Context, snapshot_ids: tuple[int, ...], yes: bool, vacuum: bool, as_json: bool,
               quiet: bool) -> None:
    """Remove snapshots, with their resources, posts and checks, and the blobs no other snapshot uses.

    \b
    archiver remove 12
    archiver remove 3 4 5 --yes
    """
    ids = list(dict.fromkeys(snapshot_ids))
    store = ctx.store(must_exist=True, write=True)
    store.check_snapshots(ids)   # an unknown id is named before --yes is asked for
    if len(ids) > 1 and not yes:
        raise click.ClickException(f"removing {len(ids)} snapshots needs --yes; nothing was removed")
    removed = store.remove_snapshots(ids)
    if vacuum:
        store.vacuum()
    if as_json:
        print_json({**removed.as_json(), "vacuumed": vacuum})
    one = len(removed.snapshots) == 1
    progress(quiet, f"removed snapshot{'' if one else 's'} {id_list(removed.snapshots)} and {removed.blobs} "
                    f"blob{'' if removed.blobs == 1 else 's'} only {'it' if one else 'they'} used "
                    f"({_size(removed.bytes_freed)} in the archive"
                    + ("; file vacuumed)" if vacuum else "; the file shrinks with --vacuum)"))


@main.command("blob")
@click.argument("sha256")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
              help="Write the bytes to FILE (atomically) instead of stdout.")
@pass_ctx
def blob_cmd(ctx: Context, sha256: str, output: str | None) -> None:
    """Write a stored blob's original bytes (uncompressed) to stdout or FILE.

    SHA256 is a blob's hash as the archive names it (snapshots.page_sha256, resources.sha256…),
    or a unique prefix of at least 4 hex digits.

    \b
    archiver blob 3f2a9c… > page.html
    archiver blob 3f2a9c -o page.html
    """
    store = ctx.store(must_exist=True)
    digest = store.find_blob(sha256)
    data = store.blob(digest)
    if data is None:   # removed by another process between the two reads
        raise click.ClickException(f"no blob {digest} in the archive")
    if output and output != "-":
        atomic_write(output, data)
        return
    stdout = sys.stdout.buffer   # the bytes as they are: a page, an image, a font
    stdout.write(data)
    stdout.flush()


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"
