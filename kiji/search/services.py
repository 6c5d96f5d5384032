"""Writes to the search index: keep one SearchDocument per article readers can see."""

from collections.abc import Callable, Iterable

from django.db import transaction

from kiji.lib.html import html_to_text
from kiji.newsroom.models import Article
from kiji.search.models import SearchDocument
from kiji.search.tokenize import index_text_and_parts

BATCH_SIZE = 500


def build_document(article: Article) -> SearchDocument:
    """The index row of `article` (tags must be loaded or loadable)."""
    tag_names = " ".join(tag.name for tag in article.tags.all())
    body = "\n".join(part for part in (article.deck, html_to_text(article.body), tag_names) if part)
    title, title_parts = index_text_and_parts(article.headline)
    body, body_parts = index_text_and_parts(body)
    return SearchDocument(
        article_id=article.pk,
        category_id=article.category_id,
        published_at=article.published_at,
        title=title,
        body=body,
        parts=f"{title_parts} {body_parts}".strip(),
    )


def sync_article(article_id: int) -> bool:
    """Index the article if readers can see it, remove it otherwise; returns whether it is indexed."""
    article = Article.objects.published().prefetch_related("tags").filter(pk=article_id).first()
    if article is None:
        remove_article(article_id)
        return False
    doc = build_document(article)
    with transaction.atomic():
        # delete + insert rather than UPDATE: one code path for both backends' index upkeep
        SearchDocument.objects.filter(article_id=article_id).delete()
        doc.save(force_insert=True)
    return True


def remove_article(article_id: int) -> None:
    SearchDocument.objects.filter(article_id=article_id).delete()


def index_articles(
    article_ids: Iterable[int], *, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
) -> int:
    """(Re)index the given articles in batches; those readers cannot see are removed. Returns indexed count."""
    ids = list(article_ids)
    indexed = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        articles = Article.objects.published().filter(pk__in=batch).prefetch_related("tags")
        docs = [build_document(article) for article in articles]
        with transaction.atomic():
            SearchDocument.objects.filter(article_id__in=batch).delete()
            SearchDocument.objects.bulk_create(docs)
        indexed += len(docs)
        if progress:
            progress(len(batch))
    return indexed


def reindex_all(*, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the articles readers can see now; returns how many were indexed."""
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    _delete_invisible(ids)
    return index_articles(ids, batch_size=batch_size, progress=progress)


def _delete_invisible(ids: list[int]) -> None:
    visible = set(ids)
    stale = [pk for pk in SearchDocument.objects.values_list("article_id", flat=True) if pk not in visible]
    for start in range(0, len(stale), BATCH_SIZE):
        SearchDocument.objects.filter(article_id__in=stale[start : start + BATCH_SIZE]).delete()
