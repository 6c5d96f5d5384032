"""The reader's ranking page. The beacon lives in beacon.py (a middleware); the admin pages in admin.py."""

from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from kiji.audience import lists
from kiji.newsroom.models import Category


def ranking_page(request):
    """アクセスランキング: tabs per category and per window, read from the precomputed lists."""
    window = request.GET.get("window")
    window = window if window in lists.WINDOWS else lists.default_window()
    slug = request.GET.get("category") or ""
    if slug and not slug_re.fullmatch(slug):
        raise Http404  # never a query with what no slug holds (a NUL made PostgreSQL answer 500)
    category = get_object_or_404(Category, slug=slug) if slug else None
    return render(
        request,
        "audience/ranking.html",
        {
            "category": category,
            "window": window,
            "windows": lists.WINDOW_LABELS,
            "categories": list(Category.objects.order_by("position", "pk")),
            "entries": lists.ranking(category, window=window, limit=30),
        },
    )
