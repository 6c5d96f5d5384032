"""Article lists (home, category, tag, writer, archive): a card shows its article's lead image as a
thumbnail beside the headline, sized before it loads, described, and loaded only when scrolled near."""

from html.parser import HTMLParser

from django.test import override_settings

from kiji.api.tests.images import make_image
from kiji.testing import NewsroomTestCase


class _Cards(HTMLParser):
    """Each <li class="card">: its headline and the attributes of its thumbnail's <img> (or None)."""

    def __init__(self):
        super().__init__()
        self.cards: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and attrs.get("class") == "card":
            self.cards.append({"headline": "", "img": None, "in_link": False})
        elif self.cards and tag == "img":
            self.cards[-1]["img"] = attrs
        elif self.cards and tag == "a" and not self.cards[-1]["headline"]:
            self.cards[-1]["in_link"] = True

    def handle_endtag(self, tag):
        if tag == "a" and self.cards:
            self.cards[-1]["in_link"] = False

    def handle_data(self, data):
        if self.cards and self.cards[-1]["in_link"]:
            self.cards[-1]["headline"] += data


def cards(html: str) -> dict[str, dict | None]:
    parser = _Cards()
    parser.feed(html)
    return {c["headline"]: c["img"] for c in parser.cards}


@override_settings(KIJI_PAGECACHE=False)
class CardThumbnailTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.pictured = cls.make_article(headline="写真のある記事", lead_image=make_image(1600, 900, (320, 640)))
        cls.plain = cls.make_article(headline="写真のない記事")

    def test_home_and_category_cards_show_the_lead_image_as_a_sized_lazy_thumbnail(self):
        for url in ("/", "/category/politics/"):
            with self.subTest(url=url):
                shown = cards(self.client.get(url).content.decode())
                img = shown["写真のある記事"]
                self.assertEqual(img["alt"], "国会議事堂の外観")
                self.assertEqual((img["width"], img["height"]), ("1600", "900"))  # space kept before it loads
                self.assertEqual(img["loading"], "lazy")
                # the small renditions, for a thumbnail about 100 px wide: the browser picks the 320 px one
                self.assertIn("320w", img["srcset"])
                self.assertIn("96px", img["sizes"])
                self.assertIsNone(shown["写真のない記事"])

    def test_a_decorative_lead_image_has_empty_alt_text(self):
        image = self.pictured.lead_image
        image.alt, image.decorative = "", True
        image.save()
        img = cards(self.client.get("/").content.decode())["写真のある記事"]
        self.assertEqual(img["alt"], "")
