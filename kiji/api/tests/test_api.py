"""The read API as a partner's app uses it: JSON, filters, pagination, caching headers, limits, no leaks."""

import json
from datetime import timedelta
from unittest import mock

import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from kiji import testing
from kiji.api.tests.images import make_image
from kiji.newsroom.models import Article, Correction, Tag
from kiji.testing import NewsroomTestCase

INTERNAL_KEYS = {
    "status",
    "created_by",
    "created_by_id",
    "created_at",
    "modified_at",
    "revisions",
    "user",
    "user_id",
    "email",
    "lead_image_id",
    "category_id",
    "uploaded_by",
}


def all_keys(data):
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in all_keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in all_keys(v)}
    return set()


class ApiTestCase(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tag = Tag.objects.create(name="予算", slug="yosan")
        now = timezone.now()
        cls.first = cls.make_article(
            headline="予算案を閣議決定",
            tags=[cls.tag],
            published_at=now - timedelta(hours=5),
            created_by=cls.writer_user,
        )
        cls.second = cls.make_article(
            headline="ソウルで首脳会談",
            category=cls.korea,
            writers=[cls.other_writer],
            published_at=now - timedelta(hours=3),
        )
        cls.third = cls.make_article(
            headline="予算案が衆院通過",
            slug="passes",
            tags=[cls.tag],
            published_at=now - timedelta(hours=1),
            updated_at=now - timedelta(minutes=10),
        )
        cls.draft = cls.make_article(headline="秘密の下書き", status=Article.Status.DRAFT, tags=[cls.tag])
        cls.review = cls.make_article(headline="確認待ちの記事", status=Article.Status.REVIEW)
        cls.unpublished = cls.make_article(headline="取り下げた記事", status=Article.Status.UNPUBLISHED)
        cls.scheduled = cls.make_article(
            headline="明朝公開の記事", status=Article.Status.SCHEDULED, published_at=now + timedelta(hours=8)
        )
        Correction.objects.create(article=cls.third, text="見出しの誤字を訂正しました。")

    def get(self, url, **headers):
        return self.client.get(url, headers=headers)

    def json(self, url, status=200):
        response = self.get(url)
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        return json.loads(response.content)


class ArticleListTests(ApiTestCase):
    def test_it_lists_published_articles_newest_first(self):
        data = self.json("/api/v1/articles")
        self.assertEqual(
            [a["headline"] for a in data["results"]], ["予算案が衆院通過", "ソウルで首脳会談", "予算案を閣議決定"]
        )
        self.assertEqual(data["count"], 3)
        third = data["results"][0]
        self.assertEqual(third["url"], f"{settings.SITE_URL}/articles/{self.third.pk}/passes/")
        self.assertEqual(
            third["category"], {"slug": "politics", "name": "政治", "url": f"{settings.SITE_URL}/category/politics/"}
        )
        self.assertEqual(third["writers"][0]["name"], "山田 花子")
        self.assertEqual(third["tags"][0]["name"], "予算")
        self.assertTrue(third["published_at"].endswith("+09:00"))
        self.assertTrue(third["updated_at"].endswith("+09:00"))
        self.assertIsNone(data["results"][1]["updated_at"])

    def test_it_filters_by_category_tag_and_writer(self):
        def headlines(query):
            return [a["headline"] for a in self.json(f"/api/v1/articles?{query}")["results"]]

        self.assertEqual(headlines("category=korea"), ["ソウルで首脳会談"])
        self.assertEqual(headlines("tag=yosan"), ["予算案が衆院通過", "予算案を閣議決定"])
        self.assertEqual(headlines("writer=sato-ichiro"), ["ソウルで首脳会談"])
        self.assertEqual(
            headlines("category=politics&writer=yamada-hanako&tag=yosan"), ["予算案が衆院通過", "予算案を閣議決定"]
        )

    def test_it_pages_through_the_list(self):
        page1 = self.json("/api/v1/articles?per_page=2")
        self.assertEqual([a["id"] for a in page1["results"]], [self.third.pk, self.second.pk])
        self.assertEqual((page1["next_page"], page1["previous_page"]), (2, None))
        page2 = self.json("/api/v1/articles?per_page=2&page=2")
        self.assertEqual([a["id"] for a in page2["results"]], [self.first.pk])
        self.assertEqual((page2["next_page"], page2["previous_page"]), (None, 1))
        self.assertEqual(self.json("/api/v1/articles?page=50")["results"], [])

    def test_bad_parameters_are_a_json_400(self):
        for query in (
            "page=0",
            "page=abc",
            "per_page=101",
            "per_page=-1",
            "page=１",
            "category=nothing",
            "tag=",
            "writer=%00",
            "sort=headline",
            "page=99999999999999999999",
        ):
            with self.subTest(query=query):
                data = self.json(f"/api/v1/articles?{query}", status=400)
                self.assertEqual(data["error"]["status"], 400)
                self.assertTrue(data["error"]["message"])

    def test_hostile_parameters_are_answered_not_crashed(self):
        with open(testing.HOSTILE / "sqli.txt", encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip()][:40]
        for line in lines:
            for name in ("category", "tag", "writer"):
                response = self.client.get("/api/v1/articles", {name: line})
                self.assertEqual(response.status_code, 400, (name, line))


class ArticleDetailTests(ApiTestCase):
    def test_it_shows_one_article_with_body_and_corrections(self):
        self.third.lead_image = make_image()
        self.third.save()
        data = self.json(f"/api/v1/articles/{self.third.pk}")
        self.assertEqual(data["headline"], "予算案が衆院通過")
        self.assertEqual(data["body_html"], "<p>衆議院本会議で来年度予算案が賛成多数で可決された。</p>")
        self.assertEqual(data["corrections"][0]["text"], "見出しの誤字を訂正しました。")
        self.assertEqual(data["image"]["width"], 1280)
        self.assertTrue(data["image"]["url"].startswith(f"{settings.SITE_URL}/media/renditions/"))
        self.assertEqual(data["image"]["credit"], "撮影：山田太郎")

    def test_unpublished_articles_are_a_json_404(self):
        for article in (self.draft, self.review, self.unpublished, self.scheduled):
            with self.subTest(status=article.status):
                data = self.json(f"/api/v1/articles/{article.pk}", status=404)
                self.assertEqual(data["error"]["code"], "not_found")
        self.json("/api/v1/articles/999999", status=404)
        self.json("/api/v1/articles/99999999999999999999999", status=404)

    def test_a_scheduled_article_appears_at_its_time(self):
        self.scheduled.status = Article.Status.PUBLISHED
        self.scheduled.save()
        self.json(f"/api/v1/articles/{self.scheduled.pk}", status=404)
        with time_machine.travel(timezone.now() + timedelta(hours=9)):
            self.assertEqual(self.json(f"/api/v1/articles/{self.scheduled.pk}")["headline"], "明朝公開の記事")

    def test_no_unpublished_content_or_internal_field_leaks(self):
        responses = [
            self.get(url).content.decode()
            for url in (
                "/api/v1/articles",
                "/api/v1/articles?tag=yosan",
                "/api/v1/articles?per_page=100",
                "/api/v1/categories",
                f"/api/v1/articles/{self.first.pk}",
                f"/api/v1/articles/{self.draft.pk}",
            )
        ]
        for text in responses:
            for secret in ("秘密の下書き", "確認待ちの記事", "取り下げた記事", "明朝公開の記事", "hanako@example.jp"):
                self.assertNotIn(secret, text)
            data = json.loads(text)
            if "error" not in data:
                self.assertEqual(all_keys(data) & INTERNAL_KEYS, set())


class OtherEndpointTests(ApiTestCase):
    def test_categories(self):
        data = self.json("/api/v1/categories")
        self.assertEqual([(c["slug"], c["name"]) for c in data["results"]], [("politics", "政治"), ("korea", "韓国")])

    @override_settings(KIJI_AUDIENCE_REDIS_URL="", KIJI_AUDIENCE_FLUSH_THREAD=False)
    def test_rankings_follow_the_audience_ranking_and_show_only_published_articles(self):
        from kiji.audience import lists
        from kiji.audience.models import ArticleViewHour

        hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        for article, views in [(self.first, 10), (self.third, 50), (self.second, 99)]:
            ArticleViewHour.objects.create(article=article, hour=hour, count=views)
        lists.compute_lists()
        data = self.json("/api/v1/rankings?category=politics")
        self.assertEqual(
            [(r["rank"], r["headline"]) for r in data["results"]], [(1, "予算案が衆院通過"), (2, "予算案を閣議決定")]
        )
        self.assertEqual(data["category"]["name"], "政治")
        self.third.status = Article.Status.UNPUBLISHED
        self.third.save()
        data = self.json("/api/v1/rankings?category=politics")
        self.assertEqual([(r["rank"], r["headline"]) for r in data["results"]], [(1, "予算案を閣議決定")])
        self.json("/api/v1/rankings", status=400)
        self.json("/api/v1/rankings?category=nothing", status=400)
        self.json("/api/v1/rankings?category=politics&limit=0", status=400)

    def test_search_finds_published_articles_through_the_search_index(self):
        from kiji.search.services import index_articles

        index_articles([a.pk for a in Article.objects.all()])
        data = self.json("/api/v1/search?q=閣議決定")
        self.assertEqual([a["headline"] for a in data["results"]], ["予算案を閣議決定"])
        self.assertEqual(data["count"], 1)
        self.assertIs(data["count_at_least"], False)
        with mock.patch("kiji.search.backends.CANDIDATES", 1):  # more match than are counted
            data = self.json("/api/v1/search?q=予算")
        self.assertEqual((data["count"], data["count_at_least"]), (1, True))
        self.assertTrue(data["results"])
        self.assertEqual(self.json("/api/v1/search?q=首脳会談&category=politics")["results"], [])
        self.assertEqual(self.json("/api/v1/search?q=首脳会談&category=korea")["results"][0]["id"], self.second.pk)
        self.assertEqual(self.json("/api/v1/search?q=秘密")["results"], [])
        for q in ('"予算', "-", "AND OR NOT", "*", "予算" * 100):
            with self.subTest(q=q):
                self.assertIn(self.client.get("/api/v1/search", {"q": q}).status_code, (200, 400))
        self.json("/api/v1/search", status=400)
        self.json("/api/v1/search?q=%20", status=400)

    def test_openapi_schema_is_published(self):
        data = self.json("/api/v1/openapi.json")
        self.assertEqual(data["openapi"], "3.1.0")
        self.assertEqual(
            set(data["paths"]),
            {"/api/v1/articles", "/api/v1/articles/{id}", "/api/v1/categories", "/api/v1/rankings", "/api/v1/search"},
        )

    def test_unknown_api_paths_and_methods_answer_in_json(self):
        self.assertEqual(self.json("/api/v1/nothing", status=404)["error"]["code"], "not_found")
        self.assertEqual(self.json("/api/v2/articles", status=404)["error"]["code"], "not_found")
        # An encoded line break in the path once fell through to the reader's HTML 404 page.
        self.assertEqual(self.json("/api/v1/articles/a%0Ab%0D%0Ac", status=404)["error"]["code"], "not_found")
        response = self.client.post("/api/v1/articles", {"headline": "x"})
        self.assertEqual(response.status_code, 405)
        self.assertEqual(json.loads(response.content)["error"]["code"], "method_not_allowed")


class CachingTests(ApiTestCase):
    def test_etag_and_last_modified_give_304_until_something_changes(self):
        url = f"/api/v1/articles/{self.third.pk}"
        first = self.get(url)
        self.assertEqual(first["Cache-Control"], f"public, max-age={settings.KIJI_API_CACHE_SECONDS}")
        self.assertTrue(first["ETag"].startswith('"'))
        self.assertIn("GMT", first["Last-Modified"])
        again = self.get(url, if_none_match=first["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(again["ETag"], first["ETag"])
        self.assertEqual(self.get(url, if_modified_since=first["Last-Modified"]).status_code, 304)
        self.third.headline = "予算案が衆院を通過"
        self.third.save()
        changed = self.get(url, if_none_match=first["ETag"])
        self.assertEqual(changed.status_code, 200)
        self.assertNotEqual(changed["ETag"], first["ETag"])

    def test_a_new_correction_is_news_even_to_if_modified_since(self):
        url = f"/api/v1/articles/{self.first.pk}"
        first = self.get(url)
        with time_machine.travel(timezone.now() + timedelta(minutes=5)):
            Correction.objects.create(article=self.first, text="日付を訂正しました。")
        changed = self.get(url, if_modified_since=first["Last-Modified"])
        self.assertEqual(changed.status_code, 200)
        self.assertContains(changed, "日付を訂正しました。")

    def test_lists_are_conditional_on_their_etag_and_change_when_an_article_leaves(self):
        first = self.get("/api/v1/articles")
        self.assertNotIn("Last-Modified", first)
        self.assertEqual(self.get("/api/v1/articles", if_none_match=first["ETag"]).status_code, 304)
        self.first.status = Article.Status.UNPUBLISHED
        self.first.save()
        self.assertEqual(self.get("/api/v1/articles", if_none_match=first["ETag"]).status_code, 200)
        first = self.get("/api/v1/articles?tag=yosan")
        self.assertEqual(self.get("/api/v1/articles?tag=yosan", if_none_match=first["ETag"]).status_code, 304)
        self.assertEqual(
            self.get("/api/v1/articles?tag=yosan&per_page=1", if_none_match=first["ETag"]).status_code, 200
        )
        first = self.get("/api/v1/categories")
        self.assertEqual(self.get("/api/v1/categories", if_none_match=first["ETag"]).status_code, 304)


@override_settings(KIJI_API_RATE_LIMIT=5, KIJI_API_RATE_WINDOW=60)
class RateLimitTests(ApiTestCase):
    def test_the_sixth_request_in_a_minute_is_429_with_retry_after(self):
        start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
        with time_machine.travel(start, tick=False):
            for remaining in (4, 3, 2, 1, 0):
                response = self.get("/api/v1/categories")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["X-RateLimit-Remaining"], str(remaining))
            limited = self.get("/api/v1/articles")
            self.assertEqual(limited.status_code, 429)
            self.assertEqual(limited["Retry-After"], "56")
            self.assertEqual(json.loads(limited.content)["error"]["code"], "rate_limited")
            other_client = self.client.get("/api/v1/categories", REMOTE_ADDR="192.0.2.7")
            self.assertEqual(other_client.status_code, 200)
        with time_machine.travel(start + timedelta(seconds=56), tick=False):
            self.assertEqual(self.get("/api/v1/categories").status_code, 200)

    def test_behind_the_local_proxy_each_client_has_its_own_allowance(self):
        # nginx connects from loopback and appends the client's address last; what the client
        # itself put in front of it must not choose the bucket.
        def via_proxy(address, spoofed="203.0.113.9"):
            return self.client.get(
                "/api/v1/categories", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{spoofed}, {address}"
            )

        for n in range(5):
            self.assertEqual(via_proxy("198.51.100.1", spoofed=f"10.0.0.{n}").status_code, 200)
        self.assertEqual(via_proxy("198.51.100.1").status_code, 429)
        self.assertEqual(via_proxy("198.51.100.2").status_code, 200)

    def test_every_worker_counts_the_same_allowance(self):
        # Two granian workers of one machine without Redis: each has its own in-memory cache, which
        # is what emptying the cache stands for here. The allowance is still the site's, not each
        # worker's: the count lives in the database (or Redis) that every worker shares.
        from django.core.cache import cache

        start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
        with time_machine.travel(start, tick=False):
            for remaining in (4, 3, 2):
                self.assertEqual(self.get("/api/v1/categories")["X-RateLimit-Remaining"], str(remaining))
            cache.clear()  # the next requests reach the other worker
            self.assertEqual(self.get("/api/v1/categories")["X-RateLimit-Remaining"], "1")
            self.get("/api/v1/categories")
            cache.clear()
            self.assertEqual(self.get("/api/v1/categories").status_code, 429)


class RedisOutageTests(ApiTestCase):
    @override_settings(
        REDIS_URL="redis://127.0.0.1:1/0",  # the rate limit's counters: nothing listens there
        CACHES={
            "default": {
                "BACKEND": "kiji.lib.rediscache.ResilientRedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            }
        },
    )
    def test_the_api_still_answers_when_the_rate_limit_store_is_down(self):
        response = self.get("/api/v1/categories")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("X-RateLimit-Remaining", response)
        self.assertEqual(self.json(f"/api/v1/articles/{self.first.pk}")["headline"], "予算案を閣議決定")
