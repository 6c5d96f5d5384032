"""Writing comments: posting with every protection, likes, reports and moderation. Views and admin call these."""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from kiji.comments import text
from kiji.comments.counters import counter_backend
from kiji.comments.models import Comment, CommentSection, Like, ModerationAction, NGWord, Report, Visitor
from kiji.comments.rules import section_for, section_state
from kiji.lib import metrics
from kiji.lib.pagecache import purge_article
from kiji.newsroom.models import Article

NICKNAME_MAX = 20
NICKNAME_MAX_CODE_POINTS = 100  # the column's size: a few emoji sequences fit, thousands of marks do not
# Caps in code points beside the caps in graphemes: one "character" cannot hold thousands of code points.
GRAPHEME_MAX_CODE_POINTS = 16  # 👨🏽‍👩🏽‍👧🏽‍👦🏽 is 11
CODE_POINTS_PER_CHARACTER = 4  # a comment holds at most KIJI_COMMENTS_MAX_LENGTH x this code points
DEFAULT_NICKNAME = "匿名"
RAW_INPUT_MAX = 5000  # characters; anything longer is refused before the (costlier) grapheme count
FLOOD_WINDOW = 600
BAD = [Comment.Status.REJECTED, Comment.Status.SPAM, Comment.Status.HIDDEN]


class CommentRejected(Exception):
    """A comment that was not accepted; `message` is the Japanese reason shown above the reader's text."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def hash_ip(ip: str) -> str:
    """A keyed hash of the IP address: enough to rate-limit and ban, useless to anyone without SECRET_KEY."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()[:32]


def get_visitor(*, key: str, ip_hash: str = "") -> Visitor:
    """The visitor with this (signed cookie) key; a new row counts against the address's hourly allowance."""
    visitor = Visitor.objects.filter(key=key).first()
    created = visitor is None
    if created:
        allowance = settings.KIJI_COMMENTS_IP_NEW_VISITORS_PER_HOUR
        if ip_hash and counter_backend().incr(f"newvisitor:ip:{ip_hash}", 3600) > allowance:
            raise CommentRejected("操作が多すぎます。しばらく待ってから、もう一度お試しください。", status=429)
        visitor, created = Visitor.objects.get_or_create(key=key, defaults={"ip_hash": ip_hash})
    if not created and ip_hash and visitor.ip_hash != ip_hash:
        Visitor.objects.filter(pk=visitor.pk).update(ip_hash=ip_hash)
        visitor.ip_hash = ip_hash
    return visitor


def clean_body(raw: str) -> str:
    """The body as it will be stored, or CommentRejected (empty, too long)."""
    limit = settings.KIJI_COMMENTS_MAX_LENGTH
    if len(raw) > RAW_INPUT_MAX:
        raise CommentRejected(f"コメントが長すぎます。{limit}文字以内で入力してください。")
    body = text.clean(raw)
    if not body:
        raise CommentRejected("コメントが空です。本文を入力してください。")
    if (n := text.length(body)) > limit:
        raise CommentRejected(f"コメントが長すぎます（{n}文字）。{limit}文字以内で入力してください。")
    if len(body) > limit * CODE_POINTS_PER_CHARACTER or text.longest_grapheme(body) > GRAPHEME_MAX_CODE_POINTS:
        raise CommentRejected("見えない文字や結合文字が多すぎます。普通の文字で入力してください。")
    return body


def clean_nickname(raw: str) -> str:
    nickname = text.clean(raw[:RAW_INPUT_MAX], multiline=False)
    if text.length(nickname) > NICKNAME_MAX:
        raise CommentRejected(f"ニックネームが長すぎます。{NICKNAME_MAX}文字以内で入力してください。")
    if len(nickname) > NICKNAME_MAX_CODE_POINTS or text.longest_grapheme(nickname) > GRAPHEME_MAX_CODE_POINTS:
        raise CommentRejected("ニックネームに見えない文字や結合文字が多すぎます。普通の文字で入力してください。")
    return nickname or DEFAULT_NICKNAME


def ng_word_action(body: str) -> tuple[str, str] | None:
    """(action, word) of the strictest NG word in the body, matched on folded text, or None."""
    folded = text.fold(body)
    found = None
    for word, fword, action in NGWord.objects.values_list("word", "folded", "action"):
        if fword and fword in folded:
            if action == NGWord.Action.REJECT:
                return action, word
            found = found or (action, word)
    return found


def _is_banned(visitor: Visitor, ip_hash: str, now: datetime) -> bool:
    if visitor.banned_until and visitor.banned_until > now:
        return True
    return bool(ip_hash) and Visitor.objects.banned(now).filter(ip_hash=ip_hash).exists()


def _check_rate(visitor: Visitor, ip_hash: str) -> None:
    limits = {
        (f"rate:v:{visitor.key}", 60): settings.KIJI_COMMENTS_RATE_PER_MINUTE,
        (f"rate:v:{visitor.key}", 86400): settings.KIJI_COMMENTS_RATE_PER_DAY,
    }
    if ip_hash:
        limits[(f"rate:ip:{ip_hash}", 60)] = settings.KIJI_COMMENTS_IP_RATE_PER_MINUTE
        limits[(f"rate:ip:{ip_hash}", 86400)] = settings.KIJI_COMMENTS_IP_RATE_PER_DAY
    counts = counter_backend().incr_many(list(limits))
    if any(count > limit for count, limit in zip(counts, limits.values(), strict=True)):
        raise CommentRejected("投稿が速すぎます。しばらく待ってから、もう一度投稿してください。", status=429)


def _is_duplicate(article: Article, visitor: Visitor, digest: str, now: datetime) -> bool:
    recent = Q(visitor=visitor) | Q(created_at__gte=now - timedelta(hours=1))
    return Comment.objects.filter(recent, article=article, body_hash=digest).exists()


def _visitor_hold_reason(visitor: Visitor) -> str:
    first = settings.KIJI_COMMENTS_FIRST_HELD
    if first and visitor.approved_count < first:
        return f"初めての投稿者（承認済み {visitor.approved_count} / {first} 件）"
    if mostly_rejected(visitor):
        return "最近のコメントの多くが非掲載"
    return ""


def mostly_rejected(visitor: Visitor) -> bool:
    recent = list(
        Comment.objects.filter(visitor=visitor)
        .exclude(status=Comment.Status.PENDING)
        .order_by("-created_at")
        .values_list("status", flat=True)[:10]
    )
    return len(recent) >= 4 and sum(s in (Comment.Status.REJECTED, Comment.Status.SPAM) for s in recent) * 2 > len(
        recent
    )


def _detect_flood(article: Article, now: datetime) -> bool:
    """True when this article's comments in the last 10 minutes are well above its normal pace.

    Normal is the article's average per 10 minutes over the past day; "well above" is four times that,
    and never below KIJI_COMMENTS_FLOOD_PER_10MIN, so a busy article is not throttled for being busy.
    """
    count = counter_backend().incr(f"flood:{article.pk}", FLOOD_WINDOW)
    floor = settings.KIJI_COMMENTS_FLOOD_PER_10MIN
    if count <= floor:
        return False
    day = Comment.objects.filter(article=article, created_at__gte=now - timedelta(days=1)).count()
    return count > max(floor, 4 * day / 144)


def _record(
    kind: str,
    *,
    comment: Comment | None = None,
    article: Article | None = None,
    visitor: Visitor | None = None,
    by=None,
    reason: str = "",
) -> ModerationAction:
    return ModerationAction.objects.create(
        kind=kind,
        comment=comment,
        article=article or (comment.article if comment else None),
        visitor=visitor or (comment.visitor if comment else None),
        by=by,
        reason=reason[:300],
    )


def _purge_after_commit(article_pks: Iterable[int]) -> None:
    for pk in set(article_pks):
        transaction.on_commit(lambda pk=pk: purge_article(pk))


def post_comment(
    *,
    article: Article,
    visitor: Visitor,
    body: str,
    nickname: str = "",
    ip_hash: str = "",
    now: datetime | None = None,
    reply_to: int | None = None,
) -> Comment:
    """Store a reader's comment, approved or held with the reason; raise CommentRejected with a Japanese reason.

    reply_to: the shown comment of the same article it answers; a reply to a reply joins its thread (one level)."""
    now = now or timezone.now()
    parent = reply_target(article, reply_to) if reply_to else None
    if reply_to and parent is None:
        raise CommentRejected(
            "返信先のコメントが見つかりません。コメントとして投稿するか、ページを読み込み直してください。"
        )
    state = section_state(article, now=now)
    if state.hidden or state.closed_message:
        raise CommentRejected(state.closed_message or "コメントは受け付けていません。")
    body = clean_body(body)
    nickname = clean_nickname(nickname)
    if _is_banned(visitor, ip_hash, now):
        raise CommentRejected("現在、コメントを投稿できません。")
    ng = ng_word_action(body)
    if ng and ng[0] == NGWord.Action.REJECT:
        raise CommentRejected("使用できない言葉が含まれています。表現を変えて投稿してください。")
    digest = text.body_hash(body)
    _check_rate(visitor, ip_hash)
    if _is_duplicate(article, visitor, digest, now):
        raise CommentRejected("同じコメントが投稿済みです。")
    reasons = [state.held_reason] if state.held_reason else []
    if ng:
        reasons.append(f"NGワード: {ng[1]}")
    if reason := _visitor_hold_reason(visitor):
        reasons.append(reason)
    # Not one transaction with the checks above: with the database backend, a rolled-back
    # transaction would also roll back the rate-limit counts of refused attempts.
    with transaction.atomic():
        if _detect_flood(article, now):
            _switch_to_premoderation(article)
            reasons.append(FLOOD_REASON)
        comment = Comment.objects.create(
            article=article,
            visitor=visitor,
            ip_hash=ip_hash,
            nickname=nickname,
            body=body,
            body_hash=digest,
            parent=parent,
            status=Comment.Status.PENDING if reasons else Comment.Status.APPROVED,
            held_reason="; ".join(reasons),
        )
        if comment.status == Comment.Status.APPROVED:
            _purge_after_commit([article.pk])
    metrics.inc("kiji_comments_total", result="approved" if comment.status == Comment.Status.APPROVED else "held")
    return comment


def reply_target(article: Article, pk: int) -> Comment | None:
    """The thread a reply to comment `pk` joins: that shown comment of the article, or the one it answers."""
    comment = Comment.objects.visible().filter(article=article, pk=pk).select_related("parent").first()
    return (comment.parent or comment) if comment else None


# Why a comment was held and why its section changed mode, in the words moderators read (in Japanese).
FLOOD_REASON = "投稿が集中したため事前確認に切り替え"


def _switch_to_premoderation(article: Article) -> None:
    section = section_for(article)
    if section.mode == CommentSection.Mode.OPEN:
        section.mode = CommentSection.Mode.PREMODERATED
        section.save()
        _record(
            ModerationAction.Kind.SECTION_MODE,
            article=article,
            reason=FLOOD_REASON,
        )


ACTION_LIMITS = {  # (per visitor, per address) per hour, read when used so tests may override them
    "like": lambda: (settings.KIJI_COMMENTS_LIKES_PER_HOUR, settings.KIJI_COMMENTS_IP_LIKES_PER_HOUR),
    "report": lambda: (settings.KIJI_COMMENTS_REPORTS_PER_HOUR, settings.KIJI_COMMENTS_IP_REPORTS_PER_HOUR),
}


def _check_action_rate(kind: str, visitor: Visitor, ip_hash: str) -> None:
    """Likes and reports per visitor and per address (through the one trusted-proxy rule), per hour."""
    per_visitor, per_address = ACTION_LIMITS[kind]()
    limits = {(f"{kind}:v:{visitor.key}", 3600): per_visitor}
    if ip_hash:
        limits[(f"{kind}:ip:{ip_hash}", 3600)] = per_address
    counts = counter_backend().incr_many(list(limits))
    if any(count > limit for count, limit in zip(counts, limits.values(), strict=True)):
        raise CommentRejected("操作が多すぎます。しばらく待ってから、もう一度お試しください。", status=429)


def like_comment(*, comment: Comment, visitor: Visitor, ip_hash: str = "") -> bool:
    """共感: True when this visitor's like was counted (once per visitor per comment, within the hourly limits)."""
    if Like.objects.filter(comment=comment, visitor=visitor).exists():
        return False
    _check_action_rate("like", visitor, ip_hash)
    if ip_hash and counter_backend().incr(f"like:ip:{ip_hash}:c{comment.pk}", 86400) > (
        settings.KIJI_COMMENTS_IP_LIKES_PER_COMMENT
    ):
        return False  # this address has moved this comment's count enough today
    with transaction.atomic():
        try:
            with transaction.atomic():
                Like.objects.create(comment=comment, visitor=visitor)
        except IntegrityError:
            return False
        Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
    return True


def reporter_weighs(visitor: Visitor, now: datetime) -> bool:
    """A report counts toward hiding only from a visitor known for a while (or with an approved comment),
    not banned, and whose own recent comments are not mostly rejected."""
    if visitor.banned_until and visitor.banned_until > now:
        return False
    young = visitor.created_at > now - timedelta(minutes=settings.KIJI_COMMENTS_REPORTER_MIN_AGE)
    if young and visitor.approved_count == 0:
        return False
    return not mostly_rejected(visitor)


def report_comment(
    *, comment: Comment, visitor: Visitor, reason: str, ip_hash: str = "", now: datetime | None = None
) -> bool:
    """通報: True when counted. The comment is hidden for review once KIJI_COMMENTS_REPORTS_TO_HIDE reports
    that weigh come from at least KIJI_COMMENTS_REPORT_ADDRESSES_TO_HIDE distinct addresses."""
    now = now or timezone.now()
    if Report.objects.filter(comment=comment, visitor=visitor).exists():
        return False
    _check_action_rate("report", visitor, ip_hash)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Report.objects.create(
                    comment=comment,
                    visitor=visitor,
                    reason=reason,
                    ip_hash=ip_hash,
                    weighs=reporter_weighs(visitor, now),
                )
        except IntegrityError:
            return False
        Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
        comment.refresh_from_db()
        if comment.status == Comment.Status.APPROVED and _reports_hide(comment):
            comment.status = Comment.Status.HIDDEN
            comment.save(update_fields=["status"])
            _record(ModerationAction.Kind.HIDE, comment=comment, reason=f"通報 {comment.report_count} 件")
            _purge_after_commit([comment.article_id])
            check_section_health(article=comment.article)
    return True


def _reports_hide(comment: Comment) -> bool:
    weighing = Report.objects.filter(comment=comment, weighs=True)
    if weighing.count() < settings.KIJI_COMMENTS_REPORTS_TO_HIDE:
        return False
    addresses = weighing.exclude(ip_hash="").values("ip_hash").distinct().count()
    return addresses >= settings.KIJI_COMMENTS_REPORT_ADDRESSES_TO_HIDE


def check_section_health(*, article: Article) -> bool:
    """Hide the article's whole comment section when rejected/reported comments pass the share; True if hidden."""
    section = section_for(article)
    if section.hidden or not section.auto_hide:
        return False
    counts = (
        Comment.objects.filter(article=article)
        .exclude(status=Comment.Status.PENDING)
        .aggregate(total=Count("pk"), bad=Count("pk", filter=Q(status__in=BAD)))
    )
    if counts["total"] < 10 or counts["bad"] * 100 < settings.KIJI_COMMENTS_HIDE_SHARE * counts["total"]:
        return False
    section.hidden = True
    section.save()
    _record(
        ModerationAction.Kind.SECTION_HIDE,
        article=article,
        reason=f"直近 {counts['total']} 件中 {counts['bad']} 件が却下・通報",
    )
    _purge_after_commit([article.pk])
    return True


def _moderate(comments: Iterable[Comment], *, status: str, kind: str, by, reason: str) -> int:
    now = timezone.now()
    changed = []
    for comment in comments:
        if comment.status == status:
            continue
        if status == Comment.Status.APPROVED and comment.status == Comment.Status.PENDING:
            Visitor.objects.filter(pk=comment.visitor_id).update(approved_count=F("approved_count") + 1)
        comment.status = status
        comment.moderated_at = now
        if status == Comment.Status.APPROVED:
            comment.report_count = 0  # reviewed: old reports no longer count towards hiding it
        comment.save(update_fields=["status", "moderated_at", "report_count"])
        _record(kind, comment=comment, by=by, reason=reason)
        changed.append(comment)
    _purge_after_commit(c.article_id for c in changed)
    return len(changed)


@transaction.atomic
def approve_comments(*, comments: Iterable[Comment], by, reason: str = "") -> int:
    """Approve comments (pending, hidden or rejected ones); returns how many changed."""
    return _moderate(comments, status=Comment.Status.APPROVED, kind=ModerationAction.Kind.APPROVE, by=by, reason=reason)


@transaction.atomic
def reject_comments(
    *, comments: Iterable[Comment], by, reason: str = "", spam: bool = False, remove: bool = False
) -> int:
    """Reject (or mark spam, or remove after approval); may hide the article's section; returns how many changed."""
    comments = list(comments)
    status, kind = (
        (Comment.Status.SPAM, ModerationAction.Kind.SPAM)
        if spam
        else (Comment.Status.REMOVED, ModerationAction.Kind.REMOVE)
        if remove
        else (Comment.Status.REJECTED, ModerationAction.Kind.REJECT)
    )
    changed = _moderate(comments, status=status, kind=kind, by=by, reason=reason)
    for article in {c.article for c in comments}:
        check_section_health(article=article)
    return changed


@transaction.atomic
def ban_visitors(*, comments: Iterable[Comment], by, days: int, reason: str = "") -> int:
    """Ban the authors of these comments (cookie id and IP hash) for `days`; returns how many visitors."""
    until = timezone.now() + timedelta(days=days)
    visitors = {c.visitor_id: c for c in comments}
    for comment in visitors.values():
        Visitor.objects.filter(pk=comment.visitor_id).update(banned_until=until)
        _record(
            ModerationAction.Kind.BAN, comment=comment, by=by, reason=f"{days}日間" + (f": {reason}" if reason else "")
        )
    return len(visitors)


@transaction.atomic
def set_section_mode(*, article: Article, mode: str, by, reason: str = "") -> CommentSection:
    section = section_for(article)
    section.mode = mode
    section.save()
    _record(
        ModerationAction.Kind.SECTION_MODE,
        article=article,
        by=by,
        reason=f"{CommentSection.Mode(mode).label}: {reason}".rstrip(": "),
    )
    _purge_after_commit([article.pk])
    return section


@transaction.atomic
def show_section(*, article: Article, by, reason: str = "") -> CommentSection:
    """Show a hidden section again; a moderator has reviewed it, so it no longer hides by itself."""
    section = section_for(article)
    section.hidden = False
    section.auto_hide = False
    section.save()
    _record(ModerationAction.Kind.SECTION_SHOW, article=article, by=by, reason=reason)
    _purge_after_commit([article.pk])
    return section


@transaction.atomic
def lift_bans(*, visitors: Iterable[Visitor], by, reason: str = "") -> int:
    """Let banned visitors comment again; recorded like a ban."""
    count = 0
    for visitor in visitors:
        if visitor.banned_until:
            Visitor.objects.filter(pk=visitor.pk).update(banned_until=None)
            _record(ModerationAction.Kind.UNBAN, visitor=visitor, by=by, reason=reason)
            count += 1
    return count
