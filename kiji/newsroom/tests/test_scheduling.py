"""Scheduled articles go live at their time with nobody acting, exactly once."""

import threading
from datetime import timedelta
from io import StringIO
from unittest import skipUnless

import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from kiji.newsroom.models import Article, Category, Revision
from kiji.newsroom.services.publishing import publish_due_articles
from kiji.newsroom.signals import article_changed
from kiji.newsroom.tests.base import AdminTestCase
from kiji.ops import scheduler

Status = Article.Status


class SchedulingTests(AdminTestCase):
    def schedule(self, minutes: int = 5) -> Article:
        """An editor schedules a reviewed article through the admin's 予約公開 button."""
        article = self.make_article(headline="午後に解禁の記事", status=Status.REVIEW, published_at=None)
        self.client.force_login(self.editor)
        when = timezone.now().replace(microsecond=0) + timedelta(minutes=minutes)
        self.client.post(
            self.change_url(article), {**self.form_data(article, published_at=when), "_schedule": "予約公開"}
        )
        self.client.logout()
        article.refresh_from_db()
        self.assertEqual(article.status, Status.SCHEDULED)
        return article

    def test_it_hides_a_scheduled_article_until_the_command_publishes_it_after_its_time(self):
        article = self.schedule()
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        out = StringIO()
        call_command("publish_due", stdout=out)  # too early: nothing to do
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        with time_machine.travel(article.published_at + timedelta(seconds=30)):
            call_command("publish_due", stdout=out)
            self.assertContains(self.client.get(article.get_absolute_url()), "午後に解禁の記事")
        self.assertIn("1", out.getvalue().splitlines()[-1])

    def test_it_is_published_by_the_schedulers_jobs_after_its_time(self):
        article = self.schedule(minutes=10)
        with time_machine.travel(article.published_at - timedelta(seconds=1)):
            scheduler.run_due_jobs()
            self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        with time_machine.travel(article.published_at + timedelta(seconds=15)):
            scheduler.run_due_jobs()
            self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
        article.refresh_from_db()
        self.assertEqual(article.status, Status.PUBLISHED)
        self.assertEqual(article.revisions.first().note, "予約時刻に自動で公開しました")

    def test_it_publishes_once_when_called_twice(self):
        article = self.schedule()
        with time_machine.travel(article.published_at + timedelta(minutes=1)):
            self.assertEqual(publish_due_articles(), 1)
            self.assertEqual(publish_due_articles(), 0)
        self.assertEqual(article.revisions.filter(created_by=None).count(), 1)

    def test_it_shows_the_scheduled_time_on_the_change_form(self):
        article = self.schedule()
        self.client.force_login(self.editor)
        response = self.client.get(self.change_url(article))
        self.assertContains(response, "予約公開 " + timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M"))


@skipUnless(connection.vendor == "postgresql", "two claims racing need PostgreSQL's row locks and real connections")
class RacingSchedulersTests(TransactionTestCase):
    def test_it_publishes_exactly_once_when_two_schedulers_race(self):
        category = Category.objects.create(name="政治", slug="politics")
        due = timezone.now() - timedelta(seconds=5)
        articles = [
            Article.objects.create(
                headline=f"同時に公開 {i}", category=category, status=Status.SCHEDULED, published_at=due
            )
            for i in range(20)
        ]
        heard = []
        listener = lambda sender, article, deleted=False, **kw: heard.append(article.pk)  # noqa: E731
        article_changed.connect(listener)
        barrier = threading.Barrier(2)
        counts = []

        def run():
            try:
                barrier.wait()
                counts.append(publish_due_articles())
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        finally:
            article_changed.disconnect(listener)
        self.assertEqual(sum(counts), len(articles))
        self.assertEqual(Article.objects.filter(status=Status.PUBLISHED).count(), len(articles))
        self.assertEqual(Revision.objects.filter(created_by=None).count(), len(articles))
        self.assertEqual(sorted(heard), sorted(a.pk for a in articles))
