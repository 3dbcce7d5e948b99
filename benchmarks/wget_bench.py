"""archiver against `wget -p -k -H -i` on the same articles, side by side, with checks and a stage breakdown.

Serves ../shared/bench/site.py (30 articles, 20 ms latency, the platforms behind its provider
proxy), then, after one untimed warm-up of each tool (site.py makes images and TLS certificates
on first request), runs `wget -p -k -H -i urls.txt` and `archiver archive -q -i urls.txt` (static
capture, into a fresh archive each time) alternately, `--runs` times each, and prints:

  * the median wall-clock time of each and the ratio (archiver's speed / wget's speed);
  * checks, from `site.py manifest` (the ground truth): every article and every requisite it lists
    captured; every live post's media (the avatars, photos and thumbnails its platform serves,
    not the player frames) stored; the archive file at most 105 % of the store-once size of the
    bytes captured (every distinct blob once, uncompressed);
  * where archiver's CPU time goes: CPU seconds per stage (ARCHIVER_STAGE_TIMES, archiver/stages.py),
    medians over the runs, against the CPU time of the whole run (all processes).

    .venv/bin/python benchmarks/wget_bench.py [--pages 30] [--runs 3] [--latency-ms 20]
        [--baseline 'COMMAND']   # e.g. another checkout's archiver, timed in the same rounds

`--baseline` times a second archiver command (given `--db FILE archive -q -i urls.txt` after it)
in the same alternating rounds, so a change can be judged against the code before it on the
same machine at the same time.

Exit status 0 when every check passes and archiver is at least --target times faster.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_site import ARCHIVER, DEFAULT_SITE, site_world

STAGES = [("parse", "decode + parse HTML"), ("article", "article extraction (metadata, text)"),
          ("requisites", "requisites (HTML slots, CSS)"), ("embeds", "embed detection"),
          ("enrich", "enrichment (reading platform answers)"), ("fetch", "HTTP + TLS (urllib3, ssl)"),
          ("hashing", "hashing (sha256)"), ("store", "store (SQLite, compression)")]


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the command and its children, result)."""
    cpu0, t0 = children_cpu(), time.monotonic()
    run = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.monotonic() - t0, children_cpu() - cpu0, run


def requisite_urls(manifest: dict) -> set[str]:
    """Every article and every URL its page needs to display."""
    urls: set[str] = set()
    for art in manifest["articles"]:
        urls.add(art["url"])
        urls.update(r["url"] for r in art["resources"])
    return urls


def post_media_urls(manifest: dict) -> set[str]:
    """The media of every live post: what its platform serves besides the embed frame itself."""
    urls: set[str] = set()
    for art in manifest["articles"]:
        for emb in art["embeds"]:
            if emb.get("deleted"):
                continue
            frames = {emb.get("iframe")}
            urls.update(u for u in emb.get("resources", []) if u not in frames)
    return urls


def stored_urls(db: Path) -> set[str]:
    """URLs whose bytes the archive holds (pages, resources, posts' avatars and media)."""
    conn = sqlite3.connect(db)
    got: set[str] = set()
    for url, final in conn.execute("select url, final_url from snapshots where page_sha256 is not null"):
        got.update(u for u in (url, final) if u)
    for url, final in conn.execute("select url, final_url from resources where sha256 is not null"):
        got.update(u for u in (url, final) if u)
    for avatar_url, avatar_sha, media in conn.execute("select avatar_url, avatar_sha256, media from embeds"):
        if avatar_url and avatar_sha:
            got.add(avatar_url)
        for m in json.loads(media or "[]"):
            if isinstance(m, dict) and m.get("sha256") and m.get("url"):
                got.add(m["url"])
    conn.close()
    return got


def archive_size(db: Path) -> tuple[int, int]:
    """(bytes of the archive file after a checkpoint, store-once size: every distinct blob once, uncompressed)."""
    conn = sqlite3.connect(db)
    conn.execute("pragma wal_checkpoint(TRUNCATE)")
    floor = conn.execute("select sum(size) from blobs").fetchone()[0] or 0
    conn.close()
    disk = db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob(db.name + "-*"))
    return disk, floor


def size_breakdown(db: Path) -> list[tuple[str, int]]:
    """Where the archive file's bytes beyond the blobs' own go: (what, bytes), largest first
    (SQLite's dbstat table; empty when this SQLite lacks it)."""
    conn = sqlite3.connect(db)
    try:
        pages = dict(conn.execute("select name, sum(pgsize) from dbstat group by name").fetchall())
        stored = conn.execute("select sum(length(data)) from blobs").fetchone()[0] or 0
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    groups = {"blob pages beyond the stored bytes": pages.pop("blobs", 0) - stored}
    for name, size in pages.items():
        table = name.split("_fts")[0] + " full-text index" if "_fts" in name else (
            "indexes" if name.startswith(("idx_", "sqlite_autoindex")) else name + " rows")
        groups[table] = groups.get(table, 0) + size
    return sorted(groups.items(), key=lambda kv: -kv[1])


def stage_times(path: Path) -> dict[str, float]:
    totals: dict[str, float] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            for name, secs in json.loads(line)["stages"].items():
                totals[name] = totals.get(name, 0.0) + secs
    return totals


def wget_cmd(ca: Path, urls: Path, log: Path) -> list[str]:
    """`wget -p -k -H -i urls`, plus only what reaches the platforms (the proxy, its CA) and a log."""
    return ["wget", "-p", "-k", "-H", "-e", "use_proxy=on", f"--ca-certificate={ca}",
            "-nv", "-o", str(log), "-i", str(urls)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(DEFAULT_SITE))
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each tool (medians are reported)")
    ap.add_argument("--target", type=float, default=5.0, help="speed ratio the exit status asks for")
    ap.add_argument("--archiver-args", default="", help="extra options for `archiver archive`, e.g. '--parallel 8'")
    ap.add_argument("--baseline", help="another archiver command to time in the same rounds")
    args = ap.parse_args()
    if not shutil.which("wget"):
        raise SystemExit("wget is not installed (apt-get install wget)")
    options = ("--pages", str(args.pages), "--seed", str(args.seed))
    with site_world(args.site, *options, latency_ms=args.latency_ms) as world:
        work, manifest = world.work, world.manifest
        urls = work / "urls.txt"
        urls.write_text("\n".join(world.urls) + "\n")

        def run_archiver(name: str, stages: Path | None = None):
            env = dict(world.env)
            if stages is not None:
                env["ARCHIVER_STAGE_TIMES"] = str(stages)
            cmd = [ARCHIVER, "--db", str(work / f"{name}.db"), "archive", "-q", *args.archiver_args.split(),
                   "-i", str(urls)]
            return timed(cmd, env=env)

        def run_wget(name: str):
            folder = work / name
            folder.mkdir()
            return timed(wget_cmd(world.ca, urls, work / f"{name}.log"), cwd=folder, env=world.env)

        def run_baseline(name: str):
            cmd = [*args.baseline.split(), "--db", str(work / f"{name}.db"), "archive", "-q", "-i", str(urls)]
            return timed(cmd, env=world.env)

        run_archiver("warm")      # untimed: the server makes each image and certificate once
        run_wget("wget-warm")
        a_wall, a_cpu, w_wall, stage_runs, b_wall, b_cpu = [], [], [], [], [], []
        for i in range(args.runs):
            if args.baseline:
                wall, cpu, run = run_baseline(f"base{i}")
                if run.returncode != 0:
                    print(f"baseline exited {run.returncode}: {run.stderr.strip()[-2000:]}", file=sys.stderr)
                b_wall.append(wall)
                b_cpu.append(cpu)
            wall, cpu, run = run_archiver(f"run{i}", work / f"stages{i}.jsonl")
            if run.returncode != 0:
                print(f"archiver exited {run.returncode}: {run.stderr.strip()[-2000:]}", file=sys.stderr)
            a_wall.append(wall)
            a_cpu.append(cpu)
            stage_runs.append(stage_times(work / f"stages{i}.jsonl"))
            wall, _, _ = run_wget(f"wget{i}")
            w_wall.append(wall)

        a, w = statistics.median(a_wall), statistics.median(w_wall)
        ratio = w / a
        db = work / "run0.db"
        need_pages, need_media = requisite_urls(manifest), post_media_urls(manifest)
        got = stored_urls(db)
        miss_pages, miss_media = sorted(need_pages - got), sorted(need_media - got)
        disk, floor = archive_size(db)
        size_pct = 100 * disk / max(floor, 1)

        print(f"articles      {len(world.urls)} (site.py --pages {args.pages} --latency-ms {args.latency_ms}"
              f" --seed {args.seed}), medians of {args.runs} runs, run alternately")
        print(f"wget          {w:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in w_wall)})")
        print(f"archiver      {a:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in a_wall)}; "
              f"CPU {statistics.median(a_cpu):.2f} s over all its processes)")
        if b_wall:
            b = statistics.median(b_wall)
            print(f"baseline      {b:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in b_wall)}; "
                  f"CPU {statistics.median(b_cpu):.2f} s): {w / b:.1f}x as fast as wget")
        print(f"ratio         archiver is {ratio:.1f}x as fast as wget (target {args.target:g}x)")
        print()
        ok_pages, ok_media, ok_size = not miss_pages, not miss_media, size_pct <= 105.0
        print(f"[{'ok' if ok_pages else 'FAIL'}] articles and requisites stored: {len(need_pages) - len(miss_pages)}"
              f"/{len(need_pages)}")
        print(f"[{'ok' if ok_media else 'FAIL'}] live posts' media stored: {len(need_media) - len(miss_media)}"
              f"/{len(need_media)}")
        for url in (miss_pages + miss_media)[:10]:
            print(f"       missing {url}")
        print(f"[{'ok' if ok_size else 'FAIL'}] archive file {disk / 1e6:.1f} MB = {size_pct:.1f}% of the "
              f"store-once size {floor / 1e6:.1f} MB (at most 105%)")
        print("       beyond the blobs' bytes: " + ", ".join(
            f"{what} {size / 1e3:.0f} kB" for what, size in size_breakdown(db)[:6]))
        print()
        cpu = statistics.median(a_cpu)
        med = {name: statistics.median(r.get(name, 0.0) for r in stage_runs) for name, _ in STAGES}
        print("archiver CPU seconds per stage (median of runs; all processes; % of the run's CPU)")
        for name, label in STAGES:
            print(f"  {label:42s} {med[name]:6.2f} s  {100 * med[name] / cpu:5.1f}%")
        other = cpu - sum(med.values())
        print(f"  {'other (startup, imports, transfer, waits)':42s} {other:6.2f} s  {100 * other / cpu:5.1f}%")
        print(f"  {'total':42s} {cpu:6.2f} s")
        passed = ok_pages and ok_media and ok_size and ratio >= args.target
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
