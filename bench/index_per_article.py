"""What one published or edited article costs as the archive grows, outside the similarity model:
its search indexing (kiji.search.services.sync_article: Sudachi, the FTS5 rows or the tsvector, the
vocabulary's new words) and the also-read round's reads of the database (the articles changed since
the last round; the published metadata of the lists it writes).

    .venv/bin/python bench/index_per_article.py DATABASE_URL [--count 20] [--vocabulary]

It writes to the database (articles re-indexed, their rows come back the same; migrations applied):
pass a copy. Before migration newsroom 0008 is applied it first times the round's reads as main did
them (an OR over modified_at and published_at; the metadata of every published article), then
migrates and times the new ones. --vocabulary: also the periodic vocabulary recount's pass over the
index (search.vocabulary, every 6 hours). Medians; CPU is this process's (the database server's is in
the wall time only, for PostgreSQL).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(function, repeat: int = 5) -> tuple[float, float]:
    """Median (CPU ms, wall ms) of `repeat` calls."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        function()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def old_round_reads(now, since):
    from django.db.models import Q

    from kiji.audience import lists
    from kiji.newsroom.models import Article

    def changed():  # main's query: an OR over the two columns
        rows = Article.objects.published(now).filter(Q(modified_at__gte=since) | Q(published_at__gte=since))
        return list(rows.values_list("pk", flat=True)[:2000])

    return {
        "changed since the last round": timed(changed),
        "published metadata": timed(lambda: lists._published_meta(now)),
    }


def new_round_reads(now, since, pk):
    from kiji.audience import lists

    ids = set(range(pk - 400, pk + 40, 11)) | {pk}  # about as many as one article's list and its neighbours' name
    return {
        "changed since the last round": timed(lambda: lists._changed_since(since, now)),
        "published metadata": timed(lambda: lists._published_meta(now, ids=ids)),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--vocabulary", action="store_true")
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=args.database_url, KIJI_AUDIENCE_REDIS_URL="", KIJI_LOG_LEVEL="ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db.migrations.recorder import MigrationRecorder
    from django.utils import timezone

    from kiji.audience import lists
    from kiji.newsroom.models import Article
    from kiji.search import services
    from kiji.search.models import SearchDocument

    print(f"index_per_article: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()}")
    applied = MigrationRecorder.Migration.objects.filter(app="newsroom", name__startswith="0008").exists()
    now = timezone.now()
    since = now - timedelta(seconds=15)
    reads = {}
    if not applied:
        reads["main"] = old_round_reads(now, since)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"  migrate (this code's migrations): {time.perf_counter() - started:.1f} s wall")
    ids = list(SearchDocument.objects.order_by("article_id").values_list("article_id", flat=True))
    sample = ids[:: max(1, len(ids) // args.count)][: args.count]
    if hasattr(lists, "_changed_since"):  # not in main's code
        reads["now"] = new_round_reads(now, since, ids[len(ids) // 2])
    print(f"  {len(ids):,} indexed articles, {Article.objects.count():,} articles; load {os.getloadavg()[0]:.1f}")
    for label, found in reads.items():
        for what, (cpu, wall) in found.items():
            print(f"  also-read round, {what} ({label}): {cpu:.1f} ms CPU, {wall:.1f} ms wall")
    articles = {a.pk: a for a in Article.objects.filter(pk__in=sample).prefetch_related("tags")}
    document = [timed(lambda a=articles[pk]: services.build_document(a), 1) for pk in sample]
    edited = [timed(lambda pk=pk: services.sync_article(pk), 1) for pk in sample]
    published = []
    for pk in sample:  # as if published now: its index row is not there yet
        SearchDocument.objects.filter(article_id=pk).delete()
        published.append(timed(lambda pk=pk: services.sync_article(pk), 1))
    for label, runs in (("published (not in the index yet)", published), ("edited (re-indexed)", edited)):
        print(
            f"  one article {label}, sync_article, median of {len(sample)}: "
            f"{statistics.median(c for c, _ in runs):.1f} ms CPU, {statistics.median(w for _, w in runs):.1f} ms wall"
        )
    print(
        f"     of which its Sudachi text (build_document) {statistics.median(c for c, _ in document):.1f} ms CPU; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if args.vocabulary:
        cpu, wall = timed(services._document_counts, 1)
        print(
            f"  vocabulary recount's pass over the index (every 6 h): {cpu / 1000:.1f} s CPU, {wall / 1000:.1f} s wall"
        )


if __name__ == "__main__":
    main()
