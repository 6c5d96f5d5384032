"""Partners (aggregators and apps that receive a feed) and the articles kept out of each."""

import ipaddress
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiji.newsroom.models import Article, Category


def new_token() -> str:
    """An unguessable feed URL part: 256 random bits."""
    return secrets.token_urlsafe(32)


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """One IP network per line (CIDR or a single address); ValueError carries the first bad line."""
    networks = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            try:
                networks.append(ipaddress.ip_network(line, strict=False))
            except ValueError:
                raise ValueError(line) from None
    return networks


class Partner(models.Model):
    class Format(models.TextChoices):
        SMARTFORMAT = "smartformat", _("SmartFormat 2.1 (SmartNews)")
        FULLTEXT_RSS = "rss", _("Full-text RSS 2.0")
        # The site's own channels, one row each (made by the migration): articles can be kept out of
        # them and delayed like any partner's, but they have no partner feed URL.
        PUBLIC_FEEDS = "public_feeds", _("The site's public RSS/Atom feeds")
        GOOGLE_NEWS = "google_news", _("The Google News sitemap")

    name = models.CharField(_("name"), max_length=80, unique=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.FULLTEXT_RSS)
    active = models.BooleanField(_("active"), default=True, help_text=_("An inactive partner's feed answers 404."))
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="+",
        verbose_name=_("categories"),
        help_text=_("The categories this partner receives. None selected: every category."),
    )
    embargo_minutes = models.PositiveIntegerField(
        _("delay (minutes)"),
        default=0,
        validators=[MaxValueValidator(60 * 24 * 7)],
        help_text=_("An article reaches this partner this many minutes after publication (at most 7 days)."),
    )
    max_items = models.PositiveSmallIntegerField(
        _("maximum items"), default=50, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    full_text = models.BooleanField(_("full text"), default=True, help_text=_("Off: the summary only."))
    images = models.BooleanField(_("images"), default=True)
    related_links = models.PositiveSmallIntegerField(
        _("related links"), default=3, validators=[MaxValueValidator(10)], help_text=_("Per article, 0 to 10.")
    )
    sponsored_prefix = models.CharField(
        _("advertising title prefix"),
        max_length=20,
        default="【{label}】",
        help_text=_("Put before the title of a 広告/PR article; {label} becomes 広告 or PR."),
    )
    allowed_networks = models.TextField(
        _("allowed IP networks"),
        blank=True,
        help_text=_("One network per line, e.g. 203.0.113.0/24. Empty: any address with the URL."),
    )
    token = models.CharField(_("feed token"), max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["format"],
                condition=models.Q(format__in=["public_feeds", "google_news"]),
                name="partner_one_per_site_channel",
                violation_error_message=_("The site's own channels exist once; edit the existing one."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reader:partner_feed", args=[self.token])

    def clean(self):
        super().clean()
        for field in ("name", "sponsored_prefix"):
            if any(ord(c) < 32 or ord(c) == 127 for c in getattr(self, field)):
                raise ValidationError({field: _("Control characters cannot be used.")})
        try:
            self.sponsored_prefix.format(label="PR")
        except (KeyError, IndexError, ValueError):
            raise ValidationError({"sponsored_prefix": _("Only {label} may stand in braces.")}) from None
        if "{label}" not in self.sponsored_prefix:
            raise ValidationError({"sponsored_prefix": _("The prefix must contain {label}.")})
        try:
            parse_networks(self.allowed_networks)
        except ValueError as error:
            raise ValidationError({"allowed_networks": _("Not an IP network: %(line)s") % {"line": error}}) from None

    @property
    def is_site_channel(self) -> bool:
        return self.format in SITE_CHANNELS

    def allows(self, address: str) -> bool:
        """May a request from this address read the feed? (Any address when no network is listed.)"""
        networks = parse_networks(self.allowed_networks)
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)


SITE_CHANNELS = (Partner.Format.PUBLIC_FEEDS, Partner.Format.GOOGLE_NEWS)
FEED_FORMATS = (Partner.Format.SMARTFORMAT, Partner.Format.FULLTEXT_RSS)


class OptOut(models.Model):
    """配信しない: this article is kept out of this partner's feed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="partner_opt_outs")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="opt_outs", verbose_name=_("partner"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("partner opt-out")
        verbose_name_plural = _("not sent to partners")
        constraints = [models.UniqueConstraint(fields=["article", "partner"], name="optout_unique")]

    def __str__(self):
        return f"{self.partner}: {self.article_id}"


class HubPing(models.Model):
    """A WebSub publish notification owed to the hub for one feed (topic), sent by the scheduler."""

    topic = models.URLField(_("feed URL"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        verbose_name = _("WebSub ping")
        verbose_name_plural = _("WebSub pings")
        indexes = [
            # the job's query: unsent pings whose time has come
            models.Index(fields=["sent_at", "next_attempt_at"], name="hubping_due"),
        ]

    def __str__(self):
        return self.topic
