from django.urls import path

from kiji.reader import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/<str:slug>/", views.article_detail, name="article_slug"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("writers/<slug:slug>/", views.writer_detail, name="writer"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("preview/articles/<int:pk>/", views.article_preview, name="preview"),
]
