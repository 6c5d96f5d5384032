"""A WordPress site brought over with `kiji import-wxr`: its old addresses lead to pages that show what
WordPress showed (a caption under its picture, a gallery, an embed as a link card, ruby), axe-clean."""

import pytest
from browserkit import WIDTHS, describe_violations, run_axe, screenshot

# Old addresses from the theme unit test data (and the ruby post the fixture adds), and what must show.
PAGES = {
    "caption": ("/2013/01/10/markup-image-alignment/", "figure figcaption"),
    "gallery": ("/2010/09/10/post-format-gallery/", "figure.gallery figure"),
    "embed": ("/2010/06/02/post-format-video-youtube/", "p.link-card a"),
    "ruby": ("/2024/04/01/nandoku/", "ruby rt"),
}


@pytest.mark.parametrize("kind", PAGES)
def test_an_old_address_opens_the_imported_article_as_wordpress_showed_it(wordpress_site, new_page, kind):
    old_path, shown = PAGES[kind]
    page = new_page(WIDTHS["desktop"])
    response = page.goto(wordpress_site + old_path)
    assert response.status == 200 and "/articles/" in page.url, f"{old_path} led to {page.url}"
    assert response.request.redirected_from is not None, "the old address must answer with a redirect"
    screenshot(page, f"wordpress-{kind}")
    body = page.locator(".article-body")
    assert body.locator(shown).count() >= 1, f"{kind}: nothing matches {shown!r}"
    text = body.inner_text()
    assert "[" + "caption" not in text and "[gallery" not in text and "[embed" not in text, text[:500]
    violations = run_axe(page)
    assert not violations, f"axe on the imported {kind} article:\n" + describe_violations(violations)


def test_an_imported_article_with_code_and_tables_does_not_scroll_sideways_on_a_phone(wordpress_site, new_page):
    """The theme unit test's HTML tags post: its <pre> lines wrap and its table scrolls in its own box;
    the page itself stays as wide as the phone, and nothing scrolls that a keyboard cannot reach."""
    page = new_page(WIDTHS["phone"])
    assert page.goto(wordpress_site + "/2013/01/11/markup-html-tags-and-formatting/").status == 200
    assert page.locator(".article-body pre").count() and page.locator(".article-body table").count()
    widths = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
                                      client: document.documentElement.clientWidth})""")
    screenshot(page, "wordpress-markup-phone")
    assert widths["scroll"] <= widths["client"], f"the imported article scrolls sideways at 375 px: {widths}"
    violations = run_axe(page)
    assert not violations, "axe on the imported HTML tags post at 375 px:\n" + describe_violations(violations)
