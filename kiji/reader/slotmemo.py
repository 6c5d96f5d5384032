"""The article page's side lists remembered per process for a few seconds (KIJI_SLOT_MEMO_SECONDS)."""

from django.conf import settings

from kiji.lib import pagecache
from kiji.lib.memo import Memo


def kept(memo: Memo, key: tuple, article_pk: int | None, make):
    """make(), remembered in `memo` under the page cache's versions (the site's, and article_pk's page's
    when given), so a purge makes every process make it afresh, as it renews cached pages. Made each
    time when memos are off (KIJI_SLOT_MEMO_SECONDS <= 0) or the version store is unreachable (-1)."""
    if settings.KIJI_SLOT_MEMO_SECONDS <= 0:
        return make()
    version = pagecache.versions(article_pk)
    if -1 in version:
        return make()
    return memo.get_or_set((*key, version), make)


class SlotMemo:
    """The page's side lists and widgets (kiji.reader.slots), remembered per process for a few seconds.

    Lists such as rankings are the same on thousands of pages; asking their store on every render
    would cost more than the rest of the page. An entry is keyed by the page cache versions, so a
    purge (an edit, a new comment) makes every worker ask afresh at once, as it does for pages.
    """

    MAX_ENTRIES = 2000

    def __init__(self, module, seconds: float):
        self._module = module
        self._seconds = seconds
        self._memo = Memo(seconds=seconds, max_entries=self.MAX_ENTRIES)
        self._wrappers: dict = {}

    def __getattr__(self, name):
        if name not in self._wrappers:
            func = getattr(self._module, name)
            self._wrappers[name] = self._wrap(name, func) if callable(func) and self._seconds > 0 else func
        return self._wrappers[name]

    def _wrap(self, name, func):
        def memoized(*args, **kwargs):
            article_pk = next((a.pk for a in args if type(a).__name__ == "Article"), None)
            key = (name, tuple(_ident(a) for a in args), tuple(sorted(kwargs.items())), pagecache.versions(article_pk))
            return self._memo.get_or_set(key, lambda: func(*args, **kwargs))

        return memoized


def _ident(value):
    pk = getattr(value, "pk", None)
    return (type(value).__name__, pk) if pk is not None else value
