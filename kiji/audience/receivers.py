"""What the audience app does when the newsroom changes (its periodic jobs are in jobs.py)."""

import logging

from django.dispatch import receiver

from kiji.audience import lists
from kiji.audience.beacon import forget_published
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
