"""Search as readers use it. The same class runs on SQLite (FTS5) and PostgreSQL (tsvector),
whichever DATABASE_URL selects: both backends keep one results contract."""

import html
import re
from datetime import datetime, timedelta
from io import StringIO
from unittest import mock

import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from kiji import testing
from kiji.lib.dates import JST
from kiji.newsroom.models import Article, Tag
from kiji.newsroom.services.publishing import announce_change, publish_article, publish_due_articles, unpublish_article
from kiji.newsroom.signals import articles_imported
from kiji.search import expand
from kiji.search.expand import forget_vocabulary
from kiji.search.models import SearchDocument, SynonymGroup, Term
from kiji.search.services import sync_article
from kiji.testing import NewsroomTestCase

HOSTILE = testing.HOSTILE


class SearchTestCase(NewsroomTestCase):
    def indexed(self, **fields) -> Article:
        article = self.make_article(**fields)
        sync_article(article.pk)
        return article

    def search(self, q="", **params):
        return self.client.get(reverse("search:results"), {"q": q, **params})

    def headlines(self, response) -> list[str]:
        """The result titles a reader sees, in order (highlight marks removed)."""
        self.assertEqual(response.status_code, 200)
        titles = re.findall(r'<a class="search-hit-title" href="[^"]*">(.*?)</a>', response.content.decode())
        return [html.unescape(re.sub(r"</?mark>", "", title)) for title in titles]


class RankingAndSyntaxTests(SearchTestCase):
    def test_it_ranks_a_title_hit_above_a_body_hit(self):
        when = self.now - timedelta(days=2)
        self.indexed(headline="週末の天気", body="<p>台風が近づき、雨が強まる見込み。</p>", published_at=when)
        self.indexed(headline="台風が接近", body="<p>週末は雨が強まる見込み。</p>", published_at=when)
        self.assertEqual(self.headlines(self.search("台風")), ["台風が接近", "週末の天気"])

    def test_it_prefers_the_newer_of_two_equal_matches(self):
        self.indexed(headline="台風が接近 古い記事", published_at=self.now - timedelta(days=400))
        self.indexed(headline="台風が接近 新しい記事", published_at=self.now - timedelta(hours=2))
        self.assertEqual(self.headlines(self.search("台風"))[0], "台風が接近 新しい記事")

    def test_articles_with_every_word_come_first_then_those_with_some(self):
        self.indexed(headline="予算の審議", body="<p>委員会で審議が続く。</p>")
        self.indexed(headline="予算が可決", body="<p>本会議で予算が可決された。</p>")
        self.indexed(headline="天気予報", body="<p>晴れ。</p>")
        self.assertEqual(self.headlines(self.search("予算 可決")), ["予算が可決", "予算の審議"])

    def test_only_articles_with_every_word_when_there_are_enough(self):
        self.indexed(headline="予算が可決", body="<p>本会議で予算が可決された。</p>")
        self.indexed(headline="予算の審議", body="<p>委員会で審議が続く。</p>")
        with mock.patch("kiji.search.backends.STRICT_ENOUGH", 1):
            self.assertEqual(self.headlines(self.search("予算 可決")), ["予算が可決"])

    def test_it_matches_an_exact_phrase_only_in_that_order(self):
        self.indexed(headline="本会議の結果", body="<p>予算が可決された。</p>")
        self.indexed(headline="本会議の結果 その二", body="<p>可決された予算は過去最大。</p>")
        self.assertEqual(len(self.headlines(self.search("予算 可決"))), 2)
        self.assertEqual(self.headlines(self.search('"予算が可決"')), ["本会議の結果"])

    def test_it_leaves_out_excluded_words(self):
        self.indexed(headline="補正予算が成立", body="<p>補正予算の中身。</p>")
        self.indexed(headline="当初予算が成立", body="<p>来年度の予算。</p>")
        self.assertEqual(self.headlines(self.search("予算 -補正")), ["当初予算が成立"])

    def test_it_finds_tags_and_deck(self):
        tag = Tag.objects.create(name="五輪", slug="olympics")
        self.indexed(headline="開会式の準備", deck="聖火リレーが到着", tags=[tag])
        self.assertEqual(self.headlines(self.search("五輪")), ["開会式の準備"])
        self.assertEqual(self.headlines(self.search("聖火")), ["開会式の準備"])


class VariantTests(SearchTestCase):
    def assertFinds(self, indexed_text, query):
        self.indexed(headline=f"記事 {indexed_text}")
        self.assertEqual(self.headlines(self.search(query)), [f"記事 {indexed_text}"], f"{query} → {indexed_text}")

    def test_it_matches_fuzoku_spelled_both_ways(self):
        self.assertFinds("大学附属病院で治療", "付属病院")

    def test_it_matches_hikkoshi_with_or_without_tsu(self):
        self.assertFinds("春の引越しシーズン", "引っ越し")

    def test_it_matches_half_width_katakana(self):
        self.assertFinds("ｽﾏｰﾄﾌｫﾝの新機種", "スマートフォン")

    def test_it_matches_full_width_latin(self):
        self.assertFinds("ＡＩ規制の議論", "ai")

    def test_it_finds_a_part_of_a_compound_word_below_the_whole_word(self):
        self.indexed(headline="夏休み映画の興行収入", published_at=self.now - timedelta(days=3))
        self.indexed(headline="地方の興行が人気", published_at=self.now - timedelta(days=3))
        response = self.search("興行")
        self.assertEqual(self.headlines(response), ["地方の興行が人気", "夏休み映画の興行収入"])
        self.assertContains(response, "夏休み映画の<mark>興行</mark>収入")
        self.assertEqual(self.headlines(self.search("興行収入")), ["夏休み映画の興行収入"])

    def test_it_matches_katakana_long_vowel_variants(self):
        self.assertFinds("コンピュータの歴史", "コンピューター")


class FilterAndPagingTests(SearchTestCase):
    def test_it_filters_by_category(self):
        self.indexed(headline="選挙の行方", category=self.politics)
        self.indexed(headline="ソウルの選挙", category=self.korea)
        response = self.search("選挙", category="korea")
        self.assertEqual(self.headlines(response), ["ソウルの選挙"])

    def test_it_filters_by_date_range_in_japan_time(self):
        self.indexed(headline="選挙 十月", published_at=datetime(2026, 10, 31, 23, 30, tzinfo=JST))
        self.indexed(headline="選挙 十一月", published_at=datetime(2026, 11, 1, 0, 30, tzinfo=JST))
        self.indexed(headline="選挙 十二月", published_at=datetime(2026, 12, 1, 9, 0, tzinfo=JST))
        with time_machine.travel(datetime(2026, 12, 2, tzinfo=JST)):
            response = self.search("選挙", **{"from": "2026-11-01", "to": "2026-11-30"})
            self.assertEqual(self.headlines(response), ["選挙 十一月"])
            self.assertEqual(len(self.headlines(self.search("選挙", to="2026-10-31"))), 1)

    def test_it_ignores_a_malformed_date_and_says_so(self):
        self.indexed(headline="選挙の行方")
        response = self.search("選挙", **{"from": "2026-13-45"})
        self.assertEqual(self.headlines(response), ["選挙の行方"])
        self.assertContains(response, "日付は 2026-01-31 の形で入力してください")

    def test_it_pages_through_results_with_a_count(self):
        for i in range(12):
            self.indexed(headline=f"地震の情報 {i}", published_at=self.now - timedelta(hours=i + 1))
        first = self.search("地震")
        self.assertContains(first, "検索結果 12件")
        self.assertEqual(len(self.headlines(first)), 10)
        self.assertContains(first, "page=2")
        second = self.search("地震", page="2")
        self.assertEqual(len(self.headlines(second)), 2)
        self.assertContains(second, "（11〜12件目）")
        shown = set(self.headlines(first)) | set(self.headlines(second))
        self.assertEqual(len(shown), 12)
        self.assertEqual(self.search("地震", page="999").status_code, 200)

    def test_pages_past_the_articles_ranked_by_relevance_continue_the_list(self):
        for i in range(12):
            self.indexed(headline=f"地震の情報 {i}", published_at=self.now - timedelta(hours=i + 1))
        with mock.patch("kiji.search.backends.SCORE_CAP", 3):
            first, second = self.headlines(self.search("地震")), self.headlines(self.search("地震", page="2"))
        self.assertEqual((len(first), len(second)), (10, 2))
        self.assertEqual(len(set(first) | set(second)), 12)

    def test_past_the_candidates_it_says_at_least_instead_of_counting(self):
        for i in range(6):
            self.indexed(headline=f"地震の情報 {i}", published_at=self.now - timedelta(hours=6 - i))
        with mock.patch("kiji.search.backends.CANDIDATES", 4):
            response = self.search("地震")
            self.assertContains(response, "検索結果 4件以上")
            self.assertEqual(self.headlines(response)[0], "地震の情報 5")  # the newest
            self.assertContains(self.search("地震"), "検索結果 4件以上")  # the same from the result cache
        self.indexed(headline="地震の情報 6")  # a change to the index: counted afresh
        self.assertContains(self.search("地震"), "検索結果 7件</p>")

    def test_relevance_leaves_out_a_common_word_but_not_its_articles(self):
        self.indexed(headline="節電のこつ", body="<p>夏の節電。</p>", published_at=self.now - timedelta(days=3))
        for i in range(5):
            self.indexed(
                headline=f"料理の方法 {i}", body="<p>手軽な方法。</p>", published_at=self.now - timedelta(days=1)
            )
        call_command("reindex", stdout=StringIO())  # the vocabulary's counts: 方法 in 5 articles, 節電 in 1
        with mock.patch("kiji.search.backends.COMMON_RATIO", 2):
            found = self.headlines(self.search("節電 方法"))
        # the rare word's article first, though the others are newer and hold 方法 in the title
        self.assertEqual(found[0], "節電のこつ")
        self.assertEqual(len(found), 6)

    def test_when_every_word_is_common_the_rarest_words_articles_are_the_candidates(self):
        self.indexed(headline="節電の工夫 0", published_at=self.now - timedelta(days=30))
        self.indexed(headline="節電と料理の方法", published_at=self.now - timedelta(days=30))
        for i in range(1, 3):
            self.indexed(headline=f"節電の工夫 {i}", published_at=self.now - timedelta(days=30))
        for i in range(8):
            self.indexed(headline=f"料理の方法 {i}", published_at=self.now - timedelta(days=1 + i))
        call_command("reindex", stdout=StringIO())  # the vocabulary's counts: 方法 in 9 articles, 節電 in 4
        with (
            mock.patch("kiji.search.backends.CANDIDATES", 3),
            mock.patch("kiji.search.backends.STRICT_ENOUGH", 2),
            mock.patch("kiji.search.backends.COMMON_RATIO", 2),
        ):
            found = self.headlines(self.search("節電する方法について知りたい"))
        # both words are in more than CANDIDATES articles: the newest (by id) holding 節電 are the
        # candidates (not the newest holding either word, all about cooking), the one with both first
        self.assertEqual(found[0], "節電と料理の方法")
        self.assertEqual(len(found), 3)
        self.assertTrue(all("節電" in title for title in found))

    def test_a_word_no_article_holds_does_not_make_the_search_fail(self):
        self.indexed(headline="予算が可決")
        self.assertEqual(self.headlines(self.search("予算 宇宙人")), ["予算が可決"])

    def test_it_suggests_dropping_a_quoted_phrase_when_nothing_matches(self):
        self.indexed(headline="予算が可決")
        response = self.search('予算 "宇宙人"')
        self.assertContains(response, "見つかりませんでした")
        self.assertContains(response, '<a href="?q=%E4%BA%88%E7%AE%97">予算</a> — 1件')

    def test_it_suggests_dropping_the_filters(self):
        self.indexed(headline="選挙の行方", category=self.politics)
        response = self.search("選挙", category="korea")
        self.assertContains(response, "（絞り込みなし）")


class SafetyTests(SearchTestCase):
    def test_it_escapes_article_text_in_titles_and_snippets(self):
        self.indexed(
            headline="<script>alert(1)</script> 台風", body="<p>&lt;script&gt;alert(2)&lt;/script&gt; 台風の進路</p>"
        )
        response = self.search("台風")
        self.assertEqual(len(self.headlines(response)), 1)
        html = response.content.decode()
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertIn("&lt;script&gt;alert(2)&lt;/script&gt;", html)
        self.assertIn("<mark>台風</mark>", html)

    def test_the_snippet_shows_the_passage_with_the_hit_even_deep_in_a_long_body(self):
        filler = "今日は晴れです。" * 400
        self.indexed(
            headline="病院の話", body=f"<p>{filler}</p><p>大学附属病院で新しい治療が始まった。</p><p>{filler}</p>"
        )
        response = self.search("付属")
        self.assertContains(response, "<mark>附属</mark>病院で新しい治療が始まった。")
        self.assertContains(response, '<p class="search-snippet">…')

    def test_bad_queries_get_a_normal_japanese_page(self):
        self.indexed(headline="予算が可決")
        queries = [
            "",
            "   ",
            "予" * 10_000,
            "!!!???・・・",
            '"予算',
            '予算"',
            "NEAR(予算 可決)",
            "予算 OR 可決",
            "title:予算",
            "予算*",
            "^予算",
            "-予算",
            "--",
            '""',
            "'; DROP TABLE newsroom_article; --",
            "予算\x00可決",
            "(予算",
            "予算 AND NOT",
            "{予算 可決}",
            "予算 + 可決 -",
        ]
        for name in ("xss.txt", "sqli.txt"):
            queries += (HOSTILE / name).read_text(errors="replace").splitlines()[:40]
        for q in queries:
            with self.subTest(q=q[:40]):
                response = self.search(q)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "記事検索")
                self.assertNotIn("<script>alert", response.content.decode())
        self.assertContains(self.search("-予算"), "除外する語（-語）だけでは検索できません")
        self.assertContains(self.search("!!!???"), "検索できる言葉が含まれていません")
        self.assertContains(self.search('"予算'), "検索結果 1件")
        self.assertContains(self.search("100% 予算"), "検索結果 1件")

    def test_control_characters_in_the_query_are_not_echoed_into_the_page(self):
        self.indexed(headline="予算が可決")
        response = self.search("\x00予算\x01\x1f可決\x7f\x9b")
        page = response.content.decode()
        self.assertEqual(re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", page), [])
        self.assertContains(response, 'value="予算  可決"')
        self.assertContains(response, "検索結果 1件")

    def test_hostile_filters_and_pages_are_ignored(self):
        self.indexed(headline="予算が可決")
        for params in (
            {"category": "' OR 1=1"},
            {"from": "0001-01-01", "to": "9999-12-31"},
            {"page": "-1"},
            {"page": "9" * 5000},
            {"from": "x", "to": "<script>"},
        ):
            with self.subTest(params=params):
                response = self.search("予算", **params)
                self.assertContains(response, "検索結果 1件")  # the article is still found: the filter was ignored
                self.assertNotContains(response, "、<script>")  # a bad date is echoed escaped

    def test_the_page_is_noindex_labelled_and_announces_the_count(self):
        self.indexed(headline="予算が可決")
        response = self.search("予算")
        self.assertContains(response, '<meta name="robots" content="noindex">')
        self.assertEqual(response["X-Robots-Tag"], "noindex")
        self.assertContains(response, '<label for="search-q">検索語</label>')
        self.assertContains(response, '<p role="status" class="search-count">')

    def test_every_page_has_the_header_search_box(self):
        response = self.client.get(reverse("reader:home"))
        self.assertContains(response, 'role="search"')
        self.assertContains(response, '<label for="site-search">サイト内検索</label>')
        self.assertContains(response, '<input id="site-search" type="search" name="q"')


class IndexFollowsPublishingTests(SearchTestCase):
    def test_on_postgresql_an_indexed_article_is_in_the_index_itself_not_a_pending_list(self):
        # Every GIN scan reads the pending list, and a search makes about six (migration 0007).
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only (DATABASE_URL=postgres://…)")
        self.indexed(headline="新駅の開業日が決定")
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('search_pgterms_terms'::regclass)")
            self.assertEqual(cursor.fetchone()[0], 0)  # pages that were pending
        self.assertEqual(self.headlines(self.search("新駅")), ["新駅の開業日が決定"])

    def draft(self, **fields):
        return self.make_article(status=Article.Status.DRAFT, published_at=None, **fields)

    def test_publish_edit_unpublish_and_delete_reach_search(self):
        article = self.draft(headline="新駅の開業日が決定")
        self.assertEqual(self.headlines(self.search("新駅")), [])
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=article, by=self.editor)
        self.assertEqual(self.headlines(self.search("新駅")), ["新駅の開業日が決定"])

        article.headline = "新駅の開業日が延期"
        article.save()
        with self.captureOnCommitCallbacks(execute=True):
            announce_change(article)
        self.assertEqual(self.headlines(self.search("延期")), ["新駅の開業日が延期"])
        self.assertEqual(self.headlines(self.search("決定")), [])

        with self.captureOnCommitCallbacks(execute=True):
            unpublish_article(article=article, by=self.editor)
        self.assertEqual(self.headlines(self.search("新駅")), [])

        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=article, by=self.editor)
        self.assertEqual(len(self.headlines(self.search("新駅"))), 1)
        with self.captureOnCommitCallbacks(execute=True):
            announce_change(article, deleted=True)
            article.delete()
        self.assertEqual(self.headlines(self.search("新駅")), [])
        self.assertFalse(SearchDocument.objects.exists())

    def test_a_scheduled_article_appears_when_the_scheduler_publishes_it(self):
        article = self.draft(headline="花火大会の開催が決定")
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=article, by=self.editor, at=self.now + timedelta(minutes=10))
        self.assertEqual(self.headlines(self.search("花火")), [])
        with time_machine.travel(self.now + timedelta(minutes=11)):
            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(publish_due_articles(), 1)
            self.assertEqual(self.headlines(self.search("花火")), ["花火大会の開催が決定"])

    def test_imported_articles_are_indexed_in_bulk(self):
        articles = [self.make_article(headline=f"取り込んだ記事 {i} 紅葉") for i in range(3)]
        articles_imported.send(sender=Article, article_ids=[a.pk for a in articles])
        self.assertContains(self.search("紅葉"), "検索結果 3件")

    def test_reindex_rebuilds_from_what_readers_can_see(self):
        visible = self.make_article(headline="紅葉の名所")  # made without a signal: not in the index yet
        hidden = self.indexed(headline="紅葉の穴場")
        Article.objects.filter(pk=hidden.pk).update(status=Article.Status.UNPUBLISHED)
        self.assertEqual(self.headlines(self.search("紅葉")), [])
        self.assertEqual(list(SearchDocument.objects.values_list("pk", flat=True)), [hidden.pk])
        out = StringIO()
        call_command("reindex", batch_size=1, stdout=out)
        self.assertIn("Indexed 1 article(s).", out.getvalue())
        self.assertEqual(self.headlines(self.search("紅葉")), ["紅葉の名所"])
        self.assertEqual(list(SearchDocument.objects.values_list("pk", flat=True)), [visible.pk])


class ReaderQueryTests(SearchTestCase):
    """Queries as readers type them: questions, kana, abbreviations, typos, phrases."""

    def test_a_question_finds_the_article_with_its_content_words(self):
        self.indexed(headline="新型デジカメを発売", body="<p>メーカーは新しいデジカメを来月発売すると発表した。</p>")
        self.indexed(headline="天気予報", body="<p>明日は晴れ。</p>")
        for q in ("新しいデジカメはいつ発売されるの", "デジカメの発売について知りたい", "なぜデジカメを発売したのか"):
            self.assertEqual(self.headlines(self.search(q)), ["新型デジカメを発売"], q)

    def test_it_is_empty_only_when_no_content_word_is_shared(self):
        self.indexed(headline="新型デジカメを発売")
        response = self.search("宇宙人はいつ来るの")
        self.assertContains(response, "見つかりませんでした")

    def test_kana_finds_kanji_and_kanji_finds_kana(self):
        self.indexed(headline="東京駅が混雑", body="<p>連休初日、駅は人であふれた。</p>")
        self.indexed(headline="ねこの日にちなむ催し", body="<p>各地で催しがあった。</p>")
        self.assertEqual(self.headlines(self.search("とうきょうえき 混雑")), ["東京駅が混雑"])
        self.assertEqual(self.headlines(self.search("トウキョウ")), ["東京駅が混雑"])
        self.assertEqual(self.headlines(self.search("猫")), ["ねこの日にちなむ催し"])

    def test_the_exact_spelling_ranks_above_a_reading_match(self):
        when = self.now - timedelta(days=1)
        self.indexed(headline="殊勝な心がけ", published_at=when)
        self.indexed(headline="首相が会見", published_at=when - timedelta(days=300))
        self.assertEqual(self.headlines(self.search("首相")), ["首相が会見", "殊勝な心がけ"])
        self.assertEqual(set(self.headlines(self.search("しゅしょう"))), {"首相が会見", "殊勝な心がけ"})

    def test_an_abbreviation_finds_the_full_form_and_says_so(self):
        self.indexed(headline="デジタルカメラの新製品", body="<p>各社がデジタルカメラを発表。</p>")
        self.indexed(headline="W杯開幕", body="<p>ワールドカップが開幕した。</p>")
        call_command("reindex", stdout=StringIO())
        response = self.search("デジカメ")
        self.assertEqual(self.headlines(response), ["デジタルカメラの新製品"])
        self.assertContains(response, "『デジカメ』『デジタルカメラ』で検索しています。")
        self.assertEqual(self.headlines(self.search("ワールドカップ")), ["W杯開幕"])

    def test_the_readers_own_word_ranks_above_a_synonym(self):
        when = self.now - timedelta(days=1)
        self.indexed(headline="デジタルカメラの新製品", published_at=when)
        self.indexed(headline="デジカメ売り場", published_at=when - timedelta(days=300))
        call_command("reindex", stdout=StringIO())
        self.assertEqual(self.headlines(self.search("デジカメ")), ["デジカメ売り場", "デジタルカメラの新製品"])

    def test_an_editors_synonym_works_at_once(self):
        self.indexed(headline="ファイターズが勝利", body="<p>連勝した。</p>")
        self.assertEqual(self.headlines(self.search("ハムハム")), [])
        SynonymGroup.objects.create(words="ハムハム、ファイターズ")
        response = self.search("ハムハム")
        self.assertEqual(self.headlines(response), ["ファイターズが勝利"])
        self.assertContains(response, "『ハムハム』『ファイターズ』で検索しています。")

    def test_a_typo_gets_a_suggestion_and_its_results(self):
        self.indexed(headline="アイパッドの新型", body="<p>アイパッドが発売された。</p>")
        call_command("reindex", stdout=StringIO())
        response = self.search("アイパット")
        self.assertContains(response, "もしかして: ")
        self.assertContains(response, ">アイパッド</a>")
        self.assertContains(response, "「アイパッド」の検索結果 1件")
        self.assertEqual(self.headlines(response), ["アイパッドの新型"])

    def test_a_wrong_kanji_from_the_ime_suggests_the_word_read_the_same(self):
        self.indexed(headline="医療費の助成を拡大", body="<p>子どもの医療費を無料にする。</p>")
        self.indexed(headline="意気込みを語る", body="<p>両チームの選手が意気込みを語った。</p>")
        call_command("reindex", stdout=StringIO())
        response = self.search("医寮費")  # 療 typed as 寮
        self.assertContains(response, "もしかして: ")
        self.assertContains(response, ">医療費</a>")
        self.assertContains(response, "「医療費」の検索結果 1件")
        self.assertEqual(self.headlines(response), ["医療費の助成を拡大"])

    def test_a_phrase_ranks_above_the_same_words_apart(self):
        when = self.now - timedelta(days=1)
        self.indexed(headline="書籍の電子化", body="<p>電子辞書と書籍。</p>", published_at=when)
        self.indexed(
            headline="電子書籍の市場", body="<p>電子書籍が伸びる。</p>", published_at=when - timedelta(days=300)
        )
        self.assertEqual(self.headlines(self.search("電子 書籍"))[0], "電子書籍の市場")

    def test_a_year_in_the_query_filters_by_it_with_a_way_out(self):
        self.indexed(headline="W杯で日本が勝利", published_at=datetime(2010, 6, 15, 9, tzinfo=JST))
        self.indexed(headline="W杯予選の組み合わせ", published_at=datetime(2011, 7, 1, 9, tzinfo=JST))
        response = self.search("W杯 2010年")
        self.assertEqual(self.headlines(response), ["W杯で日本が勝利"])
        self.assertContains(response, "2010年に公開された記事に絞り込んでいます。")
        self.assertEqual(self.headlines(self.search("W杯 2011年6月")), [])
        self.assertEqual(self.headlines(self.search("W杯 2010年6月")), ["W杯で日本が勝利"])
        self.assertContains(response, "期間で絞り込まずに検索する")
        everything = self.search("W杯 2010年", period="any")
        self.assertEqual(set(self.headlines(everything)), {"W杯で日本が勝利", "W杯予選の組み合わせ"})
        self.assertNotContains(everything, "絞り込んでいます")

    def test_an_edited_or_deleted_editors_synonym_counts_at_once(self):
        self.indexed(headline="ファイターズが勝利")
        group = SynonymGroup.objects.create(words="ハムハム、ファイターズ")
        self.assertEqual(self.headlines(self.search("ハムハム")), ["ファイターズが勝利"])
        group.words = "ハムハム、ホークス"
        group.save()
        self.assertEqual(self.headlines(self.search("ハムハム")), [])
        group.delete()
        self.assertEqual(self.headlines(self.search("ハムハム")), [])

    def test_with_a_shared_cache_the_editors_list_is_kept_until_an_edit_anywhere(self):
        self.indexed(headline="ファイターズが勝利")
        self.indexed(headline="ホークスが勝利")
        with mock.patch("kiji.search.expand.shared_cache", return_value=True):
            group = SynonymGroup.objects.create(words="ハムハム、ファイターズ")
            self.assertEqual(self.headlines(self.search("ハムハム")), ["ファイターズが勝利"])
            with self.assertNumQueries(0):  # the list, kept under the cache's version: no query
                expand._editor_synonyms()
            # Another process edits the list: its save changes the shared version, not this memo.
            SynonymGroup.objects.filter(pk=group.pk).update(words="ハムハム、ホークス")
            self.assertEqual(self.headlines(self.search("ハムハム")), ["ファイターズが勝利"])
            expand.synonyms_changed()
            self.assertEqual(self.headlines(self.search("ハムハム")), ["ホークスが勝利"])
            group.delete()  # this process's own edit
            self.assertEqual(self.headlines(self.search("ハムハム")), [])


class KanaLettersAndVocabularyTests(SearchTestCase):
    """Words readers type that Sudachi cuts apart or spells otherwise, and the vocabulary job."""

    def test_kana_finds_a_word_sudachi_does_not_read_as_one(self):
        self.indexed(headline="婚活パーティーに潜入", body="<p>婚活の現場を見た。</p>")
        self.indexed(headline="電子書籍の市場が拡大", body="<p>電子書籍が伸びる。</p>")
        self.indexed(headline="天気予報", body="<p>明日は晴れ。</p>")
        call_command("reindex", stdout=StringIO())
        self.assertEqual(self.headlines(self.search("こんかつ")), ["婚活パーティーに潜入"])
        self.assertEqual(self.headlines(self.search("でんししょせき")), ["電子書籍の市場が拡大"])

    def test_latin_letters_spelled_in_katakana_find_the_letters(self):
        self.indexed(headline="AKB48が新曲", body="<p>AKB48の新しいシングル。</p>")
        self.indexed(headline="天気予報", body="<p>明日は晴れ。</p>")
        call_command("reindex", stdout=StringIO())
        response = self.search("エーケービー")
        self.assertEqual(self.headlines(response), ["AKB48が新曲"])
        self.assertContains(response, "『エーケービー』『akb』で検索しています。")
        self.assertEqual(self.headlines(self.search("アイ")), [])  # one letter name is a word, not a letter

    def test_a_typo_in_a_long_katakana_word_is_corrected(self):
        self.indexed(headline="コンピューターの歴史", body="<p>コンピューターが普及した。</p>")
        for n in range(3):
            self.indexed(headline=f"コンサート情報{n}", body="<p>コンサートのお知らせ。</p>")
        call_command("reindex", stdout=StringIO())
        response = self.search("コンピュタ")
        self.assertContains(response, "もしかして: ")
        self.assertEqual(self.headlines(response), ["コンピューターの歴史"])

    def test_a_typo_some_article_shares_still_suggests_the_common_word(self):
        self.indexed(headline="コンピューターの歴史", body="<p>コンピューターが普及した。</p>")
        self.indexed(headline="古いメモ", body="<p>コンピュタと書かれていた。</p>")
        call_command("reindex", stdout=StringIO())
        Term.objects.filter(term="コンピューター").update(documents=40)  # as in a real archive: far more common
        response = self.search("コンピュタ")
        self.assertEqual(self.headlines(response), ["古いメモ"])
        self.assertContains(response, "もしかして: ")
        self.assertContains(response, ">コンピューター</a>")
        Term.objects.filter(term="コンピューター").update(documents=3)
        forget_vocabulary()
        self.assertNotContains(self.search("コンピュタ"), "もしかして: ")  # not much more common: no suggestion

    def test_the_vocabulary_job_forgets_words_no_article_holds_any_more(self):
        from kiji.search import jobs

        gone = self.indexed(headline="ザッケローニ監督が会見", body="<p>代表の監督が話した。</p>")
        self.indexed(headline="天気予報", body="<p>明日は晴れ。</p>")
        call_command("reindex", stdout=StringIO())
        self.assertContains(self.search("ザッケロー二"), "もしかして: ")
        with self.captureOnCommitCallbacks(execute=True):
            unpublish_article(article=gone, by=self.editor)
        self.assertTrue(jobs.vocabulary())
        self.assertNotContains(self.search("ザッケロー二"), "もしかして: ")
        self.assertFalse(jobs.vocabulary())  # once per VOCABULARY_EVERY seconds

    def test_the_vocabulary_counts_follow_publishing_editing_and_unpublishing_at_once(self):
        def documents():
            return Term.objects.filter(term="紅葉").values_list("documents", flat=True).first()

        first = self.indexed(headline="紅葉の名所", body="<p>紅葉が見頃です。</p>")
        second = self.indexed(headline="紅葉まつり", body="<p>週末に開催。</p>")
        imported = [self.make_article(headline=f"紅葉の便り {i}") for i in range(2)]
        articles_imported.send(sender=Article, article_ids=[a.pk for a in imported])
        self.assertEqual(documents(), 4)
        second.headline = "秋まつり"
        second.save()
        with self.captureOnCommitCallbacks(execute=True):
            announce_change(second)
        self.assertEqual(documents(), 3)
        for article in (first, *imported):
            with self.captureOnCommitCallbacks(execute=True):
                unpublish_article(article=article, by=self.editor)
        self.assertIsNone(documents())  # no article holds it: no longer a word to suggest
        with self.captureOnCommitCallbacks(execute=True):
            publish_article(article=first, by=self.editor)
        self.assertEqual(documents(), 1)
        call_command("reindex", stdout=StringIO())
        self.assertEqual(documents(), 1)  # the full recount agrees
