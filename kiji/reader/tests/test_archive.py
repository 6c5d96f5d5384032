"""The date archive (記事アーカイブ): a month's articles, a year's months, the years; hostile addresses are 404s."""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kiji.lib.dates import JST
from kiji.lib.memo import forget_all
from kiji.newsroom.models import Article
from kiji.reader.tests.test_deep_pages import _plan
from kiji.testing import NewsroomTestCase

Status = Article.Status
SITE = settings.SITE_URL.rstrip("/")


def jst(*parts) -> datetime:
    return datetime(*parts, tzinfo=JST)


def headlines(html: str) -> list[str]:
    return re.findall(r"記事「([^」]+)」", html)


class ArchiveMonthTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_article(headline="記事「5月の最後」", published_at=jst(2010, 5, 31, 23, 59))
        cls.make_article(headline="記事「6月の初め」", published_at=jst(2010, 6, 1, 0, 0))
        cls.make_article(headline="記事「6月の半ば」", published_at=jst(2010, 6, 15, 12, 0), category=cls.korea)
        cls.make_article(headline="記事「6月の終わり」", published_at=jst(2010, 6, 30, 23, 59))
        cls.make_article(headline="記事「7月の初め」", published_at=jst(2010, 7, 1, 0, 0))
        cls.make_article(headline="記事「6月の下書き」", status=Status.DRAFT, published_at=jst(2010, 6, 20))
        cls.make_article(headline="記事「9月の記事」", published_at=jst(2012, 9, 3))

    def test_it_lists_the_months_published_articles_newest_first_in_jst(self):
        response = self.client.get("/archive/2010/06/")
        self.assertContains(response, "<h1>2010年6月の記事</h1>", html=True)
        self.assertContains(response, "<title>2010年6月の記事 | ")
        self.assertEqual(headlines(response.content.decode()), ["6月の終わり", "6月の半ば", "6月の初め"])

    def test_it_has_breadcrumbs_and_a_canonical_link(self):
        html = self.client.get("/archive/2010/06/").content.decode()
        crumbs = html[html.index('class="breadcrumb') : html.index("</nav>", html.index('class="breadcrumb'))]
        self.assertIn('<a href="/archive/">記事アーカイブ</a>', crumbs)
        self.assertIn('<a href="/archive/2010/">2010年</a>', crumbs)
        self.assertIn('<li aria-current="page">6月</li>', crumbs)
        self.assertIn(f'<link rel="canonical" href="{SITE}/archive/2010/06/">', html)
        self.assertIn('"BreadcrumbList"', html)
        self.assertNotIn('content="noindex"', html)

    def test_it_is_paginated_like_a_category(self):
        for i in range(1, 22):
            self.make_article(headline=f"記事「8月{i}日」", published_at=jst(2011, 8, i, 9))
        first = self.client.get("/archive/2011/08/").content.decode()
        self.assertEqual(headlines(first)[:2], ["8月21日", "8月20日"])
        self.assertEqual(len(headlines(first)), 20)
        self.assertIn('<a rel="next" href="?page=2">', first)
        second = self.client.get("/archive/2011/08/?page=2")
        self.assertEqual(headlines(second.content.decode()), ["8月1日"])
        self.assertContains(second, f'<link rel="canonical" href="{SITE}/archive/2011/08/?page=2">')
        self.assertEqual(self.client.get("/archive/2011/08/?page=3").status_code, 404)

    def test_a_month_without_published_articles_is_a_404(self):
        for url in ("/archive/2010/08/", "/archive/2011/06/", "/archive/1999/01/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_scheduled_article_is_not_listed_before_its_time(self):
        self.make_article(headline="記事「予約」", status=Status.SCHEDULED, published_at=self.now + timedelta(days=1))
        month = self.now.astimezone(JST)
        self.assertEqual(self.client.get(f"/archive/{month.year}/{month.month:02d}/").status_code, 404)

    def test_headlines_and_categories_are_escaped(self):
        self.korea.name = '<script>alert("cat")</script>'
        self.korea.save()
        self.make_article(headline="記事「<img src=x onerror=alert(1)>」", published_at=jst(2010, 6, 2))
        html = self.client.get("/archive/2010/06/").content.decode()
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        self.assertNotIn('<script>alert("cat")', html)

    def test_hostile_values_are_404s_not_errors(self):
        for url in (
            "/archive/99999/",
            "/archive/99999999999999999999/06/",
            "/archive/0000/",
            "/archive/0999/",
            "/archive/9999/",
            "/archive/9999/12/",
            "/archive/2010/00/",
            "/archive/2010/13/",
            "/archive/2010/6/",
            "/archive/2010/006/",
            "/archive/abcd/",
            "/archive/2010/ab/",
            "/archive/%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%90/",  # ２０１０ (full-width digits)
            "/archive/%D9%A2%D9%A0%D9%A1%D9%A0/",  # ٢٠١٠ (Arabic-Indic digits)
            "/archive/2010%00/",
            "/archive/2010/06%00/",
            "/archive/2010/06/?page=%00",
            "/archive/2010/06/?page=abc",
            "/archive/2010/06/?page=0",
            "/archive/2010/06/?page=-1",
            "/archive/2010/06/?page=99999999999999999999999999",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class ArchiveYearAndIndexTests(NewsroomTestCase):
    def test_the_year_lists_its_months_newest_first_with_their_counts(self):
        for day in (1, 2, 3):
            self.make_article(published_at=jst(2010, 6, day))
        self.make_article(published_at=jst(2010, 1, 1, 0, 0))
        self.make_article(published_at=jst(2009, 12, 31, 23, 59))
        self.make_article(status=Status.DRAFT, published_at=jst(2010, 3, 1))
        response = self.client.get("/archive/2010/")
        self.assertContains(response, "<h1>2010年の記事</h1>", html=True)
        months = re.findall(r'<a href="/archive/2010/(\d\d)/">(\d+)月</a>（(\d+)件）', response.content.decode())
        self.assertEqual(months, [("06", "6", "3"), ("01", "1", "1")])
        self.assertContains(response, f'<link rel="canonical" href="{SITE}/archive/2010/">')

    def test_a_year_without_articles_is_a_404(self):
        self.make_article(published_at=jst(2010, 6, 1))
        self.assertEqual(self.client.get("/archive/2011/").status_code, 404)

    def test_the_index_lists_the_years_newest_first_and_the_footer_links_to_it(self):
        for year in (2008, 2010, 2010, 2015):
            self.make_article(published_at=jst(year, 4, 1))
        response = self.client.get("/archive/")
        years = re.findall(r'<a href="/archive/(\d{4})/">\1年</a>', response.content.decode())
        self.assertEqual(years, ["2015", "2010", "2008"])
        self.assertNotContains(response, 'content="noindex"')
        footer = self.client.get("/").content.decode().split('class="site-footer"')[1]
        self.assertIn('<a href="/archive/">記事アーカイブ</a>', footer)

    def test_an_empty_index_says_so_and_is_not_indexed(self):
        response = self.client.get("/archive/")
        self.assertContains(response, "まだ記事はありません。")
        self.assertContains(response, '<meta name="robots" content="noindex">')


class ArchiveCacheTests(NewsroomTestCase):
    def setUp(self):
        forget_all()

    def test_the_month_page_is_cached_and_a_new_article_of_the_month_shows_at_once(self):
        self.make_article(headline="記事「最初」", published_at=jst(2010, 6, 1))
        self.assertEqual(self.client.get("/archive/2010/06/")["X-Kiji-Cache"], "miss")
        with self.assertNumQueries(0):
            self.assertEqual(self.client.get("/archive/2010/06/")["X-Kiji-Cache"], "hit")
        with self.captureOnCommitCallbacks(execute=True):
            self.make_article(headline="記事「追加」", published_at=jst(2010, 6, 2))
        self.assertEqual(headlines(self.client.get("/archive/2010/06/").content.decode()), ["追加", "最初"])
        self.assertContains(self.client.get("/archive/2010/"), "（2件）")

    def test_each_page_of_a_month_has_its_own_cache_entry(self):
        for i in range(1, 22):
            self.make_article(headline=f"記事「{i}日」", published_at=jst(2010, 6, i))
        first = self.client.get("/archive/2010/06/").content
        self.assertNotEqual(self.client.get("/archive/2010/06/?page=2").content, first)
        self.assertEqual(self.client.get("/archive/2010/06/?page=2")["X-Kiji-Cache"], "hit")


@override_settings(KIJI_PAGECACHE=False)
class ArchiveQueryTests(NewsroomTestCase):
    def count(self, url: str) -> int:
        self.client.get(url)  # warm the menu
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries.captured_queries)

    def test_the_pages_run_a_fixed_number_of_queries_however_many_articles(self):
        for day in (1, 2):
            self.make_article(published_at=jst(2010, 6, day))
        self.make_article(published_at=jst(2012, 6, 1))
        few = [self.count(u) for u in ("/archive/2010/06/", "/archive/2010/")]
        for day in range(3, 28):
            self.make_article(published_at=jst(2010, 6, day), writers=[self.writer, self.other_writer])
            self.make_article(published_at=jst(2010, day % 12 + 1, 1))
        many = [self.count(u) for u in ("/archive/2010/06/", "/archive/2010/")]
        self.assertEqual(few, many)
        # the month: count, the page's ids, their rows, writers; the year: a count of each month's range
        self.assertEqual(many, [4, 12])
        # the index: one seek per year holding articles, one more to find there is no later year
        self.assertEqual(self.count("/archive/"), 2 + 1)

    def test_every_archive_query_is_a_range_of_the_time_index(self):
        self.make_article(published_at=jst(2010, 6, 1))
        # An archive of twenty years, so the planner weighs a range of the time index against the others as it
        # would at 740,000 articles (with one row any index looks as cheap as another).
        Article.objects.bulk_create(
            Article(
                headline="過去の記事",
                slug=f"old-{i}",
                category=self.korea,
                status=Status.PUBLISHED,
                published_at=jst(2000 + i % 20, i % 12 + 1, 1),
                updated_at=jst(2000, 1, 1),
            )
            for i in range(480)
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE newsroom_article")
        with CaptureQueriesContext(connection) as queries:
            for url in ("/archive/2010/06/", "/archive/2010/", "/archive/"):
                self.assertEqual(self.client.get(url).status_code, 200)
        reads = [q["sql"] for q in queries.captured_queries if 'FROM "newsroom_article" WHERE' in q["sql"]]
        # month: count, ids; year: twelve counts; index: a seek a year, and one more
        self.assertEqual(len(reads), 2 + 12 + 21, reads)
        for sql in reads:
            plan = _plan(sql)
            self.assertIn("article_status_time", plan)
            self.assertNotRegex(plan, r"SCAN newsroom_article\b(?! USING)|Seq Scan|TEMP B-TREE")
            # One upper bound: given "<= now" and "< end of month" SQLite bounded the range by now, and a month
            # of 2015 walked every entry since (263 ms at 740,000 articles; bench/archive_pages.py).
            self.assertEqual(len(re.findall(r'"published_at" <', sql)), 1, sql)
