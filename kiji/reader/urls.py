from django.urls import path

from kiji.reader import feeds, sitemaps, views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/<str:slug>/", views.article_detail, name="article_slug"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("writers/<slug:slug>/", views.writer_detail, name="writer"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("preview/articles/<int:pk>/", views.article_preview, name="preview"),
    # feeds, sitemaps, robots.txt (distribution)
    path("feeds/rss/", feeds.ArticleFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.AtomArticleFeed(), name="feed_atom"),
    path("feeds/category/<slug:slug>/rss/", feeds.CategoryFeed(), name="category_feed_rss"),
    path("feeds/category/<slug:slug>/atom/", feeds.AtomCategoryFeed(), name="category_feed_atom"),
    path("feeds/writers/<slug:slug>/rss/", feeds.WriterFeed(), name="writer_feed_rss"),
    path("feeds/writers/<slug:slug>/atom/", feeds.AtomWriterFeed(), name="writer_feed_atom"),
    path("feeds/tags/<str:slug>/rss/", feeds.TagFeed(), name="tag_feed_rss"),
    path("feeds/tags/<str:slug>/atom/", feeds.AtomTagFeed(), name="tag_feed_atom"),
    path("sitemap.xml", sitemaps.index, name="sitemap_index"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap_news"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
]
