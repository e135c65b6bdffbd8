"""Page 5 (BatchNorm) in AppTest: loads cleanly, reacts to its controls, and a link reproduces the view."""

import json

import pyarrow as pa

from tests.app.conftest import assert_clean, charts, open_page, readouts, table_with
from ui.nav import by_url_path

PAGE = "pages/batchnorm.py"
PARTS = by_url_path("batchnorm").parts
LIGHT = {"steps": "100"}  # fewer SGD steps keep each test's training to a few seconds
EVAL = {**LIGHT, "part": "Eval mode"}


def metric(at, label: str) -> str:
    return readouts(at)[label]


def chart_data(chart):
    return pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()


def test_every_part_loads_cleanly_and_draws_its_charts():
    drawn = {}
    for part in PARTS:
        at = open_page(PAGE, {**LIGHT, "part": part})
        assert_clean(at)
        drawn[part] = len(charts(at))
        if part == "BN off vs on":
            table = table_with(at, "learning rate η")
            assert list(table.columns) == ["learning rate η", "final loss, BN off", "final loss, BN on"]
    # 1 transform; 3 training panels + percentile bands; 3 init panels; 1 noise; running statistics + gap
    assert drawn == {"Transform": 1, "BN off vs on": 4, "Bad init": 3, "Batch noise": 1, "Eval mode": 2}


def test_the_page_opens_on_the_transform():
    at = open_page(PAGE)
    assert_clean(at)
    assert at.slider(key="gamma").value == 1.0
    assert [h.value for h in at.subheader] == ["1 · The transform, step by step"]


def test_the_identity_button_sets_gamma_and_beta_and_gives_the_input_back():
    at = open_page(PAGE, LIGHT)
    assert float(metric(at, "max |y − x|")) > 0.1
    at.button(key="identity").click().run()
    assert_clean(at)
    assert abs(at.slider(key="gamma").value - float(metric(at, "σ_B = √(σ_B²+ε)"))) < 1e-4
    assert abs(at.slider(key="beta").value - float(metric(at, "μ_B (this batch)"))) < 1e-4
    assert float(metric(at, "max |y − x|")) < 1e-9
    assert any("output is the input again" in s.value for s in at.success)


def test_moving_gamma_and_beta_changes_the_output_histogram():
    at = open_page(PAGE, LIGHT)
    before = chart_data(charts(at)[0])
    at.slider(key="gamma").set_value(2.5).run()
    at.slider(key="beta").set_value(-1.0).run()
    assert_clean(at)
    after = chart_data(charts(at)[0])
    out = after[after["step"].str.startswith("4")]
    assert abs(out["value"].mean() - (-1.0)) < 1e-9
    assert abs(out["value"].std(ddof=0) - 2.5) < 1e-3
    assert not before["panel"].equals(after["panel"])


def test_choosing_the_biased_convention_lowers_the_predicted_running_variance():
    at = open_page(PAGE, EVAL)
    assert float(metric(at, "predicted")) == 4.0
    at.segmented_control(key="conv").set_value("biased").run()
    assert_clean(at)
    assert float(metric(at, "predicted")) == 3.0  # sigma^2 (m - 1) / m with m = 4


def test_a_link_reproduces_the_numbers_set_by_the_widgets():
    linked = open_page(PAGE, {**LIGHT, "m": "100", "gamma": "2"})
    assert_clean(linked)
    by_hand = open_page(PAGE, LIGHT)
    by_hand.slider(key="m").set_value(100).run()
    by_hand.slider(key="gamma").set_value(2.0).run()
    for label in ("μ_B (this batch)", "max |y − x|"):
        assert metric(linked, label) == metric(by_hand, label)
    assert json.loads(charts(linked)[0].proto.spec) == json.loads(charts(by_hand)[0].proto.spec)

    linked = open_page(PAGE, {**EVAL, "conv": "keras", "m_run": "8"})
    assert_clean(linked)
    by_hand = open_page(PAGE, EVAL)
    by_hand.segmented_control(key="conv").set_value("keras").run()
    by_hand.select_slider(key="m_run").set_value(8).run()
    for label in ("running var, late", "predicted"):
        assert metric(linked, label) == metric(by_hand, label)
    assert metric(linked, "predicted") != metric(open_page(PAGE, EVAL), "predicted")
