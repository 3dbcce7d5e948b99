"""Median time to render one article of the benchmark site (`../shared/bench/site.py`).

    .venv/bin/python benchmarks/render_bench.py [--site PATH] [--articles 5] [--runs 30]

The site is built into a temporary folder (`site.py build`), each article is stored with its
requisites as a snapshot (embed rows from the registry, as a capture without enrichment would
store them), then rendered repeatedly: folder mode and single-file mode. Rendering is CPU work
only; the target is a median of at most 30 ms per article in folder mode."""
from __future__ import annotations

import argparse
import mimetypes
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archiver.embeds import detect  # noqa: E402
from archiver.extract.requisites import page_requisites  # noqa: E402
from archiver.extract.css import css_refs  # noqa: E402
from archiver.render import render_snapshot  # noqa: E402
from archiver.model import Resource, Snapshot  # noqa: E402
from archiver.store import Store  # noqa: E402

BASE = "http://127.0.0.1:8000"


def store_article(store: Store, site: Path, n: int) -> int:
    url = f"{BASE}/articles/{n}.html"
    body = (site / "articles" / f"{n}.html").read_bytes()
    todo = [u for u, _ in page_requisites(BeautifulSoup(body, "lxml"), url)]
    resources, seen = [], set()
    while todo:
        u = todo.pop(0)
        if u in seen or not u.startswith(BASE):
            continue
        seen.add(u)
        path = site / u[len(BASE):].lstrip("/").split("?")[0]
        if not path.is_file():
            continue
        data = path.read_bytes()
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype == "text/css":
            todo += [r for r, _ in css_refs(data.decode("utf-8", "replace"), u)]
        resources.append(Resource(url=u, final_url=u, kind="x", status_code=200, content_type=ctype, body=data))
    rows = []
    for det in detect(body, url):
        row = det.post.row()
        row["position"] = det.position
        rows.append(row)
    return store.save_snapshot(Snapshot(url=url, final_url=url, captured_at="2025-01-01T00:00:00Z", status_code=200,
                                        content_type="text/html; charset=utf-8", body=body, resources=resources,
                                        embeds=rows))


def median_ms(fn, runs: int) -> float:
    fn()  # warm up (templates, registry)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", default=str(ROOT.parent / "shared" / "bench" / "site.py"))
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, args.site, "build", "--pages", str(args.articles), "--out", str(site)],
                       check=True, capture_output=True)
        store = Store(Path(tmp) / "bench.db")
        ids = [store_article(store, site, n) for n in range(1, args.articles + 1)]
        folder, single = [], []
        for sid in ids:
            folder.append(median_ms(lambda: render_snapshot(store, sid), args.runs))
            single.append(median_ms(lambda: render_snapshot(store, sid, single_file=True), args.runs))
            page = render_snapshot(store, sid)
            print(f"article #{sid}: {page.cards} cards, {len(page.assets)} assets, "
                  f"folder {folder[-1]:.1f} ms, single file {single[-1]:.1f} ms")
        print(f"median render time over {len(ids)} articles: folder {statistics.median(folder):.1f} ms, "
              f"single file {statistics.median(single):.1f} ms (target <= 30 ms)")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
