"""Read functions of search: a page of ranked, highlighted results, and suggestions when none."""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone
from markupsafe import Markup

from kiji.lib.html import html_to_text
from kiji.newsroom.models import Article
from kiji.search.backends import Filters, Found, backend
from kiji.search.expand import Plan, correction, plan
from kiji.search.highlight import highlight, snippet
from kiji.search.query import Query, parse_query
from kiji.search.services import INDEX_VERSION_KEY

PER_PAGE = 10
MAX_PAGE = 100  # deeper pages are not useful to readers and cost an ever larger OFFSET
# Searches repeat heavily on a news site (a story breaks and thousands type the same words): a page of
# ranked ids is kept this long in the shared cache, keyed by what the index is asked (the query's plan
# after expansion, the filters, the page) and by the index's version, which every write to the index
# changes (services.index_changed): a newly published article is found at once. 0: no cache.
RESULT_SECONDS = 60


@dataclass
class Hit:
    article: Article
    title: Markup
    snippet: Markup


@dataclass
class Suggestion:
    query: str
    count: int
    keep_filters: bool = True
    at_least: bool = False  # `count` is a lower bound (more than backends.CANDIDATES match)


@dataclass
class Results:
    query: Query
    hits: list[Hit]
    total: int
    page: int
    num_pages: int
    total_at_least: bool = False  # `total` is a lower bound: more match, not counted (backends.CANDIDATES)
    suggestions: list[Suggestion] = field(default_factory=list)
    per_page: int = PER_PAGE
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)  # (reader's word, added words)
    correction: str | None = None  # もしかして: the query with unknown words replaced
    corrected: "Results | None" = None  # its results, shown when the query itself finds nothing

    @property
    def first(self) -> int:
        """The rank of this page's first hit."""
        return (self.page - 1) * self.per_page + 1


def search_articles(
    query: Query,
    filters: Filters | None = None,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
    suggest: bool = True,
) -> Results:
    """Published articles matching `query`, best first, one page of them with snippets."""
    filters = filters or Filters()
    now = now or timezone.now()
    wanted = plan(query)
    if not wanted.searchable:
        return Results(query=query, hits=[], total=0, page=1, num_pages=0)
    page = min(max(page, 1), MAX_PAGE)
    ids, total, at_least = _ranked(wanted, filters, page=page, per_page=per_page, now=now)
    results = Results(
        query=query,
        hits=_hits(ids, wanted, now),
        total=total,
        total_at_least=at_least,
        page=page,
        per_page=per_page,
        num_pages=min(MAX_PAGE, math.ceil(total / per_page)),
        expansions=wanted.expansions(),
    )
    if suggest and page == 1 and (better := correction(query, wanted)):
        results.correction = better
        if total == 0:
            results.corrected = search_articles(parse_query(better), filters, per_page=per_page, now=now, suggest=False)
    if total == 0 and not results.correction:
        results.suggestions = suggestions(query, filters, now=now)
    return results


def ranked_ids(
    query: Query,
    filters: Filters | None = None,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> Found:
    """One page of matching article ids, best first, and the total (a lower bound when
    `at_least`): no snippets, no suggestions (the API)."""
    return _ranked(plan(query), filters or Filters(), page=page, per_page=per_page, now=now or timezone.now())


def _ranked(wanted: Plan, filters: Filters, *, page: int, per_page: int, now: datetime) -> Found:
    if not wanted.searchable:
        return Found([], 0)
    page = min(max(page, 1), MAX_PAGE)
    key = _cache_key(wanted, filters, page, per_page) if RESULT_SECONDS else None
    if key and (kept := cache.get(key)) is not None:
        return Found(*kept)
    found = backend().search(wanted, filters, now=now, limit=per_page, offset=(page - 1) * per_page)
    if key:
        cache.set(key, tuple(found), RESULT_SECONDS)
    return found


def _cache_key(wanted: Plan, filters: Filters, page: int, per_page: int) -> str:
    version = cache.get(INDEX_VERSION_KEY, 0)
    asked = repr((version, wanted, filters, page, per_page)).encode("utf-8", "surrogatepass")
    return "search:ranked2:" + hashlib.sha256(asked).hexdigest()


def suggestions(query: Query, filters: Filters, *, now: datetime) -> list[Suggestion]:
    """Nearby queries that do find something: the same words without one of them, or without the filters."""
    engine, out = backend(), []
    if len(query.included) > 1:
        for term in query.included:
            shorter = query.without(term)
            count, at_least = engine.count(plan(shorter), filters, now=now)
            if count:
                out.append(Suggestion(query=shorter.raw, count=count, at_least=at_least))
    if filters != Filters():
        count, at_least = engine.count(plan(query), Filters(), now=now)
        if count:
            out.append(Suggestion(query=query.raw, count=count, keep_filters=False, at_least=at_least))
    return sorted(out, key=lambda s: -s.count)[:5]


def _hits(ids: list[int], wanted: Plan, now: datetime) -> list[Hit]:
    # published() again: the index is kept in step, but visibility is decided in one place only.
    articles = Article.objects.published(now).for_cards().in_bulk(ids)
    marked = wanted.highlight_tokens()
    hits = []
    for pk in ids:
        if article := articles.get(pk):
            text = " ".join(part for part in (article.deck, html_to_text(article.body)) if part)
            hits.append(Hit(article=article, title=highlight(article.headline, marked), snippet=snippet(text, marked)))
    return hits


ADMIN_LIMIT = 500


def admin_article_ids(text: str) -> list[int]:
    """Published articles matching what was typed in the newsroom's admin search (title and body, through
    the Sudachi-normalized index: 付属 finds 附属), at most ADMIN_LIMIT."""
    return ranked_ids(parse_query(text), per_page=ADMIN_LIMIT).ids
