"""Writes about distribution: keeping articles out of a partner's feed."""

from django.core.exceptions import PermissionDenied

from kiji.distribution.models import OptOut, Partner
from kiji.newsroom.permissions import can_edit
from kiji.newsroom.services.publishing import announce_change


def opt_out(*, articles, partner: Partner, by) -> int:
    """Keeps these articles out of this partner's feed (配信しない); returns how many were newly kept out.
    Articles the user may not edit are refused with PermissionDenied before anything changes."""
    articles = list(articles)
    if not all(can_edit(by, article) for article in articles):
        raise PermissionDenied
    existing = set(OptOut.objects.filter(partner=partner, article__in=articles).values_list("article_id", flat=True))
    new = [OptOut(article=a, partner=partner) for a in articles if a.pk not in existing]
    OptOut.objects.bulk_create(new, ignore_conflicts=True)
    for optout in new:
        announce_change(optout.article)  # cached feeds and sitemaps drop it
    return len(new)
