"""kiji.ops.wsgi, what `kiji serve` runs: the beacon door, then the page cache door, then Django."""

import pytest
from django.apps import apps
from django.test.client import RequestFactory

from kiji.testing import NewsroomTestCase

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


class BeaconDoorTests(NewsroomTestCase):
    def setUp(self):
        # As Django's test client does: requests inside a test's transaction must not close its connection.
        from django.core.signals import request_finished, request_started
        from django.db import close_old_connections

        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)

    def call(self, method, path, query=""):
        from kiji.ops.wsgi import application

        environ = RequestFactory()._base_environ(
            PATH_INFO=path, REQUEST_METHOD=method, QUERY_STRING=query, HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.7"
        )
        started = []
        body = b"".join(application(environ, lambda s, h, *a: started.append((s, dict(h)))))
        return started[0][0], started[0][1], body

    def test_a_view_is_counted_once_and_pages_still_pass_through(self):
        if not apps.is_installed("kiji.audience"):
            pytest.skip("the audience app (the beacon's owner) is not installed")
        from kiji.audience.backends import get_backend
        from kiji.audience.beacon import forget_published
        from kiji.audience.models import ArticleViewHour

        forget_published()
        article = self.make_article(headline="五輪代表が決定")
        status, headers, _ = self.call("POST", "/v/", f"a={article.pk}")
        # "queued": with Redis, views are sent in batches (kiji.audience.backends); counted either way.
        self.assertIn((status[:3], headers["X-Counted"]), {("204", "yes"), ("204", "queued")})
        self.call("POST", "/v/", f"a={article.pk}")  # the same visitor again: not a second view
        get_backend().flush()
        self.assertEqual(sum(ArticleViewHour.objects.filter(article=article).values_list("count", flat=True)), 1)
        self.assertEqual(self.call("GET", "/v/")[0][:3], "405")
        status, _, body = self.call("GET", article.get_absolute_url())
        self.assertEqual(status[:3], "200")
        self.assertIn("五輪代表が決定", body.decode())
