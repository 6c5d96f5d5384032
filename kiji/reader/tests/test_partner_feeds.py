"""Partner feeds as partners read them: SmartFormat 2.1 element by element, full-text RSS 2.0,
and the rules of who gets what (token, networks, categories, delay, 配信しない, withdrawals, corrections)."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import feedparser
import time_machine
from django.conf import settings
from django.utils import timezone

from kiji.api.tests.images import make_image
from kiji.distribution.models import OptOut, Partner
from kiji.distribution.services import opt_out
from kiji.newsroom.models import Article, Correction
from kiji.newsroom.services.publishing import unpublish_article
from kiji.reader.partner_feeds import MAX_BYTES, SMARTFORMAT_TAGS
from kiji.testing import NewsroomTestCase

NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "media": "http://search.yahoo.com/mrss/",
    "snf": "http://www.smartnews.be/snf",
    "atom": "http://www.w3.org/2005/Atom",
}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def html_tags(html: str) -> set[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


class PartnerFeedTestCase(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.smartnews = Partner.objects.create(name="SmartNews", format=Partner.Format.SMARTFORMAT, related_links=2)
        cls.portal = Partner.objects.create(name="ポータル", format=Partner.Format.FULLTEXT_RSS)
        cls.article = cls.make_article(
            headline="衆議院本会議で来年度予算案が賛成多数で可決、参議院へ送付",
            short_headline="予算案が衆院可決",
            body=(
                '<p>本文の<mark>強調</mark>と<a href="/category/politics/">政治</a>。</p>'
                '<figure><img src="/media/x.jpg" alt="議場"><figcaption>議場</figcaption></figure>'
                "<p><ruby>国会<rt>こっかい</rt></ruby>の<q>引用</q></p>"
            ),
            lead_image=make_image(),
        )
        cls.sibling = cls.make_article(headline="予算委員会で質疑", published_at=cls.now - timedelta(hours=2))

    def fetch(self, partner, **extra):
        return self.client.get(f"/partners/{partner.token}/feed.xml", **extra)

    def items(self, partner):
        response = self.fetch(partner)
        self.assertEqual(response.status_code, 200)
        return ET.fromstring(response.content).findall("channel/item")

    def titles(self, partner):
        return [item.findtext("title") for item in self.items(partner)]


class SmartFormatTests(PartnerFeedTestCase):
    def test_it_follows_smartformat_element_by_element(self):
        response = self.fetch(self.smartnews)
        self.assertTrue(response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'))
        self.assertIn("charset=utf-8", response["Content-Type"])
        self.assertLess(len(response.content), MAX_BYTES)
        root = ET.fromstring(response.content)
        self.assertEqual((root.tag, root.get("version")), ("rss", "2.0"))
        channel = root.find("channel")
        for name in ("title", "link", "description", "pubDate", "language", "lastBuildDate"):
            self.assertTrue(channel.findtext(name), name)
        for name in ("snf:logo", "snf:darkModeLogo"):
            self.assertTrue(channel.find(f"{name}/url", NS).text.startswith("http"), name)
        item = root.find("channel/item")
        self.assertEqual(item.findtext("title"), "予算案が衆院可決")  # the short headline
        for name in ("link", "guid", "description", "pubDate", "category"):
            self.assertTrue(item.findtext(name), name)
        content = item.findtext("content:encoded", namespaces=NS)
        self.assertLessEqual(html_tags(content), SMARTFORMAT_TAGS)
        self.assertNotIn("<mark>", content)
        self.assertIn("強調", content)  # the words stay when an element goes
        self.assertIn(f'src="{settings.SITE_URL}/media/x.jpg"', content)  # absolute for the partner's app
        self.assertTrue(item.find("media:thumbnail", NS).get("url").startswith("http"))
        self.assertEqual(item.findtext("dc:creator", namespaces=NS), "山田 花子")
        analytics = item.findtext("snf:analytics", namespaces=NS)
        self.assertIn(f"/v/?a={self.article.pk}&p={self.smartnews.pk}", analytics)
        related = item.findall("snf:relatedLink", NS)
        self.assertEqual([r.get("title") for r in related], ["予算委員会で質疑"])

    def test_feedparser_reads_it_without_errors(self):
        feed = feedparser.parse(self.fetch(self.smartnews).content)
        self.assertEqual(feed.bozo, 0, feed.get("bozo_exception"))
        self.assertEqual(feed.entries[0].title, "予算案が衆院可決")

    def test_it_stays_under_one_megabyte(self):
        big = "<p>" + "あ" * 30000 + "</p>"
        for n in range(15):
            self.make_article(headline=f"長い記事{n}", body=big, published_at=self.now - timedelta(hours=n + 3))
        response = self.fetch(self.smartnews)
        self.assertLess(len(response.content), MAX_BYTES)
        titles = [t.text for t in ET.fromstring(response.content).iter("title")]
        self.assertIn("予算案が衆院可決", titles)  # the newest are kept
        self.assertNotIn("長い記事14", titles)  # the oldest go


class FullTextRssTests(PartnerFeedTestCase):
    def test_it_carries_full_text_image_credit_author_category_related_and_modified(self):
        response = self.fetch(self.portal)
        self.assertTrue(response.has_header("Last-Modified"))
        item = ET.fromstring(response.content).find("channel/item")
        self.assertEqual(item.findtext("title"), "予算案が衆院可決")
        self.assertIn("<mark>強調</mark>", item.findtext("content:encoded", namespaces=NS))
        media = item.find("media:content", NS)
        self.assertEqual(media.findtext("media:credit", namespaces=NS), "撮影：山田太郎")
        self.assertEqual(media.findtext("media:description", namespaces=NS), "国会議事堂")
        self.assertEqual(item.findtext("dc:creator", namespaces=NS), "山田 花子")
        self.assertEqual(item.findtext("category"), "政治")
        self.assertTrue(item.findtext("dcterms:modified", namespaces=NS))
        self.assertEqual(
            [link.get("title") for link in item.findall("atom:link[@rel='related']", NS)], ["予算委員会で質疑"]
        )
        feed = feedparser.parse(response.content)
        self.assertEqual(feed.bozo, 0, feed.get("bozo_exception"))

    def test_summary_only_and_no_images_when_the_partner_says_so(self):
        self.portal.full_text, self.portal.images = False, False
        self.portal.save()
        item = self.items(self.portal)[0]
        self.assertIsNone(item.find("media:content", NS))
        content = item.findtext("content:encoded", namespaces=NS)
        self.assertNotIn("<img", content)
        self.assertNotIn("<a ", content)  # the summary, not the body with its link
        self.assertIn(self.article.description[:10], content)


class WhoGetsWhatTests(PartnerFeedTestCase):
    def test_a_wrong_or_inactive_token_is_not_found(self):
        self.assertEqual(self.client.get("/partners/guess/feed.xml").status_code, 404)
        self.portal.active = False
        self.portal.save()
        self.assertEqual(self.fetch(self.portal).status_code, 404)

    def test_listed_networks_only(self):
        self.portal.allowed_networks = "203.0.113.0/24\n2001:db8::/32"
        self.portal.save()
        self.assertEqual(self.fetch(self.portal, REMOTE_ADDR="198.51.100.7").status_code, 403)
        self.assertEqual(self.fetch(self.portal, REMOTE_ADDR="203.0.113.9").status_code, 200)
        self.assertEqual(self.fetch(self.portal, REMOTE_ADDR="2001:db8::1").status_code, 200)

    def test_categories_and_maximum(self):
        self.make_article(headline="韓国の記事", category=self.korea)
        self.portal.categories.set([self.korea])
        self.assertEqual(self.titles(self.portal), ["韓国の記事"])
        self.smartnews.max_items = 1
        self.smartnews.save()
        self.assertEqual(len(self.titles(self.smartnews)), 1)

    def test_the_delay_holds_an_article_back_until_its_time(self):
        self.portal.embargo_minutes = 30
        self.portal.save()
        fresh = self.make_article(headline="速報", published_at=timezone.now() - timedelta(minutes=10))
        self.assertNotIn("速報", self.titles(self.portal))
        self.assertIn("速報", self.titles(self.smartnews))
        with time_machine.travel(fresh.published_at + timedelta(minutes=31)):
            self.assertIn("速報", self.titles(self.portal))

    def test_an_opted_out_article_stays_out_of_that_partner_only(self):
        OptOut.objects.create(article=self.article, partner=self.portal)
        self.assertNotIn("予算案が衆院可決", self.titles(self.portal))
        self.assertIn("予算案が衆院可決", self.titles(self.smartnews))


class WithdrawalsAndCorrectionsTests(PartnerFeedTestCase):
    def test_an_unpublished_article_disappears_from_every_partner_feed_at_the_next_request(self):
        for partner in (self.smartnews, self.portal):
            self.assertIn("予算案が衆院可決", self.titles(partner))
        unpublish_article(article=self.article, by=self.editor)
        for partner in (self.smartnews, self.portal):
            self.assertNotIn("予算案が衆院可決", self.titles(partner))

    def test_a_corrected_article_shows_its_new_modified_time_and_the_correction(self):
        before = self.items(self.portal)[0].findtext("dcterms:modified", namespaces=NS)
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            Correction.objects.create(article=self.article, text="見出しの議院名を訂正しました。")
            for partner in (self.smartnews, self.portal):
                item = self.items(partner)[0]
                self.assertIn("見出しの議院名を訂正しました。", item.findtext("content:encoded", namespaces=NS))
            after = self.items(self.portal)[0].findtext("dcterms:modified", namespaces=NS)
        self.assertGreater(after, before)
        self.assertEqual(Article.objects.count(), 2)


class SiteChannelTests(PartnerFeedTestCase):
    """The public feeds and the Google News sitemap are channels too: 配信しない and a delay apply."""

    def test_an_article_kept_out_of_a_site_channel_leaves_only_that_channel(self):
        feeds = Partner.objects.get(format=Partner.Format.PUBLIC_FEEDS)
        news = Partner.objects.get(format=Partner.Format.GOOGLE_NEWS)
        self.assertEqual(self.client.get(f"/partners/{feeds.token}/feed.xml").status_code, 404)  # no partner feed
        OptOut.objects.create(article=self.article, partner=feeds)
        for url in ("/feeds/rss/", "/feeds/atom/", "/feeds/category/politics/rss/"):
            self.assertNotIn("参議院へ送付", self.client.get(url).content.decode(), url)
        self.assertIn(self.article.get_absolute_url(), self.client.get("/sitemap-news.xml").content.decode())
        with self.captureOnCommitCallbacks(execute=True):  # as the bulk action does: the cached sitemap is purged
            opt_out(articles=[self.sibling], partner=news, by=self.editor)
        self.assertNotIn(self.sibling.get_absolute_url(), self.client.get("/sitemap-news.xml").content.decode())

    def test_a_site_channel_delay_holds_new_articles_back(self):
        Partner.objects.filter(format=Partner.Format.GOOGLE_NEWS).update(embargo_minutes=90)
        fresh = self.make_article(headline="速報", published_at=timezone.now() - timedelta(minutes=10))
        self.assertNotIn(fresh.get_absolute_url(), self.client.get("/sitemap-news.xml").content.decode())
        self.assertIn("速報", self.client.get("/feeds/rss/").content.decode())
