"""AppTest harness: every test starts from app.py (never a page file); each test module starts with cold caches."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60


@pytest.fixture(autouse=True, scope="module")
def _clear_caches():
    # Streamlit caches are process-global: each test module starts cold, and its tests share what they compute
    # (every cached function is pure, so sharing changes no result; clearing per test tripled the suite's time).
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def open_page(page_file: str, query: dict[str, str] | None = None) -> AppTest:
    """Run app.py, switch to ``page_file`` (a path relative to the repo root), return the AppTest.

    ``query`` seeds URL parameters before the first run, as a shared link would.
    """
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value  # bound widgets read the URL when first created: set it before
    at.run()
    if page_file != "pages/home.py":
        at.switch_page(page_file).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at: AppTest):
    return [e for e in at.get("vega_lite_chart")]
