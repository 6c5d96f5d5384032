"""Newsroom forms: the article form with its rich-text body, the image upload form."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kiji.lib.html import html_to_text
from kiji.lib.text import CONTROL_CHARACTERS
from kiji.newsroom.models import Article, Image, Revision
from kiji.newsroom.permissions import WRITER_STATUSES, is_editor
from kiji.newsroom.services.editing import current_version, display_name
from kiji.newsroom.services.images import open_upload

Status = Article.Status

# The buttons on the article change form, by the name of their submit button.
WORKFLOW_BUTTONS = {
    "_publish": "publish",
    "_schedule": "schedule",
    "_unpublish": "unpublish",
    "_submit_review": "review",
}


def workflow_action(data) -> str | None:
    """Which workflow button was pressed, if any."""
    return next((action for name, action in WORKFLOW_BUTTONS.items() if name in data), None)


class RichTextarea(forms.Textarea):
    """A plain textarea that static/js/editor.js turns into a small contenteditable editor."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 20, "data-kiji-editor": "", "class": "kiji-body", **(attrs or {})})

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/editor.js"]


class CountedTextInput(forms.TextInput):
    """A text box with a live counter under it (static/js/counters.js): characters, and the aggregator
    count (half-width 0.5) against `limit` when there is one."""

    def __init__(self, limit_setting: str | None = None, attrs=None):
        self.limit_setting = limit_setting
        super().__init__({"data-kiji-counter": "", "class": "vTextField", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.limit_setting:
            context["widget"]["attrs"]["data-kiji-limit"] = f"{getattr(settings, self.limit_setting):g}"
        return context

    class Media:
        js = ["js/counters.js"]


def _formfield(db_field, **kwargs):
    if db_field.name == "source_url":
        kwargs.setdefault("assume_scheme", "https")  # Django 6's default, chosen now
    return db_field.formfield(**kwargs)


# The fields shown side by side when a save meets a newer version.
CONFLICT_FIELDS = ["headline", "short_headline", "deck", "body", "status", "published_at", "updated_at"]


class ArticleAdminForm(forms.ModelForm):
    user = None  # set by ArticleAdmin.get_form: the person saving
    conflict = None  # set by clean() when the article changed since this form was opened

    kiji_version = forms.CharField(widget=forms.HiddenInput, required=False)
    new_tags = forms.CharField(
        label=_("new tags"),
        required=False,
        max_length=400,
        help_text=_("Type tags that do not exist yet, separated by 、 or commas: they are made and added on save."),
    )
    minor_edit = forms.BooleanField(
        label=_("Minor correction"),
        required=False,
        help_text=_("A typo fix: the update time readers see stays as it is."),
    )

    class Meta:
        model = Article
        fields = "__all__"
        formfield_callback = _formfield
        widgets = {
            "body": RichTextarea(),
            "headline": CountedTextInput("KIJI_SEARCH_TITLE_LIMIT"),
            "short_headline": CountedTextInput("KIJI_SHORT_HEADLINE_LIMIT"),
            "deck": CountedTextInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["kiji_version"] = current_version(self.instance)
        for name in ("published_at", "updated_at"):
            parts = getattr(self.fields.get(name), "widget", None)
            for part, word in zip(getattr(parts, "widgets", []), (_("date"), _("time")), strict=False):
                part.attrs["aria-label"] = f"{self.fields[name].label} {word}"  # the admin labels only the pair
        status = self.fields.get("status")
        if status is not None and self.user is not None and not is_editor(self.user):
            # Writers never see, and cannot post, the statuses that put text in front of readers.
            status.choices = [(value, label) for value, label in Status.choices if value in WRITER_STATUSES]

    def clean(self):
        data = super().clean()
        action = workflow_action(self.data)
        status = data.get("status")
        when = data.get("published_at")
        now = timezone.now()
        if action == "schedule" or (status == Status.SCHEDULED and action is None):
            if not when or when <= now:
                self.add_error("published_at", _("To schedule an article, set a publication time in the future."))
        if self.instance.pk:
            self._check_version(data)
        return data

    def clean_new_tags(self) -> list[str]:
        raw = self.cleaned_data.get("new_tags") or ""
        if CONTROL_CHARACTERS.search(raw):
            raise forms.ValidationError(_("The new tags contain control characters. Remove them and try again."))
        names = list(dict.fromkeys(n.strip() for n in re.split(r"[、,，]", raw) if n.strip()))
        if any(len(n) > 60 for n in names):
            raise forms.ValidationError(_("A tag is at most 60 characters."))
        if names and self.user is not None and not self.user.has_perm("newsroom.add_tag"):
            raise forms.ValidationError(_("You may not make new tags."))
        return names

    def _check_version(self, data) -> None:
        """Refuse a save over a version newer than the one this form was opened on, showing both."""
        theirs = Article.objects.select_for_update().get(pk=self.instance.pk)  # one save at a time
        latest = current_version(theirs)
        if (data.get("kiji_version") or "") == latest:
            return
        revision = Revision.objects.filter(pk=latest or None).select_related("created_by").first()
        self.conflict = {
            "by": display_name(revision.created_by) if revision and revision.created_by else "",
            "at": revision.created_at if revision else theirs.modified_at,
            "rows": self._conflict_rows(theirs, data),
        }
        # The next save is made knowing the newer version: that is how the two are merged.
        self.data = self.data.copy()
        self.data[self.add_prefix("kiji_version")] = latest
        raise forms.ValidationError(
            _(
                "%(who)s saved this article at %(time)s, after you opened it. Your text is kept in the form; "
                "compare the two versions below, take what you need from theirs, then save again."
            )
            % {
                "who": self.conflict["by"] or _("Someone"),
                "time": date_format(timezone.localtime(self.conflict["at"]), "H:i:s"),
            },
            code="conflict",
        )

    def _conflict_rows(self, theirs: Article, data) -> list[dict]:
        rows = []
        for name in CONFLICT_FIELDS:
            if name not in self.fields:
                continue
            field = self.fields[name]
            mine = data.get(name, self.data.get(self.add_prefix(name), ""))
            theirs_value = getattr(theirs, name)
            shown = [_shown(field, theirs_value, name), _shown(field, mine, name)]
            rows.append(
                {
                    "name": name,
                    "label": field.label,
                    "theirs": shown[0],
                    "mine": shown[1],
                    "theirs_raw": "" if theirs_value is None else str(theirs_value),
                    "differs": shown[0] != shown[1],
                    "copyable": name in ("headline", "short_headline", "deck", "body"),
                }
            )
        return rows


def _shown(field, value, name) -> str:
    """A field's value as the conflict table shows it: text for the body, labels for choices."""
    if value in (None, ""):
        return "—"
    if name == "body":
        return html_to_text(value)
    if name == "status":
        return str(Status(value).label) if value in Status.values else str(value)
    if hasattr(value, "tzinfo"):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return str(value)


class ImageUploadField(forms.ImageField):
    """An image field whose checks (size, pixels, format, damage) give the newsroom's own messages."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        open_upload(data)  # raises ValidationError with a translated message
        return forms.FileField.to_python(self, data)


class ImageAdminForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["file", "alt", "decorative", "caption", "credit", "focal_x", "focal_y"]
        field_classes = {"file": ImageUploadField}
        widgets = {
            "file": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
            # set by clicking the picture (static/js/focal.js); typed by hand where there is no script
            "focal_x": forms.NumberInput(attrs={"min": 0, "max": 1, "step": 0.01}),
            "focal_y": forms.NumberInput(attrs={"min": 0, "max": 1, "step": 0.01}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("focal_x", "focal_y"):
            self.fields[name].required = False  # left empty: where it was (the middle for a new picture)

    def clean(self):
        data = super().clean()
        for name in ("focal_x", "focal_y"):
            if data.get(name) is None and name not in self.errors:
                data[name] = getattr(self.instance, name)
        alt = (data.get("alt") or "").strip()
        if alt and CONTROL_CHARACTERS.search(alt):
            self.add_error("alt", _("The alternative text contains control characters. Remove them and try again."))
        if not alt and not data.get("decorative") and not self.instance.pk:
            self.add_error(
                "alt",
                _("Write what the picture shows for readers who cannot see it, or mark it decorative (装飾)."),
            )
        for name in ("focal_x", "focal_y"):
            value = data.get(name)
            if value is not None and not 0 <= value <= 1:
                self.add_error(name, _("A focal point is between 0 and 1."))
        return data


class ReturnNoteForm(forms.Form):
    """The editor's note when returning an article to its writer."""

    note = forms.CharField(
        label=_("Note to the writer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text=_("What to change before submitting again. The writer sees it on their home page and by e-mail."),
        error_messages={"required": _("Write a note telling the writer what to change.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"]
        if CONTROL_CHARACTERS.search(note):
            raise forms.ValidationError(_("The note contains control characters. Remove them and send it again."))
        return note
