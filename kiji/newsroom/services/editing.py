"""The open editor: who else has an article open (a heartbeat, never a lock) and autosaved text."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from kiji.lib.text import strip_controls
from kiji.newsroom.models import Article, EditingSession, Revision

# The form fields an autosave keeps; the body is sanitized when the article itself is saved.
DRAFT_FIELDS = ("headline", "short_headline", "deck", "body")


def current_version(article: Article) -> str:
    """What a save must have started from: the newest revision (every change records one)."""
    latest = Revision.objects.filter(article=article).order_by("-created_at", "-pk").values_list("pk", flat=True)
    return str(latest.first() or "")


def display_name(user) -> str:
    writer = getattr(user, "writer", None)
    return (writer.name if writer else "") or user.get_full_name() or user.get_username()


def others_editing(*, article: Article, user) -> list[str]:
    since = timezone.now() - timedelta(seconds=settings.KIJI_PRESENCE_SECONDS)
    sessions = (
        EditingSession.objects.filter(article=article, seen_at__gte=since)
        .exclude(user=user)
        .select_related("user", "user__writer")
        .order_by("seen_at")
    )
    return [display_name(s.user) for s in sessions]


def heartbeat(*, article: Article, user, draft: dict | None = None) -> EditingSession:
    """Mark `user` as having `article` open now; with `draft`, keep their unsaved text too."""
    now = timezone.now()
    session, _ = EditingSession.objects.get_or_create(article=article, user=user)
    session.seen_at = now
    fields = ["seen_at"]
    if draft is not None:
        # Control characters are kept out of autosaves by the rule every text field follows (kiji.lib.text).
        session.draft = {name: strip_controls(str(draft.get(name, "")))[:100_000] for name in DRAFT_FIELDS}
        session.draft_saved_at = now
        fields += ["draft", "draft_saved_at"]
    session.save(update_fields=fields)
    return session


def pending_draft(*, article: Article, user) -> EditingSession | None:
    """An autosave newer than the article's last save whose text differs from it, or None."""
    session = EditingSession.objects.filter(article=article, user=user, draft_saved_at__isnull=False).first()
    if session is None or session.draft_saved_at <= article.modified_at:
        return None
    if all(session.draft.get(name, "") == (getattr(article, name) or "") for name in DRAFT_FIELDS):
        return None
    return session


def discard_draft(*, article: Article, user) -> None:
    EditingSession.objects.filter(article=article, user=user).update(draft={}, draft_saved_at=None)


def leave(*, article: Article, user) -> None:
    EditingSession.objects.filter(article=article, user=user).update(seen_at=timezone.now() - timedelta(days=1))
