"""Page 2 (loss surface) in Chromium: click the map to set the start, replay in the browser, diverge."""

import pytest

from tests.e2e.helpers import assert_no_errors, open_path, wait_for_app, wait_for_charts

pytestmark = pytest.mark.e2e

SURFACE = ".st-key-surface"
RUNS = """() => { window.__runs = 0; const app = document.querySelector('[data-testid=stApp]');
  new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__runs += 1; })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""


def open_page(pg, server):
    # Deep links to hyphenated url_paths can land on the home page (the legacy pages/ names win until the
    # first st.navigation run), so start at the root, close any "page not found" dialog, use the sidebar.
    open_path(pg, server, "")
    if pg.get_by_role("dialog").count():
        pg.keyboard.press("Escape")
    pg.get_by_test_id("stSidebarNavLink").filter(has_text="Loss surface").click()
    wait_for_app(pg)
    pg.wait_for_selector(f"{SURFACE} svg.marks")
    wait_for_charts(pg)


def start_inputs(pg) -> tuple[float, float]:
    return tuple(float(pg.locator(f".st-key-{k} input").input_value()) for k in ("w1", "w2"))


def path_start(pg) -> tuple[float, float]:
    """The path's first point, read from the line mark's accessible label (``...: w1; ...: w2; t: 0``)."""
    label = pg.locator(f"{SURFACE} g.mark-line.role-mark path[aria-label$='t: 0']").first.get_attribute(
        "aria-label")
    w1, w2 = (float(part.split(":")[-1].strip().replace("\u2212", "-")) for part in label.split(";")[:2])
    return w1, w2


def test_clicking_on_the_contour_map_moves_the_start_of_the_path(page, server):
    open_page(page, server)
    assert start_inputs(page) == (-1.0, 3.0)
    assert path_start(page) == (-1.0, 3.0)
    page.locator(f"{SURFACE} svg.marks").scroll_into_view_if_needed()
    box = page.locator(f"{SURFACE} g.mark-rect.role-mark").first.bounding_box()  # the heatmap = plot area
    page.mouse.click(box["x"] + 0.85 * box["width"], box["y"] + 0.85 * box["height"])
    wait_for_app(page)
    page.wait_for_function("() => !document.querySelector('.st-key-w1 input').value.startsWith('-1.00')",
                           timeout=30_000)
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    w1, w2 = start_inputs(page)
    assert w1 > 0.5 and w2 < 1.0, "a click at the lower right moves the start right and down"
    assert path_start(page) == pytest.approx((w1, w2), abs=1e-9)


def test_the_replay_slider_shortens_the_path_in_the_browser_without_a_rerun(page, server):
    open_page(page, server)
    symbols = page.locator(f"{SURFACE} g.mark-symbol.role-mark path")
    before = symbols.count()
    page.evaluate(RUNS)
    page.locator(f"{SURFACE} .vega-bindings input[type=range]").fill("5")
    page.wait_for_function(f"() => document.querySelectorAll('{SURFACE} g.mark-symbol.role-mark path')"
                           f".length < {before}", timeout=10_000)
    page.wait_for_timeout(800)
    assert page.evaluate("() => window.__runs") == 0, "scrubbing must not rerun the script"
    assert before - symbols.count() == 40 - 5


def test_pushing_the_learning_rate_past_two_over_lambda_max_explains_the_divergence(page, server):
    open_page(page, server)
    thumb = page.locator(".st-key-lr input[type=range]")  # Streamlit 1.67 sliders are react-aria inputs
    thumb.focus()
    thumb.press("End")
    wait_for_app(page)
    assert_no_errors(page)
    notice = page.get_by_test_id("stAlertContentWarning").filter(has_text="diverged at step")
    notice.wait_for()
    assert "2/λmax" in notice.inner_text()
    wait_for_charts(page)
