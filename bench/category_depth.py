"""A deep category page's listing: the old query (an OR over a join, whole rows sorted) against the new
(the page's ids from article_category_listing, then 20 rows), with both plans.

    KIJI_VAR_DIR=/tmp/kiji-perf3 DATABASE_URL=postgres://postgres@127.0.0.1:5432/kiji_perf3_10x \
        .venv/bin/python bench/category_depth.py [--category sports-watch] [--page 300]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")


def median_ms(job, repeat: int = 7) -> float:
    job()
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        walls.append((time.perf_counter() - start) * 1000)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--category", default="sports-watch")
    parser.add_argument("--page", type=int, default=300)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Q

    from kiji.newsroom.models import Article, Category

    category = Category.objects.get(slug=args.category)
    low, high = (args.page - 1) * 20, args.page * 20
    published = Article.objects.published()
    old = published.filter(Q(category=category) | Q(category__parent=category)).for_cards().latest_first()[low:high]
    in_category = [category.pk, *category.children.values_list("pk", flat=True)]
    ids = published.filter(category_id__in=in_category).latest_first().values_list("pk", flat=True)[low:high]

    def new():
        return list(Article.objects.filter(pk__in=list(ids.all())).for_cards())

    count = published.filter(category=category).count()
    print(f"{connection.vendor}: {count:,} articles in {args.category}, load average {os.getloadavg()[0]:.1f}")
    print(f"old query, page {args.page}: {median_ms(lambda: list(old.all())):.1f} ms median of 7")
    print(f"new ids + rows, page {args.page}: {median_ms(new):.1f} ms median of 7")
    for label, queryset in (("old", old), ("new ids", ids)):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                print(label, [row[-1] for row in cursor.fetchall()])
            else:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
                print(label, *(f"   {row[0]}" for row in cursor.fetchall()), sep="\n")


if __name__ == "__main__":
    main()
