"""What the article page and the comment page show: count, one page of comments, the form's state."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q

from kiji.comments import rules
from kiji.comments.forms import started_stamp
from kiji.comments.models import Comment, Report
from kiji.lib.queries import PreparedValue
from kiji.newsroom.models import Article

SORTS = {"newest": "新しい順", "oldest": "古い順", "liked": "共感の多い順"}
ARTICLE_PAGE_COMMENTS = 10


FIELDS = ("pk", "article_id", "nickname", "body", "like_count", "created_at", "parent_id")


# The article page asks on every render: compiled once (kiji.lib.queries).
_shown = PreparedValue(
    lambda pk: (
        Comment.objects.visible().filter(article_id=pk).values("article_id").annotate(n=Count("pk")).values_list("n")
    ),
    default=0,
)


def comments_page(article: Article, *, sort: str = "newest", page: int | str = 1, size: int | None = None):
    """One page of the article's approved threads in the given order (a Django Page), each with its
    approved replies, oldest first, in `shown_replies` (one level, as on Japanese portals; one query for the page)."""
    sort = sort if sort in SORTS else "newest"
    visible = Comment.objects.visible().filter(article=article)
    threads = (
        # A reply whose comment is no longer shown stands on its own, still naming whom it answered.
        visible.filter(Q(parent__isnull=True) | ~Q(parent__status=Comment.Status.APPROVED))
        .sorted_by(sort)
        .select_related("parent")  # that name: a join, not a query per comment
        .only(*FIELDS, "parent__nickname")
    )
    page = Paginator(threads, size or settings.KIJI_COMMENTS_PAGE_SIZE).get_page(page)
    by_thread = {thread.pk: thread for thread in page}
    for thread in by_thread.values():
        thread.shown_replies = []
    if by_thread:
        for reply in visible.filter(parent__in=list(by_thread)).order_by("created_at", "pk").only(*FIELDS):
            reply.parent = by_thread[reply.parent_id]
            reply.shown_replies = []
            reply.parent.shown_replies.append(reply)
    return page


def section_context(article: Article, *, sort: str = "newest", page: int | str = 1, size: int | None = None) -> dict:
    """Everything the comment templates need that is the same for every reader (so it may be cached)."""
    state = rules.section_state(article)
    # Every shown comment, replies too, counted first: most articles have none, and then one count is
    # all the section needs (an empty page, without the two queries of a page of threads).
    shown = 0 if state.hidden else _shown(article.pk, article._state.db or "default")
    if state.hidden:
        comments = None
    elif shown:
        comments = comments_page(article, sort=sort, page=page, size=size)
    else:
        comments = Paginator([], size or settings.KIJI_COMMENTS_PAGE_SIZE).get_page(page)
    return {
        "article": article,
        "state": state,
        "hidden_message": rules.MESSAGE_HIDDEN,
        "count": shown if comments and comments.paginator.count else 0,
        "comments": comments,
        "sort": sort if sort in SORTS else "newest",
        "sorts": SORTS,
        "report_reasons": Report.Reason.choices,
        "max_length": settings.KIJI_COMMENTS_MAX_LENGTH,
        "started": started_stamp(),
    }


def article_comments(article: Article) -> dict:
    """The comment section of the (cached) article page: no per-visitor data, no CSRF token."""
    return section_context(article, size=ARTICLE_PAGE_COMMENTS)
