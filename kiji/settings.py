"""Kiji settings: one module, environment first, SQLite by default.

Every variable is listed with its meaning in `.env.example`.
"""

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from kiji.lib.env import (
    env,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_time_window,
    env_url,
    is_set,
    owner_only,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("KIJI_VAR_DIR", str(BASE_DIR / "var")))

# Only these two: a typo such as "prod" must not quietly run with the development key and cookies.
KIJI_ENV = env_choice("KIJI_ENV", ("development", "production"), "development", case_sensitive=True)
PRODUCTION = KIJI_ENV == "production"
DEBUG = env_bool("KIJI_DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production (KIJI_ENV=production) set SECRET_KEY to a long random string, "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not is_set("ALLOWED_HOSTS"):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. In production (KIJI_ENV=production) set ALLOWED_HOSTS to the site's "
            "host names, comma-separated, e.g. ALLOWED_HOSTS=news.example.jp"
        )
elif not SECRET_KEY:
    SECRET_KEY = "kiji-development-only-secret-key-do-not-use-in-production"

SITE_URL = env_url(
    "KIJI_SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"), example="https://news.example.jp"
).rstrip("/")
SITE_NAME = env("KIJI_SITE_NAME", "Kiji ニュース")
SITE_DESCRIPTION = env("KIJI_SITE_DESCRIPTION", "政治・韓国・エンタメの最新ニュースをお届けします。")

INSTALLED_APPS = [
    "kiji.newsroom.apps.NewsroomAdminConfig",  # django.contrib.admin with the desk on its home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "kiji.newsroom",
    "kiji.reader",
    "kiji.ops",
    "kiji.api",
    "kiji.search",
    "kiji.comments",
    "kiji.audience",
    "kiji.distribution",
    "kiji.newsletters",
    "kiji.pages",
    "kiji.redirects",
    "kiji.wxr",
]

MIDDLEWARE = [
    # An old WordPress query on the front page (/?p=12) answers 301 before the cached home page could.
    "kiji.redirects.middleware.OldQueryMiddleware",
    # Then a cached anonymous reader page is answered before anything else runs.
    "kiji.reader.middleware.PageCacheMiddleware",
    "kiji.lib.db.ReplicaMiddleware",  # anonymous reader GETs read from the replica, if one is set
    "django.middleware.security.SecurityMiddleware",
    "kiji.lib.csp.ContentSecurityPolicyMiddleware",  # reader pages strict, the admin its own (kiji/lib/csp.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kiji.redirects.middleware.RedirectMiddleware",  # old (WordPress) addresses: 301 before a 404
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kiji.ops.monitoring.RouteMiddleware",  # names the route for the metrics (kiji/ops/monitoring.py)
]

ROOT_URLCONF = "kiji.urls"
WSGI_APPLICATION = "kiji.ops.wsgi.application"
CSRF_FAILURE_VIEW = "kiji.reader.views.csrf_failure"  # in Japanese, as every page a reader sees

TEMPLATES = [
    {
        # The reader site: Jinja2 renders the article page several times faster (see bench/RESULTS.md).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "kiji.reader.jinja2env.environment", "autoescape": True},
    },
    {
        # The newsroom: the Django admin and its overrides stay on Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases: SQLite in WAL mode unless DATABASE_URL says otherwise (postgres://user@host:5432/name).
_environ = environ.Env()
_DB_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")
_DB_EXAMPLE = "postgres://kiji@db.internal:5432/kiji"
DATABASE_URL = env_url(
    "DATABASE_URL", f"sqlite:///{VAR_DIR / 'kiji.sqlite3'}", schemes=_DB_SCHEMES, example=_DB_EXAMPLE
)
DATABASES = {"default": _environ.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    owner_only(Path(DATABASES["default"]["NAME"]))  # sessions and password hashes: 0600 (SQLite's -wal follows)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while the importer, scheduler or admin writes;
        # IMMEDIATE transactions make writers queue on busy_timeout instead of failing with "locked".
        # busy_timeout first: switching a copied database to WAL needs the lock too (Python waits 5 s by default).
        # The slow scheduler process commits in short transactions (kiji.ops.tests.test_slow_writes),
        # so the regular one's jobs wait milliseconds for the lock, far from the 10 s.
        "init_command": "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# Persistent connections, checked before each request's first query: a dropped PostgreSQL connection
# (restart, failover, pg_terminate_backend) is replaced on the next request instead of failing it.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("KIJI_DB_CONN_MAX_AGE", 600, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if KIJI_REPLICA_URL := env_url("KIJI_REPLICA_URL", None, schemes=_DB_SCHEMES, example=_DB_EXAMPLE):
    # A read replica for anonymous reader pages (kiji.lib.db); writes and staff stay on the primary.
    DATABASES["replica"] = {
        **DATABASES["default"],
        **_environ.db_url_config(KIJI_REPLICA_URL),
        "TEST": {"MIRROR": "default"},
    }
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.sqlite3":
        DATABASES["replica"].pop("OPTIONS", None)
DATABASE_ROUTERS = ["kiji.lib.db.ReplicaRouter"]

_REDIS_SCHEMES = ("redis", "rediss", "unix")
REDIS_URL = env_url("REDIS_URL", None, schemes=_REDIS_SCHEMES, example="redis://127.0.0.1:6379/0")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, failing soft: an outage makes pages render, never error (kiji.lib.rediscache).
            "BACKEND": "kiji.lib.rediscache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("KIJI_CACHE_PREFIX", "kiji"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kiji"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
# Japanese only: a newsroom member whose browser asks for English (Accept-Language: en) still gets the
# Japanese admin, as every reader gets Japanese pages.
LANGUAGES = [("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("KIJI_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env("KIJI_TEST_STATIC", "") == "plain":
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_MAX_AGE = 3600

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

# Uploads: images over this many bytes are refused with a message naming the limit.
# Under UMask=0077 (the systemd units, `kiji`): uploads and their folders stay readable by nginx.
FILE_UPLOAD_PERMISSIONS = 0o644
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o755
KIJI_MAX_IMAGE_BYTES = env_int("KIJI_MAX_IMAGE_BYTES", 10 * 1024 * 1024, minimum=1)
# 24 million pixels (a 6000×4000 camera picture): decoded once, an accepted file stays under ~200 MB of memory.
KIJI_MAX_IMAGE_PIXELS = env_int("KIJI_MAX_IMAGE_PIXELS", 24_000_000, minimum=1)
KIJI_IMAGE_WIDTHS = [320, 640, 960, 1280]
# The scheduler's polling interval in seconds (publishes within this of the time).
KIJI_SCHEDULER_INTERVAL = env_int("KIJI_SCHEDULER_INTERVAL", 15, minimum=1, maximum=3600)
# /readyz answers 503 when the scheduler's last round ended longer ago than this (seconds; 0: not checked).
KIJI_SCHEDULER_HEARTBEAT_MAX_AGE = env_int("KIJI_SCHEDULER_HEARTBEAT_MAX_AGE", 120, minimum=0, maximum=86400)
# Articles per page on the home, category, tag and writer pages.
KIJI_PAGE_SIZE = env_int("KIJI_PAGE_SIZE", 20, minimum=1, maximum=200)
# Headline counters in the editor (full-width counts 1, half-width 0.5): the aggregator's short-headline
# rule and the length search results show of a title.
KIJI_SHORT_HEADLINE_LIMIT = env_float("KIJI_SHORT_HEADLINE_LIMIT", 15.5, minimum=1, maximum=200)
KIJI_SEARCH_TITLE_LIMIT = env_float("KIJI_SEARCH_TITLE_LIMIT", 32, minimum=1, maximum=200)
# At most this much typing (plus one request) is lost; an editor without a heartbeat this long has left.
KIJI_AUTOSAVE_SECONDS = env_int("KIJI_AUTOSAVE_SECONDS", 5, minimum=1, maximum=600)
KIJI_PRESENCE_SECONDS = env_int("KIJI_PRESENCE_SECONDS", 30, minimum=5, maximum=3600)

# E-mail (the desk's notifications, newsletters and their confirmations). Printed to the console unless
# an SMTP server is given as smtp://user:password@host:587 (STARTTLS), smtps://…:465 (TLS), or
# smtp://host:25?starttls=off for a local relay that offers no TLS.
DEFAULT_FROM_EMAIL = env("KIJI_MAIL_FROM", "Kiji ニュースルーム <newsroom@localhost>")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if KIJI_SMTP_URL := env_url(
    "KIJI_SMTP_URL", None, schemes=("smtp", "smtps"), example="smtp://user:pw@mail.example.jp:587"
):
    _smtp = urlsplit(KIJI_SMTP_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname
    EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    _starttls = parse_qs(_smtp.query).get("starttls", ["on"])[-1].lower()
    if _starttls not in ("on", "off"):
        raise ImproperlyConfigured(f"KIJI_SMTP_URL's starttls must be on or off, not {_starttls!r}.")
    EMAIL_USE_TLS = not EMAIL_USE_SSL and _starttls == "on"
    EMAIL_TIMEOUT = 10

SECURE_CONTENT_TYPE_NOSNIFF = True
KIJI_CSP = env_bool("KIJI_CSP", True)  # send Content-Security-Policy (kiji/lib/csp.py); false only to debug
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    # Behind nginx or a CDN terminating TLS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("KIJI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("KIJI_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"https://{h}" for h in ALLOWED_HOSTS])

# Kiji's own messages at KIJI_LOG_LEVEL; other libraries' (Django's request lines) from WARNING up.
KIJI_LOG_LEVEL = env_choice("KIJI_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), "INFO")
# text: readable lines for development; json: one JSON object per line with the request id (kiji/lib/logs.py).
KIJI_LOG_FORMAT = env_choice("KIJI_LOG_FORMAT", ("text", "json"), "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kiji.lib.logs.JSONFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if KIJI_LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"kiji": {"handlers": ["console"], "level": KIJI_LOG_LEVEL, "propagate": False}},
}

# == Client addresses (kiji.lib.clientip): the one trusted-proxy rule for rate limits, bans and views ==
# Networks whose X-Forwarded-For is believed; the client is the last address before them.
KIJI_TRUSTED_PROXIES = env_networks("KIJI_TRUSTED_PROXIES", ["127.0.0.0/8", "::1"])

# == Admin login throttling (kiji.newsroom.admin): failed logins per 5 minutes before a 5-minute refusal ==
KIJI_ADMIN_LOGIN_FAILURES = env_int("KIJI_ADMIN_LOGIN_FAILURES", 5, minimum=1)  # one account from one address
KIJI_ADMIN_LOGIN_FAILURES_PER_ADDRESS = env_int("KIJI_ADMIN_LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
KIJI_ADMIN_LOGIN_FAILURES_PER_ACCOUNT = env_int("KIJI_ADMIN_LOGIN_FAILURES_PER_ACCOUNT", 50, minimum=1)

# == Comments (kiji.comments): limits and moderation rules; each is an environment variable too ==
KIJI_COMMENTS_MAX_LENGTH = env_int(
    "KIJI_COMMENTS_MAX_LENGTH", 300, minimum=1, maximum=100000
)  # grapheme clusters after NFC
KIJI_COMMENTS_RATE_PER_MINUTE = env_int("KIJI_COMMENTS_RATE_PER_MINUTE", 3, minimum=1)  # per visitor
KIJI_COMMENTS_RATE_PER_DAY = env_int("KIJI_COMMENTS_RATE_PER_DAY", 30, minimum=1)
# Per IP address: higher, as Japanese mobile carriers put many readers behind one address (CGNAT).
KIJI_COMMENTS_IP_RATE_PER_MINUTE = env_int("KIJI_COMMENTS_IP_RATE_PER_MINUTE", 10, minimum=1)
KIJI_COMMENTS_IP_RATE_PER_DAY = env_int("KIJI_COMMENTS_IP_RATE_PER_DAY", 200, minimum=1)
# Seconds a comment form's "shown at" stamp stays valid (longer than a cached article page lives).
KIJI_COMMENTS_FORM_MAX_AGE = env_int("KIJI_COMMENTS_FORM_MAX_AGE", 6 * 3600, minimum=60)
KIJI_COMMENTS_MIN_SECONDS = env_int("KIJI_COMMENTS_MIN_SECONDS", 3, minimum=0)  # minimum time between form and post
KIJI_COMMENTS_REPORTS_TO_HIDE = env_int("KIJI_COMMENTS_REPORTS_TO_HIDE", 3, minimum=1)
# ... and only when those reports come from this many distinct addresses (one client cannot hide a comment).
KIJI_COMMENTS_REPORT_ADDRESSES_TO_HIDE = env_int("KIJI_COMMENTS_REPORT_ADDRESSES_TO_HIDE", 3, minimum=1)
# A report weighs toward hiding only from a visitor known this many minutes (or with an approved comment).
KIJI_COMMENTS_REPORTER_MIN_AGE = env_int("KIJI_COMMENTS_REPORTER_MIN_AGE", 60, minimum=0)
KIJI_COMMENTS_LIKES_PER_HOUR = env_int("KIJI_COMMENTS_LIKES_PER_HOUR", 60, minimum=1)  # per visitor
KIJI_COMMENTS_IP_LIKES_PER_HOUR = env_int("KIJI_COMMENTS_IP_LIKES_PER_HOUR", 300, minimum=1)  # per address (CGNAT)
# Likes one address adds to one comment per day (a few readers may share an address; one client cannot inflate).
KIJI_COMMENTS_IP_LIKES_PER_COMMENT = env_int("KIJI_COMMENTS_IP_LIKES_PER_COMMENT", 3, minimum=1)
KIJI_COMMENTS_REPORTS_PER_HOUR = env_int("KIJI_COMMENTS_REPORTS_PER_HOUR", 10, minimum=1)
KIJI_COMMENTS_IP_REPORTS_PER_HOUR = env_int("KIJI_COMMENTS_IP_REPORTS_PER_HOUR", 30, minimum=1)
KIJI_COMMENTS_IP_NEW_VISITORS_PER_HOUR = env_int("KIJI_COMMENTS_IP_NEW_VISITORS_PER_HOUR", 120, minimum=1)
KIJI_COMMENTS_FIRST_HELD = env_int("KIJI_COMMENTS_FIRST_HELD", 0, minimum=0)  # a visitor's first N held; 0 = off
KIJI_COMMENTS_AUTO_CLOSE_DAYS = env_int("KIJI_COMMENTS_AUTO_CLOSE_DAYS", 0, minimum=0)  # 0 = never
KIJI_COMMENTS_FLOOD_PER_10MIN = env_int("KIJI_COMMENTS_FLOOD_PER_10MIN", 60, minimum=1)
# JST, as typed: "23:00-06:00", "23:00〜06:00", "23時〜6時"; kept as "23:00-06:00"; empty = none.
KIJI_COMMENTS_QUIET_HOURS = env_time_window("KIJI_COMMENTS_QUIET_HOURS")
KIJI_COMMENTS_QUIET_ACTION = env_choice("KIJI_COMMENTS_QUIET_ACTION", ("hold", "close"), "hold")
KIJI_COMMENTS_HIDE_SHARE = env_int(
    "KIJI_COMMENTS_HIDE_SHARE", 50, minimum=1, maximum=100
)  # % rejected/reported that hides a section
KIJI_COMMENTS_PAGE_SIZE = env_int("KIJI_COMMENTS_PAGE_SIZE", 20, minimum=1)

# == Newsletters (sent through the mail settings above: KIJI_SMTP_URL, KIJI_MAIL_FROM) ==
# The sender's identity every newsletter carries (特定電子メール法: name, address, contact).
KIJI_NEWSLETTER_SENDER_ADDRESS = env("KIJI_NEWSLETTER_SENDER_ADDRESS", "")
KIJI_NEWSLETTER_BATCH = env_int("KIJI_NEWSLETTER_BATCH", 200, minimum=1)  # mails per scheduler round

# == Distribution (feeds, sitemaps, read API) ==
KIJI_FEED_FULL_TEXT = env_bool("KIJI_FEED_FULL_TEXT", default=False)  # feeds carry the whole body, not a summary
# WebSub hub the public feeds name; publish/correct/unpublish ping it from the scheduler. Unset: no hub.
KIJI_WEBSUB_HUB = env_url(
    "KIJI_WEBSUB_HUB", None, schemes=("http", "https"), example="https://pubsubhubbub.appspot.com/"
)
KIJI_API_RATE_LIMIT = env_int("KIJI_API_RATE_LIMIT", 120, minimum=1)  # requests per IP per window on /api/
KIJI_API_RATE_WINDOW = env_int("KIJI_API_RATE_WINDOW", 60, minimum=1, maximum=86400)  # seconds
KIJI_API_CACHE_SECONDS = env_int("KIJI_API_CACHE_SECONDS", 60, minimum=0)  # Cache-Control max-age of API responses

# == Audience (kiji.audience): view counts, rankings, trending, also-read, recommended ==
# Live state in Redis when this is set (default REDIS_URL), else in each process's memory.
KIJI_AUDIENCE_REDIS_URL = env_url(
    "KIJI_AUDIENCE_REDIS_URL", REDIS_URL or "", schemes=_REDIS_SCHEMES, example="redis://127.0.0.1:6379/0"
)
KIJI_AUDIENCE_REDIS_PREFIX = env("KIJI_AUDIENCE_REDIS_PREFIX", "kiji:aud:")
KIJI_AUDIENCE_FLUSH_SECONDS = env_int(
    "KIJI_AUDIENCE_FLUSH_SECONDS", 5, minimum=1, maximum=3600
)  # counts a crash can lose (memory)
# Views one address adds to one article per 30 minutes, whatever its user agents (readers behind one
# carrier address still count; one client rotating user agents does not inflate a ranking).
KIJI_AUDIENCE_VIEWS_PER_ADDRESS = env_int("KIJI_AUDIENCE_VIEWS_PER_ADDRESS", 20, minimum=1)
# Hard cap of the in-process dedupe marks and reading sessions (the embedded backend).
KIJI_AUDIENCE_MEMORY_MAX_ENTRIES = env_int("KIJI_AUDIENCE_MEMORY_MAX_ENTRIES", 200_000, minimum=100)
KIJI_AUDIENCE_FLUSH_THREAD = env_bool("KIJI_AUDIENCE_FLUSH_THREAD", default=True)
KIJI_AUDIENCE_REDIS_BATCH = env_int(
    "KIJI_AUDIENCE_REDIS_BATCH", 32, minimum=1, maximum=10_000
)  # views per pipelined send (or 1 s)
KIJI_AUDIENCE_RANKING_WINDOW = env_choice("KIJI_AUDIENCE_RANKING_WINDOW", ("1h", "24h", "7d"), "24h")
# Seconds between full also-read rebuilds (every list, fresh co-readership; ~8 s each on the corpus).
KIJI_AUDIENCE_RELATED_REFRESH = env_int("KIJI_AUDIENCE_RELATED_REFRESH", 600, minimum=30, maximum=86400)
# Where a full also-read rebuild saves its model and finished units, so a killed one continues.
KIJI_AUDIENCE_REBUILD_DIR = VAR_DIR / "also-read-rebuild"
# How also-read blends its signals (not environment variables: tuned with bench/, not per site).
KIJI_AUDIENCE_CATEGORY_BOOST = 0.3  # content score x (1 + this) within the article's category
KIJI_AUDIENCE_RECENCY_BOOST = 0.2  # x (1 + this x 0.5 ** (age in days / 14))
KIJI_AUDIENCE_CO_READ_WEIGHT = 0.5  # weight of co-readership beside content similarity
KIJI_SHOW_VIEW_COUNT = env_bool("KIJI_SHOW_VIEW_COUNT", default=True)  # view count on the article page (false hides it)
# The beacon answers before any other middleware runs (no session, CSRF, auth or messages work).
MIDDLEWARE.insert(0, "kiji.audience.beacon.BeaconMiddleware")

# == Performance and operations (kiji.reader.pagestore, kiji.ops): page cache, replica, shared cache ==
KIJI_PAGECACHE = env_bool("KIJI_PAGECACHE", True)  # the app's own cache of anonymous reader pages
KIJI_PAGECACHE_TTL = env_int(
    "KIJI_PAGECACHE_TTL", 60, minimum=1, maximum=86400
)  # seconds a page may live without a purge (lists, rankings)
KIJI_PAGECACHE_DIR = Path(env("KIJI_PAGECACHE_DIR", str(VAR_DIR / "pagecache")))  # versions shared by workers
KIJI_SLOT_MEMO_SECONDS = env_int("KIJI_SLOT_MEMO_SECONDS", 10, minimum=0, maximum=3600)
# Seconds a process trusts the purge versions it read (a purge elsewhere reaches it within this).
KIJI_PAGECACHE_VERSION_TTL = env_float("KIJI_PAGECACHE_VERSION_TTL", 0.2, minimum=0, maximum=60)

# == Metrics (kiji.lib.metrics, kiji.ops.monitoring): Prometheus text at a path only operators reach ==
KIJI_METRICS_PATH = env("KIJI_METRICS_PATH", "/metrics")
if not re.fullmatch(r"/[\w./-]+", KIJI_METRICS_PATH):
    raise ImproperlyConfigured(f"KIJI_METRICS_PATH must be a path such as /metrics, not {KIJI_METRICS_PATH!r}.")
# Who may scrape: clients in these networks (behind KIJI_TRUSTED_PROXIES, the real client), or anyone
# sending "Authorization: Bearer <KIJI_METRICS_TOKEN>". Neither set: /metrics answers 404 to everyone.
KIJI_METRICS_NETWORKS = env_networks("KIJI_METRICS_NETWORKS", [])
KIJI_METRICS_TOKEN = env("KIJI_METRICS_TOKEN", "")

# == Serving (`kiji serve`, kiji.ops) ==
KIJI_BIND = env("KIJI_BIND", "127.0.0.1:8000")
if not re.fullmatch(r"(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}", KIJI_BIND):
    raise ImproperlyConfigured(f"KIJI_BIND must be host:port, e.g. 127.0.0.1:8000, not {KIJI_BIND!r}.")
KIJI_WORKERS = env_int("KIJI_WORKERS", 2, minimum=1, maximum=256)
# granian (default: measured faster, bench/RESULTS.md) or gunicorn.
KIJI_SERVER = env_choice(
    "KIJI_SERVER", ("granian", "gunicorn"), "granian"
)  # side lists kept per process (purges end it early)
