"""Page 5 (BatchNorm) in a real Chromium: the γ slider and the identity button work, nothing errors."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_errors, open_path, wait_for_app, wait_for_charts

pytestmark = pytest.mark.e2e
QUERY = "steps=100"  # a short training keeps the page's first load quick


def max_gap(page) -> float:
    """The "max |y − x|" cell of the readout table (ui.readout: labels in the header, values in the row)."""
    table = page.locator("[data-testid=stMarkdown] table").filter(has=page.locator("th", has_text="max |y − x|"))
    heads = [h.strip() for h in table.locator("th").all_inner_texts()]
    return float(table.locator("td").nth(heads.index("max |y − x|")).inner_text())


def test_moving_gamma_with_the_keyboard_redraws_the_histograms(page, server):
    open_path(page, server, "batchnorm", QUERY)
    wait_for_charts(page, timeout=120)
    before = max_gap(page)
    thumb = page.locator(".st-key-gamma input[type=range], .st-key-gamma [role=slider]").first
    thumb.focus()
    for _ in range(5):
        thumb.press("ArrowRight")
    wait_for_app(page)
    expect(page.locator(".st-key-gamma [data-testid=stSliderThumbValue]")).to_have_text("1.05")
    assert max_gap(page) != before
    assert "gamma=1.05" in page.url
    assert_no_errors(page)
    wait_for_charts(page)


def test_the_identity_button_gives_the_input_back_in_the_browser(page, server):
    open_path(page, server, "batchnorm", QUERY)
    wait_for_charts(page, timeout=120)
    page.locator(".st-key-identity button").first.click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="output is the input again")).to_have_count(1)
    assert max_gap(page) < 1e-9
    assert re.search(r"gamma=\d", page.url)
    assert_no_errors(page)
