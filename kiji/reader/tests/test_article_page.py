"""The article page: everything a reader needs, in reading order, whole, and light."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kiji.newsroom.models import Correction, Image, Tag
from kiji.newsroom.services.demo import abstract_picture
from kiji.reader.tests.pages import Page
from kiji.testing import NewsroomTestCase

JST = ZoneInfo("Asia/Tokyo")

# A long news article: 48 paragraphs, over 6,000 characters (a feature-length piece; ~18 KB of UTF-8).
PARAGRAPHS = 48
PARAGRAPH = (
    "市議会の特別委員会は十日、来年度から始まる子育て支援策の詳細について、担当部局から説明を受けた。"
    "委員からは、対象となる世帯の範囲や、申請の手続きを簡単にするための工夫について質問が相次ぎ、"
    "部局側は「オンライン申請を基本とし、窓口での相談も続ける」と答えた。"
)
LONG_BODY = "".join(f"<p>{PARAGRAPH}（{i}）</p>" for i in range(1, PARAGRAPHS + 1))


class ArticlePageTests(NewsroomTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_writer.email = "ichiro.sato@example.jp"
        cls.other_writer.save()
        # 09:05 Japan time, thirty days before the day the suite's clock is on (never a calendar date)
        day = timezone.localdate() - timedelta(days=30)
        cls.published_at = datetime(day.year, day.month, day.day, 9, 5, tzinfo=JST)
        cls.article = cls.make_article(
            headline="子育て支援策、来年度から拡充へ",
            deck="申請はオンラインが基本に",
            slug="childcare-support",
            body=LONG_BODY,
            writers=[cls.writer, cls.other_writer],
            published_at=cls.published_at,
            updated_at=cls.published_at + timedelta(hours=3, minutes=30),
            tags=[
                Tag.objects.create(name="子育て", slug="子育て"),
                Tag.objects.create(name="地方自治", slug="地方自治"),
            ],
        )
        Correction.objects.create(
            article=cls.article, text="委員会の開催日を訂正しました。", created_at=cls.published_at + timedelta(hours=1)
        )
        for i in range(8):  # neighbours for the side lists
            cls.make_article(
                headline=f"関連する政治ニュース{i}", published_at=cls.published_at - timedelta(hours=i + 1)
            )

    def setUp(self):
        # The lead image is stored per test: MEDIA_ROOT is a fresh folder for each one.
        image = Image(alt="青い円が重なる抽象的なイラスト", caption="子育て支援のイメージ", credit="イラスト：編集部")
        image.file.save("lead.jpg", SimpleUploadedFile("lead.jpg", abstract_picture(200, seed=1)), save=False)
        image.renditions = [
            {"width": w, "height": w * 9 // 16, "format": f, "name": f"images/lead-{w}w.{f}"}
            for w in (320, 640, 960)
            for f in ("webp", "jpeg")
        ]
        image.save()
        self.article.lead_image = image
        self.article.save()

    def get_page(self) -> str:
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    @property
    def day(self) -> str:
        return self.published_at.date().isoformat()

    @property
    def jday(self) -> str:
        return f"{self.published_at.year}年{self.published_at.month}月{self.published_at.day}日"

    def test_it_reads_in_order_from_headline_to_comments(self):
        html = self.get_page()
        main = html[html.index('<main id="main"') :]
        landmarks = [
            "<h1>子育て支援策、来年度から拡充へ</h1>",
            '<p class="deck">申請はオンラインが基本に</p>',
            'href="/writers/yamada-hanako/">山田 花子</a>',
            'href="/writers/sato-ichiro/">佐藤 一郎</a>',
            f'<time datetime="{self.day}T09:05:00+09:00">{self.jday} 09:05</time>',
            f'<time datetime="{self.day}T12:35:00+09:00">{self.jday} 12:35</time>',
            '<figure class="lead-image">',
            'alt="青い円が重なる抽象的なイラスト"',
            "子育て支援のイメージ",
            f"<p>{PARAGRAPH}（1）</p>",
            f"<p>{PARAGRAPH}（{PARAGRAPHS}）</p>",
            "委員会の開催日を訂正しました。",
            'href="mailto:hanako@example.jp"',
            'href="mailto:ichiro.sato@example.jp"',
            "#子育て</a>",
            'class="share"',
            'id="comments"',
            'class="sidebar"',
        ]
        positions = []
        for text in landmarks:
            assert text in main, text
            positions.append(main.index(text))
        assert positions == sorted(positions), [
            landmarks[i] for i in range(len(positions) - 1) if positions[i] > positions[i + 1]
        ]
        assert "公開 <time" in main and "更新 <time" in main

    def test_no_placeholder_or_template_code_leaks_into_the_page(self):
        html = self.get_page()
        visible = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
        for leak in (
            "{{",
            "}}",
            "{%",
            "%}",
            "[share_buttons]",
            "[comments]",
            "[ranking]",
            "None<",
            ">None",
            "undefined",
            "Undefined",
        ):
            assert leak not in visible, leak
        assert re.search(r"\[[a-z_]+\]", visible) is None

    def test_every_slot_renders_something_a_reader_understands(self):
        html = self.get_page()
        for heading in ("コメント", "こんな記事も読まれています", "おすすめニュース", "話題", "政治 ランキング"):
            assert heading in html, heading

    def test_a_long_article_page_weighs_under_60_kb_with_its_css_and_js(self):
        html = self.get_page()
        assert len(PARAGRAPH) * PARAGRAPHS > 6000  # realistic: thousands of characters of body
        page = Page(html)
        assert page.stylesheets, "the page links its stylesheet"
        assets = 0
        for url in page.stylesheets + page.scripts:
            assert url.startswith(settings.STATIC_URL), f"no third-party requests: {url}"
            path = finders.find(url.removeprefix(settings.STATIC_URL))
            assert path, url
            with open(path, "rb") as f:
                assets += len(f.read())
        total = len(html.encode()) + assets
        print(f"article page weight: HTML {len(html.encode())} B + CSS/JS {assets} B = {total} B")
        assert total < 60 * 1024, f"HTML {len(html.encode())} B + CSS/JS {assets} B = {total} B"

    def test_nothing_is_loaded_from_another_site(self):
        html = self.get_page()
        for tag in re.findall(r"<(?:script|link|img|source|iframe)\b[^>]*>", html):
            for url in re.findall(r'(?:src|href|srcset)="([^"]*)"', tag):
                rel = re.search(r'rel="([^"]*)"', tag)
                if rel and rel.group(1) in ("canonical", "alternate"):
                    continue  # links that name this site's own URLs, never fetched by the page
                assert not re.match(r"(https?:)?//", url), tag


class SourceCreditTests(NewsroomTestCase):
    def test_a_credit_without_addresses_is_shown_as_written(self):
        article = self.make_article(source_credit="提供：みなと新聞社")
        self.assertContains(
            self.client.get(article.get_absolute_url()), '<p class="source">出典: 提供：みなと新聞社</p>'
        )

    def test_an_article_of_our_own_has_no_source_line(self):
        article = self.make_article()
        self.assertNotContains(self.client.get(article.get_absolute_url()), "出典:")
