"""The newsroom's periodic jobs (run by kiji.ops.scheduler)."""

from django.utils import timezone

from kiji.newsroom.services.publishing import publish_due_articles


def publish_due() -> int:
    return publish_due_articles(now=timezone.now())


JOBS = {"publish_due": publish_due}
