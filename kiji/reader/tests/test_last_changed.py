"""One "last changed" for an article: the sitemap, the API and the page's metadata agree."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime

import time_machine
from django.utils import timezone

from kiji.newsroom.models import Correction
from kiji.reader.tests.test_meta import Head
from kiji.testing import NewsroomTestCase

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class LastChangedTests(NewsroomTestCase):
    def answers(self, article) -> dict:
        sitemap = ET.fromstring(self.client.get("/sitemap-articles.xml").content)
        lastmod = next(u.find(f"{SM}lastmod").text for u in sitemap.iter(f"{SM}url"))
        api = self.client.get(f"/api/v1/articles/{article.pk}")
        head = Head(self.client.get(article.get_absolute_url(), follow=True).content.decode())
        return {
            "sitemap": lastmod[:16],
            "api": timezone.localtime(parsedate_to_datetime(api["Last-Modified"])).isoformat()[:16],
            "og": head.one("article:modified_time")[:16],
            "json-ld": head.of_type("NewsArticle")["dateModified"][:16],
        }

    def test_a_correction_is_a_change_for_every_reader_of_the_time(self):
        article = self.make_article(headline="予算案が衆院通過")
        later = timezone.now() + timedelta(minutes=30)
        with time_machine.travel(later, tick=False):
            Correction.objects.create(article=article, text="採決の日付を訂正しました。")
            expected = timezone.localtime(later).isoformat()[:16]
            self.assertEqual(set(self.answers(article).values()), {expected}, self.answers(article))
