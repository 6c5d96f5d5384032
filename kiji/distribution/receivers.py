"""What the distribution app does when the newsroom changes: owe the WebSub hub a ping."""

from django.dispatch import receiver

from kiji.distribution.websub import queue_pings
from kiji.newsroom.models import Article
from kiji.newsroom.signals import article_changed


@receiver(article_changed)
def _article_changed(sender, article, deleted=False, **kwargs):
    """A published article changed (published, edited, corrected) or left the feeds (unpublished,
    deleted): its feeds changed. Edits of drafts and scheduled articles change no feed."""
    if deleted or article.status in (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED):
        queue_pings(article)
