"""The index follows publishing: newsroom signals (sent after commit) update it at once; an edit of
the editors' synonym list reaches every process's next search."""

import logging

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kiji.newsroom import signals
from kiji.search import services
from kiji.search.expand import synonyms_changed
from kiji.search.models import SynonymGroup

log = logging.getLogger(__name__)


@receiver(signals.article_changed, dispatch_uid="search.article_changed")
def _article_changed(sender, article, deleted=False, **kwargs):
    # The article is already committed: a failure here must not turn an editor's publish into
    # an error page. It is logged, and `kiji reindex` repairs the index.
    try:
        if deleted:
            # A deleted row's pk may already be None: then the cascade removed its document too.
            if article.pk is not None:
                services.remove_article(article.pk)
        else:
            services.sync_article(article.pk)
    except Exception:
        log.exception("search index: could not update article %s", article.pk)


@receiver(signals.articles_imported, dispatch_uid="search.articles_imported")
def _articles_imported(sender, article_ids, **kwargs):
    try:
        services.index_articles(article_ids)
    except Exception:
        log.exception("search index: could not index %d imported articles", len(article_ids))


@receiver([post_save, post_delete], sender=SynonymGroup, dispatch_uid="search.synonyms_changed")
def _synonyms_changed(sender, **kwargs):
    synonyms_changed()
