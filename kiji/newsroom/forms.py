"""Newsroom forms: the article form with its rich-text body, the image upload form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiji.newsroom.models import Article, Image
from kiji.newsroom.permissions import WRITER_STATUSES, is_editor
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


def _formfield(db_field, **kwargs):
    if db_field.name == "source_url":
        kwargs.setdefault("assume_scheme", "https")  # Django 6's default, chosen now
    return db_field.formfield(**kwargs)


class ArticleAdminForm(forms.ModelForm):
    user = None  # set by ArticleAdmin.get_form: the person saving

    class Meta:
        model = Article
        fields = "__all__"
        formfield_callback = _formfield
        widgets = {"body": RichTextarea()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        return data


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
        fields = ["file", "alt", "caption", "credit"]
        field_classes = {"file": ImageUploadField}
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})}
