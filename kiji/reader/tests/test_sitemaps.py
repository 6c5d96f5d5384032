"""Sitemaps, the Google News sitemap and robots.txt, parsed as crawlers parse them."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from unittest import mock

import time_machine
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiji.newsroom.models import Article, Tag
from kiji.testing import NewsroomTestCase

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class SitemapTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tag = Tag.objects.create(name="予算", slug="予算")
        cls.unused_tag = Tag.objects.create(name="未使用", slug="unused")
        cls.fresh = cls.make_article(
            headline="今朝の速報 & 続報", tags=[cls.tag], published_at=timezone.now() - timedelta(hours=2)
        )
        cls.day_old = cls.make_article(headline="昨日のニュース", published_at=timezone.now() - timedelta(hours=30))
        cls.old = cls.make_article(
            headline="三日前の記事",
            slug="three-days",
            published_at=timezone.now() - timedelta(days=3),
            updated_at=timezone.now() - timedelta(days=1),
        )
        cls.draft = cls.make_article(headline="下書き", status=Article.Status.DRAFT)
        cls.scheduled = cls.make_article(
            headline="予約記事", status=Article.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
        )

    def xml(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertTrue(response["Content-Type"].startswith("application/xml"))
        return ET.fromstring(response.content)

    def locations(self, root):
        return [loc.text for loc in root.iter(f"{SM}loc")]

    def test_index_lists_every_section_and_the_news_sitemap(self):
        root = self.xml("/sitemap.xml")
        self.assertEqual(root.tag, f"{SM}sitemapindex")
        self.assertEqual(
            self.locations(root),
            [
                f"{settings.SITE_URL}/sitemap-articles.xml",
                f"{settings.SITE_URL}/sitemap-categories.xml",
                f"{settings.SITE_URL}/sitemap-tags.xml",
                f"{settings.SITE_URL}/sitemap-writers.xml",
                f"{settings.SITE_URL}/sitemap-news.xml",
            ],
        )
        for url in self.locations(root):
            self.xml(url.removeprefix(settings.SITE_URL))

    def test_article_sitemap_has_published_articles_with_lastmod(self):
        root = self.xml("/sitemap-articles.xml")
        self.assertEqual(root.tag, f"{SM}urlset")
        urls = {u.find(f"{SM}loc").text: u.find(f"{SM}lastmod").text for u in root.findall(f"{SM}url")}
        self.assertEqual(
            set(urls), {settings.SITE_URL + a.get_absolute_url() for a in (self.fresh, self.day_old, self.old)}
        )
        self.old.refresh_from_db()
        lastmod = datetime.fromisoformat(urls[f"{settings.SITE_URL}/articles/{self.old.pk}/three-days/"])
        self.assertEqual(lastmod.utcoffset(), timedelta(hours=9))
        self.assertEqual(
            lastmod.replace(microsecond=0), max(self.old.updated_at, self.old.modified_at).replace(microsecond=0)
        )

    def test_lastmod_follows_a_later_substantive_update(self):
        later = timezone.now() + timedelta(days=2)
        Article.objects.filter(pk=self.old.pk).update(updated_at=later)
        root = self.xml("/sitemap-articles.xml")
        lastmods = [datetime.fromisoformat(u.text) for u in root.iter(f"{SM}lastmod")]
        self.assertIn(later.replace(microsecond=0), [t.replace(microsecond=0) for t in lastmods])

    def test_category_tag_and_writer_sitemaps(self):
        self.assertEqual(
            self.locations(self.xml("/sitemap-categories.xml")),
            [f"{settings.SITE_URL}/category/politics/", f"{settings.SITE_URL}/category/korea/"],
        )
        tags = self.locations(self.xml("/sitemap-tags.xml"))
        self.assertEqual(len(tags), 1)
        self.assertIn("/tags/", tags[0])
        self.assertEqual(
            self.locations(self.xml("/sitemap-writers.xml")), [f"{settings.SITE_URL}/writers/yamada-hanako/"]
        )

    def test_news_sitemap_has_only_the_last_48_hours(self):
        root = self.xml("/sitemap-news.xml")
        entries = root.findall(f"{SM}url")
        self.assertEqual(
            [e.find(f"{NEWS}news/{NEWS}title").text for e in entries], ["今朝の速報 & 続報", "昨日のニュース"]
        )
        news = entries[0].find(f"{NEWS}news")
        self.assertEqual(news.find(f"{NEWS}publication/{NEWS}name").text, settings.SITE_NAME)
        self.assertEqual(news.find(f"{NEWS}publication/{NEWS}language").text, "ja")
        published = datetime.fromisoformat(news.find(f"{NEWS}publication_date").text)
        self.assertEqual(published.utcoffset(), timedelta(hours=9))
        self.assertEqual(published.replace(microsecond=0), self.fresh.published_at.replace(microsecond=0))
        self.assertEqual(entries[0].find(f"{SM}loc").text, settings.SITE_URL + self.fresh.get_absolute_url())

    def test_news_sitemap_drops_articles_as_they_pass_48_hours(self):
        with time_machine.travel(timezone.now() + timedelta(hours=20)):
            titles = [t.text for t in self.xml("/sitemap-news.xml").iter(f"{NEWS}title")]
        self.assertEqual(titles, ["今朝の速報 & 続報"])

    def test_unknown_section_or_page_is_404(self):
        self.assertEqual(self.client.get("/sitemap-drafts.xml").status_code, 404)
        self.assertEqual(self.client.get("/sitemap-articles.xml?p=9").status_code, 404)
        self.assertEqual(self.client.get("/sitemap-articles.xml?p=x").status_code, 404)

    def test_robots_points_to_the_sitemaps_and_keeps_crawlers_out_of_admin_and_previews(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))
        lines = response.content.decode().splitlines()
        self.assertIn("User-agent: *", lines)
        self.assertIn("Disallow: /admin/", lines)
        self.assertIn("Disallow: /preview/", lines)
        self.assertIn(f"Sitemap: {settings.SITE_URL}/sitemap.xml", lines)
        self.assertIn(f"Sitemap: {settings.SITE_URL}/sitemap-news.xml", lines)

    def test_favicon_ico_leads_to_the_sites_icon_instead_of_a_404(self):
        from django.contrib.staticfiles import finders
        from django.templatetags.static import static

        # Not followed: whether the static file is served depends on collectstatic having run (make run
        # does it; the suite does not), so the test checks where it leads and that the icon exists.
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], static("img/favicon.svg"))
        self.assertTrue(finders.find("img/favicon.svg"))


class SitemapIndexLastmodTests(NewsroomTestCase):
    def test_the_index_dates_the_articles_by_their_newest_change_read_by_aggregate(self):
        from kiji.reader.sitemaps import ArticleSitemap

        old = self.make_article(headline="三日前の記事", published_at=timezone.now() - timedelta(days=3))
        self.make_article(headline="昨日の記事", published_at=timezone.now() - timedelta(days=1))
        self.make_article(headline="下書き", status=Article.Status.DRAFT, published_at=None)
        with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
            old.corrections.create(text="数字を訂正しました")
        self.make_article(headline="下書きの直後の変更", status=Article.Status.DRAFT, published_at=None)
        sitemap = ArticleSitemap()
        every = max(sitemap.lastmod(a) for a in sitemap.items() if a.is_visible())  # every row read
        with self.assertNumQueries(4):  # one read from the end of an index per kind of change
            self.assertEqual(sitemap.get_latest_lastmod(), every)
        self.assertEqual(every, old.corrections.get().created_at)

    def test_a_later_substantive_update_or_save_dates_the_index(self):
        from kiji.reader.sitemaps import ArticleSitemap

        article = self.make_article(headline="三日前の記事", published_at=timezone.now() - timedelta(days=3))
        later = timezone.now() + timedelta(days=2)
        Article.objects.filter(pk=article.pk).update(updated_at=later)
        self.assertEqual(ArticleSitemap().get_latest_lastmod(), later)
        with time_machine.travel(later + timedelta(hours=1), tick=False):
            article.refresh_from_db()
            article.save()
        self.assertEqual(ArticleSitemap().get_latest_lastmod(), later + timedelta(hours=1))

    def test_articles_not_yet_visible_that_changed_last_never_date_the_index(self):
        from kiji.reader import sitemaps

        visible = self.make_article(headline="公開済みの記事", published_at=timezone.now() - timedelta(days=3))
        later = timezone.now() + timedelta(hours=2)
        with time_machine.travel(later, tick=False):  # saved after the visible one: newest by every time
            for n in range(3):
                self.make_article(headline=f"予約記事{n}", published_at=later + timedelta(days=1), updated_at=later)
        expected = Article.objects.with_last_changed().get(pk=visible.pk).last_changed
        for scan in (50, 2):  # the newest rows hold a visible one; or all of them are scheduled
            with self.subTest(scan=scan), mock.patch.object(sitemaps, "NEWEST_SCAN", scan):
                self.assertEqual(sitemaps.ArticleSitemap().get_latest_lastmod(), expected)


class SitemapPagesByIdTests(NewsroomTestCase):
    """The article sitemap's pages are ranges of ids (patched to 3 ids a page): every published article
    exactly once, with its lastmod, and the index costs the same queries whatever the archive's size."""

    def setUp(self):
        from kiji.reader.sitemaps import ArticleSitemap

        patcher = mock.patch.object(ArticleSitemap, "limit", 3)
        patcher.start()
        self.addCleanup(patcher.stop)

    def urls(self):
        index = ET.fromstring(self.client.get("/sitemap.xml").content)
        pages = [loc.text for loc in index.iter(f"{SM}loc") if "sitemap-articles" in loc.text]
        found = []
        for page in pages:
            root = ET.fromstring(self.client.get(page.removeprefix(settings.SITE_URL)).content)
            found += [
                (u.find(f"{SM}loc").text, datetime.fromisoformat(u.find(f"{SM}lastmod").text).replace(microsecond=0))
                for u in root.findall(f"{SM}url")
            ]
        return pages, found

    def test_every_published_article_once_on_the_page_of_its_id(self):
        articles = [self.make_article(headline=f"記事{n}", slug=f"a{n}") for n in range(7)]
        for article in articles[1::3]:
            article.status = Article.Status.DRAFT
            article.save()
        articles[4].corrections.create(text="訂正しました", created_at=timezone.now() + timedelta(hours=1))
        published = Article.objects.published().with_last_changed()
        first = articles[0].pk
        pages, found = self.urls()
        self.assertEqual(len(pages), -(-articles[-1].pk // 3))  # up to the newest published id
        self.assertEqual(
            sorted(found),
            sorted(
                (settings.SITE_URL + a.get_absolute_url(), a.last_changed.replace(microsecond=0)) for a in published
            ),
        )
        self.assertEqual(len(found), 5)
        page_of_first = f"{settings.SITE_URL}/sitemap-articles.xml" + (
            f"?p={(first - 1) // 3 + 1}" if first > 3 else ""
        )
        self.assertIn(page_of_first, pages)

    def test_the_index_costs_the_same_queries_for_a_larger_archive(self):
        self.make_article(headline="最初の記事")
        with CaptureQueriesContext(connection) as small:
            self.client.get("/sitemap.xml")
        for n in range(12):
            self.make_article(headline=f"記事{n}")
        with CaptureQueriesContext(connection) as large:
            response = self.client.get("/sitemap.xml")
        self.assertEqual(len(large), len(small))
        self.assertEqual(
            response.content.decode().count("sitemap-articles.xml"), -(-Article.objects.order_by("-pk").first().pk // 3)
        )

    def test_a_page_is_what_the_urlset_template_writes(self):
        """The article pages are written row by row (10,000 URLs a page); the bytes are the template's,
        slugs quoted as reverse() quotes them and times in local time as date:"c" shows them."""
        articles = [
            self.make_article(headline=f"見出し{n}", slug=slug)
            for n, slug in enumerate(("plain-words", "日本語のスラッグ", "a&b'c"))
        ]
        articles.append(self.make_article(headline="スラッグなし"))
        articles[0].corrections.create(text="訂正しました", created_at=timezone.now() + timedelta(minutes=5))
        visible = Article.objects.published().with_last_changed().order_by("pk")
        expected = render_to_string(
            "sitemaps/urlset.xml",
            {
                "urlset": [
                    {"location": settings.SITE_URL + a.get_absolute_url(), "lastmod": a.last_changed} for a in visible
                ]
            },
            using="django",
        )
        pages, found = self.urls()
        written = "".join(self.client.get(page.removeprefix(settings.SITE_URL)).content.decode() for page in pages)
        head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        self.assertEqual(written.replace("</urlset>\n" + head, ""), expected)
        self.assertEqual(len(found), 4)
        self.assertIn("/%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE", written)
        self.assertIn("/a&amp;b&#x27;c/", written)
