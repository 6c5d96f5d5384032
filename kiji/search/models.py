"""The search index: one row per article readers can see, holding only Sudachi-normalized text.

The full-text structure over these rows depends on the database (migration 0002):
SQLite keeps an FTS5 table `search_fts` in step with triggers; PostgreSQL keeps a generated tsvector
column `vector` (title weight A, body B, parts C, readings D: what ts_rank reads) and, in step by
triggers, a narrow GIN-indexed table `search_pgterms` of the words a search tests (migration 0006).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kiji.lib.text import first_control
from kiji.newsroom.models import Article, Category


class SearchDocument(models.Model):
    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()
    title = models.TextField(help_text="index_text(headline)")
    body = models.TextField(help_text="index_text(deck + body text + tag names)")
    parts = models.TextField(blank=True, default="", help_text="short-unit parts of the compound words of both")
    readings = models.TextField(blank=True, default="", help_text="katakana readings of the words and parts")

    class Meta:
        verbose_name = "search document"
        indexes = [
            # Ranking reads published_at (recency, date filter) and category of every match: a covering
            # index answers that without reading the long text rows (SQLite 10x corpus: p50 6 -> 1.6 ms).
            models.Index(fields=["article", "published_at", "category"], name="search_doc_rank"),
        ]

    def __str__(self):
        return f"search document of article {self.article_id}"


class Term(models.Model):
    """A word of the index's vocabulary, with its reading and Sudachi synonym groups: what typo
    suggestions and synonym expansion look up (words and their counts follow each article as it is
    indexed or removed; recounted weekly by the job search.vocabulary, rebuilt by `kiji reindex`)."""

    term = models.CharField(max_length=100, unique=True)
    reading = models.CharField(max_length=200, blank=True, default="", db_index=True)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.term


class TermGroup(models.Model):
    """A Sudachi synonym group a vocabulary word belongs to (デジカメ and デジタルカメラ share 505)."""

    group = models.PositiveIntegerField(db_index=True)
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="synonym_groups")

    def __str__(self):
        return f"{self.term_id} in {self.group}"


def validate_no_control_characters(value: str) -> None:
    if first_control(value, multiline=True):
        raise ValidationError(_("Control characters cannot be used."))


class SynonymGroup(models.Model):
    """Words an editor declares equal for search (a team's nicknames): read on every search."""

    words = models.TextField(
        _("words"),
        help_text=_("Words that mean the same thing, separated by commas (、 or ,) or new lines."),
        validators=[validate_no_control_characters],
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, default="", validators=[validate_no_control_characters]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self):
        return "、".join(self.word_list()[:5])

    def word_list(self) -> list[str]:
        return [w.strip() for w in re.split(r"[,、，\n]", self.words) if w.strip()]
