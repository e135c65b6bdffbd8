"""Page 3 (symmetry breaking) in AppTest: it runs clean, controls change what is shown, links reproduce it."""

from __future__ import annotations

import json

import pyarrow as pa

from tests.app.conftest import assert_clean, charts, open_page, readouts, table_with

PAGE = "pages/symmetry.py"


def _metrics(at) -> dict[str, str]:
    return readouts(at)


def _datasets(at, i: int):
    return [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in charts(at)[i].proto.datasets]


def _chart_data(at, i: int):
    return _datasets(at, i)[0]


def test_default_page_shows_identical_units_with_exactly_zero_spread():
    at = open_page(PAGE)
    assert_clean(at)
    # weight space, spread-and-distinct (one figure), two decision maps
    assert len(charts(at)) == 4
    spread = json.loads(charts(at)[1].proto.spec)
    assert len(spread["vconcat"]) == 2
    # the two panels read one dataset: the browser parses and updates it once
    top, bottom = ({layer["data"]["name"] for layer in panel["layer"]} for panel in spread["vconcat"])
    shared = top & bottom
    assert len(shared) == 1 and len(_datasets(at, 1)) == len(top | bottom)
    m = _metrics(at)
    assert m["Spread after 300 steps"] == "exactly 0"
    assert m["Distinct units"] == "1 → 1"
    assert m["predicted"] == "exactly 0"
    labels = [str(v) for df in _datasets(at, 0) if "label" in df for v in df["label"]]
    assert "16 units on one point (start)" in labels


def test_the_zero_init_part_shows_which_parameters_stay_frozen():
    at = open_page(PAGE, {"part": "All-zero case"})
    assert_clean(at)
    assert [s.value for s in at.subheader] == ["The all-zero case: which gradients are exactly zero"]
    table = table_with(at, "parameter")
    frozen = table[(table.init == "all zeros") & table.parameter.isin(["W1", "b1", "W2"])]
    assert (frozen["|change| after 100 steps"] == "exactly 0").all()
    at.segmented_control(key="zact").set_value("sigmoid").run()
    assert_clean(at)
    table = table_with(at, "parameter")
    assert (table[table.parameter == "W1"]["|∂L/∂p| at start"] == "exactly 0").all()


def test_the_eps_lab_part_fits_the_predicted_slope():
    at = open_page(PAGE, {"part": "ε-lab"})
    assert_clean(at)
    assert len(charts(at)) >= 1
    m = _metrics(at)
    slope, predicted = float(m["Measured slope"]), float(m["Predicted slope"])
    assert abs(slope - predicted) < 0.05 * predicted
    at.segmented_control(key="lab_act").set_value("relu").run()
    assert_clean(at)
    assert _metrics(at)["Predicted slope"] == "n/a"


def test_tiny_random_init_and_dropout_split_the_units_but_the_penalty_does_not():
    at = open_page(PAGE)
    before = _chart_data(at, 1).copy()
    at.selectbox(key="init").select("random N(0, σ²)").run()  # σ = 1e-6 by default
    assert_clean(at)
    m = _metrics(at)
    assert m["Spread after 300 steps"] != "exactly 0"
    assert m["Distinct units"] == "1 → 16"
    assert m["predicted"] == "grows"
    assert not _chart_data(at, 1).equals(before)

    at.selectbox(key="init").select("random, identical rows")
    at.select_slider(key="lam").set_value(1.0).run()
    assert_clean(at)
    assert _metrics(at)["Spread after 300 steps"] == "exactly 0"
    at.select_slider(key="lam").set_value(0.0)
    at.select_slider(key="drop").set_value(0.1).run()
    assert_clean(at)
    assert _metrics(at)["Distinct units"] == "1 → 16"


def test_a_link_with_query_params_reproduces_the_numbers_of_the_same_widget_settings():
    linked = open_page(PAGE, {"init": "random N(0, σ²)", "sigma": "1e-9", "H": "8", "act": "sigmoid"})
    assert_clean(linked)
    clicked = open_page(PAGE)
    clicked.slider(key="H").set_value(8)
    clicked.segmented_control(key="act").set_value("sigmoid")
    clicked.selectbox(key="init").select("random N(0, σ²)").run()
    clicked.select_slider(key="sigma").set_value(1e-9).run()
    assert _metrics(linked) == _metrics(clicked)
    assert _metrics(linked)["Distinct units"] == "1 → 8"
