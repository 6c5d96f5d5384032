"""Likes, reports, moderation states and the automatic rules, as readers and moderators see them."""

from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from kiji.comments import services
from kiji.comments.models import Comment, CommentSection, ModerationAction, Visitor
from kiji.comments.tests.base import CommentsTestCase, jst_days_ahead


class LikeTests(CommentsTestCase):
    def test_a_visitor_likes_a_comment_once(self):
        comment = self.make_comment()
        self.client = self.reader()
        self.client.post(f"/comments/{comment.pk}/like/")
        page = self.client.get(self.client.post(f"/comments/{comment.pk}/like/")["Location"])
        self.assertContains(page, "このコメントにはすでに共感しています。")
        self.reader("192.0.2.2").post(f"/comments/{comment.pk}/like/")
        comment.refresh_from_db()
        self.assertEqual(comment.like_count, 2)

    def test_javascript_gets_the_new_count(self):
        comment = self.make_comment()
        response = self.reader().post(f"/comments/{comment.pk}/like/", HTTP_ACCEPT="application/json")
        self.assertEqual(response.json()["likes"], 1)

    def test_most_liked_sorts_first(self):
        quiet = self.make_comment("静かなコメント")
        popular = self.make_comment("人気のコメント", like_count=5)
        html = self.client.get(self.comments_url() + "?sort=liked").content.decode()
        self.assertLess(html.index("人気のコメント"), html.index("静かなコメント"))
        html = self.client.get(self.comments_url() + "?sort=oldest").content.decode()
        self.assertLess(html.index("静かなコメント"), html.index("人気のコメント"))
        self.assertTrue(quiet.pk < popular.pk)

    @override_settings(KIJI_COMMENTS_PAGE_SIZE=2)
    def test_comments_are_paginated(self):
        for i in range(5):
            self.make_comment(f"番号{i}のコメント")
        page = self.client.get(self.comments_url() + "?page=3")
        self.assertContains(page, "番号0のコメント")
        self.assertContains(page, "3 / 3")
        self.assertNotContains(page, "番号4のコメント")

    def test_the_article_page_shows_the_first_ten_and_a_link_to_all(self):
        for i in range(12):
            self.make_comment(f"番号{i}のコメント")
        page = self.article_page()
        self.assertIn("番号11のコメント", page)
        self.assertNotIn("番号1のコメント", page)
        self.assertIn("コメントをすべて見る（12件）", page)


@override_settings(
    KIJI_COMMENTS_REPORTS_TO_HIDE=2, KIJI_COMMENTS_REPORT_ADDRESSES_TO_HIDE=2, KIJI_COMMENTS_REPORTER_MIN_AGE=0
)
class ReportTests(CommentsTestCase):
    def test_a_comment_reported_enough_is_hidden_for_review(self):
        comment = self.make_comment("問題のあるコメント")
        self.client = self.reader()
        self.assertIn("問題のあるコメント", self.article_page())
        page = self.client.get(self.client.post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})["Location"])
        self.assertContains(page, "通報を受け付けました")
        self.client.post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})  # same visitor: not counted
        comment.refresh_from_db()
        self.assertEqual((comment.report_count, comment.status), (1, Comment.Status.APPROVED))
        with self.captureOnCommitCallbacks(execute=True):
            self.reader("192.0.2.2").post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
        comment.refresh_from_db()
        self.assertEqual(comment.status, Comment.Status.HIDDEN)
        self.assertNotIn("問題のあるコメント", self.article_page())
        self.assertEqual(ModerationAction.objects.get(kind="hide", comment=comment).reason, "通報 2 件")

    def test_a_report_needs_a_reason(self):
        comment = self.make_comment()
        response = self.client.post(f"/comments/{comment.pk}/report/", {"reason": "<b>"})
        self.assertContains(response, "通報の理由を選んでください", status_code=400)

    def test_approving_a_reported_comment_shows_it_again(self):
        comment = self.make_comment("誤って通報されたコメント", status=Comment.Status.HIDDEN, report_count=2)
        with self.captureOnCommitCallbacks(execute=True):
            services.approve_comments(comments=[comment], by=self.editor, reason="問題なし")
        comment.refresh_from_db()
        self.assertEqual((comment.status, comment.report_count), (Comment.Status.APPROVED, 0))
        self.assertIn("誤って通報されたコメント", self.article_page())


class ModerationStateTests(CommentsTestCase):
    def test_approve_and_remove_update_the_cached_article_page(self):
        comment = self.make_comment("審査中のコメント", status=Comment.Status.PENDING)
        self.assertIn('<span class="comment-count">0</span>', self.article_page())
        with self.captureOnCommitCallbacks(execute=True):
            services.approve_comments(comments=[comment], by=self.editor)
        page = self.article_page()
        self.assertIn('<span class="comment-count">1</span>', page)
        self.assertIn("審査中のコメント", page)
        with self.captureOnCommitCallbacks(execute=True):
            services.reject_comments(comments=[comment], by=self.editor, remove=True, reason="規約違反")
        self.assertNotIn("審査中のコメント", self.article_page())
        actions = list(ModerationAction.objects.filter(comment=comment).values_list("kind", "by__username", "reason"))
        self.assertEqual(actions, [("remove", "editor", "規約違反"), ("approve", "editor", "")])

    def test_each_state_is_visible_only_when_approved(self):
        for status in Comment.Status.values:
            self.make_comment(f"状態{status}のコメント", status=status)
        page = self.client.get(self.comments_url()).content.decode()
        for status in Comment.Status.values:
            self.assertEqual(f"状態{status}のコメント" in page, status == "approved", status)

    @override_settings(KIJI_COMMENTS_FIRST_HELD=2, KIJI_COMMENTS_RATE_PER_MINUTE=100)
    def test_a_visitors_first_comments_are_held_until_two_are_approved(self):
        for i in range(3):
            self.post(f"はじめてのコメント{i}")
        held = list(Comment.objects.order_by("pk"))
        self.assertEqual({c.status for c in held}, {"pending"})
        self.assertIn("初めての投稿者（承認済み 0 / ", held[0].held_reason)
        services.approve_comments(comments=held[:2], by=self.editor)
        self.post("もう信頼されたコメント")
        self.assertEqual(Comment.objects.latest("pk").status, Comment.Status.APPROVED)

    def test_a_visitor_mostly_rejected_goes_back_to_premoderation(self):
        self.post("最初のコメント")
        key = Visitor.objects.get().key
        for i in range(4):
            self.make_comment(f"荒らし{i}", visitor_key=key, status=Comment.Status.REJECTED)
        self.post("また投稿します")
        latest = Comment.objects.latest("pk")
        self.assertEqual(latest.status, Comment.Status.PENDING)
        self.assertEqual(latest.held_reason, "最近のコメントの多くが非掲載")

    def test_a_banned_visitor_cannot_post_until_the_ban_ends(self):
        self.post("ふつうのコメント")
        services.ban_visitors(comments=Comment.objects.all(), by=self.editor, days=1, reason="荒らし")
        self.assertEqual(ModerationAction.objects.get(kind="ban").reason, "1日間: 荒らし")
        response = self.post("禁止中のコメント")
        self.assertContains(response, "現在、コメントを投稿できません", status_code=400)
        self.assertContains(response, "禁止中のコメント", status_code=400)
        self.assertContains(self.post("別の人", client=Client()), "現在、コメントを投稿できません", status_code=400)
        with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
            self.assertEqual(self.post("禁止明けのコメント").status_code, 302)


class SectionRuleTests(CommentsTestCase):
    @override_settings(KIJI_COMMENTS_AUTO_CLOSE_DAYS=7)
    def test_comments_close_by_themselves_after_n_days(self):
        self.article.published_at = timezone.now() - timedelta(days=8)
        self.article.save()
        self.assertIn("コメントの受け付けは終了しました", self.article_page())
        self.assertContains(self.post("遅れたコメント"), "終了しました", status_code=400)

    @override_settings(KIJI_COMMENTS_QUIET_HOURS="23:00-06:00", KIJI_COMMENTS_QUIET_ACTION="hold")
    def test_comments_posted_in_quiet_hours_are_held(self):
        with time_machine.travel(jst_days_ahead("02:00"), tick=False):
            page = self.client.get(self.post("深夜のコメント")["Location"])
            self.assertContains(page, "06:00 以降に担当者が確認してから掲載します")
        self.assertEqual(Comment.objects.get().held_reason, "夜間の確認時間帯")
        with time_machine.travel(jst_days_ahead("12:00"), tick=False):
            self.post("昼のコメント")
        self.assertEqual(Comment.objects.latest("pk").status, Comment.Status.APPROVED)

    @override_settings(KIJI_COMMENTS_FLOOD_PER_10MIN=5, KIJI_COMMENTS_RATE_PER_MINUTE=100)
    def test_a_flood_switches_the_article_to_premoderation(self):
        for i in range(6):
            self.post(f"殺到するコメント{i}", client=Client(REMOTE_ADDR=f"198.51.100.{i}"))
        statuses = list(Comment.objects.order_by("pk").values_list("status", flat=True))
        self.assertEqual(statuses, ["approved"] * 5 + ["pending"])
        self.assertEqual(CommentSection.objects.get(article=self.article).mode, "premoderated")
        self.assertEqual(Comment.objects.latest("pk").held_reason, "投稿が集中したため事前確認に切り替え")
        self.assertIn("確認後に掲載されます", self.article_page())
        # the moderation log says why, in Japanese
        self.assertEqual(
            ModerationAction.objects.get(kind="section_mode", by=None).reason, "投稿が集中したため事前確認に切り替え"
        )

    def test_a_section_with_mostly_rejected_comments_is_hidden_with_a_notice(self):
        comments = [self.make_comment(f"コメント{i}") for i in range(10)]
        self.assertIn("コメント9", self.article_page())
        with self.captureOnCommitCallbacks(execute=True):
            services.reject_comments(comments=comments[:5], by=self.editor, reason="荒れている")
        page = self.article_page()
        self.assertIn("現在非表示にしています", page)
        self.assertNotIn("コメント9", page)
        self.assertNotIn('id="comment-form"', page)
        refused = self.post("まだ書けますか")
        self.assertContains(refused, "コメントは受け付けていません", status_code=400)
        self.assertContains(refused, "まだ書けますか", status_code=400)
        with self.captureOnCommitCallbacks(execute=True):
            services.show_section(article=self.article, by=self.editor, reason="確認済み")
        self.assertIn("コメント9", self.article_page())

    def test_the_mode_set_by_an_editor_is_recorded(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.set_section_mode(article=self.article, mode="closed", by=self.editor, reason="事件報道")
        self.assertIn("この記事へのコメントは受け付けていません", self.article_page())
        action = ModerationAction.objects.get(kind="section_mode")
        self.assertEqual((action.by, action.reason), (self.editor, "締切: 事件報道"))


class ClockJobTests(CommentsTestCase):
    @override_settings(KIJI_COMMENTS_QUIET_HOURS="23:00-06:00", KIJI_COMMENTS_QUIET_ACTION="close")
    def test_the_cached_article_page_closes_and_reopens_with_quiet_hours(self):
        from kiji.comments.jobs import refresh_clock_changes

        with time_machine.travel(jst_days_ahead("22:59"), tick=False):
            refresh_clock_changes()
            self.assertIn('id="comment-form"', self.article_page())
        with time_machine.travel(jst_days_ahead("23:00") + timedelta(seconds=30), tick=False):
            self.assertEqual(refresh_clock_changes(), 1)
            self.assertIn("06:00 に再開します", self.article_page())
        with time_machine.travel(jst_days_ahead("06:00", days=2) + timedelta(seconds=30), tick=False):
            self.assertEqual(refresh_clock_changes(), 1)
            self.assertIn('id="comment-form"', self.article_page())
