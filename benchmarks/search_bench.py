"""Search latency over a large synthetic archive.

    .venv/bin/python benchmarks/search_bench.py [--snapshots 10000] [--repeat 20] [--db PATH]

Builds an archive of N synthetic snapshots (articles of ~400 words drawn from a Zipf-distributed
vocabulary, 0-4 preserved posts each) through `Store.save_snapshot`, in a temporary file unless
--db is given, then times `archiver.browse.search` (limit 20, the CLI default) over a mix of
queries: common and rare words, two words, a phrase, a prefix, an author's name, a handle, and
words that match nothing. Prints the median and p95 per query and over all. Target: median <= 20 ms.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.browse import fts_query, search  # noqa: E402
from archiver.model import Snapshot  # noqa: E402
from archiver.store import Store  # noqa: E402

PROVIDERS = ["twitter", "bluesky", "mastodon", "instagram", "youtube", "tiktok", "facebook", "threads"]
FIRST = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Tim", "Barbara", "Dennis", "Radia",
         "Frances", "John", "Hedy", "Claude", "Edsger", "Sophie", "Ken", "Donald", "Shafi", "Yukihiro"]
LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Berners", "Liskov", "Ritchie",
        "Perlman", "Allen", "McCarthy", "Lamarr", "Shannon", "Dijkstra", "Wilson", "Thompson", "Knuth",
        "Goldwasser", "Matsumoto"]
# Topic words placed at chosen frequency ranks of a Zipf vocabulary, so that queries match anything
# from ~2 % to ~80 % of the articles. "news" sits at rank 1: it is in every article, like a stop word,
# and is the worst case (every document must be scored).
TOPICS = {"news": 0, "council": 25, "city": 40, "harbour": 80, "storm": 120, "election": 160, "minister": 250,
          "budget": 300, "court": 400, "hospital": 500, "museum": 700, "festival": 900, "river": 1200,
          "village": 1500, "protest": 2500}


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < size - len(TOPICS):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
        if word not in TOPICS:
            words.add(word)
    ordered = sorted(words)
    rng.shuffle(ordered)
    for word, rank in sorted(TOPICS.items(), key=lambda kv: kv[1]):
        ordered.insert(rank, word)
    return ordered


def zipf_words(rng: random.Random, vocab: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(vocab, weights=weights, k=n))


def build(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    store = Store(path)
    start = time.perf_counter()
    for i in range(count):
        title = zipf_words(rng, vocab, weights, rng.randint(5, 10)).capitalize()
        embeds = []
        for pos in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            embeds.append({
                "position": pos, "provider": rng.choice(PROVIDERS), "kind": "post",
                "author_name": f"{first} {last}", "author_handle": f"{first}{last}{rng.randint(1, 300)}".lower(),
                "post_url": f"https://social.example/{i}/{pos}",
                "text": zipf_words(rng, vocab, weights, rng.randint(8, 40)), "status": "ok",
            })
        day = 1 + i % 28
        store.save_snapshot(Snapshot(
            url=f"https://site{i % 50}.example/{i}", captured_at=f"2024-{1 + i % 12:02d}-{day:02d}T10:00:00Z",
            status_code=200, content_type="text/html",
            meta={"title": title, "text": zipf_words(rng, vocab, weights, rng.randint(250, 550))},
            embeds=embeds))
    store.db.execute("PRAGMA optimize")
    store.close()
    print(f"built {count} snapshots in {time.perf_counter() - start:.1f}s -> {path} "
          f"({path.stat().st_size / 1e6:.1f} MB)")


QUERIES = ["harbour", "council election", '"city council"', "storm*", "Grace Hopper", "lovelace",
           "budget minister court", "museum festival", "zzzz nothingmatches", "hospital", "adalovelace*",
           "river village", "protest", "news"]


def measure(path: Path, repeat: int) -> float:
    store = Store(path, create=False)
    for q in QUERIES:            # warm the page cache once
        search(store, q)
    all_ms: list[float] = []
    print(f"{'query':<26} {'matches':>8} {'median ms':>10} {'p95 ms':>8}")
    for q in QUERIES:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            search(store, q, limit=20)
            times.append((time.perf_counter() - t0) * 1000)
        all_ms += times
        print(f"{q:<26} {matches(store, q):>8} {statistics.median(times):>10.2f} {percentile(times, 95):>8.2f}")
    store.close()
    median = statistics.median(all_ms)
    print(f"{'ALL':<26} {'':>8} {median:>10.2f} {percentile(all_ms, 95):>8.2f}")
    return median


def matches(store: Store, query: str) -> int:
    """How many articles plus posts match (what the ranking has to score)."""
    fts = fts_query(query)
    if fts is None:
        return 0
    return sum(store.db.execute(f"select count(*) from {table} where {table} match ?", [fts]).fetchone()[0]
               for table in ("snapshots_fts", "embeds_fts"))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", type=Path, help="reuse (or create) this archive instead of a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if not path.exists():
            build(path, args.snapshots)
        median = measure(path, args.repeat)
    print(f"median {median:.2f} ms per query (target <= 20 ms): {'OK' if median <= 20 else 'SLOW'}")
    return 0 if median <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
