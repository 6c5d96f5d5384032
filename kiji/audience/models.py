"""Audience facts: hourly view buckets, co-readership, editors' picks and precomputed lists.

No visitor, IP address or user agent is ever stored here: only counts per article.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiji.newsroom.models import Article


class ArticleViewHour(models.Model):
    """Views of one article in one clock hour (UTC-truncated, shown in JST)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="view_hours", verbose_name=_("article"))
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("analytics dashboard")
        verbose_name_plural = _("analytics dashboard")
        constraints = [models.UniqueConstraint(fields=["article", "hour"], name="audience_view_hour_unique")]
        # rankings and the dashboard: all articles' views since a time
        indexes = [models.Index(fields=["hour", "article"], name="audience_hour_article")]

    def __str__(self):
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H}: {self.count}"


class PartnerViewDay(models.Model):
    """Views through one partner's app (the snf:analytics beacon carries p=<partner id>) in one JST day.

    Counted only when the view itself counted, so the 30-minute per-visitor rule holds here too."""

    partner_id = models.PositiveIntegerField(_("partner"))
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("partner views")
        verbose_name_plural = _("partner views")
        constraints = [
            models.UniqueConstraint(fields=["partner_id", "article", "day"], name="audience_partner_view_unique")
        ]

    def __str__(self):
        return f"{self.partner_id}/{self.article_id} @ {self.day}: {self.count}"


class CoRead(models.Model):
    """How many visitors read `other` within a session of reading `article` (both directions stored)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "other"], name="audience_coread_unique")]


class EditorPickQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)).filter(
            article__in=Article.objects.published(now)
        )


class EditorPick(models.Model):
    """An article editors pin to おすすめニュース, until an optional expiry."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, verbose_name=_("article"))
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower numbers are shown first."))
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Leave empty to keep the pick until it is removed.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EditorPickQuerySet.as_manager()

    class Meta:
        verbose_name = _("editor's pick")
        verbose_name_plural = _("editors' picks")
        ordering = ["position", "-created_at"]

    def __str__(self):
        return str(self.article)


class ListSnapshot(models.Model):
    """A precomputed list (article ids) the pages read in one query (database backend)."""

    key = models.CharField(max_length=100, primary_key=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)
