"""End-to-end check against ../shared/bench/site.py and its provider proxy (not part of the test
suite, which must not need ../shared): archive N articles with some posts deleted at their
provider, then compare the archive with `site.py manifest` and open the rendered pages in
headless Chromium.

    .venv/bin/python benchmarks/site_check.py [--pages 10] [--deleted 3] [--seed 1]

Checks, per manifest embed: provider post URL (normalised), author name and handle, text (from
the page, or from the platform where the manifest says the platform gives it), avatar stored as a
blob; deleted posts recorded as deleted/unavailable with the page's fallback kept. Per article:
every manifest resource stored; the folder and single-file renders load with no request outside
file:/data:, every image decoded, no <script>, and each embed's card showing its author and text.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_site import ARCHIVER, DEFAULT_SITE, site_world  # noqa: E402

from archiver.embeds import match_post_url  # noqa: E402
from archiver.store import Store  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


class Tally:
    """The enrichment score: of every live post's author, handle, text and stored avatar, how many
    came out right (the manifest's `enrich` says what token-free enrichment can give)."""

    def __init__(self) -> None:
        self.right = self.asked = 0

    def count(self, ok: bool) -> None:
        self.asked += 1
        self.right += bool(ok)

    def __str__(self) -> str:
        return f"{self.right}/{self.asked} ({100 * self.right / max(1, self.asked):.1f}%)"


def check_embeds(store: Store, sid: int, article: dict, problems: list[str], tally: Tally | None = None) -> None:
    tally = tally or Tally()
    rows = store.embeds(sid)
    if len(rows) != len(article["embeds"]):
        problems.append(f"{article['url']}: {len(rows)} embeds stored, manifest lists {len(article['embeds'])}")
    for want, row in zip(article["embeds"], rows):
        where = f"{article['url']} [{row['position']}] {want['provider']}"
        matched = match_post_url(want["post_url"])
        expected_url = matched.post_url if matched else want["post_url"]
        if row["post_url"] != expected_url:
            problems.append(f"{where}: post_url {row['post_url']} != {expected_url}")
        if want["deleted"]:
            if row["status"] not in ("deleted", "unavailable"):
                problems.append(f"{where}: deleted at the provider but status {row['status']}")
        elif row["status"] != "ok":
            problems.append(f"{where}: status {row['status']} ({row['enrich_error']})")
        expect_text = want["text_in_page"] or (not want["deleted"] and "text" in want["enrich"])
        shown = norm(row["text"]) or norm(row["title"])
        text_right = norm(want["text"]) in (norm(row["text"]), norm(row["title"]))
        if expect_text and not text_right:
            problems.append(f"{where}: text {shown[:60]!r} != {want['text'][:60]!r}")
        # a deleted post keeps what its fallback said: a YouTube iframe or a TikTok blockquote names no author
        knows_author = not want["deleted"] or want["provider"] not in ("youtube", "tiktok")
        if knows_author and row["author_name"] != want["author"]:
            problems.append(f"{where}: author {row['author_name']!r} != {want['author']!r}")
        # Bluesky handles are domains: the page shows @name.bsky.social, the manifest the bare name
        handle = (row["author_handle"] or "").lower().removesuffix(".bsky.social")
        if knows_author and want["provider"] != "youtube" and handle != want["handle"].lower():
            problems.append(f"{where}: handle {row['author_handle']!r} != {want['handle']!r}")
        avatar_stored = bool(row["avatar_sha256"]) and store.blob(row["avatar_sha256"]) is not None
        if not want["deleted"] and want["enrich"].get("avatar"):
            if not avatar_stored:
                problems.append(f"{where}: avatar not stored")
        if not want["deleted"]:
            tally.count(row["author_name"] == want["author"])
            tally.count(want["provider"] == "youtube" or handle == want["handle"].lower())
            tally.count(text_right)
            tally.count(avatar_stored or not want["enrich"].get("avatar"))


def check_render(store: Store, sid: int, article: dict, out: Path, browser, problems: list[str]) -> None:
    from archiver.render import render_snapshot, write_rendered, write_single_file
    folder = write_rendered(render_snapshot(store, sid), store, out / f"{sid}")
    single = write_single_file(render_snapshot(store, sid, single_file=True), out / f"{sid}.html")
    rows = store.embeds(sid)
    for label, path in (("folder", folder), ("single file", single)):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        where = f"{article['url']} ({label})"
        outside = [u for u in requests if not u.startswith(("file:", "data:"))]
        if outside:
            problems.append(f"{where}: requests outside file:/data: {outside[:3]}")
        broken = page.evaluate("() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length")
        if broken:
            problems.append(f"{where}: {broken} images not decoded")
        if page.evaluate("() => document.querySelectorAll('script').length"):
            problems.append(f"{where}: a <script> element is in the DOM")
        cards = page.evaluate("() => [...document.querySelectorAll('.arc-card')].map(c => c.innerText)")
        if len(cards) != len(article["embeds"]):
            problems.append(f"{where}: {len(cards)} cards, manifest lists {len(article['embeds'])} embeds")
        for want, row, card in zip(article["embeds"], rows, cards):
            card = norm(card)
            for fact in (row["author_name"], row["author_handle"], row["text"] or row["title"]):
                if fact and norm(fact)[:40] not in card:
                    problems.append(f"{where} [{row['position']}]: card lacks {norm(fact)[:40]!r}")
            if want["deleted"] and "available" not in card.lower() and "deleted" not in card.lower():
                problems.append(f"{where} [{row['position']}]: deleted post not marked as such")
        page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", default=str(DEFAULT_SITE))
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--deleted", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    options = ("--pages", str(args.pages), "--seed", str(args.seed), "--deleted", str(args.deleted))
    problems: list[str] = []
    tally = Tally()
    with site_world(args.site, *options, prefix="archiver-check-") as world:
        manifest, work = world.manifest, world.work
        db = work / "check.db"
        urls = world.urls
        run = subprocess.run([ARCHIVER, "--db", str(db), "archive", "-q", *urls],
                             env=world.env, capture_output=True, text=True)
        if run.returncode:
            problems.append(f"archive exited {run.returncode}: {run.stderr.strip()[:300]}")
        store = Store(db)
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            # captures are saved as they complete, so snapshot ids follow completion, not the list
            by_url = {store.snapshot(sid)["url"]: sid for sid in store.snapshot_ids()}
            for article in manifest["articles"]:
                sid = by_url.get(article["url"])
                if sid is None:
                    problems.append(f"{article['url']}: not archived")
                    continue
                stored = {r["url"] for r in store.resources(sid) if r["sha256"]}
                missing = [r["url"] for r in article["resources"] if r["url"] not in stored]
                if missing:
                    problems.append(f"{article['url']}: {len(missing)} manifest resources not stored: {missing[:3]}")
                check_embeds(store, sid, article, problems, tally)
                check_render(store, sid, article, work / "rendered", browser, problems)
            browser.close()
        n_embeds = sum(len(a["embeds"]) for a in manifest["articles"])
        n_deleted = sum(e["deleted"] for a in manifest["articles"] for e in a["embeds"])
        print(f"{len(urls)} articles, {n_embeds} embeds ({n_deleted} deleted at their provider) checked")
        print(f"enrichment of live posts (author, handle, text, stored avatar): {tally}")
        for p in problems:
            print("PROBLEM", p)
        print("all checks passed" if not problems else f"{len(problems)} problems")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
