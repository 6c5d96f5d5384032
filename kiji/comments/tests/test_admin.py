"""The moderation queue in the admin: order, bulk actions with a reason, the record of actions, roles."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from kiji.comments.models import Comment, ModerationAction, Visitor
from kiji.comments.tests.base import CommentsTestCase


class ModerationQueueTests(CommentsTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.editor)

    def test_pending_and_reported_come_first_with_the_reason(self):
        self.make_comment("掲載済みのコメント")
        self.make_comment("保留のコメント", status=Comment.Status.PENDING, held_reason="NGワード: ばか")
        self.make_comment("通報されたコメント", status=Comment.Status.HIDDEN, report_count=3)
        self.make_comment("新しい掲載済み")
        html = self.client.get("/admin/comments/comment/").content.decode()
        positions = [
            html.index(t) for t in ("通報されたコメント", "保留のコメント", "新しい掲載済み", "掲載済みのコメント")
        ]
        self.assertEqual(positions, sorted(positions))
        self.assertIn("NGワード: ばか", html)

    def test_each_row_names_the_commenter_under_the_comment_and_why_it_is_held_under_its_status(self):
        """Six columns, so the queue fits beside the navigation sidebar at 1280 px; nothing of the nine is lost."""
        held = self.make_comment("保留のコメント", status=Comment.Status.PENDING, held_reason="NGワード: ばか")
        held.nickname, held.report_count, held.like_count = "川崎の読者", 2, 5
        held.save()
        response = self.client.get("/admin/comments/comment/")
        headers = [column["text"] for column in response.context["result_headers"][1:]]
        self.assertEqual(headers, ["コメント", "状態", "通報", "共感", "記事", "投稿日時"])
        row = response.content.decode().split(f'value="{held.pk}"')[1].split("</tr>")[0]
        cells = dict(re.findall(r'class="field-(\w+)"[^>]*>(.*?)</t[dh]>', row))
        self.assertIn('保留のコメント<small class="kiji-nickname">川崎の読者</small>', cells["excerpt"])
        self.assertEqual(
            cells["status_and_reason"], '確認待ち<small class="kiji-held">保留の理由：NGワード: ばか</small>'
        )
        self.assertEqual((cells["open_reports"], cells["like_count"]), ("2", "5"))
        self.assertEqual(cells["posted"], timezone.localtime(held.created_at).strftime("%Y-%m-%d %H:%M"))
        self.make_comment("通報のないコメント", status=Comment.Status.PENDING)
        for order, first in (("3", "通報のないコメント"), ("-3", "保留のコメント")):  # sorted by the 通報 column
            html = self.client.get(f"/admin/comments/comment/?o={order}").content.decode()
            self.assertLess(html.index(first), html.index(({"通報のないコメント", "保留のコメント"} - {first}).pop()))

    def test_bulk_approve_with_a_reason_is_recorded_and_visible(self):
        comments = [self.make_comment(f"保留{i}", status=Comment.Status.PENDING) for i in range(3)]
        response = self.client.post(
            "/admin/comments/comment/",
            {"action": "approve", "_selected_action": [c.pk for c in comments], "reason": "問題なし"},
            follow=True,
        )
        self.assertContains(response, "3")
        self.assertEqual(set(Comment.objects.values_list("status", flat=True)), {"approved"})
        log = self.client.get("/admin/comments/moderationaction/").content.decode()
        self.assertIn("問題なし", log)
        self.assertIn("editor", log)
        self.assertEqual(ModerationAction.objects.filter(kind="approve", by=self.editor).count(), 3)

    def test_reject_spam_and_ban_from_the_queue(self):
        spam = self.make_comment("激安商品はこちら", visitor_key="spammer", status=Comment.Status.PENDING)
        rude = self.make_comment("失礼なコメント", status=Comment.Status.PENDING)
        self.client.post("/admin/comments/comment/", {"action": "mark_spam", "_selected_action": [spam.pk]})
        self.client.post(
            "/admin/comments/comment/", {"action": "reject", "_selected_action": [rude.pk], "reason": "誹謗中傷"}
        )
        self.client.post("/admin/comments/comment/", {"action": "ban_7_days", "_selected_action": [spam.pk]})
        spam.refresh_from_db()
        rude.refresh_from_db()
        self.assertEqual((spam.status, rude.status), ("spam", "rejected"))
        self.assertIsNotNone(Visitor.objects.get(key="spammer").banned_until)
        kinds = set(ModerationAction.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, {"spam", "reject", "ban"})

    def test_the_comment_page_shows_the_visitors_recent_comments_and_history(self):
        older = self.make_comment("前に書いたコメント", visitor_key="v1", status=Comment.Status.REJECTED)
        comment = self.make_comment("今回のコメント", visitor_key="v1", status=Comment.Status.PENDING)
        self.client.post(
            "/admin/comments/comment/", {"action": "approve", "_selected_action": [comment.pk], "reason": "確認済み"}
        )
        self.reader().post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})
        html = self.client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
        self.assertIn("前に書いたコメント", html)
        self.assertIn("誹謗中傷・差別 1", html)
        self.assertIn("確認済み", html)
        self.assertTrue(older.pk)

    def test_a_writer_cannot_moderate(self):
        comment = self.make_comment("保留", status=Comment.Status.PENDING)
        self.client.force_login(self.writer_user)
        response = self.client.post("/admin/comments/comment/", {"action": "approve", "_selected_action": [comment.pk]})
        self.assertEqual(response.status_code, 403)
        comment.refresh_from_db()
        self.assertEqual(comment.status, "pending")

    def test_the_section_admin_shows_a_hidden_section_again(self):
        from kiji.comments.models import CommentSection

        section = CommentSection.objects.create(article=self.article, hidden=True)
        self.client.post("/admin/comments/commentsection/", {"action": "show_again", "_selected_action": [section.pk]})
        section.refresh_from_db()
        self.assertFalse(section.hidden)
        self.assertTrue(ModerationAction.objects.filter(kind="section_show", by=self.editor).exists())

    def test_a_moderator_moderates_comments_but_not_articles(self):
        from django.contrib.auth.models import Group, User

        from kiji.comments.apps import MODERATORS_GROUP, ensure_moderators_group

        ensure_moderators_group()
        moderator = User.objects.create_user("moderator", password="pw", is_staff=True)
        moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        comment = self.make_comment("保留", status=Comment.Status.PENDING)
        self.client.force_login(moderator)
        self.client.post("/admin/comments/comment/", {"action": "approve", "_selected_action": [comment.pk]})
        comment.refresh_from_db()
        self.assertEqual(comment.status, "approved")
        response = self.client.get(f"/admin/newsroom/article/{self.article.pk}/change/")
        self.assertNotContains(response, 'name="_save"', status_code=response.status_code)
        self.assertFalse(moderator.has_perm("newsroom.change_article"))

    def test_the_visitor_list_filters_by_ban_in_words(self):
        """禁止中, 期限切れ, 禁止なし instead of the date choices (日付なし meant "not banned")."""
        now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 12:00 JST
        for key, until in (
            ("banned-for-a-week", now + timedelta(days=7)),
            ("banned-until-a-minute-from-now", now + timedelta(minutes=1)),
            ("ban-ran-out-yesterday", now - timedelta(days=1)),
            ("never-banned", None),
        ):
            Visitor.objects.create(key=key, banned_until=until)
        with time_machine.travel(now, tick=False):
            page = self.client.get("/admin/comments/visitor/").content.decode()
            filters = page.split('id="changelist-filter"')[1]
            for label in ("投稿禁止", "禁止中", "期限切れ", "禁止なし"):
                self.assertIn(label, filters)
            for date_choice in ("今日", "過去 7 日間", "日付なし", "日付あり"):
                self.assertNotIn(date_choice, filters)
            listed = {}
            for choice in ("banned", "expired", "none"):
                html = self.client.get(f"/admin/comments/visitor/?ban={choice}").content.decode()
                listed[choice] = set(re.findall(r">visitor (\S{8})<", html))
        self.assertEqual(
            listed,
            {"banned": {"banned-f", "banned-u"}, "expired": {"ban-ran-"}, "none": {"never-ba"}},
        )
