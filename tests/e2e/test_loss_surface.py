"""Page 1 (loss surface) in Chromium: click the map to set the start, replay in the browser, diverge."""

import io
import time

import numpy as np
import pytest
from PIL import Image

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
    pg.wait_for_selector(f"{SURFACE} canvas")
    wait_for_charts(pg)


def start_inputs(pg) -> tuple[float, float]:
    return tuple(float(pg.locator(f".st-key-{k} input").input_value()) for k in ("surface-w1", "surface-w2"))


def path_pixels(pg) -> np.ndarray:
    """Where the map is painted in the path's orange-red (charts.common.BAD, also under the marks' default
    opacity), as a boolean image. The map is drawn on a canvas (cheaper to redraw than SVG), so the test
    reads the picture itself: the shading is blue, arrows and contours grey, the minimum green."""
    png = pg.locator(f"{SURFACE} canvas").screenshot()
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2]) > 50


def until(condition, timeout: float = 15):
    """Poll ``condition`` (reading the canvas' picture, which no DOM event announces) until it returns something
    truthy; that value, or the last one when the time is up."""
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def red_near(mask: np.ndarray, x: float, y: float, r: int = 8) -> int:
    """Path-coloured pixels within ``r`` px of (x, y) in the canvas' own pixels."""
    x, y = round(x), round(y)
    return int(mask[max(y - r, 0): y + r + 1, max(x - r, 0): x + r + 1].sum())


def test_clicking_on_the_contour_map_moves_the_start_of_the_path(page, server):
    open_page(page, server)
    assert start_inputs(page) == (-1.0, 3.0)
    canvas = page.locator(f"{SURFACE} canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    # the plotting area is the square at the canvas' right, above the x axis: click near its lower right,
    # away from the default path
    at = (box["width"] - 45, box["height"] - 120)
    scale = path_pixels(page).shape[1] / box["width"]          # device pixels per CSS pixel
    before = red_near(path_pixels(page), at[0] * scale, at[1] * scale)
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])
    wait_for_app(page)
    page.wait_for_function("() => !document.querySelector('.st-key-surface-w1 input').value.startsWith('-1.00')",
                           timeout=30_000)
    wait_for_app(page)
    wait_for_charts(page)
    assert_no_errors(page)
    w1, w2 = start_inputs(page)
    assert w1 > 0.5 and w2 < 1.0, "a click at the lower right moves the start right and down"
    after = until(lambda: (n := red_near(path_pixels(page), at[0] * scale, at[1] * scale)) - before >= 80 and n) \
        or red_near(path_pixels(page), at[0] * scale, at[1] * scale)
    # the start is drawn as a filled square (~12 px) at the clicked cell's centre: path colour appears there
    assert before < 30 and after - before >= 80, (before, after)

    # and every next click works as well, into the same map (its data swapped, not drawn anew). Each click lands
    # 10% of the map right of and below the last: there the map's tooltip once stood (it trailed the pointer by
    # 10 px and stayed put during the swap) and took the click.
    page.evaluate(f"() => document.querySelector('{SURFACE} canvas').__mark = 'first'")
    for fx, fy in ((0.2, 0.2), (0.3, 0.3), (0.7, 0.6), (0.8, 0.7)):
        last = start_inputs(page)
        box = canvas.bounding_box()
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_function(f"() => document.querySelector('.st-key-surface-w1 input').value !== '{last[0]:.2f}'",
                               timeout=15_000)
        wait_for_app(page)
        assert_no_errors(page)
        assert page.evaluate("() => document.querySelector('.st-key-surface canvas').__mark") == "first"
    assert not page.locator("#vg-tooltip-element.visible").count(), "no tooltip over the map"


def test_on_a_phone_the_map_fits_its_column_and_a_tap_moves_the_start(phone_page, server):
    """The whole map is in view without scrolling it sideways (a smaller square on a phone). A tap sends no
    pointermove: Vega's click then has no item under it, so the map listens to touchstart too."""
    open_path(phone_page, server, "loss_surface")      # (a phone's sidebar is closed)
    phone_page.wait_for_selector(f"{SURFACE} canvas")
    wait_for_charts(phone_page)
    width, room = phone_page.evaluate(
        f"() => {{ const c = document.querySelector('{SURFACE} .stVegaLiteChart');"
        " return [c.scrollWidth, c.clientWidth]; }")
    assert 0 < width <= room, f"the map is {width} px wide in a {room}-px column"
    canvas = phone_page.locator(f"{SURFACE} canvas")
    for fx, fy in ((0.75, 0.7), (0.3, 0.25)):
        last = start_inputs(phone_page)
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        phone_page.touchscreen.tap(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        phone_page.wait_for_function(
            f"() => document.querySelector('.st-key-surface-w1 input').value !== '{last[0]:.2f}'", timeout=15_000)
        wait_for_app(phone_page)
        assert_no_errors(phone_page)
    w1, w2 = start_inputs(phone_page)
    assert w1 < last[0] and w2 > last[1], "the second tap, up and to the left of the first, moved the start there"


def test_the_replay_slider_shortens_the_path_in_the_browser_without_a_rerun(page, server):
    open_page(page, server)
    before = until(lambda: int(path_pixels(page).sum()))
    page.evaluate(RUNS)
    page.locator(f"{SURFACE} .vega-bindings input[type=range]").fill("5")
    after = until(lambda: (n := int(path_pixels(page).sum())) < 0.9 * before and n) or int(path_pixels(page).sum())
    assert page.evaluate("() => window.__runs") == 0, "scrubbing must not rerun the script"
    assert after < 0.9 * before, f"the drawn path should shrink to 5 of 40 steps ({before} -> {after} px)"
    # "Reproduce this" builds its code only when opened
    assert page.locator("[data-testid=stCode]", has_text="from core import loss_surface").count() == 0
    page.get_by_test_id("stExpander").filter(has_text="Reproduce this").locator("summary").click()
    page.locator("[data-testid=stCode]", has_text="from core import loss_surface").wait_for(timeout=30_000)
    assert_no_errors(page)


def test_pushing_the_learning_rate_past_two_over_lambda_max_explains_the_divergence(page, server):
    open_page(page, server)
    thumb = page.locator(".st-key-surface-lr input[type=range]")  # Streamlit 1.67 sliders are react-aria inputs
    thumb.focus()
    thumb.press("End")
    wait_for_app(page)
    assert_no_errors(page)
    notice = page.get_by_test_id("stAlertContentWarning").filter(has_text="diverged at step")
    notice.wait_for()
    assert "2/λmax" in notice.inner_text()
    wait_for_charts(page)
