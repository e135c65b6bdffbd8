"""Page 3 in a real Chromium: the readout follows the H slider and the URL; the sweeps part switches views."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_errors, open_path, wait_for_app, wait_for_charts

pytestmark = pytest.mark.e2e

SLOW = 90_000  # a cold first run trains several networks; expect() retries until then


def _cell(pg, text: str):
    """A cell of the page's Markdown tables (ui.readout)."""
    return pg.locator("[data-testid=stMarkdown] td", has_text=text)


def test_moving_the_hidden_units_slider_recounts_the_units_and_writes_the_link(page, server):
    open_path(page, server, "symmetry")
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_cell(page, "16 → 16")).to_have_count(1, timeout=SLOW)     # distinct points: all 16, by distance
    page.locator(".st-key-sym-H [role=slider], .st-key-sym-H input[type=range]").first.focus()  # key sym.H
    page.keyboard.press("ArrowLeft")
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_cell(page, "15 → 15")).to_have_count(1, timeout=SLOW)
    assert "sym.H=15" in page.url


def test_a_link_to_the_sweeps_part_draws_the_training_length_view(page, server):
    open_path(page, server, "symmetry", "sym.part=Sweeps&sym.sw_view=training+length")
    wait_for_charts(page)
    assert_no_errors(page)
    expect(page.locator("[data-testid=stMarkdown] th", has_text="runs at ≥ 99%")).to_have_count(1, timeout=SLOW)
