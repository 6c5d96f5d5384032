"""The search index: one row per article readers can see, holding only Sudachi-normalized text.

The full-text structure over these rows depends on the database (migration 0002):
SQLite keeps an FTS5 table `search_fts` in step with triggers; PostgreSQL keeps a generated,
GIN-indexed tsvector column `vector` (title weight A, body weight B, parts weight C).
"""

from django.db import models

from kiji.newsroom.models import Article, Category


class SearchDocument(models.Model):
    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()
    title = models.TextField(help_text="index_text(headline)")
    body = models.TextField(help_text="index_text(deck + body text + tag names)")
    parts = models.TextField(blank=True, default="", help_text="short-unit parts of the compound words of both")

    class Meta:
        verbose_name = "search document"
        indexes = [
            # Ranking reads published_at (recency, date filter) and category of every match: a covering
            # index answers that without reading the long text rows (SQLite 10x corpus: p50 6 -> 1.6 ms).
            models.Index(fields=["article", "published_at", "category"], name="search_doc_rank"),
        ]

    def __str__(self):
        return f"search document of article {self.article_id}"
