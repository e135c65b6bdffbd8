"""Browser helpers shared by the e2e tests (waiting as Streamlit's own e2e suite does)."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

CHART = "[data-testid=stVegaLiteChart]"
DRAWN = f"{CHART} svg.marks, {CHART} canvas"


def wait_for_app(pg: Page, timeout: float = 60) -> None:
    """Connected, script finished, no skeleton left."""
    pg.wait_for_timeout(200)
    pg.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout * 1000)
    pg.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout * 1000)
    expect(pg.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout * 1000)


def wait_for_charts(pg: Page, timeout: float = 30) -> int:
    """Wait until every chart on the page has drawn its SVG; returns the number of charts."""
    n = pg.locator(CHART).count()
    deadline = time.time() + timeout
    while pg.locator(DRAWN).count() < n and time.time() < deadline:
        pg.wait_for_timeout(100)
    assert pg.locator(DRAWN).count() >= n, f"only {pg.locator(DRAWN).count()} of {n} charts drew"
    return n


def assert_no_errors(pg: Page) -> None:
    expect(pg.get_by_test_id("stException")).to_have_count(0)
    errors = pg.locator("[data-testid=stAlertContentError]")
    assert errors.count() == 0, [errors.nth(i).inner_text()[:300] for i in range(errors.count())]


def open_path(pg: Page, server: str, path: str, query: str = "") -> None:
    """Open a page and wait until its script has run: every page starts with a title."""
    pg.goto(f"{server}/{path}{('?' + query) if query else ''}")
    pg.wait_for_selector("[data-testid=stMain] h1", timeout=90_000)
    wait_for_app(pg)


def too_wide(pg: Page) -> list[str]:
    """What makes the page, or a formula or a table in it, wider than the window.

    Streamlit's main area scrolls on its own (``[data-testid=stMain]``, not the document), so a too-wide
    element lets the whole page be dragged sideways there while the document stays as wide as the window. A
    Markdown element wider than its column is a formula that did not wrap, or a table that does not scroll
    inside itself (app.py's style); its MathML copy is clipped to 1 px by KaTeX and does not count. A segmented
    control wider than its column hides its last options behind a fade (app.py lets them wrap)."""
    return pg.evaluate("""() => {
        const out = [];
        const main = document.querySelector('[data-testid=stMain]');
        if (main.scrollWidth > main.clientWidth + 1)
            out.push(`the main area: ${main.scrollWidth} > ${main.clientWidth}px`);
        const sel = '[data-testid=stMarkdownContainer], [data-testid=stButtonGroup] [role=radiogroup]';
        for (const m of main.querySelectorAll(sel))
            if (m.scrollWidth > m.clientWidth + 1)
                out.push(`${m.scrollWidth} > ${m.clientWidth}px: ${m.innerText.replace(/\\s+/g, ' ').slice(0, 60)}`);
        return out;
    }""")


def wide_charts(pg: Page) -> list[list[int]]:
    """Charts wider than their column (px: chart, column), which scroll sideways inside their box: one with a
    fixed width (page 2's map, page 5's faceted histograms) in a column narrower than itself."""
    return pg.evaluate("""() => [...document.querySelectorAll('[data-testid=stMain] .stVegaLiteChart')]
        .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => [c.scrollWidth, c.clientWidth])""")


def assert_fits(pg: Page, timeout: float = 5) -> None:
    """Nothing wider than the window or its column (:func:`too_wide`, :func:`wide_charts`), allowing charts
    that follow their container's width a moment to redraw after the window changed size."""
    deadline = time.time() + timeout
    while (wide := too_wide(pg) + wide_charts(pg)) and time.time() < deadline:
        pg.wait_for_timeout(200)
    assert not wide, wide
