"""Search latency per query on a database already loaded (the 10x copy of bench/search_bench.py).

    DATABASE_URL=... .venv/bin/python bench/search_latency.py [-v]

Runs the 50 queries of search_bench.py and the written queries of search_eval.py (after one warm-up
round) and prints p50/p95/max of the index query (ranked top 10 + total) and of the results page's
data, in wall-clock time and in CPU time (search_bench.cpu_clock: this process, and on PostgreSQL its
server process too, so that the CPU figures are the query's cost even on a busy machine).
These are uncached searches (results.RESULT_SECONDS = 0); then the results page once more with the
result cache on, after one round that fills it (what a repeated query costs), with --cached.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")


def main() -> None:
    import django

    django.setup()
    import search_bench
    import search_eval
    from django.utils import timezone

    from kiji.search import results
    from kiji.search.backends import Filters, backend
    from kiji.search.expand import plan
    from kiji.search.query import parse_query
    from kiji.search.results import search_articles

    results.RESULT_SECONDS = 0
    now, engine = timezone.now(), backend()
    texts = [q for q, _ in search_bench.QUERIES] + [q for _, q, *_ in search_eval.QUERIES]
    for text in texts:
        engine.search(plan(parse_query(text)), Filters(), now=now, limit=10, offset=0)
    rows = []
    for text in texts:
        wall, cpu = time.perf_counter(), search_bench.cpu_clock()
        engine.search(plan(parse_query(text)), Filters(), now=now, limit=10, offset=0)
        index = (time.perf_counter() - wall, search_bench.cpu_clock() - cpu)
        wall, cpu = time.perf_counter(), search_bench.cpu_clock()
        search_articles(parse_query(text), now=now)
        rows.append((*index, time.perf_counter() - wall, search_bench.cpu_clock() - cpu, text))
    print(f"{len(texts)} queries; load average {os.getloadavg()[0]:.1f}")
    for i, name in enumerate(("index query wall", "index query CPU", "results page wall", "results page CPU")):
        values = sorted(r[i] * 1000 for r in rows)
        p50, p95 = search_bench._pct([v / 1000 for v in values], 50), search_bench._pct([v / 1000 for v in values], 95)
        print(f"{name:<18} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms")
    if "--cached" in sys.argv:
        results.RESULT_SECONDS = 60
        for text in texts:
            search_articles(parse_query(text), now=now)
        cached = []
        for text in texts:
            wall, cpu = time.perf_counter(), search_bench.cpu_clock()
            search_articles(parse_query(text), now=now)
            cached.append((time.perf_counter() - wall, search_bench.cpu_clock() - cpu))
        for i, name in enumerate(("page, cached wall", "page, cached CPU")):
            values = sorted(r[i] for r in cached)
            p50, p95 = search_bench._pct(values, 50), search_bench._pct(values, 95)
            print(f"{name:<18} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {values[-1] * 1000:6.1f} ms")
    if "-v" in sys.argv:
        for row in sorted(rows, reverse=True)[:10]:
            print(f"{row[0] * 1000:7.1f} ms  {row[4]}")


if __name__ == "__main__":
    main()
