"""The slow scheduler process writes in short transactions. On SQLite a write transaction holds the one
write lock: the regular process's jobs (publishing among them) wait behind it and fail with "database is
locked" once busy_timeout passes, so no slow job may hold it for a whole pass over the archive."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock, skipUnless

import time_machine
from django.db import connection, transaction
from django.test import TransactionTestCase

from kiji.audience import store
from kiji.audience.models import ArticleViewHour
from kiji.lib.db import pause_for_writers
from kiji.newsroom.models import Article, Category
from kiji.search import services
from kiji.search.models import Term

NOW = datetime(2026, 11, 30, 1, 20, tzinfo=UTC)


@contextmanager
def transactions():
    """The statements run inside each outermost transaction, one list per transaction, in order."""
    found: list[tuple[object, list[str]]] = []

    def record(execute, sql, params, many, context):
        if connection.in_atomic_block:
            block = connection.atomic_blocks[0]
            if not found or found[-1][0] is not block:
                found.append((block, []))
            found[-1][1].append(sql)
        return execute(sql, params, many, context)

    statements: list[list[str]] = []
    with connection.execute_wrapper(record):
        yield statements
    statements.extend(sql for _, sql in found)


@mock.patch("kiji.lib.db.BATCH_PAUSE", 0)  # the pause between batches, asserted below
class SlowJobWritesTests(TransactionTestCase):
    def test_a_pass_pauses_between_batches_on_sqlite_so_waiting_writers_get_the_lock(self):
        with mock.patch("kiji.lib.db.time.sleep") as sleep, mock.patch("kiji.lib.db.BATCH_PAUSE", 0.1):
            pause_for_writers()
            with transaction.atomic():
                pause_for_writers()  # never while the lock is held
        self.assertEqual(sleep.call_count, 1 if connection.vendor == "sqlite" else 0)

    @skipUnless(connection.vendor == "sqlite", "SQLite's lock")
    def test_a_write_waits_ten_seconds_for_the_lock_before_it_fails(self):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            self.assertEqual(cursor.fetchone()[0], 10000)

    def setUp(self):
        self.enterContext(time_machine.travel(NOW, tick=False))
        self.category = Category.objects.create(name="政治", slug="politics", position=1)

    def article(self, headline: str, body: str = "") -> Article:
        return Article.objects.create(
            headline=headline,
            body=f"<p>{body or headline}</p>",
            category=self.category,
            status=Article.Status.PUBLISHED,
            published_at=NOW - timedelta(days=60),
        )

    def test_the_roll_up_folds_old_views_a_few_hours_per_transaction(self):
        articles = [self.article(f"記事{n}") for n in range(3)]
        rows = [
            ArticleViewHour(article=a, hour=NOW.replace(minute=0) - timedelta(days=days, hours=h), count=2)
            for a in articles
            for days in (33, 35, 40)
            for h in range(0, 24, 3)
        ]
        ArticleViewHour.objects.bulk_create(rows)
        with transactions() as statements:
            self.assertEqual(store.roll_up_view_hours(NOW), len(rows))
        # Three days of eight hours each, ROLL_UP_STEP (6 hours) a transaction: 4 steps a day.
        self.assertEqual(len(statements), 12)
        for article in articles:  # every view kept, in the article's one rolled-up row
            self.assertEqual(
                list(ArticleViewHour.objects.filter(article=article).values_list("hour", "count")),
                [(store.ROLLED_UP, 48)],
            )

    def test_the_vocabulary_pass_reads_words_outside_transactions_and_writes_in_batches(self):
        for n in range(4):
            self.article(f"国会{n}の予算審議", "衆議院本会議で来年度予算案が賛成多数で可決された。参議院へ送られる。")
        services.index_articles(Article.objects.values_list("pk", flat=True))
        Term.objects.filter(pk__in=Term.objects.order_by("pk").values("pk")[:5]).delete()  # new words again
        Term.objects.update(documents=99)  # and every count wrong
        in_transaction = []
        read = services.query_words

        def query_words(text):
            in_transaction.append(connection.in_atomic_block)
            return read(text)

        with (
            mock.patch.object(services, "query_words", query_words),
            mock.patch.object(services, "BATCH_SIZE", 2),
            transactions() as statements,
        ):
            updated, added, removed = services.refresh_vocabulary()
        self.assertEqual(added, 5)
        self.assertEqual(in_transaction, [False] * 5)  # Sudachi never runs while the write lock is held
        self.assertGreater(updated, 4)
        # Every transaction writes one batch: one statement of at most 2 words (and their synonym links).
        self.assertGreaterEqual(len(statements), -(-updated // 2) + -(-added // 2))
        for sql in statements:
            words = [s for s in sql if s.lstrip().upper().startswith(("INSERT", "UPDATE")) and '"search_term" ' in s]
            self.assertLessEqual(len(words), 1)
        counts = services._document_counts()
        self.assertEqual(dict(Term.objects.values_list("term", "documents")), counts)
