"""The import's compiled bulk INSERTs (kiji.lib.queries.Insert) write what bulk_create wrote."""

from datetime import UTC, datetime

from django.test import TestCase
from django.utils import timezone

from kiji.comments.models import Comment, Visitor
from kiji.newsroom.models import Article, Category
from kiji.redirects.models import Redirect
from kiji.wxr import writing

WHEN = datetime(2019, 4, 1, 3, 0, tzinfo=UTC)


class InsertTests(TestCase):
    def new_articles(self, count: int) -> list[Article]:
        category = Category.objects.create(name="ニュース", slug="news")
        articles = []
        for n in range(count):
            article = Article(headline=f"見出し{n}", body=f"<p>本文{n}</p>", category=category, created_at=WHEN)
            article.published_at, article.modified_at = WHEN, WHEN
            article.derive_fields()
            articles.append(article)
        return articles

    def test_each_new_article_gets_its_own_id_past_one_statements_rows(self):
        articles = self.new_articles(130)  # SQLite takes 49 articles a statement: three statements
        ids = writing.articles([tuple(getattr(a, f.attname) for f in writing.NEW_ARTICLE) for a in articles])
        headlines = dict(Article.objects.values_list("pk", "headline"))
        self.assertEqual([headlines[pk] for pk in ids], [f"見出し{n}" for n in range(130)])
        self.assertEqual(Article.objects.get(pk=ids[7]).published_at, WHEN)

    def test_a_redirect_already_there_is_pointed_at_the_new_page(self):
        Redirect.objects.create(old_path="/2019/04/old/", new_path="/articles/1/")
        now = timezone.now()
        writing.redirects([("/2019/04/old/", "/articles/9/", "WordPress", now), ("/?p=9", "/articles/9/", "", now)])
        self.assertEqual(
            dict(Redirect.objects.values_list("old_path", "new_path")),
            {"/2019/04/old/": "/articles/9/", "/?p=9": "/articles/9/"},
        )

    def test_a_comment_keeps_its_time_and_the_models_defaults(self):
        [article] = self.new_articles(1)
        [article.pk] = writing.articles([tuple(getattr(article, f.attname) for f in writing.NEW_ARTICLE)])
        visitor = Visitor.objects.create(key="wordpress-import")
        row = writing.comments.row(
            article=article.pk, visitor=visitor.pk, nickname="読者", body="なるほど。", created_at=WHEN
        )
        [pk] = writing.comments([tuple(row.values())])
        comment = Comment.objects.get(pk=pk)
        self.assertEqual((comment.created_at, comment.like_count, comment.status), (WHEN, 0, Comment.Status.PENDING))

    def test_a_field_not_in_the_insert_is_refused(self):
        with self.assertRaises(TypeError):
            writing.bylines.row(article=1, writer=2, colour="赤")
