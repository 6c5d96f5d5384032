"""The page cache as readers and editors notice it: fast repeats, fresh edits, staff never cached."""

from datetime import UTC, datetime

import time_machine
from django.test import override_settings

from kiji.lib import pagecache
from kiji.lib.memo import forget_all
from kiji.newsroom.models import Article
from kiji.newsroom.services.publishing import publish_article, unpublish_article
from kiji.testing import NewsroomTestCase


class PageCacheTests(NewsroomTestCase):
    def setUp(self):
        forget_all()
        self.article = self.make_article(headline="速報 台風が上陸")

    def get(self, url=None, **headers):
        return self.client.get(url or self.article.get_absolute_url(), headers=headers)

    def test_it_serves_the_second_request_from_the_cache_without_queries(self):
        first = self.get()
        self.assertContains(first, "速報 台風が上陸")
        self.assertEqual(first["X-Kiji-Cache"], "miss")
        with self.assertNumQueries(0):
            second = self.get()
        self.assertEqual(second["X-Kiji-Cache"], "hit")
        self.assertEqual(second.content, first.content)
        self.assertIn("s-maxage=1", second["Cache-Control"])

    def test_the_public_ranking_page_is_cached_like_the_other_reader_pages(self):
        for url in ("/ranking/", "/ranking/?window=1h&category=politics"):
            with self.subTest(url=url):
                first = self.get(url)
                self.assertEqual((first.status_code, first["X-Kiji-Cache"]), (200, "miss"))
                with self.assertNumQueries(0):
                    self.assertEqual(self.get(url)["X-Kiji-Cache"], "hit")

    def test_it_answers_a_conditional_get_with_304(self):
        etag = self.get()["ETag"]
        with self.assertNumQueries(0):
            response = self.get(**{"If-None-Match": etag})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.content, b"")
        last_modified = self.get()["Last-Modified"]
        self.assertEqual(self.get(**{"If-Modified-Since": last_modified}).status_code, 304)
        self.assertEqual(self.get(**{"If-None-Match": '"other"'}).status_code, 200)

    def test_an_edit_is_visible_at_once(self):
        self.get()
        self.client.get("/")
        self.article.headline = "速報 台風が九州に上陸"
        with self.captureOnCommitCallbacks(execute=True):
            self.article.save()
        self.assertContains(self.get(), "台風が九州に上陸")
        self.assertContains(self.client.get("/"), "台風が九州に上陸")

    def test_unpublish_and_publish_are_visible_at_once(self):
        self.assertEqual(self.get().status_code, 200)
        with self.captureOnCommitCallbacks(execute=True):
            unpublish_article(article=self.article, by=self.editor)
        self.assertEqual(self.get().status_code, 404)
        self.assertNotContains(self.client.get("/"), "速報 台風が上陸")
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=self.article, by=self.editor)
        self.assertContains(self.get(), "速報 台風が上陸")
        self.assertContains(self.client.get("/"), "速報 台風が上陸")

    def test_a_purge_from_any_app_renders_afresh(self):
        self.get()
        Article.objects.filter(pk=self.article.pk).update(headline="号外 新内閣が発足")  # no signal, no save()
        self.assertContains(self.get(), "速報 台風が上陸")
        pagecache.purge_article(self.article.pk)
        self.assertContains(self.get(), "号外 新内閣が発足")

    def test_a_purge_by_another_app_server_ends_this_servers_copies(self):
        # With Redis each process also holds the pages it fetched for a second (kiji.reader.pagestore._local).
        self.get()
        self.assertEqual(self.get()["X-Kiji-Cache"], "hit")
        Article.objects.filter(pk=self.article.pk).update(headline="号外 新内閣が発足")
        if pagecache.shared_cache():  # what purge_article on another server leaves in the shared store
            from django.core.cache import cache

            cache.set(pagecache._article_key(self.article.pk), 4242, None)
        else:
            pagecache.purge_article(self.article.pk)
        forget_all()  # this server's remembered versions run out (0.2 s)
        self.assertContains(self.get(), "号外 新内閣が発足")
        self.assertContains(self.get(), "号外 新内閣が発足")

    def test_logged_in_staff_neither_get_nor_poison_cached_pages(self):
        self.get()  # cached for readers
        self.client.force_login(self.editor)
        staff = self.get()
        self.assertNotIn("X-Kiji-Cache", staff)
        Article.objects.filter(pk=self.article.pk).update(headline="編集者だけが見た見出し")
        self.assertContains(self.get(), "編集者だけが見た見出し")
        self.client.logout()
        self.assertContains(self.get(), "速報 台風が上陸")  # readers still get their page

    def test_the_admin_and_preview_are_never_cached(self):
        self.client.force_login(self.editor)
        preview_url = f"/preview/articles/{self.article.pk}/"
        preview = self.client.get(preview_url)
        self.assertEqual(preview.status_code, 200)
        self.assertIn("no-store", preview["Cache-Control"])
        self.assertNotIn("X-Kiji-Cache", preview)
        self.client.logout()
        # The editor's preview was not stored: an anonymous request is sent to the login page.
        self.assertEqual(self.client.get(preview_url).status_code, 302)
        self.assertEqual(self.client.get("/admin/").status_code, 302)
        self.assertNotIn("X-Kiji-Cache", self.client.get("/admin/login/"))

    def test_responses_that_set_cookies_are_not_stored(self):
        from django.http import HttpResponse

        from kiji.reader import pagestore

        class Request:
            resolver_match = type("M", (), {"namespace": "reader", "url_name": "home", "kwargs": {}})()

        response = HttpResponse("x")
        self.assertTrue(pagestore.cacheable(Request, response))
        response.set_cookie("csrftoken", "abc")
        self.assertFalse(pagestore.cacheable(Request, response))
        varied = HttpResponse("x")
        varied["Vary"] = "Accept-Language, Cookie"
        self.assertFalse(pagestore.cacheable(Request, varied))

    def test_nginx_keeps_a_page_or_its_404_only_until_the_end_of_the_current_second(self):
        # nginx counts whole seconds: "X-Accel-Expires: 1" kept copies up to 2 s, "@<this second>" at most 1 s.
        moment = datetime(2026, 11, 30, 3, 0, 0, 700_000, tzinfo=UTC)
        with time_machine.travel(moment, tick=False):
            self.assertEqual(self.get()["X-Accel-Expires"], f"@{int(moment.timestamp())}")
            self.assertEqual(self.get()["X-Accel-Expires"], f"@{int(moment.timestamp())}")  # a hit too
            with self.captureOnCommitCallbacks(execute=True):
                unpublish_article(article=self.article, by=self.editor)
            gone = self.get()
            self.assertEqual((gone.status_code, gone["X-Accel-Expires"]), (404, f"@{int(moment.timestamp())}"))
            self.client.force_login(self.editor)
            self.assertNotIn("X-Accel-Expires", self.get())  # staff responses are never marked for caching

    @override_settings(KIJI_PAGECACHE=False)
    def test_it_can_be_switched_off(self):
        self.get()
        # The article (its writers, tags and corrections are kept per purge version, like the side lists).
        with self.assertNumQueries(1):
            self.assertNotIn("X-Kiji-Cache", self.get())


class SlotMemoTests(NewsroomTestCase):
    """Side lists are asked once per few seconds per process, and afresh after any purge."""

    def test_it_remembers_a_list_until_a_purge(self):
        import types

        from kiji.reader.slotmemo import SlotMemo

        article = self.make_article()
        calls = []

        def trending(*, limit=5):
            calls.append(limit)
            return [f"話題{len(calls)}"]

        memo = SlotMemo(types.SimpleNamespace(trending=trending, also_read=lambda a: [a.headline]), 30)
        self.assertEqual(memo.trending(), ["話題1"])
        self.assertEqual(memo.trending(), ["話題1"])
        self.assertEqual(memo.trending(limit=3), ["話題2"])
        pagecache.purge_site()
        self.assertEqual(memo.trending(), ["話題3"])
        self.assertEqual(memo.also_read(article), ["国会で予算案が可決"])
        article.headline = "別の見出し"
        self.assertEqual(memo.also_read(article), ["国会で予算案が可決"])
        pagecache.purge_article(article.pk)
        self.assertEqual(memo.also_read(article), ["別の見出し"])

    @override_settings(KIJI_PAGECACHE=False, KIJI_SLOT_MEMO_SECONDS=30)
    def test_the_article_page_remembers_each_side_lists_html_alone_and_reads_its_data_once(self):
        from unittest import mock

        from kiji.audience import lists
        from kiji.reader import slots

        forget_all()
        slots._memoized = None  # built afresh with the overridden seconds
        self.addCleanup(setattr, slots, "_memoized", None)
        article = self.make_article()
        with mock.patch.object(lists, "also_read", wraps=lists.also_read) as also_read:
            for _ in range(3):
                self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
            self.assertEqual(also_read.call_count, 1)
            names = {key[0] for key in slots._memo()._memo._entries}
            self.assertEqual(
                names, {"ranking_html", "also_read_html", "recommended_html", "trending_html", "view_count", "comments"}
            )
            pagecache.purge_article(article.pk)
            self.client.get(article.get_absolute_url())
            self.assertEqual(also_read.call_count, 2)


class FastDoorTests(NewsroomTestCase):
    """kiji.ops.wsgi: hits are answered before Django, with the same bytes, 304s and purges."""

    def setUp(self):
        # As Django's test client does: requests inside a test's transaction must not close its connection.
        from django.core.signals import request_finished, request_started
        from django.db import close_old_connections

        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)

    def wsgi_get(self, path, **environ):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test.client import RequestFactory

        from kiji.ops.wsgi import CachedWSGIApplication

        env = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", **environ)
        started = []
        body = b"".join(CachedWSGIApplication(WSGIHandler())(env, lambda s, h, *a: started.append((s, dict(h)))))
        return started[0][0], started[0][1], body

    def test_an_old_wordpress_query_is_not_answered_with_the_cached_home_page(self):
        from kiji.redirects.models import Redirect

        forget_all()
        article = self.make_article(headline="移転した記事")
        Redirect.objects.create(old_path="/?p=12", new_path=article.get_absolute_url())
        self.assertTrue(self.wsgi_get("/")[0].startswith("200"))
        self.assertEqual(self.wsgi_get("/")[1]["X-Kiji-Cache"], "hit")
        status, headers, _ = self.wsgi_get("/", QUERY_STRING="p=12")
        self.assertEqual((status[:3], headers["Location"]), ("301", article.get_absolute_url()))
        self.assertEqual(self.wsgi_get("/", QUERY_STRING="utm_source=x")[1]["X-Kiji-Cache"], "hit")

    def test_it_serves_hits_without_django_and_follows_purges(self):
        forget_all()
        article = self.make_article(headline="円相場が急変")
        status, headers, first = self.wsgi_get(article.get_absolute_url())
        self.assertTrue(status.startswith("200"))
        with self.assertNumQueries(0):
            status, headers, again = self.wsgi_get(article.get_absolute_url())
        self.assertEqual((headers["X-Kiji-Cache"], again), ("hit", first))
        self.assertIn("円相場が急変", again.decode())
        status, _, body = self.wsgi_get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=headers["ETag"])
        self.assertEqual((status, body), ("304 Not Modified", b""))
        with self.assertNumQueries(1):  # a session cookie goes to Django, which finds no such session
            status, headers, _ = self.wsgi_get(article.get_absolute_url(), HTTP_COOKIE="sessionid=abc")
        self.assertEqual(headers["X-Kiji-Cache"], "hit")  # and serves the cache (security #9)
        article.headline = "円相場が一時急騰"
        with self.captureOnCommitCallbacks(execute=True):
            article.save()
        self.assertIn("円相場が一時急騰", self.wsgi_get(article.get_absolute_url())[2].decode())
