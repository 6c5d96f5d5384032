"""広告/PR articles are recognisable as advertising wherever they appear (景品表示法, October 2023)."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
from django.template import engines

from kiji.distribution.models import Partner
from kiji.newsroom.tests.base import AdminTestCase

SNF = {"snf": "http://www.smartnews.be/snf"}


class SponsoredTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ad = cls.make_article(
            headline="新しい電気自動車を試乗", sponsorship="ad", sponsor_name="サンプル自動車株式会社"
        )
        cls.news = cls.make_article(headline="国会で予算案が可決")

    def test_the_article_page_shows_the_label_and_sponsor_above_the_headline(self):
        html = self.client.get(self.ad.get_absolute_url()).content.decode()
        label = html.index('<span class="sponsor-label">広告</span> 提供: サンプル自動車株式会社')
        self.assertLess(label, html.index("<h1>新しい電気自動車を試乗</h1>"))
        self.assertIn('content="【広告】新しい電気自動車を試乗"', html)  # og:title, the social card
        ld = [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]
        article = next(d for d in ld if d.get("@type") == "NewsArticle")
        self.assertEqual(article["sponsor"], {"@type": "Organization", "name": "サンプル自動車株式会社"})
        plain = self.client.get(self.news.get_absolute_url()).content.decode()
        self.assertNotIn("sponsor-notice", plain)

    def test_every_list_labels_it(self):
        for url in ("/", "/category/politics/"):
            html = self.client.get(url).content.decode()
            self.assertRegex(html, r'<span class="sponsor-label">広告</span> <a [^>]+>新しい電気自動車を試乗</a>', url)
            # every entry of the advertisement carries the label, and nothing else does
            self.assertEqual(html.count("sponsor-label"), html.count(">新しい電気自動車を試乗</a>"), url)
        jinja = engines["jinja2"]
        side = jinja.get_template("includes/numbered_list.html").render(
            {"items": [self.ad, self.news], "css": "ranking", "title": "ランキング", "labels": True}
        )
        self.assertIn('<li><span class="sponsor-label">広告</span> <a', side)

    def test_public_feeds_prefix_the_title_and_add_the_label_as_a_category(self):
        feed = feedparser.parse(self.client.get("/feeds/rss/").content)
        self.assertEqual(feed.bozo, 0)
        entry = next(e for e in feed.entries if "電気自動車" in e.title)
        self.assertEqual(entry.title, "【広告】新しい電気自動車を試乗")
        self.assertIn("広告", [t.term for t in entry.tags])

    def test_the_news_sitemap_leaves_it_out(self):
        body = self.client.get("/sitemap-news.xml").content.decode()
        self.assertIn(self.news.get_absolute_url(), body)
        self.assertNotIn(self.ad.get_absolute_url(), body)

    def test_partner_feeds_use_the_partners_prefix_and_promote_it_as_a_sponsored_link(self):
        partner = Partner.objects.create(
            name="SmartNews", format=Partner.Format.SMARTFORMAT, sponsored_prefix="[{label}] "
        )
        root = ET.fromstring(self.client.get(f"/partners/{partner.token}/feed.xml").content)
        items = {i.findtext("link").rsplit("/articles/", 1)[1]: i for i in root.findall("channel/item")}
        ad, news = items[f"{self.ad.pk}/"], items[f"{self.news.pk}/"]
        self.assertEqual(ad.findtext("title"), "[広告] 新しい電気自動車を試乗")
        self.assertIn("広告", [c.text for c in ad.findall("category")])
        link = news.find("snf:advertisement/snf:sponsoredLink", SNF)
        self.assertEqual(link.get("advertiser"), "サンプル自動車株式会社")
        self.assertEqual(link.get("title"), "[広告] 新しい電気自動車を試乗")
        self.assertIsNone(ad.find("snf:advertisement", SNF))

    def test_a_label_without_a_sponsor_is_refused_with_the_field_named(self):
        self.client.force_login(self.editor)
        data = self.form_data(self.news, sponsorship="pr", sponsor_name="")
        response = self.client.post(self.change_url(self.news), data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors.get("sponsor_name"))
        self.assertContains(response, "国会で予算案が可決")  # the form keeps what was typed

    def test_the_read_api_names_the_label_and_sponsor(self):
        items = self.client.get("/api/v1/articles").json()["results"]
        by_id = {item["id"]: item for item in items}
        self.assertEqual(by_id[self.ad.pk]["sponsor"], {"label": "広告", "name": "サンプル自動車株式会社"})
        self.assertIsNone(by_id[self.news.pk]["sponsor"])
