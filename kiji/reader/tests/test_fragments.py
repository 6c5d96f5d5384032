"""The parts of an uncached article page rendered once per purge version (kiji.reader.fragments) and the
bylines, tags and corrections kept with them: a change a reader can see shows on the next request."""

from django.test import override_settings

from kiji.newsroom.models import Category, Tag
from kiji.pages.models import Page
from kiji.testing import NewsroomTestCase


@override_settings(KIJI_PAGECACHE=False, KIJI_SLOT_MEMO_SECONDS=60)
class UncachedArticlePageTests(NewsroomTestCase):
    def setUp(self):
        self.article = self.make_article(headline="国会で予算案が可決", slug="budget")

    def page(self) -> str:
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_an_edited_headline_shows_at_once_in_the_breadcrumb_metadata_and_share_links(self):
        self.assertIn('<li aria-current="page">国会で予算案が可決</li>', self.page())
        self.article.headline = "予算案が成立"
        self.article.save()
        html = self.page()
        self.assertIn('<li aria-current="page">予算案が成立</li>', html)
        self.assertIn('<meta property="og:title" content="予算案が成立">', html)
        self.assertIn("%E4%BA%88%E7%AE%97%E6%A1%88%E3%81%8C%E6%88%90%E7%AB%8B", html)  # the share text
        self.assertNotIn("国会で予算案が可決", html)

    def test_a_renamed_category_shows_at_once_in_both_menus_and_the_breadcrumb(self):
        self.page()
        politics = Category.objects.get(pk=self.politics.pk)
        politics.name = "政治・行政"
        politics.save()
        html = self.page()
        self.assertEqual(html.count(">政治・行政</a>"), 4)  # header menu, footer menu, the article's category, crumb
        self.assertNotIn(">政治</a>", html)

    def test_a_new_footer_page_shows_at_once(self):
        self.page()
        Page.objects.create(
            title="会社概要", slug="about", body="<p>会社の紹介</p>", in_footer=True, status=Page.Status.PUBLISHED
        )
        self.assertIn(">会社概要</a></li>", self.page())

    def test_a_new_writer_tag_and_correction_show_at_once(self):
        self.page()
        self.article.byline_set.create(writer=self.other_writer, position=1)
        self.article.tags.add(Tag.objects.create(name="予算", slug="yosan"))
        self.article.save()
        self.article.corrections.create(text="金額を訂正しました。")
        html = self.page()
        self.assertIn(">佐藤 一郎</a>", html)
        self.assertIn(">#予算</a>", html)
        self.assertIn("金額を訂正しました。", html)
