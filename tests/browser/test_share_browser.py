"""The article page's share box in a real browser: copy link with JS, a copyable field without."""

from browserkit import WIDTHS


def test_copy_link_copies_the_canonical_url_and_says_so(site, new_page):
    page = new_page(WIDTHS["phone"])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base_url)
    page.goto(site.url("article"))
    url = page.input_value("#share-url")
    assert url.startswith(site.base_url + "/articles/")
    page.get_by_role("button", name="リンクをコピー").click()
    page.wait_for_function("document.querySelector('[data-copy-status]').textContent !== ''")
    assert page.text_content("[data-copy-status]") == "リンクをコピーしました"
    assert page.evaluate("navigator.clipboard.readText()") == url


def test_without_javascript_the_url_is_in_a_read_only_field_and_no_dead_button_shows(site, browser):
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(site.url("article"))
        field = page.get_by_label("記事のURL")
        assert field.input_value().startswith(site.base_url + "/articles/")
        assert field.get_attribute("readonly") is not None
        assert not page.get_by_role("button", name="リンクをコピー").is_visible()
        names = [a.get_attribute("aria-label") for a in page.locator(".share-links a").all()]
        assert [n.split("（")[0] for n in names] == [
            "Xでポスト",
            "Facebookでシェア",
            "LINEで送る",
            "はてなブックマークに追加",
        ]
    finally:
        context.close()
