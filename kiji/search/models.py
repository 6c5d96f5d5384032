"""The search index: one row per article readers can see, holding only Sudachi-normalized text.

The full-text structure over these rows depends on the database (migration 0002):
SQLite keeps an FTS5 table `search_fts` in step with triggers; PostgreSQL keeps a generated,
GIN-indexed tsvector column `vector` (title weight A, body weight B).
"""

from django.db import models

from kiji.newsroom.models import Article, Category


class SearchDocument(models.Model):
    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()
    title = models.TextField(help_text="index_text(headline)")
    body = models.TextField(help_text="index_text(deck + body text + tag names)")

    class Meta:
        verbose_name = "search document"

    def __str__(self):
        return f"search document of article {self.article_id}"
