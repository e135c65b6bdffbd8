"""AppTest for page 4 (initialization variance): every part runs clean, controls change the numbers, the
predictions commit before they reveal, links reproduce, and overflow is said in words."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from experiments import init_variance as ex
from tests.app.conftest import assert_clean, charts, formulas, open_page, readouts, tables
from ui.nav import by_url_path

PAGE = "pages/init_variance.py"
PARTS = by_url_path("init_variance").parts
S = "init."


def part(label: str) -> dict[str, str]:
    return {S + "part": label}


def chart_frames(at) -> list:
    return [pa.ipc.open_stream(ds.data.data).read_all().to_pandas() for c in charts(at) for ds in c.proto.datasets]


def text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_every_part_opens_from_its_link_with_its_own_charts_and_the_opening_picture():
    shown = {}
    for label in PARTS:
        at = open_page(PAGE, part(label))
        assert_clean(at)
        shown[label] = (len(at.header), len(charts(at)))
        assert "One number, multiplied L times" in text(at)
        assert at.success and "short answer" in at.success[0].value
    assert shown == {"One neuron": (1, 4), "Many layers": (1, 2), "Inside the layers": (1, 4),
                     "Unequal widths": (1, 2), "Residual networks": (1, 2), "Goldilocks map": (1, 2),
                     "Training": (1, 2)}


def test_one_neuron_offers_sigma_one_over_root_n_exactly():
    at = open_page(PAGE)
    assert readouts(at)["Var(z) predicted"] == f"{256 * 0.05**2:.3g}"
    at.segmented_control(key=S + "wrule").set_value("1/√n").run()
    assert_clean(at)
    assert readouts(at)["Var(z) predicted"] == "1"          # n · (1/√n)² · E[x²] = 1 exactly
    assert all(w.key != S + "w_std" for w in at.select_slider)  # the σ_w slider is hidden, not greyed


def test_the_predictions_have_no_default_and_reveal_only_after_a_choice():
    at = open_page(PAGE)
    pills = at.pills(key="predict_init_pixel")
    assert pills.value is None
    assert not any("The page measures" in s.value for s in [*at.success, *at.info])
    pills.set_value(pills.options[1]).run()
    assert_clean(at)
    revealed = [s.value for s in [*at.success, *at.info] if "The page measures" in s.value]
    assert revealed and "E[x²]" in revealed[0]
    at = open_page(PAGE, part("Residual networks"))
    assert at.pills(key="predict_init_residual").value is None
    at.pills(key="predict_init_residual").set_value(f"It grows about 2^{30}-fold").run()
    assert any("You predicted" in s.value and "that is what this page measures" in s.value for s in at.success)


def test_the_scheme_control_moves_the_deep_numbers_and_the_page_explains_the_gap():
    at = open_page(PAGE, part("Many layers"))
    before = readouts(at)
    assert before["Var(∂L/∂z) at layer 1"] == "3.41e-09" and before["Var(∂L/∂z) predicted"] == "1.86e-09"
    assert "Why measured and predicted differ" in text(at)
    at.segmented_control(key=S + "init").set_value("He").run()
    assert_clean(at)
    after = readouts(at)
    assert float(before["Var(z) at layer 30"]) < 1e-6 < 0.5 < float(after["Var(z) at layer 30"]) < 8


def test_tanh_gets_its_mean_field_numbers_and_saturated_yet_exploding_its_sentence():
    at = open_page(PAGE, part("Many layers") | {S + "act": "tanh"})
    assert "1/n is the tanh recipe" in text(at) and "0.058 at layer 10" in text(at)
    at = open_page(PAGE, part("Many layers") | {S + "act": "tanh", S + "init": "normal", S + "sw": "0.3"})
    assert_clean(at)
    assert "Saturated, yet exploding" in text(at)


def test_the_inside_formula_is_cores_factor_at_the_inspected_layer():
    at = open_page(PAGE, part("Inside the layers") | {S + "act": "sigmoid", S + "init": "Xavier", S + "depth": "20"})
    assert_clean(at)
    d = ex.deep(ex.DeepSettings(0, 20, 128, "sigmoid", "xavier"))
    assert any(f"= {128 * d.var_w * d.slope_sq:.3g}" in f for f in formulas(at))


def test_unequal_widths_show_glorot_between_fan_in_and_fan_out():
    at = open_page(PAGE, part("Unequal widths"))
    assert_clean(at)
    t = next(t for t in tables(at) if "rule" in t.columns)
    assert list(t["rule"]) == list(ex.RULE_NAMES.values())
    at.segmented_control(key=S + "rule").set_value("fan_out").run()
    assert_clean(at)
    assert "Var(∂L/∂z) at layer 1 **1" in text(at).replace("\u2060", "") or "(predicted 1)" in text(at)


def test_residual_variants_are_tabled_against_their_predictions():
    at = open_page(PAGE, part("Residual networks"))
    t = next(t for t in tables(at) if "branch" in t.columns)
    assert list(t["branch"]) == list(ex.VARIANT_NAMES.values())
    assert [v.split("(")[1].rstrip(")") for v in t["E[h²] at block L (predicted)"]][1:] == ["2.67", "1"]


def test_a_diverged_training_run_is_said_in_words_and_cut_from_the_axis():
    loss = np.array([0.5, 0.4, 3.0, 7.67e43, np.nan])
    assert ex.cut_at_cap(loss, cap=5.0) == (3, 7.67e43)      # cut before the first loss above the cap
    assert ex.cut_at_cap(loss[:3], cap=5.0) == (None, 3.0)
    t = ex.Training({}, {"He": None, "LeCun": 0.3}, {"He": 0.5, "LeCun": 0.4}, {"He": (3, 7.67e43)})
    assert t.table["final loss (mean of the last 20 steps)"].tolist() == ["diverged", "0.3"]   # never "nan"
    at = open_page(PAGE, part("Training"))
    assert_clean(at)
    spec = json.loads(charts(at)[-1].proto.spec)
    assert "domainMax" in json.dumps(spec)   # the axis stops at LOSS_CAP x the highest starting loss
    assert "Reading the ranking" in text(at) and "½·Var(y)" in text(at)


@pytest.mark.parametrize("query", [{S + "init": "He", S + "depth": "12", S + "width": "64", S + "act": "tanh"}])
def test_link_parameters_reproduce_the_same_numbers_as_the_widgets(query):
    linked = open_page(PAGE, part("Many layers") | query)
    assert_clean(linked)
    by_hand = open_page(PAGE, part("Many layers"))
    by_hand.segmented_control(key=S + "init").set_value("He")
    by_hand.slider(key=S + "depth").set_value(12)
    by_hand.select_slider(key=S + "width").set_value(64)
    by_hand.selectbox(key=S + "act").select("tanh").run()
    assert_clean(by_hand)
    assert readouts(linked) == readouts(by_hand) and "Var(z) at layer 12" in readouts(linked)


def test_exploding_variances_are_labelled_overflow_never_nan():
    at = open_page(PAGE, part("Many layers") | {S + "init": "normal", S + "sw": "1.0", S + "width": "256"})
    assert_clean(at)
    assert readouts(at)["Var(z) at layer 30"] == "overflow"
    assert any("10⁻³⁰…10³⁰" in w.value for w in at.warning)
    for f in chart_frames(at):
        numeric = f.select_dtypes("number")
        assert np.all(np.isfinite(numeric.to_numpy(dtype=float))), list(f.columns)
