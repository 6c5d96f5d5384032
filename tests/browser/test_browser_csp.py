"""Security review #16 in a real browser: no reader page (nor the admin login) violates its
Content-Security-Policy, with the page's own scripts running (the comment form fetches its token)."""

import pytest
from test_browser_pages import PAGES

COLLECT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


@pytest.fixture
def strict_page(browser):
    """A page in a context that enforces CSP (the shared new_page fixture bypasses it for axe)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = context.new_page()
    page.add_init_script(COLLECT)
    yield page
    context.close()


@pytest.mark.parametrize("name", [*PAGES, "/admin/login/"])
def test_the_page_runs_without_csp_violations(site, strict_page, name):
    response = strict_page.goto(site.url(name), wait_until="load")
    assert response.headers.get("content-security-policy"), name
    if strict_page.locator("#comment-form textarea").count():
        strict_page.locator("#comment-form textarea").first.click()  # comments.js fetches its token
    strict_page.wait_for_timeout(300)
    assert strict_page.evaluate("window.__csp") == [], name


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/newsroom/article/", "/admin/newsroom/article/add/", "/admin/newsroom/image/add/"],
)
def test_the_admin_runs_under_its_own_policy(site, strict_page, path):
    from test_browser_editor import log_in

    log_in(strict_page, site)
    strict_page.goto(site.url(path), wait_until="load")
    strict_page.wait_for_timeout(500)
    assert strict_page.evaluate("window.__csp") == [], path


def test_the_article_editor_runs_under_the_admin_policy(site, strict_page):
    from test_browser_editor import log_in

    log_in(strict_page, site)
    strict_page.goto(site.url(f"/admin/newsroom/article/{site.article_pk}/change/"), wait_until="load")
    strict_page.locator("#id_headline").click()
    strict_page.wait_for_timeout(800)
    assert strict_page.evaluate("window.__csp") == []
