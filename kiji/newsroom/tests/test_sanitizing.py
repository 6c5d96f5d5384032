"""Nothing that runs survives the admin form: scripts, styles, event attributes, javascript: URLs."""

from html.parser import HTMLParser

from kiji import testing
from kiji.newsroom.models import Article
from kiji.newsroom.tests.base import AdminTestCase

HOSTILE = testing.HOSTILE / "xss.txt"
SAMPLES = [
    "<p>本文<script>alert(1)</script></p>",
    "<style>body{display:none}</style><p>スタイル</p>",
    '<p onclick="alert(1)">クリック</p><img src="x.png" onerror="alert(1)" alt="画像">',
    '<a href="javascript:alert(1)">リンク</a><a href="JaVaScRiPt:alert(1)">大文字</a>',
    '<a href="&#106;avascript:alert(1)">実体参照</a><iframe src="https://evil.example/"></iframe>',
    '<svg onload=alert(1)><p style="color:red">色</p></svg><form action="/x"><input name=a></form>',
]


class _Inspector(HTMLParser):
    """Collects every tag and attribute as a browser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]


def assert_harmless(testcase, html: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    testcase.assertFalse(
        inspector.tags & {"script", "style", "iframe", "svg", "form", "input", "object", "embed"}, html
    )
    for tag, name, value in inspector.attrs:
        testcase.assertFalse(name.startswith("on"), (tag, name, value))
        testcase.assertNotEqual(name, "style", (tag, name))
        testcase.assertNotIn("javascript:", value.replace(" ", "").lower(), (tag, name, value))


class SanitizingTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.writer_user)

    def test_it_strips_scripts_styles_events_and_javascript_urls_posted_through_the_admin(self):
        body = "".join(SAMPLES)
        response = self.client.post(self.add_url, self.form_data(headline="危険な本文", body=body))
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(headline="危険な本文")
        assert_harmless(self, article.body)
        self.assertIn("クリック", article.body)  # the words stay, only what runs goes
        self.assertIn("<strong>", self.sanitized("<p><strong>太字</strong></p>"))

    def test_it_keeps_the_editors_formatting(self):
        body = (
            "<h2>見出し</h2><p><strong>太字</strong>と<em>斜体</em></p><ul><li>一</li></ul><ol><li>二</li></ol>"
            '<blockquote><p>引用</p></blockquote><p><a href="https://example.jp/">リンク</a></p>'
        )
        stored = self.sanitized(body)
        for fragment in (
            "<h2>見出し</h2>",
            "<strong>太字</strong>",
            "<em>斜体</em>",
            "<ul><li>一</li></ul>",
            "<ol><li>二</li></ol>",
            "<blockquote>",
            'href="https://example.jp/"',
        ):
            self.assertIn(fragment, stored)

    def test_it_strips_every_line_of_the_hostile_corpus(self):
        body = HOSTILE.read_text(encoding="utf-8", errors="replace")
        stored = self.sanitized(body)
        assert_harmless(self, stored)
        article = Article.objects.get(headline="攻撃文字列")
        self.client.force_login(self.editor)
        page = self.client.get(f"/preview/articles/{article.pk}/").content.decode()
        shown = page.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]  # div is not allowed in bodies
        self.assertIn("drag me", shown)  # the text stays readable
        assert_harmless(self, shown)

    def test_it_offers_the_rich_text_editor_on_a_real_textarea(self):
        response = self.client.get(self.add_url)
        self.assertContains(response, '<textarea name="body"')
        self.assertContains(response, "data-kiji-editor")
        self.assertContains(response, "js/editor.js")

    def sanitized(self, body: str) -> str:
        self.client.post(self.add_url, self.form_data(headline="攻撃文字列", body=body))
        return Article.objects.filter(headline="攻撃文字列").latest("pk").body
