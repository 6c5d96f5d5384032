"""Posting as a reader: Post/Redirect/Get, every refusal keeps the text, CSRF, and a cacheable article page."""

import time

import time_machine
from django.test import Client, override_settings

from kiji.comments.forms import started_stamp
from kiji.comments.models import Comment, CommentSection, NGWord
from kiji.comments.tests.base import CommentsTestCase, jst_days_ahead

TEXT = "消費税の議論はもっと丁寧にしてほしい。\n地方の声も聞いてください。"


class PostRedirectGetTests(CommentsTestCase):
    def test_it_shows_the_comment_after_redirecting(self):
        response = self.post(TEXT, nickname="たろう")
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertContains(page, "コメントを投稿しました。")
        self.assertContains(page, "地方の声も聞いてください。")
        self.assertContains(page, "たろう")

    def test_it_tells_the_reader_when_the_comment_awaits_moderation(self):
        CommentSection.objects.create(article=self.article, mode=CommentSection.Mode.PREMODERATED)
        page = self.client.get(self.post(TEXT)["Location"])
        self.assertContains(page, "担当者の確認後に掲載されます")
        self.assertContains(page, "あなたのコメント（確認待ち")
        self.assertContains(page, '<span class="comment-count">0</span>', html=False)
        other = Client().get(self.comments_url()).content.decode()
        self.assertNotIn("地方の声も聞いてください。", other)

    def test_it_shows_the_new_comment_on_the_cached_article_page(self):
        self.assertIn('<span class="comment-count">0</span>', self.article_page())
        self.assertIn('<span class="comment-count">0</span>', self.article_page())  # now from the page cache
        with self.captureOnCommitCallbacks(execute=True):
            self.post(TEXT)
        page = self.article_page()
        self.assertIn('<span class="comment-count">1</span>', page)
        self.assertIn("地方の声も聞いてください。", page)


class RefusalKeepsTextTests(CommentsTestCase):
    def assertRefused(self, response, reason, status=400):
        self.assertContains(response, reason, status_code=status)
        self.assertContains(response, "地方の声も聞いてください。", status_code=status)  # the text is back
        self.assertContains(response, 'value="ゆき"', status_code=status)

    def test_too_fast_by_rate_limit(self):
        for i in range(3):
            self.assertEqual(self.post(f"{TEXT}{i}", nickname="ゆき").status_code, 302)
        self.assertRefused(self.post(TEXT, nickname="ゆき"), "投稿が速すぎます", status=429)
        self.assertEqual(Comment.objects.count(), 3)

    def test_too_fast_by_time_on_page(self):
        response = self.post(TEXT, nickname="ゆき", started=started_stamp(time.time()))
        self.assertRefused(response, "投稿が速すぎます")

    def test_duplicate(self):
        self.post(TEXT, nickname="ゆき")
        self.assertRefused(self.post(TEXT, nickname="ゆき"), "同じコメントが投稿済みです")
        other = Client()
        self.assertRefused(self.post(TEXT, nickname="ゆき", client=other), "同じコメントが投稿済みです")
        self.assertEqual(Comment.objects.count(), 1)

    def test_closed_article(self):
        CommentSection.objects.create(article=self.article, mode=CommentSection.Mode.CLOSED)
        self.assertRefused(self.post(TEXT, nickname="ゆき"), "コメントは受け付けていません")
        self.assertIn("コメントは受け付けていません", self.article_page())
        self.assertNotIn('id="comment-form"', self.article_page())

    def test_too_long(self):
        self.assertRefused(self.post(TEXT + "あ" * 300, nickname="ゆき"), "コメントが長すぎます")

    def test_ng_word_rejected(self):
        NGWord.objects.create(word="ばか", action=NGWord.Action.REJECT)
        self.assertRefused(self.post(TEXT + "バカ", nickname="ゆき"), "使用できない言葉が含まれています")

    def test_honeypot(self):
        self.assertRefused(self.post(TEXT, nickname="ゆき", website="http://spam.example"), "送信できませんでした")
        self.assertFalse(Comment.objects.exists())

    def test_forged_time_stamp(self):
        self.assertRefused(self.post(TEXT, nickname="ゆき", started="12345"), "フォームの有効期限が切れました")

    def test_missing_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        response = self.post(TEXT, nickname="ゆき", client=client)
        self.assertRefused(response, "送信を確認できませんでした", status=403)
        self.assertFalse(Comment.objects.exists())
        # The page that came back carries a token: sending it again works.
        token = client.cookies["csrftoken"].value
        again = self.post(TEXT, nickname="ゆき", client=client, csrfmiddlewaretoken=token)
        self.assertEqual(again.status_code, 302)
        self.assertEqual(Comment.objects.count(), 1)


class CsrfAndCacheTests(CommentsTestCase):
    def test_it_refuses_a_post_with_a_wrong_token(self):
        client = Client(enforce_csrf_checks=True)
        client.get("/comments/token/")
        response = self.post(TEXT, client=client, csrfmiddlewaretoken="x" * 64)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Comment.objects.exists())

    def test_likes_and_reports_need_the_token(self):
        comment = self.make_comment()
        client = Client(enforce_csrf_checks=True)
        self.assertEqual(client.post(f"/comments/{comment.pk}/like/").status_code, 403)
        self.assertEqual(client.post(f"/comments/{comment.pk}/report/", {"reason": "spam"}).status_code, 403)
        comment.refresh_from_db()
        self.assertEqual((comment.like_count, comment.report_count), (0, 0))
        token = client.get("/comments/token/").json()["csrf"]
        client.post(f"/comments/{comment.pk}/like/", {"csrfmiddlewaretoken": token})
        comment.refresh_from_db()
        self.assertEqual(comment.like_count, 1)

    def test_the_article_page_carries_no_token_and_sets_no_cookie(self):
        self.make_comment("最初のコメント")
        client = Client(enforce_csrf_checks=True)
        response = client.get(self.article.get_absolute_url())
        html = response.content.decode()
        self.assertIn("最初のコメント", html)
        self.assertIn('name="csrfmiddlewaretoken" value=""', html)
        self.assertEqual(response.cookies, {})
        self.assertNotIn("csrftoken", client.cookies)

    def test_the_token_endpoint_sets_cookies_and_is_not_cached(self):
        response = self.client.get("/comments/token/")
        self.assertEqual(response.json()["csrf"] != "", True)
        self.assertIn("csrftoken", response.cookies)
        self.assertIn("kiji_visitor", response.cookies)
        self.assertIn("no-cache", response["Cache-Control"])

    def test_a_commenter_still_gets_the_shared_article_page(self):
        self.post(TEXT)
        self.assertIn("kiji_visitor", self.client.cookies)
        first = self.client.get(self.article.get_absolute_url())
        second = Client().get(self.article.get_absolute_url())
        self.assertEqual(first.content, second.content)


@override_settings(KIJI_COMMENTS_QUIET_HOURS="23:00-06:00", KIJI_COMMENTS_QUIET_ACTION="close")
class QuietHoursCloseTests(CommentsTestCase):
    def test_it_closes_the_form_at_night_and_says_when_it_reopens(self):
        with time_machine.travel(jst_days_ahead("23:30"), tick=False):
            response = self.post(TEXT)
            self.assertContains(response, "06:00 に再開します", status_code=400)
            self.assertContains(response, "地方の声も聞いてください。", status_code=400)
        with time_machine.travel(jst_days_ahead("06:01", days=2), tick=False):
            self.assertEqual(self.post(TEXT).status_code, 302)


class ReplyTests(CommentsTestCase):
    """Readers reply to a shown comment: one level deep, as on Japanese portals."""

    def test_a_reader_replies_from_the_comment_and_readers_see_whom_it_answers(self):
        first = self.make_comment("増税には反対です。", nickname="はなこ")
        reader = self.reader("192.0.2.21")  # each test its own address: the per-address limits stay out of the way
        form = reader.get(self.comments_url() + f"?reply={first.pk}")
        self.assertContains(form, "はなこさんへの返信")
        self.assertContains(form, f'name="reply_to" value="{first.pk}"')
        page = reader.get(self.post(TEXT, client=reader, nickname="たろう", reply_to=first.pk)["Location"])
        self.assertContains(page, "はなこさんへの返信")
        self.assertEqual(Comment.objects.get(nickname="たろう").parent, first)

    def test_a_reply_to_a_reply_joins_its_thread(self):
        first = self.make_comment("増税には反対です。", nickname="はなこ")
        reply = self.make_comment("同感です。", nickname="じろう", parent=first)
        self.post(TEXT, client=self.reader("192.0.2.22"), reply_to=reply.pk)
        self.assertEqual(Comment.objects.get(body=TEXT).parent, first)

    def test_a_refused_reply_keeps_its_text_and_whom_it_answers(self):
        first = self.make_comment("増税には反対です。", nickname="はなこ")
        response = self.post(
            TEXT,
            client=self.reader("192.0.2.23"),
            nickname="ゆき",
            reply_to=first.pk,
            started=started_stamp(time.time()),
        )
        self.assertContains(response, "投稿が速すぎます", status_code=400)
        self.assertContains(response, "地方の声も聞いてください。", status_code=400)
        self.assertContains(response, f'name="reply_to" value="{first.pk}"', status_code=400)
        self.assertContains(response, "はなこさんへの返信", status_code=400)

    def test_a_reply_to_a_hidden_comment_or_another_articles_is_refused_keeping_the_text(self):
        pending = self.make_comment("確認待ち", status=Comment.Status.PENDING)
        elsewhere = self.make_comment("別の記事", article=self.make_article())
        for target in (pending, elsewhere):
            response = self.post(TEXT, client=self.reader("192.0.2.24"), reply_to=target.pk)
            self.assertContains(response, "返信先のコメントが見つかりません", status_code=400)
            self.assertContains(response, "地方の声も聞いてください。", status_code=400)
        self.assertFalse(Comment.objects.filter(body=TEXT).exists())

    def test_replies_sit_under_their_comment_oldest_first_and_count_in_the_total(self):
        first = self.make_comment("増税には反対です。", nickname="はなこ")
        self.make_comment("後から来たコメント", nickname="さぶろう")
        self.make_comment("同感です。", nickname="じろう", parent=first)
        self.make_comment("私は賛成です。", nickname="しろう", parent=first)
        page = self.client.get(self.comments_url()).content.decode()
        self.assertIn('<span class="comment-count">4</span>', page)
        thread = page[page.index(f'id="c{first.pk}"') :]
        replies = thread[thread.index('class="comment-replies"') : thread.index("</ol>")]
        self.assertLess(replies.index("同感です。"), replies.index("私は賛成です。"))
        self.assertNotIn("後から来たコメント", replies)
