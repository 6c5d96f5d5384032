"""The newsroom's back office: roles enforced here and in the services, never only by hidden buttons."""

import copy
import time

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kiji.lib import ratelimit
from kiji.lib.clientip import client_ip
from kiji.lib.html import sanitize_html
from kiji.newsroom import searching
from kiji.newsroom import staff as _people  # noqa: F401  (registers the user and group admins)
from kiji.newsroom.forms import ArticleAdminForm, ImageAdminForm, ReturnNoteForm, workflow_action
from kiji.newsroom.models import (
    Article,
    Byline,
    Category,
    Correction,
    HouseStyleRule,
    Image,
    Revision,
    Tag,
    Writer,
)
from kiji.newsroom.permissions import (
    can_change_image,
    can_edit,
    ensure_can_edit,
    ensure_can_publish,
    ensure_status_allowed,
    is_editor,
)
from kiji.newsroom.proofreading import article_text, proofread
from kiji.newsroom.revisions import diff_against_current, diff_texts, revision_body_html
from kiji.newsroom.services import editing, publishing, tagging
from kiji.newsroom.services.images import recrop, store_upload, thumbnail_url

Status = Article.Status


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "in_menu")
    list_editable = ("position", "in_menu")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Writer)
class WriterAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "email", "user")
    search_fields = ("name", "email")
    autocomplete_fields = ("user", "photo")
    prepopulated_fields = {"slug": ("name",)}


def _thumbnail(image: Image, width: int = 120):
    if not image.file:
        return "—"
    src = thumbnail_url(image)
    return format_html('<img src="{}" alt="{}" width="{}" class="kiji-thumb" loading="lazy">', src, image.alt, width)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ("thumbnail", "__str__", "size", "uploaded_by", "created_at")
    list_select_related = ("uploaded_by",)
    search_fields = ("caption", "alt", "credit")
    date_hierarchy = "created_at"
    readonly_fields = ("focal_picker", "size", "rendition_list")
    fields = ("file", "focal_picker", "focal_x", "focal_y", "alt", "decorative", "caption", "credit", "size")

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/focal.js"]  # a click on the picture sets the focal point

    @admin.display(description=gettext_lazy("focal point"))
    def focal_picker(self, image):
        if not image.pk or not image.file:
            return _("Save the picture first, then click its subject to set the focal point.")
        return format_html(
            '<div class="kiji-focal" data-kiji-focal><img src="{}" alt="{}" width="{}">'
            '<span class="kiji-focal-mark" style="left:{}%;top:{}%" aria-hidden="true"></span></div>'
            '<p class="help">{}</p>',
            image.file.url,
            image.alt,
            min(image.width or 480, 480),
            round(image.focal_x * 100, 1),
            round(image.focal_y * 100, 1),
            _("Click the picture's subject: crops for cards and social previews keep it in frame."),
        )

    @admin.display(description=gettext_lazy("thumbnail"))
    def thumbnail(self, image):
        return _thumbnail(image)

    @admin.display(description=gettext_lazy("size"))
    def size(self, image):
        return f"{image.width}×{image.height}" if image.width else "—"

    @admin.display(description=gettext_lazy("renditions"))
    def rendition_list(self, image):
        return ", ".join(f"{r['format'].upper()} {r['width']}×{r['height']}" for r in image.renditions) or "—"

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_change_image(request.user, obj))

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data and form.cleaned_data.get("file"):
            store_upload(image=obj, upload=form.cleaned_data["file"], by=request.user)
            return
        obj.save()
        if obj.file and {"focal_x", "focal_y"} & set(form.changed_data):
            recrop(image=obj)


class ArticlePartInline:
    """Inlines of an article follow the article: editable only by someone who may edit it."""

    def _may_edit(self, request, obj):
        return obj is None or can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


class BylineInline(ArticlePartInline, admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ("writer",)
    fields = ("writer", "position")


class CorrectionInline(ArticlePartInline, admin.StackedInline):
    model = Correction
    extra = 0
    fields = ("text", "created_at")
    readonly_fields = ("created_at",)  # the save time, set by ArticleAdmin.save_formset, never the form's


# What changes the text readers see: saving one of these on a live article moves its update time.
SUBSTANTIVE_FIELDS = {"headline", "short_headline", "deck", "body", "lead_image"}


@admin.register(HouseStyleRule)
class HouseStyleRuleAdmin(admin.ModelAdmin):
    list_display = ("avoid", "prefer", "note")
    list_editable = ("prefer", "note")
    search_fields = ("avoid", "prefer", "note")


class WriterListFilter(admin.RelatedFieldListFilter):
    """The article list's writers filter, whose choice for articles with no byline says so (Django's reads "-")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = _("No byline")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("headline", "status_badge", "byline", "category", "publication_time", "modified_time")
    list_filter = ("status", "category", "published_at", ("writers", WriterListFilter))
    search_fields = ("headline", "deck", "writers__name")
    date_hierarchy = "published_at"
    list_select_related = ("category",)
    autocomplete_fields = ("tags", "lead_image")
    readonly_fields = ("created_by", "created_at", "modified_at", "body_rendered")
    inlines = [BylineInline, CorrectionInline]
    actions = ["publish_selected", "schedule_selected", "unpublish_selected", "submit_selected_for_review"]
    fieldsets = [
        (None, {"fields": ["headline", "short_headline", "deck", "slug", "body", "minor_edit", "kiji_version"]}),
        (
            gettext_lazy("Publication"),
            {"fields": ["status", "published_at", "updated_at", "category", "tags", "new_tags", "lead_image"]},
        ),
        (gettext_lazy("Advertising"), {"fields": ["sponsorship", "sponsor_name"]}),
        (gettext_lazy("Source"), {"classes": ["collapse"], "fields": ["source_url", "source_credit"]}),
        (gettext_lazy("History"), {"classes": ["collapse"], "fields": ["created_by", "created_at", "modified_at"]}),
    ]

    class Media:
        css = {"all": ["css/admin.css"]}  # status badges on the list, workflow buttons on the form
        # autosave, presence, the leave warning, Ctrl+S, confirmations; thumbnails in the lead-image picker
        js = ["js/desk.js", "js/picker.js"]

    # ---- who sees and edits what ----

    def get_queryset(self, request):
        bylines = Byline.objects.select_related("writer").order_by("position", "pk")
        qs = super().get_queryset(request).prefetch_related(Prefetch("byline_set", queryset=bylines))
        return qs.visible_to(request.user)  # editors every article, writers their own

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or is_editor(request.user))

    def has_publish_permission(self, request):
        return is_editor(request.user)

    def get_search_results(self, request, queryset, search_term):
        """The columns above, plus the search index (published articles, bodies included, normalized by
        Sudachi) and, for the few articles the index does not hold yet, their body as typed."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return results, duplicates
        indexed = queryset.filter(pk__in=searching.found_article_ids(search_term))
        unindexed = queryset.exclude(status=Status.PUBLISHED).filter(body__icontains=search_term.strip())
        return results | indexed | unindexed, True

    def get_fieldsets(self, request, obj=None):
        if obj is None or self.has_change_permission(request, obj):
            return self.fieldsets
        # Read-only: the body as readers see it, not its HTML; no form-only fields.
        form_only = {"minor_edit", "kiji_version", "new_tags"}
        swap = {"body": "body_rendered"}
        return [
            (title, {**opts, "fields": [swap.get(f, f) for f in opts["fields"] if f not in form_only]})
            for title, opts in self.fieldsets
        ]

    @admin.display(description=gettext_lazy("body"))
    def body_rendered(self, article):
        # Sanitized by nh3 on every save (Article.derive_fields) and again here: safe to render.
        return mark_safe(f'<div class="kiji-body-rendered">{sanitize_html(article.body)}</div>')

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"  # as in ArticleAdminForm: the admin builds its own fields
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        writer = getattr(request.user, "writer", None)
        if obj.pk is None and isinstance(inline, BylineInline) and writer and request.method == "GET":
            kwargs["initial"] = [{"writer": writer.pk, "position": 0}]
        return kwargs

    # ---- saving: every save is a revision and an announcement ----

    def save_model(self, request, obj, form, change):
        user = request.user
        previous = Article.objects.get(pk=obj.pk) if change else None
        if previous is not None:
            ensure_can_edit(user, previous)
        ensure_status_allowed(user, obj.status)  # even if a writer posts status=published by hand
        action = workflow_action(request.POST)
        if action in ("publish", "schedule", "unpublish"):
            ensure_can_publish(user)
        if not change:
            obj.created_by = user
        request.kiji_workflow = self._workflow_step(obj, previous, action)
        if request.kiji_workflow is not None:
            obj.status = previous.status if previous else Status.DRAFT  # the service moves the status
        if (
            previous is not None
            and previous.is_visible()
            and SUBSTANTIVE_FIELDS & set(form.changed_data)
            and not form.cleaned_data.get("minor_edit")
            and "updated_at" not in form.changed_data  # a time typed by hand wins
        ):
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        corrections = formset.save(commit=False)
        now = timezone.now()
        for correction in corrections:
            if correction.pk is None:
                correction.created_at = now  # the time of the save, not of opening the form
            correction.save()
        for correction in formset.deleted_objects:
            correction.delete()
        article = form.instance
        if corrections and article.is_visible() and "updated_at" not in form.changed_data:
            article.updated_at = now  # a correction is always a substantive update
            Article.objects.filter(pk=article.pk).update(updated_at=now)

    @staticmethod
    def _workflow_step(article: Article, previous: Article | None, action: str | None):
        """The service call a save asks for (a button, or a changed status or time), or None."""
        wanted = article.status
        before = previous.status if previous else Status.DRAFT
        time_changed = previous is None or previous.published_at != article.published_at
        now = timezone.now()
        if action == "publish":
            at = article.published_at if article.published_at and article.published_at <= now else None
            return lambda by: publishing.publish_article(article=article, by=by, at=at)
        if action == "schedule" or (
            action is None and wanted in (Status.PUBLISHED, Status.SCHEDULED) and (wanted != before or time_changed)
        ):
            return lambda by: publishing.publish_article(article=article, by=by, at=article.published_at)
        if action == "unpublish" or (action is None and wanted == Status.UNPUBLISHED and before != wanted):
            return lambda by: publishing.unpublish_article(article=article, by=by)
        if action == "review" or (action is None and wanted == Status.REVIEW and before != wanted):
            return lambda by: publishing.submit_for_review(article=article, by=by)
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        for name in form.cleaned_data.get("new_tags") or []:
            article.tags.add(tagging.tag_named(name))  # before the revision below, which records the tags
        writer = getattr(request.user, "writer", None)
        if not change and writer is not None and not article.byline_set.exists():
            article.byline_set.create(writer=writer, position=0)
        elif (
            writer is not None and not is_editor(request.user) and not article.byline_set.filter(writer=writer).exists()
        ):
            # A writer's article always bylines that writer (roles are a ceiling: no writing in another's name).
            position = article.byline_set.count()
            article.byline_set.create(writer=writer, position=position)
            self.message_user(request, _("Your byline was kept: a writer's article always carries their name."))
        step = getattr(request, "kiji_workflow", None)
        if step is not None:
            step(request.user)  # the service records the revision and announces the change
        else:
            publishing.record_revision(article, by=request.user, note=_("Edited") if change else _("Created"))
            publishing.announce_change(article)
        editing.discard_draft(article=article, user=request.user)  # saved: the autosave is spent
        self._proofreading_message(request, article)

    def _proofreading_message(self, request, article):
        findings = proofread(self._text_of(article))
        if findings:
            self.message_user(
                request,
                ngettext(
                    "Proofreading: %(count)d point to check (see the 校正 pane).",
                    "Proofreading: %(count)d points to check (see the 校正 pane).",
                    len(findings),
                )
                % {"count": len(findings)},
                messages.WARNING,
            )

    @staticmethod
    def _text_of(article_or_data) -> str:
        get = article_or_data.get if isinstance(article_or_data, dict) else lambda n: getattr(article_or_data, n)
        return article_text(**{name: get(name) or "" for name in ("headline", "short_headline", "deck", "body")})

    def delete_model(self, request, obj):
        publishing.announce_change(copy.copy(obj), deleted=True)  # a copy keeps its pk after delete()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            publishing.announce_change(article, deleted=True)
        super().delete_queryset(request, queryset)

    def view_on_site(self, obj):
        # Unpublished articles are 404 to readers: the form links the preview instead.
        return obj.get_absolute_url() if obj.is_visible() else None

    def response_add(self, request, obj, post_url_continue=None):
        if workflow_action(request.POST):
            self._workflow_message(request, obj)
            return redirect("admin:newsroom_article_change", obj.pk)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if workflow_action(request.POST):
            self._workflow_message(request, obj)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _workflow_message(self, request, article):
        article.refresh_from_db(fields=["status", "published_at"])
        message = _("“%(headline)s” is now: %(status)s") % {
            "headline": article.headline,
            "status": article.get_status_display(),
        }
        if article.status == Status.SCHEDULED:
            message += " (" + date_format(timezone.localtime(article.published_at), "Y-m-d H:i") + ")"
        self.message_user(request, message, messages.SUCCESS)

    # ---- the change list ----

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, article):
        return format_html(
            '<span class="kiji-status kiji-status-{}">{}</span>', article.status, article.get_status_display()
        )

    @admin.display(description=gettext_lazy("writers"))
    def byline(self, article):
        return ", ".join(b.writer.name for b in article.byline_set.all()) or "—"  # in byline order

    @admin.display(description=gettext_lazy("publication time"), ordering="published_at")
    def publication_time(self, article):
        if not article.published_at:
            return "—"
        when = date_format(timezone.localtime(article.published_at), "Y-m-d H:i")
        if article.status == Status.SCHEDULED:
            return format_html('<span class="kiji-scheduled">{} {}</span>', _("Scheduled for"), when)
        return when

    @admin.display(description=gettext_lazy("modified at"), ordering="modified_at")
    def modified_time(self, article):
        # The same short form as the publication time: Django's long one (2026年12月3日18:50) never
        # wraps, and at 1280 px it pushed the column out of the list beside the two sidebars.
        return date_format(timezone.localtime(article.modified_at), "Y-m-d H:i")

    # ---- actions: the same services as the buttons ----

    def _run_action(self, request, queryset, service) -> None:
        done = skipped = 0
        for article in queryset:
            try:
                if service(article) is False:
                    skipped += 1
                    continue
                done += 1
            except PermissionDenied:
                skipped += 1
        self.message_user(
            request,
            ngettext("%(count)d article changed.", "%(count)d articles changed.", done) % {"count": done},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext("%(count)d article skipped.", "%(count)d articles skipped.", skipped) % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Publish now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        now = timezone.now()

        def publish(article):
            at = article.published_at if article.published_at and article.published_at <= now else None
            return publishing.publish_article(article=article, by=request.user, at=at)

        self._run_action(request, queryset, publish)

    @admin.action(description=gettext_lazy("Schedule at their publication time"), permissions=["publish"])
    def schedule_selected(self, request, queryset):
        now = timezone.now()

        def schedule(article):
            if not article.published_at or article.published_at <= now:
                return False
            return publishing.publish_article(article=article, by=request.user, at=article.published_at)

        self._run_action(request, queryset, schedule)

    @admin.action(description=gettext_lazy("Unpublish"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        if request.POST.get("confirm") != "yes":
            articles = list(queryset)
            return TemplateResponse(
                request,
                "newsroom/unpublish_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "articles": articles,
                    "live_count": sum(a.is_visible() for a in articles),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "title": _("Unpublish these articles?"),
                },
            )
        self._run_action(
            request, queryset, lambda article: publishing.unpublish_article(article=article, by=request.user)
        )

    @admin.action(description=gettext_lazy("Submit for review"), permissions=["change"])
    def submit_selected_for_review(self, request, queryset):
        def submit(article):
            if article.status != Status.DRAFT:
                return False
            return publishing.submit_for_review(article=article, by=request.user)

        self._run_action(request, queryset, submit)

    # ---- the change form: workflow buttons, preview, revisions ----

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        editable = obj is None or can_edit(request.user, obj)
        if obj is not None and obj.pk:
            context.update(self._editing_context(request, obj, context))
        context.update(
            {
                "kiji_can_publish": editable and is_editor(request.user),
                "kiji_can_submit": editable and (obj is None or obj.status == Status.DRAFT),
                "kiji_can_return": obj is not None and is_editor(request.user) and obj.status == Status.REVIEW,
                "kiji_can_unpublish": obj is not None
                and is_editor(request.user)
                and obj.status in (Status.PUBLISHED, Status.SCHEDULED),
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _editing_context(self, request, article, context) -> dict:
        """Who else has it open, an autosave to offer back, and the 校正 pane's findings."""
        form = context["adminform"].form
        if form.is_bound:
            text = self._text_of({name: form.data.get(name, "") for name in editing.DRAFT_FIELDS})
        else:
            text = self._text_of(article)
        draft = editing.pending_draft(article=article, user=request.user) if not form.is_bound else None
        args = [article.pk]
        return {
            "kiji_others": editing.others_editing(article=article, user=request.user),
            "kiji_draft": draft,
            "kiji_draft_data": draft.draft if draft else None,
            "kiji_conflict": form.conflict,
            "kiji_conflict_data": {r["name"]: r["theirs_raw"] for r in form.conflict["rows"] if r["copyable"]}
            if form.conflict
            else None,
            "kiji_findings": proofread(text),
            "kiji_presence_url": reverse("admin:newsroom_article_presence", args=args),
            "kiji_proofread_url": reverse("admin:newsroom_article_proofread", args=args),
            "kiji_autosave_seconds": settings.KIJI_AUTOSAVE_SECONDS,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None and request.method == "GET" and self.has_change_permission(request, article):
            editing.heartbeat(article=article, user=request.user)  # others see me from the first moment
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/presence/",
                self.admin_site.admin_view(require_POST(self.presence_view)),
                name="newsroom_article_presence",
            ),
            path(
                "<int:object_id>/proofread/",
                self.admin_site.admin_view(require_POST(self.proofread_view)),
                name="newsroom_article_proofread",
            ),
            path(
                "<int:object_id>/return/",
                self.admin_site.admin_view(self.return_view),
                name="newsroom_article_return",
            ),
            path(
                "<int:object_id>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="newsroom_article_revisions",
            ),
            path(
                "<int:object_id>/revisions/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="newsroom_article_compare",
            ),
            path(
                "<int:object_id>/revisions/<int:revision_id>/",
                self.admin_site.admin_view(self.revision_view),
                name="newsroom_article_revision",
            ),
            path(
                "<int:object_id>/revisions/<int:revision_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name="newsroom_article_restore",
            ),
        ]
        return urls + super().get_urls()

    def _viewable_article(self, request, object_id) -> Article:
        article = self.get_object(request, str(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def revisions_view(self, request, object_id):
        article = self._viewable_article(request, object_id)
        revisions = list(article.revisions.select_related("created_by", "created_by__writer"))
        labels = dict(Status.choices)
        for revision in revisions:
            revision.status_label = labels.get(revision.data.get("status"), "")
            revision.by_name = editing.display_name(revision.created_by) if revision.created_by else ""
        return TemplateResponse(
            request,
            "newsroom/revision_list.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "article": article,
                "revisions": revisions,
                "compare_url": reverse("admin:newsroom_article_compare", args=[article.pk]),
                "title": _("Revisions of “%(headline)s”") % {"headline": article.headline},
            },
        )

    def revision_view(self, request, object_id, revision_id):
        article = self._viewable_article(request, object_id)
        revision = get_object_or_404(
            article.revisions.select_related("created_by", "created_by__writer"), pk=revision_id
        )
        revision.by_name = editing.display_name(revision.created_by) if revision.created_by else ""
        return TemplateResponse(
            request,
            "newsroom/revision_detail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "article": article,
                "revision": revision,
                # sanitize_html ran on save and again in revision_body_html: the markup is safe to show.
                "body_html": mark_safe(revision_body_html(revision)),
                "diff": diff_against_current(revision, article),
                "can_restore": can_edit(request.user, article),
                "title": _("Revision of %(time)s")
                % {"time": date_format(timezone.localtime(revision.created_at), "Y-m-d H:i:s")},
            },
        )

    def compare_view(self, request, object_id):
        """Any two revisions side by side (?a=older&b=newer; the order is fixed by their times)."""
        article = self._viewable_article(request, object_id)
        chosen = list(
            article.revisions.filter(
                pk__in=[request.GET.get(k) for k in ("a", "b") if request.GET.get(k, "").isdigit()]
            )
            .select_related("created_by", "created_by__writer")
            .order_by("created_at", "pk")
        )
        if len(chosen) != 2:
            self.message_user(request, _("Choose two different revisions to compare."), messages.ERROR)
            return redirect("admin:newsroom_article_revisions", article.pk)
        for revision in chosen:
            revision.by_name = editing.display_name(revision.created_by) if revision.created_by else ""
        older, newer = chosen
        return TemplateResponse(
            request,
            "newsroom/revision_compare.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "article": article,
                "older": older,
                "newer": newer,
                "diff": diff_texts(older.data, newer.data),
                "title": _("Comparing two revisions"),
            },
        )

    def _editable_article(self, request, object_id) -> Article:
        article = self._viewable_article(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def presence_view(self, request, object_id):
        """The editor's heartbeat: POSTed every few seconds, with the unsaved text when it changed."""
        article = self._editable_article(request, object_id)
        if request.POST.get("leave"):
            editing.leave(article=article, user=request.user)
            return JsonResponse({"others": []})
        if request.POST.get("discard"):
            editing.discard_draft(article=article, user=request.user)
        draft = {n: request.POST.get(n, "") for n in editing.DRAFT_FIELDS} if request.POST.get("autosave") else None
        session = editing.heartbeat(article=article, user=request.user, draft=draft)
        saved = session.draft_saved_at if draft is not None else None
        return JsonResponse(
            {
                "others": editing.others_editing(article=article, user=request.user),
                "saved_at": date_format(timezone.localtime(saved), "H:i:s") if saved else None,
            }
        )

    def proofread_view(self, request, object_id):
        """The 校正 pane's findings for the text in the form (not yet saved): never blocks anything."""
        self._editable_article(request, object_id)
        text = self._text_of({n: request.POST.get(n, "") for n in editing.DRAFT_FIELDS})
        return JsonResponse({"findings": [f.as_dict() for f in proofread(text)]})

    def return_view(self, request, object_id):
        """An editor returns an article in review to its writer, with a note (asked for on this page)."""
        article = self._editable_article(request, object_id)
        ensure_can_publish(request.user)
        form = ReturnNoteForm(request.POST if request.method == "POST" else None)
        if article.status != Status.REVIEW:
            self.message_user(request, _("Only an article in review can be returned to its writer."), messages.ERROR)
            return redirect("admin:newsroom_article_change", article.pk)
        if form.is_valid():
            publishing.return_to_writer(article=article, by=request.user, note=form.cleaned_data["note"])
            self.message_user(
                request,
                _("“%(headline)s” was returned to its writer.") % {"headline": article.headline},
                messages.SUCCESS,
            )
            return redirect("admin:index")
        return TemplateResponse(
            request,
            "newsroom/return_article.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "article": article,
                "form": form,
                "title": _("Return “%(headline)s” to its writer") % {"headline": article.headline},
            },
        )

    def restore_view(self, request, object_id, revision_id):
        article = self._viewable_article(request, object_id)
        revision = get_object_or_404(article.revisions, pk=revision_id)
        if not can_edit(request.user, article):
            raise PermissionDenied
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "newsroom/restore_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "article": article,
                    "revision": revision,
                    "live": article.is_visible(),
                    "restored_headline": revision.data.get("headline") or "",
                    "title": _("Restore this revision?"),
                },
            )
        publishing.restore_revision(revision=revision, by=request.user)  # PermissionDenied -> 403
        self.message_user(request, _("The revision was restored."), messages.SUCCESS)
        return redirect("admin:newsroom_article_change", article.pk)


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Every revision in one list, read-only; each links to its article's revision page."""

    list_display = ("article", "created_at", "created_by", "note")
    list_select_related = ("article", "created_by")
    list_filter = ("created_at",)
    search_fields = ("article__headline", "note")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(article__in=Article.objects.visible_to(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, object_id)
        if revision is None:
            return super().change_view(request, object_id, form_url, extra_context)
        return redirect(reverse("admin:newsroom_article_revision", args=[revision.article_id, revision.pk]))


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" door (/admin/r/<ct>/<id>/), asked of the model's admin first: a staff
    member learns an object's public address (a draft's slug) only if its admin shows them the object."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut
    from django.http import Http404

    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        raise Http404
    obj = model_admin.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    return shortcut(request, content_type_id, object_id)


# ---- the admin login: throttled per account and address, with no long lockout of an editor ----

LOGIN_WINDOW = 300  # seconds: the longest any refusal lasts


class ThrottledLoginForm(AdminAuthenticationForm):
    """Refuses (for at most LOGIN_WINDOW) after too many failures: per account from one address (a
    guesser), per address (a sprayer across accounts) and per account from everywhere (a botnet, with
    a higher limit so that one attacker cannot easily lock an editor out from their own desk)."""

    def _keys(self) -> dict[str, int]:
        username = (self.data.get("username") or "").strip().casefold()[:150]
        address = client_ip(self.request.META) if self.request else ""
        return {
            f"login:acct-addr:{username}:{address}": settings.KIJI_ADMIN_LOGIN_FAILURES,
            f"login:addr:{address}": settings.KIJI_ADMIN_LOGIN_FAILURES_PER_ADDRESS,
            f"login:acct:{username}": settings.KIJI_ADMIN_LOGIN_FAILURES_PER_ACCOUNT,
        }

    def clean(self):
        keys = self._keys()
        for key, limit in keys.items():
            seen = ratelimit.hit(key, LOGIN_WINDOW, count=False)
            if seen is not None and seen[0] >= limit:
                minutes = max(1, round((seen[1] - time.time()) / 60))
                raise ValidationError(
                    _("Too many failed logins. Wait about %(minutes)d minutes and try again.") % {"minutes": minutes},
                    code="throttled",
                )
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                ratelimit.hit(key, LOGIN_WINDOW)
            raise


admin.site.login_form = ThrottledLoginForm
