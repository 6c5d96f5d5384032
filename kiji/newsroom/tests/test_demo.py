"""kiji demo: an empty site gets categories, writers and fictional articles; a site with articles is left alone."""

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from kiji.newsroom.management.commands.load_demo import CORPUS
from kiji.newsroom.models import Article, Category, Writer


def run_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


class DemoTests(TestCase):
    def test_an_empty_site_gets_every_category_writers_and_readable_articles(self):
        output = run_demo()

        assert "Demo content loaded: 8 categories, 5 writers, 15 articles" in output
        assert list(Category.objects.values_list("name", flat=True)) == [
            "政治",
            "韓国",
            "エンタメ",
            "国際",
            "経済",
            "スポーツ",
            "IT・科学",
            "ライフ",
        ]
        assert all(c.isascii() for c in "".join(Category.objects.values_list("slug", flat=True)))
        writers = Writer.objects.all()
        assert len(writers) == 5
        assert all(w.email.endswith("@example.jp") and w.bio for w in writers)
        home = self.client.get("/").content.decode()
        for category in Category.objects.all():
            # every category has something to read, and its page shows it
            latest = Article.objects.published().filter(category=category).latest_first().first()
            assert latest is not None, category.name
            assert latest.headline in self.client.get(category.get_absolute_url()).content.decode()
        assert "みなと市、子どもの医療費無料化を高校生まで拡大へ" in home

        # the articles are real pages with bylines, tags, images and the note that they are fiction
        published = Article.objects.published()
        assert published.count() == 13
        for article in published:
            paragraphs = article.body.count("<p>")
            assert 4 <= paragraphs <= 7, (article.headline, paragraphs)  # 3–6 paragraphs + the fiction note
            assert article.writers.exists() and article.tags.exists() and article.slug.isascii()
        page = self.client.get(Article.objects.get(slug="lumina-debut-chart").get_absolute_url())
        self.assertContains(page, "新人グループ「LUMINA」")
        self.assertContains(page, "架空のニュース")
        self.assertContains(page, "ayaka.morimoto@example.jp")
        self.assertContains(page, "#K-POP")

        with_images = Article.objects.exclude(lead_image=None)
        assert with_images.count() >= 5
        image = with_images.first().lead_image
        assert (image.width, image.height) == (1200, 675) and image.alt
        assert default_storage.exists(image.file.name)
        assert all(default_storage.exists(r["name"]) for r in image.renditions)

        # one article has a correction, one an update time
        corrected = Article.objects.get(corrections__isnull=False)
        self.assertContains(self.client.get(corrected.get_absolute_url()), "訂正しました")
        updated = Article.objects.get(slug="online-campaign-rules")
        assert updated.displayed_update is not None
        self.assertContains(self.client.get(updated.get_absolute_url()), "更新 <time")

    def test_the_draft_and_the_scheduled_article_stay_hidden_until_their_time(self):
        run_demo()
        draft = Article.objects.get(status=Article.Status.DRAFT)
        scheduled = Article.objects.get(status=Article.Status.SCHEDULED)
        assert timedelta(minutes=9) < scheduled.published_at - timezone.now() <= timedelta(minutes=10)
        assert self.client.get(f"/articles/{draft.pk}/").status_code == 404
        assert self.client.get(f"/articles/{scheduled.pk}/").status_code == 404

        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            call_command("publish_due", stdout=StringIO())
            self.assertContains(self.client.get(scheduled.get_absolute_url()), scheduled.headline)

    def test_running_it_again_adds_nothing_and_the_corpus_is_only_pointed_to(self):
        first = run_demo()
        counts = (Article.objects.count(), Category.objects.count(), Writer.objects.count())

        output = run_demo()

        assert "already has articles: demo content not loaded" in output
        assert (Article.objects.count(), Category.objects.count(), Writer.objects.count()) == counts
        hint = "kiji import-ldcc ../shared/corpora/livedoor-news-corpus.tar.gz"
        assert (hint in first) == (hint in output) == CORPUS.exists()
        assert not Article.objects.exclude(source_url="").exists()

    def test_a_site_with_its_own_articles_gets_no_demo(self):
        category = Category.objects.create(name="社会", slug="society")
        Article.objects.create(headline="本物の記事", category=category)

        run_demo()

        assert Article.objects.count() == 1
        assert list(Category.objects.all()) == [category]
