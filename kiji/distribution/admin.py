"""Partners in the newsroom, and 配信しない on the article form and as a bulk action."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kiji.audience.analytics import partner_view_totals
from kiji.distribution.models import FEED_FORMATS, OptOut, Partner
from kiji.distribution.services import opt_out
from kiji.newsroom.admin import ArticleAdmin, ArticlePartInline
from kiji.newsroom.models import Article


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "format", "active", "embargo_minutes", "max_items", "full_text", "images", "views_7d")
    list_filter = ("format", "active")
    filter_horizontal = ("categories",)
    readonly_fields = ("feed_url",)
    fields = (
        "name",
        "format",
        "active",
        "categories",
        "embargo_minutes",
        "max_items",
        "full_text",
        "images",
        "related_links",
        "sponsored_prefix",
        "allowed_networks",
        "feed_url",
    )

    def changelist_view(self, request, extra_context=None):
        self._views = partner_view_totals()  # one query for the whole list
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("views via the partner (7 days)"))
    def views_7d(self, obj):
        return "—" if obj.is_site_channel else getattr(self, "_views", {}).get(obj.pk, 0)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_site_channel:  # the site's own channel: only what applies to it
            return ("name", "format", "active", "embargo_minutes")
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ("format", "feed_url") if obj is not None and obj.is_site_channel else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_site_channel)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "format":  # new partners get a feed format; the site's channels exist already
            kwargs["choices"] = [(f.value, f.label) for f in Partner.Format if f.value in FEED_FORMATS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("feed URL"))
    def feed_url(self, obj):
        if obj is None or obj.pk is None:
            return _("Shown after saving.")
        return format_html("<code>{}</code>", settings.SITE_URL + obj.get_absolute_url())


class OptOutInline(ArticlePartInline, admin.TabularInline):
    model = OptOut
    extra = 0
    verbose_name = _("not sent to partner")
    verbose_name_plural = _("配信しない (partners that do not receive this article)")


class DistributedArticleAdmin(ArticleAdmin):
    """The newsroom's article admin, plus the partners it is kept from."""

    inlines = [*ArticleAdmin.inlines, OptOutInline]

    def get_inlines(self, request, obj):
        # With no partner configured there is nothing to keep an article from: no empty section.
        inlines = super().get_inlines(request, obj)
        return inlines if Partner.objects.exists() else [i for i in inlines if i is not OptOutInline]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions
        for partner in Partner.objects.filter(active=True):
            name = f"opt_out_{partner.pk}"
            description = _("配信しない: keep selected articles out of %(partner)s") % {"partner": partner.name}
            actions[name] = (self._opt_out_action(partner), name, description)
        return actions

    def _opt_out_action(self, partner):
        def action(modeladmin, request, queryset):
            try:
                count = opt_out(articles=queryset, partner=partner, by=request.user)
            except PermissionDenied:
                modeladmin.message_user(request, _("You may not change some of these articles."), messages.ERROR)
                return
            modeladmin.message_user(
                request,
                _("%(count)d articles will not be sent to %(partner)s.") % {"count": count, "partner": partner.name},
                messages.SUCCESS,
            )

        return action


admin.site.unregister(Article)
admin.site.register(Article, DistributedArticleAdmin)
