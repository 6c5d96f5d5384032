"""The admin home's desk: what waits for this staff member, read in one place."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from kiji.lib.dates import JST
from kiji.newsroom.models import Article, Notification
from kiji.newsroom.permissions import is_editor

Status = Article.Status
LIMIT = 10


def desk_inbox(user, *, now=None) -> dict:
    """The admin home's lists for `user`: my drafts, waiting for review (all of them for an editor, my own
    for a writer), returned to me, scheduled today (JST), recently published, and my notifications."""
    now = now or timezone.now()
    visible = Article.objects.visible_to(user).select_related("category").order_by("-modified_at", "-pk")
    mine = visible.filter(pk__in=Article.objects.owned_by(user).values("pk"))
    day_start = datetime.combine(now.astimezone(JST).date(), time.min, tzinfo=JST)
    notifications = Notification.objects.filter(recipient=user).select_related("article", "actor", "actor__writer")
    return {
        "my_drafts": list(mine.filter(status=Status.DRAFT, returned_at__isnull=True)[:LIMIT]),
        "returned": list(mine.filter(status=Status.DRAFT, returned_at__isnull=False)[:LIMIT]),
        "in_review": list((visible if is_editor(user) else mine).filter(status=Status.REVIEW)[:LIMIT]),
        "scheduled_today": list(
            visible.filter(
                status=Status.SCHEDULED, published_at__gte=day_start, published_at__lt=day_start + timedelta(days=1)
            ).order_by("published_at")[:LIMIT]
        ),
        "recently_published": list(visible.published(now).order_by("-published_at", "-pk")[:LIMIT]),
        "notifications": list(notifications[:LIMIT]),
        "unread_count": notifications.filter(read_at__isnull=True).count(),
    }
