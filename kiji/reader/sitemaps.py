"""Sitemaps for crawlers: an index, articles, categories, tags, writers; a Google News sitemap; robots.txt.

Every location is absolute to settings.SITE_URL, whatever host the crawler asked. The reader page
cache (kiji.reader.pagestore) keeps these responses until a publish purges the site.
"""

from datetime import timedelta
from functools import cached_property
from html import escape  # what Django's escape() does, without its lazy wrapper: 10,000 calls a page
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Exists, Max, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.views.decorators.http import require_safe

from kiji.distribution.models import Partner
from kiji.distribution.selection import for_site_channel
from kiji.lib.text import strip_controls
from kiji.newsroom.models import Article, Category, Correction, Tag, Writer
from kiji.reader.seo import absolute

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs per news sitemap


class _SiteSitemap(Sitemap):
    """Locations on settings.SITE_URL rather than the request's host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class _IdRanges:
    """The article sitemap's pages: page p holds the published articles whose ids fall in
    ((p - 1) * size, p * size], so a page reads at most `size` rows by the primary key (however deep,
    whatever the archive's size), the page count comes from the newest id, and a page changes only
    when one of its own articles does (pages by publication order all shifted with each new article).
    The index reads num_pages; a page's rows are written by _article_page."""

    def __init__(self, articles, size: int):
        self.articles, self.size = articles, size

    @cached_property
    def num_pages(self) -> int:
        # The newest id of any article, the primary key's last entry: so the last page holds none
        # yet when the newest `size` ids are all unpublished. MAX(id), which both databases read from
        # the key's end: for ORDER BY id DESC LIMIT 1, SQLite's sampled statistics at 736,700 articles
        # chose to scan a whole index and sort it (330-520 ms).
        newest = Article.objects.aggregate(newest=Max("pk"))["newest"]
        return max(1, -(-(newest or 0) // self.size))

    def rows(self, number) -> list[tuple]:
        """Page `number`'s (pk, slug, last changed) for each article readers can see, in id order."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if not 1 <= number <= self.num_pages:
            raise EmptyPage("That page contains no results")
        first, now = (number - 1) * self.size, timezone.now()
        # Visibility asked of each row (Article.is_visible's rule, in Python): with the status in the
        # SQL, SQLite read every published row from article_status_time instead of the range.
        in_range = self.articles.filter(pk__gt=first, pk__lte=first + self.size).values_list(
            "pk", "slug", "status", "published_at", "updated_at", "modified_at", "last_correction_at"
        )
        return [
            (pk, slug, max(t for t in times if t))
            for pk, slug, status, *times in in_range
            if status == Article.Status.PUBLISHED and times[0] is not None and times[0] <= now
        ]


class ArticleSitemap(_SiteSitemap):
    limit = 10000

    def items(self):
        """Every article in id order; a page keeps those readers can see."""
        return (
            Article.objects.order_by("pk")
            .only("pk", "slug", "status", "published_at", "updated_at", "modified_at")
            .with_last_changed()
        )

    @cached_property
    def paginator(self):
        return _IdRanges(self.items(), self.limit)

    def lastmod(self, article):
        return article.last_changed

    def get_latest_lastmod(self):
        """The newest Article.last_changed of all published articles: the newest publication, save,
        substantive update and correction, each read from the end of its index (Django's default reads
        every article: 43 MB a request at 73,000 articles; aggregates still read every published row)."""
        now = timezone.now()
        published = Article.objects.published(now)
        times = [
            _newest_visible("published_at", now),
            _newest_visible("modified_at", now),
            _newest_visible("updated_at", now),
            # EXISTS, not a join: a join lets SQLite walk every published article for the corrections
            Correction.objects.filter(Exists(published.filter(pk=OuterRef("article_id"))))
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first(),
        ]
        return max((t for t in times if t), default=None)


# How many of the newest rows by a time _newest_visible tests before it asks the database to filter.
NEWEST_SCAN = 50


def _newest_visible(field: str, now):
    """The newest `field` among the articles readers can see, read from the end of the (status, field)
    index and the publication time asked of each row here. With `published_at <= now` in the SQL,
    SQLite's sampled statistics at 736,700 articles chose the (status, published_at) index and sorted
    every published row instead: 8 s of CPU for modified_at, 5 s for updated_at, each sitemap index."""
    rows = (
        Article.objects.filter(status=Article.Status.PUBLISHED, **{f"{field}__isnull": False})
        .order_by(f"-{field}")
        .values_list(field, "published_at")[:NEWEST_SCAN]
    )
    for value, published_at in rows:
        if published_at is not None and published_at <= now:
            return value
    if len(rows) < NEWEST_SCAN:
        return None
    # As many scheduled articles as that, changed last: let the database look further.
    return (
        Article.objects.published(now)
        .filter(**{f"{field}__isnull": False})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )


class CategorySitemap(_SiteSitemap):
    def items(self):
        return Category.objects.all()


def _with_published(queryset, link):
    published = Article.objects.published().filter(**{link: OuterRef("pk")})
    return queryset.filter(Exists(published))


class TagSitemap(_SiteSitemap):
    def items(self):
        return _with_published(Tag.objects.order_by("pk"), "tags")


class WriterSitemap(_SiteSitemap):
    def items(self):
        return _with_published(Writer.objects.order_by("pk"), "writers")


SITEMAPS = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "writers": WriterSitemap,
}


def _xml(request, template, context):
    response = render(request, template, context, content_type="application/xml; charset=utf-8", using="django")
    response.content = strip_controls(response.content.decode()).encode()  # always well-formed XML
    return response


@require_safe
def index(request):
    """The sitemap index: one entry per page of each section, plus the news sitemap."""
    entries = []
    for section, cls in SITEMAPS.items():
        sitemap = cls()
        lastmod = sitemap.get_latest_lastmod()
        for page in range(1, sitemap.paginator.num_pages + 1):
            suffix = f"?p={page}" if page > 1 else ""
            entries.append(
                {"location": absolute(reverse("reader:sitemap_section", args=[section]) + suffix), "last_mod": lastmod}
            )
    entries.append({"location": absolute(reverse("reader:sitemap_news")), "last_mod": None})
    return _xml(request, "sitemaps/index.xml", {"entries": entries})


def _article_page(sitemap: ArticleSitemap, number) -> HttpResponse:
    """One page of the article sitemap, written row by row: up to 10,000 URLs, where Django's Sitemap
    (a model and a reverse() per article) and the template cost about 0.1 ms a URL. Bytes as the
    urlset template writes them; kiji/reader/tests/test_sitemaps.py compares the two."""
    rows = sitemap.paginator.rows(number)  # EmptyPage / PageNotAnInteger as before
    prefix = settings.SITE_URL + reverse("reader:article", args=[0]).removesuffix("0/")
    zone = timezone.get_current_timezone()  # the template's date:"c" shows local time
    lines = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for pk, slug, changed in rows:
        # reverse()'s own quoting of the path (django.urls.resolvers), for the slug alone
        path = f"{pk}/{quote(slug, safe=RFC3986_SUBDELIMS + '/~:@')}/" if slug else f"{pk}/"
        lastmod = changed.astimezone(zone).isoformat()
        lines.append(f"<url><loc>{escape(prefix + path)}</loc><lastmod>{lastmod}</lastmod></url>\n")
    lines.append("</urlset>\n")
    return HttpResponse(strip_controls("".join(lines)), content_type="application/xml; charset=utf-8")


@require_safe
def section(request, section):
    if section not in SITEMAPS:
        raise Http404("No such sitemap")
    sitemap = SITEMAPS[section]()
    if section == "articles":
        try:
            return _article_page(sitemap, request.GET.get("p", 1))
        except (EmptyPage, PageNotAnInteger):
            raise Http404("No such page") from None
    try:
        urls = sitemap.get_urls(page=request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page") from None
    return _xml(request, "sitemaps/urlset.xml", {"urlset": urls})


def news_articles(now=None) -> list[Article]:
    """Articles published in the last 48 hours, newest first, for the Google News sitemap."""
    now = now or timezone.now()
    articles = for_site_channel(Article.objects.published(now=now), Partner.Format.GOOGLE_NEWS, now)
    return list(
        articles.unsponsored()  # advertising is not news
        .filter(published_at__gte=now - NEWS_WINDOW)
        .order_by("-published_at", "-pk")
        .only("pk", "slug", "headline", "published_at")[:NEWS_LIMIT]
    )


@require_safe
def news(request):
    entries = [{"location": absolute(a.get_absolute_url()), "article": a} for a in news_articles()]
    return _xml(request, "sitemaps/news.xml", {"entries": entries, "publication_name": settings.SITE_NAME})


@require_safe
def favicon(request):
    """/favicon.ico, which browsers (on admin pages, which name no icon) and crawlers ask for: the site's icon."""
    return redirect(static("img/favicon.svg"))


@require_safe
def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {
            "sitemaps": [absolute(reverse("reader:sitemap_index")), absolute(reverse("reader:sitemap_news"))],
        },
        content_type="text/plain; charset=utf-8",
        using="django",
    )
