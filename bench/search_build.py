"""Build the 10x search database once and keep it, so that latency can be measured again later.

    DATABASE_URL=sqlite:////tmp/kiji-search3/10x.sqlite3 .venv/bin/python bench/search_build.py [--copies 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiji_search3_10x .venv/bin/python bench/search_build.py

The database must be empty (a new SQLite file, or a PostgreSQL database just created). Loads the
livedoor corpus with search_bench.py's loader (the importer of `kiji import-ldcc`, whose signal
indexes), copies every article and index row 9 times with new ids (73,670 articles; --copies N: N - 1
times, 736,700 articles at 100), counts the
vocabulary (the search.vocabulary job), runs ANALYZE
(and FTS5 optimize on SQLite) and prints the index's size. Then measure with bench/search_latency.py.
"""

import argparse
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10, help="copies of the corpus, the first one included")
    parser.add_argument("--resume", action="store_true", help="the database holds a load (and copies): add the rest")
    parser.add_argument("--minutes", type=float, help="stop copying after this long (the copies made are kept)")
    args = parser.parse_args()
    import django

    django.setup()
    import search_bench
    import search_eval  # noqa: F401  (finds the corpus from a worktree too)
    from django.core.management import call_command

    from kiji.newsroom.models import Article
    from kiji.search.services import refresh_vocabulary

    call_command("migrate", verbosity=0)
    first = 1
    if args.resume:
        first = Article.objects.order_by("-pk").values_list("pk", flat=True)[0] // search_bench.ID_STRIDE + 1
    elif Article.objects.exists():
        sys.exit("the database already holds articles: give a new one (or --resume)")
    else:
        start = time.perf_counter()
        created = search_bench.load_corpus()
        print(f"loaded and indexed {created} articles in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    search_bench.COPIES = args.copies
    held = search_bench.copy_corpus(first, until=start + args.minutes * 60 if args.minutes else None)
    print(f"copies {first + 1}-{held} made in {time.perf_counter() - start:.1f} s", flush=True)
    refresh_vocabulary()  # the importer adds words with a count of 1: the job's counts, as a live site has
    search_bench._analyze()
    print(f"{held}x copy: {Article.objects.count()} articles in {time.perf_counter() - start:.1f} s")
    print(index_size())


def index_size() -> str:
    """The index's size on disk: the FTS5 table's shadow tables, or the tsvector table and its indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search_%' GROUP BY name ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT relname || CASE relkind WHEN 'r' THEN ' (with its indexes and TOAST)' ELSE '' END,"
                " CASE relkind WHEN 'r' THEN pg_total_relation_size(oid) ELSE pg_relation_size(oid) END"
                " FROM pg_class WHERE relname LIKE 'search_%' AND relkind IN ('r', 'i') ORDER BY relname"
            )
        rows = cursor.fetchall()
    return "index size: " + ", ".join(f"{name} {size / 2**20:.1f} MB" for name, size in rows)


if __name__ == "__main__":
    main()
