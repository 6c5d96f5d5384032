"""The body editor in a real browser: toolbar formatting, IME composition, and what reaches the server."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import override_settings

from kiji.newsroom.models import Article, Category
from kiji.newsroom.permissions import EDITORS_GROUP
from kiji.newsroom.roles import ensure_roles

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.browser


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
class EditorBrowserTests(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} is not installed (tests/browser/setup.sh installs it)")
        from playwright import sync_api as playwright

        # Playwright's sync API runs an event loop in this thread; the ORM calls here stay synchronous.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls.playwright = playwright.sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def setUp(self):
        ensure_roles()
        self.category = Category.objects.create(name="政治", slug="politics")
        editor = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
        editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
        self.client.force_login(editor)
        self.context = self.browser.new_context(locale="ja-JP")
        self.context.add_cookies(
            [{"name": "sessionid", "value": self.client.cookies["sessionid"].value, "url": self.live_server_url}]
        )
        self.page = self.context.new_page()
        self.page.goto(f"{self.live_server_url}/admin/newsroom/article/add/")

    def tearDown(self):
        # Leaving a saved article's form sends the desk's "leave" beacon (pagehide). The live server
        # answers it on the test's own in-memory SQLite connection; if the flush that ends the test
        # runs meanwhile, SQLite says "database table is locked". Leave first, let the beacon land.
        self.page.goto("about:blank")
        self.page.wait_for_timeout(500)
        self.context.close()

    def body_value(self) -> str:
        return self.page.eval_on_selector("#id_body", "e => e.value")

    def test_it_formats_with_the_toolbar_and_saves_the_html(self):
        page = self.page
        self.assertFalse(page.is_visible("#id_body"))  # the textarea stays in the form, hidden
        page.fill("#id_headline", "ツールバーで書いた記事")
        page.select_option("#id_category", label="政治")
        page.click(".kiji-editor-area")
        page.keyboard.press("Control+a")
        page.keyboard.type("第一段落。")
        page.click("text=太字")
        page.keyboard.type("重要")
        page.click("text=太字")
        page.keyboard.press("Enter")
        page.click("text=見出し2")
        page.keyboard.type("小見出し")
        page.keyboard.press("Enter")
        page.click("text=箇条書き")
        page.keyboard.type("項目")
        self.assertIn("重要", self.body_value())
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/newsroom/article/")
        body = Article.objects.get(headline="ツールバーで書いた記事").body
        self.assertRegex(body, r"<(b|strong)>重要</(b|strong)>")
        self.assertIn("<h2>小見出し</h2>", body)
        self.assertIn("<li>項目</li>", body)

    def test_it_leaves_ime_composition_alone_and_keeps_the_committed_text(self):
        page = self.page
        cdp = self.type_then_compose("記事:")
        cdp.send("Input.imeSetComposition", {"text": "にほん", "selectionStart": 3, "selectionEnd": 3})
        self.assertNotIn("にほん", self.body_value())  # nothing is written back mid-composition
        page.click("text=太字")  # a toolbar click mid-composition does nothing
        cdp.send("Input.imeSetComposition", {"text": "日本", "selectionStart": 2, "selectionEnd": 2})
        cdp.send("Input.insertText", {"text": "日本"})
        value = self.body_value()
        self.assertIn("記事:日本", value)
        self.assertNotIn("にほん", value)
        self.assertNotIn("<b>", value)

    def type_then_compose(self, text: str, then: str | None = None):
        """Replace the body with text typed on the keyboard; the DevTools session that drives the IME."""
        self.page.click(".kiji-editor-area")
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(text)
        if then:
            self.page.keyboard.press(then)
        return self.context.new_cdp_session(self.page)

    def paragraphs(self) -> list[str]:
        """The editor's text, one entry per paragraph or line."""
        return self.page.eval_on_selector(".kiji-editor-area", "e => e.innerText").split("\n")

    def commit(self, cdp, reading: str, text: str) -> None:
        cdp.send(
            "Input.imeSetComposition", {"text": reading, "selectionStart": len(reading), "selectionEnd": len(reading)}
        )
        cdp.send("Input.insertText", {"text": text})

    def test_a_conversion_holding_two_line_breaks_keeps_every_character_in_order(self):
        cdp = self.type_then_compose("記事:")
        self.commit(cdp, "はれ\nあした\nあめ", "晴れ\n明日\n雨")
        self.commit(cdp, "。", "。")
        self.assertEqual([line for line in self.paragraphs() if line], ["記事:晴れ", "明日", "雨。"])
        self.assertIn("雨。", self.body_value())

    def test_a_conversion_with_a_line_break_typed_mid_paragraph_splits_it_at_the_caret(self):
        cdp = self.type_then_compose("前後", then="ArrowLeft")
        self.commit(cdp, "あ\nい", "亜\n伊")
        self.commit(cdp, "う", "宇")
        cdp.send("Input.imeSetComposition", {"text": "えお", "selectionStart": 2, "selectionEnd": 2})
        cdp.send("Input.imeSetComposition", {"text": "", "selectionStart": 0, "selectionEnd": 0})  # cancelled
        self.assertEqual([line for line in self.paragraphs() if line], ["前亜", "伊宇後"])
