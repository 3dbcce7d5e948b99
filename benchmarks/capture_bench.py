"""Capture benchmark: archiver against `wget --page-requisites` on the same article list.

Serves ../shared/bench/site.py (50 articles, 20 ms latency, its provider proxy for the
platforms), archives every article with archiver, then times wget on the same list, and
prints: the time ratio, how many of the distinct URLs the articles need (from
`site.py manifest`) each tool captured, and the archive's size against the floor of storing
every distinct resource once, uncompressed.

    .venv/bin/python benchmarks/capture_bench.py [--site ../shared/bench/site.py] [--pages 50]
"""
from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench_site import ARCHIVER, DEFAULT_SITE, site_world


def needed_urls(manifest: dict, part: str = "all") -> set[str]:
    """Distinct URLs the articles need: pages and their requisites ("page"), their live embeds'
    resources — embed frame documents, avatars, media ("embeds") — or both ("all")."""
    urls: set[str] = set()
    for art in manifest["articles"]:
        if part in ("all", "page"):
            urls.add(art["url"])
            urls.update(r["url"] for r in art["resources"])
        if part in ("all", "embeds"):
            for emb in art["embeds"]:
                if not emb.get("deleted"):
                    urls.update(emb.get("resources", []))
    return urls


def archiver_captured(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    got = set()
    for url, final in conn.execute("select url, final_url from snapshots where error is null"):
        got.update(u for u in (url, final) if u)
    for url, final in conn.execute("select url, final_url from resources where sha256 is not null"):
        got.update(u for u in (url, final) if u)
    conn.close()
    return got


def archive_size(db: Path) -> tuple[int, int]:
    """(bytes on disk after a checkpoint, sum of distinct blobs' uncompressed sizes)."""
    conn = sqlite3.connect(db)
    conn.execute("pragma wal_checkpoint(TRUNCATE)")
    floor = conn.execute("select sum(size) from blobs").fetchone()[0] or 0
    conn.close()
    disk = db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob(db.name + "-*"))
    return disk, floor


def wget_captured(log: Path) -> set[str]:
    text = log.read_text(errors="replace")
    return set(re.findall(r"URL:\s*(\S+)\s+\[", text))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(DEFAULT_SITE))
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-wget", action="store_true")
    ap.add_argument("--parallel", type=int, help="pages archiver captures at once (default: its own)")
    args = ap.parse_args()
    options = ("--pages", str(args.pages), "--seed", str(args.seed))
    with site_world(args.site, *options, latency_ms=args.latency_ms) as world:
        work, manifest, env = world.work, world.manifest, world.env
        urls = world.urls
        (work / "urls.txt").write_text("\n".join(urls) + "\n")
        # Untimed warm-up: site.py makes each image and each TLS certificate on first request and
        # caches it; without this, whichever tool ran first would pay for the server's work.
        subprocess.run([ARCHIVER, "--db", str(work / "warm.db"), "archive", "-q", "-i", str(work / "urls.txt")],
                       env=env, capture_output=True)
        db = work / "bench.db"
        t0 = time.monotonic()
        extra = ["--parallel", str(args.parallel)] if args.parallel else []
        run = subprocess.run([ARCHIVER, "--db", str(db), "archive", "-q", *extra, "-i", str(work / "urls.txt")],
                             env=env, capture_output=True, text=True)
        t_archiver = time.monotonic() - t0
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)

        need = needed_urls(manifest)
        got = archiver_captured(db) & need
        disk, floor = archive_size(db)
        print(f"articles               {len(urls)} (site.py --pages {args.pages} --latency-ms {args.latency_ms})")
        print(f"archiver               {t_archiver:6.2f} s, exit {run.returncode}")
        print(f"archiver coverage      {len(got)}/{len(need)} distinct URLs the articles need "
              f"(page and requisites {len(got & needed_urls(manifest, 'page'))}/{len(needed_urls(manifest, 'page'))},"
              f" embed resources {len(got & needed_urls(manifest, 'embeds'))}/{len(needed_urls(manifest, 'embeds'))})")
        print(f"archive size           {disk / 1e6:.1f} MB on disk vs {floor / 1e6:.1f} MB floor "
              f"(every distinct stored resource once, uncompressed): {100 * disk / max(floor, 1):.1f}%")
        missing = sorted(need - got)
        if missing:
            by_kind = Counter(re.sub(r"[?#].*", "", u).rsplit("/", 1)[0] for u in missing)
            print("  not captured, by place:", *(f"{n:4d}  {place}/…" for place, n in by_kind.most_common(8)),
                  sep="\n    ")

        if not args.no_wget and shutil.which("wget"):
            wdir = work / "wget"
            wdir.mkdir()
            t0 = time.monotonic()
            subprocess.run(["wget", "--page-requisites", "--convert-links", "--adjust-extension", "--span-hosts",
                            "-e", "robots=off", "-e", "use_proxy=on", f"--ca-certificate={world.ca}",
                            "-nv", "-o", str(work / "wget.log"), "-i", str(work / "urls.txt")],
                           cwd=wdir, env=env)
            t_wget = time.monotonic() - t0
            wgot = wget_captured(work / "wget.log") & need
            print(f"wget                   {t_wget:6.2f} s")
            print(f"wget coverage          {len(wgot)}/{len(need)} distinct URLs the articles need "
                  f"(page and requisites {len(wgot & needed_urls(manifest, 'page'))},"
                  f" embed resources {len(wgot & needed_urls(manifest, 'embeds'))})")
            print(f"speed ratio            archiver is {t_wget / t_archiver:.1f}x faster than wget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
