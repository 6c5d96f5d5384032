"""The newsroom's admin search goes through the search index: bodies included, spellings normalized."""

from django.urls import reverse

from kiji.newsroom.models import Article
from kiji.search.services import sync_article
from kiji.testing import NewsroomTestCase

CHANGELIST = reverse("admin:newsroom_article_changelist")


class AdminSearchTests(NewsroomTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def indexed(self, **fields) -> Article:
        article = self.make_article(**fields)
        sync_article(article.pk)
        return article

    def test_it_finds_words_in_the_body_with_the_other_spelling(self):
        self.indexed(headline="大学病院で新しい治療", body="<p>大学の附属病院は新しい治療法を導入した。</p>")
        self.indexed(headline="関係のない記事", body="<p>国会の話題。</p>")
        response = self.client.get(CHANGELIST, {"q": "付属病院"})
        self.assertContains(response, "大学病院で新しい治療")
        self.assertNotContains(response, "関係のない記事")

    def test_drafts_not_yet_indexed_are_found_by_their_body(self):
        self.make_article(
            status=Article.Status.DRAFT, published_at=None, headline="下書きの記事", body="<p>港湾整備の続報。</p>"
        )
        self.assertContains(self.client.get(CHANGELIST, {"q": "港湾整備"}), "下書きの記事")

    def test_a_writer_still_finds_only_what_they_may_see(self):
        self.indexed(headline="佐藤の公開記事", body="<p>付属の資料。</p>", writers=[self.other_writer])
        self.make_article(
            status=Article.Status.DRAFT,
            published_at=None,
            headline="佐藤の下書き",
            body="<p>付属の資料。</p>",
            writers=[self.other_writer],
        )
        self.client.force_login(self.writer_user)
        response = self.client.get(CHANGELIST, {"q": "付属"})
        self.assertNotContains(response, "佐藤の下書き")
