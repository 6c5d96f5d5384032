"""Editors configure partners in the admin and keep articles from them (配信しない)."""

from django.urls import reverse

from kiji.distribution.models import OptOut, Partner
from kiji.newsroom.tests.base import AdminTestCase, _formset


class PartnerAdminTests(AdminTestCase):
    add_partner_url = reverse("admin:distribution_partner_add")

    def partner_data(self, **fields):
        return {
            "name": "ポータル",
            "format": "rss",
            "active": "on",
            "categories": [],
            "embargo_minutes": 0,
            "max_items": 50,
            "full_text": "on",
            "images": "on",
            "related_links": 3,
            "sponsored_prefix": "【{label}】",
            "allowed_networks": "",
            **fields,
        }

    def test_an_editor_adds_a_partner_and_sees_its_unguessable_feed_url(self):
        self.client.force_login(self.editor)
        response = self.client.post(self.add_partner_url, self.partner_data(allowed_networks="203.0.113.0/24"))
        self.assertEqual(response.status_code, 302)
        partner = Partner.objects.get(name="ポータル")
        self.assertGreaterEqual(len(partner.token), 40)
        change = self.client.get(reverse("admin:distribution_partner_change", args=[partner.pk]))
        self.assertContains(change, f"/partners/{partner.token}/feed.xml")

    def test_a_bad_setting_is_refused_with_the_field_named(self):
        self.client.force_login(self.editor)
        for field, value in (
            ("allowed_networks", "203.0.113.0/24\nどこか"),
            ("max_items", 0),
            ("related_links", 11),
            ("embargo_minutes", -5),
            ("name", "ポータル\x07"),
            ("sponsored_prefix", "【{広告}】"),
            ("sponsored_prefix", "[PR] "),
        ):
            with self.subTest(field):
                response = self.client.post(self.add_partner_url, self.partner_data(**{field: value}))
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["adminform"].form.errors.get(field), field)
                self.assertContains(response, "どこか" if field == "allowed_networks" else "ポータル")
        self.assertFalse(Partner.objects.filter(name="ポータル").exists())


class OptOutAdminTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.portal = Partner.objects.create(name="ポータル")
        cls.article = cls.make_article(headline="配信しない記事")

    def test_the_article_form_keeps_an_article_from_a_partner(self):
        self.client.force_login(self.editor)
        page = self.client.get(self.change_url(self.article))
        self.assertContains(page, "配信しない")
        data = self.form_data(self.article)
        data.update(_formset("partner_opt_outs", [], extra=[{"partner": self.portal.pk}]))
        response = self.client.post(self.change_url(self.article), data)
        self.assertEqual(response.status_code, 302, response.context and response.context["errors"])
        self.assertTrue(OptOut.objects.filter(article=self.article, partner=self.portal).exists())

    def test_the_bulk_action_keeps_selected_articles_from_a_partner(self):
        other = self.make_article(headline="もう一つ")
        self.client.force_login(self.editor)
        response = self.client.post(
            self.changelist_url,
            {"action": f"opt_out_{self.portal.pk}", "_selected_action": [self.article.pk, other.pk]},
            follow=True,
        )
        self.assertContains(response, "ポータル")
        self.assertEqual(OptOut.objects.filter(partner=self.portal).count(), 2)

    def test_a_writer_cannot_opt_out_someone_elses_article(self):
        self.client.force_login(self.other_writer_user)
        self.client.post(
            self.changelist_url, {"action": f"opt_out_{self.portal.pk}", "_selected_action": [self.article.pk]}
        )
        self.assertFalse(OptOut.objects.exists())
