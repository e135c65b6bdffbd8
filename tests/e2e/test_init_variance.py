"""Page 4 in a real Chromium: the depth slider moves the per-layer readout; a link shows labelled overflow."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_errors, open_path, wait_for_app, wait_for_charts
from ui.nav import CONCEPTS

pytestmark = pytest.mark.e2e

PAGE = next(p.url_path for p in CONCEPTS if p.file == "pages/init_variance.py")
SLOW = 90_000  # a cold first run measures the Goldilocks map and trains five networks


def _metric_label(pg, text: str):
    """A labelled number: a header cell of a ui.readout table (or an st.metric label)."""
    return pg.locator("[data-testid=stMarkdown] th, [data-testid=stMetricLabel]").filter(has_text=text)


def test_moving_the_depth_slider_with_the_keyboard_updates_the_deepest_layer(page, server):
    open_path(page, server, PAGE, "part=Many+layers")
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_metric_label(page, "Var(z) at layer 30")).to_have_count(1, timeout=SLOW)
    page.locator(".st-key-depth").get_by_role("slider").focus()  # an <input type=range>
    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    expect(_metric_label(page, "Var(z) at layer 31")).to_have_count(1, timeout=SLOW)
    assert "depth=31" in page.url


def test_a_setting_survives_a_visit_to_another_part_and_the_link_follows_the_open_part(page, server):
    """Only the open part runs (ui.parts); a control in a closed part keeps its value for when it reopens, two
    parts that draw the same control share its value, and the address bar always holds the open part and its
    settings, so a copied link shows what is on screen."""
    open_path(page, server, PAGE, "part=Many+layers&depth=12")
    wait_for_charts(page)
    expect(_metric_label(page, "Var(z) at layer 12")).to_have_count(1, timeout=SLOW)
    page.get_by_role("tab", name="One neuron").click()
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    expect(page.locator(".st-key-n")).to_have_count(1)
    assert page.locator(".st-key-depth").count() == 0  # the closed part's controls were not run
    assert "depth=" not in page.url and "part=" not in page.url  # the first part is the default view
    page.get_by_role("tab", name="Many layers").click()
    wait_for_app(page)
    wait_for_charts(page)
    expect(_metric_label(page, "Var(z) at layer 12")).to_have_count(1, timeout=SLOW)
    assert "depth=12" in page.url and "part=Many+layers" in page.url
    # the next part draws the same network controls: the network it shows is the one just set
    page.get_by_role("tab", name="Inside the layers").click()
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    expect(page.locator(".st-key-depth").get_by_role("slider")).to_have_value("12", timeout=SLOW)
    expect(page.locator(".st-key-zl")).to_have_count(1)
    assert "depth=12" in page.url and "part=Inside+the+layers" in page.url


def test_a_link_to_an_exploding_network_labels_the_overflow_on_the_chart(page, server):
    open_path(page, server, PAGE, "part=Many+layers&init=normal&sw=1.0&width=256")
    wait_for_charts(page)
    assert_no_errors(page)
    expect(page.locator("[data-testid=stMarkdown] td").filter(has_text="overflow").first).to_be_visible(timeout=SLOW)
    # the per-layer charts are drawn on a canvas; their text alternative says what the drawn labels say
    # (AppTest checks the labels' data: tests/app/test_init_variance.py)
    labelled = page.locator("[data-testid=stVegaLiteChart][aria-label*='labelled overflow']")
    expect(labelled.first).to_be_attached(timeout=SLOW)
