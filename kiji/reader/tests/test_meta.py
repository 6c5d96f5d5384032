"""What link previews, search engines and crawlers read in each page's head."""

import json
from datetime import timedelta
from html.parser import HTMLParser

from django.conf import settings
from django.utils import timezone

from kiji.api.tests.images import make_image
from kiji.newsroom.models import Article, Tag
from kiji.testing import NewsroomTestCase


class Head(HTMLParser):
    """The head's <meta>, <link> and JSON-LD scripts, as a crawler collects them."""

    def __init__(self, html: str):
        super().__init__()
        self.meta, self.links, self.jsonld, self.title = {}, [], [], ""
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content"))
        elif tag == "link":
            self.links.append(a)
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in = "jsonld"
            self.jsonld.append("")
        elif tag == "title":
            self._in = "title"

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "jsonld":
            self.jsonld[-1] += data
        elif self._in == "title":
            self.title += data

    def one(self, key):
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]

    def canonical(self):
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]

    def objects(self):
        return [json.loads(text) for text in self.jsonld]

    def of_type(self, kind):
        found = [o for o in self.objects() if o["@type"] == kind]
        assert len(found) == 1, (kind, self.objects())
        return found[0]


class MetaTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tags = [Tag.objects.create(name="予算", slug="予算"), Tag.objects.create(name="国会", slug="kokkai")]
        cls.article = cls.make_article(
            headline="予算案が衆院通過",
            slug="budget-passes",
            deck="与党などの賛成多数で可決",
            tags=cls.tags,
            writers=[cls.writer, cls.other_writer],
            published_at=timezone.now() - timedelta(hours=3),
            updated_at=timezone.now() - timedelta(hours=1),
        )

    def head(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return Head(response.content.decode())

    def test_article_page_has_title_description_canonical_and_open_graph(self):
        head = self.head(self.article.get_absolute_url())
        url = f"{settings.SITE_URL}/articles/{self.article.pk}/budget-passes/"
        self.assertEqual(head.title, f"予算案が衆院通過 | {settings.SITE_NAME}")
        self.assertEqual(head.one("description"), "与党などの賛成多数で可決")
        self.assertEqual(head.canonical(), [url])
        self.assertEqual(head.one("og:type"), "article")
        self.assertEqual(head.one("og:url"), url)
        self.assertEqual(head.one("og:title"), "予算案が衆院通過")
        self.assertEqual(head.one("og:description"), "与党などの賛成多数で可決")
        self.assertEqual(head.one("og:site_name"), settings.SITE_NAME)
        self.assertEqual(head.one("og:locale"), "ja_JP")
        self.assertEqual(head.one("article:section"), "政治")
        self.assertEqual(sorted(head.meta["article:tag"]), ["予算", "国会"])
        self.assertTrue(head.one("article:published_time").endswith("+09:00"))
        self.assertLess(head.one("article:published_time"), head.one("article:modified_time"))
        self.assertEqual(head.one("twitter:card"), "summary_large_image")
        self.assertEqual(head.one("twitter:title"), "予算案が衆院通過")

    def test_without_a_large_image_the_site_default_1200x630_is_shared(self):
        head = self.head(self.article.get_absolute_url())
        self.assertEqual(head.one("og:image"), f"{settings.SITE_URL}/static/img/og-default.png")
        self.assertEqual((head.one("og:image:width"), head.one("og:image:height")), ("1200", "630"))
        self.assertEqual(head.one("twitter:image"), head.one("og:image"))
        from PIL import Image

        with Image.open(settings.BASE_DIR / "static/img/og-default.png") as png:
            self.assertEqual(png.size, (1200, 630))

    def test_lead_image_is_shared_at_its_smallest_rendition_1200_wide_or_more(self):
        self.article.lead_image = make_image(2400, 1350, rendition_widths=(640, 1280, 1920))
        self.article.save()
        head = self.head(self.article.get_absolute_url())
        self.assertTrue(head.one("og:image").startswith(f"{settings.SITE_URL}/media/renditions/"))
        self.assertTrue(head.one("og:image").endswith("/1280.jpg"))
        self.assertEqual((head.one("og:image:width"), head.one("og:image:height")), ("1280", "720"))
        self.assertEqual(head.one("og:image:alt"), "国会議事堂の外観")
        news = head.of_type("NewsArticle")
        self.assertEqual(news["image"], [head.one("og:image")])

    def test_a_small_lead_image_falls_back_to_the_default(self):
        self.article.lead_image = make_image(800, 450, rendition_widths=(320, 640))
        self.article.save()
        head = self.head(self.article.get_absolute_url())
        self.assertEqual(head.one("og:image"), f"{settings.SITE_URL}/static/img/og-default.png")

    def test_article_json_ld_is_a_news_article_with_google_properties(self):
        head = self.head(self.article.get_absolute_url())
        news = head.of_type("NewsArticle")
        url = f"{settings.SITE_URL}/articles/{self.article.pk}/budget-passes/"
        self.assertEqual(news["@context"], "https://schema.org")
        self.assertEqual(news["headline"], "予算案が衆院通過")
        self.assertEqual(news["datePublished"], head.one("article:published_time"))
        self.assertEqual(news["dateModified"], head.one("article:modified_time"))
        # in the order the page's byline shows them
        self.assertCountEqual(
            news["author"],
            [
                {"@type": "Person", "name": "山田 花子", "url": f"{settings.SITE_URL}/writers/yamada-hanako/"},
                {"@type": "Person", "name": "佐藤 一郎", "url": f"{settings.SITE_URL}/writers/sato-ichiro/"},
            ],
        )
        byline = self.client.get(self.article.get_absolute_url()).content.decode()
        byline = byline[byline.index('class="writers"') :]
        self.assertLess(*(byline.index(a["name"]) for a in news["author"]))
        self.assertEqual(news["publisher"]["@type"], "Organization")
        self.assertEqual(news["publisher"]["name"], settings.SITE_NAME)
        self.assertTrue(news["publisher"]["logo"]["url"].endswith("/static/img/logo.png"))
        self.assertEqual(news["mainEntityOfPage"]["@id"], url)
        self.assertEqual(news["articleSection"], "政治")
        self.assertEqual(news["inLanguage"], "ja")

    def test_breadcrumb_json_ld_matches_the_visible_breadcrumb(self):
        head = self.head(self.article.get_absolute_url())
        crumbs = head.of_type("BreadcrumbList")["itemListElement"]
        self.assertEqual(
            [(c["position"], c["name"], c.get("item")) for c in crumbs],
            [
                (1, "トップ", f"{settings.SITE_URL}/"),
                (2, "政治", f"{settings.SITE_URL}/category/politics/"),
                (3, "予算案が衆院通過", f"{settings.SITE_URL}{self.article.get_absolute_url()}"),
            ],
        )
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        nav = html[html.index('aria-label="パンくずリスト"') :]
        nav = nav[: nav.index("</nav>")]
        for c in crumbs:
            self.assertIn(c["name"], nav)

    def test_writer_breadcrumb_json_ld_has_a_url_for_every_item(self):
        crumbs = self.head("/writers/yamada-hanako/").of_type("BreadcrumbList")["itemListElement"]
        self.assertEqual(
            [(c["position"], c["name"], c["item"]) for c in crumbs],
            [
                (1, "トップ", f"{settings.SITE_URL}/"),
                (2, "山田 花子", f"{settings.SITE_URL}/writers/yamada-hanako/"),
            ],
        )

    def test_home_has_organization_and_website_with_search_action(self):
        head = self.head("/")
        self.assertEqual(head.canonical(), [f"{settings.SITE_URL}/"])
        self.assertEqual(head.one("og:type"), "website")
        self.assertEqual(head.one("og:title"), settings.SITE_NAME)
        self.assertEqual(head.of_type("Organization")["name"], settings.SITE_NAME)
        action = head.of_type("WebSite")["potentialAction"]
        self.assertEqual(action["@type"], "SearchAction")
        self.assertEqual(action["target"]["urlTemplate"], f"{settings.SITE_URL}/search/?q={{search_term_string}}")
        self.assertEqual(action["query-input"], "required name=search_term_string")

    def test_list_pages_have_canonical_open_graph_and_breadcrumbs(self):
        for url, title, canonical in [
            ("/category/politics/", "政治", "/category/politics/"),
            ("/tags/kokkai/", "#国会", "/tags/kokkai/"),
            ("/writers/yamada-hanako/", "山田 花子", "/writers/yamada-hanako/"),
        ]:
            with self.subTest(url=url):
                head = self.head(url)
                self.assertEqual(head.canonical(), [settings.SITE_URL + canonical])
                self.assertEqual(head.one("og:title"), title)
                self.assertEqual(head.one("og:url"), settings.SITE_URL + canonical)
                self.assertIn(head.one("og:type"), {"website", "profile"})
                self.assertEqual(head.one("twitter:card"), "summary_large_image")
                self.assertEqual(head.of_type("BreadcrumbList")["itemListElement"][0]["name"], "トップ")

    def test_a_headline_with_script_tags_cannot_break_out_of_the_json_ld(self):
        hostile = '</script><script>alert("x")</script><!-- & "引用" \u2028'
        article = self.make_article(headline=hostile, deck="<b>太字</b> & 'quote'")
        html = self.client.get(article.get_absolute_url()).content.decode()
        self.assertNotIn('<script>alert("x")</script>', html)
        head = Head(html)
        self.assertEqual(head.of_type("NewsArticle")["headline"], hostile)
        self.assertEqual(head.one("og:title"), hostile)
        self.assertEqual(head.one("og:description"), "<b>太字</b> & 'quote'")
        for text in head.jsonld:
            self.assertNotIn("<", text)
            self.assertNotIn(">", text)
            self.assertNotIn("&", text)

    def test_preview_of_a_draft_is_noindex_and_has_no_canonical(self):
        draft = self.make_article(headline="下書きの記事", status=Article.Status.DRAFT)
        self.client.force_login(self.editor)
        response = self.client.get(f"/preview/articles/{draft.pk}/")
        head = Head(response.content.decode())
        self.assertEqual(head.one("robots"), "noindex")
        self.assertEqual(head.canonical(), [])
        self.assertEqual(head.jsonld, [])
