"""A/B of two versions of kiji/search/backends.py, interleaved query by query in one process.

    DATABASE_URL=... .venv/bin/python bench/search_ab.py NEW_backends.py [OLD_backends.py]

OLD defaults to main's backends.py. On a shared machine the two sides see the same load: each query
runs old, new, old, new, old, new (new first every other query) and the fastest run of each counts,
and also the first (least warm) run. Prints p50/p95/max of CPU time (this process, and on PostgreSQL
its server process too: search_bench.cpu_clock) and wall time, and for how many queries both give
the same top 10; for all queries, then for search_bench.py's 50 (the issue's measure) and
search_eval.py's written ones apart.
"""

import os
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")


def _load(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)  # noqa: S102  (the repository's own file)
    return module


def _pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def main() -> None:
    import django

    django.setup()
    import search_bench
    import search_eval
    from django.db import connection
    from django.utils import timezone

    from kiji.search.expand import plan
    from kiji.search.query import parse_query

    old_source = (
        Path(sys.argv[2]).read_text()
        if len(sys.argv) > 2
        else subprocess.run(
            ["git", "-C", str(ROOT), "show", "main:kiji/search/backends.py"], capture_output=True, text=True, check=True
        ).stdout
    )
    sides = {"old": _load("old", old_source), "new": _load("new", Path(sys.argv[1]).read_text())}
    now = timezone.now()
    texts = [q for q, _ in search_bench.QUERIES] + [q for _, q, *_ in search_eval.QUERIES]
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    firsts: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    same, differ = 0, []
    for i, text in enumerate(texts):
        wanted = plan(parse_query(text))
        best: dict[str, tuple[tuple[float, float], list[int]]] = {}
        order = list(sides.items()) if i % 2 == 0 else list(sides.items())[::-1]  # neither side always warms the other
        for run in range(3):
            for name, module in order:
                cpu, wall = search_bench.cpu_clock(), time.perf_counter()
                ids = module.backend().search(wanted, module.Filters(), now=now, limit=10, offset=0)[0]
                took = (search_bench.cpu_clock() - cpu, time.perf_counter() - wall)
                if run == 0:
                    firsts[name].append(took)
                if name not in best or took < best[name][0]:
                    best[name] = (took, ids)
        same += best["old"][1] == best["new"][1]
        if best["old"][1] != best["new"][1]:
            differ.append(text)
        for name in sides:
            timings[name].append(best[name][0])
    print(f"{len(texts)} queries, load {os.getloadavg()[0]:.1f}; same top 10 in {same}")
    if differ:
        print("other top 10:", " / ".join(differ))
    cpu_of = "CPU (this process + its PostgreSQL server process)" if connection.vendor == "postgresql" else "CPU"
    print(f"CPU: {cpu_of}")
    bench = len(search_bench.QUERIES)
    for part, cut in (
        ("all", slice(None)),
        ("search_bench.py's", slice(None, bench)),
        ("search_eval.py's", slice(bench, None)),
    ):
        print(f"-- {part} {len(texts[cut])} queries --")
        for label, table in (("first run", firsts), ("min-of-3", timings)):
            for name, every in table.items():
                rows = every[cut]
                cpu, wall = [r[0] for r in rows], [r[1] for r in rows]
                print(
                    f"{name}: {label} CPU p50 {_pct(cpu, 50):5.1f} p95 {_pct(cpu, 95):5.1f} max {max(cpu) * 1000:6.1f} ms"
                    f" | wall p50 {_pct(wall, 50):5.1f} p95 {_pct(wall, 95):5.1f} max {max(wall) * 1000:6.1f} ms"
                )


if __name__ == "__main__":
    main()
