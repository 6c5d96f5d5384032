"""Revision history: every admin save is a revision; view, diff and restore."""

from django.urls import reverse

from kiji.newsroom.models import Article
from kiji.newsroom.tests.base import AdminTestCase


class RevisionTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)
        self.client.post(
            self.add_url, self.form_data(headline="初版の見出し", body="<p>最初の段落。</p>", writers=[self.writer])
        )
        self.article = Article.objects.get(headline="初版の見出し")
        self.client.post(
            self.change_url(self.article),
            self.form_data(self.article, headline="二版の見出し", body="<p>書き直した段落。</p>"),
        )
        self.article.refresh_from_db()

    def list_url(self):
        return reverse("admin:newsroom_article_revisions", args=[self.article.pk])

    def test_it_records_a_revision_for_every_admin_save(self):
        self.assertEqual(self.article.revisions.count(), 2)
        self.assertEqual([r.created_by for r in self.article.revisions.all()], [self.editor, self.editor])

    def test_it_lists_revisions_with_who_and_note_linked_from_the_change_form(self):
        self.assertContains(self.client.get(self.change_url(self.article)), f'href="{self.list_url()}"')
        response = self.client.get(self.list_url())
        self.assertContains(response, "版の履歴")
        self.assertContains(response, "<td>editor</td>", count=2, html=True)
        self.assertContains(response, "作成しました")
        self.assertContains(response, "編集しました")

    def test_it_shows_a_revisions_content_and_its_diff_against_the_current_text(self):
        first = self.article.revisions.last()
        response = self.client.get(reverse("admin:newsroom_article_revision", args=[self.article.pk, first.pk]))
        self.assertContains(response, "<p>最初の段落。</p>", html=True)
        self.assertContains(response, "<del>− 最初の段落。</del>", html=True)
        self.assertContains(response, "<ins>+ 書き直した段落。</ins>", html=True)
        self.assertContains(response, "この版に戻す")

    def test_it_restores_a_revision_with_a_post(self):
        first = self.article.revisions.last()
        restore_url = reverse("admin:newsroom_article_restore", args=[self.article.pk, first.pk])
        self.assertEqual(self.client.get(restore_url).status_code, 405)
        asked = self.client.post(restore_url)  # first a question: what readers will see
        self.assertContains(asked, "はい、この版に戻します")
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "二版の見出し")
        response = self.client.post(restore_url, {"confirm": "yes"})
        self.assertRedirects(response, self.change_url(self.article))
        self.article.refresh_from_db()
        self.assertEqual((self.article.headline, self.article.body), ("初版の見出し", "<p>最初の段落。</p>"))
        self.assertEqual(self.article.revisions.count(), 3)
        self.assertIn("の版に戻しました", self.article.revisions.first().note)

    def test_it_refuses_restore_to_a_writer_who_may_not_edit_the_article(self):
        self.client.post(self.change_url(self.article), {**self.form_data(self.article), "_publish": "公開"})
        first = self.article.revisions.last()
        self.client.force_login(self.writer_user)  # on the byline, but the article is published now
        response = self.client.get(reverse("admin:newsroom_article_revision", args=[self.article.pk, first.pk]))
        self.assertNotContains(response, "この版に戻す")
        response = self.client.post(reverse("admin:newsroom_article_restore", args=[self.article.pk, first.pk]))
        self.assertEqual(response.status_code, 403)
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "二版の見出し")

    def test_it_hides_revisions_of_other_writers_articles(self):
        self.client.force_login(self.other_writer_user)
        self.assertEqual(self.client.get(self.list_url()).status_code, 403)
