"""When an article takes comments, and how: mode, auto-close, quiet hours, hidden sections (read-only)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from kiji.comments.models import CommentSection
from kiji.lib.dates import to_jst
from kiji.lib.env import parse_time_window
from kiji.newsroom.models import Article

MESSAGE_CLOSED = "この記事へのコメントは受け付けていません。"
MESSAGE_AUTO_CLOSED = "この記事へのコメントの受け付けは終了しました。"
MESSAGE_HIDDEN = (
    "この記事のコメント欄は、不適切な投稿や通報が多いため、現在非表示にしています。担当者が確認したうえで再開します。"
)
MESSAGE_HELD = "この記事へのコメントは、担当者の確認後に掲載されます。"


@dataclass(frozen=True)
class SectionState:
    """What readers see of an article's comments right now."""

    hidden: bool = False
    closed_message: str = ""  # non-empty: the form is closed, and this says why (and when it reopens)
    held_message: str = ""  # non-empty: new comments wait for a moderator
    held_reason: str = ""  # the same, for moderators (in Japanese: the queue shows it as written)

    @property
    def accepting(self) -> bool:
        return not self.hidden and not self.closed_message


def quiet_hours(value: str | None = None) -> tuple[time, time] | None:
    """The site-wide quiet hours (JST), or None; the setting was checked at start-up (kiji.lib.env)."""
    value = settings.KIJI_COMMENTS_QUIET_HOURS if value is None else value
    return parse_time_window(value) if value else None


def in_quiet_hours(now: datetime) -> bool:
    hours = quiet_hours()
    if not hours:
        return False
    start, end = hours
    t = to_jst(now).time()
    return start <= t < end if start < end else (t >= start or t < end)


def _quiet_message(action: str) -> str:
    start, end = quiet_hours()
    span = f"{start:%H:%M}〜{end:%H:%M}"
    if action == "close":
        return f"コメントの受け付けは {span}（日本時間）の間休止しています。{end:%H:%M} に再開します。"
    return f"{span}（日本時間）に投稿されたコメントは、{end:%H:%M} 以降に担当者が確認してから掲載します。"


def closes_at(article: Article) -> datetime | None:
    days = settings.KIJI_COMMENTS_AUTO_CLOSE_DAYS
    if not days or not article.published_at:
        return None
    return article.published_at + timedelta(days=days)


def section_for(article: Article) -> CommentSection:
    """The article's section row, or an unsaved open one."""
    try:
        return article.comment_section
    except CommentSection.DoesNotExist:
        return CommentSection(article=article)


def section_state(article: Article, *, now: datetime | None = None) -> SectionState:
    now = now or timezone.now()
    section = section_for(article)
    if section.hidden:
        return SectionState(hidden=True)
    if section.mode == CommentSection.Mode.CLOSED:
        return SectionState(closed_message=MESSAGE_CLOSED)
    if (close := closes_at(article)) and now >= close:
        return SectionState(closed_message=MESSAGE_AUTO_CLOSED)
    if in_quiet_hours(now):
        action = settings.KIJI_COMMENTS_QUIET_ACTION
        if action == "close":
            return SectionState(closed_message=_quiet_message("close"))
        return SectionState(held_message=_quiet_message("hold"), held_reason="夜間の確認時間帯")
    if section.mode == CommentSection.Mode.PREMODERATED:
        return SectionState(held_message=MESSAGE_HELD, held_reason="事前確認の記事")
    return SectionState()
