"""What the audience app does when the newsroom changes, and its scheduler jobs."""

import logging

from django.dispatch import receiver

from kiji.audience import lists
from kiji.audience.backends import get_backend
from kiji.audience.beacon import forget_published
from kiji.newsroom.scheduler import register
from kiji.newsroom.signals import article_changed, articles_imported

log = logging.getLogger("kiji.audience")


@receiver(article_changed)
def _article_changed(sender, article, deleted=False, **kwargs):
    """On publish or edit: the scheduler's next also-read round (~15 s) computes the article's list
    (this may run in a web worker, which must not load numpy/scipy); readers' lists drop
    unpublished articles at read time."""
    forget_published()


@receiver(articles_imported)
def _articles_imported(sender, article_ids, **kwargs):
    """After a bulk import (the search app's receiver has indexed the articles): every also-read
    list, from one similarity model over the whole index."""
    forget_published()
    try:
        lists.compute_also_read()
    except Exception:  # the articles are committed; the scheduler's next full round catches up
        log.exception("also-read lists after the import failed")


register("audience.flush", lambda: get_backend().flush())
register("audience.lists", lists.refresh_lists_job)
register("audience.also_read", lists.refresh_also_read_job)
