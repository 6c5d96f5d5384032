from datetime import datetime, time, timedelta

from django.shortcuts import render

from kiji.lib.dates import JST
from kiji.newsroom.models import Category
from kiji.search.backends import Filters
from kiji.search.query import parse_query
from kiji.search.results import MAX_PAGE, search_articles


def results(request):
    """/search/?q=…&category=…&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N"""
    get = request.GET
    query = parse_query(get.get("q", ""))
    categories = list(Category.objects.order_by("position", "pk"))
    category = next((c for c in categories if c.slug == get.get("category")), None)
    start, end = _day(get.get("from")), _day(get.get("to"))
    bad_dates = [v for v, day in ((get.get("from"), start), (get.get("to"), end)) if v and day is None]
    end = end + timedelta(days=1) if end else None
    # A year typed in the query (2010年) filters by it, unless dates are set or the reader opted out.
    period = query.period if query.period and not (start or end) and get.get("period") != "any" else None
    if period:
        start, end = period_bounds(*period)
    filters = Filters(category_id=category.pk if category else None, start=start, end=end)
    found = search_articles(query, filters, page=_number(get.get("page")))
    params = {
        "q": query.raw[:500],
        "category": category.slug if category else "",
        "from": start.date().isoformat() if start and not period else "",
        "to": (end - timedelta(days=1)).date().isoformat() if end and not period else "",
        "period": "any" if query.period and get.get("period") == "any" else "",
    }
    params = {k: v for k, v in params.items() if v}
    suggestions = [
        {
            "query": s.query,
            "count": s.count,
            "at_least": s.at_least,
            "keep_filters": s.keep_filters,
            "params": {**(params if s.keep_filters else {}), "q": s.query},
        }
        for s in found.suggestions
    ]
    response = render(
        request,
        "search/results.html",
        {
            "q": query.raw[:500],
            "query": query,
            "results": found,
            "categories": categories,
            "category": category,
            "params": params,
            "bad_dates": bad_dates,
            "suggestions": suggestions,
            "period": period,
        },
    )
    response["X-Robots-Tag"] = "noindex"  # endless query URLs are no pages for crawlers
    return response


def _day(value: str | None) -> datetime | None:
    """Start of a YYYY-MM-DD day in JST, or None when absent or not a date."""
    try:
        day = datetime.strptime((value or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    if not 1900 <= day.year <= 2100:  # keeps time zone arithmetic away from year 1 and 9999
        return None
    return datetime.combine(day, time.min, tzinfo=JST)


def period_bounds(year: int, month: int | None) -> tuple[datetime, datetime]:
    """[start, end) of a year or of one month of it, in JST."""
    if month is None:
        return datetime(year, 1, 1, tzinfo=JST), datetime(year + 1, 1, 1, tzinfo=JST)
    after = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=JST)
    return datetime(year, month, 1, tzinfo=JST), after


def _number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1
