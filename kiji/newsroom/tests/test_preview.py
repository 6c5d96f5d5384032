"""Preview: staff see an unpublished article with a banner; nobody else does."""

from django.urls import reverse

from kiji.newsroom.models import Article
from kiji.newsroom.tests.base import AdminTestCase


class PreviewTests(AdminTestCase):
    def setUp(self):
        self.draft = self.make_article(headline="まだ出せない特ダネ", status=Article.Status.DRAFT, published_at=None)
        self.preview_url = reverse("reader:preview", args=[self.draft.pk])

    def test_it_links_the_preview_from_the_change_form(self):
        self.client.force_login(self.writer_user)
        response = self.client.get(self.change_url(self.draft))
        self.assertContains(response, f'href="{self.preview_url}"')
        self.assertContains(response, "プレビュー")

    def test_it_shows_staff_the_unpublished_article_with_a_banner(self):
        for user in (self.writer_user, self.editor):
            self.client.force_login(user)
            response = self.client.get(self.preview_url)
            self.assertContains(response, "まだ出せない特ダネ")
            self.assertContains(response, "読者にはまだ公開されていません")
            self.assertIn("no-cache", response["Cache-Control"])

    def test_a_live_articles_preview_says_readers_see_it(self):
        live = self.make_article(headline="公開済みの記事")
        self.client.force_login(self.editor)
        response = self.client.get(reverse("reader:preview", args=[live.pk]))
        self.assertContains(response, "公開中の記事です。読者にも")
        self.assertContains(response, f'href="{live.get_absolute_url()}"')
        self.assertNotContains(response, "読者にはまだ公開されていません")

    def test_it_refuses_another_writers_draft(self):
        self.client.force_login(self.other_writer_user)
        response = self.client.get(self.preview_url)
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "まだ出せない特ダネ", status_code=403)

    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        response = self.client.get(self.preview_url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response["Location"])

    def test_it_gives_readers_404_for_the_unpublished_article(self):
        self.assertEqual(self.client.get(self.draft.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(f"/articles/{self.draft.pk}/").status_code, 404)
