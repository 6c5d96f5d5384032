"""`kiji import-wxr` on the real WordPress exports: what an editor and a reader find afterwards."""

import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from kiji.comments.models import Comment
from kiji.newsroom.models import Article, Category, Revision, Tag, Writer
from kiji.newsroom.roles import ensure_roles
from kiji.pages.models import Page
from kiji.testing import shared_corpus
from kiji.wxr.importing import EXAMPLES


def run(name, *args) -> str:
    out = StringIO()
    call_command("import_wxr", str(shared_corpus("wxr", name)), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class SmallExportTests(TestCase):
    """What WordPress's own importer test asserts of small-export.xml, in Kiji's terms."""

    @classmethod
    def setUpTestData(cls):
        ensure_roles()
        cls.report = run("small-export.xml")

    def test_it_makes_writers_without_public_email_or_logins(self):
        self.assertEqual(sorted(Writer.objects.values_list("slug", flat=True)), ["admin", "author", "editor"])
        self.assertFalse(Writer.objects.exclude(email="").exists())
        self.assertFalse(Writer.objects.exclude(user=None).exists())

    def test_it_makes_30_categories_with_the_foo_bar_chain(self):
        self.assertEqual(Category.objects.count(), 30)
        child = Category.objects.get(slug="foo-bar")
        self.assertEqual(child.parent.slug, "bar")
        self.assertIsNone(Category.objects.get(slug="foo").parent)
        self.assertEqual(Tag.objects.count(), 3)

    def test_it_publishes_five_posts_and_keeps_the_private_one_away_from_readers(self):
        self.assertEqual(Article.objects.published().count(), 5)
        private = Article.objects.get(status=Article.Status.UNPUBLISHED)
        self.assertEqual(self.client.get(f"/articles/{private.pk}/").status_code, 404)
        self.assertIn("公開しない: 投稿", self.report)
        hello = Article.objects.get(headline="Hello world!")
        page = self.client.get(hello.get_absolute_url())
        self.assertContains(page, "Welcome to WordPress.")

    def test_it_makes_four_published_pages_and_one_draft_linked_from_the_footer(self):
        self.assertEqual(Page.objects.published().count(), 4)
        self.assertEqual(Page.objects.filter(status=Page.Status.DRAFT).count(), 1)
        sample = Page.objects.get(slug="sample-page")
        response = self.client.get("/")
        self.assertContains(response, f'href="/page/{sample.path}/"')
        self.assertContains(self.client.get(f"/page/{sample.path}/"), "bike messenger")

    def test_it_keeps_the_one_comment_shown_to_readers(self):
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.APPROVED)
        self.assertEqual(comment.nickname, "Mr WordPress")
        self.assertIn("view the post's comments", comment.body)
        self.assertEqual(comment.created_at.year, 2011)

    def test_front_page_queries_for_terms_and_authors_answer_301(self):
        foo_bar = Category.objects.get(slug="foo-bar")  # wp:term_id 5 in the export
        self.assertEqual(self.client.get("/?cat=5")["Location"], foo_bar.get_absolute_url())
        editor = Writer.objects.get(slug="editor")  # wp:author_id 2
        self.assertEqual(self.client.get("/?author=2")["Location"], editor.get_absolute_url())

    def test_it_adds_nothing_when_run_again(self):
        counts = (
            Article.objects.count(),
            Page.objects.count(),
            Comment.objects.count(),
            Category.objects.count(),
            Revision.objects.count(),
        )
        report = run("small-export.xml")
        self.assertEqual(
            counts,
            (
                Article.objects.count(),
                Page.objects.count(),
                Comment.objects.count(),
                Category.objects.count(),
                Revision.objects.count(),
            ),
        )
        self.assertIn("変更なし: 記事（公開） 5", report)


class ThemeUnitTestDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_roles()
        cls.report = run("themeunittestdata.wordpress.xml")

    def test_it_maps_each_status(self):
        # 56 published in WordPress; the password-protected one is imported but not public, and reported
        self.assertEqual(Article.objects.filter(status=Article.Status.PUBLISHED).count(), 55)
        self.assertEqual(Article.objects.filter(status=Article.Status.UNPUBLISHED).count(), 1)
        self.assertIn("パスワード保護", self.report)
        self.assertEqual(Article.objects.filter(status=Article.Status.SCHEDULED).count(), 1)
        self.assertEqual(Article.objects.filter(status=Article.Status.DRAFT).count(), 1)
        self.assertEqual(Page.objects.published().count(), 21)

    def test_the_main_menu_keeps_the_busiest_categories_and_says_so(self):
        from kiji.wxr.importing import MENU_MAX

        menu = list(Category.objects.filter(in_menu=True).values_list("name", flat=True))
        # 60 top-level categories came, and only the few holding published articles went into the menu
        self.assertLessEqual(len(menu), MENU_MAX)
        self.assertNotIn("aciform", menu)
        self.assertIn("Block", menu)
        self.assertIn(f"メインメニューには記事の多い {len(menu)} 件", self.report)
        # The hidden ones still have their pages
        self.assertEqual(self.client.get("/category/aciform/").status_code, 200)

    def test_every_published_post_and_page_answers_301_at_its_old_url(self):
        from urllib.parse import urlsplit

        from kiji.wxr.parsing import Item, read_export

        old = [
            r
            for r in read_export(shared_corpus("wxr", "themeunittestdata.wordpress.xml"))
            if isinstance(r, Item) and r.post_type in ("post", "page") and r.status == "publish" and not r.password
        ]
        self.assertEqual(len(old), 55 + 21)
        for item in old:
            parts = urlsplit(item.link)
            path = "/" + parts.path.lstrip("/")  # the test client would read //greek/ as a host
            response = self.client.get(path + (f"?{parts.query}" if parts.query else ""))
            self.assertEqual(response.status_code, 301, item.link)
            self.assertEqual(self.client.get(response["Location"]).status_code, 200, item.link)
            shortlink = "/?p=" if item.post_type == "post" else "/?page_id="
            self.assertEqual(self.client.get(f"{shortlink}{item.wp_id}")["Location"], response["Location"])

    def test_wordpress_date_archives_answer_301_to_the_month_archive(self):
        from kiji.wxr.parsing import Item, read_export

        posts = [
            r
            for r in read_export(shared_corpus("wxr", "themeunittestdata.wordpress.xml"))
            if isinstance(r, Item) and r.post_type == "post" and r.status == "publish" and not r.password
        ]
        self.assertEqual(len(posts), 55)
        for when in {p.date_local for p in posts}:
            year, month = f"/archive/{when:%Y}/", f"/archive/{when:%Y}/{when:%m}/"
            for old, new in (
                (f"/{when:%Y}/", year),
                (f"/{when:%Y}/page/2/", year),
                (f"/{when:%Y}/{when:%m}/", month),
                (f"/{when:%Y}/{when:%m}/page/3/", month),
                (f"/{when:%Y}/{when:%m}/{when:%d}/", month),
            ):
                response = self.client.get(old)
                self.assertEqual((response.status_code, response["Location"]), (301, new), old)
            self.assertEqual(self.client.get(month).status_code, 200, month)
        # a month the old site had no post in answered 404 there, and here too
        months = {(p.date_local.year, p.date_local.month) for p in posts}
        empty = next((y, m) for y in range(2000, 2030) for m in range(1, 13) if (y, m) not in months)
        self.assertEqual(self.client.get(f"/{empty[0]}/{empty[1]:02d}/").status_code, 404)

    def test_old_category_tag_author_and_feed_addresses_answer_301(self):
        category = Category.objects.filter(parent__isnull=False).first()
        response = self.client.get(f"/category/{category.parent.slug}/{category.slug}/")
        self.assertRedirects(response, category.get_absolute_url(), status_code=301)
        tag = Tag.objects.first()
        self.assertRedirects(self.client.get(f"/tag/{tag.slug}/"), tag.get_absolute_url(), status_code=301)
        writer = Writer.objects.get(name="Theme Buster")
        self.assertRedirects(self.client.get("/author/themedemos/"), writer.get_absolute_url(), status_code=301)
        self.assertRedirects(self.client.get("/feed/"), "/feeds/rss/", status_code=301, fetch_redirect_response=False)
        # the query forms WordPress answers on its front page, with the export's term and author IDs
        self.assertEqual(self.client.get(f"/?tag={tag.slug}")["Location"], tag.get_absolute_url())

    def test_it_keeps_one_level_of_categories_and_reports_the_folding(self):
        self.assertFalse(Category.objects.filter(parent__parent__isnull=False).exists())
        self.assertTrue(Category.objects.filter(parent__isnull=False).exists())
        self.assertIn("カテゴリーをまとめました:", self.report)

    def test_threaded_comments_keep_their_parents_one_level_deep(self):
        replies = Comment.objects.filter(parent__isnull=False)
        self.assertTrue(replies.exists())
        self.assertFalse(replies.filter(parent__parent__isnull=False).exists())
        self.assertFalse(replies.exclude(article=models_f("parent__article")).exists())

    def test_no_shortcode_reaches_a_reader(self):
        import re

        names = set(
            re.findall(
                r"\[([a-z][a-z0-9_-]*)[\s\]]",
                shared_corpus("wxr", "themeunittestdata.wordpress.xml").read_text(encoding="utf-8"),
            )
        )
        names &= {"caption", "gallery", "embed", "audio", "video", "playlist"} | set(self.report.split())
        for article in Article.objects.published():
            body = self.client.get(article.get_absolute_url()).content.decode()
            for name in ("caption", "gallery", "embed"):
                self.assertNotIn(f"[{name}", body, article.headline)
        self.assertTrue(names)

    def test_no_page_references_the_old_host_and_missing_pictures_are_listed(self):
        for article in Article.objects.published():
            body = self.client.get(article.get_absolute_url()).content.decode()
            self.assertNotIn("wpthemetestdata", body, article.headline)
        self.assertIn("画像が UPLOADS にありません", self.report)

    def test_a_sticky_post_becomes_an_editors_pick(self):
        from kiji.audience.models import EditorPick

        self.assertEqual(list(EditorPick.objects.values_list("article__headline", flat=True)), ["Template: Sticky"])

    def test_a_gallery_becomes_a_figure_grid_of_its_attachments(self):
        article = Article.objects.get(headline="Post Format: Gallery")
        html = self.client.get(article.get_absolute_url()).content.decode()
        self.assertIn('<figure class="gallery"><figure>', html)
        self.assertNotIn("[gallery", html)

    def test_block_comments_are_gone_and_paragraphs_made(self):
        self.assertFalse(
            Article.objects.filter(body__contains="<!-- wp:").exists()
        )  # "&lt;!-- wp:" in a code block stays
        self.assertTrue(Article.objects.filter(body__contains="<p>").count() > 40)


def models_f(name):
    from django.db.models import F

    return F(name)


class RefusalTests(TestCase):
    def test_malformed_xml_is_refused_with_line_and_column_and_changes_nothing(self):
        ensure_roles()
        with pytest.raises(CommandError) as error:
            run("malformed.xml")
        self.assertIn("90 行 11 列", str(error.value))
        self.assertIn("何も取り込んでいません", str(error.value))
        self.assertFalse(Writer.objects.exists() or Category.objects.exists() or Article.objects.exists())

    def test_dry_run_prints_the_report_and_writes_nothing(self):
        ensure_roles()
        report = run("small-export.xml", "--dry-run")
        self.assertIn("新規: 記事（公開） 5", report)
        self.assertIn("何も保存していません", report)
        self.assertFalse(Article.objects.exists() or Category.objects.exists() or Page.objects.exists())

    def test_create_logins_gives_writers_a_login_without_a_password(self):
        ensure_roles()
        run("small-export.xml", "--create-logins")
        editor = Writer.objects.get(slug="editor")
        self.assertEqual(editor.user.email, "editor@example.org")
        self.assertFalse(editor.user.has_usable_password())
        self.assertEqual(editor.email, "")

    def test_a_changed_post_is_updated_with_a_revision(self):
        import tempfile
        from pathlib import Path

        ensure_roles()
        run("wxr-simple.xml")
        article = Article.objects.get()
        text = shared_corpus("wxr", "wxr-simple.xml").read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as folder:
            changed = Path(folder) / "changed.xml"
            changed.write_text(text.replace('[CDATA["The Road', '[CDATA[更新 "The Road'))
            call_command("import_wxr", str(changed), stdout=StringIO())
        article.refresh_from_db()
        self.assertEqual(article.headline, '更新 "The Road Not Taken" by Robert Frost')
        self.assertEqual(Article.objects.count(), 1)
        self.assertEqual(article.revisions.count(), 2)


class SmallBatchesTests(ThemeUnitTestDataTests):
    """The same export written three posts at a time: threads, galleries, leads and old addresses that
    cross a batch (a reply, an attachment before its post) come out the same."""

    @classmethod
    def setUpTestData(cls):
        with mock.patch("kiji.wxr.importing.BATCH_SIZE", 3):
            super().setUpTestData()


class FullReportTests(TestCase):
    def test_the_printed_report_shows_a_few_lines_of_each_kind_and_the_file_has_them_all(self):
        ensure_roles()
        path = Path(tempfile.mkdtemp()) / "report.txt"
        printed = run("themeunittestdata.wordpress.xml", "--report", str(path))
        full = path.read_text(encoding="utf-8")
        posts = Article.objects.count()
        self.assertGreater(posts, EXAMPLES)
        self.assertLess(printed.count("\n投稿 "), EXAMPLES)  # the summary: a few examples, then how many more
        self.assertRegex(printed, r"（変換: ほか \d+ 件。")
        self.assertIn(f"全件は {path}", printed)
        self.assertEqual(full.count("変換: 投稿 "), posts)
        self.assertIn("新規: 記事（公開）", full)


class PermalinksTests(TestCase):
    """small-export.xml links its posts as /?p=1: --permalinks names the structure readers actually saw."""

    @classmethod
    def setUpTestData(cls):
        ensure_roles()

    def test_each_post_answers_at_its_address_under_the_given_structure(self):
        run("small-export.xml", "--permalinks", "/%year%/%monthnum%/%day%/%postname%/")
        hello = Article.objects.get(headline="Hello world!")
        response = self.client.get("/2011/01/18/hello-world/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], hello.get_absolute_url())

    def test_archives_by_post_id(self):
        run("small-export.xml", "--permalinks", "/archives/%post_id%")
        hello = Article.objects.get(headline="Hello world!")
        self.assertRedirects(self.client.get("/archives/1"), hello.get_absolute_url(), status_code=301)

    def test_an_unknown_tag_is_refused_with_a_japanese_message_and_nothing_imported(self):
        with self.assertRaisesMessage(CommandError, "%slug% は使えません"):
            run("small-export.xml", "--permalinks", "/%slug%/")
        self.assertFalse(Article.objects.exists())
