"""Security review (issue 11): the hostile-input lists and a Unicode abuse set, sent to every reader
input — search, the API's parameters, the beacon, the comment page's parameters, a comment's nickname
— answer with no server error and reflect no tag unescaped."""

import re
import time
from urllib.parse import quote

from django.test import Client, override_settings

from kiji.comments.forms import started_stamp
from kiji.comments.tests.test_hostile import UNICODE_ODDITIES
from kiji.lib.memo import forget_all
from kiji.testing import HOSTILE, NewsroomTestCase

TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")
UNICODE_ABUSE = [
    *UNICODE_ODDITIES,
    "²",
    "١٢٣",
    "９９",
    "\U0010ffff",
    "a" + "\u0301" * 500,
    "x" + "\u200d\U0001f600" * 300,
    "\ufe0f" * 50 + "しね",
    "\x1b[31mred\x1b[0m",
    "%00",
    "..%2f..%2fetc%2fpasswd",
]


def payloads() -> list[str]:
    lines = []
    for name in ("xss.txt", "sqli.txt"):
        lines += [line for line in (HOSTILE / name).read_text(encoding="utf-8").split("\n") if line.strip()]
    return lines + UNICODE_ABUSE


@override_settings(
    KIJI_API_RATE_LIMIT=1_000_000,
    KIJI_COMMENTS_RATE_PER_MINUTE=100_000,
    KIJI_COMMENTS_RATE_PER_DAY=100_000,
    KIJI_COMMENTS_IP_RATE_PER_MINUTE=100_000,
    KIJI_COMMENTS_IP_RATE_PER_DAY=100_000,
    KIJI_COMMENTS_FLOOD_PER_10MIN=100_000,
)
class HostileDoorsTests(NewsroomTestCase):
    def setUp(self):
        forget_all()
        self.article = self.make_article()
        self.client = Client(raise_request_exception=False)
        self.client.get("/comments/token/")  # a reader with a visitor cookie

    def doors(self, payload: str) -> list[tuple[str, str]]:
        q = quote(payload, safe="")
        comments = f"/articles/{self.article.pk}/comments/"
        return [
            ("GET", f"/search/?q={q}"),
            ("GET", f"/search/?q=%E4%BA%88%E7%AE%97&page={q}"),
            ("GET", f"/api/v1/search?q={q}"),
            ("GET", f"/api/v1/articles?category={q}&page={q}"),
            ("GET", f"/api/v1/rankings?window={q}&category={q}"),
            ("GET", f"/ranking/?window={q}&category={q}"),
            ("GET", f"{comments}?posted={q}&page={q}&sort={q}&notice={q}"),
            ("POST", f"/v/?a={q}"),
        ]

    def test_every_payload_at_every_reader_door(self):
        corpus = payloads()
        self.assertGreaterEqual(len(corpus), 1300)
        benign = {path: self.client.get(path).content.decode() for _, path in self.doors("予算") if "/v/" not in path}
        errors, reflections = [], []
        for payload in corpus:
            tags = TAG.findall(payload)
            for method, path in self.doors(payload):
                response = getattr(self.client, method.lower())(path, HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0")
                if response.status_code >= 500:
                    errors.append((path, response.status_code))
                    continue
                if tags and "text/html" in response.get("Content-Type", ""):
                    html = response.content.decode()
                    reflections += [(path, t) for t in tags if t in html and not any(t in b for b in benign.values())]
        self.assertEqual(errors, [])
        self.assertEqual(reflections, [])

    def test_a_hostile_nickname_is_posted_and_shown_inert(self):
        comments = f"/articles/{self.article.pk}/comments/"
        for i, payload in enumerate(payloads()[::25]):
            response = self.client.post(
                comments,
                {
                    "body": f"感想{i}",
                    "nickname": payload[:40],
                    "website": "",
                    "started": started_stamp(time.time() - 60),
                },
            )
            self.assertIn(response.status_code, (302, 400), payload)
        html = self.client.get(comments).content.decode()
        for payload in payloads()[::25]:
            for tag in TAG.findall(payload[:40]):
                self.assertNotIn(tag, html.split("<main", 1)[-1].split("</main>", 1)[0], payload)
