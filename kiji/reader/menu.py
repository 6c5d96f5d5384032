"""The main menu's categories and the footer's pages, read once and kept until one changes."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kiji.lib import pagecache
from kiji.lib.memo import Memo
from kiji.newsroom.models import Category
from kiji.pages.models import Page

_KEY = "reader:menu:v1"
# Every page shows the menu twice; unpickling it from the cache each time cost more than the rest of
# the header. Each process keeps it while the site version (bumped when a category changes) holds.
_memo = Memo(seconds=300, max_entries=4)
_footer_memo = Memo(seconds=300, max_entries=4)


def menu_categories() -> list[Category]:
    version = pagecache.versions(None)[0]
    categories = _memo.get(version)
    if categories is not None:
        return categories
    categories = cache.get(_KEY)
    if categories is None:
        categories = list(Category.objects.filter(in_menu=True))
        cache.set(_KEY, categories, 300)
    if version != -1:  # -1: the version store is unreachable, so nothing may be kept on it
        _memo.set(version, categories)
    return categories


@receiver([post_save, post_delete], sender=Category)
def _forget_menu(**kwargs):
    _clear_menu()
    # Again once the change commits: a page rendered meanwhile (a long import) kept the old menu.
    transaction.on_commit(_clear_menu)


def _clear_menu() -> None:
    _memo.clear()
    cache.delete(_KEY)


def footer_pages() -> list[Page]:
    """The published pages linked from the footer (会社概要, プライバシーポリシー …), in their order."""
    version = pagecache.versions(None)[0]
    pages = _footer_memo.get(version)
    if pages is None:
        pages = list(Page.objects.in_footer().only("title", "path"))
        if version != -1:
            _footer_memo.set(version, pages)
    return pages


@receiver([post_save, post_delete], sender=Page)
def _forget_footer(**kwargs):
    _footer_memo.clear()
    transaction.on_commit(pagecache.purge_site)  # every cached page shows the footer
