"""Editors' analytics and picks in the admin: a dashboard, per-article charts, おすすめ picks."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiji.audience import analytics, lists
from kiji.audience.charts import bar_chart
from kiji.audience.models import ArticleViewHour, EditorPick
from kiji.newsroom.models import Article, Category

# How the rank table names lists.WINDOWS to an editor.
WINDOW_LABELS = {"1h": _("Last hour"), "24h": _("Last 24 hours"), "7d": _("Last 7 days")}


@admin.register(EditorPick)
class EditorPickAdmin(admin.ModelAdmin):
    list_display = ("article", "position", "expires_at", "is_active", "created_by")
    list_editable = ("position", "expires_at")
    raw_id_fields = ("article",)
    list_select_related = ("article", "created_by")

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, pick):
        return (pick.expires_at is None or pick.expires_at > timezone.now()) and pick.article.is_visible()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        lists.refresh_recommended()  # readers see the change at once, not after the next minute

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        lists.refresh_recommended()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        lists.refresh_recommended()


@admin.register(ArticleViewHour)
class AnalyticsAdmin(admin.ModelAdmin):
    """The analytics dashboard, listed on the admin index as “Analytics dashboard”."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("article/<int:pk>/", view(self.article_view), name="audience_article_analytics"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        days = analytics.daily_totals(now=now)
        per_category = [
            (c, lists.ranking_with_views(c, window="24h", limit=5)) for c in Category.objects.order_by("position", "pk")
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Analytics dashboard"),
            "top_now": lists.ranking_with_views(None, window="1h", limit=10),
            "top_day": lists.ranking_with_views(None, window="24h", limit=10),
            "per_category": per_category,
            "trending": lists.trending(limit=10),
            "daily_chart": bar_chart(
                [(d.strftime("%m/%d"), v) for d, v in days], title=str(_("Views per day, last 30 days")), every=5
            ),
            "total_30": f"{sum(v for _, v in days):,}",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "audience/dashboard.html", context)

    def article_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.select_related("category"), pk=pk)
        now = timezone.now()
        hours = analytics.hourly(pk, now=now)
        rank = {WINDOW_LABELS[w]: analytics.rank_of(article, window=w, now=now) for w in lists.WINDOWS}
        for r in rank.values():
            r["views_text"] = f"{r['views']:,}"  # as the total above it: 1,072,754
        days = analytics.daily_totals(now=now, article_id=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Analytics: %(headline)s") % {"headline": article.headline},
            "article": article,
            "rank": rank,
            "total": f"{lists.total_views(pk):,}",
            "hourly_chart": bar_chart(
                [(timezone.localtime(h).strftime("%H時"), v) for h, v in hours],
                title=str(_("Views per hour, last 48 hours")),
                every=6,
            ),
            "daily_chart": bar_chart(
                [(d.strftime("%m/%d"), v) for d, v in days], title=str(_("Views per day, last 30 days")), every=5
            ),
            "dashboard_url": reverse("admin:audience_articleviewhour_changelist"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "audience/article.html", context)
