"""Editors' analytics in the admin: the dashboard, per-article charts, picks."""

from datetime import timedelta

from kiji.audience import lists
from kiji.audience.models import EditorPick
from kiji.audience.tests.base import AudienceTestCase


class AnalyticsAdminTests(AudienceTestCase):
    def setUp(self):
        super().setUp()
        self.article = self.make_article(headline="首相が会見", published_at=self.clock - timedelta(days=2))
        self.add_views(self.article, 40)
        self.add_views(self.article, 25, hours_ago=3)
        self.add_views(self.article, 12, hours_ago=30)
        lists.compute_lists()

    def test_editors_reach_the_dashboard_from_the_admin_index(self):
        self.client.force_login(self.editor)
        index = self.client.get("/admin/")
        self.assertContains(index, "/admin/audience/articleviewhour/")
        page = self.client.get("/admin/audience/articleviewhour/")
        self.assertContains(page, "首相が会見")
        self.assertContains(page, '<svg class="chart"', count=1)
        self.assertContains(page, "77")  # views in the last 30 days
        self.assertContains(page, "一覧は毎分更新されます。")  # how fresh the figures are, in Japanese
        self.assertNotContains(page, "Lists are recomputed")

    def test_the_article_page_charts_hours_and_days_and_shows_the_rank(self):
        self.client.force_login(self.editor)
        page = self.client.get(f"/admin/audience/articleviewhour/article/{self.article.pk}/")
        self.assertContains(page, '<svg class="chart"', count=2)
        self.assertContains(page, "<rect", count=48 + 30)
        self.assertContains(page, "<td>直近24時間</td><td>65</td><td>1</td><td>1</td>", html=False)

    def test_writers_without_the_permission_cannot_see_analytics(self):
        self.client.force_login(self.writer_user)
        self.assertEqual(self.client.get("/admin/audience/articleviewhour/").status_code, 403)
        self.assertEqual(
            self.client.get(f"/admin/audience/articleviewhour/article/{self.article.pk}/").status_code, 403
        )

    def test_a_pick_added_in_the_admin_shows_at_once(self):
        pinned = self.make_article(headline="編集部が選んだ記事")
        self.client.force_login(self.editor)
        response = self.client.post(
            "/admin/audience/editorpick/add/",
            {"article": pinned.pk, "position": 0, "expires_at_0": "", "expires_at_1": ""},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(EditorPick.objects.get().created_by, self.editor)
        self.assertEqual(lists.recommended()[0].headline, "編集部が選んだ記事")
