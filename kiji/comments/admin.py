"""The moderation queue and its tools. Every change goes through kiji.comments.services (and is recorded).

Nothing a reader typed is marked safe here: list columns and read-only fields are escaped by the
admin, and the visitor's recent comments are built with format_html_join, which escapes each value.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kiji.comments import services
from kiji.comments.models import Comment, CommentSection, ModerationAction, NGWord, Report, Visitor


class ModerationActionForm(ActionForm):
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)


def _reason(request) -> str:
    return request.POST.get("reason", "").strip()


class ModeratorOnly:
    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")


@admin.register(Comment)
class CommentAdmin(ModeratorOnly, admin.ModelAdmin):
    # Six columns that fit beside the navigation sidebar and the filters at 1280 px (nine took 933 px
    # of a 631 px box): the nickname sits under the comment, a held comment's reason under its status.
    list_display = ("excerpt", "status_and_reason", "open_reports", "like_count", "article_headline", "posted")
    list_filter = ("status", "created_at")
    list_select_related = ("article",)
    search_fields = ("body", "nickname")
    action_form = ModerationActionForm
    actions = ["approve", "reject", "mark_spam", "remove", "ban_1_day", "ban_7_days", "ban_30_days"]
    fields = (
        "article",
        "nickname",
        "body",
        "status",
        "held_reason",
        "report_count",
        "like_count",
        "created_at",
        "moderated_at",
        "report_reasons",
        "visitor_recent",
        "history",
    )
    readonly_fields = fields
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}  # the queue's columns readable at 1280 px and on a phone

    @admin.display(description=_("article"), ordering="article__headline")
    def article_headline(self, obj):
        return obj.article.headline

    @admin.display(description=_("status"), ordering="status")
    def status_and_reason(self, obj):
        if not obj.held_reason:
            return obj.get_status_display()
        label = Comment._meta.get_field("held_reason").verbose_name
        return format_html(
            '{}<small class="kiji-held">{}：{}</small>', obj.get_status_display(), label, obj.held_reason
        )

    @admin.display(description=_("Reports"), ordering="report_count")
    def open_reports(self, obj):  # not "reports": the admin would sort by that relation's ids
        return obj.report_count

    @admin.display(description=_("posted at"), ordering="created_at")
    def posted(self, obj):
        # Date above time when the column is narrow; Django's long form (2026年12月3日18:50) never wraps.
        return date_format(timezone.localtime(obj.created_at), "Y-m-d H:i")

    def get_queryset(self, request):
        return super().get_queryset(request).for_queue()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("Comment"))
    def excerpt(self, obj):
        return format_html('{}<small class="kiji-nickname">{}</small>', obj.excerpt(60), obj.nickname)

    @admin.display(description=_("Visitor's recent comments"))
    def visitor_recent(self, obj):
        recent = Comment.objects.filter(visitor=obj.visitor_id).exclude(pk=obj.pk).order_by("-created_at")[:10]
        rows = format_html_join(
            "",
            '<li>{} · {} · <a href="{}">{}</a></li>',
            (
                (
                    c.created_at.strftime("%Y-%m-%d %H:%M"),
                    c.get_status_display(),
                    reverse("admin:comments_comment_change", args=[c.pk]),
                    c.excerpt(60),
                )
                for c in recent
            ),
        )
        banned = obj.visitor.banned_until
        ban = format_html("<p>{} {}</p>", _("Banned until"), banned.strftime("%Y-%m-%d %H:%M")) if banned else ""
        return format_html("{}<ul>{}</ul>", ban, rows) if recent else (ban or _("None"))

    @admin.display(description=_("Reports"))
    def report_reasons(self, obj):
        reasons = obj.reports.values_list("reason", flat=True)
        counts = {label: sum(r == value for r in reasons) for value, label in Report.Reason.choices}
        return ", ".join(f"{label} {n}" for label, n in counts.items() if n) or _("None")

    @admin.display(description=_("Moderation history"))
    def history(self, obj):
        rows = format_html_join(
            "",
            "<li>{} · {} · {} · {}</li>",
            (
                (a.created_at.strftime("%Y-%m-%d %H:%M"), a.get_kind_display(), a.by or _("system"), a.reason)
                for a in obj.actions.select_related("by")
            ),
        )
        return format_html("<ul>{}</ul>", rows) if obj.actions.exists() else _("None")

    def _done(self, request, count):
        self.message_user(
            request, ngettext("%d comment changed.", "%d comments changed.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve(self, request, queryset):
        self._done(request, services.approve_comments(comments=queryset, by=request.user, reason=_reason(request)))

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject(self, request, queryset):
        self._done(request, services.reject_comments(comments=queryset, by=request.user, reason=_reason(request)))

    @admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._done(
            request, services.reject_comments(comments=queryset, by=request.user, reason=_reason(request), spam=True)
        )

    @admin.action(description=_("Remove selected comments"), permissions=["moderate"])
    def remove(self, request, queryset):
        self._done(
            request, services.reject_comments(comments=queryset, by=request.user, reason=_reason(request), remove=True)
        )

    def _ban(self, request, queryset, days):
        count = services.ban_visitors(
            comments=queryset.select_related("visitor"), by=request.user, days=days, reason=_reason(request)
        )
        self.message_user(request, ngettext("%d visitor banned.", "%d visitors banned.", count) % count)

    @admin.action(description=_("Ban the authors for 1 day"), permissions=["moderate"])
    def ban_1_day(self, request, queryset):
        self._ban(request, queryset, 1)

    @admin.action(description=_("Ban the authors for 7 days"), permissions=["moderate"])
    def ban_7_days(self, request, queryset):
        self._ban(request, queryset, 7)

    @admin.action(description=_("Ban the authors for 30 days"), permissions=["moderate"])
    def ban_30_days(self, request, queryset):
        self._ban(request, queryset, 30)


@admin.register(CommentSection)
class CommentSectionAdmin(ModeratorOnly, admin.ModelAdmin):
    list_display = ("article", "mode", "hidden", "auto_hide", "changed_at")
    list_filter = ("mode", "hidden")
    fields = ("article", "mode", "hidden", "auto_hide")
    readonly_fields = ("hidden", "auto_hide")
    raw_id_fields = ("article",)
    action_form = ModerationActionForm
    actions = ["show_again", "open_", "premoderate", "close"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("article",) if obj else ())

    def save_model(self, request, obj, form, change):
        services.set_section_mode(article=obj.article, mode=obj.mode, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def _mode(self, request, queryset, mode):
        for section in queryset.select_related("article"):
            services.set_section_mode(article=section.article, mode=mode, by=request.user, reason=_reason(request))

    @admin.action(description=_("Show the hidden sections again"), permissions=["moderate"])
    def show_again(self, request, queryset):
        for section in queryset.select_related("article"):
            services.show_section(article=section.article, by=request.user, reason=_reason(request))

    @admin.action(description=_("Open for comments"), permissions=["moderate"])
    def open_(self, request, queryset):
        self._mode(request, queryset, CommentSection.Mode.OPEN)

    @admin.action(description=_("Pre-moderate comments"), permissions=["moderate"])
    def premoderate(self, request, queryset):
        self._mode(request, queryset, CommentSection.Mode.PREMODERATED)

    @admin.action(description=_("Close for comments"), permissions=["moderate"])
    def close(self, request, queryset):
        self._mode(request, queryset, CommentSection.Mode.CLOSED)


@admin.register(NGWord)
class NGWordAdmin(admin.ModelAdmin):
    list_display = ("word", "folded", "action", "created_at")
    list_filter = ("action",)
    search_fields = ("word", "folded")


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "by", "comment", "article", "reason")
    list_filter = ("kind", "created_at")
    list_select_related = ("by", "comment", "article")
    search_fields = ("reason",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BanFilter(admin.SimpleListFilter):
    """Visitors by their ban, in words: Django's date choices for banned_until (今日, 過去 7 日間, 日付なし)
    said nothing of who may post now, and 日付なし meant "not banned"."""

    title = _("ban")
    parameter_name = "ban"

    def lookups(self, request, model_admin):
        return [("banned", _("Banned now")), ("expired", _("Ban expired")), ("none", _("Not banned"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "banned":
            return queryset.banned(now)
        if self.value() == "expired":
            return queryset.ban_expired(now)
        if self.value() == "none":
            return queryset.filter(banned_until__isnull=True)
        return queryset


@admin.register(Visitor)
class VisitorAdmin(ModeratorOnly, admin.ModelAdmin):
    list_display = ("__str__", "approved_count", "banned_until", "created_at")
    list_filter = (BanFilter,)
    readonly_fields = ("key", "ip_hash", "approved_count", "banned_until", "created_at")
    actions = ["lift_ban"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Lift the ban"), permissions=["moderate"])
    def lift_ban(self, request, queryset):
        services.lift_bans(visitors=queryset, by=request.user)
