"""The jobs of issue 15's table on one database, timed in-process: how each grows with the archive.

    DATABASE_URL=sqlite:////tmp/kiji-perf3/x10.sqlite3 .venv/bin/python bench/scale_jobs.py --copies 10 --build
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiji_perf3_10x .venv/bin/python bench/scale_jobs.py --copies 10

--build makes the database first: the livedoor corpus copied `copies` times (each copy under its own
source URLs, as bench/import_memory.py does), `kiji import-ldcc` in a fresh process (its wall time and
peak RSS are the first row; the search index and also-read lists that follow an import are left out:
bench/search_bench.py and bench/similar_rebuild.py measure them), then synthetic view hours: a month
of traffic, VIEWED_PER_HOUR * copies articles an hour (379,000 rows at 10x, as in the issue).
Without --build the database is reused as it is (the lead can re-run the timings on a quiet machine).

Every other row is the median of --repeat runs (CPU = this process's user + system time; wall
includes the database server's time, which CPU does not on PostgreSQL). Pages go through the test
client with the page cache off (KIJI_PAGECACHE=false), so middleware and templates are counted.
"""

import argparse
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
VIEWED_PER_HOUR = 53  # articles viewed in an hour at 1x: 53 * 720 hours = 38,000 rows, 379,000 at 10x
CATEGORY_PAGE = 300
PROGRESS_EVERY = 50_000  # files between two progress lines of the import child


def build(copies: int, work: Path) -> str:
    """Import the corpus `copies` times in a child process; returns its figure line."""
    from import_memory import make_copies

    start = time.perf_counter()
    archive = make_copies(copies, work)
    print(
        f"archive of {copies} copies: {archive.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    try:
        # stderr is passed through: the child's progress lines (every PROGRESS_EVERY files) and any traceback
        result = subprocess.run(
            [sys.executable, __file__, "--import-child", str(archive)], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
    finally:
        archive.unlink()
    if result.returncode:
        sys.exit(f"the import failed (exit {result.returncode}): see its traceback above")
    return result.stdout.strip().splitlines()[-1]


def import_child(archive: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from kiji.newsroom.management.commands.import_ldcc import Command as ImportLdcc
    from kiji.newsroom.signals import articles_imported

    call_command("migrate", verbosity=0)
    articles_imported.receivers = []  # the search index and also-read lists: measured elsewhere
    articles_imported.sender_receivers_cache.clear()
    start, cpu = time.perf_counter(), time.process_time()
    out = io.StringIO()
    command = ImportLdcc()
    done = 0

    def advance(count: int) -> None:  # the command's progress bar hook: a line on stderr now and then
        nonlocal done
        done += count
        if done % PROGRESS_EVERY == 0:
            print(
                f"progress: {done:,} files, {time.perf_counter() - start:.0f} s wall, "
                f"{time.process_time() - cpu:.0f} s CPU, RSS {current_rss_mb():.0f} MB, load {os.getloadavg()[0]:.1f}",
                file=sys.stderr,
                flush=True,
            )

    command.advance = advance
    call_command(command, archive, "--skip-bad", stdout=out)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{out.getvalue().strip().splitlines()[-1]} | {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MB")


def current_rss_mb() -> float:
    """This process's resident set now (ru_maxrss is only the peak)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def add_view_hours(copies: int) -> int:
    """A month of hourly views ending now, as the beacon's flush would have written them."""
    from django.utils import timezone

    from kiji.audience.backends import hour_of, utc_hour
    from kiji.audience.models import ArticleViewHour
    from kiji.newsroom.models import Article

    ArticleViewHour.objects.all().delete()
    ids = list(Article.objects.published().values_list("pk", flat=True))
    rng = random.Random(15)
    current = hour_of(timezone.now())
    rows = []
    for back in range(720):
        hour = utc_hour(current - back)
        for pk in rng.sample(ids, min(len(ids), VIEWED_PER_HOUR * copies)):
            rows.append(ArticleViewHour(article_id=pk, hour=hour, count=rng.randint(1, 200)))
        if len(rows) >= 20000:
            ArticleViewHour.objects.bulk_create(rows, batch_size=5000)
            rows = []
    ArticleViewHour.objects.bulk_create(rows, batch_size=5000)
    return ArticleViewHour.objects.count()


def timed(job, repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `repeat` runs (after one warm-up)."""
    job()
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        job()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def forget_statistics() -> None:
    """The planner's state right after a bulk load: no ANALYZE figures."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
            for (table,) in cursor.fetchall():
                cursor.execute(f"DELETE FROM {table}")
        else:  # needs a superuser (the benchmark's postgres role); autovacuum may analyze again later
            cursor.execute(
                "DELETE FROM pg_statistic WHERE starelid IN (SELECT oid FROM pg_class WHERE relname LIKE 'newsroom_%'"
                " OR relname LIKE 'audience_%')"
            )
    connection.close()  # SQLite reads its statistics when a connection opens


def measure(
    repeat: int, import_line: str | None, view_hours: int | None, only: list[str] | None = None
) -> list[tuple[str, str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from kiji.audience import lists
    from kiji.audience.models import ArticleViewHour
    from kiji.lib.db import refresh_statistics
    from kiji.newsroom import jobs
    from kiji.newsroom.models import Article, Category

    setup_test_environment()
    client = Client()
    articles = Article.objects.published().count()
    rows = view_hours if view_hours is not None else ArticleViewHour.objects.count()
    # The article page: a mid-archive article, so neither end of an index flatters it.
    article = Article.objects.published().order_by("pk")[articles // 2]
    # The deepest category with a page 300 (the deep page), else its last page.
    category = max(Category.objects.all(), key=lambda c: Article.objects.published().filter(category=c).count())
    in_category = Article.objects.published().filter(category=category).count()
    page = min(CATEGORY_PAGE, max(1, -(-in_category // 20)))

    def get(url):
        def job():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return job

    figures = []
    if import_line:
        figures.append(("`kiji import-ldcc` (wall / CPU / peak RSS)", import_line.split("|", 1)[1].strip()))

    def add(label, job):
        if only and not any(word in label for word in only):
            return
        wall, cpu = timed(job, repeat)
        figures.append((label, f"{wall:.1f} ms wall, {cpu:.1f} ms CPU"))

    if not only:  # --only leaves the planner's statistics as they are
        forget_statistics()
        add("article page, uncached, before ANALYZE", get(article.get_absolute_url()))
        start = time.perf_counter()
        refresh_statistics()
        elapsed = (time.perf_counter() - start) * 1000
        figures.append(("ANALYZE (kiji.lib.db.refresh_statistics)", f"{elapsed:.0f} ms wall"))
        connection.close()
    add("article page, uncached, after ANALYZE", get(article.get_absolute_url()))
    add(
        f"category page {page} ({category.slug}, {in_category:,} articles)",
        get(f"{category.get_absolute_url()}?page={page}"),
    )
    add("home page, uncached", get("/"))
    add("sitemap index", get("/sitemap.xml"))
    pages = client.get("/sitemap.xml").content.decode().count("sitemap-articles.xml")
    add(f"sitemap of articles, its last page ({pages})", get(f"/sitemap-articles.xml?p={pages}"))
    add("scheduler: publish_due (nothing due)", jobs.publish_due)
    now = timezone.now()
    add(f"1-hour ranking (reads the last hour of {rows:,} view-hour rows)", lambda: lists._views(lists._since(now, 1)))
    add("scheduler: all lists (rankings, trending, recommended)", lambda: lists.compute_lists(now))
    print(f"database: {connection.vendor}, {articles:,} published articles, {rows:,} view-hour rows")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1, help="how many copies of the corpus the database holds")
    parser.add_argument("--build", action="store_true", help="import the copies and add view hours first")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", help="comma-separated words: time only the jobs whose label holds one (no ANALYZE)")
    parser.add_argument("--import-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    os.environ["KIJI_PAGECACHE"] = "false"
    # Plain static URLs, as the tests have them: the pages render without a collectstatic manifest in
    # KIJI_VAR_DIR (a database built here has none: the 100x run stopped at its first page for want of it).
    os.environ.setdefault("KIJI_TEST_STATIC", "plain")
    for name in ("REDIS_URL", "KIJI_AUDIENCE_REDIS_URL"):  # the database backend: lists in ListSnapshot
        os.environ.pop(name, None)
    if args.import_child:
        return import_child(args.import_child)
    import_line = view_hours = None
    if args.build:
        with tempfile.TemporaryDirectory(prefix="kiji-scale-jobs-") as work:
            import_line = build(args.copies, Path(work))
        print(f"import: {import_line}")
    import django

    django.setup()
    if args.build:
        view_hours = add_view_hours(args.copies)
    load = os.getloadavg()
    figures = measure(args.repeat, import_line, view_hours, args.only.split(",") if args.only else None)
    print(
        f"copies: {args.copies}, median of {args.repeat}, load average {load[0]:.1f} before / {os.getloadavg()[0]:.1f} after"
    )
    print("| job | figure |\n|---|---|")
    for label, figure in figures:
        print(f"| {label} | {figure} |")


if __name__ == "__main__":
    main()
