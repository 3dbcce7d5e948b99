"""End-to-end check of `recheck`, `history` and `diff` against ../shared/bench/site.py (not part of
the test suite, which must not need ../shared). Time passes by restarting the site on the same
ports in a later state:

  1. serve --revision 0 --deleted 0, archive every article;
  2. stop the site: `recheck` during the outage must mark no post deleted (every check an error);
  3. serve --revision 1 --deleted N: `recheck` must find exactly the posts the manifest says are
     deleted, and `ok` for the rest; every check must be a row in `checks`;
  4. archive every article again: `diff` of each article's two captures must name the title change,
     the rewritten paragraph (and no unchanged one) and the removed post; an article with no change
     (and no deleted post) must be `same`, exit 0; `history` must list both captures.

    .venv/bin/python benchmarks/time_check.py [--pages 12] [--deleted 4] [--revision 1]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import ARCHIVER, DEFAULT_SITE, free_port, wait_port  # noqa: E402

from archiver.embeds import match_post_url  # noqa: E402
from archiver.store import Store  # noqa: E402


class Site:
    """site.py on fixed ports, restartable in another state."""

    def __init__(self, site: Path, work: Path, pages: int, seed: int):
        self.site, self.work, self.pages, self.seed = site, work, pages, seed
        self.port, self.proxy_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        proxy = f"http://127.0.0.1:{self.proxy_port}"
        self.env = {**__import__("os").environ, "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy,
                    "http_proxy": proxy, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                    "REQUESTS_CA_BUNDLE": str(work / "ca" / "ca.pem")}

    def options(self, revision: int, deleted: int) -> list[str]:
        return ["--pages", str(self.pages), "--seed", str(self.seed), "--revision", str(revision),
                "--deleted", str(deleted)]

    def start(self, revision: int, deleted: int) -> dict:
        self.stop()
        self.proc = subprocess.Popen([sys.executable, str(self.site), "serve", "--port", str(self.port),
                                      *self.options(revision, deleted), "--proxy-port", str(self.proxy_port),
                                      "--ca-dir", str(self.work / "ca")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        wait_port(self.proxy_port)
        for _ in range(50):
            if (self.work / "ca" / "ca.pem").exists():
                break
            time.sleep(0.1)
        return json.loads(subprocess.check_output([sys.executable, str(self.site), "manifest",
                                                   *self.options(revision, deleted), "--base", self.base]))

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVER, *args], env=env, capture_output=True, text=True)


def norm_url(url: str) -> str:
    matched = match_post_url(url)
    return matched.post_url if matched and matched.post_url else url


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deleted", type=int, default=4)
    ap.add_argument("--revision", type=int, default=1)
    ap.add_argument("--site", default=str(DEFAULT_SITE))
    ap.add_argument("--keep", help="copy the archive here afterwards")
    a = ap.parse_args()
    if not Path(a.site).exists():
        raise SystemExit(f"no site.py at {a.site} (give --site PATH)")
    work = Path(tempfile.mkdtemp(prefix="archiver-time-"))
    db = str(work / "archive.db")
    site = Site(Path(a.site), work, a.pages, a.seed)
    problems: list[str] = []
    try:
        before = site.start(0, 0)
        urls = [art["url"] for art in before["articles"]]
        t0 = time.monotonic()
        cap = run(site.env, "--db", db, "archive", "-q", *urls)
        print(f"first capture of {len(urls)} articles: exit {cap.returncode}, {time.monotonic() - t0:.1f}s")
        store = Store(db)
        posts = store.db.execute("select count(*) from embeds").fetchone()[0]

        # -- outage: the site and its platforms are down
        site.stop()
        t0 = time.monotonic()
        out = run(site.env, "--db", db, "recheck", "--json", "--timeout", "2")
        lines = [json.loads(x) for x in out.stdout.splitlines()]
        print(f"outage recheck: exit {out.returncode}, {out.stderr.strip().splitlines()[-1]}, "
              f"{time.monotonic() - t0:.1f}s")
        if out.returncode != 1:
            problems.append(f"outage: recheck exit {out.returncode}, expected 1")
        gone = store.db.execute("select count(*) from embeds where status = 'deleted'").fetchone()[0]
        if gone or any(x["status"] != "error" for x in lines):
            problems.append(f"outage: {gone} posts deleted, statuses {sorted({x['status'] for x in lines})}")

        # -- later: the platforms deleted some posts, the newsroom edited some articles
        after = site.start(a.revision, a.deleted)
        t0 = time.monotonic()
        out = run(site.env, "--db", db, "recheck", "--json")
        lines = [json.loads(x) for x in out.stdout.splitlines()]
        print(f"recheck: exit {out.returncode}, {out.stderr.strip().splitlines()[-1]}, {time.monotonic() - t0:.1f}s")
        truth, token_only = {}, set()
        for art in after["articles"]:
            for e in art["embeds"] + art["removed_embeds"]:
                truth[norm_url(e["post_url"])] = e["deleted"]
                if e["oembed_status"] == 400:     # the oEmbed endpoint wants a token
                    token_only.add(norm_url(e["post_url"]))
        wrong = 0
        for x in lines:
            want = "deleted" if truth.get(x["post_url"]) else "ok"
            # without a token Meta answers only with its embed page, whose notice is the same for a
            # deleted post and a private one: `unavailable` is all it says
            if want == "deleted" and x["post_url"] in token_only:
                want = "unavailable"
            if x["post_url"] not in truth or x["status"] != want:
                wrong += 1
                problems.append(f"recheck {x['post_url']}: {x['status']}, manifest says {want} "
                                f"({x.get('error') or x.get('changed') or ''})")
        checks = store.db.execute("select count(*) from checks").fetchone()[0]
        print(f"  {len(lines)} posts checked ({posts} embed rows), {len(lines) - wrong} agree with the platforms; "
              f"{checks} rows in checks")
        if len(lines) != posts:
            problems.append(f"recheck reported {len(lines)} posts, the archive has {posts}")

        # -- archive again and compare
        cap = run(site.env, "--db", db, "archive", "-q", *urls)
        print(f"second capture: exit {cap.returncode}")
        ids = {}
        for art in after["articles"]:
            hist = json.loads(run(site.env, "--db", db, "history", art["url"], "--json").stdout)
            if len(hist) != 2:
                problems.append(f"history {art['url']}: {len(hist)} captures")
                continue
            ids[art["url"]] = (hist[0]["id"], hist[1]["id"])
        same = differ = 0
        edited = None
        for art_before, art in zip(before["articles"], after["articles"]):
            if art["url"] not in ids:
                continue
            a_id, b_id = ids[art["url"]]
            out = run(site.env, "--db", db, "diff", str(a_id), str(b_id), "--json")
            d = json.loads(out.stdout)
            where = f"diff {a_id} {b_id} ({art['url']})"
            has_deleted = any(e["deleted"] for e in art["embeds"])
            unchanged = not art["changes"] and not art["removed_embeds"] and not has_deleted
            if unchanged:
                same += 1
                if out.returncode != 0 or not d["same"]:
                    problems.append(f"{where}: unchanged article, exit {out.returncode}: {json.dumps(d)[:300]}")
                continue
            differ += 1
            if out.returncode != 1:
                problems.append(f"{where}: exit {out.returncode}, expected 1")
            listed = d["text"]["removed"] + d["text"]["added"]
            old, new = art_before["paragraphs"], art["paragraphs"]
            rewritten = [i for i, (p, q) in enumerate(zip(old, new)) if p != q]
            if any(" ".join(p.split()) in listed for i, p in enumerate(old + new) if i % len(old) not in rewritten):
                problems.append(f"{where}: an unchanged paragraph is listed")
            if "title" in art["changes"]:
                edited = edited or (a_id, b_id)
                if d["fields"].get("title", {}).get("b") != art["title"]:
                    problems.append(f"{where}: title change not named: {d['fields'].get('title')}")
                for i in rewritten:
                    if not any(t in " ".join(old[i].split()) for t in d["text"]["removed"]):
                        problems.append(f"{where}: nothing of the rewritten paragraph {i} listed as removed")
                    if not any(t in " ".join(new[i].split()) for t in d["text"]["added"]):
                        problems.append(f"{where}: nothing of the rewritten paragraph {i} listed as added")
            elif d["fields"]:
                problems.append(f"{where}: metadata listed for an article the newsroom did not edit: {d['fields']}")
            for e in art["removed_embeds"]:
                if norm_url(e["post_url"]) not in [x["post_url"] for x in d["embeds"]["removed"]]:
                    problems.append(f"{where}: removed post {e['post_url']} not named")
        print(f"diff: {differ} changed articles, {same} unchanged")
        if edited:
            page = run(site.env, "--db", db, "serve", "--get", f"/snapshots/{edited[0]}/diff/{edited[1]}")
            dels, inss = page.stdout.count("<del>"), page.stdout.count("<ins>")
            print(f"web diff page of an edited article: exit {page.returncode}, {dels} <del>, {inss} <ins>")
            if page.returncode or not dels or not inss:
                problems.append(f"web diff page /snapshots/{edited[0]}/diff/{edited[1]}: {dels} <del>, {inss} <ins>")
        changes = run(site.env, "--db", db, "changes")
        print(changes.stdout.splitlines()[0] if changes.stdout else changes.stderr)
        store.close()
        if a.keep:
            shutil.copy(db, a.keep)
    finally:
        site.stop()
        shutil.rmtree(work, ignore_errors=True)
    for p in problems[:40]:
        print("PROBLEM", p)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
