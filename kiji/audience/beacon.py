"""The view beacon endpoint, POST /v/?a=<article id>: as little work per request as possible.

Two doors, one function (`count`): `BeaconWSGIApplication` wraps the WSGI application and answers
before Django builds a request at all (what kiji/ops/wsgi.py serves); `BeaconMiddleware`,
first in MIDDLEWARE, answers before sessions, CSRF, auth, messages and URL resolution (any other
server, and the test client). Either reads two headers and the query string, asks the backend to
count, answers 204. No cookie is read or set. The page sends it with navigator.sendBeacon
(static/js/beacon.js).
"""

import logging
import re
import time
from urllib.parse import parse_qs

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone

from kiji.audience.backends import DEDUPE_SECONDS, get_backend
from kiji.audience.models import PartnerViewDay
from kiji.audience.store import tidy_connection
from kiji.lib.clientip import client_ip
from kiji.lib.memo import Memo
from kiji.newsroom.models import Article

BEACON_PATH = "/v/"

# Crawlers, link previewers, monitors and scripted clients (most run no JS; these say who they are).
# Lowercase words searched in the lowercased user agent: ~10x cheaper than re.IGNORECASE (~2 µs, not
# ~25 µs, for a browser's user agent), and the beacon must cost less than a cached page.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrape|preview|fetch|monitor|headless|phantomjs|lighthouse|"
    r"pagespeed|facebookexternalhit|embedly|quora link|whatsapp|line-poker|hatena|mediapartners|"
    r"curl|wget|python-|httpx|aiohttp|go-http-client|java/|okhttp|libwww|axios|node-fetch|scrapy|"
    r"ahrefs|semrush|mj12|yandex|baidu|bingpreview|petalbot|bytespider|gptbot|ccbot|applebot"
)


def is_bot(user_agent: str) -> bool:
    return not user_agent or BOT_PATTERN.search(user_agent.lower()) is not None


PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_MOZ", "HTTP_X_PURPOSE")


def is_prefetch(meta) -> bool:
    """Prefetch and prerender requests announce themselves (Sec-Purpose, Purpose, X-Moz, X-Purpose)."""
    purpose = " ".join(meta[h] for h in PURPOSE_HEADERS if h in meta).lower()
    return "prefetch" in purpose or "prerender" in purpose or "preview" in purpose


def article_id_of(query_string: str) -> int:
    """The article id in the query string; ValueError when there is none."""
    digits = query_string[2:]
    if query_string.startswith("a=") and digits.isascii() and digits.isdigit():  # what beacon.js sends
        return int(digits)
    return int(parse_qs(query_string).get("a", [""])[0])


_published = Memo(seconds=30, max_entries=1)


def is_countable(article_id: int) -> bool:
    """Published now? Answered from a per-process set refreshed every 30 s (and on a miss, every 5 s)."""
    held = _published.get("ids")
    now = time.monotonic()
    if held is None or (article_id not in held[1] and now > held[0] + 5):
        tidy_connection()  # the WSGI door runs outside Django's request signals
        held = _published.set("ids", (now, frozenset(Article.objects.published().values_list("pk", flat=True))))
    return article_id in held[1]


def forget_published() -> None:
    """An article was published or unpublished: ask the database again at the next view."""
    _published.clear()


# Views one address adds to one article per dedupe window, whatever user agents it sends. Keyed by the
# backend's salted hash of the address (no address is kept), per process; hard-capped like every memo.
_address_views = Memo(seconds=DEDUPE_SECONDS, max_entries=50_000)


def within_address_allowance(address: str, article_id: int) -> bool:
    key = (address, article_id)
    seen = _address_views.get(key, 0) + 1
    _address_views.set(key, seen)
    return seen <= settings.KIJI_AUDIENCE_VIEWS_PER_ADDRESS


def count(method: str, query_string: str, meta) -> tuple[int, str]:
    """(HTTP status, why it was or was not counted) for one beacon request."""
    if method != "POST":
        return 405, "no"
    user_agent = meta.get("HTTP_USER_AGENT", "")
    if is_bot(user_agent):
        return 204, "bot"
    if is_prefetch(meta):
        return 204, "prefetch"
    try:
        article_id = article_id_of(query_string)
    except ValueError:
        return 400, "no"
    if not is_countable(article_id):
        return 204, "unpublished"
    now = timezone.now()
    ip = client_ip(meta)
    try:
        backend = get_backend()
        if not within_address_allowance(backend.visitor_id(ip, "", now), article_id):
            return 204, "address"  # one address rotating its user agent cannot inflate a count
        visitor = backend.visitor_id(ip, user_agent, now)
        counted = backend.record_view(article_id, visitor, now)
    except Exception:  # Redis away: the view is lost (counted="lost" in /metrics), never the reader's page
        _warn_lost()
        return 204, "lost"
    partner = partner_of(query_string)
    if partner and counted is not False:
        record_partner_view(partner, article_id, now)
        return 204, "partner"
    return 204, "queued" if counted is None else "yes" if counted else "repeat"


_last_warning = [0.0]


def _warn_lost() -> None:
    """One log line per 10 s while views cannot be stored, not one per beacon."""
    if time.monotonic() - _last_warning[0] > 10:
        _last_warning[0] = time.monotonic()
        logging.getLogger("kiji.audience").warning("a view could not be stored (is Redis away?)", exc_info=True)


def partner_of(query_string: str) -> int:
    """The partner id a partner feed's beacon adds (p=), 0 when there is none or it is not a number."""
    value = parse_qs(query_string).get("p", [""])[0] if "p=" in query_string else ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 0


def record_partner_view(partner_id: int, article_id: int, now) -> None:
    """One more view through this partner today (JST): one upsert, only for views from partner apps."""
    day = timezone.localdate(now)
    updated = PartnerViewDay.objects.filter(partner_id=partner_id, article_id=article_id, day=day).update(
        count=F("count") + 1
    )
    if not updated:
        try:
            with transaction.atomic():
                PartnerViewDay.objects.create(partner_id=partner_id, article_id=article_id, day=day, count=1)
        except IntegrityError:  # another worker created it first
            PartnerViewDay.objects.filter(partner_id=partner_id, article_id=article_id, day=day).update(
                count=F("count") + 1
            )


_STATUS = {204: "204 No Content", 400: "400 Bad Request", 405: "405 Method Not Allowed"}


def _headers(status: int, counted: str) -> list[tuple[str, str]]:
    # X-Counted says why a view was or was not counted, for people debugging.
    headers = [("Cache-Control", "no-store"), ("X-Counted", counted), ("Content-Length", "0")]
    return headers + ([("Allow", "POST")] if status == 405 else [])


def beacon(request) -> HttpResponse:
    status, counted = count(request.method, request.META.get("QUERY_STRING", ""), request.META)
    response = HttpResponse(status=status)
    for name, value in _headers(status, counted):
        response[name] = value
    return response


class BeaconWSGIApplication:
    """WSGI wrapper: the beacon is answered before Django's request handling (the fast door)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != BEACON_PATH:
            return self.application(environ, start_response)
        status, counted = count(environ["REQUEST_METHOD"], environ.get("QUERY_STRING", ""), environ)
        start_response(_STATUS[status], _headers(status, counted))
        return [b""]


class BeaconMiddleware:
    """First in MIDDLEWARE: answers the beacon before any other middleware does work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == BEACON_PATH:
            return beacon(request)
        return self.get_response(request)
