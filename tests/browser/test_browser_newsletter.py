"""The newsletter form in a browser: accessible at both widths, before and after a refused address."""

import pytest
from browserkit import WIDTHS, describe_violations, run_axe, screenshot


@pytest.mark.parametrize("width", WIDTHS.values())
def test_the_form_and_its_error_are_accessible(site, new_page, width):
    page = new_page(width)
    assert page.goto(site.url("/newsletter/")).status == 200
    violations = run_axe(page)
    assert not violations, f"axe on the newsletter form at {width} px:\n" + describe_violations(violations)
    page.fill("#newsletter-email", "taro@")
    with page.expect_navigation() as navigation:
        page.click(".newsletter-form button[type=submit]")
    assert navigation.value.status == 400
    screenshot(page, f"newsletter-error-{width}")
    field = page.locator("#newsletter-email")
    assert field.input_value() == "taro@", "the reader's text must come back in the field"
    assert field.get_attribute("aria-invalid") == "true"
    assert "メールアドレス" in page.locator(f"#{field.get_attribute('aria-describedby')}").inner_text()
    violations = run_axe(page)
    assert not violations, f"axe on the newsletter error at {width} px:\n" + describe_violations(violations)
