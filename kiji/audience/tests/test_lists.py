"""The lists readers see: ranking, trending, also-read, recommended; on both backends."""

import re
from datetime import timedelta
from io import StringIO
from unittest import mock

import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kiji.audience import lists
from kiji.audience.models import EditorPick
from kiji.audience.tests.base import AudienceTestCase, RedisMixin
from kiji.newsroom.models import Article
from kiji.newsroom.signals import article_changed, articles_imported
from kiji.ops.scheduler import run_due_jobs
from kiji.search import similar
from kiji.search.services import sync_article


def headlines(articles):
    return [a.headline for a in articles]


class ListsContract:
    def test_category_ranking_orders_by_views_with_a_deterministic_tie_break(self):
        older = self.make_article(headline="古い同数", published_at=self.clock - timedelta(hours=5))
        newer = self.make_article(headline="新しい同数", published_at=self.clock - timedelta(hours=2))
        top = self.make_article(headline="一番読まれた")
        other_category = self.make_article(headline="韓国の記事", category=self.korea)
        for article, views in [(older, 10), (newer, 10), (top, 50), (other_category, 99)]:
            self.add_views(article, views)
        lists.compute_lists()
        self.assertEqual(headlines(lists.ranking(self.politics)), ["一番読まれた", "新しい同数", "古い同数"])
        self.assertEqual(headlines(lists.ranking(None))[0], "韓国の記事")

    def test_category_ranking_respects_the_window_and_the_limit(self):
        articles = [
            self.make_article(headline=f"記事{i}", published_at=self.clock - timedelta(days=3)) for i in range(8)
        ]
        for i, article in enumerate(articles):
            self.add_views(article, 100 + i, hours_ago=30)  # only inside the 7-day window
        fresh = self.make_article(headline="いま読まれている")
        self.add_views(fresh, 5)
        lists.compute_lists()
        self.assertEqual(headlines(lists.ranking(self.politics, window="1h")), ["いま読まれている"])
        self.assertEqual(headlines(lists.ranking(self.politics, window="24h")), ["いま読まれている"])
        week = lists.ranking(self.politics, window="7d")
        self.assertEqual(len(week), 6)
        self.assertEqual(week[0].headline, "記事7")
        with override_settings(KIJI_AUDIENCE_RANKING_WINDOW="7d"):
            self.assertEqual(len(lists.ranking(self.politics)), 6)

    def test_the_minute_round_reads_only_articles_viewed_this_week(self):
        viewed = self.make_article(headline="読まれた記事")
        last_month = self.make_article(headline="先月読まれた記事", published_at=self.clock - timedelta(days=40))
        self.make_article(headline="誰も読んでいない記事")
        self.add_views(viewed, 3)
        self.add_views(last_month, 50, hours_ago=24 * 30)
        read = []
        meta = lists._published_meta
        with mock.patch.object(lists, "_published_meta", lambda *a, **kw: read.append(meta(*a, **kw)) or read[-1]):
            lists.compute_lists()
        self.assertEqual([set(found) for found in read], [{viewed.pk}])
        self.assertEqual(headlines(lists.ranking(None, window="7d")), ["読まれた記事"])

    def test_unpublished_articles_leave_every_list_at_once(self):
        gone = self.make_article(headline="取り下げた記事")
        stays = self.make_article(headline="残る記事")
        self.add_views(gone, 40)
        self.add_views(stays, 20)
        EditorPick.objects.create(article=gone)
        lists.compute_lists()
        Article.objects.filter(pk=gone.pk).update(status=Article.Status.UNPUBLISHED)
        self.assertEqual(headlines(lists.ranking(self.politics)), ["残る記事"])
        self.assertNotIn("取り下げた記事", headlines(lists.recommended()))

    def test_lists_are_recomputed_at_most_once_a_minute(self):
        article = self.make_article(headline="速報")
        self.add_views(article, 3)
        lists.refresh_lists_job()
        self.assertEqual(headlines(lists.ranking(self.politics)), ["速報"])
        later = self.make_article(headline="後から読まれた")
        self.add_views(later, 30)
        self.move(seconds=30)
        lists.refresh_lists_job()
        self.assertEqual(headlines(lists.ranking(self.politics)), ["速報"])
        self.move(seconds=31)
        lists.refresh_lists_job()
        self.assertEqual(headlines(lists.ranking(self.politics)), ["後から読まれた", "速報"])

    def test_trending_prefers_a_real_surge_over_a_few_views_on_a_new_article(self):
        surge = self.make_article(headline="急上昇", published_at=self.clock - timedelta(days=2))
        for hours_ago in range(2, 26):
            self.add_views(surge, 10, hours_ago=hours_ago)
        self.add_views(surge, 150)
        steady = self.make_article(
            headline="いつも読まれる", published_at=self.clock - timedelta(days=2), category=self.korea
        )
        for hours_ago in range(1, 26):
            self.add_views(steady, 300, hours_ago=hours_ago)
        self.add_views(steady, 100)  # 20 minutes into the hour: the same pace
        newcomer = self.make_article(headline="出たばかり", published_at=self.clock - timedelta(minutes=10))
        self.add_views(newcomer, 5)
        lists.compute_lists()
        self.assertEqual(headlines(lists.trending()), ["急上昇", "出たばかり"])

    def test_trending_is_numbered_with_category_labels_on_the_home_page(self):
        surge = self.make_article(headline="急上昇ニュース", category=self.korea)
        self.add_views(surge, 200)
        lists.compute_lists()
        page = self.client.get("/")
        self.assertContains(page, "話題")
        self.assertRegex(
            page.content.decode(), r"<ol>\s*<li><a [^>]+>急上昇ニュース</a> <span class=\"label\">韓国</span>"
        )

    def test_recommended_puts_active_picks_first_then_fills_from_the_ranking(self):
        popular = [self.make_article(headline=f"人気{i}") for i in range(5)]
        for i, article in enumerate(popular):
            self.add_views(article, 10 * (i + 1))
        pinned = self.make_article(headline="編集部のおすすめ")
        expired = self.make_article(headline="期限切れ")
        EditorPick.objects.create(article=pinned, position=1, expires_at=self.clock + timedelta(hours=1))
        EditorPick.objects.create(article=expired, position=0, expires_at=self.clock - timedelta(minutes=1))
        EditorPick.objects.create(article=popular[4], position=2)
        lists.compute_lists()
        self.assertEqual(headlines(lists.recommended()), ["編集部のおすすめ", "人気4", "人気3", "人気2", "人気1"])
        self.move(hours=1, minutes=1)  # the pick expires; the list follows without waiting for the job
        backend = lists.get_backend()
        with mock.patch.object(backend, "write_lists", side_effect=AssertionError("a reader's request wrote")):
            self.assertEqual(headlines(lists.recommended()), ["人気4", "人気3", "人気2", "人気1", "人気0"])
            self.client.get(pinned.get_absolute_url(), follow=True)  # the page shows おすすめ, writing nothing

    def test_recommended_falls_back_to_the_newest_of_each_category_before_anyone_reads(self):
        self.make_article(headline="政治の古い記事", published_at=self.clock - timedelta(days=2))
        self.make_article(headline="政治の新しい記事", published_at=self.clock - timedelta(hours=1))
        self.make_article(headline="韓国の記事", category=self.korea, published_at=self.clock - timedelta(hours=3))
        lists.compute_lists()
        self.assertEqual(headlines(lists.recommended()), ["政治の新しい記事", "韓国の記事"])


class MemoryListsTests(ListsContract, AudienceTestCase):
    pass


class RedisListsTests(RedisMixin, ListsContract, AudienceTestCase):
    pass


ECONOMY = (
    "<p>日本銀行は金融政策決定会合で政策金利を据え置いた。円安と物価上昇が続くなか、利上げの時期が焦点となる。</p>"
)
BASEBALL = "<p>プロ野球の日本シリーズ第七戦で、エースが完投し、チームが三年ぶりの日本一に輝いた。</p>"
MARS = "<p>火星探査機が赤い砂漠に着陸し、地表の岩石を採取した。探査機は火星の水の痕跡を調べる。</p>"


class AlsoReadContract:
    def publish(self, **fields):
        article = self.make_article(**fields)
        article_changed.send(sender=Article, article=article)  # what the publishing service sends
        return article

    def test_it_is_precomputed_after_publish_from_content_similarity(self):
        self.publish(headline="プロ野球 日本シリーズ", body=BASEBALL)
        self.publish(headline="日銀 金利据え置き", body=ECONOMY)
        source = self.publish(headline="日銀が政策金利を維持 円安続く", body=ECONOMY)
        run_due_jobs()  # the scheduler's next round (~15 s), not the publishing request
        items = lists.also_read(source)
        self.assertEqual(items[0].headline, "日銀 金利据え置き")
        self.assertNotIn(source, items)
        self.assertEqual(len(items), len({a.pk for a in items}))

    def test_an_article_published_after_the_full_round_gets_its_list_at_the_next_round(self):
        self.publish(headline="プロ野球 日本シリーズ", body=BASEBALL)
        similar = self.publish(headline="日銀 金利据え置き", body=ECONOMY)
        run_due_jobs()
        self.move(seconds=20)
        late = self.publish(headline="日銀が政策金利を維持", body=ECONOMY, published_at=self.clock)
        self.assertIsNone(self.backend.read_list(f"also:{late.pk}"))  # not computed by the publishing request
        self.move(seconds=20)
        run_due_jobs()
        self.assertEqual(lists.also_read(late)[0], similar)

    def test_a_new_article_enters_its_neighbours_lists_before_the_next_full_rebuild(self):
        source = self.publish(headline="日銀が政策金利を維持 円安続く", body=ECONOMY)
        self.publish(headline="円安 物価上昇", body=ECONOMY)
        self.publish(headline="プロ野球 日本シリーズ", body=BASEBALL)
        self.publish(headline="火星探査機が着陸", body=MARS)
        run_due_jobs()  # the full rebuild
        self.move(seconds=20)
        late = self.publish(headline="日銀 金利据え置き", body=ECONOMY, published_at=self.clock)
        self.move(seconds=20)
        with mock.patch.object(lists, "_rebuild_all", side_effect=AssertionError("a full rebuild")):
            run_due_jobs()  # the round of changed articles
        # The stored list itself (not the page's top-up with the category's latest articles).
        self.assertIn(late.pk, lists._ids(f"also:{source.pk}")[:2])
        self.assertIn(source, lists.also_read(late)[:2])

    def test_an_edited_article_gets_its_new_list_at_the_next_round(self):
        source = self.publish(headline="日銀が政策金利を維持", body=ECONOMY)
        self.publish(headline="円安 物価上昇", body=ECONOMY)
        self.publish(headline="プロ野球 日本シリーズ", body=BASEBALL, category=self.korea)
        self.publish(headline="日本一のエース", body=BASEBALL, category=self.korea)
        run_due_jobs()
        self.assertEqual(headlines(lists.also_read(source))[:1], ["円安 物価上昇"])
        self.move(seconds=20)
        Article.objects.filter(pk=source.pk).update(
            headline="日本シリーズ 三年ぶり日本一", body=BASEBALL, modified_at=self.clock
        )
        sync_article(source.pk)  # what the edit's signal does
        self.move(seconds=20)
        run_due_jobs()
        self.assertTrue({"プロ野球 日本シリーズ", "日本一のエース"} & set(headlines(lists.also_read(source))[:2]))

    def test_the_similar_command_rebuilds_every_list(self):
        source = self.make_article(headline="日銀が政策金利を維持", body=ECONOMY)
        similar = self.make_article(headline="日銀 金利据え置き", body=ECONOMY)
        self.make_article(headline="プロ野球 日本シリーズ", body=BASEBALL)
        for article in Article.objects.all():
            sync_article(article.pk)  # indexed, as publishing does; no list computed yet
        out = StringIO()
        call_command("similar", "--rebuild", stdout=out)
        self.assertIn("Computed 3 also-read list(s)", out.getvalue())
        self.assertEqual(lists.also_read(source)[0], similar)

    def test_it_falls_back_to_the_category_latest_without_any_signal(self):
        source = self.make_article(headline="元の記事")
        newest = self.make_article(headline="最新", published_at=self.clock - timedelta(minutes=5))
        self.make_article(headline="別カテゴリ", category=self.korea)
        self.make_article(headline="下書き", status=Article.Status.DRAFT, published_at=None)
        self.assertEqual(headlines(lists.also_read(source)), ["最新"])
        self.assertNotIn(newest.pk, [a.pk for a in lists.also_read(newest)])

    def test_it_blends_in_what_the_same_visitors_read(self):
        source = self.publish(headline="日銀が政策金利を維持", body=ECONOMY)
        self.publish(headline="日銀 金利据え置き", body=ECONOMY)
        co_read = self.publish(headline="プロ野球 日本シリーズ", body=BASEBALL, category=self.korea)
        self.assertNotIn(co_read, lists.also_read(source))
        for i in range(30):  # thirty readers went from the source to the baseball story
            self.beacon(source, ip=f"192.0.2.{i}")
            self.beacon(co_read, ip=f"192.0.2.{i}")
        self.backend.flush()
        lists.refresh_also_read_job()
        self.assertEqual(headlines(lists.also_read(source))[:2], ["日銀 金利据え置き", "プロ野球 日本シリーズ"])
        self.assertIn(source, lists.also_read(co_read))

    @override_settings(KIJI_AUDIENCE_RELATED_REFRESH=60)
    def test_every_list_is_rebuilt_every_kiji_audience_related_refresh_seconds(self):
        self.publish(headline="日銀が政策金利を維持", body=ECONOMY)
        start, full_rebuilds = timezone.now() + timedelta(seconds=20), []
        with mock.patch.object(lists, "compute_also_read", wraps=lists.compute_also_read) as compute:
            for seconds in range(0, 150, 15):  # the scheduler's rounds for two and a half minutes
                with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
                    lists.refresh_also_read_job()
                if compute.call_args_list[-1:] == [mock.call()]:
                    full_rebuilds.append(seconds)
                compute.reset_mock()
        # The first round claims like every other: one rebuild at start (not two back to back), then each 60 s.
        self.assertEqual(full_rebuilds, [0, 60, 120])

    def test_a_full_rebuild_lets_go_of_the_old_model_before_building_the_new_one(self):
        self.publish(headline="日銀が政策金利を維持", body=ECONOMY)
        lists.compute_also_read()
        from kiji.search import similar

        held = []
        build = similar.index_model
        with mock.patch.object(similar, "index_model", lambda: held.append(lists._model.get("model")) or build()):
            lists.compute_also_read()
        self.assertEqual(held, [None])  # never two models in memory at once

    def test_unpublished_articles_are_never_shown(self):
        source = self.publish(headline="日銀が政策金利を維持", body=ECONOMY)
        similar = self.publish(headline="日銀 金利据え置き", body=ECONOMY)
        lists.compute_also_read()
        Article.objects.filter(pk=similar.pk).update(status=Article.Status.UNPUBLISHED)
        self.assertNotIn("日銀 金利据え置き", headlines(lists.also_read(source)))

    def test_a_bulk_import_computes_every_list_once(self):
        a = self.make_article(headline="日銀が政策金利を維持", body=ECONOMY)
        b = self.make_article(headline="日銀 金利据え置き", body=ECONOMY)
        self.make_article(headline="プロ野球 日本シリーズ", body=BASEBALL)
        c = self.make_article(headline="プロ野球 日本シリーズ", body=BASEBALL, category=self.korea)
        articles_imported.send(sender=None, article_ids=[a.pk, b.pk, c.pk])
        self.assertEqual(lists.also_read(a)[0], b)

    def test_the_article_page_shows_the_lists(self):
        source = self.publish(headline="日銀が政策金利を維持", body=ECONOMY)
        self.publish(headline="日銀 金利据え置き", body=ECONOMY)
        self.add_views(source, 10)
        run_due_jobs()  # what `kiji scheduler` runs every ~15 s
        page = self.client.get(source.get_absolute_url(), follow=True)
        self.assertContains(page, "こんな記事も読まれています")
        self.assertContains(page, "政治 ランキング")
        self.assertContains(page, "日銀 金利据え置き")

    def corpus(self) -> list[Article]:
        """Twelve articles on three subjects: enough for the rebuild to run in several units."""
        subjects = [("日銀 金利", ECONOMY), ("日本シリーズ", BASEBALL), ("火星探査機", MARS)]
        return [self.publish(headline=f"{subjects[i % 3][0]} {i}", body=subjects[i % 3][1]) for i in range(12)]

    def stored(self, articles) -> dict[int, list[int]]:
        return {a.pk: lists._ids(f"also:{a.pk}") for a in articles}

    @mock.patch.multiple(similar, CLUSTER_SIZE=2, PROBES=2)  # clusters of two: many units for twelve articles
    def test_a_killed_rebuild_continues_where_it_stopped_and_readers_keep_the_old_lists(self):
        articles = self.corpus()
        lists.compute_also_read()
        before = self.stored(articles)
        articles.append(self.publish(headline="日銀 金利 据え置き", body=ECONOMY))  # the next rebuild's news
        real, done = similar.unit_neighbours, []

        def killed_after_two_units(model, unit):
            if len(done) == 2:
                raise KeyboardInterrupt  # as SIGTERM/SIGKILL would, mid-rebuild
            done.append(unit)
            return real(model, unit)

        with (
            mock.patch.object(similar, "unit_neighbours", killed_after_two_units),
            self.assertRaises(KeyboardInterrupt),
        ):
            lists.compute_also_read()
        self.assertEqual(self.stored(articles[:-1]), before)  # readers still see the last complete lists
        self.assertTrue(lists.rebuild_pending())

        lists._model.pop("model")  # a new process
        resumed = []
        with (
            mock.patch.object(
                similar, "unit_neighbours", lambda model, unit: resumed.append(unit) or real(model, unit)
            ),
            mock.patch.object(similar, "index_model", side_effect=AssertionError("the model was built again")),
        ):
            lists.refresh_also_read_job()  # the scheduler's next round: no need to wait for the full period
        self.assertFalse(lists.rebuild_pending())
        self.assertEqual(sorted(done + resumed), list(range(len(done) + len(resumed))))  # each unit ran once
        self.assertGreater(len(resumed), 0)
        after_resume = self.stored(articles)

        lists.compute_also_read()  # an uninterrupted rebuild of the same index
        self.assertEqual(after_resume, self.stored(articles))
        self.assertNotEqual(after_resume[articles[0].pk], before[articles[0].pk])  # the newcomer is in

    def test_a_rebuild_killed_while_writing_lists_writes_only_the_rest_next_time(self):
        articles = self.corpus()
        real, first = lists.write_also_read, []

        def killed_after_one_batch(content, **kwargs):
            if first:
                raise KeyboardInterrupt
            first.extend(content)
            return real(content, **kwargs)

        with mock.patch.object(lists, "WRITE_BATCH", 5):
            with (
                mock.patch.object(lists, "write_also_read", killed_after_one_batch),
                self.assertRaises(KeyboardInterrupt),
            ):
                lists.compute_also_read()
            with mock.patch.object(lists, "write_also_read", wraps=real) as write:
                lists.compute_also_read()
        rest = [pk for call in write.call_args_list for pk in call.args[0]]
        self.assertEqual(len(first), 5)
        self.assertEqual(sorted(first + rest), sorted(a.pk for a in articles))  # none twice, none missing
        self.assertTrue(all(self.stored(articles).values()))


class MemoryAlsoReadTests(AlsoReadContract, AudienceTestCase):
    pass


class RedisAlsoReadTests(RedisMixin, AlsoReadContract, AudienceTestCase):
    pass


class RankingPageTests(AudienceTestCase):
    def test_it_has_tabs_per_category_and_window(self):
        article = self.make_article(headline="韓国で大統領選", category=self.korea)
        self.add_views(article, 7)
        lists.compute_lists()
        page = self.client.get("/ranking/?category=korea&window=1h")
        self.assertContains(page, "アクセスランキング")
        self.assertContains(page, "韓国で大統領選")
        self.assertContains(page, 'aria-current="page">韓国</a>')
        self.assertContains(page, 'aria-current="page">1時間</a>')
        self.assertNotContains(self.client.get("/ranking/?category=politics"), "韓国で大統領選")
        self.assertEqual(self.client.get("/ranking/?category=nope").status_code, 404)

    def test_readers_can_find_it_from_every_page_footer(self):
        for path in ("/", self.make_article().get_absolute_url(), "/archive/"):
            footer = self.client.get(path).content.decode().split('class="site-footer"')[1]
            self.assertIn('<a href="/ranking/">アクセスランキング</a>', footer, path)

    def test_each_tab_names_itself_to_crawlers_and_share_cards(self):
        page = self.client.get("/ranking/?window=1h&category=korea&utm_source=x")
        canonical = re.search(r'<link rel="canonical" href="(http[^"]+)">', page.content.decode()).group(1)
        self.assertTrue(canonical.endswith("/ranking/?category=korea&amp;window=1h"), canonical)  # no utm_source
        self.assertContains(page, f'<meta property="og:url" content="{canonical}">', html=False)
        self.assertContains(page, '<meta property="og:title" content="アクセスランキング（韓国・1時間）">', html=False)
        self.assertContains(page, '"@type":"BreadcrumbList"')
