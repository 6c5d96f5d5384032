"""The API against its own published OpenAPI document: schemathesis generates requests from the
schema, sends them to the WSGI app in-process, and checks every answer (no 5xx, documented status
codes, content types, headers, and bodies that validate against the response schemas)."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from kiji.api.openapi import SCHEMA
from kiji.newsroom.models import Article, Category, Correction, Tag, Writer

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def published_site(db, settings):
    settings.KIJI_API_RATE_LIMIT = 1_000_000  # the generated requests are not a flood to stop
    settings.ALLOWED_HOSTS = ["*"]
    politics = Category.objects.create(name="政治", slug="politics")
    korea = Category.objects.create(name="韓国", slug="korea", position=2)
    writer = Writer.objects.create(name="山田 花子", slug="yamada-hanako", email="hanako@example.jp")
    tag = Tag.objects.create(name="予算", slug="yosan")
    from django.utils import timezone

    for i, (category, status) in enumerate(
        [(politics, "published"), (korea, "published"), (politics, "draft"), (politics, "published")]
    ):
        article = Article.objects.create(
            headline=f"記事{i}「<テスト>」&",
            body="<p>本文</p>",
            category=category,
            status=status,
            published_at=timezone.now(),
            slug=f"a{i}" if i % 2 else "",
        )
        article.byline_set.create(writer=writer)
        article.tags.set([tag])
        if i == 0:
            Correction.objects.create(article=article, text="訂正しました。")
    # As Django's test client does: a request's start or end must not close the test's database connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# Loaded from the dict the view serves (test_api checks the endpoint returns it): the lazy fixture
# loader (schemathesis.pytest.from_fixture) fails under pytest 9 ('Function' has no '_nodeid').
schema = schemathesis.openapi.from_dict(SCHEMA)


@schema.parametrize()
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_api_conforms_to_its_openapi_schema(case, published_site):
    case.call_and_validate(checks=CHECKS, app=published_site)


# Requests the schema forbids (wrong types, out-of-range numbers, NUL bytes, missing required
# parameters): the API must refuse them with a documented JSON error, never a 5xx.
invalid = schemathesis.openapi.from_dict(SCHEMA)
invalid.config.generation.update(modes=[schemathesis.GenerationMode.NEGATIVE], allow_x00=True)


@invalid.exclude(path="/api/v1/categories").parametrize()  # no parameters to get wrong
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_api_refuses_invalid_requests_without_a_server_error(case, published_site):
    case.call_and_validate(checks=CHECKS, app=published_site)
