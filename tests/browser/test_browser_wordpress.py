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
