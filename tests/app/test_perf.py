"""ui/perf.py changes how Altair builds charts (a cached class table, no construction-time validation);
the charts must come out exactly as Altair alone would build them."""

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest
from altair.utils import schemapi

import ui.perf as perf
from charts import batchnorm, loss_surface, symmetry
from core import bn_experiments as E
from tests.app.conftest import assert_clean, open_page
from ui.nav import CONCEPTS


def _charts() -> list[alt.TopLevelMixin]:
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(11, 4, 4))
    paths = symmetry.paths_frame(np.arange(11) * 10, theta)
    labels = symmetry.group_labels(theta[0][:, :2], np.array([0]), np.array([3]), "start")
    err = pd.DataFrame({"t": np.tile(np.arange(5), 4), "direction": np.repeat(["a", "a", "b", "b"], 5),
                        "source": np.tile(np.repeat(["theory", "measured"], 5), 2), "error": rng.random(20) + 0.1,
                        "status": "ok"})
    x = rng.normal(3.0, 2.0, 32)
    steps, _ = E.transform(x, 1.5, -0.5)
    return [symmetry.weight_paths(symmetry.paths_frames(paths, labels)), loss_surface.eigen_error_chart(
        loss_surface.eigen_error_frames(err), loss_surface.directions(err)),
            batchnorm.transform_histograms(batchnorm.transform_frame(steps, x))]


def test_charts_built_with_the_cached_class_table_equal_altairs_own(monkeypatch):
    fast = [c.to_dict(validate=True) for c in _charts()]
    monkeypatch.setattr(schemapi.SchemaBase, "from_dict", perf.ALTAIR_FROM_DICT)
    with schemapi.debug_mode(True):
        slow = [c.to_dict(validate=True) for c in _charts()]
    assert fast == slow


def test_the_class_table_is_built_once_per_set_of_classes():
    def build():
        alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q", y="a:Q", color=alt.value("red"))

    build()  # the first build makes the table for this set of classes (if no earlier test did)
    n = len(perf._converters)
    for _ in range(3):
        build()
    assert len(perf._converters) == n


def _chart_paths(node, path=()) -> list[tuple[tuple[int, ...], object]]:
    """Every chart in the element tree with its position (the index of each block on the way down), in order."""
    if getattr(node, "type", "") == "vega_lite_chart":
        return [(path, node)]
    return [found for i, child in sorted(getattr(node, "children", {}).items())
            for found in _chart_paths(child, (*path, i))]


def _base_specs(at) -> list[tuple[tuple[int, ...], str, str]]:
    """Each chart's position in the page, its spec with its dataset names replaced by their positions, and its
    alt text: what Streamlit's frontend compares to decide between swapping a chart's data in place and
    rebuilding the chart. An element is known by its position: a notice that appears above a chart moves the
    chart to a new position, and the browser draws it from scratch there."""
    out = []
    for path, chart in _chart_paths(at._tree):
        text = json.dumps(json.loads(chart.proto.spec), sort_keys=True)
        for i, ds in enumerate(chart.proto.datasets):
            text = text.replace(f'"{ds.name}"', f'"#{i}"')
        out.append((path, text, chart.proto.alt))
    return out


def _move(at, kind: str, key: str):
    """Move one slider one step from where it is (back one step at its maximum), and rerun."""
    if kind == "select_slider":
        w = at.select_slider(key=key)
        options = list(w.options)
        i = options.index(str(w.value)) if str(w.value) in options else 0
        w.set_value(type(w.value)(options[i + 1 if i + 1 < len(options) else i - 1])).run()
    else:
        w = at.slider(key=key)
        step = w.step or 1
        w.set_value(w.value + step if w.value + step <= w.max else w.value - step).run()


def _rebuilt(before: list, after: list) -> list[int]:
    """The charts whose spec or alt text changed (every chart if their number changed): the browser rebuilds them."""
    if len(after) != len(before):
        return list(range(max(len(before), len(after))))
    return [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]


def _first_slider(page):
    """The page's first slider in reading order (its first part that has one), as scripts/bench.py times it."""
    for view, query in zip(page.views(), page.queries(), strict=True):
        at = open_page(page.file, query)
        first = next((w for w in at.main if getattr(w, "type", "") in ("slider", "select_slider")), None)
        if first is not None:
            return view, at, first
    raise AssertionError(f"{page.url_path} has no slider")


@pytest.mark.parametrize("page", CONCEPTS, ids=[p.url_path for p in CONCEPTS])
def test_the_first_slider_changes_data_not_charts(page):
    """Moving a page's first slider (the one scripts/bench.py times) must leave every chart's spec and alt text
    as they were, so the browser swaps the data in place: a rebuilt chart costs the redraw ~40-100 ms more."""
    view, at, first = _first_slider(page)
    before = _base_specs(at)
    _move(at, first.type, first.key)
    assert_clean(at)
    after = _base_specs(at)
    assert len(after) == len(before)
    changed = _rebuilt(before, after)
    assert not changed, f"{view}: charts {changed} would be rebuilt when {first.key!r} moves"


# Sliders that still rebuild charts, by view, and why: page 5's network sliders retrain the networks (seconds,
# with a progress bar), and the log axes of their loss curves (domain and ticks, in the spec) follow the new losses.
REBUILDS = {
    "batchnorm?part=BN+off+vs+on": {"width", "steps"},
    "batchnorm?part=Bad+init": {"width", "steps", "lr_init"},
    "batchnorm?part=Eval+mode": {"width", "steps", "lr_gap"},
}
VIEWS = [(view, page.file, query) for page in CONCEPTS
         for view, query in zip(page.views(), page.queries(), strict=True)]


@pytest.mark.parametrize(("view", "file", "query"), VIEWS, ids=[v for v, _, _ in VIEWS])
def test_every_slider_shown_changes_data_not_charts(view, file, query):
    """Every slider a view shows in its default state, moved one step, not only the page's first: page 2's replay
    scrubber once ended at the step count, so each Steps move rebuilt its whole map, and alt texts with numbers
    rebuilt charts on pages 1-4. The sliders that still rebuild must be exactly those listed in REBUILDS."""
    sliders = [(w.type, w.key) for w in open_page(file, query).main
               if getattr(w, "type", "") in ("slider", "select_slider") and not w.disabled]
    rebuilt = set()
    for kind, key in sliders:
        at = open_page(file, query)
        before = _base_specs(at)
        _move(at, kind, key)
        assert_clean(at)
        if _rebuilt(before, _base_specs(at)):
            rebuilt.add(key)
    assert rebuilt == REBUILDS.get(view, set()), f"{view}: sliders that rebuild charts"


def test_every_view_with_listed_rebuilds_exists():
    assert set(REBUILDS) <= {v for v, _, _ in VIEWS}


@pytest.mark.parametrize("query", [{}, {"arrows": "false"}], ids=["arrows on", "arrows off"])
def test_page_2s_toggles_and_optimizer_change_data_not_charts(query):
    """The map's arrow layers are there whether drawn or not (empty when off): the gradient-field toggle and the
    optimizer (SGD adds its mini-batch steps) once added and removed layers, and the browser rebuilt the map."""
    at = open_page("pages/loss_surface.py", query)
    before = _base_specs(at)
    for change in (lambda: at.toggle(key="arrows").set_value(not at.toggle(key="arrows").value),
                   lambda: at.segmented_control(key="opt").set_value("SGD"),
                   lambda: at.segmented_control(key="opt").set_value("Momentum"),
                   lambda: at.toggle(key="std").set_value(True)):
        change().run()
        assert_clean(at)
        assert _rebuilt(before, _base_specs(at)) == []


def test_a_click_on_page_2s_map_changes_data_not_charts():
    """A click sets the start (pages.loss_surface._on_click: the weights and the click count) and the browser
    swaps the new path into the map it has. The map was once redrawn after every click (its spec carried the
    click count), because swapped in place it lost one click in three: to its tooltip (see charts.loss_surface)."""
    at = open_page("pages/loss_surface.py")
    before = _base_specs(at)
    for clicks, (w1, w2) in enumerate([(2.5, -1.0), (-3.0, 0.5)], start=1):
        at.session_state["w1"], at.session_state["w2"] = w1, w2
        at.session_state["surface_clicks"] = clicks
        at.run()
        assert_clean(at)
        assert at.number_input(key="w1").value == w1
        assert _rebuilt(before, _base_specs(at)) == []


@pytest.mark.parametrize(("file", "query", "key"), [
    ("pages/loss_surface.py", {"lr": "1.0"}, "lr"),              # 1.0 -> 1.05 × 2/λmax: the divergence notice appears
    ("pages/loss_surface.py", {"lr": "1.0", "opt": "Momentum"}, "lr"),   # ... or momentum's "still converges" note
])
def test_a_notice_that_appears_moves_no_chart(file, query, key):
    """A notice that appears above a chart must not move the chart to another position in the page (the browser
    would draw it from scratch): pages keep a fixed slot for it. The one-step test above does not cross these
    thresholds from the defaults."""
    at = open_page(file, query)
    notices = len(at.warning) + len(at.info)
    before = _base_specs(at)
    _move(at, "slider", key)
    assert_clean(at)
    assert len(at.warning) + len(at.info) > notices   # the move crossed the threshold
    changed = _rebuilt(before, _base_specs(at))
    assert not changed, f"charts {changed} would be rebuilt"
