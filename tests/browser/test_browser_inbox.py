"""Work reaches the right person, in a real browser: a writer submits, the editor finds it on the admin
home's review inbox with a notification, returns it with a note, and the writer finds that note on
theirs. axe runs on every admin page this test visits, at 1280 px and 375 px."""

from browserkit import WIDTHS, screenshot
from test_browser_desk import assert_axe_clean, change_url, log_in


def test_the_review_inbox_after_a_submission(site, new_page):
    article = site.run("review-article")
    writer, editor = new_page(WIDTHS["desktop"]), new_page(WIDTHS["desktop"])

    log_in(writer, site, article["writer"])
    writer.goto(change_url(site, article["pk"]))
    with writer.expect_navigation():
        writer.click("input[name=_submit_review]")
    assert writer.locator(".messagelist .success").count()
    assert site.run("article", str(article["pk"]))["status"] == "review"

    log_in(editor, site, article["desk"])  # lands on the admin home
    inbox = editor.locator("#kiji-in-review")
    assert article["headline"] in inbox.inner_text()
    notifications = editor.locator("#kiji-notifications")
    assert "レビュー依頼" in notifications.inner_text()
    assert "山田 記者" in notifications.inner_text()  # who submitted, by name
    assert "1 件の未読" in notifications.inner_text()
    screenshot(editor, "inbox-review-desktop")
    assert_axe_clean(editor, "the admin home with an article waiting for review")
    editor.set_viewport_size({"width": WIDTHS["phone"], "height": 800})
    assert editor.locator("#kiji-in-review").is_visible()
    screenshot(editor, "inbox-review-phone")
    assert_axe_clean(editor, "the admin home on a phone")
    editor.set_viewport_size({"width": WIDTHS["desktop"], "height": 800})

    # Return it with a note: the writer finds the note on their own home page.
    with editor.expect_navigation():
        inbox.get_by_role("link", name=article["headline"]).click()
    with editor.expect_navigation():
        editor.get_by_role("link", name="記者に差し戻す").click()
    assert_axe_clean(editor, "the return-to-writer page")
    editor.fill("#id_note", "見出しの「来春」は正式発表の日付に直してください。")
    with editor.expect_navigation():
        editor.click("input[type=submit].default")
    assert article["headline"] not in editor.locator("#kiji-in-review").inner_text()
    assert site.run("article", str(article["pk"]))["status"] == "draft"

    writer.goto(site.url("/admin/"))
    returned = writer.locator("#kiji-returned")
    assert article["headline"] in returned.inner_text()
    assert "正式発表の日付に直してください" in returned.inner_text()
    screenshot(writer, "inbox-returned-writer")
    assert_axe_clean(writer, "the writer's admin home with a returned article")


def test_the_moderation_queue_is_readable_on_a_desktop_and_a_phone(site, new_page):
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)
    for width in (WIDTHS["desktop"], WIDTHS["phone"]):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(site.url("/admin/comments/comment/"))
        headers = page.locator("#result_list thead").inner_text()
        assert "記事" in headers and "Article" not in headers
        cell = page.locator("#result_list tbody .field-excerpt").first
        box = cell.bounding_box()
        # About 14 full-width characters a line at least, not 2-3 (the complaint).
        assert box["width"] >= 14 * 13, f"the comment column is {box['width']} px wide at {width} px"
        screenshot(page, f"moderation-queue-{width}")
        assert_axe_clean(page, f"the moderation queue at {width} px")


# The queue's table against the box it scrolls in, and each column's header and width.
QUEUE_WIDTHS = """() => {
    const box = document.querySelector('#changelist .results');
    const columns = [...document.querySelectorAll('#result_list thead th')].map(
        th => `${th.innerText.trim() || th.className}: ${Math.round(th.getBoundingClientRect().width)}`);
    return {table: box.scrollWidth, box: box.clientWidth, columns};
}"""


def test_the_moderation_queue_fits_beside_the_open_navigation_sidebar_at_1280_px(site, new_page):
    """A moderator at 1280 px with the admin's navigation sidebar open sees every column of the queue
    without scrolling it sideways (it was 941 px of table in a 631 px box); on a 390 px phone the table
    may scroll inside its box, the page itself does not."""
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)
    page.goto(site.url("/admin/comments/comment/"))
    assert page.locator("#nav-sidebar").is_visible(), "the navigation sidebar is open"
    headers = page.locator("#result_list thead").inner_text()
    for header in ("コメント", "状態", "通報", "共感", "記事", "投稿日時"):
        assert header in headers, f"{header} missing from the queue's columns: {headers}"
    queue = page.evaluate(QUEUE_WIDTHS)
    screenshot(page, "moderation-queue-sidebar-1280")
    assert queue["table"] <= queue["box"], (
        f"{queue['table']} px of table in a {queue['box']} px box: {queue['columns']}"
    )
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(site.url("/admin/comments/comment/"))
    screenshot(page, "moderation-queue-sidebar-390")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


# What spills: the page wider than the window, or a comment's text wider than its own cell or box.
SPILLS = """() => {
    const root = document.documentElement, spills = [];
    if (root.scrollWidth > root.clientWidth) spills.push(`page ${root.scrollWidth} > ${root.clientWidth} px`);
    const texts = '#result_list .field-excerpt, .field-body .readonly, .field-visitor_recent li, #content > h2, .breadcrumbs';
    for (const e of document.querySelectorAll(texts)) {
        const right = e.getBoundingClientRect().right;  // the queue's table may scroll by itself on a phone
        if (e.scrollWidth > e.clientWidth + 1 || (!e.closest('.results') && right > root.clientWidth + 0.5))
            spills.push(`${e.className || e.tagName}: ${e.scrollWidth} > ${e.clientWidth} px, right edge ${right}`);
    }
    return spills;
}"""


def test_a_comment_with_a_long_url_or_an_unbroken_run_wraps_on_the_moderation_pages(site, new_page):
    """A reader's long URL, or 300 characters without a space, wraps in the queue and on the comment's page
    (overflow-wrap: anywhere) instead of pushing the page, or its column, sideways."""
    pks = site.run("long-comments", str(site.article_pk))
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)
    spills = []
    for width in (WIDTHS["desktop"], 390, WIDTHS["phone"]):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/admin/comments/comment/", *(f"/admin/comments/comment/{pk}/change/" for pk in pks)):
            page.goto(site.url(path))
            assert page.locator(".field-excerpt, .field-body").count(), f"no comment text on {path}"
            screenshot(page, f"long-comment-{path.strip('/').replace('/', '-')}-{width}")
            spills += [f"{path} at {width} px: {spill}" for spill in page.evaluate(SPILLS)]
    assert not spills, "\n".join(spills)


def test_staff_images_and_revisions_pages_at_the_desk(site, new_page):
    """The other new admin pages: staff set-up (romaji address as the name is typed), the image's focal
    point by a click, thumbnails in the lead-image picker, and two revisions compared; axe on each."""
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)

    page.goto(site.url("/admin/auth/user/add/"))
    page.fill("#id_display_name", "田中 美咲")
    page.wait_for_function("document.getElementById('id_writer_slug').value === 'tanaka-misaki'", timeout=10000)
    assert_axe_clean(page, "the staff set-up form")

    page.goto(site.url("/admin/newsroom/image/"))
    with page.expect_navigation():
        page.locator("#result_list tbody a").first.click()
    picture = page.locator("[data-kiji-focal] img")
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.25})
    assert abs(float(page.input_value("#id_focal_x")) - 0.8) < 0.02
    assert abs(float(page.input_value("#id_focal_y")) - 0.25) < 0.02
    screenshot(page, "image-focal-point")
    assert_axe_clean(page, "the image form with its focal point")

    page.goto(site.url("/admin/newsroom/article/add/"))
    page.locator(".field-lead_image .select2-selection").click()
    page.wait_for_selector(".select2-results__option", timeout=10000)
    page.wait_for_selector(".select2-results .kiji-pick img", state="attached", timeout=10000)
    screenshot(page, "lead-image-picker")

    article = site.run("desk-article")
    page.goto(site.url(f"/admin/newsroom/article/{article['pk']}/revisions/"))
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.locator(".kiji-diff del, .kiji-diff ins").count()
    screenshot(page, "revisions-compared")
    assert_axe_clean(page, "two revisions compared")


def test_the_views_charts_are_legible_on_a_phone(site, new_page):
    """The SVG charts shrink to the phone's width, text included: their labels stay about 11 px and more,
    and none is cut off at the chart's edges."""
    page = new_page(WIDTHS["phone"])
    log_in(page, site)
    for path in ("/admin/audience/articleviewhour/", f"/admin/audience/articleviewhour/article/{site.article_pk}/"):
        page.goto(site.url(path))
        ticks = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('.tick')].map(t => {
                const r = t.getBoundingClientRect();
                return {text: t.textContent, height: r.height,
                        inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                                && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5};
            });
        })""")
        assert ticks, f"no chart labels on {path}"
        small = [t for t in ticks if t["height"] < 11]
        assert not small, f"chart labels smaller than 11 px at {WIDTHS['phone']} px on {path}: {small[:3]}"
        cut = [t["text"] for t in ticks if not t["inside"]]
        assert not cut, f"chart labels cut off at the chart's edge on {path}: {cut}"
        screenshot(page, f"views-chart-{path.count('/')}-phone")
