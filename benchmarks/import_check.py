"""End-to-end check of `archiver import` on a crawl made by another tool (not part of the test
suite, which must not need ../shared): wget crawls N articles of ../shared/bench/site.py with
their requisites across hosts (through the provider proxy) into a WARC, and the WARC is imported.

    .venv/bin/python benchmarks/import_check.py [--pages 5] [--seed 1] [--site PATH]

Checks: the snapshots are exactly the manifest's articles; each has every embedded post of the
manifest (author as the page's fallback gives it, i.e. as `archiver archive --no-oembed` of the
same article gets it); every requisite the page needs that the WARC holds is stored and linked
(the reference: what `archiver archive` stores for the same page); the rendered pages load
offline with zero requests and a card per post (site_check.check_render); importing the same
WARC again changes nothing; with the platforms asked (the default), the enrichment score.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import ARCHIVER, ROOT, site_world  # noqa: E402
from site_check import CHROMIUM_FLAGS, Tally, check_embeds, check_render  # noqa: E402

from archiver.importers.warcfile import WarcIndex  # noqa: E402
from archiver.store import Store  # noqa: E402

DEFAULT_SITE = ROOT.parent.parent / "shared" / "bench" / "site.py"
if not DEFAULT_SITE.exists():
    DEFAULT_SITE = ROOT.parent / "shared" / "bench" / "site.py"


def wget_warc(world, urls: list[str], warc_stem: Path) -> Path:
    """`wget --warc-file --page-requisites --span-hosts` of the URLs, through the provider proxy."""
    proxy = world.env["HTTPS_PROXY"]
    cmd = ["wget", "--warc-file", str(warc_stem), "--page-requisites", "--span-hosts", "-e", "robots=off",
           "--no-verbose", "-P", str(warc_stem.parent / "wget-files"), "-e", "use_proxy=on",
           "-e", f"https_proxy={proxy}", "-e", f"http_proxy={proxy}", f"--ca-certificate={world.ca}",
           "--tries=1", "--timeout=20", *urls]
    run = subprocess.run(cmd, env=world.env, capture_output=True, text=True)
    # wget exits 8 when some URL answered an error (the script-built URLs it guesses from JS)
    if run.returncode not in (0, 8):
        raise SystemExit(f"wget exited {run.returncode}: {run.stderr[-500:]}")
    return warc_stem.with_name(warc_stem.name + ".warc.gz")


def table_dump(db: Path) -> list:
    import sqlite3
    conn = sqlite3.connect(db)
    out = []
    for (table,) in conn.execute("select name from sqlite_master where type='table' and name in "
                                 "('snapshots','resources','embeds','blobs') order by name"):
        out.append((table, conn.execute(f"select * from [{table}] order by 1").fetchall()))
    conn.close()
    return out


def archiver(db: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVER, "--db", str(db), *args], env=env, capture_output=True, text=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(DEFAULT_SITE))
    ap.add_argument("--pages", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    problems: list[str] = []
    with site_world(args.site, "--pages", str(args.pages), "--seed", str(args.seed),
                    prefix="archiver-import-check-") as world:
        work, manifest = world.work, world.manifest
        warc = wget_warc(world, world.urls, work / "crawl")
        index = WarcIndex.build(warc)
        in_warc = {u for u, entries in index.by_url.items() if any(e.status == 200 for e in entries)}
        print(f"wget wrote {warc.name}: {warc.stat().st_size} bytes, {index.records} records, "
              f"{len(in_warc)} URLs answered 200")

        # the reference: the same articles captured directly, platforms not asked
        ref_db = work / "reference.db"
        run = archiver(ref_db, "archive", "-q", "--no-oembed", *world.urls, env=world.env)
        if run.returncode:
            problems.append(f"archive exited {run.returncode}: {run.stderr[-300:]}")
        ref = Store(ref_db)

        db = work / "imported.db"
        run = archiver(db, "import", "--no-oembed", str(warc))
        print(run.stderr.strip())
        if run.returncode:
            problems.append(f"import exited {run.returncode}: {run.stderr[-300:]}")
        store = Store(db)
        by_url = {store.snapshot(sid)["url"]: sid for sid in store.snapshot_ids()}
        if sorted(by_url) != sorted(world.urls):
            problems.append(f"imported pages {sorted(by_url)} != the articles {sorted(world.urls)}")
        ref_ids = {ref.snapshot(sid)["url"]: sid for sid in ref.snapshot_ids()}
        linked = 0
        for article in manifest["articles"]:
            sid = by_url.get(article["url"])
            if sid is None:
                continue
            rows, ref_rows = store.embeds(sid), ref.embeds(ref_ids[article["url"]])
            if [r["post_url"] for r in rows] != [r["post_url"] for r in ref_rows]:
                problems.append(f"{article['url']}: posts {[r['post_url'] for r in rows]} != "
                                f"{[r['post_url'] for r in ref_rows]}")
            if len(rows) != len(article["embeds"]):
                problems.append(f"{article['url']}: {len(rows)} posts, manifest lists {len(article['embeds'])}")
            for row, ref_row in zip(rows, ref_rows):
                if ref_row["author_name"] and row["author_name"] != ref_row["author_name"]:
                    problems.append(f"{article['url']} [{row['position']}]: author {row['author_name']!r} "
                                    f"!= the fallback's {ref_row['author_name']!r}")
            stored = {r["url"] for r in store.resources(sid) if r["sha256"]}
            needed = {r["url"] for r in ref.resources(ref_ids[article["url"]]) if r["sha256"]}
            missing = sorted((needed & in_warc) - stored)
            if missing:
                problems.append(f"{article['url']}: {len(missing)} requisites in the WARC not linked: {missing[:3]}")
            linked += len(stored)
        print(f"{len(by_url)} pages imported, {linked} requisites linked, "
              f"{sum(len(store.embeds(s)) for s in by_url.values())} posts")

        before = table_dump(db)
        again = archiver(db, "import", "--no-oembed", str(warc))
        if again.returncode or table_dump(db) != before:
            problems.append(f"importing again changed the archive: {again.stderr.strip()[-200:]}")

        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            for article in manifest["articles"]:
                if article["url"] in by_url:
                    check_render(store, by_url[article["url"]], article, work / "rendered", browser, problems)
            browser.close()

        # the default: platforms asked for what the WARC lacks
        asked = work / "asked.db"
        run = archiver(asked, "import", str(warc), env=world.env)
        if run.returncode:
            problems.append(f"import (platforms asked) exited {run.returncode}: {run.stderr[-300:]}")
        tally = Tally()
        asked_store = Store(asked)
        asked_ids = {asked_store.snapshot(s)["url"]: s for s in asked_store.snapshot_ids()}
        enrich_problems: list[str] = []
        for article in manifest["articles"]:
            if article["url"] in asked_ids:
                check_embeds(asked_store, asked_ids[article["url"]], article, enrich_problems, tally)
        print(f"with the platforms asked: enrichment of live posts (author, handle, text, stored avatar): {tally}")
        for p in enrich_problems:
            print("note (platforms asked):", p)
        for p in problems:
            print("PROBLEM", p)
        print("all checks passed" if not problems else f"{len(problems)} problems")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
