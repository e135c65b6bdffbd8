"""Page 3 (symmetry breaking) in AppTest: every part runs clean, controls change what is shown, the predictions
reveal only after a choice, links reproduce a view."""

from __future__ import annotations

import json

import altair as alt
import pyarrow as pa

from tests.app.conftest import assert_clean, charts, open_page, readouts, table_with

PAGE = "pages/symmetry.py"


def _data(at, i: int):
    return [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in charts(at)[i].proto.datasets]


def _valid(at) -> None:
    """The specs are built without Altair's validation (for speed): validate them here."""
    for ch in charts(at):
        spec = json.loads(ch.proto.spec)
        kind = alt.VConcatChart if "vconcat" in spec else alt.LayerChart
        kind.from_dict(spec, validate=True)


def test_the_default_view_is_small_random_init_and_shows_the_units_condensing():
    at = open_page(PAGE)
    assert_clean(at)
    assert len(charts(at)) == 4   # points, directions, history, the decision map
    _valid(at)
    m = readouts(at)
    start, end = (float(x) for x in m["median |cos|, start → end"].split(" → "))
    assert start < 0.9 and end > 0.999
    dirs0, dirs1 = (float(x) for x in m["distinct directions"].split(" → "))
    assert dirs0 > 5 and dirs1 < 2.5
    assert m["distinct points"] == "16 → 16"      # by distance every unit still counts
    assert float(m["accuracy"].rstrip("%")) < 90 < float(m["same, from σ = 1"].rstrip("%"))


def test_sigma_one_keeps_the_directions_apart_and_the_chart_data_change():
    at = open_page(PAGE)
    before = _data(at, 1)
    at.select_slider(key="sym.sigma").set_value(1.0).run()
    assert_clean(at)
    m = readouts(at)
    assert float(m["median |cos|, start → end"].split(" → ")[1]) < 0.99
    assert float(m["distinct directions"].split(" → ")[1]) > 4
    after = _data(at, 1)
    assert not all(a.equals(b) for a, b in zip(before, after, strict=False))


def test_constant_init_keeps_one_point_and_one_direction():
    at = open_page(PAGE, {"sym.init": "all weights = c"})
    assert_clean(at)
    m = readouts(at)
    assert m["distinct points"] == "1 → 1" and m["distinct directions"] == "1.0 → 1.0"


def test_the_condensation_question_has_no_default_and_reveals_only_after_a_choice():
    at = open_page(PAGE)
    q = at.button_group(key="predict_sym_condense")
    assert q.value in (None, [])
    assert not any("Measured:" in s.value for s in [*at.success, *at.info])
    q.set_value("Bunched into one to three directions").run()
    assert_clean(at)
    assert any("Measured:" in s.value and "You predicted" in s.value for s in at.success)


def test_the_sweeps_part_draws_sigma_then_training_length():
    at = open_page(PAGE, {"sym.part": "Sweeps"})
    assert_clean(at)
    assert len(charts(at)) == 1
    _valid(at)
    m = readouts(at)
    assert float(m["σ = 0.01: accuracy"].rstrip("%")) < float(m["σ = 1: accuracy"].rstrip("%"))
    at.segmented_control(key="sym.sw_view").set_value("training length").run()
    assert_clean(at)
    assert "runs at ≥ 99%" in table_with(at, "runs at ≥ 99%").columns


def test_the_penalty_part_lifts_accuracy_and_cannot_split_exact_copies():
    at = open_page(PAGE, {"sym.part": "Penalty"})
    assert_clean(at)
    m = readouts(at)
    assert float(m["λ = 0.1: accuracy"].rstrip("%")) > float(m["λ = 0: accuracy"].rstrip("%")) + 5
    table = table_with(at, "distinct points")
    assert list(table["distinct points"])[:2] == ["1", "1"]
    assert table["spread"].iloc[1] == "exactly 0"
    assert table["distinct points"].iloc[2] != "1"                 # dropout splits them
    at.button_group(key="predict_sym_copies").set_value("Still 1").run()
    assert any("Measured: 1" in s.value for s in at.success)


def test_the_zero_init_part_shows_which_parameters_stay_frozen():
    at = open_page(PAGE, {"sym.part": "All-zero case"})
    assert_clean(at)
    table = table_with(at, "parameter")
    frozen = table[(table.start == "all zeros") & table.parameter.isin(["W1", "b1", "W2"])]
    assert (frozen["max |change| after 100 steps"] == "exactly 0").all()


def test_the_eps_lab_fits_the_predicted_slope_and_the_units_break_out_still_aligned():
    at = open_page(PAGE, {"sym.part": "ε-lab"})
    assert_clean(at)
    m = readouts(at)
    slope, predicted = float(m["slope, measured"]), float(m["predicted"])
    assert abs(slope - predicted) < 0.05 * predicted
    assert float(next(v for k, v in m.items() if k.startswith("median |cos| at break-out"))) > 0.9999
    at.selectbox(key="sym.lab_act").select("relu").run()
    assert_clean(at)
    assert readouts(at)["predicted"] == "n/a"


def test_a_link_reproduces_the_numbers_of_the_same_widget_settings():
    linked = open_page(PAGE, {"sym.sigma": "1e-06", "sym.H": "8", "sym.act": "sigmoid"})
    assert_clean(linked)
    clicked = open_page(PAGE)
    clicked.slider(key="sym.H").set_value(8)
    clicked.selectbox(key="sym.act").select("sigmoid")
    clicked.select_slider(key="sym.sigma").set_value(1e-6).run()
    assert readouts(linked) == readouts(clicked)
