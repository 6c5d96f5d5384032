"""What the audience app does when the newsroom changes, and its scheduler jobs."""

import logging

from django.dispatch import receiver

from kiji.audience import lists
from kiji.audience.backends import get_backend
from kiji.audience.beacon import forget_published
from kiji.newsroom.models import Article
from kiji.newsroom.scheduler import register
from kiji.newsroom.signals import article_changed, articles_imported

log = logging.getLogger("kiji.audience")


@receiver(article_changed)
def _article_changed(sender, article, deleted=False, **kwargs):
    """On publish or edit: tokenize the article and precompute its also-read list at once."""
    forget_published()
    if deleted or not article.is_visible():
        return  # readers' lists drop it at read time (they keep only published articles)
    try:
        lists.store_terms([article])
        index = lists.content_index()
        terms = dict(lists.ArticleTerms.objects.get(article_id=article.pk).terms)
        index.add(article.pk, article.category_id, article.published_at.timestamp(), terms)
        lists.compute_also_read([article.pk], index=index)
    except Exception:  # the background refresh catches up; publishing must not fail for a side list
        log.exception("also-read precomputation failed for article %s", article.pk)


@receiver(articles_imported)
def _articles_imported(sender, article_ids, **kwargs):
    """After a bulk import: tokenize the new articles in bulk and recompute every also-read list."""
    forget_published()
    for start in range(0, len(article_ids), 500):
        lists.store_terms(Article.objects.filter(pk__in=article_ids[start:start + 500]).only(
            "pk", "headline", "body"))
    lists.forget_index()
    lists.compute_also_read()


register("audience.flush", lambda: get_backend().flush())
register("audience.lists", lists.refresh_lists_job)
register("audience.also_read", lists.refresh_also_read_job)
