"""The audience tests' cast and backend switch: every contract runs on both backends."""

import os
from datetime import UTC, datetime, timedelta

import time_machine
from django.test import override_settings

from kiji.audience.backends import get_backend
from kiji.audience.models import ArticleViewHour
from kiji.testing import NewsroomTestCase, need_redis

AUDIENCE_TEST_REDIS_URL = os.environ.get("KIJI_AUDIENCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class AudienceTestCase(NewsroomTestCase):
    """Runs on the in-process backend; RedisMixin switches a subclass to Redis (db 6)."""

    backend_settings = {"KIJI_AUDIENCE_REDIS_URL": ""}

    def setUp(self):
        super().setUp()
        self.clock = datetime(2026, 11, 30, 1, 20, tzinfo=UTC)  # 10:20 JST
        self.traveller = self.enterContext(time_machine.travel(self.clock, tick=False))
        self.enterContext(override_settings(KIJI_AUDIENCE_FLUSH_THREAD=False, **self.backend_settings))
        self.backend = get_backend()

    def beacon(self, article, *, ip="203.0.113.7", ua=BROWSER, **headers):
        return self.client.post(f"/v/?a={article.pk}", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua, **headers)

    def views_in_db(self, article) -> int:
        return sum(ArticleViewHour.objects.filter(article=article).values_list("count", flat=True))

    def add_views(self, article, count, *, hours_ago=0):
        """Views already rolled up into the hourly table (history for rankings and trending)."""
        hour = (self.clock - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
        row, _ = ArticleViewHour.objects.get_or_create(article=article, hour=hour)
        row.count += count
        row.save()

    def move(self, **delta):
        self.clock += timedelta(**delta)
        self.traveller.move_to(self.clock)


class RedisMixin:
    backend_settings = {
        "KIJI_AUDIENCE_REDIS_URL": AUDIENCE_TEST_REDIS_URL,
        "KIJI_AUDIENCE_REDIS_PREFIX": "test:aud:",
        "KIJI_AUDIENCE_REDIS_BATCH": 1,
    }

    def setUp(self):
        need_redis()
        super().setUp()
        self.backend.clear()
        self.addCleanup(self.backend.clear)
