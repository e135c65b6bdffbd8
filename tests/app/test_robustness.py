"""Across every page: hostile URL values and controls at their extremes never break a page.

Bound keys are discovered from the page itself (ui.url records every key it binds), so a new control is
covered without touching this file. A page with parts (ui.parts: tabs, only the open one runs) is tested part
by part, each opened from its link (``?<scope>.part=``).
"""

from __future__ import annotations

import functools
import json
import math

import pyarrow as pa
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from tests.app.conftest import assert_clean, charts, open_page
from ui.nav import CONCEPTS
from ui.url import OWN_KEYS, SEED_KEY
from ui.url import _same as same_value

HOSTILE = ["abc", "-5", "1e308", "-1e308", "nan", "", "9" * 400, "<script>alert(1)</script>"]
# every view: (page file, the part's link), one per part of each page
VIEWS = [(p.file, query) for p in CONCEPTS for query in p.queries()]
VIEW_IDS = [f"{p.url_path}-{i}" for p in CONCEPTS for i in range(len(p.queries()))]
PAGES = [p.file for p in CONCEPTS]
PARTS = {p.file: p.queries() for p in CONCEPTS}
# links that make a page's training runs short, where its controls' extremes would otherwise retrain long ones
LIGHT = {"pages/batchnorm.py": {"bn.steps": "100"}}


def bound_keys(at) -> list[str]:
    return sorted(at.session_state[OWN_KEYS]) if OWN_KEYS in at.session_state else []


def widget_values(at) -> dict[str, object]:
    return {w.key: w.value for w in at.main if getattr(w, "key", None) and hasattr(w, "value")}


VEGA_LITE_SCHEMA = load_schema()


def assert_charts_finite(at) -> None:
    """Every chart is valid Vega-Lite (the app skips Altair's own check for speed) and no NaN or infinity
    reaches its data."""
    for chart in charts(at):
        for ds in chart.proto.datasets:
            table = pa.ipc.open_stream(ds.data.data).read_all()
            for name, col in zip(table.column_names, table.columns, strict=True):
                if pa.types.is_floating(col.type):
                    values = [v for v in col.to_pylist() if v is not None]
                    assert all(math.isfinite(v) for v in values), f"non-finite value in column {name!r}"
        assert_valid_spec(chart.proto.spec)


@functools.lru_cache(maxsize=512)
def assert_valid_spec(spec_json: str) -> None:
    """Validate a spec against the Vega-Lite schema once per distinct spec text (~50 ms each; across one
    page's runs most charts keep their spec and only their data changes)."""
    validate_jsonschema(json.loads(spec_json), VEGA_LITE_SCHEMA)


@pytest.mark.parametrize(("page", "part"), VIEWS, ids=VIEW_IDS)
def test_hostile_url_values_fall_back_to_defaults_with_a_notice(page, part):
    """Every bound key of a view gets each hostile value; a later part keeps its own (valid) ``?part=``, the
    first part's view takes the hostile value for ``?part=`` too (and falls back to itself)."""
    clean = open_page(page, part)
    assert_clean(clean)
    assert_charts_finite(clean)
    keys = [k for k in bound_keys(clean) if k not in part] or [SEED_KEY]   # a part may have no control but the seed
    defaults = widget_values(clean)
    # The sidebar's seed: open_page runs the home page first, where Streamlit drops a refused seed from the URL
    # (the notice is shown there); tests/e2e checks the seed's notice on a deep link. A part whose only control
    # is the seed is still checked for its fallback.
    page_keys = [k for k in keys if k != SEED_KEY]
    for value in HOSTILE:
        at = open_page(page, {**{k: value for k in keys}, **part})
        assert_clean(at)
        notices = [w.value for w in at.warning if "The link set" in w.value]
        if page_keys:
            assert notices, f"no notice for ?{page_keys[0]}={value[:20]}"
        assert all("<script>" not in n or "`<script>" in n for n in notices), "a URL value is shown as code"
        seed = at.number_input(key=SEED_KEY).value
        assert seed == 0 or same_value(value, seed), (value, seed)
        for key, val in widget_values(at).items():
            if key in keys and key in defaults:  # refused values fall back; a valid one is simply used
                assert val == defaults[key] or same_value(value, val), (key, value, val)


def _option_value(w, shown: str) -> object:
    """The value behind a select slider's option label (AppTest lists the labels its ``format_func`` made)."""
    for candidate in (shown, *(convert(shown) for convert in (int, float) if _parses(convert, shown))):
        try:
            if str(w.format_func(candidate)) == shown:
                return candidate
        except (TypeError, ValueError):
            continue
    raise AssertionError(f"{w.key}: no value is shown as {shown!r}")


def _parses(convert, text: str) -> bool:
    try:
        convert(text)
    except ValueError:
        return False
    return True


def _ends(w) -> tuple[object, object] | None:
    """The two extreme values of a slider, select slider or number input (None when it has no bounds)."""
    if w.type == "slider":
        return w.min, w.max
    if w.type == "select_slider":
        return _option_value(w, w.options[0]), _option_value(w, w.options[-1])
    if w.type == "number_input" and w.min is not None and w.max is not None:
        return w.min, w.max
    return None


@pytest.mark.parametrize("shard", [0, 1])
@pytest.mark.parametrize("page", PAGES)
def test_every_bounded_control_at_its_extremes_breaks_nothing(page, shard):
    """Each slider, select slider and number input alone at its minimum and its maximum, part by part.

    The controls are split between two test cases (every other control of each part), so two workers share
    a page. Each part starts from LIGHT's link, so the other controls' extremes retrain the lightest network.
    """
    tested = 0
    for part in PARTS[page]:
        at = open_page(page, {**LIGHT.get(page, {}), **part})
        assert_clean(at)
        controls = [w for w in at.main if getattr(w, "type", "") in ("slider", "select_slider", "number_input")
                    and w.key and not getattr(w.proto, "disabled", False) and _ends(w)]
        for w in controls[shard::2]:
            tested += 1
            for end in _ends(w):
                live = next(x for x in at.main.get(w.type) if x.key == w.key)  # re-find the live widget by key
                if getattr(live.proto, "disabled", False):
                    continue
                live.set_value(end).run()
                assert_clean(at)
                assert_charts_finite(at)
            live = next(x for x in at.main.get(w.type) if x.key == w.key)
            if not getattr(live.proto, "disabled", False):
                live.set_value(w.value)  # back to its default with the next control's first run
    assert tested, "the page has bounded controls"


@pytest.mark.parametrize("page", PAGES)
def test_all_sliders_at_their_extremes_together_break_nothing(page):
    """In each part of the page that has sliders, all of them at their minimum, then all at their maximum."""
    tested = 0
    for part in PARTS[page]:
        at = open_page(page, part)
        assert_clean(at)
        sliders = [s for s in at.main if getattr(s, "type", "") == "slider" and s.key and not s.disabled]
        tested += bool(sliders)
        for end in ("min", "max") if sliders else ():
            for s in sliders:
                target = at.slider(key=s.key)
                if not target.disabled:
                    target.set_value(getattr(target, end))
            at.run()
            assert_clean(at)
            assert_charts_finite(at)
    assert tested, "the page has sliders"
