"""Security review (issue 11) in audience: one address cannot inflate views; memory has a hard cap."""

from datetime import timedelta

from django.test import override_settings

from kiji.audience.backends import get_backend
from kiji.audience.tests.base import BROWSER, AudienceTestCase


class UserAgentRotationTests(AudienceTestCase):
    """#5: 200 beacons from one address with 200 user agents count as a handful of views."""

    @override_settings(KIJI_AUDIENCE_VIEWS_PER_ADDRESS=20)
    def test_one_address_rotating_user_agents_counts_at_most_the_allowance(self):
        article = self.make_article()
        for i in range(200):
            self.beacon(article, ip="198.51.100.4", ua=f"{BROWSER} rotation/{i}")
        get_backend().flush()  # the settings change started a fresh backend
        self.assertEqual(self.views_in_db(article), 20)

    def test_readers_at_different_addresses_still_count(self):
        article = self.make_article()
        for i in range(30):
            self.beacon(article, ip=f"192.0.2.{i}")
        self.backend.flush()
        self.assertEqual(self.views_in_db(article), 30)


class DedupeMemoryCapTests(AudienceTestCase):
    """#5: the in-process dedupe marks stay under KIJI_AUDIENCE_MEMORY_MAX_ENTRIES, however many visitors come."""

    @override_settings(KIJI_AUDIENCE_MEMORY_MAX_ENTRIES=100, KIJI_AUDIENCE_VIEWS_PER_ADDRESS=10_000)
    def test_the_dedupe_table_has_a_hard_cap(self):
        backend = get_backend()
        article = self.make_article()
        now = self.clock
        for i in range(1000):
            backend.record_view(article.pk, f"visitor-{i}", now + timedelta(microseconds=i))
        self.assertLessEqual(len(backend._seen), 101)
        self.assertLessEqual(len(backend._sessions), 101)
