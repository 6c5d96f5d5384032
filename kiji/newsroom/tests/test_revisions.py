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
        self.assertContains(response, '<li class="kiji-diff-removed">− <del>最初の</del>段落。</li>', html=True)
        self.assertContains(response, '<li class="kiji-diff-added">+ <ins>書き直した</ins>段落。</li>', html=True)
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


class RevisionComparisonTests(AdminTestCase):
    """Revisions for Japanese text: the characters that changed, any two revisions, people by name."""

    def setUp(self):
        self.client.force_login(self.writer_user)
        versions = [
            "<p>市は補正予算として5000万円を計上した。</p><p>議会は来月審議する。</p>",
            "<p>市は補正予算として6000万円を計上した。</p><p>議会は来月審議する。</p>",
            "<p>市は補正予算として6000万円を計上した。</p><p>議会は12月に審議する。</p>",
        ]
        self.client.post(self.add_url, self.form_data(headline="補正予算を計上", body=versions[0]))
        self.article = Article.objects.get(headline="補正予算を計上")
        for body in versions[1:]:
            self.client.post(self.change_url(self.article), self.form_data(self.article, body=body))
            self.article.refresh_from_db()
        self.first, self.second, self.third = self.article.revisions.order_by("created_at", "pk")

    def compare(self, a, b):
        url = reverse("admin:newsroom_article_compare", args=[self.article.pk])
        return self.client.get(url, {"a": a.pk, "b": b.pk})

    def test_a_changed_number_highlights_only_the_characters_that_changed(self):
        response = self.compare(self.first, self.second)
        self.assertContains(
            response,
            '<li class="kiji-diff-removed">− 市は補正予算として<del>5</del>000万円を計上した。</li>',
            html=True,
        )
        self.assertContains(
            response, '<li class="kiji-diff-added">+ 市は補正予算として<ins>6</ins>000万円を計上した。</li>', html=True
        )
        self.assertContains(response, '<li class="kiji-diff-same">議会は来月審議する。</li>', html=True)

    def test_any_two_revisions_compare_in_time_order_whichever_is_picked_first(self):
        response = self.compare(self.third, self.first)  # picked newest first: still older → newer
        self.assertContains(response, "<del>5</del>", html=True)
        self.assertContains(response, "+ 議会は<ins>12</ins>月<ins>に</ins>審議する。", html=True)
        self.assertContains(response, "− 議会は<del>来</del>月審議する。", html=True)
        listed = self.client.get(reverse("admin:newsroom_article_revisions", args=[self.article.pk]))
        self.assertContains(listed, 'name="a"', count=3)
        self.assertContains(listed, "選んだ 2 つの版を比べる")

    def test_one_revision_or_another_articles_revision_is_not_a_comparison(self):
        other = self.make_article(status=Article.Status.DRAFT, published_at=None)
        foreign = other.revisions.create(data={"headline": "別の記事"}, created_by=self.editor)
        for a, b in ((self.first, self.first), (self.first, foreign)):
            response = self.compare(a, b)
            self.assertRedirects(response, reverse("admin:newsroom_article_revisions", args=[self.article.pk]))

    def test_revisions_name_staff_by_their_display_names(self):
        listed = self.client.get(reverse("admin:newsroom_article_revisions", args=[self.article.pk]))
        self.assertContains(listed, "<td>山田 花子</td>", count=3, html=True)
        self.assertNotContains(listed, "<td>writer</td>", html=True)
        self.assertContains(self.compare(self.first, self.third), "山田 花子", count=2)
