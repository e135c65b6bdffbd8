"""Across every view, in Chromium: hostile links, and the dark theme on a phone-sized screen (with axe-core)."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

import pytest

from tests.e2e.helpers import assert_fits, assert_no_errors, axe_violations, open_path, wait_for_charts
from ui.nav import CONCEPTS, by_url_path
from ui.url import OWN_KEYS, SEED_KEY

pytestmark = pytest.mark.e2e

HOSTILE = ["abc", "-1e308", "nan", "", "x" * 400, "<script>alert(1)</script>", "1e308"]

# every view: a page's link, then each further part's (ui.parts: only the open part runs)
VIEWS = [(p, query) for p in CONCEPTS for query in p.queries()]
IDS = [f"{p.url_path}-{i}" for p in CONCEPTS for i in range(len(p.queries()))]


@cache
def bound_keys(url_path: str, part: str = "") -> tuple[str, ...]:
    """The view's URL-bound keys, as the page itself registers them (read through AppTest); for a later part,
    without the part's own key (its link keeps its valid value)."""
    from tests.app.conftest import open_page

    p = by_url_path(url_path)
    at = open_page(p.file, {p.part_key: part} if part else None)
    return tuple(sorted(k for k in at.session_state[OWN_KEYS] if k != SEED_KEY and not (part and k == p.part_key)))


@pytest.mark.parametrize(("p", "part"), VIEWS, ids=IDS)
def test_hostile_links_show_a_notice_and_never_a_traceback(page, server, p, part):
    keys = bound_keys(p.url_path, part.get(p.part_key, ""))
    for shift in range(1 if part else 2):  # the keys meet different hostile values; AppTest tries them all
        query = {k: HOSTILE[(i + 2 * shift) % len(HOSTILE)] for i, k in enumerate(keys)}
        query[SEED_KEY] = HOSTILE[shift]
        open_path(page, server, p.url_path, urlencode({**query, **part}))
        assert_no_errors(page)
        assert page.get_by_test_id("stAlertContentWarning").filter(has_text="The link set").count() >= 1
        assert page.locator("script:text('alert(1)')").count() == 0
        wait_for_charts(page)


@pytest.mark.parametrize(("p", "part"), VIEWS, ids=IDS)
def test_dark_theme_on_a_phone_draws_every_chart_fits_and_passes_axe(phone_page, server, p, part):
    """Both hard cases in one load (the suite's time is mostly page loads): a 390-px phone in dark theme."""
    open_path(phone_page, server, p.url_path, urlencode({**part, "embed_options": "dark_theme"}))
    assert_no_errors(phone_page)
    wait_for_charts(phone_page)
    bg = phone_page.evaluate("getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
    assert bg != "rgb(255, 255, 255)", "the dark theme is applied"
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone screen"
    assert_fits(phone_page)
    assert axe_violations(phone_page) == []


@cache
def all_at_max(url_path: str, part: str = "") -> tuple[tuple[str, str], ...]:
    """Every enabled slider of the view at its maximum, as URL parameters (read via AppTest)."""
    from tests.app.conftest import open_page

    p = by_url_path(url_path)
    at = open_page(p.file, {p.part_key: part} if part else None)
    out = {}
    for w in at.main:
        kind = getattr(w, "type", "")
        if kind in ("slider", "select_slider") and w.key and not getattr(w.proto, "disabled", False):
            out[w.key] = str(w.max) if kind == "slider" else str(w.options[-1])  # select options: URL labels
    return tuple(sorted(out.items()))


@pytest.mark.parametrize("p", CONCEPTS, ids=[p.url_path for p in CONCEPTS])
def test_every_slider_at_its_maximum_in_one_link_draws_without_errors(page, server, p):
    """The combined extreme, in the browser, for each part with sliders (each control alone at both ends is
    covered by AppTest)."""
    tested = 0
    for part in [""] + list(p.parts[1:]):
        query = dict(all_at_max(p.url_path, part))
        if not query:
            continue
        tested += 1
        open_path(page, server, p.url_path, urlencode({**query, **({p.part_key: part} if part else {})}))
        assert_no_errors(page)
        refused = page.get_by_test_id("stAlertContentWarning").filter(has_text="The link set")
        assert refused.count() == 0, refused.first.inner_text()  # every maximum was taken as given
        wait_for_charts(page)
    assert tested, "the page has sliders"
