"""Across every page: hostile URL values and controls at their extremes never break a page.

Bound keys are discovered from the page itself (ui.url records every key it binds), so a new control is
covered without touching this file.
"""

from __future__ import annotations

import json
import math

import pyarrow as pa
import pytest

from tests.app.conftest import assert_clean, charts, open_page
from ui.nav import CONCEPTS
from ui.url import BOUND_KEYS
from ui.url import _same as same_value

HOSTILE = ["abc", "-5", "1e308", "-1e308", "nan", "", "9" * 400, "<script>alert(1)</script>"]
PAGES = [p.file for p in CONCEPTS]


def bound_keys(at) -> list[str]:
    return sorted(at.session_state[BOUND_KEYS]) if BOUND_KEYS in at.session_state else []


def widget_values(at) -> dict[str, object]:
    return {w.key: w.value for w in at.main if getattr(w, "key", None) and hasattr(w, "value")}


def assert_charts_finite(at) -> None:
    """No NaN or infinity reaches a chart's data."""
    for chart in charts(at):
        for ds in chart.proto.datasets:
            table = pa.ipc.open_stream(ds.data.data).read_all()
            for name, col in zip(table.column_names, table.columns, strict=True):
                if pa.types.is_floating(col.type):
                    values = [v for v in col.to_pylist() if v is not None]
                    assert all(math.isfinite(v) for v in values), f"non-finite value in column {name!r}"
        json.loads(chart.proto.spec)


@pytest.mark.parametrize("page", PAGES)
def test_hostile_url_values_fall_back_to_defaults_with_a_notice(page):
    clean = open_page(page)
    assert_clean(clean)
    keys = bound_keys(clean)
    defaults = widget_values(clean)
    assert keys, "the page binds its controls to the URL"
    for value in HOSTILE:
        at = open_page(page, {k: value for k in keys})
        assert_clean(at)
        notices = [w.value for w in at.warning if "The link set" in w.value]
        assert notices, f"no notice for ?{keys[0]}={value[:20]}"
        assert all("<script>" not in n for n in notices)
        for key, val in widget_values(at).items():
            if key in keys and key in defaults:  # refused values fall back; a valid one is simply used
                assert val == defaults[key] or same_value(value, val), (key, value, val)


@pytest.mark.parametrize("page", PAGES)
def test_every_slider_at_its_extremes_breaks_nothing(page):
    at = open_page(page)
    assert_clean(at)
    sliders = [s for s in at.main if getattr(s, "type", "") == "slider" and s.key]
    for s in sliders:
        for end in ("min", "max"):
            target = at.slider(key=s.key)
            value = getattr(target, end)
            if isinstance(target.value, tuple):
                value = (target.min, target.max)
            target.set_value(value).run()
            assert_clean(at)
            assert_charts_finite(at)
        at.slider(key=s.key).set_value(s.value).run()
    for end in ("min", "max"):  # all at once
        for s in sliders:
            target = at.slider(key=s.key)
            target.set_value(getattr(target, end))
        at.run()
        assert_clean(at)
        assert_charts_finite(at)
