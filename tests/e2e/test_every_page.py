"""Every view in a real Chromium: no exception or error box, every chart drawn, nothing wider than the window,
and no serious axe-core (WCAG 2.1 A/AA) violation; then the navigation, the warm-up and the predictions."""

import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    assert_fits,
    assert_no_errors,
    axe_violations,
    open_path,
    params,
    wait_for_app,
    wait_for_charts,
)
from ui import warmup
from ui.nav import CONCEPTS, HOME, QUESTIONS, link

pytestmark = pytest.mark.e2e


def test_navigation_lists_every_page_with_the_pages_own_titles(page, server):
    open_path(page, server, "")
    links = page.get_by_test_id("stSidebarNavLink")
    assert links.count() == 1 + len(CONCEPTS)
    for i, p in enumerate((HOME, *CONCEPTS)):
        assert p.title in links.nth(i).inner_text()   # (each page's heading is checked with its views below)


@pytest.mark.parametrize("p", [HOME, *CONCEPTS], ids=[p.url_path for p in (HOME, *CONCEPTS)])
def test_every_view_draws_fits_and_passes_axe(page, server, p):
    """The page, then each of its parts (ui.parts) by clicking its tab: only the open part is drawn. Each view
    fits the window, and a laptop's narrower one too, and has no serious accessibility violation."""
    open_path(page, server, p.url_path)
    assert_no_errors(page)
    assert page.evaluate("() => [...document.querySelectorAll('style')].some(s => s.textContent"
                         ".includes('.st-key-page'))"), "ui/style.css is in the page"
    if p is not HOME:   # the heading is the navigation's title, number and all
        assert page.locator("[data-testid=stMain] h1").first.inner_text().strip().endswith(p.title)
    drawn = wait_for_charts(page)
    _fits_desktop_and_laptop(page)
    assert axe_violations(page) == [], p.url_path
    for part in p.parts[1:]:
        page.get_by_role("tab", name=part, exact=True).click()
        page.wait_for_url(lambda url, part=part: params(page).get(p.part_key) == part, timeout=30_000)
        expect(page.get_by_role("tab", name=part, exact=True)).to_have_attribute("aria-selected", "true")
        wait_for_app(page, timeout=90)
        assert_no_errors(page)
        drawn += wait_for_charts(page)
        assert page.get_by_role("tab", name=part, exact=True).get_attribute("aria-selected") == "true"
        _fits_desktop_and_laptop(page)
        assert axe_violations(page) == [], f"{p.url_path} · {part}"
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
    target, part = next((pg, part) for _, wheres in QUESTIONS for pg, part in map(link, wheres) if part)
    open_path(page, server, "")
    page.get_by_role("link", name=f"{target.title} · {part}").first.click()
    page.wait_for_url(lambda url: params(page).get(target.part_key) == part, timeout=60_000)
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    assert page.get_by_role("tab", name=part, exact=True).get_attribute("aria-selected") == "true"


def test_clicking_through_the_sidebar_reaches_every_page_and_shares_its_link(page, server):
    open_path(page, server, "")
    for p in CONCEPTS:
        page.get_by_test_id("stSidebarNavLink").filter(has_text=p.title).click()
        page.wait_for_url(lambda url, path=p.url_path: url.split("?")[0].rstrip("/").endswith(path),
                          timeout=60_000)
        wait_for_app(page)
        assert_no_errors(page)
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
    assert "using 0" in notice.inner_text() and "\\" not in notice.inner_text()
    assert page.locator(".st-key-seed input").input_value() == "0"


def test_one_prediction_per_page_answered_in_the_browser_shows_its_feedback_and_the_home_page_counts_them(
        page, server):
    open_path(page, server, "")
    for p in CONCEPTS:
        q = p.predictions[0]
        page.get_by_test_id("stSidebarNavLink").filter(has_text=p.title).click()
        page.wait_for_url(lambda url, path=p.url_path: url.split("?")[0].rstrip("/").endswith(path),
                          timeout=60_000)
        wait_for_app(page)
        if q.part:
            page.get_by_role("tab", name=q.part, exact=True).click()
            page.wait_for_url(lambda url, p=p, q=q: params(page).get(p.part_key) == q.part, timeout=30_000)
            wait_for_app(page, timeout=90)
        box = page.locator(f".st-key-{q.key}")
        box.scroll_into_view_if_needed()
        box.locator("button").first.click()
        feedback = page.locator("[data-testid=stAlertContentSuccess], [data-testid=stAlertContentInfo]").filter(
            has_text=re.compile("You predicted|does not single out"))
        feedback.first.wait_for(timeout=60_000)
        assert_no_errors(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text=HOME.title).click()
    total = sum(len(p.predictions) for p in CONCEPTS)
    page.get_by_text(re.compile(rf"You have answered {len(CONCEPTS)} of {total} questions")).wait_for(
        timeout=60_000)


@pytest.mark.long
def test_a_deep_link_to_a_freshly_started_server_runs_inside_the_shell_and_warms_every_page(page, phone_page):
    """The first visit after a (re)start is a deep link: it must still get app.py's sidebar and seed. It also
    starts the server's warm-up (ui/warmup.py): afterwards a first visit to every view of the pages it did not
    open, on a desktop and on a phone, is all cache hits (Streamlit's per-function cache sizes, from
    /_stcore/metrics, do not change)."""
    from tests.e2e.conftest import LOGS, streamlit_server

    target = CONCEPTS[2]
    with streamlit_server(warmup=True) as fresh:
        open_path(page, fresh, target.url_path, "seed=42")
        assert_no_errors(page)
        assert page.locator(".st-key-seed input").input_value() == "42"
        assert page.get_by_test_id("stSidebarNavLink").count() == 1 + len(CONCEPTS)
        assert page.url.split("?")[0].rstrip("/").endswith(target.url_path)
        report = _wait_for_warmup(LOGS[fresh])
        assert report == {"pages": len(CONCEPTS), "seconds": report["seconds"]}, LOGS[fresh].read_text()[-2000:]
        before = _cache_sizes(fresh)
        assert len(before) >= len(CONCEPTS), before
        for p in CONCEPTS:
            if p is target:
                continue
            for view in p.views():   # (open_path waits for the server's script run: that is what is timed here)
                path, _, query = view.partition("?")
                open_path(page, fresh, path, query)
                assert_no_errors(page)
            open_path(phone_page, fresh, p.url_path)
        after = _cache_sizes(fresh)
        assert after == before, {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}


def _wait_for_warmup(log, timeout: float = 180) -> dict:
    """Wait for the warm-up's line in the server's log (the server writes it; there is nothing to click)."""
    deadline = time.monotonic() + timeout
    while (report := warmup.reported(log.read_text())) is None and time.monotonic() < deadline:
        time.sleep(0.2)   # polling a file for a condition
    return report or {}


_METRICS_READ: dict[str, float] = {}


def _cache_sizes(server: str) -> dict[str, int]:
    """Bytes held by each cached function. Streamlit answers this metric from a 5-s cache of its own: a read
    within 5 s of the last one can be stale, so this first lets the last read expire (a wait on the server's
    clock, the one condition the endpoint offers)."""
    time.sleep(max(0.0, _METRICS_READ.get(server, 0.0) + 5.5 - time.monotonic()))
    _METRICS_READ[server] = time.monotonic()
    text = urllib.request.urlopen(f"{server}/_stcore/metrics", timeout=10).read().decode()
    return {m.group(1): int(m.group(2)) for m in re.finditer(r'cache="([^"]+)"\} (\d+)', text)}
