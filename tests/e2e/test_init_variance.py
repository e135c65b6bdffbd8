"""Page 4 in a real Chromium: the depth slider moves the per-layer readout and the link; a prediction commits and
reveals; the training chart's axis is cut at its cap, said in words."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_errors, open_path, wait_for_app, wait_for_charts
from ui.nav import CONCEPTS

pytestmark = pytest.mark.e2e

PAGE = next(p.url_path for p in CONCEPTS if p.file == "pages/init_variance.py")
SLOW = 90_000  # a cold first run measures the spread over networks and trains five networks


def _label(pg, text: str):
    """A labelled number: a header cell of a ui.readout table."""
    return pg.locator("[data-testid=stMarkdown] th").filter(has_text=text)


def test_moving_the_depth_slider_with_the_keyboard_updates_the_deepest_layer_and_the_link(page, server):
    open_path(page, server, PAGE, "init.part=Many+layers")
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_label(page, "Var(z) at layer 30")).to_have_count(1, timeout=SLOW)
    page.get_by_role("slider", name="Depth L (layers)").focus()
    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_label(page, "Var(z) at layer 31")).to_have_count(1, timeout=SLOW)
    assert "init.depth=31" in page.url


def test_a_prediction_commits_then_reveals_what_the_page_measured(page, server):
    open_path(page, server, PAGE)
    wait_for_charts(page)
    expect(page.get_by_text("The page measures")).to_have_count(0)
    page.locator(".st-key-predict_init_pixel").get_by_text("about 0.077", exact=False).click()
    wait_for_app(page)
    expect(page.get_by_text("The page measures", exact=False)).to_have_count(1, timeout=SLOW)
    assert_no_errors(page)
