"""Import throughput and archive size (for docs/scale.md): wget crawls N articles of
../shared/bench/site.py into K WARCs (--page-requisites --span-hosts, through the provider
proxy), then `archiver import` runs sequentially, with --workers, and with --dask local.

    .venv/bin/python benchmarks/import_bench.py [--pages 60] [--warcs 3] [--workers 2]

Prints, per mode: wall time, pages per second, pages per second per core used, and the
archive's size per 1,000 pages; and checks the parallel archives hold what the sequential one
holds (same rows, ids included).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import ARCHIVER, site_world  # noqa: E402
from import_check import DEFAULT_SITE, table_dump, wget_warc  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(DEFAULT_SITE))
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--warcs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with site_world(args.site, "--pages", str(args.pages), "--seed", str(args.seed),
                    prefix="archiver-import-bench-") as world:
        work, urls = world.work, world.urls
        warcs = []
        for k in range(args.warcs):
            part = urls[k::args.warcs]
            warcs.append(str(wget_warc(world, part, work / f"crawl-{k}")))
        warc_bytes = sum(Path(w).stat().st_size for w in warcs)
        print(f"{len(urls)} articles crawled by wget into {len(warcs)} WARCs, {warc_bytes / 1e6:.1f} MB; "
              f"{os.cpu_count()} cores on this machine (shared)")
        modes = [("sequential", [], 1),
                 (f"--workers {args.workers}", ["--workers", str(args.workers)], args.workers),
                 (f"--dask local --workers {args.workers}", ["--dask", "local", "--workers", str(args.workers)],
                  args.workers)]
        dumps = {}
        print(f"{'mode':32} {'seconds':>8} {'pages/s':>8} {'pages/s/core':>13} {'MB/1000 pages':>14}")
        for label, extra, cores in modes:
            db = work / f"{label.split()[0].strip('-')}.db"
            started = time.monotonic()
            run = subprocess.run([ARCHIVER, "--db", str(db), "import", "-q", "--no-oembed", *extra, *warcs],
                                 capture_output=True, text=True)
            seconds = time.monotonic() - started
            if run.returncode:
                print(f"{label}: exited {run.returncode}: {run.stderr[-400:]}")
                return 1
            subprocess.run(["sqlite3", str(db), "pragma wal_checkpoint(truncate); vacuum;"], check=False,
                           capture_output=True)
            size = db.stat().st_size
            rate = len(urls) / seconds
            print(f"{label:32} {seconds:8.1f} {rate:8.2f} {rate / cores:13.2f} {size / len(urls) * 1000 / 1e6:14.1f}")
            dumps[label] = table_dump(db)
        same = all(d == dumps["sequential"] for d in dumps.values())
        print("parallel archives equal the sequential one:", same)
        # the platforms asked (the default), sequentially: what enrichment over the network costs
        db = work / "asked.db"
        started = time.monotonic()
        run = subprocess.run([ARCHIVER, "--db", str(db), "import", "-q", *warcs], env=world.env,
                             capture_output=True, text=True)
        seconds = time.monotonic() - started
        print(f"{'sequential, platforms asked':32} {seconds:8.1f} {len(urls) / seconds:8.2f}")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
