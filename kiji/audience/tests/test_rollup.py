"""View hours older than a month fold into one row per article: totals, charts and rankings unchanged."""

from kiji.audience import analytics, lists
from kiji.audience.jobs import roll_up
from kiji.audience.models import ArticleViewHour
from kiji.audience.tests.base import AudienceTestCase


class RollUpTests(AudienceTestCase):
    def test_old_hours_fold_into_one_row_and_nothing_a_reader_or_editor_sees_changes(self):
        article = self.make_article(headline="長く読まれる記事")
        for days in (40, 35, 33, 20, 3, 0):
            self.add_views(article, 10 + days, hours_ago=24 * days)
            self.add_views(article, 1, hours_ago=24 * days + 1)
        lists.compute_lists()
        before = (lists.total_views(article.pk), analytics.daily_totals(), lists.ranking(None, window="7d"))
        self.assertEqual(roll_up(), 6)  # three days' two hours each, older than 32 days
        self.assertEqual(ArticleViewHour.objects.filter(article=article).count(), 7)  # 6 recent hours + 1 rolled
        lists.compute_lists()
        after = (lists.total_views(article.pk), analytics.daily_totals(), lists.ranking(None, window="7d"))
        self.assertEqual(after, before)

    def test_a_second_run_folds_only_what_aged_since(self):
        article = self.make_article()
        self.add_views(article, 5, hours_ago=24 * 40)
        roll_up()
        self.move(hours=2)
        self.assertEqual(roll_up(), 0)  # nothing aged since
        self.add_views(article, 7, hours_ago=24 * 33)
        self.move(hours=1)
        self.assertEqual(roll_up(), 1)
        self.assertEqual(lists.total_views(article.pk), 12)
