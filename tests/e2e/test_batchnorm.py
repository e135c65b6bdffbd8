"""Page 5 (BatchNorm) in a real Chromium: the γ slider and the identity button work, nothing errors."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_errors, open_path, wait_for_app, wait_for_charts

pytestmark = pytest.mark.e2e
QUERY = ""  # the transform part needs no training


def max_gap(page) -> float:
    """The "max |y − x|" cell of the readout table (ui.readout: labels in the header, values in the row)."""
    table = page.locator("[data-testid=stMarkdown] table").filter(has=page.locator("th", has_text="max |y − x|"))
    heads = [h.strip() for h in table.locator("th").all_inner_texts()]
    return float(table.locator("td").nth(heads.index("max |y − x|")).inner_text())


def test_moving_gamma_with_the_keyboard_redraws_the_histograms(page, server):
    open_path(page, server, "batchnorm", QUERY)
    wait_for_charts(page, timeout=120)
    before = max_gap(page)
    thumb = page.locator(".st-key-bn-gamma input[type=range], .st-key-bn-gamma [role=slider]").first
    thumb.focus()
    for _ in range(5):
        thumb.press("ArrowRight")
    wait_for_app(page)
    expect(page.locator(".st-key-bn-gamma [data-testid=stSliderThumbValue]")).to_have_text("1.05")
    assert max_gap(page) != before
    assert "bn.gamma=1.05" in page.url
    assert_no_errors(page)
    wait_for_charts(page)


def test_the_identity_button_gives_the_input_back_in_the_browser(page, server):
    open_path(page, server, "batchnorm", QUERY)
    wait_for_charts(page, timeout=120)
    page.locator(".st-key-identity button").first.click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="this batch's")).to_have_count(1)
    assert max_gap(page) < 1e-9
    assert re.search(r"bn\.gamma=\d", page.url)
    assert_no_errors(page)


def test_committing_to_a_prediction_in_the_learning_rate_part_shows_the_measured_outcome(page, server):
    open_path(page, server, "batchnorm", "bn.part=Learning+rate")
    wait_for_charts(page, timeout=120)
    question = page.locator(".st-key-predict_bn_lr")
    expect(page.get_by_text("Pick an answer to see what this page measures.")).to_have_count(1)
    question.get_by_text("Only BN on", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="that is what this page measures")
           ).to_have_count(1)
    assert_no_errors(page)
