"""Page 5 (BatchNorm) in AppTest: every part loads clean, the controls change what is shown, the predictions wait
for a choice, and a link reproduces the view."""

import json

import pyarrow as pa

from experiments import batchnorm as ex
from tests.app.conftest import assert_clean, charts, open_page, readouts, table_with
from ui.nav import by_url_path

PAGE = "pages/batchnorm.py"
PARTS = by_url_path("batchnorm").parts
LIGHT = {"bn.steps": "100"}  # fewer SGD steps keep each test's training to a few seconds
EVAL = {**LIGHT, "bn.part": "Eval mode"}


def metric(at, label: str) -> str:
    return readouts(at)[label]


def chart_data(chart):
    return pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()


def test_every_part_loads_cleanly_and_draws_its_charts():
    drawn = {}
    for part in PARTS:
        at = open_page(PAGE, {**LIGHT, "bn.part": part})
        assert_clean(at)
        drawn[part] = len(charts(at))
        if part == "BN off vs on":
            table = table_with(at, "learning rate η")
            assert list(table.columns) == ["learning rate η", "final loss, BN off", "final loss, BN on"]
    assert drawn == {"Transform": 1, "BN off vs on": 4, "Bad init": 3, "Learning rate": 3, "Why it helps": 1,
                     "Batch noise": 1, "Eval mode": 2}


def test_the_page_opens_on_the_transform_and_ends_with_the_answer_and_references():
    at = open_page(PAGE)
    assert_clean(at)
    assert at.slider(key="bn.gamma").value == 1.0
    assert "The short answer" in at.success[-1].value
    assert at.subheader[-1].value == "References"
    refs = at.markdown[-1].value
    assert all(name in refs for name in ("Ioffe", "Santurkar", "Bjorck"))


def test_the_identity_button_gives_this_batch_back_and_says_another_batch_changes():
    at = open_page(PAGE)
    assert float(metric(at, "max |y − x|")) > 0.1
    at.button(key="identity").click().run()
    assert_clean(at)
    assert abs(at.slider(key="bn.gamma").value - float(metric(at, "σ_B = √(var_B + ε)"))) < 1e-4
    assert abs(at.slider(key="bn.beta").value - float(metric(at, "μ_B (this batch)"))) < 1e-4
    assert float(metric(at, "max |y − x|")) < 1e-9
    note = next(s.value for s in at.success if "this batch's" in s.value)
    assert f"{ex.undo_gaps(0, 64)[1]:.3f}" in note and "another batch" in note


def test_moving_gamma_and_beta_changes_the_output_histogram():
    at = open_page(PAGE)
    before = chart_data(charts(at)[0])
    at.slider(key="bn.gamma").set_value(2.5).run()
    at.slider(key="bn.beta").set_value(-1.0).run()
    assert_clean(at)
    after = chart_data(charts(at)[0])
    out = after[after["step"].str.startswith("4")]
    assert abs(out["value"].mean() - (-1.0)) < 1e-9
    assert abs(out["value"].std(ddof=0) - 2.5) < 1e-3
    assert not before["panel"].equals(after["panel"])


def test_the_undo_prediction_has_no_default_and_reveals_the_measured_gap_after_a_choice():
    at = open_page(PAGE)
    pills = at.get("button_group")
    key = next(p for p in pills if p.key == "predict_bn_undo")
    assert key.value in (None, [])
    assert not any("second" in i.value for i in at.info)
    key.set_value("Yes, to rounding").run()
    assert_clean(at)
    shown = " ".join(i.value for i in at.info) + " ".join(s.value for s in at.success)
    assert f"{ex.undo_gaps(0, 64)[1]:.3f}" in shown


def test_the_learning_rate_part_shows_bn_training_at_a_larger_rate_and_explains_the_divergence():
    at = open_page(PAGE, {"bn.part": "Learning rate"})
    assert_clean(at)
    v = ex.sweep_view(0)
    assert float(metric(at, "largest stable η, BN on")) == v.limit_on > v.limit_off == \
        float(metric(at, "largest stable η, BN off"))
    assert any("BN off diverged" in w.value and "2/η" in w.value for w in at.warning)
    at.select_slider(key="bn.lr_curves").set_value(ex.LR_GRID[0]).run()
    assert_clean(at)
    assert not any("BN off diverged" in w.value for w in at.warning)


def test_a_link_reproduces_the_numbers_set_by_the_widgets():
    linked = open_page(PAGE, {"bn.m": "100", "bn.gamma": "2"})
    assert_clean(linked)
    by_hand = open_page(PAGE)
    by_hand.slider(key="bn.m").set_value(100).run()
    by_hand.slider(key="bn.gamma").set_value(2.0).run()
    for label in ("μ_B (this batch)", "max |y − x|"):
        assert metric(linked, label) == metric(by_hand, label)
    assert json.loads(charts(linked)[0].proto.spec) == json.loads(charts(by_hand)[0].proto.spec)

    linked = open_page(PAGE, {**EVAL, "bn.conv": "keras", "bn.m_run": "8"})
    assert_clean(linked)
    by_hand = open_page(PAGE, EVAL)
    by_hand.segmented_control(key="bn.conv").set_value("keras").run()
    by_hand.select_slider(key="bn.m_run").set_value(8).run()
    for label in ("running var, late", "predicted"):
        assert metric(linked, label) == metric(by_hand, label)
    assert metric(linked, "predicted") != metric(open_page(PAGE, EVAL), "predicted")


def test_why_it_helps_tells_the_story_in_order_with_the_pages_own_numbers():
    at = open_page(PAGE, {"bn.part": "Why it helps"})
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    order = [text.index(s) for s in ("Ioffe & Szegedy 2015", "Santurkar", "Bjorck", "scale invariance")]
    assert order == sorted(order)
    off, on = ex.change(0, False, ex.SMOOTH_LR), ex.change(0, True, ex.SMOOTH_LR)
    assert float(metric(at, "BN off: largest")) == round(ex.largest_change(off), 2)
    assert float(metric(at, "BN on: largest")) == round(ex.largest_change(on), 2)
    assert float(metric(at, "BN off: largest")) > float(metric(at, "BN on: largest"))
    v = ex.sweep_view(0)
    assert f"the largest stable η is {v.limit_off:g} without BN and {v.limit_on:g} with it" in text
    assert (f"at which all three runs train is {v.limit_on:g} with BN and {v.limit_off:g} without"
            in at.success[-1].value)
