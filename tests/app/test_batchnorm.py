"""Page 5 (BatchNorm) in AppTest: loads cleanly, reacts to its controls, and a link reproduces the view."""

import json

import pyarrow as pa

from tests.app.conftest import assert_clean, charts, open_page, readouts, table_with

PAGE = "pages/batchnorm.py"
LIGHT = {"steps": "100"}  # fewer SGD steps keep each test's training to a few seconds


def metric(at, label: str) -> str:
    return readouts(at)[label]


def chart_data(chart):
    return pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()


def test_page_loads_cleanly_and_draws_every_chart():
    at = open_page(PAGE, LIGHT)
    assert_clean(at)
    assert len(charts(at)) == 11  # 1 transform, 3 + 1 training, 3 init, 1 noise, 1 running, 1 gap
    assert at.slider(key="gamma").value == 1.0
    table = table_with(at, "learning rate η")
    assert list(table.columns) == ["learning rate η", "final loss, BN off", "final loss, BN on"]


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
    at = open_page(PAGE, LIGHT)
    assert float(metric(at, "predicted")) == 4.0
    at.segmented_control(key="conv").set_value("biased").run()
    assert_clean(at)
    assert float(metric(at, "predicted")) == 3.0  # sigma^2 (m - 1) / m with m = 4


def test_a_link_reproduces_the_numbers_set_by_the_widgets():
    query = {**LIGHT, "m": "100", "gamma": "2", "conv": "keras", "m_run": "8"}
    linked = open_page(PAGE, query)
    assert_clean(linked)
    by_hand = open_page(PAGE, LIGHT)
    by_hand.slider(key="m").set_value(100).run()
    by_hand.slider(key="gamma").set_value(2.0).run()
    by_hand.segmented_control(key="conv").set_value("keras").run()
    by_hand.select_slider(key="m_run").set_value(8).run()
    for label in ("μ_B (this batch)", "max |y − x|", "running var, late", "predicted"):
        assert metric(linked, label) == metric(by_hand, label)
    assert json.loads(charts(linked)[0].proto.spec) == json.loads(charts(by_hand)[0].proto.spec)
