"""RSS and Atom feeds as feed readers see them (parsed with feedparser)."""

import re
from datetime import timedelta

import feedparser
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from kiji.api.tests.images import make_image
from kiji.newsroom.models import Article, Tag
from kiji.testing import NewsroomTestCase

FEEDS = {
    "site": ("/feeds/rss/", "/feeds/atom/"),
    "category": ("/feeds/category/politics/rss/", "/feeds/category/politics/atom/"),
    "writer": ("/feeds/writers/yamada-hanako/rss/", "/feeds/writers/yamada-hanako/atom/"),
    "tag": ("/feeds/tags/予算/rss/", "/feeds/tags/予算/atom/"),
}


class FeedTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tag = Tag.objects.create(name="予算", slug="予算")
        cls.older = cls.make_article(
            headline="与野党が予算で合意 & 会期延長へ", tags=[cls.tag], published_at=timezone.now() - timedelta(days=2)
        )
        cls.newer = cls.make_article(
            headline="首相が記者会見「<説明>を尽くす」",
            tags=[cls.tag],
            body="<p>首相は記者会見で予算の意義を<strong>説明</strong>した。</p>",
        )
        cls.draft = cls.make_article(headline="未公開の下書き記事", status=Article.Status.DRAFT, tags=[cls.tag])
        cls.future = cls.make_article(
            headline="予約中の記事",
            status=Article.Status.SCHEDULED,
            tags=[cls.tag],
            published_at=timezone.now() + timedelta(hours=3),
        )
        cls.other = cls.make_article(
            headline="ソウルで新政策を発表",
            category=cls.korea,
            writers=[cls.other_writer],
            published_at=timezone.now() - timedelta(days=3),
        )

    def parse(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response, feedparser.parse(response.content)

    def parse_json(self, url) -> dict:
        """The JSON Feed at `url`, once its media type and JSON Feed 1.1's required fields are checked."""
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertEqual(response["Content-Type"], "application/feed+json; charset=utf-8")
        feed = response.json()
        self.assertEqual(feed["version"], "https://jsonfeed.org/version/1.1")
        self.assertTrue(feed["title"])
        for item in feed["items"]:
            self.assertTrue(item["id"])
            self.assertTrue(item.get("content_html") or item.get("content_text"))
        return feed

    def test_it_serves_valid_rss_and_atom_for_every_feed_kind(self):
        for kind, urls in FEEDS.items():
            for url in urls:
                with self.subTest(kind=kind, url=url):
                    response, feed = self.parse(url)
                    self.assertEqual(feed.bozo, 0, feed.get("bozo_exception"))
                    self.assertEqual(feed.version, "rss20" if url.endswith("rss/") else "atom10")
                    titles = [e.title for e in feed.entries]
                    self.assertEqual(titles[:2], [self.newer.headline, self.older.headline])
                    self.assertNotIn("未公開の下書き記事", titles)
                    self.assertNotIn("予約中の記事", titles)
                    self.assertNotIn("未公開の下書き記事", response.content.decode())

    def test_it_shows_only_the_category_writer_or_tag_articles(self):
        _, feed = self.parse("/feeds/category/korea/rss/")
        self.assertEqual([e.title for e in feed.entries], ["ソウルで新政策を発表"])
        self.assertIn("韓国", feed.feed.title)
        _, feed = self.parse("/feeds/writers/sato-ichiro/atom/")
        self.assertEqual([e.title for e in feed.entries], ["ソウルで新政策を発表"])
        _, feed = self.parse("/feeds/rss/")
        self.assertEqual(len(feed.entries), 3)

    def test_links_are_absolute_to_the_site_url_and_dates_in_jst(self):
        for url in ("/feeds/rss/", "/feeds/atom/"):
            with self.subTest(url=url):
                response, feed = self.parse(url)
                entry = feed.entries[0]
                self.assertEqual(entry.link, settings.SITE_URL + self.newer.get_absolute_url())
                self.assertTrue(feed.feed.link.startswith(settings.SITE_URL))
                self.assertNotIn(b"testserver", response.content)
                self.assertEqual(entry.author, "山田 花子")
                self.assertIn("政治", [t.term for t in entry.tags])
                self.assertIn("予算", [t.term for t in entry.tags])
        rss = self.client.get("/feeds/rss/").content.decode()
        self.assertIn("+0900</pubDate>", rss)
        atom = self.client.get("/feeds/atom/").content.decode()
        self.assertIn("+09:00</published>", atom)
        self.assertIn("+09:00</updated>", atom)

    @override_settings(KIJI_FEED_FULL_TEXT=False)
    def test_it_gives_the_summary_by_default(self):
        for url in ("/feeds/rss/", "/feeds/atom/"):
            with self.subTest(url=url):
                _, feed = self.parse(url)
                self.assertEqual(feed.entries[0].summary, self.newer.description)
                self.assertNotIn("content", feed.entries[0])

    @override_settings(KIJI_FEED_FULL_TEXT=True)
    def test_it_gives_the_full_text_when_set(self):
        for url in ("/feeds/rss/", "/feeds/atom/"):
            with self.subTest(url=url):
                _, feed = self.parse(url)
                self.assertEqual(feed.bozo, 0)
                self.assertEqual(feed.entries[0].summary, self.newer.description)
                self.assertIn("<strong>説明</strong>", feed.entries[0].content[0].value)

    def test_lead_image_travels_as_enclosure_and_media_content(self):
        self.newer.lead_image = make_image()
        self.newer.save()
        for url in ("/feeds/rss/", "/feeds/atom/"):
            with self.subTest(url=url):
                _, feed = self.parse(url)
                self.assertEqual(feed.bozo, 0, feed.get("bozo_exception"))
                entry = feed.entries[0]
                enclosure = entry.enclosures[0]
                self.assertTrue(enclosure.href.startswith(settings.SITE_URL + "/media/renditions/"))
                self.assertTrue(enclosure.href.endswith("/1280.jpg"))
                self.assertEqual(enclosure.type, "image/jpeg")
                self.assertGreater(int(enclosure.length), 0)
                self.assertEqual(entry.media_content[0]["width"], "1280")

    def test_an_unsigned_article_is_credited_to_the_site_in_atom(self):
        self.make_article(headline="署名のない記事", writers=[])
        _, feed = self.parse("/feeds/atom/")
        self.assertEqual(feed.bozo, 0)
        self.assertEqual(feed.feed.author, settings.SITE_NAME)
        self.assertEqual(feed.entries[0].title, "署名のない記事")

    def test_unknown_category_writer_or_tag_feed_is_404(self):
        for url in (
            "/feeds/category/nothing/rss/",
            "/feeds/writers/nobody/atom/",
            "/feeds/tags/なし/rss/",
            "/feeds/tags/%00/rss/",
            "/feeds/tags/%E4%BA%88%00/atom/",
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_pages_link_their_feeds_in_the_head(self):
        home = self.client.get("/").content.decode()
        self.assertIn(
            f'<link rel="alternate" type="application/rss+xml" title="{settings.SITE_NAME} (RSS)" '
            f'href="{settings.SITE_URL}/feeds/rss/">',
            home,
        )
        self.assertIn(f'href="{settings.SITE_URL}/feeds/atom/"', home)
        category = self.client.get("/category/politics/").content.decode()
        self.assertIn(f'href="{settings.SITE_URL}/feeds/category/politics/rss/"', category)
        writer = self.client.get("/writers/yamada-hanako/").content.decode()
        self.assertIn(f'href="{settings.SITE_URL}/feeds/writers/yamada-hanako/atom/"', writer)

    def test_the_json_feed_has_the_same_articles_as_rss(self):
        """JSON Feed 1.1's required fields, and the articles, links and JST dates the RSS feed has."""
        self.newer.lead_image = make_image()
        self.newer.save()
        feed = self.parse_json("/feeds/json/")
        self.assertEqual((feed["title"], feed["home_page_url"]), (settings.SITE_NAME, settings.SITE_URL + "/"))
        self.assertEqual(feed["feed_url"], settings.SITE_URL + "/feeds/json/")
        _, rss = self.parse("/feeds/rss/")
        self.assertEqual([i["title"] for i in feed["items"]], [e.title for e in rss.entries])
        self.assertEqual([i["url"] for i in feed["items"]], [e.link for e in rss.entries])
        newer = next(i for i in feed["items"] if i["title"] == self.newer.headline)
        self.assertTrue(newer["date_published"].endswith("+09:00"))
        self.assertTrue(newer["image"].endswith("/1280.jpg"))
        self.assertIn("予算", newer["tags"])
        self.assertIn("説明", newer.get("content_html") or newer["content_text"])

    def test_each_category_has_a_json_feed_with_the_articles_of_its_rss_feed(self):
        for slug, expected in (
            ("politics", [self.newer.headline, self.older.headline]),
            ("korea", [self.other.headline]),
        ):
            with self.subTest(category=slug):
                feed = self.parse_json(f"/feeds/category/{slug}/json/")
                _, rss = self.parse(f"/feeds/category/{slug}/rss/")
                self.assertEqual(feed["title"], rss.feed.title)
                self.assertEqual(feed["home_page_url"], f"{settings.SITE_URL}/category/{slug}/")
                self.assertEqual(feed["feed_url"], f"{settings.SITE_URL}/feeds/category/{slug}/json/")
                self.assertEqual([i["title"] for i in feed["items"]], expected)
                self.assertEqual(
                    [(i["title"], i["url"]) for i in feed["items"]], [(e.title, e.link) for e in rss.entries]
                )
                self.assertTrue(all(i["date_published"].endswith("+09:00") for i in feed["items"]))
        self.assertIn("韓国", self.parse_json("/feeds/category/korea/json/")["title"])
        self.assertEqual(self.client.get("/feeds/category/nothing/json/").status_code, 404)

    def test_category_and_article_pages_announce_their_category_json_feed(self):
        link = (
            f'<link rel="alternate" type="application/feed+json" title="{settings.SITE_NAME} 政治 (JSON Feed)" '
            f'href="{settings.SITE_URL}/feeds/category/politics/json/">'
        )
        for url in ("/category/politics/", self.newer.get_absolute_url()):
            with self.subTest(url=url):
                self.assertIn(link, re.findall(r'<link rel="alternate"[^>]*>', self.client.get(url).content.decode()))

    def test_every_page_announces_the_json_feed(self):
        html = self.client.get("/").content.decode()
        self.assertIn(f'type="application/feed+json" title="{settings.SITE_NAME} (JSON Feed)"', html)
