"""What the API shows of each object: explicit field whitelists, nothing else leaves the building.

No status, created_by, user ids, e-mail addresses, revisions or source of drafts: only what a reader
of the published page can already see.
"""

from kiji.lib.dates import iso_jst
from kiji.newsroom.models import Article, Category, Tag, Writer
from kiji.reader.seo import absolute, large_image


def category_data(category: Category) -> dict:
    return {
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "url": absolute(category.get_absolute_url()),
    }


def _ref(obj: Category | Writer | Tag) -> dict:
    """A category, writer or tag named in an article: slug, name and page."""
    return {"slug": obj.slug, "name": obj.name, "url": absolute(obj.get_absolute_url())}


def _image(article: Article) -> dict | None:
    image = article.lead_image
    if image is None or not image.file:
        return None
    large = large_image(image)
    return {
        "url": large["url"] if large else absolute(image.file.url),
        "width": large["width"] if large else image.width,
        "height": large["height"] if large else image.height,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
    }


def article_summary(article: Article) -> dict:
    """An article in a list: expects for_cards() and prefetched tags."""
    return {
        "id": article.pk,
        "url": absolute(article.get_absolute_url()),
        "headline": article.headline,
        "deck": article.deck,
        "description": article.description,
        "category": _ref(article.category),
        "writers": [_ref(w) for w in article.writers.all()],
        "tags": [_ref(t) for t in article.tags.all()],
        "published_at": iso_jst(article.published_at),
        "updated_at": iso_jst(article.displayed_update) or None,
        "image": _image(article),
        # 広告/PR: an app showing the article must label it too
        "sponsor": {"label": article.sponsor_label, "name": article.sponsor_name} if article.sponsorship else None,
    }


def article_detail(article: Article) -> dict:
    """An article with its body (nh3-sanitized HTML), corrections and source credit."""
    return {
        **article_summary(article),
        "body_html": article.body,
        "source_credit": article.source_credit,
        "source_url": article.source_url or None,
        "corrections": [{"text": c.text, "created_at": iso_jst(c.created_at)} for c in article.corrections.all()],
    }
