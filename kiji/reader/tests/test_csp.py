"""Security review #16: reader pages send a strict Content-Security-Policy, the admin its own."""

from html.parser import HTMLParser

from django.test import Client

from kiji.lib.memo import forget_all
from kiji.testing import NewsroomTestCase


class InlineScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline = []
        self.handlers = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/ld+json":
            self.inline.append(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]


class ContentSecurityPolicyTests(NewsroomTestCase):
    def setUp(self):
        forget_all()
        self.article = self.make_article()

    def reader_urls(self):
        return ["/", self.article.get_absolute_url(), "/category/politics/", "/ranking/", "/search/?q=予算"]

    def test_reader_pages_send_a_strict_policy_and_hold_no_inline_script(self):
        for url in self.reader_urls():
            for attempt in ("miss", "hit"):
                response = Client().get(url)
                self.assertEqual(response.status_code, 200, url)
                policy = response["Content-Security-Policy"]
                self.assertIn("script-src 'self'", policy, (url, attempt))
                self.assertNotIn("unsafe-inline", policy.split("script-src")[1].split(";")[0])
                self.assertIn("frame-ancestors 'none'", policy)
                parser = InlineScripts()
                parser.feed(response.content.decode())
                self.assertEqual((parser.inline, parser.handlers), ([], []), url)

    def test_the_admin_sends_its_own_policy(self):
        self.client.force_login(self.editor)
        policy = self.client.get("/admin/")["Content-Security-Policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertIn("frame-ancestors 'self'", policy)
