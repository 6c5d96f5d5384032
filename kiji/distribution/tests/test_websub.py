"""WebSub: public feeds name the hub; publishing, correcting and unpublishing ping it from the
scheduler (never during the editor's save), with retries. Against a small hub on loopback."""

import threading
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kiji.distribution.models import HubPing
from kiji.newsroom.models import Article, Correction, Tag
from kiji.newsroom.services.publishing import announce_change, publish_article, unpublish_article
from kiji.newsroom.tests.base import AdminTestCase
from kiji.ops.scheduler import run_due_jobs


class LocalHub:
    """A WebSub hub on 127.0.0.1 that records publish notifications and answers `status`."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 204
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                hub.received.append(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        if self.server.socket.fileno() != -1:
            self.server.shutdown()
            self.server.server_close()


# The feeds an article of 政治 by 山田 花子 appears in, each of which names the hub: the site's, the
# category's and the writer's.
TOPICS = sorted(
    [
        f"http://127.0.0.1:8000/feeds/{scope}{kind}/"
        for scope in ("", "category/politics/")
        for kind in ("rss", "atom", "json")
    ]
    + [f"http://127.0.0.1:8000/feeds/writers/yamada-hanako/{kind}/" for kind in ("rss", "atom")]
)


class WebSubTests(AdminTestCase):  # posts the real article form, too
    def setUp(self):
        self.hub = LocalHub()
        self.addCleanup(self.hub.close)
        settings = override_settings(KIJI_WEBSUB_HUB=self.hub.url)
        settings.enable()
        self.addCleanup(settings.disable)

    def topics(self):
        return sorted(r["hub.url"] for r in self.hub.received)

    def test_public_feeds_name_the_hub(self):
        rss = ET.fromstring(self.client.get("/feeds/rss/").content)
        atom_ns = "{http://www.w3.org/2005/Atom}"
        self.assertEqual(rss.find(f"channel/{atom_ns}link[@rel='hub']").get("href"), self.hub.url)
        self.assertIsNotNone(rss.find(f"channel/{atom_ns}link[@rel='self']"))
        atom = ET.fromstring(self.client.get("/feeds/category/politics/atom/").content)
        self.assertEqual(atom.find(f"{atom_ns}link[@rel='hub']").get("href"), self.hub.url)
        for url in ("/feeds/json/", "/feeds/category/politics/json/"):
            self.assertEqual(self.client.get(url).json()["hubs"], [{"type": "WebSub", "url": self.hub.url}])
        with override_settings(KIJI_WEBSUB_HUB=None):
            self.assertNotIn(b'rel="hub"', self.client.get("/feeds/writers/yamada-hanako/rss/").content)

    def test_publishing_pings_the_hub_from_the_scheduler_not_the_save(self):
        article = self.make_article(status=Article.Status.DRAFT, published_at=None)
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=article, by=self.editor)
        self.assertEqual(self.hub.received, [])  # the save returned without waiting for the hub
        run_due_jobs()
        self.assertEqual({r["hub.mode"] for r in self.hub.received}, {"publish"})
        self.assertEqual(self.topics(), TOPICS)
        run_due_jobs()
        self.assertEqual(self.topics(), TOPICS)  # each ping once

    def test_every_feed_listing_the_article_is_pinged_its_writers_and_tags_too(self):
        tag = Tag.objects.create(name="選挙", slug="選挙")
        article = self.make_article(
            status=Article.Status.DRAFT, published_at=None, writers=[self.writer, self.other_writer], tags=[tag]
        )
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=article, by=self.editor)
        run_due_jobs()
        pinged = self.topics()
        for path in (
            "/feeds/writers/yamada-hanako/rss/",
            "/feeds/writers/sato-ichiro/atom/",
            reverse("reader:tag_feed_rss", args=["選挙"]),  # /feeds/tags/%E9%81%B8%E6%8C%99/rss/
            reverse("reader:tag_feed_atom", args=["選挙"]),
        ):
            self.assertIn(f"http://127.0.0.1:8000{path}", pinged)
        self.assertEqual(len(pinged), len(set(pinged)))  # each feed once
        for topic in pinged:  # each is a feed that names the hub and now lists the article
            feed = self.client.get(topic.removeprefix("http://127.0.0.1:8000")).content.decode()
            self.assertIn(self.hub.url, feed, topic)
            self.assertIn("国会で予算案が可決", feed, topic)

    def test_deleting_an_article_pings_its_writers_and_tags_feeds(self):
        tag = Tag.objects.create(name="予算", slug="budget")
        article = self.make_article(tags=[tag])
        self.client.force_login(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/admin/newsroom/article/{article.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        run_due_jobs()
        tag_feeds = [f"http://127.0.0.1:8000/feeds/tags/budget/{kind}/" for kind in ("rss", "atom")]
        self.assertEqual(self.topics(), sorted(TOPICS + tag_feeds))

    def test_an_edit_that_moves_the_article_or_takes_a_tag_off_pings_the_feeds_it_left(self):
        budget, diet = Tag.objects.create(name="予算", slug="budget"), Tag.objects.create(name="国会", slug="diet")
        article = self.make_article(status=Article.Status.DRAFT, published_at=None, tags=[budget])
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=article, by=self.editor)
        run_due_jobs()
        self.hub.received.clear()
        self.client.force_login(self.editor)
        data = self.form_data(article, category=self.korea.pk)
        data["tags"] = [diet.pk]
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.change_url(article), data)
        self.assertEqual(response.status_code, 302)
        run_due_jobs()
        for scope in ("category/politics", "category/korea", "tags/budget", "tags/diet"):
            self.assertIn(f"http://127.0.0.1:8000/feeds/{scope}/atom/", self.topics())
        self.assertEqual(len(self.topics()), len(set(self.topics())))

    def test_corrections_and_withdrawals_ping_too_and_draft_edits_do_not(self):
        article = self.make_article()
        draft = self.make_article(status=Article.Status.DRAFT, published_at=None)
        with self.captureOnCommitCallbacks(execute=True):
            announce_change(draft)
        self.assertFalse(HubPing.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            Correction.objects.create(article=article, text="数字を訂正しました。")
            announce_change(article)
        run_due_jobs()
        self.assertEqual(len(self.hub.received), len(TOPICS))
        with self.captureOnCommitCallbacks(execute=True):
            unpublish_article(article=article, by=self.editor)
        run_due_jobs()
        self.assertEqual(len(self.hub.received), 2 * len(TOPICS))

    def test_a_failing_hub_is_retried_later_until_it_accepts(self):
        self.hub.status = 503
        with self.captureOnCommitCallbacks(execute=True):
            announce_change(self.make_article())
        run_due_jobs()
        self.assertEqual(len(self.hub.received), len(TOPICS))
        self.assertEqual(HubPing.objects.filter(sent_at__isnull=True, attempts=1).count(), len(TOPICS))
        run_due_jobs()
        self.assertEqual(len(self.hub.received), len(TOPICS))  # not before its retry time
        self.hub.status = 202
        with time_machine.travel(timezone.now() + timedelta(seconds=31)):
            run_due_jobs()
        self.assertEqual(len(self.hub.received), 2 * len(TOPICS))
        self.assertFalse(HubPing.objects.filter(sent_at__isnull=True).exists())

    def test_a_hub_that_never_answers_is_given_up_after_the_last_attempt(self):
        self.hub.close()  # nothing listens on its port any more
        with self.captureOnCommitCallbacks(execute=True):
            announce_change(self.make_article())
        now = timezone.now()
        for minutes in (0, 1, 2, 4, 8, 16, 32, 64):
            with time_machine.travel(now + timedelta(minutes=minutes, seconds=1)):
                run_due_jobs()
        self.assertEqual(set(HubPing.objects.values_list("attempts", flat=True)), {6})
