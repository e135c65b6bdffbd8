"""Page 3 in a real Chromium: the weight-space labels follow the controls, and the URL reproduces a view."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_errors, open_path, wait_for_app, wait_for_charts

pytestmark = pytest.mark.e2e

SLOW = 90_000  # a cold first run trains several networks; expect() retries until then


def _label(pg, text: str):
    """The weight-space chart's caption, if it has this count label (the chart is drawn on a canvas, and its
    caption lists the labels drawn on it)."""
    return pg.locator("[data-testid=stCaptionContainer]", has_text=text)


def test_moving_the_hidden_units_slider_relabels_the_units_on_one_point(page, server):
    open_path(page, server, "symmetry")
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_label(page, "16 units on one point (start)")).to_have_count(1, timeout=SLOW)
    page.locator(".st-key-H input[type=range]").focus()
    page.keyboard.press("ArrowLeft")
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_label(page, "15 units on one point (start)")).to_have_count(1, timeout=SLOW)
    assert "H=15" in page.url


def test_a_link_with_tiny_random_weights_shows_units_that_split(page, server):
    open_path(page, server, "symmetry", "init=random+N%280%2C+%CF%83%C2%B2%29&sigma=1e-9&H=8")
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_label(page, "8 units on one point (start)")).to_have_count(1, timeout=SLOW)
    expect(_label(page, "units on one point (end)")).to_have_count(0)
    # the numbers are a Markdown table (ui.readout)
    expect(page.locator("[data-testid=stMarkdown] td", has_text="1 → 8")).to_have_count(1, timeout=SLOW)
