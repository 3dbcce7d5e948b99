"""Browser mode against ../shared/bench/site.py (not part of the test suite, which must not need
../shared): archive the same articles statically and with --browser, where every --app-th article
is an app shell built by JavaScript, compare both with `site.py manifest`, and time both.

    .venv/bin/python benchmarks/browser_check.py [--pages 10] [--app 2] [--deleted 0] [--seed 1]

Checks for the browser capture, per article: every manifest paragraph in the snapshot's text,
every manifest resource stored, each embed with its author (benchmarks/site_check.py's checks), a
full-page screenshot, the rendered DOM, a screenshot of each live post's embed, and the offline
render (zero requests outside file:/data:, a card per embed). For the static capture: every
app-shell article carries the warning that names --browser. Post links: an X status and an
Instagram post, archived with --browser, give one post with its author and a screenshot.
Prints pages per second, resources and bytes for both modes."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import ARCHIVER, DEFAULT_SITE, site_world  # noqa: E402
from site_check import CHROMIUM_FLAGS, Tally, check_embeds, check_render, norm  # noqa: E402

from archiver.store import Store  # noqa: E402


def archive(db: Path, urls: list[str], env: dict, *extra: str) -> tuple[float, list[dict], str]:
    started = time.monotonic()
    run = subprocess.run([ARCHIVER, "--db", str(db), "archive", "--json", "-q", *extra, *urls],
                         env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    return seconds, rows, run.stderr


def summary(label: str, seconds: float, rows: list[dict]) -> str:
    n = len(rows)
    res = sum(r["resources"] for r in rows)
    mb = sum(r["bytes"] for r in rows) / 1e6
    return (f"{label:<8} {n} pages in {seconds:5.1f} s = {n / seconds:5.2f} pages/s; "
            f"{res / max(n, 1):5.1f} resources and {mb / max(n, 1):4.2f} MB per page")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(DEFAULT_SITE))
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--app", type=int, default=2)
    ap.add_argument("--deleted", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--latency-ms", type=int, default=20)
    args = ap.parse_args()
    options = ("--pages", str(args.pages), "--seed", str(args.seed), "--deleted", str(args.deleted),
               "--app", str(args.app))
    problems: list[str] = []
    with site_world(args.site, *options, latency_ms=args.latency_ms, prefix="archiver-browser-") as world:
        manifest, work, urls = world.manifest, world.work, world.urls
        s_secs, s_rows, s_err = archive(work / "static.db", urls, world.env)
        b_secs, b_rows, b_err = archive(work / "browser.db", urls, world.env, "--browser")
        for label, rows in (("static", s_rows), ("browser", b_rows)):
            failed = [r for r in rows if r["status"] != "ok"]
            if len(rows) != len(urls) or failed:
                problems.append(f"{label}: {len(rows)} results, {len(failed)} failed {failed[:1]}")
        # --json lines come as captures complete: rows are matched to articles by URL
        s_by_url, b_by_url = {r["url"]: r for r in s_rows}, {r["url"]: r for r in b_rows}
        # static: each app shell points at --browser
        for article in manifest["articles"]:
            row = s_by_url.get(article["url"], {})
            warned = any("--browser" in w for w in row.get("warnings") or [])
            if article["app"] and not warned:
                problems.append(f"static {article['url']}: app shell without the --browser warning")
            if not article["app"] and warned:
                problems.append(f"static {article['url']}: warned although the article is in the HTML")
        store = Store(work / "browser.db")
        tally = Tally()
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            for article in manifest["articles"]:
                if article["url"] not in b_by_url:
                    continue   # counted above as a missing result
                sid = b_by_url[article["url"]]["id"]
                snap = store.snapshot(sid)
                text = norm(snap["text"])
                lost = [p for p in article["paragraphs"] if norm(p)[:80] not in text]
                if lost:
                    problems.append(f"{article['url']}: {len(lost)} paragraphs not in the text: {lost[0][:60]!r}")
                resources = store.resources(sid)
                stored = {r["url"] for r in resources if r["sha256"]}
                missing = [r["url"] for r in article["resources"] if r["url"] not in stored]
                if missing:
                    problems.append(f"{article['url']}: {len(missing)} manifest resources not stored: {missing[:3]}")
                kinds = {r["kind"] for r in resources if r["sha256"]}
                for kind in ("screenshot", "rendered-html"):
                    if kind not in kinds:
                        problems.append(f"{article['url']}: no {kind}")
                check_embeds(store, sid, article, problems, tally)
                for want, post in zip(article["embeds"], store.embeds(sid)):
                    if not want["deleted"] and not post["screenshot_sha256"]:
                        problems.append(f"{article['url']} [{post['position']}]: no screenshot of the embed")
                check_render(store, sid, article, work / "rendered", browser, problems)
            browser.close()
        # post links
        wanted = {"twitter": None, "instagram": None}
        for article in manifest["articles"]:
            for e in article["embeds"]:
                if e["provider"] in wanted and wanted[e["provider"]] is None and not e["deleted"]:
                    wanted[e["provider"]] = e
        links = [e for e in wanted.values() if e]
        p_secs, p_rows, p_err = archive(work / "posts.db", [e["post_url"] for e in links], world.env, "--browser")
        posts = Store(work / "posts.db")
        p_by_url = {r["url"]: r for r in p_rows}
        for e in links:
            row = p_by_url.get(e["post_url"], {"id": -1})
            got = posts.embeds(row["id"])
            if len(got) != 1 or got[0]["author_handle"] is None or \
                    got[0]["author_handle"].lower() != e["handle"].lower():
                problems.append(f"post link {e['post_url']}: {[(g['author_name'], g['author_handle']) for g in got]}")
            elif not got[0]["screenshot_sha256"]:
                problems.append(f"post link {e['post_url']}: no screenshot of the embed page")
        n_app = sum(a["app"] for a in manifest["articles"])
        n_embeds = sum(len(a["embeds"]) for a in manifest["articles"])
        print(f"{len(urls)} articles ({n_app} app shells), {n_embeds} embeds; {len(links)} post links")
        print(summary("static", s_secs, s_rows))
        print(summary("browser", b_secs, b_rows))
        print(f"post links: {len(p_rows)} in {p_secs:.1f} s")
        print(f"enrichment of live posts in browser mode (author, handle, text, stored avatar): {tally}")
        for p in problems:
            print("PROBLEM", p)
        print("all checks passed" if not problems else f"{len(problems)} problems")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
