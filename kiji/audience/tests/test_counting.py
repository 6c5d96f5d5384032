"""Counting views: the beacon, dedupe, bots, prefetch, batching into hourly buckets, crashes."""

from datetime import UTC, datetime
from unittest import mock

from django.test import override_settings

from kiji.audience import backends
from kiji.audience.backends import get_backend
from kiji.audience.lists import format_count
from kiji.audience.models import ArticleViewHour
from kiji.audience.tests.base import AUDIENCE_TEST_REDIS_URL, AudienceTestCase, RedisMixin
from kiji.lib.pagecache import purge_article
from kiji.newsroom.models import Article


class CountingContract:
    """What both backends must do; `survives_process_crash` is the one documented difference."""

    survives_process_crash = False

    def setUp(self):
        super().setUp()
        self.article = self.make_article(headline="日銀が金利を据え置き")

    def test_it_counts_a_view_through_the_beacon_without_cookies(self):
        response = self.beacon(self.article)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["X-Counted"], "yes")
        self.assertFalse(response.cookies)
        self.backend.flush()
        self.assertEqual(self.views_in_db(self.article), 1)

    def test_it_counts_the_same_visitor_once_within_30_minutes(self):
        self.beacon(self.article)
        self.move(minutes=29)
        self.assertEqual(self.beacon(self.article)["X-Counted"], "repeat")
        self.move(minutes=2)  # 31 minutes after the first view
        self.assertEqual(self.beacon(self.article)["X-Counted"], "yes")
        self.backend.flush()
        self.assertEqual(self.views_in_db(self.article), 2)

    def test_it_counts_different_visitors_separately(self):
        self.beacon(self.article, ip="203.0.113.7")
        self.beacon(self.article, ip="198.51.100.2")
        self.beacon(self.article, ip="203.0.113.7", ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0")
        self.backend.flush()
        self.assertEqual(self.views_in_db(self.article), 3)

    def test_it_rejects_known_bots_and_empty_user_agents(self):
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0)",
            "curl/8.5.0",
            "python-requests/2.32",
            "facebookexternalhit/1.1",
            "",
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0 Safari/537.36",
        ]:
            self.assertEqual(self.beacon(self.article, ua=ua)["X-Counted"], "bot", ua)
        self.backend.flush()
        self.assertEqual(self.views_in_db(self.article), 0)

    def test_it_rejects_prefetch_and_prerender(self):
        for headers in [
            {"HTTP_SEC_PURPOSE": "prefetch"},
            {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
            {"HTTP_PURPOSE": "prefetch"},
            {"HTTP_X_MOZ": "prefetch"},
        ]:
            self.assertEqual(self.beacon(self.article, **headers)["X-Counted"], "prefetch")
        self.backend.flush()
        self.assertEqual(self.views_in_db(self.article), 0)

    def test_it_does_not_count_unpublished_articles_or_garbage(self):
        draft = self.make_article(status=Article.Status.DRAFT, published_at=None)
        self.assertEqual(self.beacon(draft)["X-Counted"], "unpublished")
        self.assertEqual(self.client.post("/v/?a=abc", HTTP_USER_AGENT="Mozilla/5.0").status_code, 400)
        self.assertEqual(self.client.get(f"/v/?a={self.article.pk}").status_code, 405)
        self.backend.flush()
        self.assertFalse(ArticleViewHour.objects.exists())

    def test_it_rolls_views_up_into_hourly_buckets(self):
        self.beacon(self.article, ip="192.0.2.1")  # 10:20 JST
        self.move(minutes=30)
        self.beacon(self.article, ip="192.0.2.2")  # 10:50
        self.backend.flush()
        self.move(minutes=20)
        self.beacon(self.article, ip="192.0.2.3")  # 11:10
        self.beacon(self.article, ip="192.0.2.1")  # 11:10, 50 minutes after its first view
        self.backend.flush()
        rows = list(ArticleViewHour.objects.filter(article=self.article).order_by("hour").values_list("hour", "count"))
        self.assertEqual(rows, [(datetime(2026, 11, 30, 1, tzinfo=UTC), 2), (datetime(2026, 11, 30, 2, tzinfo=UTC), 2)])

    def test_it_never_writes_to_the_database_per_view(self):
        self.beacon(self.article, ip="192.0.2.250")  # loads the published-articles set once
        with self.assertNumQueries(0):
            for i in range(50):
                self.assertEqual(self.beacon(self.article, ip=f"192.0.2.{i}")["X-Counted"], "yes")
        self.backend.flush()
        self.assertEqual(self.views_in_db(self.article), 51)

    def test_it_flushes_from_the_beacon_path_after_five_seconds(self):
        self.beacon(self.article, ip="192.0.2.1")
        self.assertEqual(self.views_in_db(self.article), 0)  # buffered, not written per view
        self.move(seconds=6)
        self.beacon(self.article, ip="192.0.2.2")
        self.assertEqual(self.views_in_db(self.article), 2)

    def test_a_flush_after_a_crash_keeps_what_was_persisted(self):
        for i in range(3):
            self.beacon(self.article, ip=f"192.0.2.{i}")
        self.backend.flush()
        self.beacon(self.article, ip="192.0.2.100")
        self.beacon(self.article, ip="192.0.2.101")
        self.backend.drop_process_state()  # the web process dies before its next flush
        self.backend.flush()  # a fresh process (or the scheduler) flushes
        self.assertEqual(self.views_in_db(self.article), 5 if self.survives_process_crash else 3)

    def test_it_counts_views_of_co_read_articles_for_also_read(self):
        other = self.make_article(headline="円相場が急落")
        self.beacon(self.article)
        self.move(minutes=5)
        self.beacon(other)
        self.backend.flush()
        from kiji.audience.models import CoRead

        self.assertEqual(CoRead.objects.get(article=self.article, other=other).count, 1)
        self.assertEqual(CoRead.objects.get(article=other, other=self.article).count, 1)


class MemoryCountingTests(CountingContract, AudienceTestCase):
    pass


class RedisCountingTests(RedisMixin, CountingContract, AudienceTestCase):
    survives_process_crash = True

    def test_a_flush_that_crashed_mid_way_is_taken_up_by_the_next(self):
        self.beacon(self.article, ip="192.0.2.1")
        self.backend.take_batch()  # a flusher set the counts aside, then died
        self.backend.drop_process_state()
        self.beacon(self.article, ip="192.0.2.2")
        self.backend.flush()
        self.assertEqual(self.views_in_db(self.article), 2)

    def test_two_flushers_meeting_on_one_batch_write_it_once(self):
        for n in range(3):
            self.beacon(self.article, ip=f"192.0.2.{n + 1}")
        other = backends.RedisBackend(url=AUDIENCE_TEST_REDIS_URL, prefix="test:aud:")  # another scheduler
        real_persist, met = backends.persist_counts, []

        def persist_while_the_other_flushes(counts, co):
            real_persist(counts, co)
            if not met:  # the other reads the batch list before this flusher has removed the batch
                met.append(True)
                other.write_batches()

        with mock.patch.object(backends, "persist_counts", side_effect=persist_while_the_other_flushes):
            self.backend.flush()
        other.flush()
        self.assertEqual(self.views_in_db(self.article), 3)


class RedisBatchTests(RedisMixin, AudienceTestCase):
    backend_settings = {**RedisMixin.backend_settings, "KIJI_AUDIENCE_REDIS_BATCH": 4}

    def test_views_go_to_redis_in_batches_and_a_crash_loses_only_the_unsent(self):
        article = self.make_article()
        answers = [self.beacon(article, ip=f"192.0.2.{i}")["X-Counted"] for i in range(6)]
        self.assertEqual(answers, ["queued", "queued", "queued", "yes", "queued", "queued"])
        self.backend.drop_process_state()  # the two queued views die with the process
        self.backend.flush()
        self.assertEqual(self.views_in_db(article), 4)
        self.beacon(article, ip="192.0.2.50")
        self.backend.flush()  # a flush sends what is queued first
        self.assertEqual(self.views_in_db(article), 5)


class ForwardedForTests(AudienceTestCase):
    def test_behind_the_proxy_a_reader_cannot_count_again_by_sending_a_forwarded_address(self):
        self.enterContext(override_settings(KIJI_TRUSTED_PROXIES=["10.0.0.0/8"]))  # nginx on another host
        self.backend = get_backend()  # a settings change starts a fresh backend
        article = self.make_article()
        for spoofed in ("198.51.100.1", "198.51.100.2"):  # nginx appends the real address after the client's
            self.beacon(article, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.7")
        self.beacon(article, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.8")  # another reader
        self.backend.flush()
        self.assertEqual(self.views_in_db(article), 2)

    def test_a_proxy_on_this_machine_is_trusted_without_the_setting_and_a_remote_one_is_not(self):
        article = self.make_article()
        for spoofed in ("198.51.100.1", "198.51.100.2"):
            self.beacon(article, ip="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{spoofed}, 203.0.113.7")
        self.beacon(article, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.8")  # another reader
        for claimed in ("192.0.2.50", "192.0.2.51"):  # straight from the internet: the header is ignored
            self.beacon(article, ip="203.0.113.99", HTTP_X_FORWARDED_FOR=claimed)
        self.backend.flush()
        self.assertEqual(self.views_in_db(article), 3)


class BeaconOnPagesTests(AudienceTestCase):
    def test_the_article_page_loads_the_beacon_but_staff_previews_do_not(self):
        article = self.make_article()
        page = self.client.get(article.get_absolute_url(), follow=True)
        self.assertContains(page, f'data-article="{article.pk}"')
        self.assertContains(page, "js/beacon.js")
        draft = self.make_article(status=Article.Status.DRAFT, published_at=None)
        self.client.force_login(self.editor)
        preview = self.client.get(f"/preview/articles/{draft.pk}/")
        self.assertEqual(preview.status_code, 200)
        self.assertNotContains(preview, "beacon.js")

    def test_it_shows_the_view_count_only_when_the_site_enables_it(self):
        article = self.make_article()
        self.add_views(article, 12_345)
        with override_settings(KIJI_SHOW_VIEW_COUNT=False):
            self.assertNotContains(self.client.get(article.get_absolute_url(), follow=True), "回閲覧")
        purge_article(article.pk)  # the cached page carries the count as of its rendering
        with override_settings(KIJI_SHOW_VIEW_COUNT=True):
            self.assertContains(self.client.get(article.get_absolute_url(), follow=True), "1.2万 回閲覧")

    def test_counts_are_rounded_as_japanese_portals_do(self):
        self.assertEqual(
            [format_count(n) for n in (0, 999, 1234, 9999, 12_345, 10_000, 123_456, 1_234_567, 123_456_789)],
            ["0", "999", "1,234", "9,999", "1.2万", "1万", "12万", "123万", "1.2億"],
        )


class BeaconWSGIDoorTests(AudienceTestCase):
    """The WSGI door answers exactly as the middleware does, without Django's request handling."""

    def call(self, method, query, **environ):
        from kiji.audience.beacon import BeaconWSGIApplication

        seen = {}
        app = BeaconWSGIApplication(lambda env, start: self.fail("Django was reached"))
        body = app(
            {
                "REQUEST_METHOD": method,
                "PATH_INFO": "/v/",
                "QUERY_STRING": query,
                "REMOTE_ADDR": "192.0.2.9",
                **environ,
            },
            lambda status, headers: seen.update(status=status, headers=dict(headers)),
        )
        return seen["status"], seen["headers"], b"".join(body)

    def test_it_counts_and_rejects_like_the_middleware(self):
        article = self.make_article()
        status, headers, body = self.call("POST", f"a={article.pk}", HTTP_USER_AGENT="Mozilla/5.0 Firefox/133.0")
        self.assertEqual((status, headers["X-Counted"], body), ("204 No Content", "yes", b""))
        self.assertNotIn("Set-Cookie", headers)
        self.assertEqual(self.call("POST", f"a={article.pk}", HTTP_USER_AGENT="Googlebot/2.1")[1]["X-Counted"], "bot")
        self.assertEqual(self.call("GET", f"a={article.pk}")[0], "405 Method Not Allowed")
        self.backend.flush()
        self.assertEqual(self.views_in_db(article), 1)

    def test_it_reads_the_article_id_however_the_query_is_written(self):
        article = self.make_article()
        firefox = {"HTTP_USER_AGENT": "Mozilla/5.0 Firefox/133.0"}
        for query in (
            f"a={article.pk}&utm=x",
            f"utm=x&a={article.pk}",
            f"a=%3{str(article.pk)[0]}{str(article.pk)[1:]}",
        ):
            self.assertEqual(self.call("POST", query, REMOTE_ADDR=query, **firefox)[1]["X-Counted"], "yes", query)
        for query in ("a=", "a=12x", "a=1 2", "b=1"):
            self.assertEqual(self.call("POST", query, **firefox)[0], "400 Bad Request", query)
        self.backend.flush()
        self.assertEqual(self.views_in_db(article), 3)
