"""Security review (issue 11) in comments: one anonymous client cannot move a shared number."""

from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from kiji.comments.models import Comment, CommentSection, Visitor
from kiji.comments.tests.base import CommentsTestCase


class CookielessClientTests(CommentsTestCase):
    """#3: a client that drops its visitor cookie likes, reports and creates nothing."""

    def test_fifty_cookieless_likes_count_nothing(self):
        comment = self.make_comment()
        for _ in range(50):
            Client().post(f"/comments/{comment.pk}/like/")
        comment.refresh_from_db()
        self.assertEqual(comment.like_count, 0)

    def test_cookieless_posts_create_no_visitor_rows(self):
        comment = self.make_comment()
        before = Visitor.objects.count()
        for _ in range(10):
            Client().post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})
            Client().post(self.comments_url(), self.form("こんにちは"))
        self.assertEqual(Visitor.objects.count(), before)

    def test_a_cookieless_comment_keeps_the_text_and_asks_to_send_again(self):
        response = Client().post(self.comments_url(), self.form("消えてはいけない本文"))
        self.assertContains(response, "もう一度送信してください", status_code=403)
        self.assertContains(response, "消えてはいけない本文", status_code=403)
        self.assertIn("kiji_visitor", response.cookies)

    @override_settings(KIJI_COMMENTS_IP_LIKES_PER_COMMENT=3)
    def test_fresh_cookies_from_one_address_move_a_like_count_only_a_little(self):
        comment = self.make_comment()
        for _ in range(20):
            self.reader("198.51.100.7").post(f"/comments/{comment.pk}/like/")
        comment.refresh_from_db()
        self.assertEqual(comment.like_count, 3)

    @override_settings(KIJI_COMMENTS_IP_NEW_VISITORS_PER_HOUR=5)
    def test_one_address_creates_only_so_many_visitors_an_hour(self):
        comment = self.make_comment()
        before = Visitor.objects.count()
        for _ in range(12):
            self.reader("198.51.100.8").post(f"/comments/{comment.pk}/like/")
        self.assertEqual(Visitor.objects.count() - before, 5)


class ReportAbuseTests(CommentsTestCase):
    """#3: hiding needs reports from several addresses, by visitors known for a while."""

    def _report_from(self, comment, clients, *, later=timedelta(0)):
        with time_machine.travel(timezone.now() + later, tick=False), self.captureOnCommitCallbacks(execute=True):
            for client in clients:
                client.post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})
        comment.refresh_from_db()
        return comment.status

    def _known_readers(self, ips):
        """Readers whose visitor exists from now on (they liked something); report two hours later."""
        readers = [self.reader(ip) for ip in ips]
        for client in readers:
            client.post(f"/comments/{self.make_comment('別のコメント').pk}/like/")
        return readers

    def test_three_reports_from_one_address_hide_nothing(self):
        comment = self.make_comment("狙われたコメント")
        readers = self._known_readers(["198.51.100.9"] * 3)
        self.assertEqual(self._report_from(comment, readers, later=timedelta(hours=2)), Comment.Status.APPROVED)

    def test_reports_from_brand_new_visitors_hide_nothing(self):
        comment = self.make_comment("狙われたコメント")
        readers = [self.reader(f"198.51.100.{i}") for i in range(10, 15)]
        self.assertEqual(self._report_from(comment, readers), Comment.Status.APPROVED)
        comment.refresh_from_db()
        self.assertEqual(comment.report_count, 5)  # moderators still see every report

    def test_reports_from_three_known_readers_at_three_addresses_hide_the_comment(self):
        comment = self.make_comment("問題のあるコメント")
        readers = self._known_readers(["192.0.2.1", "192.0.2.2", "192.0.2.3"])
        self.assertEqual(self._report_from(comment, readers, later=timedelta(hours=2)), Comment.Status.HIDDEN)

    def test_fifteen_reports_from_one_client_leave_the_section_open(self):
        comments = [self.make_comment(f"コメント{i}") for i in range(15)]
        reader = self.reader("198.51.100.20")
        with self.captureOnCommitCallbacks(execute=True):
            for comment in comments:
                reader.post(f"/comments/{comment.pk}/report/", {"reason": "abuse"})
        self.assertEqual(Comment.objects.filter(status=Comment.Status.HIDDEN).count(), 0)
        self.assertFalse(CommentSection.objects.filter(article=self.article, hidden=True).exists())
        self.assertIn("コメント14", Client().get(self.comments_url()).content.decode())


@override_settings(KIJI_TRUSTED_PROXIES=["10.0.0.0/8"])
class TrustedProxyTests(CommentsTestCase):
    """#4: with nginx on another host, readers keep their own rate-limit buckets and bans."""

    @override_settings(KIJI_COMMENTS_IP_RATE_PER_MINUTE=2, KIJI_COMMENTS_RATE_PER_MINUTE=100)
    def test_readers_behind_a_remote_proxy_do_not_share_one_bucket(self):
        for i in range(5):
            client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
            response = self.post(f"読者{i}のコメント", client=client)
            self.assertEqual(response.status_code, 302, i)

    @override_settings(KIJI_COMMENTS_IP_RATE_PER_MINUTE=2, KIJI_COMMENTS_RATE_PER_MINUTE=100)
    def test_a_spoofed_forwarded_address_does_not_give_a_fresh_bucket(self):
        codes = []
        for i in range(5):
            client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.5")
            codes.append(self.post(f"なりすまし{i}", client=client).status_code)
        self.assertEqual(codes, [302, 302, 429, 429, 429])

    def test_an_untrusted_sender_cannot_choose_its_address(self):
        from kiji.lib.clientip import client_ip

        self.assertEqual(client_ip({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}), "203.0.113.5")
        self.assertEqual(client_ip({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}), "192.0.2.1")
        self.assertEqual(
            client_ip({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 192.0.2.1, 10.0.0.9"}), "192.0.2.1"
        )


class InvisibleTrickTests(CommentsTestCase):
    """#10, #11: NG words and length limits see through invisible characters."""

    def test_an_ng_word_is_caught_through_variation_selectors_and_combining_marks(self):
        from kiji.comments.models import NGWord

        NGWord.objects.create(word="しね", action=NGWord.Action.REJECT)
        for disguised in ("し\ufe00ね", "し\U000e0100ね", "し\u0301ね", "シ\u20dd\u0336ネ"):
            response = self.post(f"お前なんか{disguised}", client=self.reader())
            self.assertContains(response, "使用できない言葉", status_code=400, msg_prefix=repr(disguised))
        self.assertFalse(Comment.objects.exists())

    def test_one_grapheme_of_thousands_of_code_points_is_refused(self):
        body = "a" + "\u200d\U0001f600" * 2400  # one extended grapheme cluster, 4,801 code points
        response = self.post(body[:4801], client=self.reader())
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Comment.objects.exists())

    def test_a_nickname_of_thousands_of_code_points_is_refused_with_a_message(self):
        nickname = "a" + "\u200d\U0001f600" * 1200  # 2,401 code points against a 100-character column
        response = self.post("ふつうのコメントです", nickname=nickname, client=self.reader())
        self.assertContains(response, "ニックネーム", status_code=400)
        self.assertFalse(Comment.objects.exists())

    def test_a_family_emoji_with_skin_tones_is_still_one_character(self):
        response = self.post("家族で読みました 👨🏽‍👩🏽‍👧🏽‍👦🏽", nickname="👨🏽‍👩🏽‍👧🏽‍👦🏽", client=self.reader())
        self.assertEqual(response.status_code, 302)


class PostedNoticeTests(CommentsTestCase):
    """#12: ?posted=² (a Unicode digit) is not a comment number, and never a 500."""

    def test_a_superscript_digit_in_posted_is_ignored(self):
        client = self.reader()
        for value in ("²", "١٢", "１２", "9" * 40):
            self.assertEqual(client.get(self.comments_url() + f"?posted={value}").status_code, 200, value)


class FormStampTests(CommentsTestCase):
    """#19: the comment form's "shown at" stamp expires, so the minimum-time check cannot be saved up."""

    def test_a_stamp_older_than_the_limit_is_refused_and_the_text_kept(self):
        import time

        from kiji.comments.forms import started_stamp

        old = started_stamp(time.time() - 7 * 3600)
        response = self.post("昨日開いたフォームから", started=old, client=self.reader())
        self.assertContains(response, "有効期限", status_code=400)
        self.assertContains(response, "昨日開いたフォームから", status_code=400)
        self.assertFalse(Comment.objects.exists())
