"""Security review (issue 11) in the newsroom: roles are a ceiling, through the admin's own doors."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kiji.newsroom.models import Article, Image
from kiji.newsroom.permissions import ADMINISTRATORS_GROUP
from kiji.newsroom.tests.base import AdminTestCase
from kiji.newsroom.tests.test_images import picture_bytes

Status = Article.Status


class AdministratorCeilingTests(AdminTestCase):
    """#1: a 管理者 who is not a superuser cannot reach above their own role."""

    def setUp(self):
        self.manager = get_user_model().objects.create_user("manager", password="pw", is_staff=True)
        self.manager.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
        self.client.force_login(self.manager)

    def test_it_refuses_to_set_a_superusers_password(self):
        url = reverse("admin:auth_user_password_change", args=[self.admin.pk])
        response = self.client.post(url, {"password1": "kiji-Taken-over-77", "password2": "kiji-Taken-over-77"})
        self.assertEqual(response.status_code, 403)
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.check_password("pw"))

    def test_it_refuses_to_deactivate_a_superuser(self):
        url = reverse("admin:auth_user_change", args=[self.admin.pk])
        response = self.client.post(url, {"username": "admin", "is_staff": "on", "is_active": ""})
        self.assertEqual(response.status_code, 403)
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.is_active)

    def test_it_refuses_to_delete_a_superuser(self):
        self.client.post(reverse("admin:auth_user_delete", args=[self.admin.pk]), {"post": "yes"})
        self.assertTrue(get_user_model().objects.filter(pk=self.admin.pk).exists())

    def test_it_refuses_to_widen_its_own_groups_permissions(self):
        group = Group.objects.get(name=ADMINISTRATORS_GROUP)
        before = set(group.permissions.values_list("pk", flat=True))
        everything = list(Permission.objects.values_list("pk", flat=True))
        self.client.post(
            reverse("admin:auth_group_change", args=[group.pk]), {"name": group.name, "permissions": everything}
        )
        self.assertEqual(set(group.permissions.values_list("pk", flat=True)), before)
        self.manager = get_user_model().objects.get(pk=self.manager.pk)  # forget the permission cache
        self.assertFalse(self.manager.has_perm("auth.delete_permission"))

    def test_it_refuses_to_strip_a_groups_permissions(self):
        group = Group.objects.get(name="編集者")
        before = group.permissions.count()
        self.client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": group.name, "permissions": []})
        self.assertEqual(group.permissions.count(), before)

    def test_it_offers_only_groups_within_its_own_permissions(self):
        mighty = Group.objects.create(name="全権")
        mighty.permissions.set(Permission.objects.all())
        response = self.client.get(reverse("admin:auth_user_change", args=[self.writer_user.pk]))
        self.assertNotContains(response, "全権")
        self.assertContains(response, "記者")

    def test_it_still_manages_ordinary_staff(self):
        url = reverse("admin:auth_user_password_change", args=[self.writer_user.pk])
        response = self.client.post(url, {"password1": "kiji-New-pass-91", "password2": "kiji-New-pass-91"})
        self.assertEqual(response.status_code, 302)


class WriterImageTests(AdminTestCase):
    """#2: a writer changes only pictures they uploaded that no reader sees."""

    def setUp(self):
        self.client.force_login(self.writer_user)

    def _image(self, by):
        return Image.objects.create(
            file=SimpleUploadedFile("a.png", picture_bytes("PNG", size=(40, 30))), caption="元の説明", uploaded_by=by
        )

    def _replace(self, image):
        upload = SimpleUploadedFile("evil.png", picture_bytes("PNG", size=(60, 30)), content_type="image/png")
        return self.client.post(
            reverse("admin:newsroom_image_change", args=[image.pk]),
            {"file": upload, "alt": "", "caption": "差し替え", "credit": ""},
        )

    def test_it_refuses_a_writer_replacing_a_published_articles_lead_image(self):
        image = self._image(self.writer_user)
        self.make_article(lead_image=image)  # published
        self._replace(image)
        image.refresh_from_db()
        self.assertEqual((image.caption, image.width), ("元の説明", 40))

    def test_it_refuses_a_writer_changing_another_users_image(self):
        image = self._image(self.editor)
        self._replace(image)
        image.refresh_from_db()
        self.assertEqual(image.caption, "元の説明")

    def test_it_lets_a_writer_change_their_own_unpublished_image(self):
        image = self._image(self.writer_user)
        self.make_article(lead_image=image, status=Status.DRAFT, published_at=None)
        self.assertEqual(self._replace(image).status_code, 302)
        image.refresh_from_db()
        self.assertEqual((image.caption, image.width), ("差し替え", 60))

    def test_an_editor_may_change_a_published_image(self):
        image = self._image(self.writer_user)
        self.make_article(lead_image=image)
        self.client.force_login(self.editor)
        self.assertEqual(self._replace(image).status_code, 302)


class WriterBylineTests(AdminTestCase):
    """#13: a writer's article always bylines that writer, so they cannot send another's name to review."""

    def test_it_keeps_the_writers_byline_on_an_article_sent_to_review(self):
        self.client.force_login(self.writer_user)
        data = {**self.form_data(writers=[self.other_writer], headline="なりすまし"), "_submit_review": "1"}
        self.client.post(self.add_url, data)
        article = Article.objects.get(headline="なりすまし")
        self.assertIn(self.writer, list(article.writers.all()))

    def test_the_service_refuses_review_without_the_writers_byline(self):
        from django.core.exceptions import PermissionDenied

        from kiji.newsroom.services.publishing import submit_for_review

        article = self.make_article(
            status=Status.DRAFT, published_at=None, writers=[self.other_writer], created_by=self.writer_user
        )
        with self.assertRaises(PermissionDenied):
            submit_for_review(article=article, by=self.writer_user)


class ViewOnSiteTests(AdminTestCase):
    """#14: /admin/r/<ct>/<id>/ tells a draft's address only to someone who may see the draft."""

    def test_it_hides_another_writers_draft_slug(self):
        article = self.make_article(
            status=Status.DRAFT,
            published_at=None,
            slug="secret-scoop",
            writers=[self.other_writer],
            created_by=self.other_writer_user,
        )
        self.client.force_login(self.writer_user)
        ct = ContentType.objects.get_for_model(Article)
        response = self.client.get(f"/admin/r/{ct.pk}/{article.pk}/")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("secret-scoop", response.get("Location", ""))

    def test_it_still_sends_an_editor_to_the_page(self):
        article = self.make_article(slug="open-news")
        self.client.force_login(self.editor)
        ct = ContentType.objects.get_for_model(Article)
        response = self.client.get(f"/admin/r/{ct.pk}/{article.pk}/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("open-news", response["Location"])


class ControlCharacterTests(AdminTestCase):
    """#6: a control character never enters a text field, and one already stored never breaks a feed."""

    def test_the_admin_refuses_a_control_character_in_the_headline_and_names_the_field(self):
        self.client.force_login(self.editor)
        response = self.client.post(self.add_url, self.form_data(headline="予算案\x0bが可決"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "見出し")
        self.assertContains(response, "U+000B")
        self.assertFalse(Article.objects.filter(headline__contains="予算案").exists())

    def test_the_admin_keeps_newlines_in_the_body(self):
        self.client.force_login(self.editor)
        self.client.post(self.add_url, self.form_data(headline="改行のある本文", body="<p>一行目\n二行目</p>"))
        self.assertTrue(Article.objects.filter(headline="改行のある本文").exists())

    def test_other_models_refuse_them_too(self):
        from django.core.exceptions import ValidationError

        from kiji.newsroom.models import Category

        with self.assertRaises(ValidationError) as caught:
            Category(name="政治\x00", slug="x", position=9).full_clean()
        self.assertIn("name", caught.exception.error_dict)

    def test_feeds_and_the_news_sitemap_stay_valid_xml_with_a_stored_control_character(self):
        import xml.dom.minidom

        article = self.make_article(headline="見出し")
        Article.objects.filter(pk=article.pk).update(headline="見出し\x08\x1b[31m", deck="説明\x0c")
        for url in ("/feeds/rss/", "/feeds/atom/", "/feeds/category/politics/rss/", "/sitemap-news.xml"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            xml.dom.minidom.parseString(response.content)  # raises on invalid XML

    def test_a_saved_headline_loses_its_control_characters(self):
        article = self.make_article(headline="取り込み\x07記事")
        self.assertEqual(article.headline, "取り込み記事")


class AdminLoginThrottleTests(AdminTestCase):
    """#15: guessing a password through /admin/login/ is throttled, for minutes, not for ever."""

    login_url = "/admin/login/"

    def setUp(self):
        from django.core.cache import cache

        cache.clear()

    def _try(self, password, *, ip="203.0.113.5", username="editor"):
        from django.test import Client

        return Client(REMOTE_ADDR=ip).post(self.login_url, {"username": username, "password": password})

    def test_the_sixth_guess_is_refused_even_with_the_right_password_then_allowed_after_the_window(self):
        import time_machine
        from django.utils import timezone

        for i in range(5):
            self.assertEqual(self._try(f"guess-{i}").status_code, 200)
        response = self._try("pw")
        self.assertContains(response, "ログインの失敗が多すぎます")
        with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
            self.assertEqual(self._try("pw").status_code, 302)

    def test_the_editor_at_their_own_desk_still_logs_in_while_an_attacker_guesses(self):
        for i in range(10):
            self._try(f"guess-{i}", ip="198.51.100.66")
        self.assertEqual(self._try("pw", ip="192.0.2.10").status_code, 302)

    def test_one_address_spraying_many_accounts_is_refused(self):
        for i in range(20):
            self._try("password1", username=f"user{i}", ip="198.51.100.77")
        self.assertContains(self._try("pw", ip="198.51.100.77"), "ログインの失敗が多すぎます")

    def test_guesses_spread_over_several_workers_count_together(self):
        # Each worker of one machine without Redis has its own in-memory cache (emptied here between
        # guesses, as if each went to another worker): five failures are five wherever they landed.
        from django.core.cache import cache

        for i in range(5):
            cache.clear()
            self.assertEqual(self._try(f"guess-{i}").status_code, 200)
        cache.clear()
        self.assertContains(self._try("pw"), "ログインの失敗が多すぎます")

    def test_a_very_long_login_name_from_an_ipv6_address_is_counted_too(self):
        # Without Redis the count is a database row whose key column takes 200 characters: a 150-character
        # name and an IPv6 address must still fit (PostgreSQL refused the longer key with an error).
        from kiji.comments.models import Counter

        name = "あ" * 150
        address = "2001:db8:85a3:1234:5678:8a2e:370:7334"
        for i in range(5):
            self.assertEqual(self._try(f"guess-{i}", ip=address, username=name).status_code, 200)
        self.assertContains(self._try("pw", ip=address, username=name), "ログインの失敗が多すぎます")
        limit = Counter._meta.get_field("key").max_length
        self.assertTrue(all(len(key) <= limit for key in Counter.objects.values_list("key", flat=True)))
