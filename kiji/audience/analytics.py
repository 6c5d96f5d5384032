"""Read functions for the editors' analytics pages (admin only: these query the tables live)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from kiji.audience.backends import hour_of, utc_hour
from kiji.audience.lists import WINDOWS, _since, _views
from kiji.audience.models import ArticleViewHour, PartnerViewDay
from kiji.newsroom.models import Article


def _days(now: datetime, days: int) -> list:
    today = timezone.localdate(now)
    return [today - timedelta(days=d) for d in range(days - 1, -1, -1)]


def daily_totals(*, now: datetime | None = None, days: int = 30, article_id: int | None = None) -> list[tuple]:
    """[(JST date, views)] for the last `days` days, oldest first, days without views included."""
    now = now or timezone.now()
    dates = _days(now, days)
    start = timezone.make_aware(datetime.combine(dates[0], datetime.min.time()))
    rows = ArticleViewHour.objects.filter(hour__gte=start)
    if article_id is not None:
        rows = rows.filter(article_id=article_id)
    by_day = defaultdict(int)
    for hour, views in rows.values_list("hour").annotate(v=Sum("count")).values_list("hour", "v"):
        by_day[timezone.localdate(hour)] += views
    return [(d, by_day.get(d, 0)) for d in dates]


def hourly(article_id: int, *, now: datetime | None = None, hours: int = 48) -> list[tuple[datetime, int]]:
    """[(hour start, views)] of one article for the last `hours` hours, oldest first."""
    current = hour_of(now or timezone.now())
    found = dict(
        ArticleViewHour.objects.filter(article_id=article_id, hour__gte=utc_hour(current - hours + 1)).values_list(
            "hour", "count"
        )
    )
    return [(utc_hour(h), found.get(utc_hour(h), 0)) for h in range(current - hours + 1, current + 1)]


def rank_of(article: Article, *, window: str = "24h", now: datetime | None = None) -> dict:
    """Where the article ranks now among published articles, overall and in its category."""
    views = _views(_since(now or timezone.now(), WINDOWS[window]))
    own = views.get(article.pk, 0)
    published = dict(Article.objects.published().values_list("pk", "category_id"))
    ahead = [pk for pk, v in views.items() if v > own and pk in published]
    return {
        "window": window,
        "views": own,
        "overall": len(ahead) + 1 if own else None,
        "category": len([pk for pk in ahead if published[pk] == article.category_id]) + 1 if own else None,
    }


def partner_view_totals(*, now: datetime | None = None, days: int = 7) -> dict[int, int]:
    """{partner id: views through its app} over the last `days` JST days, today included."""
    now = now or timezone.now()
    since = _days(now, days)[0]
    rows = PartnerViewDay.objects.filter(day__gte=since).values("partner_id").annotate(v=Sum("count"))
    return {row["partner_id"]: row["v"] for row in rows}
