"""A PR article is recognisable as advertising wherever it appears (景品表示法): the label above its headline
on its page and before its title in every list, with axe clean."""

import pytest
from browserkit import WIDTHS, describe_violations, run_axe, screenshot

LISTING_PAGES = ["home", "sponsored_category", "ranking"]


@pytest.mark.parametrize("width", WIDTHS.values())
def test_the_article_page_shows_the_label_and_sponsor_above_the_headline(site, new_page, width):
    page = new_page(width)
    assert page.goto(site.url("sponsored")).status == 200
    screenshot(page, f"sponsored-article-{width}")
    notice = page.locator(".sponsor-notice")
    assert notice.inner_text() == "PR 提供: サンプル映像株式会社"
    assert page.locator("h1").inner_text() == site.sponsored_headline
    above = "document.querySelector('.sponsor-notice').compareDocumentPosition(document.querySelector('h1'))"
    assert page.evaluate(f"({above} & Node.DOCUMENT_POSITION_FOLLOWING) !== 0"), "the label must come before the h1"
    violations = run_axe(page)
    assert not violations, f"axe on the PR article at {width} px:\n" + describe_violations(violations)


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_every_list_entry_of_it_carries_the_label(site, new_page, name):
    page = new_page(WIDTHS["desktop"])
    assert page.goto(site.url(name)).status == 200
    screenshot(page, f"sponsored-in-{name}")
    links = page.locator("a", has_text=site.sponsored_headline)
    assert links.count() >= 1, f"{name} does not list the PR article"
    for i in range(links.count()):
        label = links.nth(i).locator("xpath=preceding-sibling::*[1]")
        assert label.get_attribute("class") == "sponsor-label" and label.inner_text() == "PR", (
            f"entry {i + 1} of the PR article on {name} has no label"
        )
    violations = run_axe(page)
    assert not violations, f"axe on {name} with a PR entry:\n" + describe_violations(violations)
