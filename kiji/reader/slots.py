"""What fills the pages' side lists and widgets: the one place the reader site (views and API) asks for them.

Each function returns plain data for one slot of a page; `for_article` and `for_home` gather a page's
slots for its view, and the templates render what they are given (an honest empty state when a list
is empty). The audience and comments apps provide the data. Every list is precomputed in the
background (kiji.audience.lists): a slot is one read of the store plus one query for the articles,
and reading never writes. Pages read through a per-process memo of a few seconds
(KIJI_SLOT_MEMO_SECONDS) that any purge ends at once.
"""

import sys

from django.conf import settings
from markupsafe import Markup

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


# ---- the side lists as HTML --------------------------------------------------------------------
# Rendering a list (its items, labels and links) cost more than reading it, so the pages remember the
# rendered fragment alone (the slot memo, under the page cache's purge versions: an edit, a publication
# or a recomputed list shows at once); a list's data is read only when its fragment is rendered. The
# memo holds no second copy of the data: the one other reader, the API, wants the articles, not HTML,
# and reads them as they are (kiji.api.views).

SIDE_LISTS = {
    "ranking": ("ranking", False, "集計中です。しばらくお待ちください。"),
    "also-read": ("こんな記事も読まれています", False, "関連する記事はまだありません。"),
    "recommended": ("おすすめニュース", True, "おすすめ記事はまだありません。"),
    "trending": ("話題", True, "いま話題の記事はまだありません。"),
}


def _side_list(css: str, items: list[Article], title: str = "") -> str:
    from django.template.loader import get_template

    default_title, labels, empty = SIDE_LISTS[css]
    context = {"title": title or default_title, "items": items, "css": css, "labels": labels, "empty": empty}
    return get_template("includes/numbered_list.html", using="jinja2").template.render(context)


def ranking_html(category: Category) -> str:
    return _side_list("ranking", category_ranking(category), title=f"{category.name} ランキング")


def also_read_html(article: Article) -> str:
    return _side_list("also-read", also_read(article))


def recommended_html() -> str:
    return _side_list("recommended", recommended())


def trending_html() -> str:
    return _side_list("trending", trending())


def _memo():
    from kiji.reader.slotmemo import SlotMemo

    global _memoized
    if _memoized is None:
        _memoized = SlotMemo(sys.modules[__name__], settings.KIJI_SLOT_MEMO_SECONDS)
    return _memoized


_memoized = None


def for_article(article: Article, *, preview: bool = False) -> dict:
    """The article page's slots: its category's ranking, also-read, おすすめ, 話題 (as HTML), views, comments."""
    memo = _memo()
    return {
        "ranking": Markup(memo.ranking_html(article.category)),
        "also_read": Markup(memo.also_read_html(article)),
        "recommended": Markup(memo.recommended_html()),
        "trending": Markup(memo.trending_html()),
        "views": "" if preview else memo.view_count(article),
        "comments": memo.comments(article),
    }


def for_home() -> dict:
    """The home page's slots: おすすめ and 話題."""
    memo = _memo()
    return {"recommended": Markup(memo.recommended_html()), "trending": Markup(memo.trending_html())}
