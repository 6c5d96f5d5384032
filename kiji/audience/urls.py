from django.urls import path

from kiji.audience import views

app_name = "audience"

urlpatterns = [
    path("ranking/", views.ranking_page, name="ranking"),
]
