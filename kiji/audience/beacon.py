"""The view beacon endpoint, POST /v/?a=<article id>: as little work per request as possible.

It runs as the first middleware, before sessions, CSRF, auth and messages, and before URL
resolution: it reads two headers and the query string, asks the backend to count, answers 204.
No cookie is read or set. The article page sends it with navigator.sendBeacon (static/js/beacon.js).
"""

import re
import time

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from kiji.audience.backends import get_backend
from kiji.newsroom.models import Article

BEACON_PATH = "/v/"

# Crawlers, link previewers, monitors and scripted clients (most run no JS; these say who they are).
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrape|preview|fetch|monitor|headless|phantomjs|lighthouse|"
    r"pagespeed|facebookexternalhit|embedly|quora link|whatsapp|line-poker|hatena|mediapartners|"
    r"curl|wget|python-|httpx|aiohttp|go-http-client|java/|okhttp|libwww|axios|node-fetch|scrapy|"
    r"ahrefs|semrush|mj12|yandex|baidu|bingpreview|petalbot|bytespider|gptbot|ccbot|applebot",
    re.IGNORECASE)


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


def is_prefetch(meta) -> bool:
    """Prefetch and prerender requests announce themselves (Sec-Purpose, Purpose, X-Moz, X-Purpose)."""
    purpose = " ".join(meta.get(h, "") for h in ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ",
                                                   "HTTP_X_PURPOSE")).lower()
    return "prefetch" in purpose or "prerender" in purpose or "preview" in purpose


_published: tuple[float, frozenset] = (0.0, frozenset())


def is_countable(article_id: int) -> bool:
    """Published now? Answered from a per-process set refreshed every 30 s (and on a miss, every 5 s)."""
    global _published
    expires, ids = _published
    now = time.monotonic()
    if now > expires or (article_id not in ids and now > expires - 25):
        ids = frozenset(Article.objects.published().values_list("pk", flat=True))
        _published = (now + 30, ids)
    return article_id in ids


def forget_published() -> None:
    global _published
    _published = (0.0, frozenset())


def _client_ip(meta) -> str:
    if getattr(settings, "KIJI_AUDIENCE_TRUST_FORWARDED", False):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return meta.get("REMOTE_ADDR", "")


def _answer(status: int, counted: str) -> HttpResponse:
    response = HttpResponse(status=status)
    response["Cache-Control"] = "no-store"
    response["X-Counted"] = counted  # why a view was or was not counted, for people debugging
    return response


def beacon(request) -> HttpResponse:
    if request.method != "POST":
        response = _answer(405, "no")
        response["Allow"] = "POST"
        return response
    meta = request.META
    user_agent = meta.get("HTTP_USER_AGENT", "")
    if is_bot(user_agent):
        return _answer(204, "bot")
    if is_prefetch(meta):
        return _answer(204, "prefetch")
    try:
        article_id = int(request.GET.get("a", ""))
    except ValueError:
        return _answer(400, "no")
    if not is_countable(article_id):
        return _answer(204, "unpublished")
    backend = get_backend()
    now = timezone.now()
    visitor = backend.visitor_id(_client_ip(meta), user_agent, now)
    return _answer(204, "yes" if backend.record_view(article_id, visitor, now) else "repeat")


class BeaconMiddleware:
    """First in MIDDLEWARE: answers the beacon before any other middleware does work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == BEACON_PATH:
            return beacon(request)
        return self.get_response(request)
