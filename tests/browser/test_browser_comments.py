"""The comment form in a browser: error states tied to the field, accessible at both widths; Japanese IME input
is stored exactly as committed."""

import pytest
from browserkit import WIDTHS, describe_violations, run_axe, screenshot, type_japanese, vnu_errors
from django.conf import settings

MAX_LENGTH = settings.KIJI_COMMENTS_MAX_LENGTH  # the server runs with the same settings


def post_comment(page, body: str | None = None):
    """Submit the article page's comment form (after typing, or with `body` filled in); the response."""
    if body is not None:
        page.fill("#comment-body", body)
    with page.expect_navigation() as navigation:
        page.click("#comment-form button[type=submit]")
    return navigation.value


def error_state(site, new_page, width: int, body: str):
    page = new_page(width)
    page.goto(site.url("article"))
    response = post_comment(page, body)
    assert response.status == 400, f"HTTP {response.status}"
    return page, response


@pytest.mark.parametrize("width", WIDTHS.values())
@pytest.mark.parametrize(
    ("case", "body", "message"),
    [
        pytest.param("empty", "", "コメントが空です。本文を入力してください。", id="empty"),
        pytest.param(
            "too-long",
            "あ" * (MAX_LENGTH + 1),
            f"コメントが長すぎます（{MAX_LENGTH + 1}文字）。{MAX_LENGTH}文字以内で入力してください。",
            id="too-long",
        ),
    ],
)
def test_its_error_is_announced_and_tied_to_the_comment_field(site, new_page, tmp_path, width, case, body, message):
    page, response = error_state(site, new_page, width, body)
    screenshot(page, f"comment-error-{case}-{width}")
    field = page.locator("#comment-body")
    assert field.input_value() == body, "the reader's text must come back in the field"
    described_by = field.get_attribute("aria-describedby").split()
    described = [page.locator(f"#{i}").inner_text() for i in described_by]
    assert message in described, f"{message!r} is not among the field's descriptions {described}"
    error = page.locator(".form-error")
    assert error.get_attribute("role") == "alert" and error.inner_text() == message
    assert page.locator("label[for=comment-body]").inner_text().startswith("コメント")
    violations = run_axe(page)
    assert not violations, f"axe on the {case} comment error at {width} px:\n" + describe_violations(violations)
    if width == WIDTHS["phone"]:
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), (
            "the comment error page scrolls sideways at 375 px"
        )
        errors = vnu_errors({f"comment-error-{case}": response.text()}, tmp_path)
        assert not errors, "Nu HTML checker errors:\n" + "\n".join(errors)


def test_the_over_long_count_shows_while_typing(site, new_page):
    page = new_page(WIDTHS["phone"])
    page.goto(site.url("article"))
    page.fill("#comment-body", "あ" * (MAX_LENGTH + 2))
    counter = page.locator("#comment-counter")
    assert counter.inner_text() == "残り -2 文字"
    assert "over" in counter.get_attribute("class")
    violations = run_axe(page)  # the "over" colour must keep its contrast
    assert not violations, describe_violations(violations)


def test_japanese_ime_input_is_stored_exactly_as_committed(site, new_page):
    page = new_page(WIDTHS["phone"])
    page.goto(site.url("article"))
    page.click("#comment-body")
    expected = type_japanese(page)
    assert page.locator("#comment-body").input_value() == expected
    response = post_comment(page)
    assert response.status == 200 and "?posted=" in page.url, f"HTTP {response.status} at {page.url}"
    assert site.run("comments", str(site.article_pk))[-1] == expected
    assert page.locator("#posted").inner_text() in (
        "コメントを投稿しました。",
        "コメントを受け付けました。担当者の確認後に掲載されます。",
    )
    violations = run_axe(page)  # the page after posting, with its notice
    assert not violations, describe_violations(violations)
