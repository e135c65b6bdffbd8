"""Each page keeps its own settings (issue #30): set something on every page, walk the sidebar to every other
page and back, and nothing is carried, applied, or noticed across pages; a page's own link still reproduces it."""

from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.helpers import assert_no_errors, open_path, params, rerun_by, wait_for_app
from ui.nav import CONCEPTS, HOME
from ui.url import SEED_KEY

pytestmark = pytest.mark.e2e

SLIDER = "[data-testid=stMain] [data-testid=stSlider] input[type=range]"


def go(pg, p) -> None:
    pg.get_by_test_id("stSidebarNavLink").filter(has_text=p.title).click()
    pg.wait_for_url(lambda url: urlsplit(url).path.strip("/") in ({p.url_path, ""} if p is HOME else {p.url_path}),
                    timeout=60_000)
    heading = "Why deep networks" if p is HOME else p.title   # the new page has drawn its title
    pg.locator("[data-testid=stMain] h1").filter(has_text=heading).first.wait_for(timeout=60_000)
    wait_for_app(pg)


def state(pg) -> tuple[dict[str, str], list[str | None]]:
    """The URL's parameters and every slider's value as shown."""
    return params(pg), pg.eval_on_selector_all(SLIDER, "els => els.map(e => e.value)")


def assert_own(pg, p) -> None:
    foreign = [k for k in params(pg) if k != SEED_KEY and not k.startswith(p.scope + ".")]
    assert not foreign, f"{p.title}: {foreign}"
    notices = pg.get_by_test_id("stAlertContentWarning").filter(has_text="The link set")
    assert notices.count() == 0, f"{p.title}: {notices.first.inner_text()}"
    assert_no_errors(pg)


@pytest.mark.long
def test_settings_stay_on_their_page_through_a_walk_and_a_pages_link_reproduces_it(page, server):
    open_path(page, server, "")
    left = {}
    for p in CONCEPTS:
        go(page, p)
        assert_own(page, p)
        if page.locator(SLIDER).count():     # a keyboard user's way: one step up from the default
            slider = page.locator(SLIDER).first
            slider.focus()
            rerun_by(page, lambda slider=slider: slider.press("ArrowRight"))
        else:                                # a first part without a slider: the open part is a setting too
            rerun_by(page, lambda p=p: page.get_by_role("tab", name=p.parts[1], exact=True).click())
        assert any(k.startswith(p.scope + ".") for k in params(page)), params(page)
        assert_own(page, p)
        left[p.url_path] = state(page)
    for p in (HOME, *CONCEPTS):          # the walk back: every page as it was left, nothing from the others
        go(page, p)
        assert_own(page, p)
        if p is not HOME:   # (the new page's part may still be drawing: wait for its sliders, then compare)
            expected = left[p.url_path]
            try:
                page.wait_for_function(f"n => document.querySelectorAll({SLIDER!r}).length >= n",
                                       arg=len(expected[1]), timeout=30_000)
            except PlaywrightTimeout:
                pass
            assert state(page) == expected, p.title
    for p in CONCEPTS:                   # and each page's link, opened afresh, shows exactly that
        url_params, sliders = left[p.url_path]
        open_path(page, server, p.url_path, urlencode(url_params))
        try:
            page.wait_for_function(f"n => document.querySelectorAll({SLIDER!r}).length >= n", arg=len(sliders),
                                   timeout=30_000)
        except PlaywrightTimeout:
            pass
        assert_own(page, p)
        assert state(page) == (url_params, sliders), p.title
