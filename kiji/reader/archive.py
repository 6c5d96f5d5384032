"""The date archive's reads (記事アーカイブ): which years and months hold published articles, and a month's articles.

Every read is a range of the index article_status_time (status, published_at), bounded by JST
years and months: a month's page walks that month's entries, a year's counts that year's, and the
list of years seeks once per year; none grows with the rest of the archive (740,000 articles).
"""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kiji.lib.dates import ARCHIVE_YEARS, JST, month_bounds, to_jst, year_bounds
from kiji.newsroom.models import Article


def years(now: datetime | None = None) -> list[int]:
    """The years holding a published article, newest first: one index seek per year (a skip scan), never a
    count of the whole archive, so the list costs (years + 1) tiny queries however many articles there are."""
    published = Article.objects.published(now).order_by("published_at").values_list("published_at", flat=True)
    found: list[int] = []
    start = None
    while True:
        first = (published.filter(published_at__gte=start) if start else published).first()
        if first is None:
            break
        year = to_jst(first).year
        found.append(year)
        if year + 1 not in ARCHIVE_YEARS:
            break
        start = datetime(year + 1, 1, 1, tzinfo=JST)
    return found[::-1]


def month_counts(year: int, now: datetime | None = None) -> list[tuple[int, int]]:
    """(month, published articles) of a JST year, newest month first, months without any left out.
    One query: the year's range of the index, counted twelve ways (ValueError outside ARCHIVE_YEARS)."""
    start, end = year_bounds(year)
    bounds = [month_bounds(year, month) for month in range(1, 13)]
    counts = (
        Article.objects.published(now)
        .filter(published_at__gte=start, published_at__lt=end)
        .aggregate(
            **{
                f"m{month}": Count("published_at", filter=Q(published_at__gte=low, published_at__lt=high))
                for month, (low, high) in enumerate(bounds, start=1)
            }
        )
    )
    return [(month, counts[f"m{month}"]) for month in range(12, 0, -1) if counts[f"m{month}"]]


def month_articles(year: int, month: int, now: datetime | None = None) -> QuerySet:
    """A JST month's published articles, newest first (ValueError if there is no such month)."""
    start, end = month_bounds(year, month)
    return (
        Article.objects.published(now or timezone.now())
        .filter(published_at__gte=start, published_at__lt=end)
        .latest_first()
    )
