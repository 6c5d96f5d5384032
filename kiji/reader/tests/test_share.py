"""Share buttons on the article page: plain links, right URLs, nothing per visitor."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from kiji.testing import NewsroomTestCase


class ShareBox(HTMLParser):
    """The links, fields and buttons of the page's share section."""

    def __init__(self, html: str):
        super().__init__()
        self.links, self.inputs, self.buttons, self.scripts = [], [], [], []
        share = html[html.index('<section class="share"') :]
        self.feed(share[: share.index("</section>") + len("</section>")])

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self.links.append(a)
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "button":
            self.buttons.append(a)


class ShareTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = cls.make_article(headline="予算案が可決 & 成立へ #国会 100%", slug="budget")
        cls.url = f"{settings.SITE_URL}/articles/{cls.article.pk}/budget/"

    def share(self):
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response, ShareBox(response.content.decode())

    def by_service(self):
        _, box = self.share()
        return {urlsplit(a["href"]).netloc: a for a in box.links}

    def test_it_links_to_each_service_with_the_canonical_url_encoded(self):
        links = self.by_service()
        self.assertEqual(set(links), {"twitter.com", "www.facebook.com", "social-plugins.line.me", "b.hatena.ne.jp"})
        x = urlsplit(links["twitter.com"]["href"])
        self.assertEqual(x.path, "/intent/tweet")
        self.assertEqual(parse_qs(x.query), {"text": [self.article.headline], "url": [self.url]})
        self.assertIn("%26", x.query)  # the & in the headline does not split the query
        self.assertIn("%23", x.query)  # nor does # cut it short
        fb = urlsplit(links["www.facebook.com"]["href"])
        self.assertEqual((fb.path, parse_qs(fb.query)), ("/sharer/sharer.php", {"u": [self.url]}))
        line = urlsplit(links["social-plugins.line.me"]["href"])
        self.assertEqual((line.path, parse_qs(line.query)), ("/lineit/share", {"url": [self.url]}))
        hatena = urlsplit(links["b.hatena.ne.jp"]["href"])
        self.assertEqual((hatena.path, parse_qs(hatena.query)), ("/entry/panel/", {"url": [self.url]}))
        self.assertIn("url=http%3A%2F%2F", hatena.query)

    def test_links_open_safely_and_have_accessible_names(self):
        for link in self.by_service().values():
            self.assertIn("noopener", link["rel"])
            self.assertTrue(link["aria-label"])
        names = {a["aria-label"] for a in self.by_service().values()}
        self.assertIn("はてなブックマークに追加（新しいウィンドウで開きます）", names)
        self.assertIn("LINEで送る（新しいウィンドウで開きます）", names)

    def test_copy_link_works_without_js_as_a_read_only_field(self):
        response, box = self.share()
        [field] = box.inputs
        self.assertEqual(field["value"], self.url)
        self.assertIn("readonly", field)
        self.assertContains(response, '<label for="share-url">記事のURL</label>')
        [button] = box.buttons
        self.assertIn("hidden", button)  # share.js shows it when the clipboard API is there
        self.assertContains(response, 'role="status"')
        self.assertContains(response, "/static/js/share.js")

    def test_no_third_party_script_and_nothing_per_visitor(self):
        self.client.get("/")  # a visitor with history
        anonymous = self.client.get(self.article.get_absolute_url()).content.decode()
        self.client.force_login(self.writer_user)
        self.client.logout()
        again = self.client.get(self.article.get_absolute_url()).content.decode()
        share = anonymous[anonymous.index('<section class="share"') :]
        share = share[: share.index("</section>")]
        self.assertIn(share, again)
        self.assertNotIn("csrf", share.lower())
        for src in [s for s in anonymous.split('<script src="')[1:]]:
            self.assertTrue(src.startswith("/static/"), src[:60])

    def test_share_js_copies_with_the_clipboard_and_says_so(self):
        js = (settings.BASE_DIR / "static/js/share.js").read_text()
        self.assertIn("navigator.clipboard.writeText", js)
        self.assertIn("リンクをコピーしました", js)
