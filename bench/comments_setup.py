"""Shared set-up for the comments benchmarks: a fresh SQLite site (or $DATABASE_URL) with one article."""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(**env: str) -> Path:
    """Point Kiji at a throw-away var dir, apply the environment, django.setup(), migrate; returns the dir."""
    work = Path(tempfile.mkdtemp(prefix="kiji-comments-bench-"))
    os.environ.setdefault("KIJI_VAR_DIR", str(work))
    os.environ.setdefault("KIJI_TEST_STATIC", "plain")  # no collectstatic manifest in a throw-away dir
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return work


def make_article(headline: str = "ベンチマーク用の記事"):
    from django.utils import timezone

    from kiji.newsroom.models import Article, Category

    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "ベンチ"})
    return Article.objects.create(
        headline=headline,
        body="<p>本文です。</p>" * 20,
        category=category,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({seconds / count * 1000:.2f} ms each)"


def timed(func, repeat: int) -> float:
    start = time.perf_counter()
    for i in range(repeat):
        func(i)
    return time.perf_counter() - start
