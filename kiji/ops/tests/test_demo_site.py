"""kiji demo: a new site shows its standing pages in the footer too, and a second run adds nothing."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from kiji.pages.models import Page


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


class DemoSiteTests(TestCase):
    def test_a_new_site_links_its_company_privacy_and_contact_pages_from_every_footer(self):
        output = run_demo()

        assert "Demo content loaded" in output
        assert "Standing pages: 3" in output
        footer = self.client.get("/").content.decode().split('id="footer-menu"', 1)[1]
        for slug, title in (("company", "会社概要"), ("privacy", "プライバシーポリシー"), ("contact", "お問い合わせ")):
            assert f'href="/page/{slug}/">{title}</a>' in footer
            page = self.client.get(f"/page/{slug}/")
            assert page.status_code == 200
            assert f"<h1>{title}</h1>" in page.content.decode()

    def test_a_second_run_changes_nothing(self):
        run_demo()
        output = run_demo()

        assert "demo content not loaded" in output
        assert "Standing pages" not in output
        assert Page.objects.count() == 3
