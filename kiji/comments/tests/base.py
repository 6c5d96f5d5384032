"""The comments tests' cast: the newsroom cast plus an article and helpers that post like a reader."""

import time
from datetime import datetime, timedelta
from datetime import time as time_of_day
from html.parser import HTMLParser

from django.test import Client
from django.utils import timezone

from kiji.comments import services
from kiji.comments.forms import started_stamp
from kiji.comments.models import Comment, Visitor
from kiji.lib.pagecache import purge_site
from kiji.testing import NewsroomTestCase


def jst_days_ahead(hh_mm: str, days: int = 1):
    """That time of day (Japan time) `days` after the day the test's clock is on: the quiet-hours tests
    move the clock there, relative to the article they made, never to a date of the calendar."""
    hour, minute = (int(part) for part in hh_mm.split(":"))
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time_of_day(hour, minute)))


class CommentsTestCase(NewsroomTestCase):
    def setUp(self):
        # A fresh site version: article pks repeat from test to test, and the reader's per-process
        # slot memo (kiji.reader.slotmemo.SlotMemo) is keyed by pk and versions.
        purge_site()
        self.article = self.make_article()

    def comments_url(self, article=None) -> str:
        return f"/articles/{(article or self.article).pk}/comments/"

    def form(self, body: str, **extra) -> dict:
        return {"body": body, "nickname": "", "website": "", "started": started_stamp(time.time() - 60), **extra}

    def post(self, body: str, *, client: Client | None = None, article=None, **extra):
        client = client or self.client
        if "kiji_visitor" not in client.cookies:
            client.get("/comments/token/")  # as comments.js does before the first post
        return client.post(self.comments_url(article), self.form(body, **extra))

    @staticmethod
    def reader(ip: str = "127.0.0.1") -> Client:
        """A reader's browser at an address, holding its visitor cookie (from /comments/token/)."""
        client = Client(REMOTE_ADDR=ip)
        client.get("/comments/token/")
        return client

    def make_comment(
        self, body: str = "賛成です。", *, status=Comment.Status.APPROVED, visitor_key=None, article=None, **fields
    ) -> Comment:
        visitor, _ = Visitor.objects.get_or_create(key=visitor_key or f"v-{Comment.objects.count()}")
        return Comment.objects.create(
            article=article or self.article,
            visitor=visitor,
            body=body,
            body_hash=services.text.body_hash(body + str(visitor.pk)),
            status=status,
            **fields,
        )

    def article_page(self) -> str:
        return self.client.get(self.article.get_absolute_url()).content.decode()


class Structure(HTMLParser):
    """The element structure of a page: start tags with attribute names, in order (text ignored)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.attrs: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.attrs += [(tag, name, value) for name, value in attrs]


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser
