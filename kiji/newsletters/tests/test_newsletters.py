"""メルマガ as readers and editors see it, through a real SMTP server on loopback."""

import secrets
from unittest import mock

from django.core import mail
from django.test import override_settings

from kiji.audience.models import EditorPick
from kiji.newsletters import services
from kiji.newsletters.models import Delivery, Issue, Subscriber
from kiji.newsletters.tests.smtp import LocalSMTP
from kiji.testing import HOSTILE, NewsroomTestCase


class SubscribeTests(NewsroomTestCase):
    def setUp(self):
        # Rate-limit counters outlive a test on Redis: each test posts from its own address.
        self.client.defaults["REMOTE_ADDR"] = "10.{}.{}.{}".format(*secrets.token_bytes(3))

    def test_double_opt_in(self):
        page = self.client.get("/newsletter/")
        self.assertContains(page, "メールマガジン登録")
        response = self.client.post("/newsletter/", {"email": "Taro@Example.JP", "website": ""})
        self.assertContains(response, "確認メールを送りました")
        subscriber = Subscriber.objects.get()
        self.assertEqual((subscriber.email, subscriber.status), ("Taro@example.jp", "pending"))
        self.assertEqual(len(mail.outbox), 1)
        link = next(line for line in mail.outbox[0].body.splitlines() if "/newsletter/confirm/" in line)
        self.assertContains(self.client.get(link.replace("http://127.0.0.1:8000", "")), "登録が完了しました")
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, "active")

    def test_a_bad_address_is_refused_in_japanese_keeping_the_text(self):
        hostile = [(HOSTILE / name).read_text(encoding="utf-8").splitlines()[0] for name in ("xss.txt", "sqli.txt")]
        for value in ("taro@", "taro example.jp", "taro@exa\x01mple.jp", *hostile):
            with self.subTest(value=value):
                response = self.client.post("/newsletter/", {"email": value})
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "メールアドレス", status_code=400)
                self.assertIn("aria-invalid", response.content.decode())
        self.assertContains(self.client.post("/newsletter/", {"email": "taro@"}), 'value="taro@"', status_code=400)
        self.assertFalse(Subscriber.objects.exists())

    def test_the_honeypot_sends_nothing_and_the_rate_limit_holds(self):
        self.client.post("/newsletter/", {"email": "bot@example.jp", "website": "http://spam"})
        self.assertFalse(Subscriber.objects.exists())
        with override_settings(KIJI_COMMENTS_IP_RATE_PER_MINUTE=2):
            codes = [self.client.post("/newsletter/", {"email": f"u{i}@example.jp"}).status_code for i in range(4)]
        self.assertEqual(codes[-1], 429)


class SendingTests(NewsroomTestCase):
    def setUp(self):
        self.smtp = LocalSMTP()
        self.addCleanup(self.smtp.stop)
        smtp_settings = override_settings(
            **self.smtp.settings(), KIJI_NEWSLETTER_SENDER_ADDRESS="東京都千代田区1-1 キジ株式会社"
        )
        smtp_settings.enable()
        self.addCleanup(smtp_settings.disable)

    def subscribers(self, n):
        Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{i}@example.jp", status="active", token=f"t{i}") for i in range(n)
        )

    def digest(self):
        picked = self.make_article(headline="編集部が選んだ記事")
        EditorPick.objects.create(article=picked, position=0)
        self.make_article(headline="広告の記事", sponsorship="ad", sponsor_name="広告主")
        from kiji.audience.lists import compute_lists

        compute_lists()
        return services.build_digest()

    def test_a_digest_arrives_with_both_parts_the_sender_and_one_click_unsubscribe(self):
        self.subscribers(2)
        issue = self.digest()
        services.start_sending(issue=issue)
        services.send_batch(issue=issue, limit=100)
        self.assertEqual(len(self.smtp.messages), 2)
        message = self.smtp.messages[0]
        token = Subscriber.objects.get(email=message["To"]).token
        unsubscribe = f"http://127.0.0.1:8000/newsletter/unsubscribe/{token}/"
        self.assertEqual(message["List-Unsubscribe"], f"<{unsubscribe}>")
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertIn("編集部が選んだ記事", message["Subject"] + message.get_body(("plain",)).get_content())
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for part in (text, html):
            self.assertIn("編集部が選んだ記事", part)
            self.assertIn("東京都千代田区1-1 キジ株式会社", part)
            self.assertIn(unsubscribe, part)
        self.assertNotIn("<img", html)  # no external resources
        self.assertNotIn("<link", html)
        self.assertEqual(Issue.objects.get().status, "sent")
        # one click (RFC 8058): the provider POSTs, without a CSRF token of ours
        client = self.client_class(enforce_csrf_checks=True)
        response = client.post(unsubscribe.replace("http://127.0.0.1:8000", ""), {"List-Unsubscribe": "One-Click"})
        self.assertContains(response, "配信を停止しました")
        self.assertEqual(Subscriber.objects.get(token=token).status, "unsubscribed")

    def test_unsubscribed_and_bounced_readers_get_no_more_mail(self):
        self.subscribers(3)
        services.unsubscribe(token="t0")
        services.mark_bounced(email="reader1@example.jp")
        issue = self.digest()
        services.start_sending(issue=issue)
        services.send_batch(issue=issue, limit=100)
        self.assertEqual([m["To"] for m in self.smtp.messages], ["reader2@example.jp"])

    def test_a_sender_killed_midway_resumes_and_nobody_gets_it_twice(self):
        self.subscribers(1000)
        issue = self.digest()
        services.start_sending(issue=issue)
        real_update = Delivery.objects.filter

        sent_so_far = []

        def dies_after_the_437th(*args, **kwargs):
            # The SMTP server has accepted message 437 when the process dies, before recording it.
            if "sent_at" not in kwargs and len(self.smtp.messages) == 437 and not sent_so_far:
                sent_so_far.append(True)
                raise SystemExit("killed")
            return real_update(*args, **kwargs)

        with mock.patch.object(Delivery.objects, "filter", side_effect=dies_after_the_437th):
            with self.assertRaises(SystemExit):
                services.send_batch(issue=issue, limit=1000)
        self.assertEqual(len(self.smtp.messages), 437)
        while Issue.objects.get(pk=issue.pk).status != "sent":  # the scheduler's next rounds
            services.send_batch(issue=issue, limit=200)
        recipients = [m["To"] for m in self.smtp.messages]
        self.assertEqual(len(recipients), 1000)
        self.assertEqual(len(set(recipients)), 1000)


class IssueAdminTests(NewsroomTestCase):
    def test_an_editor_makes_the_daily_digest_previews_it_and_schedules_it(self):
        article = self.make_article(headline="今日の主なニュース")
        self.client.force_login(self.admin)
        changelist = "/admin/newsletters/issue/"
        add = self.client.get(f"{changelist}add/")
        initial = add.context["adminform"].form.initial
        self.assertIn("のニュース", initial["subject"])
        response = self.client.post(
            f"{changelist}add/", {"subject": initial["subject"], "intro": "", "article_ids": f"[{article.pk}]"}
        )
        self.assertEqual(response.status_code, 302, response.context and response.context["errors"])
        issue = Issue.objects.get()
        page = self.client.get(f"{changelist}{issue.pk}/change/")
        self.assertContains(page, "<iframe sandbox")
        self.assertContains(page, "配信停止（ワンクリック）")
        self.client.post(changelist, {"action": "schedule", "_selected_action": [issue.pk]})
        issue.refresh_from_db()
        self.assertEqual(issue.status, "scheduled")
