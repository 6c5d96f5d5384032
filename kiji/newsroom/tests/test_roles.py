"""Roles through the real admin: writers, editors, administrators."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from kiji.newsroom.models import Article, Revision
from kiji.newsroom.permissions import ADMINISTRATORS_GROUP, WRITERS_GROUP
from kiji.newsroom.tests.base import AdminTestCase

Status = Article.Status


class WriterTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.writer_user)

    def test_it_lets_a_writer_create_a_draft_with_their_byline_and_a_revision(self):
        response = self.client.post(self.add_url, self.form_data(headline="記者が書いた記事"))
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(headline="記者が書いた記事")
        self.assertEqual(article.status, Status.DRAFT)
        self.assertEqual(article.created_by, self.writer_user)
        self.assertEqual(list(article.writers.all()), [self.writer])
        self.assertEqual(article.revisions.count(), 1)

    def test_it_prefills_the_writers_own_byline_on_the_add_form(self):
        response = self.client.get(self.add_url)
        self.assertContains(response, f'<option value="{self.writer.pk}" selected>')

    def test_it_offers_a_writer_only_draft_and_review(self):
        response = self.client.get(self.add_url)
        self.assertContains(response, 'value="review"')
        self.assertNotContains(response, 'value="published"')
        self.assertNotContains(response, 'value="scheduled"')
        self.assertNotContains(response, 'name="_publish"')
        self.assertContains(response, 'name="_submit_review"')

    def test_it_refuses_a_posted_published_status_from_a_writer(self):
        for status in (Status.PUBLISHED, Status.SCHEDULED, Status.UNPUBLISHED):
            response = self.client.post(
                self.add_url, self.form_data(headline=f"勝手に{status}", status=status, published_at=timezone.now())
            )
            self.assertEqual(response.status_code, 200)  # the form comes back with an error
            self.assertFalse(Article.objects.filter(headline=f"勝手に{status}").exists())

    def test_it_refuses_the_publish_button_from_a_writer(self):
        article = self.make_article(status=Status.DRAFT, published_at=None, created_by=self.writer_user)
        response = self.client.post(self.change_url(article), {**self.form_data(article), "_publish": "公開"})
        self.assertEqual(response.status_code, 403)
        article.refresh_from_db()
        self.assertEqual(article.status, Status.DRAFT)

    def test_it_ignores_the_publish_action_posted_by_a_writer(self):
        article = self.make_article(status=Status.DRAFT, published_at=None)
        self.client.post(self.changelist_url, {"action": "publish_selected", "_selected_action": [article.pk]})
        article.refresh_from_db()
        self.assertEqual(article.status, Status.DRAFT)
        self.assertNotContains(self.client.get(self.changelist_url), "publish_selected")

    def test_it_lets_a_writer_edit_their_own_draft_and_submit_it_for_review(self):
        article = self.make_article(status=Status.DRAFT, published_at=None)
        data = {**self.form_data(article, headline="見出しを直した"), "_submit_review": "レビュー依頼"}
        response = self.client.post(self.change_url(article), data)
        self.assertRedirects(response, self.change_url(article))
        article.refresh_from_db()
        self.assertEqual((article.headline, article.status), ("見出しを直した", Status.REVIEW))
        self.assertEqual(article.revisions.first().note, "レビュー依頼済み")

    def test_it_hides_and_protects_another_writers_article(self):
        article = self.make_article(
            status=Status.DRAFT, published_at=None, writers=[self.other_writer], created_by=self.other_writer_user
        )
        self.assertNotContains(self.client.get(self.changelist_url), article.headline)
        self.assertRedirects(self.client.get(self.change_url(article)), reverse("admin:index"))
        self.client.post(self.change_url(article), self.form_data(article, headline="乗っ取り"))
        article.refresh_from_db()
        self.assertEqual(article.headline, "国会で予算案が可決")

    def test_it_shows_a_writer_their_published_article_read_only(self):
        article = self.make_article()  # published, with the writer's byline
        response = self.client.get(self.change_url(article))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="headline"')
        response = self.client.post(self.change_url(article), self.form_data(article, headline="公開後に改変"))
        self.assertEqual(response.status_code, 403)
        article.refresh_from_db()
        self.assertEqual(article.headline, "国会で予算案が可決")

    def test_it_does_not_let_a_writer_manage_users(self):
        self.assertEqual(self.client.get(reverse("admin:auth_user_changelist")).status_code, 403)


class EditorTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def test_it_lets_an_editor_edit_any_article_and_publish_it_with_the_button(self):
        article = self.make_article(status=Status.REVIEW, published_at=None, writers=[self.other_writer])
        response = self.client.post(
            self.change_url(article), {**self.form_data(article, headline="編集長が直した"), "_publish": "公開"}
        )
        self.assertRedirects(response, self.change_url(article))
        article.refresh_from_db()
        self.assertEqual((article.headline, article.status), ("編集長が直した", Status.PUBLISHED))
        self.assertLessEqual(article.published_at, timezone.now())
        self.assertContains(self.client.get(article.get_absolute_url()), "編集長が直した")

    def test_it_schedules_when_the_editor_sets_a_future_time(self):
        when = timezone.now() + timedelta(hours=3)
        article = self.make_article(status=Status.REVIEW, published_at=None)
        self.client.post(self.change_url(article), self.form_data(article, status=Status.PUBLISHED, published_at=when))
        article.refresh_from_db()
        self.assertEqual(article.status, Status.SCHEDULED)
        response = self.client.get(self.changelist_url)
        self.assertContains(response, "予約公開")
        self.assertContains(response, timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M"))

    def test_it_asks_for_a_future_time_when_scheduling(self):
        article = self.make_article(status=Status.REVIEW, published_at=None)
        response = self.client.post(self.change_url(article), {**self.form_data(article), "_schedule": "予約公開"})
        self.assertContains(response, "未来の公開日時")
        article.refresh_from_db()
        self.assertEqual(article.status, Status.REVIEW)

    def test_it_unpublishes_with_the_admin_action(self):
        article = self.make_article()
        response = self.client.post(
            self.changelist_url, {"action": "unpublish_selected", "_selected_action": [article.pk], "confirm": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        article.refresh_from_db()
        self.assertEqual(article.status, Status.UNPUBLISHED)
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        self.assertEqual(Revision.objects.filter(article=article).first().note, "非公開にしました")

    def test_it_publishes_with_the_admin_action(self):
        article = self.make_article(status=Status.REVIEW, published_at=None)
        self.client.post(self.changelist_url, {"action": "publish_selected", "_selected_action": [article.pk]})
        article.refresh_from_db()
        self.assertEqual(article.status, Status.PUBLISHED)

    def test_it_does_not_let_an_editor_manage_users(self):
        self.assertEqual(self.client.get(reverse("admin:auth_user_changelist")).status_code, 403)


class AdministratorTests(AdminTestCase):
    def test_it_lets_an_administrator_add_a_writer_to_the_writers_group(self):
        from django.contrib.auth import get_user_model

        manager = get_user_model().objects.create_user("manager", password="pw", is_staff=True)
        manager.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
        self.client.force_login(manager)
        self.assertContains(self.client.get(reverse("admin:auth_user_changelist")), "writer2")
        response = self.client.post(
            reverse("admin:auth_user_add"),
            {
                "username": "newcomer",
                "password1": "kiji-Strong-pass-91",
                "password2": "kiji-Strong-pass-91",
                "usable_password": "true",
                "role": WRITERS_GROUP,
                "display_name": "新人 記者",
            },
        )
        self.assertEqual(response.status_code, 302)
        newcomer = get_user_model().objects.get(username="newcomer")
        self.assertEqual((newcomer.is_staff, newcomer.writer.name), (True, "新人 記者"))

    def test_it_never_lets_a_non_superuser_administrator_grant_superuser(self):
        from django.contrib.auth import get_user_model

        manager = get_user_model().objects.create_user("manager", password="pw", is_staff=True)
        manager.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
        self.client.force_login(manager)
        response = self.client.get(reverse("admin:auth_user_change", args=[manager.pk]))
        self.assertNotContains(response, 'name="is_superuser"')

    def test_it_lets_the_superuser_see_groups(self):
        self.client.force_login(self.admin)
        self.assertContains(self.client.get(reverse("admin:auth_group_changelist")), "編集者")


class VisibilityTests(AdminTestCase):
    """One rule of what a staff member may see: the admin's list, the preview and the Python check agree."""

    def test_the_admin_list_the_preview_and_can_view_show_each_role_the_same_articles(self):
        from kiji.newsroom.permissions import can_view

        own = self.make_article(headline="自分の下書き", status=Status.DRAFT, published_at=None)
        created = self.make_article(
            headline="書いたが署名なし", status=Status.DRAFT, published_at=None, writers=[], created_by=self.writer_user
        )
        other = self.make_article(
            headline="同僚の下書き", status=Status.DRAFT, published_at=None, writers=[self.other_writer]
        )
        everything = {own, created, other}
        for user, expected in [
            (self.writer_user, {own, created}),
            (self.other_writer_user, {other}),
            (self.editor, everything),
            (self.admin, everything),
        ]:
            with self.subTest(user=user.username):
                self.assertEqual(set(Article.objects.visible_to(user)), expected)
                self.assertEqual({a for a in everything if can_view(user, a)}, expected)
                self.client.force_login(user)
                listed = self.client.get(self.changelist_url).content.decode()
                self.assertEqual({a for a in everything if a.headline in listed}, expected)
                previews = {a for a in everything if self.client.get(f"/preview/articles/{a.pk}/").status_code == 200}
                self.assertEqual(previews, expected)
        self.writer_user.is_active = False
        self.writer_user.save()
        self.assertEqual(list(Article.objects.visible_to(self.writer_user)), [])
