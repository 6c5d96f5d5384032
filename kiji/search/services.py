"""Writes to the search index: keep one SearchDocument per article readers can see."""

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from kiji.lib.db import pause_for_writers
from kiji.lib.html import html_to_text
from kiji.newsroom.models import Article
from kiji.search.expand import forget_vocabulary
from kiji.search.models import SearchDocument, Term, TermGroup
from kiji.search.tokenize import index_fields, query_words

BATCH_SIZE = 500
log = logging.getLogger(__name__)
INDEX_VERSION_KEY = "search:index-version"


def index_changed() -> None:
    """Cached search results (results.RESULT_SECONDS) are no longer used: at once, for this
    transaction's own reads, and again after the commit, for every process."""

    def bump() -> None:
        cache.set(INDEX_VERSION_KEY, time.time_ns(), None)

    bump()
    transaction.on_commit(bump)


def build_document(article: Article) -> SearchDocument:
    """The index row of `article` (tags must be loaded or loadable)."""
    tag_names = " ".join(tag.name for tag in article.tags.all())
    body = "\n".join(part for part in (article.deck, html_to_text(article.body), tag_names) if part)
    title, title_parts, title_readings = index_fields(article.headline)
    body, body_parts, body_readings = index_fields(body)
    return SearchDocument(
        article_id=article.pk,
        category_id=article.category_id,
        published_at=article.published_at,
        title=title,
        body=body,
        parts=f"{title_parts} {body_parts}".strip(),
        readings=f"{title_readings} {body_readings}".strip(),
    )


def sync_article(article_id: int) -> bool:
    """Index the article if readers can see it, remove it otherwise; returns whether it is indexed."""
    article = Article.objects.published().prefetch_related("tags").filter(pk=article_id).first()
    if article is None:
        remove_article(article_id)
        return False
    doc = build_document(article)
    with transaction.atomic():
        old = _indexed_words([article_id])
        # delete + insert rather than UPDATE: one code path for both backends' index upkeep
        SearchDocument.objects.filter(article_id=article_id).delete()
        doc.save(force_insert=True)
    count_words(_change(old, [doc]))
    index_changed()
    return True


def remove_article(article_id: int) -> None:
    with transaction.atomic():
        old = _indexed_words([article_id])
        SearchDocument.objects.filter(article_id=article_id).delete()
    count_words(_change(old, []))
    index_changed()


def index_articles(
    article_ids: Iterable[int],
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    vocabulary: bool = True,
) -> int:
    """(Re)index the given articles in batches; those readers cannot see are removed. Returns indexed count.
    vocabulary=False leaves the vocabulary's counts alone (the caller rebuilds it afterwards)."""
    ids = list(article_ids)
    indexed = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        articles = Article.objects.published().filter(pk__in=batch).prefetch_related("tags")
        docs = [build_document(article) for article in articles]
        with transaction.atomic():
            old = _indexed_words(batch) if vocabulary else []
            SearchDocument.objects.filter(article_id__in=batch).delete()
            SearchDocument.objects.bulk_create(docs)
        if vocabulary:
            count_words(_change(old, docs))
        index_changed()
        indexed += len(docs)
        if progress:
            progress(len(batch))
    return indexed


def reindex_all(*, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the articles readers can see now; returns how many were indexed."""
    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
    _delete_invisible(ids)
    indexed = index_articles(ids, batch_size=batch_size, progress=progress, vocabulary=False)
    rebuild_vocabulary()
    return indexed


def _delete_invisible(ids: list[int]) -> None:
    visible = set(ids)
    stale = [pk for pk in SearchDocument.objects.values_list("article_id", flat=True) if pk not in visible]
    for start in range(0, len(stale), BATCH_SIZE):
        SearchDocument.objects.filter(article_id__in=stale[start : start + BATCH_SIZE]).delete()


# ---- the vocabulary: typo suggestions and synonym groups look words up here ---------------------

MAX_TERM_CHARS = 100


def _words_of(*texts: str) -> set[str]:
    return {w for text in texts for w in text.split() if len(w) <= MAX_TERM_CHARS}


def _read_terms(counts: dict[str, int]) -> list[tuple[Term, set[int]]]:
    """Vocabulary rows for new words, with their reading and Sudachi synonym groups, not saved: Sudachi
    runs before any write transaction (on SQLite a transaction holds the one write lock, and the
    scheduler's publishing would wait behind thousands of words)."""
    read = []
    for word, documents in counts.items():
        found = query_words(word)
        term = Term(term=word, reading="".join(w.reading for w in found)[:200], documents=documents)
        read.append((term, {g for w in found for g in w.groups}))
    return read


def _save_terms(read: list[tuple[Term, set[int]]]) -> None:
    """Save _read_terms() rows, BATCH_SIZE words a statement (in the caller's transaction, if any)."""
    for start in range(0, len(read), BATCH_SIZE):
        batch = read[start : start + BATCH_SIZE]
        created = Term.objects.bulk_create([term for term, _ in batch])
        links = [TermGroup(group=g, term_id=t.pk) for t, (_, gs) in zip(created, batch, strict=True) for g in gs]
        TermGroup.objects.bulk_create(links, batch_size=BATCH_SIZE)


def _indexed_words(article_ids: list[int]) -> list[set[str]]:
    """The words of the index rows of `article_ids` (those indexed), before they are replaced."""
    rows = SearchDocument.objects.filter(article_id__in=article_ids).values_list("title", "body", "parts")
    return [_words_of(*row) for row in rows]


def _change(old: list[set[str]], docs: Iterable[SearchDocument]) -> dict[str, int]:
    """{word: change of its document count} when the rows holding `old` are replaced by `docs`."""
    change = Counter()
    for words in old:
        change.subtract(words)
    for doc in docs:
        change.update(_words_of(doc.title, doc.body, doc.parts))
    return {word: n for word, n in change.items() if n}


def count_words(change: dict[str, int]) -> None:
    """Move the vocabulary's document counts by `change` as articles are indexed, so they follow the
    archive without a pass over it: new words are added (only they go through Sudachi, before the
    write transaction), words no article holds any more leave (no longer suggested). Work in
    proportion to the words changed."""
    words = sorted(change)
    known: set[str] = set()
    for start in range(0, len(words), BATCH_SIZE):
        known.update(Term.objects.filter(term__in=words[start : start + BATCH_SIZE]).values_list("term", flat=True))
    read = _read_terms({w: n for w, n in change.items() if n > 0 and w not in known})
    try:
        with transaction.atomic():
            _count_words(change, known)
            _save_terms(read)
    except DatabaseError:  # a conflicting writer (a deadlock, a word added meanwhile): the index row
        # is already saved; the periodic recount (jobs.vocabulary) corrects the counts.
        log.warning("search vocabulary: %d word counts left for the next recount", len(change), exc_info=True)


def _count_words(change: dict[str, int], known: set[str]) -> None:
    by_change: dict[int, list[str]] = defaultdict(list)
    for word in sorted(known):
        by_change[change[word]].append(word)
    for n, listed in sorted(by_change.items()):
        for start in range(0, len(listed), BATCH_SIZE):
            chunk = listed[start : start + BATCH_SIZE]
            Term.objects.filter(term__in=chunk).update(documents=Greatest(F("documents") + n, 0))
            if n < 0:
                Term.objects.filter(term__in=chunk, documents=0).delete()


def _document_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for title, body, parts in SearchDocument.objects.values_list("title", "body", "parts").iterator(chunk_size=500):
        for word in _words_of(title, body, parts):
            counts[word] = counts.get(word, 0) + 1
    return counts


def rebuild_vocabulary() -> int:
    """Recount the vocabulary from the whole index and read every word again; returns its size."""
    counts = _document_counts()
    read = _read_terms(counts)
    with transaction.atomic():  # readers see the old vocabulary or the new one, never none
        TermGroup.objects.all().delete()
        Term.objects.all().delete()
        _save_terms(read)
    forget_vocabulary()
    index_changed()
    return len(counts)


def refresh_vocabulary() -> tuple[int, int, int]:
    """Bring the vocabulary's counts in step with the index without a reindex (the periodic job):
    counts that changed are written, words no article holds any more leave (no longer suggested),
    new words are added. Only new words go through Sudachi. Returns (updated, added, removed).

    Each batch of BATCH_SIZE words is a transaction of its own, and Sudachi reads the new words before
    any of them: on SQLite the slow scheduler process would otherwise hold the one write lock for
    the whole pass (minutes on a large archive's first run) and the regular process's jobs, publishing
    included, would fail with "database is locked" (kiji.lib.db.pause_for_writers lets them in between
    batches). A pass stopped half-way leaves counts that the next one finishes."""
    counts = _document_counts()
    changed, gone = [], []
    for term in Term.objects.only("pk", "term", "documents").iterator(chunk_size=2000):
        documents = counts.pop(term.term, 0)
        if documents == 0:
            gone.append(term.pk)
        elif documents != term.documents:
            term.documents = documents
            changed.append(term)
    read = _read_terms(counts)  # what is left: words no Term holds yet
    for start in range(0, len(changed), BATCH_SIZE):
        with transaction.atomic():
            Term.objects.bulk_update(changed[start : start + BATCH_SIZE], ["documents"])
        pause_for_writers()
    for start in range(0, len(gone), BATCH_SIZE):
        with transaction.atomic():
            Term.objects.filter(pk__in=gone[start : start + BATCH_SIZE]).delete()
        pause_for_writers()
    for start in range(0, len(read), BATCH_SIZE):
        with transaction.atomic():
            _save_terms(read[start : start + BATCH_SIZE])
        pause_for_writers()
    forget_vocabulary()
    index_changed()
    return len(changed), len(counts), len(gone)
