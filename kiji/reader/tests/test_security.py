"""Security review (issue 11) on reader pages: the page cache cannot be bypassed, flushed or poisoned."""

from django.core.cache import cache
from django.test import Client

from kiji.lib.memo import forget_all
from kiji.reader.pagestore import page_key
from kiji.testing import NewsroomTestCase


class PageCacheAbuseTests(NewsroomTestCase):
    """#9: a made-up session cookie, random query strings and slug variants neither bypass nor flush it."""

    def setUp(self):
        forget_all()
        self.article = self.make_article(headline="速報 台風が上陸")
        self.url = self.article.get_absolute_url()
        self.client.get(self.url)  # stored

    def test_a_made_up_session_cookie_is_served_from_the_cache(self):
        client = Client()
        client.cookies["sessionid"] = "not-a-real-session-000000000000"
        with self.assertNumQueries(1):  # asking whether the session exists; no rendering
            response = client.get(self.url)
        self.assertEqual(response["X-Kiji-Cache"], "hit")

    def test_a_logged_in_editor_is_never_served_the_cache(self):
        self.client.force_login(self.editor)
        self.assertNotIn("X-Kiji-Cache", self.client.get(self.url))

    def test_random_query_strings_hit_the_same_cached_page(self):
        for query in ("?x=1", "?utm_source=twitter&fbclid=abc", "?page=1%00", "?%E2%80%AE=1"):
            response = self.client.get(self.url + query)
            self.assertEqual(response["X-Kiji-Cache"], "hit", query)

    def test_the_parameters_a_page_depends_on_still_make_their_own_key(self):
        self.assertNotEqual(page_key("http", "h", "/", "page=2"), page_key("http", "h", "/", "page=3"))
        self.assertEqual(page_key("http", "h", "/", "a=1&page=2"), page_key("http", "h", "/", "page=2&b=2"))

    def test_p_on_a_reader_page_is_the_same_cached_page(self):
        # ?p= pages the section sitemaps only: on an article (or any other page) each value made its own copy.
        for query in ("?p=1", "?p=2", "?p=abc&utm_source=x"):
            with self.subTest(query=query), self.assertNumQueries(0):
                self.assertEqual(self.client.get(self.url + query)["X-Kiji-Cache"], "hit")
        self.assertEqual(page_key("http", "h", self.url, "p=7"), page_key("http", "h", self.url, ""))
        self.assertEqual(
            page_key("http", "h", "/category/politics/", "p=7"), page_key("http", "h", "/category/politics/", "")
        )

    def test_sitemap_pages_keep_their_own_cache_entries(self):
        from unittest import mock

        from kiji.reader.sitemaps import ArticleSitemap

        # The article sitemap's pages are ranges of ids (2 a page here): three new ids span two pages.
        ids = [self.make_article(headline=f"記事{i}", slug=f"kiji-{i}").pk for i in range(3)]
        first, second = (f"/sitemap-articles.xml?p={(pk - 1) // 2 + 1}" for pk in (ids[0], ids[-1]))
        with mock.patch.object(ArticleSitemap, "limit", 2):
            one, two = self.client.get(first), self.client.get(second)
            self.assertEqual((one["X-Kiji-Cache"], two["X-Kiji-Cache"]), ("miss", "miss"))
            self.assertIn(b"kiji-0", one.content)
            self.assertIn(b"kiji-2", two.content)
            self.assertNotEqual(one.content, two.content)
            self.assertEqual(self.client.get(second)["X-Kiji-Cache"], "hit")

    def test_slug_variants_redirect_without_filling_the_cache(self):
        for i in range(20):
            path = f"/articles/{self.article.pk}/variant-{i}/"
            response = self.client.get(path)
            self.assertEqual(response.status_code, 301)
            self.assertIsNone(cache.get(page_key("http", "testserver", path, "")), path)


class AcceptLanguageTests(NewsroomTestCase):
    """#18: a page first requested with Accept-Language: en is not stored and served to everyone."""

    def test_an_english_first_request_does_not_poison_the_cache(self):
        forget_all()
        article = self.make_article()
        Client(HTTP_ACCEPT_LANGUAGE="en").get(article.get_absolute_url())
        response = Client().get(article.get_absolute_url())
        self.assertEqual(response.get("Content-Language", "ja"), "ja")
        english = Client(HTTP_ACCEPT_LANGUAGE="en;q=1.0").get(article.get_absolute_url())
        self.assertEqual(english.get("Content-Language", "ja"), "ja")

    def test_a_language_cookie_page_is_never_stored(self):
        forget_all()
        article = self.make_article()
        client = Client()
        client.cookies["django_language"] = "en"
        client.get(article.get_absolute_url())
        self.assertEqual(Client().get(article.get_absolute_url()).get("Content-Language", "ja"), "ja")
