"""The desk in a real browser: two editors on one article, restoring a revision of a live article,
typing then leaving, and the headline counters. axe runs on every admin page these tests visit."""

import re

from browserkit import WIDTHS, describe_violations, run_axe, screenshot

KEY = "Control+s"  # Chromium on Linux; Cmd+S (metaKey) goes through the same listener in desk.js


def log_in(page, site, user=None):
    username, password = user or site.admin
    page.goto(site.url("/admin/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit], button[type=submit]")
    assert "/admin/login/" not in page.url, f"{username} could not log in"


def assert_axe_clean(page, what):
    violations = run_axe(page)
    assert not violations, f"axe on {what}:\n" + describe_violations(violations)


def change_url(site, pk):
    return site.url(f"/admin/newsroom/article/{pk}/change/")


def test_two_editors_on_one_article_lose_nothing(site, new_page):
    article = site.run("desk-article")
    mine, theirs = new_page(WIDTHS["desktop"]), new_page(WIDTHS["desktop"])
    log_in(mine, site)
    log_in(theirs, site, article["desk"])
    mine.goto(change_url(site, article["pk"]))
    theirs.goto(change_url(site, article["pk"]))

    # Each sees the other: the second at once, the first with its next heartbeat.
    assert "browser-admin" in theirs.locator("#kiji-presence").inner_text()
    mine.wait_for_selector("#kiji-presence:not([hidden]) >> text=佐藤 デスク", timeout=15000)
    screenshot(mine, "desk-presence")
    assert_axe_clean(mine, "the article form with another editor present")

    theirs.fill("#id_headline", "来年度予算案、過去最大に")
    with theirs.expect_navigation():
        theirs.keyboard.press(KEY)  # Ctrl+S saves and stays on the form
    assert theirs.locator(".messagelist .success").count()

    mine.locator(".kiji-editor-area").click()
    mine.keyboard.press("End")
    mine.keyboard.type("編集者が書き足した一文。")
    with mine.expect_navigation():
        mine.keyboard.press(KEY)
    # Refused: their change and mine side by side, my text still in the form.
    conflict = mine.locator("#kiji-conflict")
    assert conflict.is_visible()
    assert "来年度予算案、過去最大に" in conflict.inner_text()
    assert "編集者が書き足した一文。" in mine.locator(".kiji-editor-area").inner_text()
    assert site.run("article", str(article["pk"]))["headline"] == "来年度予算案、過去最大に"
    screenshot(mine, "desk-conflict")
    assert_axe_clean(mine, "the refused save")

    # Merge: take their headline, keep my body, save again.
    conflict.locator("[data-kiji-take=headline]").click()
    assert mine.input_value("#id_headline") == "来年度予算案、過去最大に"
    with mine.expect_navigation():
        mine.keyboard.press(KEY)
    assert not mine.locator("#kiji-conflict").count()
    state = site.run("article", str(article["pk"]))
    assert state["headline"] == "来年度予算案、過去最大に"
    assert "編集者が書き足した一文。" in state["body"]
    screenshot(mine, "desk-merged")


def test_restoring_an_old_revision_of_a_live_article_keeps_it_live(site, new_page):
    article = site.run("desk-article")
    before = site.run("article", str(article["pk"]))
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)
    page.goto(site.url(f"/admin/newsroom/article/{article['pk']}/revisions/{article['old_revision']}/"))
    with page.expect_navigation():
        page.click("input[type=submit][value='この版に戻す']")
    question = page.locator("#content-main").inner_text()
    assert "この記事は公開中です" in question and "公開状態と公開日時は変わらず" in question
    assert site.run("article", str(article["pk"]))["headline"] == before["headline"]  # nothing yet
    screenshot(page, "desk-restore-question")
    assert_axe_clean(page, "the restore question")
    with page.expect_navigation():
        page.click("text=はい、この版に戻します")
    after = site.run("article", str(article["pk"]))
    assert after["headline"] == "予算案の概要まとまる（下書き）"
    assert (after["status"], after["published_at"]) == ("published", before["published_at"])
    reader = page.context.new_page()
    response = reader.goto(site.url(after["url"]))
    assert response.status == 200
    assert "予算案の概要まとまる（下書き）" in reader.locator("h1").inner_text()
    assert "更新" in reader.locator("main").inner_text()

    # Unpublishing from the form asks first and says what readers lose.
    page.goto(change_url(site, article["pk"]))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("input[name=_unpublish]")
    assert asked and "読者は記事を見られなくなります" in asked[0]
    page.select_option("#id_status", "unpublished")  # the status box asks the same question
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("input[name=_save]")
    assert len(asked) == 2 and asked[1] == asked[0]
    assert site.run("article", str(article["pk"]))["status"] == "published"


def test_typing_then_navigating_away_loses_nothing(site, new_page):
    article = site.run("desk-article")
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)
    page.goto(change_url(site, article["pk"]))
    page.locator(".kiji-editor-area").click()
    page.keyboard.press("End")
    page.keyboard.type("保存せずに離れる前の一文。")
    page.wait_for_selector("#kiji-autosave-status >> text=自動保存しました", timeout=10000)

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.click("#nav-sidebar a[href$='/admin/newsroom/article/']", no_wait_after=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"], "leaving with unsaved text was not questioned"
    assert "/change/" in page.url

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#nav-sidebar a[href$='/admin/newsroom/article/']")
    page.goto(change_url(site, article["pk"]))
    banner = page.locator("#kiji-draft")
    assert banner.is_visible()
    screenshot(page, "desk-autosave-offered")
    assert_axe_clean(page, "the autosave offer")
    banner.locator("[data-kiji-draft=restore]").click()
    assert "保存せずに離れる前の一文。" in page.locator(".kiji-editor-area").inner_text()
    assert "保存せずに離れる前の一文。" not in site.run("article", str(article["pk"]))["body"]


def test_the_counters_count_mixed_width_text_as_the_aggregator_does(site, new_page):
    page = new_page(WIDTHS["desktop"])
    log_in(page, site)
    page.goto(site.url("/admin/newsroom/article/add/"))
    page.fill("#id_short_headline", "G7サミット、広島で開幕へ")  # G7: 2 half-width = 1; 11 full-width
    counter = page.locator("#id_short_headline_counter")
    assert counter.inner_text() == "13文字・換算 12 / 15.5"
    page.fill("#id_short_headline", "G7サミット、広島で開幕　首脳らが到着")
    assert re.fullmatch(r"19文字・換算 18 / 15\.5（2\.5 超過）", counter.inner_text()), counter.inner_text()
    assert "kiji-counter-over" in counter.get_attribute("class")
    page.fill("#id_headline", "衆院選の投票率、前回を上回る見通し　期日前投票が過去最多")
    assert page.locator("#id_headline_counter").inner_text() == "28文字・換算 28 / 32"
    screenshot(page, "desk-counters")
    assert_axe_clean(page, "the article form with counters")
