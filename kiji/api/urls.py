from django.urls import path, re_path

from kiji.api import views

app_name = "api"

urlpatterns = [
    path("v1/openapi.json", views.openapi, name="openapi"),
    path("v1/articles", views.article_list, name="articles"),
    path("v1/articles/<int:pk>", views.article_detail, name="article"),
    path("v1/categories", views.category_list, name="categories"),
    path("v1/rankings", views.ranking, name="rankings"),
    path("v1/search", views.search, name="search"),
    # Anything else under /api/ answers in JSON too, not with the reader's HTML 404 page.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),  # [\s\S]: a path may hold an encoded newline
]
