"""What fills the article page's side lists and widgets.

Each function returns plain data for one slot of the page. The reader templates render an honest
empty state when a list is empty. The audience, comments and search apps provide the real data;
this module is the one place the reader site asks them. Every list is precomputed in the
background (kiji.audience.lists): a slot is one read of the store plus one query for the articles.
"""

from django.conf import settings

from kiji.audience import lists
from kiji.newsroom.models import Article, Category


def category_ranking(category: Category, *, limit: int = 6) -> list[Article]:
    """Most-read published articles of a category in the site's ranking window (default 24 h)."""
    return lists.ranking(category, limit=limit)


def also_read(article: Article, *, limit: int = 8) -> list[Article]:
    """こんな記事も読まれています: content similarity + co-readership, else the category's latest."""
    return lists.also_read(article, limit=limit)


def recommended(*, limit: int = 5) -> list[Article]:
    """おすすめニュース: editors' active picks, filled up by the day's ranking and trending."""
    return lists.recommended(limit=limit)


def trending(*, limit: int = 5) -> list[Article]:
    """話題: articles whose last hour rises most above their own baseline."""
    return lists.trending(limit=limit)


def view_count(article: Article) -> str:
    """The article's views as portals show them (1,234 / 1.2万), or "" when the site hides counts."""
    if not settings.KIJI_SHOW_VIEW_COUNT:
        return ""
    return lists.format_count(lists.total_views(article.pk))


def comments(article: Article) -> dict:
    """The article's comment count, first comments and form state (comments app); the same for every reader."""
    from kiji.comments.display import article_comments

    return article_comments(article)
