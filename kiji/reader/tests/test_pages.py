"""The reader site's pages: what a reader finds on home, category, writer and tag pages, and on errors."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

from kiji.newsroom.models import Article, Category, Tag
from kiji.reader.tests.pages import Page
from kiji.testing import NewsroomTestCase

Status = Article.Status


def _boom(request):
    raise RuntimeError("the database went away")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("", include("kiji.newsletters.urls")),
    path("", include("kiji.reader.urls")),
]
handler400 = "kiji.reader.views.bad_request"
handler403 = "kiji.reader.views.permission_denied"
handler404 = "kiji.reader.views.page_not_found"
handler500 = "kiji.reader.views.server_error"


class HomeTests(NewsroomTestCase):
    def test_it_shows_top_stories_and_the_latest_of_each_category(self):
        old = self.make_article(headline="先週の政治ニュース", published_at=timezone.now() - timedelta(days=7))
        newest = [
            self.make_article(headline=f"今日の政治ニュース{i}", published_at=timezone.now() - timedelta(minutes=i))
            for i in range(1, 6)
        ]
        korea = self.make_article(
            headline="ソウルで市民マラソン", category=self.korea, published_at=timezone.now() - timedelta(days=2)
        )
        self.make_article(headline="まだ下書きの記事", status=Status.DRAFT, published_at=None)

        html = self.client.get("/").content.decode()

        top = html[html.index('id="top-title"') : html.index('id="sec-politics"')]
        assert all(a.headline in top for a in newest) and old.headline not in top
        korea_section = html[html.index('id="sec-korea"') :]
        assert korea.headline in korea_section
        assert "まだ下書きの記事" not in html

    def test_an_empty_site_says_so_in_japanese(self):
        self.assertContains(self.client.get("/"), "まだ記事はありません。")


class CategoryTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        start = timezone.now() - timedelta(hours=1)
        cls.articles = [
            cls.make_article(headline=f"政治ニュース第{i}報", published_at=start - timedelta(minutes=i))
            for i in range(1, 26)
        ]  # 25 articles: two pages of KIJI_PAGE_SIZE=20

    def test_page_one_has_the_newest_and_a_link_to_page_two(self):
        response = self.client.get("/category/politics/")
        self.assertContains(response, "政治ニュース第1報")
        self.assertNotContains(response, "政治ニュース第21報")
        self.assertContains(response, 'rel="next" href="?page=2"')
        self.assertContains(response, "1 / 2 ページ")

    @override_settings(KIJI_PAGE_SIZE=10)
    def test_the_page_size_follows_kiji_page_size(self):
        response = self.client.get("/category/politics/")
        self.assertContains(response, "政治ニュース第10報")
        self.assertNotContains(response, "政治ニュース第11報")
        self.assertContains(response, "1 / 3 ページ")

    def test_page_two_has_the_rest(self):
        response = self.client.get("/category/politics/?page=2")
        self.assertContains(response, "政治ニュース第25報")
        self.assertNotContains(response, "政治ニュース第1報<")
        self.assertContains(response, 'rel="prev" href="?page=1"')

    def test_a_page_past_the_end_or_not_a_number_is_not_found(self):
        for page in ("3", "0", "abc", "-1"):
            response = self.client.get(f"/category/politics/?page={page}")
            assert response.status_code == 404, page
            self.assertContains(response, "ページが見つかりません", status_code=404)

    def test_an_unknown_category_is_not_found(self):
        self.assertContains(self.client.get("/category/nothing-here/"), "ページが見つかりません", status_code=404)

    def test_a_category_with_nothing_published_says_so(self):
        Category.objects.create(name="国際", slug="world")
        self.assertContains(self.client.get("/category/world/"), "まだ記事はありません。")


class WriterAndTagTests(NewsroomTestCase):
    def test_the_writer_page_shows_bio_contact_and_only_published_articles(self):
        self.writer.bio = "政治部記者。国会を担当。"
        self.writer.save()
        self.make_article(headline="山田記者の公開記事")
        self.make_article(headline="山田記者の下書き", status=Status.DRAFT, published_at=None)
        self.make_article(headline="佐藤記者の記事", writers=[self.other_writer])

        response = self.client.get("/writers/yamada-hanako/")

        self.assertContains(response, "<h1>山田 花子</h1>", html=False)
        self.assertContains(response, "政治部記者。国会を担当。")
        self.assertContains(response, 'href="mailto:hanako@example.jp"')
        self.assertContains(response, "山田記者の公開記事")
        self.assertNotContains(response, "山田記者の下書き")
        self.assertNotContains(response, "佐藤記者の記事")

    def test_the_tag_page_lists_the_tagged_articles(self):
        tag = Tag.objects.create(name="日韓関係", slug="日韓関係")
        self.make_article(headline="日韓首脳が会談", tags=[tag])
        self.make_article(headline="関係のない記事")

        response = self.client.get(tag.get_absolute_url())

        self.assertContains(response, "#日韓関係")
        self.assertContains(response, "日韓首脳が会談")
        self.assertNotContains(response, "関係のない記事")

    def test_unknown_writer_and_tag_are_not_found(self):
        self.assertEqual(self.client.get("/writers/nobody/").status_code, 404)
        self.assertEqual(self.client.get("/tags/存在しないタグ/").status_code, 404)

    def test_a_tag_address_holding_a_control_character_is_not_found(self):
        # PostgreSQL refuses NUL in a query: these were server errors there.
        for url in ("/tags/a%00b/", "/feeds/tags/a%00b/rss/", "/feeds/tags/a%00b/atom/", "/tags/a%07b/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class ArticleVisibilityTests(NewsroomTestCase):
    def assertNotFoundPage(self, url: str, hidden_text: str):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 404, url)
        html = response.content.decode()
        # the whole Japanese 404 page, and nothing of the article
        assert "<h1>ページが見つかりません</h1>" in html and html.rstrip().endswith("</html>")
        assert 'id="footer-menu"' in html
        assert hidden_text not in html

    def test_readers_get_404_for_every_article_they_may_not_see(self):
        future = timezone.now() + timedelta(hours=2)
        for status, published_at in [
            (Status.DRAFT, None),
            (Status.REVIEW, None),
            (Status.SCHEDULED, future),
            (Status.UNPUBLISHED, timezone.now() - timedelta(days=1)),
            (Status.PUBLISHED, future),
        ]:
            article = self.make_article(
                headline=f"見えない記事（{status}）", slug="hidden", status=status, published_at=published_at
            )
            self.assertNotFoundPage(f"/articles/{article.pk}/", article.headline)
            self.assertNotFoundPage(f"/articles/{article.pk}/hidden/", article.headline)

    def test_an_unknown_article_is_not_found(self):
        self.assertNotFoundPage("/articles/987654/", "公開")


class CanonicalUrlTests(NewsroomTestCase):
    def assertMovedTo(self, url: str, canonical: str):
        response = self.client.get(url)
        self.assertEqual((response.status_code, response["Location"]), (301, canonical), url)

    def test_the_id_alone_or_a_wrong_slug_redirects_permanently_to_the_canonical_url(self):
        article = self.make_article(slug="budget-passes")
        canonical = f"/articles/{article.pk}/budget-passes/"
        for url in (f"/articles/{article.pk}/", f"/articles/{article.pk}/old-slug/", f"/articles/{article.pk}/予算/"):
            self.assertMovedTo(url, canonical)
        response = self.client.get(canonical)
        self.assertContains(response, article.headline)
        self.assertContains(response, f'<link rel="canonical" href="{settings.SITE_URL}{canonical}">')

    def test_an_article_without_slug_lives_at_its_id(self):
        article = self.make_article(slug="")
        self.assertContains(self.client.get(f"/articles/{article.pk}/"), article.headline)
        self.assertMovedTo(f"/articles/{article.pk}/anything/", f"/articles/{article.pk}/")


class SkipLinkTests(NewsroomTestCase):
    def test_the_skip_links_come_first_on_every_page_and_lead_somewhere(self):
        article = self.make_article(slug="budget-passes", tags=[Tag.objects.create(name="国会", slug="国会")])
        urls = [
            "/",
            "/category/politics/",
            article.get_absolute_url(),
            "/writers/yamada-hanako/",
            "/tags/国会/",
            "/articles/987654/",
        ]
        for url in urls:
            response = self.client.get(url)
            page = Page(response.content.decode())
            first = [(tag, attrs.get("href")) for tag, attrs in page.focusable[:3]]
            assert first == [("a", "#main-menu"), ("a", "#main"), ("a", "#footer-menu")], (url, first)
            assert page.link_texts[:2] == ["メインメニューへスキップ", "メインコンテンツへスキップ"], url
            assert "スキップ" in page.link_texts[2], url
            assert {"main-menu", "main", "footer-menu"} <= page.ids, url


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
class ServerErrorTests(NewsroomTestCase):
    def test_a_crash_shows_the_japanese_500_page(self):
        self.client.raise_request_exception = False
        response = self.client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        html = response.content.decode()
        assert '<html lang="ja">' in html
        assert "エラーが発生しました" in html and "しばらくしてから再度お試しください" in html
        assert "the database went away" not in html

    def test_a_form_sent_without_its_security_cookie_is_refused_in_japanese(self):
        """The newsletter form posted from a page opened before the cookie expired (or with cookies off)."""
        response = Client(enforce_csrf_checks=True).post("/newsletter/", {"email": "taro@example.jp"})
        self.assertEqual(response.status_code, 403)
        html = response.content.decode()
        assert '<html lang="ja">' in html and "送信を受け付けられませんでした" in html
        assert "再読み込みしてから、もう一度送信してください" in html
        assert "Forbidden" not in html and "CSRF" not in html

    def test_a_refused_page_and_a_bad_request_are_explained_in_japanese(self):
        forbidden = self.client.get("/forbidden/")
        self.assertEqual(forbidden.status_code, 403)
        assert "このページを表示する権限がありません" in forbidden.content.decode()
        bad_host = self.client.get("/", HTTP_HOST="attacker.example")
        self.assertEqual(bad_host.status_code, 400)
        html = bad_host.content.decode()
        assert '<html lang="ja">' in html and "リクエストを処理できませんでした" in html
