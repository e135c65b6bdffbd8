"""Page 2 (loss surface) in AppTest: loads clean, controls change the numbers and the path, links reproduce."""

import json
from dataclasses import replace

import altair as alt
import pandas as pd
import pyarrow as pa
import pytest

from charts import loss_surface as surface_charts
from experiments import loss_surface as ex
from tests.app.conftest import assert_clean, charts, open_page, readouts

PAGE = "pages/loss_surface.py"


def frames(at):
    """Every dataset of every chart, as DataFrames."""
    out = []
    for ch in charts(at):
        for ds in ch.proto.datasets:
            out.append(pa.ipc.open_stream(ds.data.data).read_all().to_pandas())
    return out


def path(at):
    return next(df for df in frames(at) if {"t", "loss"} <= set(df.columns)).reset_index(drop=True)


def assert_valid_vega_lite(at):
    # The page skips Altair's validation for speed (it caches the spec dicts); validate them here.
    for ch in charts(at):
        spec = json.loads(ch.proto.spec)
        assert "layer" in spec
        alt.LayerChart.from_dict(spec, validate=True)


def metric(at, label):
    return next(v for k, v in readouts(at).items() if k.startswith(label))


def test_the_page_loads_clean_with_the_surface_and_the_error_chart():
    at = open_page(PAGE)
    assert_clean(at)
    assert len(charts(at)) == 2
    spec = json.loads(charts(at)[0].proto.spec)
    names = [p["name"] for layer in spec["layer"] for p in layer.get("params", [])]
    names += [p["name"] for p in spec.get("params", [])]
    assert "start" in names and "replay" in names
    assert spec["width"] == spec["height"], "equal axis scales need a square plotting area"
    assert_valid_vega_lite(at)
    assert float(metric(at, "κ")) > 5
    assert not at.warning, "the default learning rate converges"
    p = path(at)
    assert (p.loc[0, "w1"], p.loc[0, "w2"]) == (-1.0, 3.0)
    assert p["loss"].iloc[-1] < p["loss"].iloc[0]


def domains(layered: dict) -> set[str]:
    return {json.dumps(layer["encoding"][ch]["scale"]["domain"]) for layer in layered["layer"]
            for ch in ("x", "y") if "scale" in layer.get("encoding", {}).get(ch, {})}


def test_the_surface_chart_has_equal_domain_spans():
    at = open_page(PAGE, {"surface.w1": "7.5", "surface.w2": "-4"})
    chart = charts(at)[0]
    spec = json.loads(chart.proto.spec)
    assert spec["width"] == spec["height"]
    background, weights, targets = spec["layer"]
    assert spec["resolve"]["scale"] == {"x": "independent", "y": "independent"}
    # the shading and the click targets live in the view's unit square (the same data for every view); the
    # targets are the top layer, so a click on the path or an arrow sets the start too ...
    assert domains({"layer": [background, targets]}) == {json.dumps([0, 1])}
    start, = [p for p in spec["params"] if p["name"] == surface_charts.START]
    assert start["views"] == [targets["name"]]   # a click is read from the targets
    # ... or a tap: a tap sends no pointermove, so Vega's click has no item under it on a phone
    assert {e.strip() for e in start["select"]["on"].split(",")} == {"click", "touchstart"}
    # no tooltip over the map (Streamlit's theme gives every mark one listing its fields): it said nothing to a
    # learner, and a click that landed on it never reached the map
    assert targets["mark"]["tooltip"] is None and background["mark"]["tooltip"] is None
    # ... and every other layer's axes read the view's corners from one dataset in the browser
    assert domains(weights) == {json.dumps({"expr": ex.expr})
                                for ex in (surface_charts.X_DOMAIN, surface_charts.Y_DOMAIN)}
    box = next(pa.ipc.open_stream(ds.data.data).read_all().to_pandas() for ds in chart.proto.datasets
               if ds.name == surface_charts.BOX)
    assert len(box) == 1
    (x0, x1, y0, y1), = box[["x0", "x1", "y0", "y1"]].to_numpy()
    assert x1 - x0 == pytest.approx(y1 - y0) and x1 > x0
    w_start = (7.5, -4.0)
    assert x0 <= w_start[0] <= x1 and y0 <= w_start[1] <= y1, "the view contains the start"


def test_the_click_targets_are_the_same_data_for_every_view_and_every_click():
    """A slider that moves the view, or a click, re-sends the shading, not the 1,024 click targets (the browser
    keeps those marks); the targets tile the unit square, which the page maps into the view that was clicked.
    A click re-sends one row: the click count, which every target looks up."""
    def tables(at) -> list[pd.DataFrame]:
        return [pa.ipc.open_stream(ds.data.data).read_all().to_pandas() for ds in charts(at)[0].proto.datasets]

    def targets(at) -> pd.DataFrame:
        return next(t for t in tables(at) if {"u", "v", "k"} <= set(t.columns))

    def click_count(at) -> int:
        row, = [t for t in tables(at) if set(t.columns) == {"k", "gen"}]
        return int(row["gen"].item())

    at = open_page(PAGE)
    before = targets(at)
    assert click_count(at) == 0
    at.slider(key="surface.scale").set_value(6.0).run()
    at.number_input(key="surface.w1").set_value(9.0).run()
    at.session_state["surface.w1"], at.session_state["surface_clicks"] = -2.0, 1   # what a click does (_on_click)
    at.run()
    assert_clean(at)
    pd.testing.assert_frame_equal(targets(at), before)
    assert click_count(at) == 1
    assert len(before) == surface_charts.CLICK_CELLS ** 2 and (before["k"] == 0).all()
    assert before["u_lo"].min() == 0 and before["u_hi"].max() == 1 and before["v_hi"].max() == 1
    assert ((before["u_hi"] - before["u_lo"]) * (before["v_hi"] - before["v_lo"])).sum() == pytest.approx(1)


def test_a_learning_rate_above_two_over_lambda_max_shows_a_divergence_notice_not_an_error():
    at = open_page(PAGE)
    at.slider(key="surface.lr").set_value(1.15).run()
    assert_clean(at)
    notices = [w.value for w in at.warning]
    assert any("diverged at step" in n and "2/λmax" in n for n in notices), notices
    p = path(at)
    assert p[["w1", "w2", "loss"]].notna().all().all()
    assert metric(at, "steps, predicted") == "never"


def test_moving_the_start_moves_the_path_and_changes_the_numbers():
    at = open_page(PAGE)
    before = path(at)
    at.number_input(key="surface.w1").set_value(2.5).run()
    at.number_input(key="surface.w2").set_value(-0.5).run()
    assert_clean(at)
    after = path(at)
    assert (after.loc[0, "w1"], after.loc[0, "w2"]) == (2.5, -0.5)
    assert not after[["w1", "w2"]].equals(before[["w1", "w2"]])


def test_scale_ratio_and_standardizing_change_the_condition_number():
    at = open_page(PAGE)
    k_default = float(metric(at, "κ"))
    at.slider(key="surface.scale").set_value(8.0).run()
    k_wide = float(metric(at, "κ"))
    at.toggle(key="surface.std").set_value(True).run()
    at.slider(key="surface.corr").set_value(0.0).run()
    assert_clean(at)
    k_std = float(metric(at, "κ"))
    assert k_wide > 5 * k_default
    assert k_std < 1.6


def test_sgd_draws_minibatch_steps_and_is_reproducible_per_seed():
    at = open_page(PAGE)
    at.segmented_control(key="surface.opt").set_value("SGD").run()
    assert_clean(at)
    spread = next(df for df in frames(at) if "kind" in df.columns and "w1_end" in df.columns)
    assert (spread["kind"] == "mini-batch").sum() == 30
    assert_valid_vega_lite(at)
    first = path(at)
    at.run()
    assert path(at).equals(first)
    other = open_page(PAGE, {"surface.opt": "SGD", "seed": "5"})
    assert not path(other)[["w1", "w2"]].equals(first[["w1", "w2"]])


def test_momentum_converges_above_the_plain_gd_limit():
    at = open_page(PAGE, {"surface.opt": "Momentum", "surface.lr": "1.2", "surface.beta": "0.5"})
    assert_clean(at)
    assert not any("diverged" in w.value for w in at.warning)
    assert any("momentum still converges" in i.value for i in at.info)


@pytest.mark.parametrize("query", [
    {"surface.scale": "5.0", "surface.corr": "-0.3", "surface.lr": "0.6", "surface.steps": "60",
     "surface.w1": "2.0", "surface.w2": "-1.5"},
    {"surface.opt": "SGD", "surface.batch": "5", "seed": "7"},
])
def test_a_link_reproduces_the_same_numbers_as_setting_the_widgets(query):
    linked = open_page(PAGE, query)
    assert_clean(linked)
    # The sidebar seed is not in AppTest's tree after switch_page, so the seed comes from the URL in both.
    manual = open_page(PAGE, {k: v for k, v in query.items() if k == "seed"})
    setters = {"scale": "slider", "corr": "slider", "lr": "slider", "steps": "slider",
               "w1": "number_input", "w2": "number_input",
               "opt": "segmented_control", "batch": "select_slider"}
    for key, value in query.items():
        key = key.removeprefix("surface.")
        if key == "seed":
            continue
        kind = setters[key]
        widget = getattr(manual, kind)(key=f"surface.{key}")
        cast = type(widget.value)
        widget.set_value(value if cast is str else cast(float(value))).run()
    assert_clean(manual)
    assert path(linked).equals(path(manual))
    assert metric(linked, "κ") == metric(manual, "κ")
    assert metric(linked, "steps, measured") == metric(manual, "steps, measured")


def test_the_reproduce_code_runs_and_gives_the_pages_path():
    at = open_page(PAGE, {"surface.scale": "4.0", "surface.w1": "0.5"})
    assert not [c for c in at.code if "from core" in c.value], "a closed expander builds no code block"
    at.session_state["surface_reproduce_open"] = True     # open "Reproduce this"
    at.run()
    code = next(c.value for c in at.code if "from core" in c.value)
    scope = {}
    exec(compile(code.replace("print(", "_ = ("), "reproduce", "exec"), scope)  # noqa: S102
    shown = path(at)
    assert shown["w1"].to_numpy() == pytest.approx(scope["traj"].weights[: len(shown), 0])



def test_a_click_inside_the_view_re_sends_the_same_shading_and_field_and_a_new_path_and_start_contour():
    """The map's base (shading, click targets, gradient field, w*) does not depend on the start: a click that
    keeps the view reuses it, the same data under the same names, while the path and the start's contour move.
    A start outside the view widens the view, and the base is made anew for it."""
    s = ex.Settings(arrows=True)
    w_star = ex.problem(s.seed, s.scale, s.corr, s.standardize).w_star
    inside = replace(s, w0=(round(float(w_star[0]) + 1.0, 2), round(float(w_star[1]) - 1.0, 2)))
    outside = replace(s, w0=(ex.W_LIMIT, -ex.W_LIMIT))
    (first, _, view), (second, _, same_view), (far, _, wider) = (
        ex.surface_view(x, clicks, surface_charts.MAP_SIZE) for clicks, x in enumerate((s, inside, outside)))
    base = ex.map_base(s.seed, s.scale, s.corr, s.standardize, ex.view_radius(s), True)[1]
    assert same_view == view and wider != view
    for role, prepared in base.items():
        assert prepared.name in first["datasets"] and prepared.name in second["datasets"], role
    # (the shading may stay: a quadratic bowl's log-gap, scaled to [0, 1], looks the same at every radius)
    assert base["surface:field"].name not in far["datasets"]
    assert base["surface:clicks"].name in far["datasets"]
    assert set(second["datasets"]) - set(first["datasets"]), "the path and the start's contour are new data"
    assert {k: v for k, v in first.items() if k != "datasets"}.keys() == second.keys() - {"datasets"}
