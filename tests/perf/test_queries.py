"""Reader pages run a fixed number of queries, however many articles, writers and tags they show."""

from django.test import override_settings

from kiji.api.tests.images import make_image
from kiji.newsroom.models import Tag, Writer
from kiji.testing import NewsroomTestCase


@override_settings(KIJI_PAGECACHE=False)
class NoNPlusOneTests(NewsroomTestCase):
    def make_many(self, count):
        tags = [Tag.objects.get_or_create(name=f"タグ{i}", slug=f"tag-{i}")[0] for i in range(3)]
        writers = [Writer.objects.get_or_create(name=f"記者{i}", slug=f"writer-{i}")[0] for i in range(3)]
        image = make_image(rendition_widths=(320,))  # cards show it as a thumbnail: read with the card
        for i in range(count):
            category = self.politics if i % 2 else self.korea
            self.make_article(headline=f"記事{i}", category=category, writers=writers, tags=tags, lead_image=image)

    def count_queries(self, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get(url)  # warm the menu
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_home_category_and_article_pages_do_not_grow_with_content(self):
        self.make_many(2)
        article = self.politics.articles.first()
        few = [self.count_queries(u) for u in ("/", "/category/politics/", article.get_absolute_url())]
        self.make_many(12)
        many = [self.count_queries(u) for u in ("/", "/category/politics/", article.get_absolute_url())]
        self.assertEqual(few, many)

    def test_the_article_page_runs_one_query_while_nothing_changed(self):
        self.make_many(3)
        article = self.politics.articles.first()
        self.client.get(article.get_absolute_url())
        # The article with its category, image and comment section; its writers, tags and corrections and
        # the side lists are kept per purge version (kiji/reader/tests/test_fragments.py: a change shows at once).
        with self.assertNumQueries(1):
            self.assertContains(self.client.get(article.get_absolute_url()), "記者2")

    def test_the_home_page_runs_one_query_per_menu_category(self):
        self.make_many(6)
        self.client.get("/")
        # top, then 2 categories' lists (cards show no writers; menu cached); a deferred field read would add one
        with self.assertNumQueries(1 + 2):
            self.assertContains(self.client.get("/"), "記事5")

    def test_the_category_page_runs_five_queries(self):
        self.make_many(6)
        self.client.get("/category/politics/")
        # category with its sub-categories, count, the page's ids (an index walk, however deep), their rows, writers
        with self.assertNumQueries(5):
            self.assertContains(self.client.get("/category/politics/"), "記事5")
