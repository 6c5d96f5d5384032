"""What the article page and the comment page show: count, one page of comments, the form's state."""

from django.conf import settings
from django.core.paginator import Paginator

from kiji.comments import rules
from kiji.comments.forms import started_stamp
from kiji.comments.models import Comment, Report
from kiji.newsroom.models import Article

SORTS = {"newest": "新しい順", "oldest": "古い順", "liked": "共感の多い順"}
ARTICLE_PAGE_COMMENTS = 10


def comments_page(article: Article, *, sort: str = "newest", page: int | str = 1, size: int | None = None):
    """One page of the article's approved comments in the given order (a Django Page)."""
    sort = sort if sort in SORTS else "newest"
    queryset = (
        Comment.objects.visible()
        .filter(article=article)
        .sorted_by(sort)
        .select_related("parent")  # a reply names whom it answers: a join, not a query per comment
        .only("pk", "article_id", "nickname", "body", "like_count", "created_at", "parent__nickname")
    )
    return Paginator(queryset, size or settings.KIJI_COMMENTS_PAGE_SIZE).get_page(page)


def section_context(article: Article, *, sort: str = "newest", page: int | str = 1, size: int | None = None) -> dict:
    """Everything the comment templates need that is the same for every reader (so it may be cached)."""
    state = rules.section_state(article)
    comments = None if state.hidden else comments_page(article, sort=sort, page=page, size=size)
    return {
        "article": article,
        "state": state,
        "hidden_message": rules.MESSAGE_HIDDEN,
        "count": comments.paginator.count if comments else 0,
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
