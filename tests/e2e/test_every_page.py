"""Every navigation entry, in a real Chromium: no exception, no error box, every chart drawn."""

import re
import time
import urllib.request
from urllib.parse import quote_plus

import pytest

from tests.e2e.helpers import assert_fits, assert_no_errors, open_path, wait_for_app, wait_for_charts
from ui import warmup
from ui.nav import CONCEPTS, HOME

pytestmark = pytest.mark.e2e


def test_navigation_lists_every_page(page, server):
    open_path(page, server, "")
    links = page.get_by_test_id("stSidebarNavLink")
    assert links.count() == 1 + len(CONCEPTS)
    for i, p in enumerate((HOME, *CONCEPTS)):
        assert p.title.split(" · ")[-1] in links.nth(i).inner_text()


@pytest.mark.parametrize("p", [HOME, *CONCEPTS], ids=[p.url_path for p in (HOME, *CONCEPTS)])
def test_page_loads_without_errors_and_draws_its_charts_in_every_part(page, server, p):
    """The page, then each of its parts (ui.parts) by clicking its tab: only the open part is drawn. Each view
    fits the window, and a laptop's narrower one too (fixed-size charts get their panel below them there)."""
    open_path(page, server, p.url_path)
    assert_no_errors(page)
    drawn = wait_for_charts(page)
    assert page.locator("h1").count() >= 1
    _fits_desktop_and_laptop(page)
    for part in p.parts[1:]:
        page.get_by_role("tab", name=part, exact=True).click()
        query = f"part={quote_plus(part)}"
        page.wait_for_url(lambda url, q=query: q in url, timeout=30_000)
        wait_for_app(page, timeout=90)
        assert_no_errors(page)
        drawn += wait_for_charts(page)
        assert page.get_by_role("tab", name=part, exact=True).get_attribute("aria-selected") == "true"
        _fits_desktop_and_laptop(page)
    assert drawn >= 1 if p is not HOME else drawn == 0


def _fits_desktop_and_laptop(pg) -> None:
    assert_fits(pg)
    size = pg.viewport_size
    pg.set_viewport_size({"width": 1024, "height": size["height"]})  # a laptop's window, with the sidebar open
    try:
        assert_fits(pg)
    finally:
        pg.set_viewport_size(size)


def test_a_question_on_the_home_page_opens_the_part_that_answers_it(page, server):
    open_path(page, server, "")
    page.get_by_role("link", name="4 · Initialization variance · Many layers").first.click()
    page.wait_for_url(lambda url: "part=Many+layers" in url or "part=Many%20layers" in url, timeout=60_000)
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    assert page.get_by_role("tab", name="Many layers", exact=True).get_attribute("aria-selected") == "true"
    assert page.locator(".st-key-depth").count() == 1


def test_clicking_through_the_sidebar_reaches_every_page(page, server):
    open_path(page, server, "")
    for p in CONCEPTS:
        page.get_by_test_id("stSidebarNavLink").filter(has_text=p.title.split(" · ")[-1]).click()
        # under load the new page can start later than wait_for_app's first look: wait for its address first
        page.wait_for_url(lambda url, path=p.url_path: url.split("?")[0].rstrip("/").endswith(path),
                          timeout=60_000)
        wait_for_app(page)
        assert page.url.rstrip("/").split("?")[0].endswith(p.url_path)
        assert_no_errors(page)
    # the sidebar's "Share this view" builds the current page's link when opened
    page.get_by_test_id("stSidebar").get_by_role("button", name="Share this view").click()
    code = page.locator("[data-testid=stCode]", has_text="http")  # the popover opens in a layer of its own
    code.wait_for(timeout=30_000)
    assert CONCEPTS[-1].url_path in code.inner_text()
    assert_no_errors(page)


@pytest.mark.parametrize("bad", ["abc", "-5", "1e99"])
def test_a_bad_seed_in_the_link_shows_a_notice_and_uses_the_default(page, server, bad):
    open_path(page, server, HOME.url_path, f"seed={bad}")
    assert_no_errors(page)
    notice = page.get_by_test_id("stAlertContentWarning").filter(has_text="Seed")
    assert notice.count() == 1
    assert "using 0" in notice.inner_text()
    assert page.locator(".st-key-seed input").input_value() == "0"


def test_a_deep_link_to_a_freshly_started_server_runs_inside_the_shell_and_warms_every_page(page, phone_page):
    """The first visit after a (re)start is a deep link: it must still get app.py's sidebar and seed. It also
    starts the server's warm-up (ui/warmup.py): afterwards a first visit to a page it did not open is all cache
    hits (Streamlit's per-function cache sizes, /_stcore/metrics, do not change), on a phone too (page 2's map
    is drawn smaller there, from a template of its own)."""
    from tests.e2e.conftest import LOGS, streamlit_server

    target = CONCEPTS[2]
    with streamlit_server() as fresh:
        open_path(page, fresh, target.url_path, "seed=42")
        assert_no_errors(page)
        assert page.locator(".st-key-seed input").input_value() == "42"
        assert page.get_by_test_id("stSidebarNavLink").count() == 1 + len(CONCEPTS)
        assert page.url.split("?")[0].rstrip("/").endswith(target.url_path)

        log, deadline = LOGS[fresh], time.time() + 180
        while warmup.reported(log.read_text()) is None and time.time() < deadline:
            time.sleep(0.5)
        views = [v for p in CONCEPTS for v in p.views()]
        assert f"page warm-up finished: {len(views)} views" in log.read_text(), log.read_text()[-2000:]
        while "objects frozen after the warm-up" not in log.read_text() and time.time() < deadline:
            time.sleep(0.2)    # then the heap is out of full collections' reach (ui.warmup.freeze_heap)
        assert "objects frozen after the warm-up" in log.read_text()
        before = _cache_sizes(fresh)
        assert {"__main__.train", "__main__.running_for"} <= set(before)  # pages 4 and 5 trained their networks
        visits = [(page, view) for view in CONCEPTS[-1].views()[:2]]  # the most training behind it; its 2nd part
        visits += [(phone_page, CONCEPTS[1].url_path), (phone_page, CONCEPTS[-1].url_path)]  # smaller charts
        for pg, view in visits:
            path, _, query = view.partition("?")
            open_path(pg, fresh, path, query)
            wait_for_charts(pg)
            assert_no_errors(pg)
        assert _cache_sizes(fresh) == before


_METRICS_READ: dict[str, float] = {}


def _cache_sizes(server: str) -> dict[str, int]:
    """Bytes held by each cached function. Streamlit serves this metric from a 5-s cache of its own
    (starlette_routes._METRICS_EXPENSIVE_STATS_TTL_SECONDS): a read within 5 s of the last one can be stale,
    so this waits until the last read has expired."""
    time.sleep(max(0.0, _METRICS_READ.get(server, 0.0) + 5.5 - time.monotonic()))
    _METRICS_READ[server] = time.monotonic()
    text = urllib.request.urlopen(f"{server}/_stcore/metrics", timeout=10).read().decode()
    return {m.group(1): int(m.group(2)) for m in re.finditer(r'cache="([^"]+)"\} (\d+)', text)}
