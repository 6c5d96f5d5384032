"""The read API, version 1: published articles, categories, rankings and search, as JSON."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from kiji.api import representations as rep
from kiji.api.http import BadRequest, api_view, error_response, json_response
from kiji.api.openapi import SCHEMA
from kiji.newsroom.models import Article, Category, Tag, Writer
from kiji.reader import slots
from kiji.search.backends import Filters
from kiji.search.query import parse_query
from kiji.search.results import MAX_PAGE, ranked_ids

MAX_PER_PAGE = 100
MAX_ID = 2**63 - 1  # larger ids overflow the databases' integer; such an article cannot exist
DEFAULT_PER_PAGE = 20
KNOWN_LIST_PARAMS = {"category", "tag", "writer", "page", "per_page"}


def _int_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"'{name}' must be an integer from {low} to {high}.")
    return int(raw)


def _lookup(model, request, name: str):
    """The object named by the ?name=<slug> filter; 400 when it names nothing."""
    slug = request.GET.get(name)
    if slug is None:
        return None
    found = model.objects.filter(slug=slug).first() if _printable(slug) and len(slug) <= 200 else None
    if found is None:
        raise BadRequest(f"No {name} with slug '{slug[:80]}'.")
    return found


def _printable(text: str) -> bool:
    """Non-empty and free of control characters (PostgreSQL refuses NUL in text; no slug has any)."""
    return bool(text) and text.isprintable()


def _for_summaries(articles):
    """What article_summary reads, in four queries; the bodies stay in the database."""
    return articles.for_cards().prefetch_related("tags").defer("body", "source_url", "source_credit")


@api_view
def article_list(request):
    unknown = set(request.GET) - KNOWN_LIST_PARAMS
    if unknown:
        raise BadRequest(f"Unknown parameter(s): {', '.join(sorted(unknown))[:200]}.")
    articles = Article.objects.published()
    if category := _lookup(Category, request, "category"):
        articles = articles.filter(category=category)
    if tag := _lookup(Tag, request, "tag"):
        articles = articles.filter(tags=tag)
    if writer := _lookup(Writer, request, "writer"):
        articles = articles.filter(writers=writer)
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int_param(request, "page", 1, 1, 10_000)
    total = articles.count()
    offset = (page - 1) * per_page
    rows = list(_for_summaries(articles).latest_first()[offset : offset + per_page])
    data = {
        "count": total,
        "page": page,
        "per_page": per_page,
        "next_page": page + 1 if offset + per_page < total else None,
        "previous_page": page - 1 if page > 1 else None,
        "results": [rep.article_summary(a) for a in rows],
    }
    # ETag only: an article leaving the list changes no remaining row's time, so a Last-Modified
    # built from the rows could answer 304 to a list that lost an article.
    return data, None


@api_view
def article_detail(request, pk):
    if pk > MAX_ID:
        raise Http404
    articles = Article.objects.published().for_cards().prefetch_related("tags", "corrections").with_last_changed()
    article = get_object_or_404(articles, pk=pk)
    return rep.article_detail(article), article.last_changed


@api_view
def category_list(request):
    categories = Category.objects.all()
    return {"results": [rep.category_data(c) for c in categories]}, None


@api_view
def ranking(request):
    slug = request.GET.get("category")
    if not slug:
        raise BadRequest("'category' (a category slug) is required.")
    category = _lookup(Category, request, "category")
    limit = _int_param(request, "limit", 10, 1, 50)
    ranked = [a.pk for a in slots.category_ranking(category, limit=limit)]
    # Re-read what the ranking names, so the API's fields and visibility rules stay its own.
    by_pk = _for_summaries(Article.objects.published()).in_bulk(ranked)
    rows = [by_pk[pk] for pk in ranked if pk in by_pk]
    data = {
        "category": rep.category_data(category),
        "results": [{"rank": i, **rep.article_summary(a)} for i, a in enumerate(rows, start=1)],
    }
    return data, None


@api_view
def search(request):
    """Search through the search app (the same index, ranking and query syntax as /search/)."""
    query = (request.GET.get("q") or "").strip()
    if not query:
        raise BadRequest("'q' (the search words) is required.")
    if len(query) > 200:
        raise BadRequest("'q' must be at most 200 characters.")
    if "\x00" in query:
        raise BadRequest("'q' must not contain NUL characters.")
    category = _lookup(Category, request, "category")
    page = _int_param(request, "page", 1, 1, MAX_PAGE)
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    # Ids only: the reader page's highlighted snippets and suggestions would be thrown away here.
    found = ranked_ids(
        parse_query(query), Filters(category_id=category.pk if category else None), page=page, per_page=per_page
    )
    ids = found.ids
    by_pk = _for_summaries(Article.objects.published()).in_bulk(ids)
    return {
        "query": query,
        "count": found.total,
        "count_at_least": found.at_least,
        "page": page,
        "per_page": per_page,
        "results": [rep.article_summary(by_pk[pk]) for pk in ids if pk in by_pk],
    }, None


def openapi(request):
    response = json_response(SCHEMA)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def not_found(request, path=""):
    return error_response(404, "not_found", "No such API endpoint.")
