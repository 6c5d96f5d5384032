"""Publishing and unpublishing reach feeds, sitemaps and the API at once, through the page cache."""

import feedparser
from django.utils import timezone

from kiji.newsroom.models import Article
from kiji.newsroom.services.publishing import publish_article, unpublish_article
from kiji.testing import NewsroomTestCase


class FreshnessTests(NewsroomTestCase):
    def titles(self, url):
        return [e.title for e in feedparser.parse(self.client.get(url).content).entries]

    def test_a_publish_and_an_unpublish_show_in_feeds_sitemaps_and_api_right_away(self):
        self.make_article(headline="既に出ている記事")
        draft = self.make_article(headline="これから出す速報", status=Article.Status.DRAFT, published_at=None)
        watched = [
            "/feeds/rss/",
            "/feeds/category/politics/atom/",
            "/sitemap-news.xml",
            "/sitemap-articles.xml",
            "/api/v1/articles",
        ]
        before = {url: self.client.get(url).content.decode() for url in watched}  # now cached
        self.assertTrue(
            all("これから出す速報" not in text and f"/articles/{draft.pk}/" not in text for text in before.values())
        )
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=draft, by=self.editor, at=timezone.now())
        self.assertEqual(self.titles("/feeds/rss/")[0], "これから出す速報")
        self.assertEqual(self.titles("/feeds/category/politics/atom/")[0], "これから出す速報")
        self.assertContains(self.client.get("/sitemap-news.xml"), "これから出す速報")
        self.assertContains(self.client.get("/sitemap-articles.xml"), f"/articles/{draft.pk}/")
        self.assertContains(self.client.get("/api/v1/articles"), "これから出す速報")
        with self.captureOnCommitCallbacks(execute=True):
            unpublish_article(article=draft, by=self.editor)
        for url in watched:
            with self.subTest(url=url):
                self.assertNotContains(self.client.get(url), "これから出す速報")
        self.assertEqual(self.client.get(f"/api/v1/articles/{draft.pk}").status_code, 404)
