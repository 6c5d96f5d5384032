"""The newsroom admin is fully Japanese, and the committed .mo matches the .po."""

import ast
from pathlib import Path

from django.conf import settings
from django.utils import translation

from kiji.newsroom.tests.base import AdminTestCase

PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
OURS = ("kiji/newsroom/", "templates/admin/newsroom/", "templates/newsroom/")


def newsroom_entries(ours: tuple[str, ...] = OURS) -> list[dict]:
    """Entries of the .po referenced from the newsroom's code or templates (or from `ours`)."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"refs": ""}, None
        for line in block.splitlines():
            if line.startswith("#:"):
                entry["refs"] += line
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
                key, _, rest = line.partition(" ")
                entry[key] = ast.literal_eval(rest)
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid") and any(ref in entry["refs"] for ref in ours):
            entries.append(entry)
    return entries


class TranslationTests(AdminTestCase):
    def test_it_translates_every_newsroom_message(self):
        entries = newsroom_entries()
        self.assertGreater(len(entries), 100)
        untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
        self.assertEqual(untranslated, [])

    def test_every_admin_message_of_every_app_is_translated(self):
        entries = newsroom_entries(ours=("kiji/", "templates/"))
        self.assertGreater(len(entries), 400)
        untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
        self.assertEqual(untranslated, [])

    def test_it_ships_a_compiled_catalog_matching_the_po_file(self):
        with translation.override("ja"):
            for entry in newsroom_entries():
                if "msgid_plural" in entry:
                    got = translation.ngettext(entry["msgid"], entry["msgid_plural"], 1)
                    wanted = entry["msgstr[0]"]
                elif "msgctxt" in entry:
                    got, wanted = translation.pgettext(entry["msgctxt"], entry["msgid"]), entry["msgstr"]
                else:
                    got, wanted = translation.gettext(entry["msgid"]), entry["msgstr"]
                self.assertEqual(got, wanted, "recompile: msgfmt -o locale/ja/LC_MESSAGES/django.mo ...po")

    def test_the_admin_stays_japanese_for_a_browser_asking_for_english(self):
        self.client.force_login(self.editor)
        for language in ("en-US,en;q=0.9", "en", "fr-FR,en;q=0.8"):
            with self.subTest(language=language):
                response = self.client.get("/admin/newsroom/article/", HTTP_ACCEPT_LANGUAGE=language)
                self.assertEqual(response["Content-Language"], "ja")
                self.assertContains(response, "ニュースルーム")
                self.assertNotContains(response, "Select article to change")

    def test_it_shows_the_article_form_in_japanese(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.add_url)
        for words in (
            "見出し",
            "サブ見出し",
            "本文",
            "公開日時",
            "カテゴリー",
            "署名",
            "訂正",
            "レビュー依頼",
            "予約公開",
            "保存時に無害化されます",
        ):
            self.assertContains(response, words)
        response = self.client.get("/admin/")
        self.assertContains(response, "ニュースルーム")
        self.assertContains(response, "記事")

    def test_every_field_label_on_an_admin_form_or_list_is_japanese(self):
        """Each registered model's form and list columns: a field without a verbose name shows its English
        attribute name (the comment page said "Article:")."""
        from django.contrib import admin
        from django.contrib.auth import get_user_model
        from django.core.exceptions import FieldDoesNotExist
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/")
        request.user = get_user_model().objects.create_superuser("label-check", password="x")
        english = []
        with translation.override("ja"):
            for model, model_admin in admin.site._registry.items():
                shown = [*model_admin.get_fields(request), *model_admin.get_list_display(request)]
                for name in shown:
                    try:
                        label = str(model._meta.get_field(name).verbose_name)
                    except (FieldDoesNotExist, TypeError, AttributeError):
                        continue  # an admin method or a reverse relation: labelled where it is defined
                    if label.isascii() and not label.isupper():  # "URL", "IP" stay as they are
                        english.append(f"{model.__name__}.{name}: {label!r}")
        self.assertEqual(english, [])
