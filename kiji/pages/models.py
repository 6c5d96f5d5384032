"""Standing pages of the site (会社概要, プライバシーポリシー, お問い合わせ …): not news, no date, linked from the footer."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiji.lib.html import sanitize_html


class PageQuerySet(models.QuerySet):
    def published(self):
        """What readers may see."""
        return self.filter(status=Page.Status.PUBLISHED)

    def in_footer(self):
        return self.published().filter(in_footer=True).order_by("position", "pk")


class Page(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=120, allow_unicode=True, help_text=_("Used in the URL: /page/<parent>/<slug>/")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent page"),
    )
    path = models.CharField(_("path"), max_length=400, unique=True, editable=False)
    body = models.TextField(_("body"), blank=True, help_text=_("Sanitized on save: no scripts, styles or events."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    in_footer = models.BooleanField(_("linked from the footer"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "path"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reader:page", args=[self.path])

    def clean(self):
        from django.core.exceptions import ValidationError

        self.derive_fields()
        if Page.objects.filter(path=self.path).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"slug": _("Another page already has this address: /page/%(path)s/") % {"path": self.path}}
            )
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk:
                raise ValidationError(
                    {"parent": _("A page cannot sit under itself or under one of its own sub-pages.")}
                )
            ancestor = ancestor.parent

    def derive_fields(self) -> None:
        """The sanitized body and the URL path (the parent's path, then the slug)."""
        self.body = sanitize_html(self.body)
        self.path = f"{self.parent.path}/{self.slug}" if self.parent_id else self.slug
