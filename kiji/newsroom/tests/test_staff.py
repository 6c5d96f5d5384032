"""Staff set-up in one screen: a login, its role (which lets them log in) and its writer profile."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from kiji.newsroom.models import Writer
from kiji.newsroom.permissions import WRITERS_GROUP
from kiji.newsroom.services.staff import romaji_slug
from kiji.newsroom.tests.base import AdminTestCase

ADD_URL = reverse("admin:auth_user_add")


def new_staff(**fields) -> dict:
    return {
        "username": "tanaka",
        "usable_password": "true",
        "password1": "kiji-Pass-2026!x",
        "password2": "kiji-Pass-2026!x",
        "role": WRITERS_GROUP,
        "display_name": "田中 美咲",
        "writer_slug": "",
        "email": "misaki@news.example.jp",
        **fields,
    }


class StaffSetUpTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.admin)

    def test_one_form_makes_a_login_in_its_role_with_a_writer_profile_that_can_log_in(self):
        response = self.client.post(ADD_URL, new_staff())
        self.assertEqual(response.status_code, 302, response.content.decode()[-2000:])
        user = get_user_model().objects.get(username="tanaka")
        self.assertTrue(user.is_staff)  # the role implies staff access
        self.assertEqual(list(user.groups.values_list("name", flat=True)), [WRITERS_GROUP])
        self.assertEqual(user.email, "misaki@news.example.jp")
        self.assertEqual((user.writer.name, user.writer.slug), ("田中 美咲", "tanaka-misaki"))

        self.client.logout()
        self.assertTrue(self.client.login(username="tanaka", password="kiji-Pass-2026!x"))
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)

    def test_the_slug_stays_editable_and_a_taken_one_is_refused_keeping_the_form(self):
        self.client.post(ADD_URL, new_staff(writer_slug="misaki-t"))
        self.assertEqual(Writer.objects.get(name="田中 美咲").slug, "misaki-t")
        response = self.client.post(ADD_URL, new_staff(username="tanaka2", writer_slug="misaki-t"))
        self.assertContains(response, "別の記者がこのアドレスを使っています")
        self.assertContains(response, "田中 美咲")  # what was typed stays
        self.assertFalse(get_user_model().objects.filter(username="tanaka2").exists())

    def test_the_same_name_twice_gets_a_free_romaji_slug(self):
        self.client.post(ADD_URL, new_staff())
        self.client.post(ADD_URL, new_staff(username="tanaka2"))
        self.assertEqual(
            sorted(Writer.objects.filter(name="田中 美咲").values_list("slug", flat=True)),
            ["tanaka-misaki", "tanaka-misaki-2"],
        )

    def test_the_form_suggests_the_romaji_address_as_the_name_is_typed(self):
        response = self.client.get(reverse("admin:kiji_romaji"), {"name": "山田 花子"})
        self.assertEqual(response.json(), {"slug": "yamada-hanako-2"})  # yamada-hanako is the cast's
        self.assertEqual(romaji_slug("鈴木一郎"), "suzuki-ichirou")

    def test_a_name_with_control_characters_is_refused(self):
        response = self.client.post(ADD_URL, new_staff(display_name="田中\x07美咲"))
        self.assertContains(response, "制御文字")
        self.assertFalse(get_user_model().objects.filter(username="tanaka").exists())

    def test_putting_a_login_in_a_role_by_hand_lets_it_log_in(self):
        user = get_user_model().objects.create_user("kobayashi", password="pw")
        data = {
            "username": "kobayashi",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [Group.objects.get(name=WRITERS_GROUP).pk],
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2026-11-01",
            "initial-date_joined_1": "09:00:00",
        }
        response = self.client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
        self.assertEqual(response.status_code, 302, response.content.decode()[-2000:])
        user.refresh_from_db()
        self.assertTrue(user.is_staff)

    def test_permission_names_are_japanese(self):
        group = Group.objects.get(name=WRITERS_GROUP)
        page = self.client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
        self.assertIn("ニュースルーム | 記事 | 記事の追加", page)
        self.assertNotIn("Can add article", page)
        publish = Permission.objects.get(codename="publish_article")
        self.assertIn(f'value="{publish.pk}"', page)

    def test_only_those_who_manage_people_may_ask_for_a_romaji_address(self):
        self.client.force_login(self.writer_user)
        self.assertEqual(self.client.get(reverse("admin:kiji_romaji"), {"name": "山田"}).status_code, 403)
