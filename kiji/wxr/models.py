"""What each thing of a WordPress export became: the memory that makes re-running an import add nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedItem(models.Model):
    """One WordPress thing (post, page, comment, term, author) and the Kiji row it became."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        PAGE = "page", _("Page")
        COMMENT = "comment", _("Comment")
        CATEGORY = "category", _("Category")
        TAG = "tag", _("Tag")
        WRITER = "writer", _("Writer")
        IMAGE = "image", _("Image")

    site = models.CharField(_("WordPress site"), max_length=300, help_text=_("The export's base site URL."))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    wp_key = models.CharField(_("WordPress ID or slug"), max_length=200)
    object_id = models.PositiveBigIntegerField(_("Kiji ID"))
    digest = models.CharField(_("content digest"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("imported WordPress item")
        verbose_name_plural = _("imported WordPress items")
        constraints = [models.UniqueConstraint(fields=["site", "kind", "wp_key"], name="wxr_item_unique")]

    def __str__(self):
        return f"{self.kind} {self.wp_key} → {self.object_id}"
