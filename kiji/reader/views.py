"""The public pages. Views parse, call, render."""

import re

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import router
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from kiji.lib.memo import Memo
from kiji.lib.queries import Prepared
from kiji.newsroom.models import Article, Category, Tag, Writer
from kiji.newsroom.permissions import can_view
from kiji.pages.models import Page
from kiji.reader import archive, slots
from kiji.reader.menu import menu_categories
from kiji.reader.slotmemo import kept


def _page(request, queryset):
    """One page of a listing, in two steps: the page's ids (an index walk, however deep the page), then
    only those rows with what the cards show. Whole rows sorted first: 41 ms at page 300 of a 10x archive."""
    try:
        page = Paginator(
            queryset.values_list("pk", flat=True), settings.KIJI_PAGE_SIZE, allow_empty_first_page=True
        ).page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("ページが見つかりません") from None
    ids = list(page.object_list)
    cards = {article.pk: article for article in queryset.for_cards().filter(pk__in=ids)}
    page.object_list = [cards[pk] for pk in ids if pk in cards]
    return page


# What a home-page card shows (jinja2/includes/card.html): no body or writers. The whole rows
# with their bylines cost more than the rest of the page (50 bodies decoded for 50 links).
_CARD_FIELDS = (
    *("slug", "headline", "short_headline", "sponsorship", "published_at", "category__name", "category__slug"),
    # the thumbnail, read in the same query (kiji.reader.images.image_attrs)
    *("lead_image__file", "lead_image__width", "lead_image__height", "lead_image__alt", "lead_image__renditions"),
)


def home(request):
    # Each list is the head of an index in its order (article_status_time for the top, and
    # article_category_listing per category): the same reads at 7,000 articles as at 740,000.
    published = Article.objects.published().select_related("category", "lead_image").only(*_CARD_FIELDS).latest_first()
    top = list(published[:5])
    sections = []
    for category in menu_categories():  # the menu's cached list, not a query of its own
        articles = list(published.filter(category=category)[:5])
        if articles:
            sections.append((category, articles))
    return render(request, "reader/home.html", {"top": top, "sections": sections, "slots": slots.for_home()})


def category_detail(request, slug):
    # The category and its sub-categories in one query: a parent's page lists theirs too (ニュース shows 政治).
    family = list(Category.objects.select_related("parent").filter(Q(slug=slug) | Q(parent__slug=slug)))
    category = next((c for c in family if c.slug == slug), None)
    if category is None:
        raise Http404("ページが見つかりません")
    # category_id IN (…) walks the index article_category_listing in the page's order.
    ids = [c.pk for c in family]
    page = _page(request, Article.objects.published().filter(category_id__in=ids).latest_first())
    return render(request, "reader/category.html", {"category": category, "page": page})


def writer_detail(request, slug):
    writer = get_object_or_404(Writer.objects.select_related("photo"), slug=slug)
    page = _page(request, Article.objects.published().filter(writers=writer).latest_first())
    return render(request, "reader/writer.html", {"writer": writer, "page": page})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = _page(request, Article.objects.published().filter(tags=tag).latest_first())
    return render(request, "reader/tag.html", {"tag": tag, "page": page})


def archive_index(request):
    """記事アーカイブ: the years holding articles (a fresh site's page says it has none, and is not indexed)."""
    return render(request, "reader/archive_index.html", {"years": archive.years()})


def archive_year(request, year):
    """A year's months with their counts; a year without articles, or no year at all, is a 404."""
    try:
        months = archive.month_counts(year)
    except ValueError:
        raise Http404("ページが見つかりません") from None
    if not months:
        raise Http404("ページが見つかりません")
    return render(request, "reader/archive_year.html", {"year": year, "months": months})


def archive_month(request, year, month):
    """A month's articles, newest first, paginated like a category; a month without articles is a 404."""
    try:
        articles = archive.month_articles(year, month)
    except ValueError:
        raise Http404("ページが見つかりません") from None
    page = _page(request, articles)
    if not page.object_list:
        raise Http404("ページが見つかりません")
    return render(request, "reader/archive_month.html", {"year": year, "month": month, "page": page})


# One part of a source credit: "提供元: Peachy http://…" -> label "提供元: ", text "Peachy", url "http://…".
_CREDIT_PART = re.compile(r"^(?P<label>[^:：]{1,20}[:：]\s*)?(?P<text>.*?)(?:\s+(?P<url>https?://\S+))?$")


def credit_parts(credit: str) -> list[dict]:
    """A source credit ("label: name URL ／ …", as the importer writes it) as parts whose names link to their URL."""
    parts = []
    for piece in filter(None, (p.strip() for p in credit.split("／"))):
        match = _CREDIT_PART.match(piece)
        parts.append(
            {
                "label": match["label"] or "",
                "text": match["text"] or match["url"] or "",
                "url": match["url"] or "",
                "licence": (match["label"] or "").startswith("ライセンス"),
            }
        )
    return parts


# The article page's own lists, compiled once (see kiji.lib.queries: half the render's query cost).
_writers = Prepared(lambda pk: Article(pk=pk).writers.order_by("byline__position", "byline__pk"))  # byline order
_tags = Prepared(lambda pk: Article(pk=pk).tags.all())
_corrections = Prepared(lambda pk: Article(pk=pk).corrections.all())
# The article itself; whether its time has come is asked in Python (Article.is_visible), so the SQL
# holds no clock and compiles once.
_published_article = Prepared(
    lambda pk: Article.objects.filter(pk=pk, status=Article.Status.PUBLISHED).select_related(
        "category__parent",
        "lead_image",
        "comment_section",  # the comment section's mode, in the same query
    )
)


# Bylines, tags and corrections change only with a change that purges the article's page (kiji.reader.purges):
# kept per process under the page cache's versions, as the side lists are (kiji.reader.slots), so a
# purge shows the change at once.
_lists = Memo(seconds=settings.KIJI_SLOT_MEMO_SECONDS, max_entries=4000)


def _article_lists(article: Article, *, preview: bool) -> tuple[list, list, list]:
    using = article._state.db or "default"

    def read():
        return _writers(article.pk, using), _tags(article.pk, using), _corrections(article.pk, using)

    return read() if preview else kept(_lists, (article.pk, using), article.pk, read)


def _article_context(article: Article, *, preview: bool = False) -> dict:
    writers, tags, corrections = _article_lists(article, preview=preview)
    # What with_last_changed() would add, from the corrections the page shows anyway (no GROUP BY).
    article.last_correction_at = max((c.created_at for c in corrections), default=None)
    return {
        "article": article,
        "credit_parts": credit_parts(article.source_credit),
        "writers": writers,
        "tags": tags,
        "corrections": corrections,
        "preview": preview,
        "slots": slots.for_article(article, preview=preview),
    }


def article_detail(request, pk, slug=None):
    found = _published_article(pk, router.db_for_read(Article))
    if not found or not found[0].is_visible():
        raise Http404("ページが見つかりません")
    article = found[0]
    if (slug or "") != article.slug:
        return redirect(article, permanent=True)  # one canonical URL
    return render(request, "reader/article.html", _article_context(article))


@never_cache
@staff_member_required
def article_preview(request, pk):
    """An unpublished article as readers will see it; only for staff who may see it."""
    article = get_object_or_404(
        Article.objects.select_related("category__parent", "lead_image").with_last_changed(), pk=pk
    )
    if not can_view(request.user, article):  # a writer previews only their own articles, as in the admin
        raise PermissionDenied
    response = render(request, "reader/article.html", _article_context(article, preview=True))
    response["X-Robots-Tag"] = "noindex"
    return response


def page_detail(request, path):
    """A standing page (会社概要 …) at /page/<parent>/<slug>/."""
    page = get_object_or_404(Page.objects.published().select_related("parent"), path=path)
    return render(request, "reader/page.html", {"page": page})


def page_not_found(request, exception=None):
    return render(request, "reader/404.html", status=404)


def _error(request, status: int, heading: str, message: str):
    # Rendered without the database: the menu and lists may be what failed.
    return render(request, "reader/error.html", {"heading": heading, "message": message}, status=status)


def server_error(request):
    return _error(
        request,
        500,
        "エラーが発生しました",
        "申し訳ありません。一時的な問題でページを表示できませんでした。しばらくしてから再度お試しください。",
    )


def bad_request(request, exception=None):
    return _error(
        request, 400, "リクエストを処理できませんでした", "URLや入力内容をご確認のうえ、もう一度お試しください。"
    )


def permission_denied(request, exception=None):
    return _error(request, 403, "このページを表示する権限がありません", "ログインしているアカウントをご確認ください。")


def csrf_failure(request, reason=""):
    """A form sent from a page opened long ago, or without cookies: Django's English page said only "403 Forbidden"."""
    return _error(
        request,
        403,
        "送信を受け付けられませんでした",
        "ページを開いてから時間がたったか、ブラウザーのCookieが無効になっています。"
        "ページを再読み込みしてから、もう一度送信してください。",
    )
