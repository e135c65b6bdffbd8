"""Across every view, in Chromium: hostile links, and the dark theme on a phone-sized screen (with axe-core).
Controls at their extremes, alone and together, are AppTest's (tests/app/test_robustness.py)."""

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
def test_a_hostile_link_on_a_dark_phone_shows_its_notice_draws_every_chart_fits_and_passes_axe(
        phone_page, server, p, part):
    """The hard cases in one load per view (the suite's time is mostly page loads): a 390-px phone in dark theme,
    opened from a link whose every value is hostile, each key meeting another one (AppTest tries every value on
    every key). The notices, the fallback view and its charts must all fit, draw and read."""
    keys = bound_keys(p.url_path, part.get(p.part_key, ""))
    query = {k: HOSTILE[i % len(HOSTILE)] for i, k in enumerate(keys)}
    query[SEED_KEY] = HOSTILE[len(keys) % len(HOSTILE)]
    open_path(phone_page, server, p.url_path, urlencode({**query, **part, "embed_options": "dark_theme"}))
    assert_no_errors(phone_page)
    assert phone_page.get_by_test_id("stAlertContentWarning").filter(has_text="The link set").count() >= 1
    assert phone_page.locator("script:text('alert(1)')").count() == 0
    wait_for_charts(phone_page)
    bg = phone_page.evaluate("getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
    assert bg != "rgb(255, 255, 255)", "the dark theme is applied"
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone screen"
    assert_fits(phone_page)
    assert axe_violations(phone_page) == []
