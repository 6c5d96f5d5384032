"""The date archive (/archive/, /archive/YYYY/, /archive/YYYY/MM/?page=N) on a synthetic archive of N articles.

    DATABASE_URL=sqlite:////tmp/kiji-tidy/archive.sqlite3 .venv/bin/python bench/archive_pages.py --build 740000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiji_tidy_bench .venv/bin/python bench/archive_pages.py --build 740000

--build migrates and fills the database (one article copied N times by SQL, spread evenly over
2005-01 to 2026-10 JST: about 2,800 a month); without it the pages are timed on what is there. Each
page through the test client with the page cache off, median of 7: wall and this process's CPU, the
queries it ran, and the plan of its slowest query.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")

PAGES = ["/archive/", "/archive/2015/", "/archive/2015/06/", "/archive/2015/06/?page=100", "/archive/2026/10/"]


def build(count: int) -> None:
    from datetime import datetime

    from django.core.management import call_command
    from django.db import connection

    from kiji.lib.dates import JST
    from kiji.newsroom.models import Article, Category

    call_command("migrate", verbosity=0)
    category, _ = Category.objects.get_or_create(slug="archive-bench", defaults={"name": "アーカイブ"})
    seed = Article.objects.create(
        headline="アーカイブの記事",
        body="<p>本文</p>",
        category=category,
        status=Article.Status.PUBLISHED,
        published_at=datetime(2005, 1, 1, tzinfo=JST),
    )
    start = datetime(2005, 1, 1, tzinfo=JST).timestamp()
    span = datetime(2026, 11, 1, tzinfo=JST).timestamp() - start
    columns = [f.column for f in Article._meta.concrete_fields if f.column not in ("id", "published_at", "slug")]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "sqlite":
        when = f"datetime({start} + n * {span / count}, 'unixepoch')"
        series = (
            f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count - 1}) SELECT n FROM s"
        )
    else:
        when = f"to_timestamp({start} + n * {span / count})"
        series = f"SELECT n FROM generate_series(1, {count - 1}) AS n"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO newsroom_article (published_at, slug, {names}) "
            f"SELECT {when}, 'a' || n, {names} FROM newsroom_article, ({series}) AS s WHERE id = %s",
            [seed.pk],
        )
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE newsroom_article")


def plan(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "; ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql)
        return "; ".join(row[0].strip() for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", type=int, default=0, help="fill the database with this many articles first")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    if args.build:
        started = time.perf_counter()
        build(args.build)
        print(f"built {args.build} articles in {time.perf_counter() - started:.1f} s")
    setup_test_environment()
    settings.KIJI_PAGECACHE = False
    settings.ALLOWED_HOSTS = ["*"]
    # plain static URLs, as the tests have them: no collectstatic manifest needed
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from kiji.newsroom.models import Article

    print(f"{connection.vendor}, {Article.objects.count()} articles, load average {os.getloadavg()[0]:.1f}")
    client = Client()
    for url in PAGES:
        assert client.get(url).status_code == 200, url
        walls, cpus = [], []
        for _ in range(7):
            wall, cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        print(
            f"{url}: wall {statistics.median(walls):.1f} ms, CPU {statistics.median(cpus):.1f} ms, "
            f"{len(queries.captured_queries)} queries; slowest {float(slowest['time']) * 1000:.1f} ms: {plan(slowest['sql'])}"
        )


if __name__ == "__main__":
    main()
