"""Rate limits and counters: the Redis and the database backend pass the same tests."""

import uuid
from datetime import timedelta

import time_machine
from django.test import Client, TestCase, override_settings

from kiji.comments.counters import DatabaseCounters, RedisCounters, counter_backend
from kiji.comments.models import Comment
from kiji.comments.tests.base import CommentsTestCase, jst_days_ahead
from kiji.testing import TEST_REDIS_URL, need_redis


class CounterContract:
    def make_backend(self):
        raise NotImplementedError

    def setUp(self):
        super().setUp()
        self.counters = self.make_backend()
        self.key = f"test:{uuid.uuid4().hex}"

    def test_it_counts_hits_in_a_window(self):
        now = 1_800_000_000.0
        self.assertEqual([self.counters.incr(self.key, 60, now=now + i) for i in range(4)], [1, 2, 3, 4])
        self.assertEqual(self.counters.get(self.key, 60, now=now), 4)

    def test_it_starts_again_in_the_next_window(self):
        now = 1_800_000_000.0
        self.counters.incr(self.key, 60, now=now)
        self.counters.incr(self.key, 60, now=now)
        self.assertEqual(self.counters.incr(self.key, 60, now=now + 60), 1)

    def test_it_counts_several_at_once(self):
        now = 1_800_000_000.0
        self.counters.incr(self.key, 60, now=now)
        hits = [(self.key, 60), (self.key, 86400), (self.key + "y", 60)]
        self.assertEqual(self.counters.incr_many(hits, now=now), [2, 1, 1])

    def test_windows_and_keys_are_separate(self):
        now = 1_800_000_000.0
        self.counters.incr(self.key, 60, now=now)
        self.assertEqual(self.counters.incr(self.key, 86400, now=now), 1)
        self.assertEqual(self.counters.incr(self.key + "x", 60, now=now), 1)


class DatabaseCounterTests(CounterContract, TestCase):
    def make_backend(self):
        return DatabaseCounters()

    def test_it_forgets_expired_windows(self):
        start = jst_days_ahead("10:00")
        with time_machine.travel(start, tick=False):
            self.counters.incr(self.key, 60)
        with time_machine.travel(start + timedelta(minutes=5), tick=False):
            self.assertEqual(self.counters.purge_expired(), 1)


class RedisCounterTests(CounterContract, TestCase):
    def make_backend(self):
        need_redis()
        return RedisCounters(TEST_REDIS_URL, prefix=f"kiji-test:{uuid.uuid4().hex}:")

    def tearDown(self):
        keys = list(self.counters.client.scan_iter(self.counters.prefix + "*"))
        if keys:
            self.counters.client.delete(*keys)
        super().tearDown()


def morning():
    """10:00:05 Japan time the day after the suite's clock: outside the quiet hours, a few seconds into a
    minute's window, and after the article the test made (never a date of the calendar)."""
    return jst_days_ahead("10:00") + timedelta(seconds=5)


class PostingRateLimitContract:
    """Through the comment form: 3 a minute and 30 a day per visitor; per IP (higher) across visitors."""

    def test_many_readers_behind_one_carrier_address_are_not_blocked_at_once(self):
        with time_machine.travel(morning(), tick=False):
            codes = [
                self.post(f"携帯から{i}", client=Client(REMOTE_ADDR="198.51.100.1")).status_code for i in range(11)
            ]
        self.assertEqual(codes, [302] * 10 + [429])

    def test_a_visitor_gets_three_a_minute(self):
        start = morning()
        with time_machine.travel(start, tick=False):
            codes = [self.post(f"コメント{i}").status_code for i in range(4)]
        self.assertEqual(codes, [302, 302, 302, 429])
        with time_machine.travel(start + timedelta(minutes=1), tick=False):
            self.assertEqual(self.post("一分後のコメント").status_code, 302)

    @override_settings(KIJI_COMMENTS_IP_RATE_PER_MINUTE=3)
    def test_one_ip_is_limited_across_visitors(self):
        start = morning()
        with time_machine.travel(start, tick=False):
            codes = [self.post(f"別人{i}", client=Client(REMOTE_ADDR="203.0.113.7")).status_code for i in range(4)]
        self.assertEqual(codes, [302, 302, 302, 429])
        with time_machine.travel(start + timedelta(seconds=1), tick=False):
            self.assertEqual(self.post("別のIP", client=Client(REMOTE_ADDR="203.0.113.8")).status_code, 302)

    @override_settings(KIJI_COMMENTS_IP_RATE_PER_MINUTE=3)
    def test_behind_the_local_proxy_the_address_nginx_saw_counts(self):
        def via_nginx(real_ip: str, claimed: str = "") -> Client:
            forwarded = f"{claimed}, {real_ip}" if claimed else real_ip
            return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

        with time_machine.travel(morning(), tick=False):
            codes = [
                self.post(f"偽装{i}", client=via_nginx("203.0.113.9", claimed=f"10.0.0.{i}")).status_code
                for i in range(4)
            ]
            self.assertEqual(codes, [302, 302, 302, 429])
            self.assertEqual(self.post("別の読者", client=via_nginx("203.0.113.10")).status_code, 302)

    @override_settings(KIJI_COMMENTS_RATE_PER_MINUTE=100, KIJI_COMMENTS_RATE_PER_DAY=5)
    def test_a_visitor_gets_a_daily_allowance(self):
        start = morning()  # every ten minutes from 10:00 Japan time: one day, never the quiet hours
        codes = []
        for i in range(6):
            with time_machine.travel(start + timedelta(minutes=10 * i), tick=False):
                codes.append(self.post(f"日中のコメント{i}").status_code)
        self.assertEqual(codes, [302] * 5 + [429])
        self.assertEqual(Comment.objects.count(), 5)


@override_settings(REDIS_URL="")
class DatabaseRateLimitTests(PostingRateLimitContract, CommentsTestCase):
    def test_it_uses_the_database(self):
        self.assertIsInstance(counter_backend(), DatabaseCounters)


@override_settings(REDIS_URL=TEST_REDIS_URL)
class RedisRateLimitTests(PostingRateLimitContract, CommentsTestCase):
    def setUp(self):
        need_redis()
        super().setUp()
        self.backend = counter_backend()
        self.assertIsInstance(self.backend, RedisCounters)
        self._clear()

    def _clear(self):
        keys = list(self.backend.client.scan_iter(self.backend.prefix + "*"))
        if keys:
            self.backend.client.delete(*keys)

    def tearDown(self):
        self._clear()
        super().tearDown()
