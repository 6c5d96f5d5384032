"""Database writes and reads shared by both backends: batched counts, list snapshots, claims."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from kiji.audience.models import ArticleViewHour, CoRead, ListSnapshot
from kiji.lib.db import pause_for_writers
from kiji.newsroom.models import Article


def tidy_connection() -> None:
    """Drop a stale database connection before using it outside Django's request cycle (the WSGI
    door, the flush thread); never inside a transaction (tests run in one)."""
    if not connection.in_atomic_block:
        close_old_connections()


def persist_counts(counts: Counter, co: Counter) -> None:
    """Add buffered {(article, hour): n} and {(article, other): n} to the tables in one transaction.

    One INSERT .. ON CONFLICT DO UPDATE per batch (SQLite 3.24+ and PostgreSQL): concurrent
    flushers add up instead of overwriting each other.
    """
    ids = {a for a, _ in counts} | {a for pair in co for a in pair}
    existing = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))  # deleted meanwhile
    adapt = connection.ops.adapt_datetimefield_value
    hours = [(a, adapt(datetime.fromtimestamp(h * 3600, tz=UTC)), n) for (a, h), n in counts.items() if a in existing]
    pairs = [(a, b, n) for (a, b), n in co.items() if a in existing and b in existing]
    pairs += [(b, a, n) for a, b, n in pairs]
    with transaction.atomic(), connection.cursor() as cursor:
        if hours:
            cursor.executemany(
                f"INSERT INTO {ArticleViewHour._meta.db_table} (article_id, hour, count) VALUES (%s, %s, %s) "
                "ON CONFLICT (article_id, hour) DO UPDATE SET count = "
                f"{ArticleViewHour._meta.db_table}.count + excluded.count",
                hours,
            )
        if pairs:
            cursor.executemany(
                f"INSERT INTO {CoRead._meta.db_table} (article_id, other_id, count) VALUES (%s, %s, %s) "
                f"ON CONFLICT (article_id, other_id) DO UPDATE SET count = {CoRead._meta.db_table}.count "
                "+ excluded.count",
                pairs,
            )


# View-hour rows older than this are rolled up: longer than every ranking window (7 days) and
# the editors' daily chart (30 days), with a JST day to spare.
KEEP_HOURS_DAYS = 32
ROLLED_UP = datetime(1970, 1, 1, tzinfo=UTC)  # the hour of each article's one row of older views


ROLL_UP_STEP = timedelta(hours=6)  # hours of views folded per transaction


def roll_up_view_hours(now: datetime) -> int:
    """Fold view-hour rows older than KEEP_HOURS_DAYS into one row per article (hour ROLLED_UP), so
    the table holds a month of hours plus one row per article: totals are unchanged, and each run
    reads only the hours that aged since the last (the rolled rows sit below the range read).
    ROLL_UP_STEP hours at a time, each step a transaction of its own: the first run on a site with
    years of views would otherwise hold SQLite's one write lock for the whole fold, and the regular
    scheduler's jobs (publishing) fail with "database is locked". Returns how many rows were folded."""
    cutoff = now - timedelta(days=KEEP_HOURS_DAYS)
    aged = ArticleViewHour.objects.filter(hour__gt=ROLLED_UP, hour__lt=cutoff)
    folded = 0
    while (start := aged.order_by("hour").values_list("hour", flat=True).first()) is not None:
        step = aged.filter(hour__gte=start, hour__lt=min(start + ROLL_UP_STEP, cutoff))
        with transaction.atomic():
            sums = Counter(dict(step.values_list("article").annotate(v=Sum("count")).values_list("article", "v")))
            folded += step.count()
            step.delete()
            persist_counts(Counter({(pk, 0): n for pk, n in sums.items()}), Counter())  # hour 0 = ROLLED_UP
        pause_for_writers()
    return folded


def read_db_list(key: str) -> dict | None:
    return ListSnapshot.objects.filter(key=key).values_list("data", flat=True).first()


def write_db_lists(lists: dict[str, dict]) -> None:
    now = timezone.now()
    with transaction.atomic():
        ListSnapshot.objects.bulk_create(
            [ListSnapshot(key=k, data=v, computed_at=now) for k, v in lists.items()],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["data", "computed_at"],
        )


def claim_in_db(name: str, seconds: int, now: datetime) -> bool:
    """True for exactly one caller per `seconds` (a conditional UPDATE decides, across processes)."""
    key = f"_claim:{name}"
    ListSnapshot.objects.get_or_create(key=key, defaults={"computed_at": now - timedelta(seconds=seconds)})
    return bool(
        ListSnapshot.objects.filter(key=key, computed_at__lte=now - timedelta(seconds=seconds)).update(computed_at=now)
    )
