"""The bundled demo: serve demo/site/ from 127.0.0.1, archive its article into an archive
file, show what was captured, and render the offline page.

    python demo/run.py [--db archive.db] [--out demo-output]

Nothing here touches a real host: the page is served locally and the platforms are not asked
(enrichment off), so every post card is built from what the page itself says."""
from __future__ import annotations

import argparse
import functools
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from archiver.capture import archive_urls
from archiver.render import render_snapshot, write_rendered
from archiver.settings import Settings
from archiver.store import Store

SITE = Path(__file__).resolve().parent / "site"
ARTICLE = "/news/north-korean-soldier-defects.html"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve_site() -> ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="archive.db", help="archive file (default: archive.db)")
    parser.add_argument("--out", default="demo-output", help="folder for the offline page (default: demo-output)")
    args = parser.parse_args(argv)

    httpd = serve_site()
    url = f"http://127.0.0.1:{httpd.server_address[1]}{ARTICLE}"
    print(f"Serving the demo article at {url}")
    store = Store(args.db)
    try:
        [result] = archive_urls([url], store, Settings(enrich=False))
        if not result.ok:
            print(f"error: {url}: {result.error}", file=sys.stderr)
            return 1
        snap = store.snapshot(result.snapshot_id)
        print(f"\nArchived snapshot #{result.snapshot_id} into {args.db}")
        print(f"  title      {snap['title']}")
        print(f"  site       {snap['site_name']}    published {snap['published_at']}")
        print(f"  resources  {result.resources} stored ({result.bytes / 1024:.0f} KB), {result.resources_failed} failed")
        print(f"  posts      {result.embeds} embedded posts preserved:")
        for post in store.embeds(result.snapshot_id):
            who = post["author_name"] or post["author_handle"] or "(author unknown)"
            what = post["title"] or post["text"] or ""
            what = " ".join(what.split())
            print(f"    [{post['position']}] {post['provider']:<10} {post['kind']:<6} {who}: "
                  f"{what[:70] + ('…' if len(what) > 70 else '')}  ({post['published_at'] or 'no date'})")
        index = write_rendered(render_snapshot(store, result.snapshot_id), store, Path(args.out))
        print(f"\nOffline page: {index.resolve()}")
        print(f"  open file://{index.resolve()} in a browser: no script runs, nothing loads from the web")
        cli = ".venv/bin/archiver" if Path(".venv/bin/archiver").exists() else "archiver"
        db = "" if args.db == "archive.db" else f" --db {args.db}"
        print(f"\nNext: {cli}{db} show {result.snapshot_id}   |   {cli}{db} serve   (http://127.0.0.1:8000/)")
        return 0
    finally:
        store.close()
        httpd.shutdown()


if __name__ == "__main__":
    sys.exit(main())
