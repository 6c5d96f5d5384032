"""The newsroom's facts: categories, writers, tags, images, articles and their history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiji.lib.html import html_to_text, sanitize_html
from kiji.lib.text import RefusesControlCharacters, strip_controls


class Category(RefusesControlCharacters, models.Model):
    name = models.CharField(_("name"), max_length=60, help_text=_("Japanese name shown in the main menu."))
    slug = models.SlugField(_("slug"), max_length=60, unique=True, help_text=_("Used in the URL: /category/<slug>/"))
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first in the menu."))
    description = models.TextField(_("description"), blank=True)
    in_menu = models.BooleanField(_("shown in the main menu"), default=True)
    # One level only (ニュース > 政治), as Japanese portals show it; deeper WordPress levels fold into it.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
        verbose_name=_("parent category"),
        help_text=_("Optional. A top-level category this one sits under (one level only)."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reader:category", args=[self.slug])

    def trail(self) -> list[tuple[str, str]]:
        """The breadcrumb's (name, path) pairs: the parent category (read it with select_related), then this one."""
        crumbs = [(self.parent.name, self.parent.get_absolute_url())] if self.parent_id else []
        return crumbs + [(self.name, self.get_absolute_url())]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id and (self.parent_id == self.pk or self.parent.parent_id):
            raise ValidationError({"parent": _("Choose a top-level category: categories have one level of parent.")})
        if self.parent_id and self.pk and self.children.exists():
            raise ValidationError({"parent": _("This category has sub-categories, so it must stay at the top level.")})


class Tag(RefusesControlCharacters, models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reader:tag", args=[self.slug])


class Image(RefusesControlCharacters, models.Model):
    """An uploaded picture; resized renditions are made once, on upload (see services.images)."""

    file = models.ImageField(_("file"), upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    alt = models.CharField(
        _("alternative text"),
        max_length=200,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    decorative = models.BooleanField(
        _("decorative (装飾)"),
        default=False,
        help_text=_("Adds nothing a reader who cannot see it would miss: readers' screen readers skip it."),
    )
    # Where the picture's subject is, as fractions of its width and height: crops keep it in frame.
    focal_x = models.FloatField(_("focal point (across)"), default=0.5)
    focal_y = models.FloatField(_("focal point (down)"), default=0.5)
    # [{"ratio": "card", "width": 1200, "height": 628, "format": "jpeg", "name": "…"}, …] cut around the focal point
    crops = models.JSONField(_("crops"), default=list, blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=120, blank=True, help_text=_("e.g. 撮影：山田太郎"))
    # [{"width": 640, "height": 360, "format": "webp", "name": "renditions/…/640.webp"}, …]
    renditions = models.JSONField(_("renditions"), default=list, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.caption or self.alt or self.file.name


class Writer(RefusesControlCharacters, models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="writer",
        verbose_name=_("login"),
        help_text=_("The newsroom login of this writer, if they have one."),
    )
    name = models.CharField(_("display name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    bio = models.TextField(_("biography"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True, help_text=_("Shown to readers under the article."))
    photo = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("photo")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("writer")
        verbose_name_plural = _("writers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reader:writer", args=[self.slug])


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What readers may see: published, and its publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_cards(self):
        return self.select_related("category", "lead_image").prefetch_related("writers")

    def latest_first(self):
        return self.order_by("-published_at", "-pk")

    def owned_by(self, user):
        """A writer's own articles: the ones they created or that carry their byline."""
        return self.filter(Q(created_by=user) | Q(pk__in=Byline.objects.filter(writer__user=user).values("article_id")))

    def visible_to(self, user):
        """What this staff member may see in the newsroom (admin lists, previews, revisions): every article
        for editors and whoever may edit any article, their own for writers, nothing without view_article."""
        if not (user.is_active and user.has_perm("newsroom.view_article")):
            return self.none()
        if user.is_superuser or user.has_perm("newsroom.publish_article") or user.has_perm("newsroom.edit_any_article"):
            return self
        return self.owned_by(user)

    def unsponsored(self):
        """Articles that are not advertising (広告/PR): for the news sitemap and the automatic おすすめ."""
        return self.filter(sponsorship="")

    def with_last_changed(self):
        """Adds what Article.last_changed needs beyond the row: its newest correction's time."""
        return self.annotate(last_correction_at=models.Max("corrections__created_at"))


class Article(RefusesControlCharacters, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    class Sponsorship(models.TextChoices):
        # Japan's stealth-marketing rule (景品表示法, since October 2023): advertising must be recognisable
        # as advertising wherever it appears; the label is shown on the page, in lists, feeds and cards.
        AD = "ad", "広告"
        PR = "pr", "PR"

    headline = models.CharField(_("headline"), max_length=200)
    deck = models.CharField(_("deck"), max_length=300, blank=True, help_text=_("Subheadline under the headline."))
    short_headline = models.CharField(
        _("short headline"),
        max_length=40,
        blank=True,
        help_text=_("Optional. Used by lists, aggregator feeds and social cards instead of the headline."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        blank=True,
        help_text=_("Optional words for the URL, in latin letters: /articles/<id>/<slug>/"),
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Sanitized on save: no scripts, styles or events."))
    description = models.CharField(_("description"), max_length=200, blank=True, editable=False)
    lead_image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("lead image")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    writers = models.ManyToManyField(
        Writer, through="Byline", blank=True, related_name="articles", verbose_name=_("writers")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publication time"), null=True, blank=True, help_text=_("For a scheduled article, when it goes live.")
    )
    updated_at = models.DateTimeField(
        _("last substantive update"),
        null=True,
        blank=True,
        help_text=_("Shown to readers as the update time. Leave empty if none."),
    )
    source_url = models.URLField(_("source URL"), max_length=300, blank=True)
    source_credit = models.CharField(
        _("source credit"),
        max_length=300,
        blank=True,
        help_text=_("Licence credit shown on the page for syndicated text."),
    )
    sponsorship = models.CharField(
        _("advertising label"),
        max_length=2,
        choices=Sponsorship.choices,
        blank=True,
        help_text=_("広告 or PR for paid content: shown above the headline and everywhere the article is listed."),
    )
    sponsor_name = models.CharField(
        _("sponsor"), max_length=100, blank=True, help_text=_("Who paid for it; required with a label.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)
    # Set when an editor returns the article to its writer; cleared when it is submitted again.
    returned_note = models.TextField(_("note from the editor"), blank=True, editable=False)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish articles")),
            ("edit_any_article", _("Can edit articles of any writer")),
        ]
        indexes = [
            # home page latest list, feeds, sitemaps: published() ordered by time
            models.Index(fields=["status", "published_at"], name="article_status_time"),
            # category pages (deep ones too: the page's ids come from the index alone, in its order,
            # published_at then pk) and "latest per category"
            models.Index(fields=["category", "status", "published_at", "id"], name="article_category_listing"),
            # the sitemap index's "newest change": the newest save and update of a published article,
            # read from the index's end instead of every published row
            models.Index(fields=["status", "modified_at"], name="article_status_modified"),
            models.Index(fields=["status", "updated_at"], name="article_status_updated"),
            # the also-read round's articles edited since the last round (kiji/audience/lists.py)
            models.Index(fields=["modified_at"], name="article_modified"),
        ]
        constraints = [
            # the importer's idempotency: one article per source URL
            models.UniqueConstraint(fields=["source_url"], condition=~Q(source_url=""), name="article_unique_source"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.slug:
            return reverse("reader:article_slug", args=[self.pk, self.slug])
        return reverse("reader:article", args=[self.pk])

    def clean(self):
        super().clean()
        if any(ord(c) < 32 or ord(c) == 127 for c in self.sponsor_name):
            raise ValidationError({"sponsor_name": _("Control characters cannot be used.")})
        if self.sponsorship and not self.sponsor_name.strip():
            raise ValidationError({"sponsor_name": _("Name the sponsor of an advertisement or PR article.")})
        if self.sponsor_name.strip() and not self.sponsorship:
            raise ValidationError({"sponsorship": _("Choose 広告 or PR for an article with a sponsor.")})

    def derive_fields(self) -> None:
        """The fields derived from the row's own: save() calls this, and so does every bulk_create (import)."""
        for name in ("headline", "short_headline", "deck", "slug", "source_url", "source_credit"):
            setattr(self, name, strip_controls(getattr(self, name) or ""))  # imports skip the form's refusal
        self.body = sanitize_html(strip_controls(self.body))  # nh3: nothing unsafe is ever stored
        self.description = (self.deck or _excerpt(html_to_text(self.body), 120))[:200]

    def is_visible(self, now=None) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )

    @property
    def last_changed(self):
        """When the article last changed, the one answer for sitemaps, feeds, the API's Last-Modified and
        JSON-LD dateModified: the latest of its publication, substantive update, last save and (read
        through ArticleQuerySet.with_last_changed()) its newest correction."""
        if "last_correction_at" not in self.__dict__:
            raise AttributeError("last_changed needs the article read through Article.objects.with_last_changed()")
        times = (self.published_at, self.updated_at, self.modified_at, self.last_correction_at)
        return max((t for t in times if t), default=None)

    @property
    def sponsor_label(self) -> str:
        """広告 or PR for a sponsored article, "" otherwise."""
        return self.get_sponsorship_display() if self.sponsorship else ""

    def labelled(self, title: str, template: str = "【{label}】") -> str:
        """A title with the advertising label before it when the article is sponsored, else as given."""
        return template.format(label=self.sponsor_label) + title if self.sponsorship else title

    @property
    def displayed_update(self):
        """The update time readers see: only a substantive update after publication."""
        if self.updated_at and self.published_at and self.updated_at > self.published_at:
            return self.updated_at
        return None


def _excerpt(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


class Byline(RefusesControlCharacters, models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    writer = models.ForeignKey(Writer, on_delete=models.PROTECT, verbose_name=_("writer"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        unique_together = [("article", "writer")]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")

    def __str__(self):
        return str(self.writer)


class Correction(RefusesControlCharacters, models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(_("correction"), help_text=_("What was wrong and what is right now. Shown to readers."))
    created_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        # the sitemap index's "newest change": the newest correction, from the index's end
        indexes = [models.Index(fields=["created_at"], name="correction_time")]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return self.text[:40]


class Revision(RefusesControlCharacters, models.Model):
    """A snapshot of an article's editable fields, taken on every save."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article"))
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    data = models.JSONField(_("data"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        indexes = [models.Index(fields=["article", "-created_at"], name="revision_article_time")]

    def __str__(self):
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class EditingSession(RefusesControlCharacters, models.Model):
    """One person's open editor on one article: a heartbeat (who else has it open, never a lock)
    and their autosaved, unpublished text. Kept apart from the article, so nothing here reaches readers."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editing_sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    draft = models.JSONField(_("autosaved text"), default=dict, blank=True)
    draft_saved_at = models.DateTimeField(_("autosaved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("editing session")
        verbose_name_plural = _("editing sessions")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="editing_session_unique")]

    def __str__(self):
        return f"{self.user} @ {self.article_id}"


class HouseStyleRule(RefusesControlCharacters, models.Model):
    """The house style the proofreading pane checks: a spelling to avoid and the one to use."""

    avoid = models.CharField(_("spelling to avoid"), max_length=40, unique=True, help_text=_("e.g. 子供"))
    prefer = models.CharField(_("preferred spelling"), max_length=40, help_text=_("e.g. 子ども"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["avoid"]
        verbose_name = _("house style rule")
        verbose_name_plural = _("house style rules")

    def __str__(self):
        return f"{self.avoid} → {self.prefer}"


class Notification(models.Model):
    """Something that happened to an article that one staff member should hear about (the admin home lists
    them; services.notifying also sends them by e-mail)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned to the writer")
        PUBLISHED = "published", _("Went live")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("article")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # the admin home: one person's newest notifications
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_recipient_time")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article_id}"
