from django.urls import path

from kiji.comments import views

app_name = "comments"

urlpatterns = [
    path("articles/<int:pk>/comments/", views.comment_page, name="page"),
    path("comments/<int:pk>/like/", views.like, name="like"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/token/", views.token, name="token"),
]
