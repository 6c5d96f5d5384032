from django.urls import path, register_converter

from kiji.reader import feeds, partner_feeds, sitemaps, views


class TagSlugConverter:
    """A tag's slug (Japanese allowed): any text but "/" and control characters, which no slug has
    and PostgreSQL refuses (NUL) in a query; such a path is a 404, not a server error."""

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TagSlugConverter, "tagslug")


class YearConverter:
    """Four ASCII digits (not \\d: int() would take ２０１０ and other scripts' digits); the view refuses
    years outside kiji.lib.dates.ARCHIVE_YEARS, so 0000 or 9999 is a 404 too."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


class MonthConverter(YearConverter):
    """Two ASCII digits, as /archive/2010/06/ writes the month; the view refuses 00 and 13-99."""

    regex = "[0-9]{2}"

    def to_url(self, value):
        return f"{value:02d}"


register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/<str:slug>/", views.article_detail, name="article_slug"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("writers/<slug:slug>/", views.writer_detail, name="writer"),
    path("tags/<tagslug:slug>/", views.tag_detail, name="tag"),
    path("page/<path:path>/", views.page_detail, name="page"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<year:year>/", views.archive_year, name="archive_year"),
    path("archive/<year:year>/<month:month>/", views.archive_month, name="archive_month"),
    path("preview/articles/<int:pk>/", views.article_preview, name="preview"),
    # feeds, sitemaps, robots.txt (distribution)
    path("feeds/rss/", feeds.ArticleFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.AtomArticleFeed(), name="feed_atom"),
    path("feeds/json/", feeds.JSONArticleFeed(), name="feed_json"),
    path("feeds/category/<slug:slug>/rss/", feeds.CategoryFeed(), name="category_feed_rss"),
    path("feeds/category/<slug:slug>/atom/", feeds.AtomCategoryFeed(), name="category_feed_atom"),
    path("feeds/category/<slug:slug>/json/", feeds.JSONCategoryFeed(), name="category_feed_json"),
    path("feeds/writers/<slug:slug>/rss/", feeds.WriterFeed(), name="writer_feed_rss"),
    path("feeds/writers/<slug:slug>/atom/", feeds.AtomWriterFeed(), name="writer_feed_atom"),
    path("feeds/tags/<tagslug:slug>/rss/", feeds.TagFeed(), name="tag_feed_rss"),
    path("feeds/tags/<tagslug:slug>/atom/", feeds.AtomTagFeed(), name="tag_feed_atom"),
    path("partners/<str:token>/feed.xml", partner_feeds.partner_feed, name="partner_feed"),
    path("sitemap.xml", sitemaps.index, name="sitemap_index"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap_news"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("favicon.ico", sitemaps.favicon, name="favicon"),
]
