"""Two schedulers on one database (one per app server): each job's work happens once.

Real `kiji scheduler` processes, on SQLite (the default) and on PostgreSQL (the suite's PostgreSQL
pass), racing for one scheduled article, its WebSub pings and a newsletter issue.
"""

import http.server
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from kiji.newsletters.tests.smtp import LocalSMTP
from kiji.ops.tests.sites import ROOT, drop_site, fresh_site, kiji, python

READERS = 30

SET_UP = """
from datetime import timedelta
from django.utils import timezone
from kiji.newsletters.models import Issue, Subscriber
from kiji.newsroom.models import Article, Category, Tag, Writer
due = timezone.now() + timedelta(seconds=4)
c = Category.objects.create(name="政治", slug="politics")
a = Article.objects.create(headline="予定稿: 新内閣の顔ぶれ", body="<p>本文。</p>", category=c, status="scheduled",
                           published_at=due)
a.byline_set.create(writer=Writer.objects.create(name="山田 花子", slug="yamada-hanako"), position=0)
a.tags.add(Tag.objects.create(name="組閣", slug="組閣"))
Subscriber.objects.bulk_create(
    Subscriber(email=f"reader{{i}}@example.jp", status="active", token=f"t{{i}}") for i in range({readers})
)
Issue.objects.create(subject="朝刊ダイジェスト", article_ids=[a.pk], status="scheduled", send_at=due)
"""

STATE = """
from kiji.newsletters.models import Issue
from kiji.newsroom.models import Article, Revision
a = Article.objects.get()
print(a.status, Revision.objects.filter(article=a, created_by=None).count(), Issue.objects.get().status)
"""


class _Hub(http.server.BaseHTTPRequestHandler):
    pings: list[str] = []

    def do_POST(self):
        self.pings.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_two_schedulers_publish_ping_and_mail_once(tmp_path):
    smtp = LocalSMTP()
    hub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    _Hub.pings = []
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    env = fresh_site(tmp_path, "sched")
    env.update(
        {
            "KIJI_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?starttls=off",
            "KIJI_WEBSUB_HUB": f"http://127.0.0.1:{hub.server_address[1]}/",
            "KIJI_SCHEDULER_INTERVAL": "1",
            "KIJI_NEWSLETTER_BATCH": "4",  # several rounds each: the two schedulers overlap on the issue
        }
    )
    schedulers = []
    try:
        kiji(env, "manage", "migrate", "--noinput")
        python(env, SET_UP.format(readers=READERS))
        for _ in range(2):
            schedulers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "kiji.cli", "scheduler"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and python(env, STATE).split()[-1] != "sent":
            time.sleep(1)
        time.sleep(3)  # both schedulers have had more rounds in which to repeat anything
        state = python(env, STATE).split()
    finally:
        for proc in schedulers:
            proc.send_signal(signal.SIGTERM)
        for proc in schedulers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        hub.shutdown()
        smtp.stop()
        drop_site(env)

    assert state == ["published", "1", "sent"]  # one "published by the scheduler" revision
    topics = Counter(ping.split("hub.url=")[1] for ping in _Hub.pings)
    # site and category (RSS, Atom, JSON Feed), writer and tag (RSS, Atom): once each
    assert len(topics) == 10 and set(topics.values()) == {1}, topics
    recipients = Counter(message["To"] for message in smtp.messages)
    assert len(recipients) == READERS and set(recipients.values()) == {1}, recipients
