"""Deep category pages: page 300 of a large archive walks an index in the page's order, never a sort of
every row of the category (issue 15: 9,000 whole rows sorted, 41 ms on PostgreSQL at 10x)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiji.newsroom.models import Category
from kiji.testing import NewsroomTestCase


def _plan(sql: str) -> str:
    """The query plan as text; PostgreSQL is told to avoid what a tiny test table would make cheap (a scan,
    or another index and a sort of its one estimated row): the plan then shows whether an index serves
    the page's order at all, as it must for 9,000 rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


class DeepCategoryPageTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        start = timezone.now() - timedelta(hours=1)
        cls.articles = [
            cls.make_article(headline=f"政治ニュース第{i}報", published_at=start - timedelta(minutes=i))
            for i in range(1, 46)
        ]  # three pages of 20
        cls.news = Category.objects.create(name="ニュース", slug="news")
        cls.politics.parent = cls.news
        cls.politics.save()
        # Two articles published at the same minute: the page order then follows the id, newest first.
        cls.same_time = [
            cls.make_article(headline=f"同時刻の記事{i}", category=cls.news, published_at=start - timedelta(minutes=30))
            for i in (1, 2)
        ]

    def test_the_last_page_of_a_category_shows_its_oldest_articles_in_order(self):
        html = self.client.get("/category/politics/?page=3").content.decode()
        shown = [f"政治ニュース第{i}報<" for i in range(41, 46)]
        positions = [html.index(headline) for headline in shown]
        assert positions == sorted(positions)
        assert "政治ニュース第40報<" not in html

    def test_a_parent_category_lists_its_sub_categories_articles_newest_first_ties_by_id(self):
        html = self.client.get("/category/news/?page=2").content.decode()
        second, first = (html.index(a.headline) for a in reversed(self.same_time))
        assert second < first, "the newer id comes first"
        # Page 1: 第1-20報. Page 2: 第21-29報, the two at 30 minutes (newer id first), 第30報 (same time,
        # older id), 第31-38報.
        assert html.index(self.same_time[0].headline) < html.index("政治ニュース第30報<")
        assert all(f"政治ニュース第{i}報<" in html for i in range(21, 39))
        assert "政治ニュース第20報<" not in html and "政治ニュース第39報<" not in html

    def test_the_page_listing_walks_the_category_index_without_sorting(self):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/category/politics/?page=3").status_code, 200)
        listing = [
            q["sql"]
            for q in queries.captured_queries
            if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"] and "newsroom_article" in q["sql"]
        ]
        assert len(listing) == 1, listing
        assert '"newsroom_article"."body"' not in listing[0], "the page's ids first, its rows after"
        plan = _plan(listing[0])
        assert "article_category_listing" in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
