"""Page 2 in a real Chromium: the learning-rate control by keyboard, a committed prediction, the new parts' charts, and
CSV uploads good and bad."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CHART, assert_no_errors, open_path, wait_for_app, wait_for_charts

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parent / "data" / "standardization"
DROPZONE = "[data-testid=stFileUploaderDropzoneInput]"
ALERTS = "[data-testid=stAlertContentInfo], [data-testid=stAlertContentWarning]"


def test_moving_the_learning_rate_by_keyboard_redraws_without_errors(page, server):
    open_path(page, server, "standardization", "part=Four+scalings")
    wait_for_charts(page)
    thumb = page.locator(".st-key-scaling-eta input[type=range]")  # 1.67: react-aria, no [role=slider] attribute
    before = thumb.get_attribute("aria-valuetext")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    after = thumb.get_attribute("aria-valuetext")
    assert (before, after) == ("0.9", "1.01")
    assert_no_errors(page)
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="above 2/λmax")).to_have_count(
        4, timeout=60_000)
    wait_for_charts(page)


def test_a_bad_learning_rate_in_the_link_shows_a_notice_and_uses_the_default(page, server):
    open_path(page, server, "standardization", "part=Four+scalings&eta=7")
    assert_no_errors(page)
    notice = page.get_by_test_id("stAlertContentWarning").filter(has_text="Learning rate")
    expect(notice).to_have_count(1)
    assert "using 0.9" in notice.inner_text()
    assert page.locator(".st-key-scaling-eta input[type=range]").get_attribute("aria-valuetext") == "0.9"


def test_a_prediction_is_committed_by_a_click_and_then_revealed(page, server):
    open_path(page, server, "standardization", "scaling.part=Deep+network")
    wait_for_charts(page)
    feedback = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Raw: 100%")
    expect(feedback).to_have_count(0)
    page.locator(".st-key-predict_saturation button", has_text="Nearly all").click()
    wait_for_app(page)
    expect(feedback).to_have_count(1, timeout=30_000)
    assert_no_errors(page)


def test_the_centering_part_draws_the_update_directions(page, server):
    open_path(page, server, "standardization", "scaling.part=Why+center")
    expect(page.locator(CHART)).to_have_count(1, timeout=60_000)
    wait_for_charts(page)
    assert_no_errors(page)


def upload(page, name: str) -> str:
    page.set_input_files(DROPZONE, str(DATA / name))
    wait_for_app(page)
    page.wait_for_timeout(300)
    wait_for_app(page)
    assert_no_errors(page)
    alerts = page.locator(ALERTS)
    return " | ".join(alerts.nth(i).inner_text() for i in range(alerts.count()))


def test_uploading_a_good_csv_and_then_bad_ones_shows_messages_not_exceptions(page, server):
    open_path(page, server, "standardization", "part=Your+CSV")
    n = wait_for_charts(page)
    upload(page, "good.csv")
    expect(page.locator(CHART)).to_have_count(n + 1, timeout=30_000)
    wait_for_charts(page)
    for name, expected in [("semicolon.csv", "semicolon"), ("bom_nan.csv", "Dropped 3 of 6 rows"),
                           ("no_numeric.csv", "No numeric columns"), ("empty.csv", "empty"),
                           ("odd_names_latin1.csv", "not UTF-8")]:
        text = upload(page, name)
        assert expected in text, (name, text)
    # the file has a column named <b>x</b>: it must never be rendered as HTML
    expect(page.locator("[data-testid=stMarkdownContainer] b", has_text="x")).to_have_count(0)
