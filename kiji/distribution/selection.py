"""Which articles a partner receives: the one rule every partner feed reads through."""

from datetime import timedelta

from django.utils import timezone

from kiji.distribution.models import OptOut, Partner
from kiji.newsroom.models import Article, ArticleQuerySet


def articles_for(partner: Partner, now=None):
    """Published articles past the partner's delay, in its categories, not opted out, newest first."""
    now = now or timezone.now()
    articles = Article.objects.published(now=now - timedelta(minutes=partner.embargo_minutes))
    categories = list(partner.categories.values_list("pk", flat=True))
    if categories:
        articles = articles.filter(category__in=categories)
    opted_out = OptOut.objects.filter(partner=partner).values("article_id")
    return articles.exclude(pk__in=opted_out).latest_first()


def related_for(article: Article, partner: Partner, now=None) -> list[Article]:
    """Up to partner.related_links other articles of the same category this partner also receives."""
    if not partner.related_links:
        return []
    others = articles_for(partner, now).filter(category=article.category_id).exclude(pk=article.pk)
    return list(others.only("pk", "slug", "headline", "short_headline")[: partner.related_links])


def for_site_channel(articles: ArticleQuerySet, channel: str, now=None) -> ArticleQuerySet:
    """`articles` less those kept out of one of the site's own channels (Partner.Format.PUBLIC_FEEDS or
    GOOGLE_NEWS) or still within its delay; unchanged when the channel has no row."""
    partner = Partner.objects.filter(format=channel).only("pk", "embargo_minutes").first()
    if partner is None:
        return articles
    now = now or timezone.now()
    if partner.embargo_minutes:
        articles = articles.filter(published_at__lte=now - timedelta(minutes=partner.embargo_minutes))
    return articles.exclude(pk__in=OptOut.objects.filter(partner=partner).values("article_id"))
