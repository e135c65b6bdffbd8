"""AppTest for page 4 (initialization variance): it runs clean, controls change the numbers, links reproduce."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from core import init_variance as iv
from tests.app.conftest import assert_clean, charts, formulas, open_page, readouts
from ui.nav import by_url_path

PAGE = "pages/init_variance.py"
PARTS = by_url_path("init_variance").parts
DEEP = {"part": "Many layers"}
INSIDE = {"part": "Inside the layers"}


def metrics(at) -> dict[str, str]:
    return readouts(at)


def chart_frames(at) -> list:
    frames = []
    for c in charts(at):
        for ds in c.proto.datasets:
            frames.append(pa.ipc.open_stream(ds.data.data).read_all().to_pandas())
    return frames


def test_the_page_opens_on_one_neuron_and_runs_only_that_part():
    at = open_page(PAGE)
    assert_clean(at)
    assert [h.value for h in at.header] == ["One neuron: many small terms, one sizeable sum"]
    assert len(charts(at)) == 4
    assert len(formulas(at)) >= 1
    at.select_slider(key="n").set_value(16).run()
    assert_clean(at)
    assert metrics(at)["Var(z) predicted"] == f"{16 * 0.05**2:.3g}"


def test_every_part_opens_from_its_link_and_shows_its_own_charts():
    shown = {}
    for part in PARTS:
        at = open_page(PAGE, {"part": part})
        assert_clean(at)
        shown[part] = (len(at.header), len(charts(at)))
    assert shown == {"One neuron": (1, 4), "Many layers": (1, 2), "Inside the layers": (1, 2),
                     "Goldilocks map": (1, 1), "Training": (1, 1)}


def test_the_scheme_control_moves_the_deep_numbers():
    at = open_page(PAGE, DEEP)
    assert_clean(at)
    assert len(formulas(at)) >= 1
    before = metrics(at)
    assert before["Var(z) at layer 30"] != "overflow"
    at.segmented_control(key="init").set_value("He").run()
    assert_clean(at)
    after = metrics(at)
    assert after["Var(z) at layer 30"] != before["Var(z) at layer 30"]
    # LeCun halves the ReLU variance per layer (about 2e-9 at layer 30 from 1 at layer 1); He keeps it near 2
    assert float(before["Var(z) at layer 30"]) < 1e-6 < 0.5 < float(after["Var(z) at layer 30"]) < 8


def test_the_inspected_layer_survives_a_depth_change_and_a_shallower_network_shows_its_last_layer():
    # Streamlit makes a new slider when its range changes; the layer slider's range once followed the depth, so
    # every depth change silently sent the learner back to layer 10.
    at = open_page(PAGE, INSIDE)
    at.slider(key="zl").set_value(25).run()
    at.slider(key="depth").set_value(31).run()
    assert_clean(at)
    assert at.subheader[1].value.endswith("(layer 25)")
    at.slider(key="depth").set_value(12).run()
    assert at.subheader[1].value.endswith("(layer 11)")
    assert any(c.value.startswith("Layer 25 is past this 12-layer network") for c in at.caption)
    at.slider(key="depth").set_value(40).run()
    assert at.subheader[1].value.endswith("(layer 25)")
    assert not any("is past this" in c.value for c in at.caption)


def test_the_two_deep_parts_share_one_network_setting_and_the_slope_factor_comes_from_core():
    """Many layers and Inside the layers draw the same controls (one key each): a setting made in one is the
    network the other shows, and the gradient factor in Inside's formula is core's measured n·Var(w)·E[f′(z)²]."""
    at = open_page(PAGE, {**DEEP, "act": "sigmoid", "init": "Xavier"})
    at.slider(key="depth").set_value(20).run()
    assert "Var(z) at layer 20" in metrics(at)
    at.query_params["part"] = "Inside the layers"
    at.run()
    assert_clean(at)
    assert at.slider(key="depth").value == 20 and at.selectbox(key="act").value == "sigmoid"
    s = iv.deep_signal(20, 128, "sigmoid", "xavier", np.random.default_rng(at.number_input(key="seed").value),
                       batch=256, slope_layer=10)
    text = next(f for f in formulas(at) if "f'(z_l)^2" in f)
    assert f"= {128 * s.var_w * s.slope_sq:.3g}" in text
    assert f"= {s.slope_sq:.3g} measured" in text


def test_link_parameters_reproduce_the_same_numbers_as_the_widgets():
    query = {"init": "He", "depth": "12", "width": "64", "act": "tanh"}
    linked = open_page(PAGE, {**DEEP, **query})
    assert_clean(linked)
    by_hand = open_page(PAGE, DEEP)
    by_hand.segmented_control(key="init").set_value("He")
    by_hand.slider(key="depth").set_value(12)
    by_hand.select_slider(key="width").set_value(64)
    by_hand.selectbox(key="act").select("tanh").run()
    assert_clean(by_hand)
    assert metrics(linked) == metrics(by_hand)
    assert "Var(z) at layer 12" in metrics(linked)

    linked = open_page(PAGE, {"n": "64", "x": "pixel"})
    by_hand = open_page(PAGE)
    by_hand.select_slider(key="n").set_value(64)
    by_hand.segmented_control(key="x").set_value("pixel").run()
    assert metrics(linked) == metrics(by_hand)
    assert metrics(linked) != metrics(open_page(PAGE))


def test_exploding_variances_are_labelled_overflow_never_nan():
    at = open_page(PAGE, {**DEEP, "init": "normal", "sw": "1.0", "width": "256", "depth": "30"})
    assert_clean(at)
    assert metrics(at)["Var(z) at layer 30"] == "overflow"
    assert any("overflow" in w.value for w in at.warning)
    frames = chart_frames(at)
    flagged = [f for f in frames if "status" in f.columns and (f["status"] == "overflow").any()]
    assert flagged, "the per-layer chart should carry overflow labels"
    assert any("labelled overflow" in c.proto.alt for c in charts(at)), "and its text alternative says so"
    for f in frames:
        numeric = f.select_dtypes("number")
        assert np.all(np.isfinite(numeric.to_numpy(dtype=float))), list(f.columns)
    specs = [json.loads(c.proto.spec) for c in charts(at)]
    assert any("(log scale)" in json.dumps(s) for s in specs)
