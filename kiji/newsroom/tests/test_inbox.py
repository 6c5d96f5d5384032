"""Work reaches the right person: the admin home's desk, notifications in the admin and by e-mail, and
an editor returning an article to its writer with a note."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kiji.newsroom.models import Article, Notification
from kiji.newsroom.services import publishing
from kiji.newsroom.tests.base import AdminTestCase

Status = Article.Status
HOME = reverse("admin:index")


def section(response, id_: str) -> str:
    """One list of the admin home's desk, as HTML."""
    html = response.content.decode()
    start = html.index(f'<section class="module kiji-desk-list" id="{id_}"')
    return html[start : html.index("</section>", start)]


def return_url(article):
    return reverse("admin:newsroom_article_return", args=[article.pk])


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class NotificationTests(AdminTestCase):
    def setUp(self):
        for user, address in ((self.writer_user, "hanako@news.example.jp"), (self.editor, "desk@news.example.jp")):
            user.email = address
            user.save(update_fields=["email"])
        self.article = self.make_article(status=Status.DRAFT, published_at=None, created_by=self.writer_user)

    def test_submitting_tells_the_editors_in_the_admin_and_by_mail(self):
        self.client.force_login(self.writer_user)
        data = self.form_data(self.article, _submit_review="1")
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(self.change_url(self.article), data).status_code, 302)

        self.assertEqual([m.to for m in mail.outbox], [["desk@news.example.jp"]])
        self.assertIn("レビュー依頼", mail.outbox[0].subject)
        self.assertIn("国会で予算案が可決", mail.outbox[0].subject)
        self.assertIn("山田 花子", mail.outbox[0].body)  # who submitted, by display name
        self.assertIn(self.change_url(self.article), mail.outbox[0].body)
        editors_told = set(Notification.objects.filter(kind="submitted").values_list("recipient__username", flat=True))
        self.assertEqual(editors_told, {"editor", "admin"})  # every editor; never the writer who acted

        self.client.force_login(self.editor)
        inbox = self.client.get(HOME)
        self.assertContains(inbox, "レビュー待ち")
        self.assertIn("国会で予算案が可決", section(inbox, "kiji-notifications"))
        self.assertIn("国会で予算案が可決", section(inbox, "kiji-in-review"))
        self.assertContains(inbox, "1 件の未読")

    def test_an_editor_returns_an_article_with_a_note_and_the_writer_sees_it(self):
        publishing.submit_for_review(article=self.article, by=self.writer_user)
        mail.outbox.clear()
        self.client.force_login(self.editor)
        form = self.client.get(self.change_url(self.article))
        self.assertContains(form, return_url(self.article))  # the 差し戻す button

        note = "見出しの数字を確認してください。\n第2段落の出典も。"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(return_url(self.article), {"note": note})
        self.assertRedirects(response, HOME)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Status.DRAFT)
        self.assertEqual([m.to for m in mail.outbox], [["hanako@news.example.jp"]])
        self.assertIn("第2段落の出典も。", mail.outbox[0].body)

        self.client.force_login(self.writer_user)
        home = self.client.get(HOME)
        self.assertContains(home, "差し戻された記事")
        self.assertIn("見出しの数字を確認してください。", section(home, "kiji-notifications"))
        self.assertIn("見出しの数字を確認してください。", section(home, "kiji-returned"))
        self.assertContains(self.client.get(self.change_url(self.article)), "第2段落の出典も。")

        # Submitted again: no longer "returned to me"; the editors hear of it again.
        publishing.submit_for_review(article=self.article, by=self.writer_user)
        self.article.refresh_from_db()
        self.assertEqual((self.article.returned_note, self.article.returned_at), ("", None))

    def test_a_return_needs_a_note_and_refuses_control_characters_keeping_the_text(self):
        publishing.submit_for_review(article=self.article, by=self.writer_user)
        self.client.force_login(self.editor)
        self.assertContains(self.client.post(return_url(self.article), {"note": "  "}), "メモに書いてください")
        typed = "見出しを\x07直して"
        response = self.client.post(return_url(self.article), {"note": typed})
        self.assertContains(response, "制御文字")
        self.assertContains(response, "見出しを")  # what was typed is still in the box
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Status.REVIEW)

    def test_writers_may_not_return_articles(self):
        publishing.submit_for_review(article=self.article, by=self.writer_user)
        self.client.force_login(self.writer_user)
        self.assertEqual(self.client.post(return_url(self.article), {"note": "自分で戻す"}).status_code, 403)
        self.assertNotContains(self.client.get(self.change_url(self.article)), return_url(self.article))
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Status.REVIEW)

    def test_publishing_tells_the_writers_once_and_the_scheduler_does_too(self):
        with self.captureOnCommitCallbacks(execute=True):
            publishing.publish_article(article=self.article, by=self.editor)
            publishing.publish_article(article=self.article, by=self.editor)  # already live: no second word
        self.assertEqual([m.to for m in mail.outbox], [["hanako@news.example.jp"]])
        self.assertIn("公開", mail.outbox[0].subject)

        scheduled = self.make_article(
            status=Status.SCHEDULED, published_at=timezone.now() + timedelta(minutes=5), headline="予約した記事"
        )
        with time_machine.travel(timezone.now() + timedelta(minutes=6)), self.captureOnCommitCallbacks(execute=True):
            publishing.publish_due_articles()
        self.assertEqual(mail.outbox[-1].to, ["hanako@news.example.jp"])
        self.assertIn("予約した記事", mail.outbox[-1].subject)
        self.assertTrue(Notification.objects.filter(article=scheduled, recipient=self.writer_user).exists())

    def test_mark_all_read(self):
        publishing.submit_for_review(article=self.article, by=self.writer_user)
        self.client.force_login(self.editor)
        self.assertRedirects(self.client.post(reverse("admin:kiji_read")), HOME)
        self.assertNotContains(self.client.get(HOME), "件の未読")
        self.assertFalse(Notification.objects.filter(recipient=self.editor, read_at__isnull=True).exists())


class DeskHomeTests(AdminTestCase):
    def test_the_home_shows_each_list_to_the_right_person(self):
        now = timezone.now()
        self.make_article(status=Status.DRAFT, published_at=None, headline="山田の下書き")
        self.make_article(status=Status.DRAFT, published_at=None, headline="佐藤の下書き", writers=[self.other_writer])
        self.make_article(
            status=Status.REVIEW, published_at=None, headline="佐藤のレビュー依頼", writers=[self.other_writer]
        )
        self.make_article(status=Status.SCHEDULED, published_at=now + timedelta(hours=1), headline="まもなく公開")
        self.make_article(status=Status.SCHEDULED, published_at=now + timedelta(days=3), headline="来週の記事")
        self.make_article(headline="さっき公開した記事")

        self.client.force_login(self.writer_user)
        home = self.client.get(HOME)
        self.assertContains(home, "自分の下書き")
        self.assertIn("山田の下書き", section(home, "kiji-my-drafts"))
        self.assertNotContains(home, "佐藤の下書き")  # a writer sees only their own
        self.assertNotContains(home, "佐藤のレビュー依頼")
        self.assertContains(home, "さっき公開した記事")

        self.client.force_login(self.editor)
        home = self.client.get(HOME)
        self.assertIn("佐藤のレビュー依頼", section(home, "kiji-in-review"))  # editors see every one in review
        self.assertContains(home, "今日の予約")
        self.assertIn("まもなく公開", section(home, "kiji-scheduled-today"))
        self.assertNotContains(home, "来週の記事")  # scheduled, but not today
        self.assertIn("さっき公開した記事", section(home, "kiji-recently-published"))
