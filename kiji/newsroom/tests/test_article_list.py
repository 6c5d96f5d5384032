"""The editors' article list: badges, bylines, scheduled times, filters, search, tags autocomplete."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kiji.newsroom.models import Article, Tag
from kiji.newsroom.tests.base import AdminTestCase

Status = Article.Status


class ArticleListTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)
        self.when = timezone.now() + timedelta(days=1)
        self.scheduled = self.make_article(
            headline="明日の朝刊トップ",
            status=Status.SCHEDULED,
            published_at=self.when,
            writers=[self.writer, self.other_writer],
        )
        self.draft = self.make_article(headline="書きかけの原稿", status=Status.DRAFT, published_at=None)

    def test_it_shows_status_badges_writers_and_the_scheduled_time(self):
        response = self.client.get(self.changelist_url)
        self.assertContains(response, '<span class="kiji-status kiji-status-scheduled">予約公開</span>', html=True)
        self.assertContains(response, '<span class="kiji-status kiji-status-draft">下書き</span>', html=True)
        self.assertContains(response, "山田 花子, 佐藤 一郎")
        self.assertContains(response, "予約公開 " + timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M"))

    def test_the_modified_time_is_as_short_as_the_publication_time_and_sorts(self):
        # Django's long form (2026年12月3日18:50) never wraps and pushed the column out of view at 1280 px.
        response = self.client.get(self.changelist_url)
        modified = timezone.localtime(self.draft.modified_at)
        self.assertContains(response, f'<td class="field-modified_time">{modified:%Y-%m-%d %H:%M}</td>', html=True)
        self.assertNotContains(response, f"{modified.year}年")
        self.assertContains(response, "変更日時")
        ordered = self.client.get(self.changelist_url, {"o": "6"})  # sorted by the modified column
        self.assertEqual(ordered.status_code, 200)
        self.assertContains(ordered, "sorted ascending")

    def test_it_filters_by_status_and_searches_headlines_and_writers(self):
        response = self.client.get(self.changelist_url, {"status__exact": "scheduled"})
        self.assertContains(response, "明日の朝刊トップ")
        self.assertNotContains(response, "書きかけの原稿")
        response = self.client.get(self.changelist_url, {"q": "書きかけ"})
        self.assertContains(response, "書きかけの原稿")
        self.assertNotContains(response, "明日の朝刊トップ")
        response = self.client.get(self.changelist_url, {"q": "佐藤"})
        self.assertContains(response, "明日の朝刊トップ")
        self.assertNotContains(response, "書きかけの原稿")

    def test_it_browses_by_publication_date(self):
        local = timezone.localtime(self.when)
        response = self.client.get(
            self.changelist_url,
            {"published_at__year": local.year, "published_at__month": local.month, "published_at__day": local.day},
        )
        self.assertContains(response, "明日の朝刊トップ")
        self.assertNotContains(response, "書きかけの原稿")

    def test_its_writer_filter_names_the_articles_without_a_byline(self):
        # Django labels that choice "-", which no one at the desk could read as "no writer".
        wire = self.make_article(headline="共同通信配信の記事", writers=[])
        page = self.client.get(self.changelist_url).content.decode()
        writers = re.search(r'<details data-filter-title="記者".*?</details>', page, re.S)[0]
        choices = re.findall(r'<a href="([^"]*)">([^<]*)</a>', writers)
        self.assertEqual([label for _, label in choices], ["全て", "佐藤 一郎", "山田 花子", "記者なし"])
        response = self.client.get(self.changelist_url + choices[-1][0])
        self.assertContains(response, wire.headline)
        self.assertNotContains(response, self.scheduled.headline)

    def test_it_autocompletes_tags_for_a_writer(self):
        Tag.objects.create(name="予算", slug="予算")
        Tag.objects.create(name="外交", slug="外交")
        self.client.force_login(self.writer_user)
        response = self.client.get(
            reverse("admin:autocomplete"),
            {"term": "予", "app_label": "newsroom", "model_name": "article", "field_name": "tags"},
        )
        self.assertEqual([r["text"] for r in response.json()["results"]], ["予算"])
