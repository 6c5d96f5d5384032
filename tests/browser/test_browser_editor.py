"""The newsroom's article editor: Japanese typed through the IME path is saved exactly as committed."""

import re

from browserkit import WIDTHS, type_japanese


def log_in(page, site):
    page.goto(site.url("/admin/login/"))
    page.fill("#id_username", site.admin[0])
    page.fill("#id_password", site.admin[1])
    with page.expect_navigation():
        page.click("input[type=submit], button[type=submit]")
    assert "/admin/login/" not in page.url, "the test administrator could not log in"


def paragraphs_as_lines(html: str) -> str:
    """The stored body's text, one line per paragraph or <br>, without markup."""
    html = re.sub(r"</p>\s*<p>|<br\s*/?>", "\n", html.strip())
    return re.sub(r"<[^>]+>", "", html)


def type_and_save(site, new_page, **typing) -> tuple[str, str]:
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)
    page.goto(site.url(f"/admin/newsroom/article/{site.draft_pk}/change/"))
    editor = page.locator(".kiji-editor-area")
    field = editor if editor.count() else page.locator("textarea[name=body]")  # without the editor's JS
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    expected = type_japanese(page, **typing)
    with page.expect_navigation():
        page.click("input[name=_save], button[name=_save]")
    assert not page.locator(".errornote, .errorlist").count(), page.locator(".errornote, .errorlist").all_inner_texts()
    return expected, site.run("body", str(site.draft_pk))


def test_japanese_ime_input_in_the_body_editor_is_saved_exactly(site, new_page):
    expected, stored = type_and_save(site, new_page, break_inside_conversion=False)
    assert paragraphs_as_lines(stored) == expected, f"stored body: {stored!r}"


def test_a_conversion_spanning_a_line_break_in_the_body_editor_is_saved_exactly(site, new_page):
    expected, stored = type_and_save(site, new_page, break_inside_conversion=True)
    assert paragraphs_as_lines(stored) == expected, f"stored body: {stored!r}"
