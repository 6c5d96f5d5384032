"""Standing pages: editors write them in the admin, readers find them under /page/ and in the footer."""

from kiji.pages.models import Page
from kiji.redirects.models import Redirect
from kiji.testing import NewsroomTestCase


class PageTests(NewsroomTestCase):
    def test_an_editor_adds_a_page_and_readers_find_it_in_the_footer(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            "/admin/pages/page/add/",
            {
                "title": "会社概要",
                "slug": "company",
                "body": "<p>株式会社キジ</p><script>x()</script>",
                "status": "published",
                "in_footer": "on",
                "position": "1",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.client.logout()
        home = self.client.get("/")
        self.assertContains(home, '<a href="/page/company/">会社概要</a>', html=True)
        page = self.client.get("/page/company/")
        self.assertContains(page, "株式会社キジ")
        self.assertNotContains(page, "x()")

    def test_a_child_page_lives_under_its_parent_and_a_draft_is_not_shown(self):
        about = Page.objects.create(title="会社概要", slug="company", status=Page.Status.PUBLISHED)
        Page.objects.create(title="アクセス", slug="access", parent=about, status=Page.Status.PUBLISHED)
        Page.objects.create(title="準備中", slug="draft")
        self.assertContains(self.client.get("/page/company/access/"), "会社概要")  # the breadcrumb
        self.assertEqual(self.client.get("/page/draft/").status_code, 404)

    def test_a_writer_cannot_edit_pages_or_redirects(self):
        self.client.force_login(self.writer_user)
        self.assertEqual(self.client.get("/admin/pages/page/").status_code, 403)
        self.assertEqual(self.client.get("/admin/redirects/redirect/").status_code, 403)

    def test_an_editor_edits_a_redirect_in_the_admin(self):
        self.client.force_login(self.editor)
        self.client.post("/admin/redirects/redirect/add/", {"old_path": "/old-about/", "new_path": "/page/company/"})
        self.assertEqual(Redirect.objects.get().new_path, "/page/company/")

    def test_a_second_page_at_the_same_address_gets_a_message_not_an_error(self):
        Page.objects.create(title="会社概要", slug="company", status=Page.Status.PUBLISHED)
        self.client.force_login(self.editor)
        response = self.client.post(
            "/admin/pages/page/add/", {"title": "会社案内", "slug": "company", "status": "draft", "position": "0"}
        )
        self.assertContains(response, "このアドレスの固定ページはすでにあります")
        self.assertEqual(Page.objects.count(), 1)
