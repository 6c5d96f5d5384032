"""A Japanese news post as WordPress exports it: what a reader sees after the import."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase

from kiji.newsroom.models import Article, Category, Tag
from kiji.newsroom.roles import ensure_roles

EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>ニュースサイト</title><link>https://news.example.jp</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://news.example.jp</wp:base_site_url><wp:base_blog_url>https://news.example.jp</wp:base_blog_url>
<wp:author><wp:author_login>yamada</wp:author_login><wp:author_email>yamada@example.jp</wp:author_email>
<wp:author_display_name><![CDATA[山田 太郎]]></wp:author_display_name></wp:author>
<wp:category><wp:category_nicename>news</wp:category_nicename><wp:category_parent></wp:category_parent>
<wp:cat_name><![CDATA[ニュース]]></wp:cat_name></wp:category>
<wp:category><wp:category_nicename>politics</wp:category_nicename><wp:category_parent>news</wp:category_parent>
<wp:cat_name><![CDATA[政治]]></wp:cat_name></wp:category>
<wp:category><wp:category_nicename>%e5%9b%bd%e4%bc%9a</wp:category_nicename><wp:category_parent>politics</wp:category_parent>
<wp:cat_name><![CDATA[国会]]></wp:cat_name></wp:category>
<wp:tag><wp:tag_slug>%e4%ba%88%e7%ae%97</wp:tag_slug><wp:tag_name><![CDATA[予算]]></wp:tag_name></wp:tag>
<item>
<title>議事堂の写真</title><link>https://news.example.jp/2024/03/01/budget/gijido/</link>
<excerpt:encoded><![CDATA[国会議事堂（東京・永田町）]]></excerpt:encoded>
<wp:post_id>8</wp:post_id><wp:post_parent>7</wp:post_parent><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://news.example.jp/wp-content/uploads/2024/03/gijido.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[国会議事堂]]></wp:meta_value></wp:postmeta>
</item>
<item>
<title>予算案が可決</title><link>https://news.example.jp/2024/03/01/budget/</link>
<dc:creator>yamada</dc:creator>
<content:encoded><![CDATA[衆議院で予算案が可決された。
与党は歓迎した。

[caption id="attachment_1" width="300"]<img src="https://news.example.jp/wp-content/uploads/2024/03/gijido-300x200.jpg" srcset="https://news.example.jp/wp-content/uploads/2024/03/gijido.jpg 600w" alt="国会"> 国会議事堂[/caption]

<a href="https://news.example.jp/2024/02/01/earlier/">前の記事</a>

<ruby>漢字<rt>かんじ</rt></ruby>の読み。<script>alert(1)</script>

[cosmosfarm_share_buttons url="https://news.example.jp/" title="x"]

[[caption]] の書き方。

https://www.youtube.com/watch?v=abc

[embed]https://x.com/kiji/status/1[/embed]]]></content:encoded>
<excerpt:encoded><![CDATA[来年度予算案が成立へ]]></excerpt:encoded>
<wp:post_id>7</wp:post_id><wp:post_date_gmt>2024-03-01 03:00:00</wp:post_date_gmt>
<wp:post_name>budget</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:is_sticky>0</wp:is_sticky>
<category domain="category" nicename="%e5%9b%bd%e4%bc%9a"><![CDATA[国会]]></category>
<category domain="post_tag" nicename="%e4%ba%88%e7%ae%97"><![CDATA[予算]]></category>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[8]]></wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key><wp:meta_value><![CDATA[yosan]]></wp:meta_value></wp:postmeta>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author><![CDATA[読者A]]></wp:comment_author>
<wp:comment_author_email>a@example.jp</wp:comment_author_email><wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>
<wp:comment_date_gmt>2024-03-01 04:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[賛成です。]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author><![CDATA[読者B]]></wp:comment_author>
<wp:comment_date_gmt>2024-03-01 05:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[私は反対。]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>1</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_author><![CDATA[spammer]]></wp:comment_author>
<wp:comment_content><![CDATA[buy now]]></wp:comment_content>
<wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
</item>
</channel>
</rss>
"""


def import_export(*args) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xml"
        path.write_text(EXPORT, encoding="utf-8")
        out = StringIO()
        call_command("import_wxr", str(path), *args, stdout=out)
    return out.getvalue()


class JapaneseNewsPostTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_roles()
        cls.report = import_export()
        cls.article = Article.objects.get()

    def test_without_its_file_a_picture_becomes_its_alt_text_and_is_listed(self):
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertIn("<figure>国会<figcaption>国会議事堂</figcaption></figure>", html)
        self.assertNotIn("news.example.jp", html)  # nothing of the old host: links point at redirected paths
        self.assertIn('href="/2024/02/01/earlier/"', html)
        self.assertIn(
            "画像が UPLOADS にありません（代替テキストに置き換え）: https://news.example.jp/wp-content/uploads/2024/03/gijido-300x200.jpg",
            self.report,
        )

    def test_the_reader_sees_paragraphs_a_figure_and_ruby_and_no_shortcode_or_script(self):
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertIn("<p>衆議院で予算案が可決された。<br>", html)
        self.assertIn("<figcaption>国会議事堂</figcaption>", html)
        self.assertIn("<ruby>漢字<rt>かんじ</rt></ruby>", html)
        self.assertIn("[caption] の書き方。", html)  # [[caption]] is WordPress's literal [caption]
        self.assertNotIn("cosmosfarm", html)
        self.assertIn('YouTube: <a href="https://www.youtube.com/watch?v=abc"', html)  # a link card, no player
        self.assertIn('X: <a href="https://x.com/kiji/status/1"', html)
        self.assertNotIn("<iframe", html)
        self.assertNotIn("alert(1)", html)
        self.assertIn("ショートコードを除去: [cosmosfarm_share_buttons] 1", self.report)

    def test_the_excerpt_is_the_deck_and_the_writer_keeps_the_email_private(self):
        self.assertEqual(self.article.deck, "来年度予算案が成立へ")
        writer = self.article.writers.get()
        self.assertEqual((writer.name, writer.email), ("山田 太郎", ""))

    def test_a_third_level_category_folds_into_its_second_level_and_is_reported(self):
        self.assertEqual(self.article.category.name, "政治")
        self.assertEqual(self.article.category.parent.name, "ニュース")
        self.assertEqual(Category.objects.count(), 2)
        self.assertIn("ニュース > 政治 > 国会 → 政治", self.report)

    def test_breadcrumbs_show_the_parent_and_the_parent_page_lists_the_article(self):
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        crumbs = html.split('aria-label="パンくずリスト"')[1].split("</nav>")[0]
        self.assertLess(crumbs.index("ニュース"), crumbs.index("政治"))
        news = Category.objects.get(name="ニュース")
        self.assertContains(self.client.get(news.get_absolute_url()), "予算案が可決")
        menu = self.client.get("/")  # the menu shows top-level categories only
        self.assertNotContains(menu, '<a href="/category/politics/">政治</a>', html=True)

    def test_a_percent_encoded_tag_slug_is_decoded(self):
        tag = Tag.objects.get()
        self.assertEqual((tag.name, tag.slug), ("予算", "予算"))
        self.assertContains(self.client.get(tag.get_absolute_url()), "予算案が可決")

    def test_comments_keep_their_thread_and_no_address_or_spam(self):
        comments = self.article.comments.order_by("created_at")
        self.assertEqual([c.nickname for c in comments], ["読者A", "読者B"])
        self.assertEqual(comments[1].parent, comments[0])
        self.assertEqual(comments[0].ip_hash, "")
        self.assertIn("スキップ: コメント（spam） 1", self.report)
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertIn(f'<a href="#c{comments[0].pk}">読者Aさんへの返信</a>', html)

    def test_old_addresses_answer_301(self):
        new = self.article.get_absolute_url()
        for old in (
            "/2024/03/01/budget/",
            "/?p=7",
            "/2024/03/01/yosan/",
            "/?name=yosan",
            "/category/news/politics/",
            "/category/news/politics/国会/",
            "/tag/予算/",
            "/author/yamada/",
        ):
            response = self.client.get(old)
            self.assertEqual(response.status_code, 301, old)
        self.assertEqual(self.client.get("/2024/03/01/yosan/")["Location"], new)


class MediaTests(TestCase):
    """--media UPLOADS: the old site's pictures become Kiji's images, once."""

    def setUp(self):
        import tarfile

        from PIL import Image as Picture

        ensure_roles()
        self.folder = tempfile.TemporaryDirectory()
        uploads = Path(self.folder.name) / "wp-content" / "uploads" / "2024" / "03"
        uploads.mkdir(parents=True)
        Picture.new("RGB", (600, 400), "navy").save(uploads / "gijido.jpg")
        self.tarball = Path(self.folder.name) / "uploads.tar.gz"
        with tarfile.open(self.tarball, "w:gz") as archive:
            archive.add(Path(self.folder.name) / "wp-content", arcname="wp-content")

    def tearDown(self):
        self.folder.cleanup()

    def test_featured_and_body_pictures_come_from_the_uploads_archive(self):
        from kiji.newsroom.models import Image

        report = import_export("--media", str(self.tarball))
        article = Article.objects.get()
        self.assertEqual(
            (article.lead_image.alt, article.lead_image.caption), ("国会議事堂", "国会議事堂（東京・永田町）")
        )
        html = self.client.get(article.get_absolute_url()).content.decode()
        self.assertIn(f'src="{article.lead_image.file.url}"', html)  # the resized copy asked for: its original
        self.assertNotIn("news.example.jp", html)
        self.assertNotIn("UPLOADS にありません", report)
        import_export("--media", str(self.tarball))
        self.assertEqual(Image.objects.count(), 1)

    def test_an_uploads_folder_works_too(self):
        import_export("--media", str(Path(self.folder.name) / "wp-content" / "uploads"))
        self.assertIsNotNone(Article.objects.get().lead_image)


class BadItemTests(TestCase):
    """A post that cannot be imported stops the import with its line, or is skipped and listed with --skip-bad."""

    def export_with_a_dateless_post(self) -> str:
        return EXPORT.replace("<wp:post_date_gmt>2024-03-01 03:00:00</wp:post_date_gmt>", "")

    def run_import(self, *args) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.xml"
            path.write_text(self.export_with_a_dateless_post(), encoding="utf-8")
            out = StringIO()
            call_command("import_wxr", str(path), *args, stdout=out)
        return out.getvalue()

    def test_it_stops_naming_the_line_and_changes_nothing(self):
        from django.core.management import CommandError

        ensure_roles()
        with self.assertRaisesMessage(CommandError, "公開日時（wp:post_date）がありません"):
            self.run_import()
        self.assertFalse(Article.objects.exists() or Category.objects.exists() or Tag.objects.exists())

    def test_skip_bad_imports_the_rest_and_lists_it(self):
        ensure_roles()
        report = self.run_import("--skip-bad")
        self.assertIn("取り込めなかった項目:", report)
        self.assertIn("予算案が可決", report)
        self.assertFalse(Article.objects.exists())
        self.assertEqual(Category.objects.count(), 2)


class AfterImportTests(TestCase):
    def test_imported_articles_are_found_by_search_once_committed(self):
        ensure_roles()
        with self.captureOnCommitCallbacks(execute=True):
            import_export()
        article = Article.objects.get()
        self.assertContains(self.client.get("/search/", {"q": "予算案"}), f'href="{article.get_absolute_url()}"')
