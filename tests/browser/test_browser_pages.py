"""Every reader page, at phone and desktop width: accessible, no sideways scroll, stable layout, Japanese wrapping."""

import pytest
from browserkit import WIDTHS, describe_violations, run_axe, screenshot

PAGES = [
    "home",
    "category",
    "article",
    "writer",
    "tag",
    "archive",
    "search",
    "search-reader",
    "ranking",
    "comments",
    "404",
]
PAGE_WIDTHS = [(name, width) for name in PAGES for width in WIDTHS]

# Records layout shifts from the first paint on; read back after load (buffered entries included).
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: 'layout-shift', buffered: true});
"""


def open_covered(site, new_page, name: str, width_name: str):
    page = new_page(WIDTHS[width_name])
    page.add_init_script(CLS_OBSERVER)
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and r.request.resource_type != "document"
            and page.problems.append(f"HTTP {r.status}: {r.url}")
        ),
    )
    response = page.goto(site.url(name), wait_until="load")
    assert response.status == (404 if name == "404" else 200), f"{name}: HTTP {response.status}"
    if name != "404":  # every covered page lists or shows the featured article: checks run on real content
        assert page.get_by_text(site.headline).count(), f"{name} does not show {site.headline!r}"
    return page


@pytest.mark.parametrize(("name", "width"), PAGE_WIDTHS)
def test_it_has_no_wcag_violations(site, new_page, name, width):
    page = open_covered(site, new_page, name, width)
    screenshot(page, f"{name}-{WIDTHS[width]}")
    violations = run_axe(page)
    assert not violations, (
        f"axe found WCAG 2.2 A/AA violations on {name} at {WIDTHS[width]} px:\n" + describe_violations(violations)
    )


@pytest.mark.parametrize("name", PAGES)
def test_it_does_not_scroll_sideways_on_a_phone(site, new_page, name):
    page = open_covered(site, new_page, name, "phone")
    widths = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
                                      client: document.documentElement.clientWidth,
                                      wide: [...document.querySelectorAll('body *')]
                                        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                                        .slice(0, 5).map(e => e.tagName + '.' + e.className)})""")
    assert widths["scroll"] <= widths["client"], f"{name} scrolls sideways at 375 px: {widths}"


@pytest.mark.parametrize(("name", "width"), PAGE_WIDTHS)
def test_it_reserves_space_for_images_and_does_not_shift(site, new_page, name, width):
    page = open_covered(site, new_page, name, width)
    unsized = page.evaluate("""() => [...document.images]
        .filter(img => !img.getAttribute('width') || !img.getAttribute('height')).map(img => img.src)""")
    assert not unsized, f"{name}: <img> without width/height: {unsized}"
    page.wait_for_timeout(300)
    cls = page.evaluate("window.__cls")
    assert cls < 0.01, f"{name} at {WIDTHS[width]} px: cumulative layout shift {cls:.4f}"


def test_it_wraps_japanese_text_as_the_stylesheet_decides(site, new_page):
    """Body text: strict kinsoku (no 、。 or small kana at a line start), long Latin runs may wrap anywhere
    so a URL cannot widen a phone screen; headings, and headlines in lists, break between phrases
    (auto-phrase), not inside words."""
    page = open_covered(site, new_page, "article", "phone")
    styles = page.evaluate("""() => Object.fromEntries(['body', '.article-body p', 'h1', 'h2', '.deck', '.side-list a'].map(sel => {
        const s = getComputedStyle(document.querySelector(sel));
        return [sel, {lineBreak: s.lineBreak, wordBreak: s.wordBreak, overflowWrap: s.overflowWrap}];
    }))""")
    body_text = {"lineBreak": "strict", "wordBreak": "normal", "overflowWrap": "anywhere"}
    heading = {"lineBreak": "strict", "wordBreak": "auto-phrase", "overflowWrap": "anywhere"}
    assert styles == {
        "body": body_text,
        ".article-body p": body_text,
        "h1": heading,
        "h2": heading,
        ".deck": heading,
        ".side-list a": heading,
    }


@pytest.mark.parametrize("name", PAGES)
def test_it_loads_without_script_errors_or_missing_files(site, new_page, name):
    page = open_covered(site, new_page, name, "phone")
    page.wait_for_timeout(300)  # the deferred scripts and the view beacon have run
    problems = [p for p in page.problems if not (name == "404" and p.startswith("console:") and "404" in p)]
    assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize("path", ["comments", "/newsletter/"])
def test_a_forms_submit_button_looks_like_the_sites_search_button(site, new_page, path):
    """Posting a comment or subscribing is the page's action: a filled button in the site's colour, as the
    header's 検索, not the browser's grey default."""
    page = new_page(WIDTHS["phone"])
    assert page.goto(site.url(path)).status == 200
    looks = page.evaluate("""() => ['.search-box button', '#comment-form button[type=submit], .newsletter-form button[type=submit]'].map(sel => {
        const button = document.querySelector(sel), s = getComputedStyle(button);
        return {text: button.textContent, background: s.backgroundColor, color: s.color,
                height: button.getBoundingClientRect().height};
    })""")
    search, submit = looks
    assert (submit["background"], submit["color"]) == (search["background"], search["color"]), looks
    assert submit["height"] >= 40, f"{submit['text']} is {submit['height']} px high: too small to tap"


def test_each_search_filter_keeps_its_label_beside_its_field_on_a_phone(site, new_page):
    """絞り込み at 375 px: a label never ends one line with its field starting the next."""
    page = open_covered(site, new_page, "search", "phone")
    apart = page.evaluate("""() => [...document.querySelectorAll('.search-filters label')].map(label => {
        const l = label.getBoundingClientRect(), f = document.getElementById(label.htmlFor).getBoundingClientRect();
        const middle = (l.top + l.bottom) / 2;
        return {label: label.textContent, beside: f.top <= middle && middle <= f.bottom && l.right <= f.left};
    }).filter(pair => !pair.beside).map(pair => pair.label)""")
    assert not apart, f"labels not beside their fields at 375 px: {apart}"
