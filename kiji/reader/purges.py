"""What purges readers' cached pages when the newsroom's content changes: wired here, and only here.

Every row readers can see (articles, categories, tags, writers, images, bylines, corrections) purges
on save and delete, whoever saved it (services, the admin and its inlines, a shell). The two writes
that bypass save() arrive as newsroom signals: the scheduler's claiming UPDATE (article_changed) and
the importer's bulk_create (articles_imported). Other apps purge for their own data by calling
kiji.lib.pagecache (comments: a new comment purges its article's page).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kiji.lib import pagecache
from kiji.newsroom import models
from kiji.newsroom import signals as newsroom_signals

READER_VISIBLE = ("Article", "Category", "Tag", "Writer", "Image", "Byline", "Correction")


def purge_for_article(pk: int | None) -> None:
    """An article changed: its page and every list page render afresh."""
    if pk:
        pagecache.purge_article(pk)
    pagecache.purge_site()


@receiver(newsroom_signals.article_changed)
def _article_changed(sender, article, **kwargs):
    purge_for_article(article.pk)


@receiver(newsroom_signals.articles_imported)
def _articles_imported(sender, **kwargs):
    pagecache.purge_site()


def _purge_after_commit(sender, instance, **kwargs):
    # Edits made outside the publishing services (the admin's inlines, a shell, an import)
    # must reach readers too; purging is cheap, so purge on every saved row readers can see.
    # Purged now (this process, and tests inside one transaction, see the change at once) and again
    # after commit (a page another worker rendered from the old rows meanwhile is dropped too).
    pk = instance.pk if sender.__name__ == "Article" else getattr(instance, "article_id", None)
    purge_for_article(pk)
    transaction.on_commit(lambda: purge_for_article(pk))


def _connect_model_purges() -> None:
    for name in READER_VISIBLE:
        model = getattr(models, name)
        post_save.connect(_purge_after_commit, sender=model, dispatch_uid=f"pagecache-save-{name}")
        post_delete.connect(_purge_after_commit, sender=model, dispatch_uid=f"pagecache-delete-{name}")


_connect_model_purges()
