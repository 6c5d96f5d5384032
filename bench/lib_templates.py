"""Jinja2 vs Django templates: the same article page (bench/templates/*/article.html), same data."""

import time
from pathlib import Path

HERE = Path(__file__).resolve().parent / "templates"


def _context(article_pk: int) -> dict:
    from django.conf import settings

    from kiji.newsroom.models import Article, Category

    article = Article.objects.select_related("category").get(pk=article_pk)
    others = list(Article.objects.published().select_related("category").exclude(pk=article_pk)[:24])
    return {
        "article": article,
        "writers": list(article.writers.all()),
        "tags": list(article.tags.all()),
        "menu": list(Category.objects.all()),
        "crumbs": [(article.category.name, article.category.get_absolute_url()), (article.headline, "")],
        "lists": [
            ("ランキング", others[:6]),
            ("こんな記事も読まれています", others[6:14]),
            ("おすすめニュース", others[14:19]),
            ("話題", others[19:24]),
        ],
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }


def compare(article_pk: int, n: int) -> dict:
    """Mean milliseconds per render with each engine, after a warm-up (compiled templates cached)."""
    from django.template import engines
    from django.template.backends.django import DjangoTemplates
    from django.template.backends.jinja2 import Jinja2

    from kiji.lib.dates import format_jst, iso_jst

    context = _context(article_pk)
    jinja = Jinja2(
        {"NAME": "bench-jinja2", "DIRS": [HERE / "jinja2"], "APP_DIRS": False, "OPTIONS": {"autoescape": True}}
    )
    jinja.env.filters.update(jst=format_jst, iso=iso_jst)
    django = DjangoTemplates(
        {
            "NAME": "bench-django",
            "DIRS": [HERE / "django"],
            "APP_DIRS": False,
            "OPTIONS": {
                "loaders": [("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])]
            },
        }
    )
    assert engines  # the project's engines stay untouched
    django_context = {
        **context,
        "published_iso": iso_jst(context["article"].published_at),
        "published_jst": format_jst(context["article"].published_at),
    }
    result = {}
    for name, engine, ctx in (("jinja2", jinja, context), ("django", django, django_context)):
        template = engine.get_template("article.html")
        for _ in range(20):
            html = template.render(ctx)
        start = time.perf_counter()
        for _ in range(n):
            html = template.render(ctx)
        result[f"{name}_ms"] = (time.perf_counter() - start) * 1000 / n
        result[f"{name}_bytes"] = len(html.encode())
    return result
