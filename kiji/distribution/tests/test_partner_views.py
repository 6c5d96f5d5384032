"""Views from a partner's app (the snf:analytics beacon) are counted as views and marked as the partner's."""

from django.urls import reverse

from kiji.audience.tests.base import BROWSER, AudienceTestCase
from kiji.distribution.models import Partner
from kiji.reader.partner_feeds import _beacon_html


class PartnerViewTests(AudienceTestCase):
    def test_a_view_through_the_partner_beacon_counts_once_and_shows_in_the_partner_list(self):
        partner = Partner.objects.create(name="SmartNews", format=Partner.Format.SMARTFORMAT)
        article = self.make_article()
        url = _beacon_html(article, partner).split('"')[1].removeprefix("http://127.0.0.1:8000")
        first = self.client.post(url, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER)
        self.assertEqual(first["X-Counted"], "partner")
        again = self.client.post(url, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER)
        self.assertEqual(again["X-Counted"], "repeat")  # the same reader within 30 minutes
        self.client.post(url, REMOTE_ADDR="203.0.113.8", HTTP_USER_AGENT=BROWSER)
        self.assertEqual(self.beacon(article, ip="203.0.113.9")["X-Counted"], "yes")  # a reader on the site
        self.client.force_login(self.editor)
        page = self.client.get(reverse("admin:distribution_partner_changelist"))
        self.assertContains(page, '<td class="field-views_7d">2</td>', html=False)
