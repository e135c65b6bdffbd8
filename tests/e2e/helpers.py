"""Browser helpers shared by the e2e tests. They wait on conditions (Playwright's waiting functions), never for
a fixed time."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHART = "[data-testid=stVegaLiteChart]"
DRAWN = f"{CHART} svg.marks, {CHART} canvas"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Streamlit's own sidebar navigation puts its <li> items in a <div> inside the <ul>: its markup, not ours.
AXE_NOT_OURS = {"list", "listitem"}


def wait_for_app(pg: Page, timeout: float = 60) -> None:
    """Connected, script finished, no skeleton left. After an interaction, first wait for what it changes (the
    URL, a value): a rerun that has not started yet also reads "notRunning"."""
    pg.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout * 1000)
    pg.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout * 1000)
    expect(pg.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout * 1000)


def wait_for_charts(pg: Page, timeout: float = 30) -> int:
    """Wait until every chart on the page has drawn (an SVG or a canvas); returns the number of charts."""
    # charts and drawings are counted in one evaluation: a chart of the previous view that is being removed, or
    # one being added, between two separate counts would make them disagree
    counts = (f"() => ({{charts: document.querySelectorAll({CHART!r}).length, "
              f"drawn: document.querySelectorAll({DRAWN!r}).length}})")
    try:   # returns the counts of the poll that met the condition
        c = pg.wait_for_function(f"() => {{ const c = ({counts})(); return c.drawn >= c.charts && c; }}",
                                 timeout=timeout * 1000).json_value()
    except PlaywrightTimeout:
        c = pg.evaluate(counts)
    assert c["drawn"] >= c["charts"], f"only {c['drawn']} of {c['charts']} charts drew"
    return c["charts"]


def rerun_by(pg: Page, act) -> None:
    """Do ``act`` (an interaction that reruns the script) and wait for the run it starts to finish. The URL and
    a slider's thumb change in the browser before the server has the value; ``wait_for_app`` alone may pass in
    the moment between the change and its run."""
    pg.evaluate("""() => {
        const app = document.querySelector('[data-testid=stApp]');
        window.__rerunStarted = false;
        new MutationObserver((_, me) => {
            if (app.dataset.testScriptState === 'running') { window.__rerunStarted = true; me.disconnect(); }
        }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    }""")
    act()
    pg.wait_for_function("() => window.__rerunStarted === true", timeout=30_000)
    wait_for_app(pg)


def assert_no_errors(pg: Page) -> None:
    expect(pg.get_by_test_id("stException")).to_have_count(0)
    errors = pg.locator("[data-testid=stAlertContentError]")
    assert errors.count() == 0, [errors.nth(i).inner_text()[:300] for i in range(errors.count())]


def open_path(pg: Page, server: str, path: str, query: str = "") -> None:
    """Open a page and wait until its script has run: every page starts with a title."""
    pg.goto(f"{server}/{path}{('?' + query) if query else ''}")
    pg.wait_for_selector("[data-testid=stMain] h1", timeout=90_000)
    wait_for_app(pg)


def params(pg: Page) -> dict[str, str]:
    """The current URL's query parameters."""
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(pg.url).query, keep_blank_values=True))


# What makes the page, or a formula or a table in it, wider than the window. Streamlit's main area scrolls on
# its own ([data-testid=stMain], not the document), so a too-wide element lets the whole page be dragged
# sideways there while the document stays as wide as the window. A Markdown element wider than its column is a
# formula that did not wrap, or a table that does not scroll inside itself (ui/style.css); KaTeX's MathML copy
# is clipped to 1 px and does not count, nor does a visually hidden label (1 px wide). A KaTeX glyph at a line's
# end (an accent, an italic correction) may stick out by a pixel or two: an unwrapped formula or a table that
# does not scroll sticks out by far more. A segmented control wider than its column hides its last options.
TOO_WIDE_JS = """() => {
    const out = [];
    const main = document.querySelector('[data-testid=stMain]');
    if (main.scrollWidth > main.clientWidth + 1)
        out.push(`the main area: ${main.scrollWidth} > ${main.clientWidth}px`);
    const sel = '[data-testid=stMarkdownContainer], [data-testid=stButtonGroup] [role=radiogroup]';
    for (const m of main.querySelectorAll(sel))
        if (m.clientWidth > 1 && m.scrollWidth > m.clientWidth + 4)
            out.push(`${m.scrollWidth} > ${m.clientWidth}px: ${m.innerText.replace(/\\s+/g, ' ').slice(0, 60)}`);
    for (const c of main.querySelectorAll('.stVegaLiteChart'))
        if (c.scrollWidth > c.clientWidth + 1) out.push(`a chart: ${c.scrollWidth} > ${c.clientWidth}px`);
    return out;
}"""


def too_wide(pg: Page) -> list[str]:
    return pg.evaluate(TOO_WIDE_JS)


def assert_fits(pg: Page, timeout: float = 5) -> None:
    """Nothing wider than the window or its column, allowing charts that follow their container's width a moment
    to redraw after the window changed size."""
    try:
        pg.wait_for_function(f"() => ({TOO_WIDE_JS})().length === 0", timeout=timeout * 1000)
    except PlaywrightTimeout:
        pass
    assert not too_wide(pg), too_wide(pg)


def axe_violations(pg: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of serious or critical impact on the open view, except the two rules
    that only Streamlit's own sidebar markup breaks (:data:`AXE_NOT_OURS`)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(pg, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:4]]} "
            f"{v['nodes'][0].get('failureSummary', '')[:240]}"
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical") and v["id"] not in AXE_NOT_OURS]
