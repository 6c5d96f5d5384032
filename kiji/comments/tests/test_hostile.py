"""Hostile input: every payload of ../shared/corpora/hostile posted as a reader, then rendered.

None may execute or break the page: the page's element structure (tags and attribute names, in
order) must be exactly that of the same page with benign comments, and no tag written in a
payload may appear unescaped. The admin is checked the same way.
"""

import re

from django.test import Client, override_settings

from kiji import testing
from kiji.comments.models import Comment, Visitor
from kiji.comments.tests.base import CommentsTestCase, structure

CORPUS = testing.HOSTILE
UNICODE_ODDITIES = [
    "\u202eevil.exe\u202c",
    "a\u0000b",
    "\ufeff\u200b\u200b\u200b",
    "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357",
    "\U0001f4a9" * 3,
    "\u2028line\u2029para",
    "&lt;script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "\u3164\u3164",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "</textarea><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "'; DROP TABLE comments_comment; --",
]
TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")


def comment_form(html: str) -> str:
    start = html.index('<form id="comment-form"')
    return html[start : html.index("</form>", start) + len("</form>")]


def payloads() -> list[str]:
    lines = []
    for name in ("xss.txt", "sqli.txt"):
        lines += [line for line in (CORPUS / name).read_text(encoding="utf-8").split("\n") if line.strip()]
    return lines + UNICODE_ODDITIES


@override_settings(
    KIJI_COMMENTS_RATE_PER_MINUTE=100_000,
    KIJI_COMMENTS_RATE_PER_DAY=100_000,
    KIJI_COMMENTS_IP_RATE_PER_MINUTE=100_000,
    KIJI_COMMENTS_IP_RATE_PER_DAY=100_000,
    KIJI_COMMENTS_FLOOD_PER_10MIN=100_000,
    KIJI_COMMENTS_PAGE_SIZE=5000,
)
class HostileInputTests(CommentsTestCase):
    def assertNoTagFrom(self, payload: str, html: str, benign_html: str):
        for tag in TAG.findall(payload):
            if tag not in benign_html:  # a tag our own templates also write (<p>) proves nothing
                self.assertNotIn(tag, html, f"unescaped tag from {payload!r}")

    def test_every_hostile_input_is_posted_and_rendered_inert(self):
        corpus = payloads()
        self.assertGreaterEqual(len(corpus), 300)
        refused_benign = self.post("あ" * 301).content.decode()
        refused_shape = structure(comment_form(refused_benign)).tags
        accepted = 0
        for payload in corpus:
            response = self.post(payload, nickname=payload[:20])
            self.assertIn(response.status_code, (302, 400), payload)
            if response.status_code == 302:
                accepted += 1
                continue
            html = response.content.decode()  # refused (too long, empty, duplicate...): the text comes back
            self.assertEqual(structure(comment_form(html)).tags, refused_shape, f"form broken by {payload!r}")
            self.assertNoTagFrom(payload, html, refused_benign)
        self.assertGreaterEqual(accepted, 300)

        benign_article = self.make_article(headline="比較用の記事", slug="benign")
        visitor = Visitor.objects.create(key="benign")
        for comment in Comment.objects.filter(article=self.article):
            Comment.objects.create(
                article=benign_article,
                visitor=visitor,
                nickname="匿名",
                body="ふつうの感想です",
                body_hash=str(comment.pk),
                status=comment.status,
            )
        hostile_html = self.client.get(self.comments_url()).content.decode()
        benign_html = self.client.get(self.comments_url(benign_article)).content.decode()
        self.assertEqual(hostile_html.count('class="comment"'), accepted)
        hostile, benign = structure(hostile_html), structure(benign_html)
        self.assertEqual(hostile.tags, benign.tags)
        self.assertFalse([a for a in hostile.attrs if a[1].startswith("on")])
        self.assertFalse([a for a in hostile.attrs if "javascript" in (a[2] or "").lower()])
        for payload in corpus:
            self.assertNoTagFrom(payload, hostile_html, benign_html)

        article_page = Client().get(self.article.get_absolute_url()).content.decode()
        benign_page = Client().get(benign_article.get_absolute_url()).content.decode()
        self.assertEqual(len(structure(article_page).tags), len(structure(benign_page).tags))

    def test_the_admin_shows_hostile_comments_as_text(self):
        corpus = [p for p in payloads() if "<" in p][:50]
        self.client.force_login(self.editor)

        def admin_pages(bodies: list[str]) -> tuple[str, str]:
            Comment.objects.all().delete()
            Visitor.objects.all().delete()
            comments = [
                self.make_comment(
                    body,
                    visitor_key="same",
                    nickname=body[:20],
                    status=Comment.Status.PENDING,
                    held_reason="NGワード: " + body[:50],
                )
                for body in bodies
            ]
            changelist = self.client.get("/admin/comments/comment/").content.decode()
            change = self.client.get(f"/admin/comments/comment/{comments[0].pk}/change/").content.decode()
            return changelist, change

        benign_list, benign_change = admin_pages([f"ふつうのコメント{i}" for i in range(len(corpus))])
        hostile_list, hostile_change = admin_pages(corpus)
        self.assertIn("ふつうのコメント", benign_list)
        self.assertEqual(structure(hostile_list).tags, structure(benign_list).tags)
        self.assertEqual(structure(hostile_change).tags, structure(benign_change).tags)
        for payload in corpus:
            self.assertNoTagFrom(payload, hostile_list + hostile_change, benign_list + benign_change)
