"""Reader comments, their per-article section settings, visitors, NG words and the moderation log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kiji.lib.text import RefusesControlCharacters
from kiji.newsroom.models import Article


class CommentSection(RefusesControlCharacters, models.Model):
    """An article's comment settings; an article without a row is open."""

    class Mode(models.TextChoices):
        OPEN = "open", _("Open")
        PREMODERATED = "premoderated", _("Pre-moderated")
        CLOSED = "closed", _("Closed")

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="comment_section", verbose_name=_("article")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.OPEN)
    hidden = models.BooleanField(
        _("hidden pending review"),
        default=False,
        help_text=_("The whole section is hidden from readers with a notice."),
    )
    auto_hide = models.BooleanField(
        _("auto-hide"),
        default=True,
        help_text=_(
            "Hide the section when too many of its comments are rejected "
            "or reported. Turned off when a moderator shows it again."
        ),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("comment section")
        verbose_name_plural = _("comment sections")

    def __str__(self):
        return str(self.article)


class VisitorQuerySet(models.QuerySet):
    def banned(self, now):
        """Visitors whose own ban still runs at `now` (a lifted ban is cleared: banned_until is None)."""
        return self.filter(banned_until__gt=now)

    def ban_expired(self, now):
        """Visitors whose ban ran out by `now` without being lifted."""
        return self.filter(banned_until__lte=now)


class Visitor(models.Model):
    """A reader known by a signed cookie id; no account, no raw IP."""

    key = models.CharField(_("visitor key"), max_length=64, unique=True)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, db_index=True)
    approved_count = models.PositiveIntegerField(_("approved comments"), default=0)
    banned_until = models.DateTimeField(_("banned until"), null=True, blank=True)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)

    objects = VisitorQuerySet.as_manager()

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")

    def __str__(self):
        return f"visitor {self.key[:8]}"


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=Comment.Status.APPROVED)

    def sorted_by(self, sort: str):
        orders = {"oldest": ("created_at", "id"), "liked": ("-like_count", "-created_at", "-id")}
        return self.order_by(*orders.get(sort, ("-created_at", "-id")))

    def for_queue(self):
        """Pending and reported (hidden) comments first, then the newest."""
        first = models.Case(
            models.When(status__in=[Comment.Status.PENDING, Comment.Status.HIDDEN], then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return self.annotate(queue_order=first).order_by("queue_order", "-created_at")


class Comment(RefusesControlCharacters, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        HIDDEN = "hidden", _("Hidden after reports")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")
        REMOVED = "removed", _("Removed")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("article"))
    # A reply answers a top-level comment: one level deep, as on Japanese portals.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies", verbose_name=_("reply to")
    )
    visitor = models.ForeignKey(Visitor, on_delete=models.PROTECT, related_name="comments", verbose_name=_("visitor"))
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True)
    nickname = models.CharField(_("nickname"), max_length=100, default="匿名")
    body = models.TextField(_("body"))
    body_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    held_reason = models.CharField(_("held because"), max_length=200, blank=True)
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    report_count = models.PositiveIntegerField(_("open reports"), default=0)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True, db_index=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            # The article page and comment page: approved comments of one article, newest first.
            models.Index(fields=["article", "status", "-created_at"], name="comment_article_list"),
            # The comment page sorted by 共感 (most liked first).
            models.Index(fields=["article", "status", "-like_count"], name="comment_article_liked"),
            # A visitor's recent comments (first-N-held, mostly-rejected, the moderation queue).
            models.Index(fields=["visitor", "-created_at"], name="comment_visitor_recent"),
        ]

    def __str__(self):
        return self.excerpt()

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("comments:page", args=[self.article_id]) + f"#c{self.pk}"

    def excerpt(self, length: int = 40) -> str:
        return self.body if len(self.body) <= length else self.body[:length] + "…"


class Like(models.Model):
    """共感: one per visitor per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "visitor"], name="one_like_per_visitor")]


class Report(RefusesControlCharacters, models.Model):
    """通報: one per visitor per comment."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", "誹謗中傷・差別"
        SPAM = "spam", "スパム・宣伝"
        PRIVACY = "privacy", "個人情報"
        OFF_TOPIC = "off_topic", "記事と関係ない"
        OTHER = "other", "その他"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True)
    # False for a reporter too new or with a bad record: shown to moderators, never hides on its own.
    weighs = models.BooleanField(_("counts toward hiding"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["comment", "visitor"], name="one_report_per_visitor")]


class NGWord(RefusesControlCharacters, models.Model):
    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for moderation")
        REJECT = "reject", _("Reject")

    word = models.CharField(
        _("word"),
        max_length=100,
        unique=True,
        help_text=_("Matched after folding full/half width, case and katakana/hiragana."),
    )
    folded = models.CharField(_("matched as"), max_length=100, editable=False, db_index=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, default=Action.HOLD)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("NG word")
        verbose_name_plural = _("NG words")

    def __str__(self):
        return self.word

    def save(self, *args, **kwargs):
        from kiji.comments.text import fold

        self.folded = fold(self.word)
        super().save(*args, **kwargs)


class ModerationAction(RefusesControlCharacters, models.Model):
    """Who did what to which comment or section, when and why. Written by the services only."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SPAM = "spam", _("Marked spam")
        REMOVE = "remove", _("Removed")
        HOLD = "hold", _("Held")
        HIDE = "hide", _("Hidden after reports")
        BAN = "ban", _("Banned visitor")
        UNBAN = "unban", _("Lifted ban")
        SECTION_MODE = "section_mode", _("Changed section mode")
        SECTION_HIDE = "section_hide", _("Hid section")
        SECTION_SHOW = "section_show", _("Showed section")

    kind = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions", verbose_name=_("comment")
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("article")
    )
    visitor = models.ForeignKey(
        Visitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("visitor")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the system acted on its own."),
    )
    reason = models.CharField(_("why"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Counter(models.Model):
    """A fixed-window counter for rate limits and flood detection when there is no Redis."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)
