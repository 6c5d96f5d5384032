"""Keyboard-only readers: skip links come first and work, and focus is always visible."""

import pytest
from browserkit import WIDTHS
from test_browser_pages import PAGES

SKIP_LINKS = [
    ("メインメニューへスキップ", "main-menu"),
    ("メインコンテンツへスキップ", "main"),
    ("フッターメニューへスキップ", "footer-menu"),
]

FOCUS_STATE = """() => {
  const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {tag: e.tagName, text: e.textContent.trim(), id: e.id,
          look: [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' | '),
          onScreen: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth};
}"""


@pytest.mark.parametrize("width", WIDTHS.values())
@pytest.mark.parametrize("name", PAGES)
def test_it_reaches_the_three_skip_links_first(site, new_page, name, width):
    page = new_page(width)
    page.goto(site.url(name))
    reached = []
    for _ in SKIP_LINKS:
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUS_STATE))
    assert [r["text"] for r in reached] == [text for text, _ in SKIP_LINKS]
    assert all(r["onScreen"] for r in reached), f"a focused skip link is not shown on screen: {reached}"


@pytest.mark.parametrize(("index", "target"), [(i, t) for i, (_, t) in enumerate(SKIP_LINKS)])
def test_each_skip_link_moves_focus_to_its_target(site, new_page, index, target):
    page = new_page(WIDTHS["phone"])
    page.goto(site.url("article"))
    for _ in range(index + 1):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    inside = page.evaluate("id => document.getElementById(id).contains(document.activeElement)", target)
    assert inside, f"after the skip link to #{target}, focus is on {page.evaluate(FOCUS_STATE)}"
    # The next Tab continues from the target, not from the top of the page.
    page.keyboard.press("Tab")
    after = page.evaluate(
        """id => {
        const t = document.getElementById(id), a = document.activeElement;
        return t.contains(a) || !!(t.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""",
        target,
    )
    assert after, f"Tab after #{target} went back up to {page.evaluate(FOCUS_STATE)}"


@pytest.mark.parametrize("name", ["home", "article"])
def test_every_focusable_element_shows_focus(site, new_page, name):
    """Tab through the whole page: each stop looks different focused than unfocused, and is on screen."""
    page = new_page(WIDTHS["desktop"])
    page.goto(site.url(name))
    stops = page.evaluate("""() => document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])').length""")
    unmarked, seen = [], set()
    for _ in range(stops + 3):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STATE)
        key = (focused["tag"], focused["text"], focused["id"])
        if focused["tag"] == "BODY" or key in seen:
            continue
        seen.add(key)
        # The same element's look with focus moved away.
        blurred = page.evaluate("""() => {
            const e = document.activeElement; e.blur();
            const s = getComputedStyle(e), look = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' | ');
            e.focus({focusVisible: true}); return look;
        }""")
        if blurred == focused["look"]:
            unmarked.append(f"{focused['tag']} {focused['text'][:30]!r}")
    assert len(seen) >= 10, f"only {len(seen)} focus stops reached on {name}"
    assert not unmarked, f"focus is invisible on {name}: {unmarked}"
