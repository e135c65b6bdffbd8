"""charts.init_variance: every builder gives a valid Vega-Lite spec on the experiments' tidy frames, and the
training chart's axis stops at the cap instead of stretching to a diverged run's loss."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from charts import init_variance as charts
from experiments import init_variance as ex


def valid(chart: alt.TopLevelMixin) -> dict:
    return chart.to_dict(validate=True)


def test_the_power_chart_is_valid_and_shows_the_three_numbers():
    df = pd.concat([pd.DataFrame({"L": np.arange(31), "value": a ** np.arange(31), "a": f"a = {a:g}"})
                    for a in (0.5, 1.0, 1.5)])
    valid(charts.powers(df))
    assert set(df["a"]) == {"a = 0.5", "a = 1", "a = 1.5"}


@pytest.mark.parametrize("profile", ["constant", "widening", "narrowing"])
def test_the_width_frames_are_tidy_and_the_chart_valid(profile):
    s = ex.WidthSettings(profile=profile)
    c = ex.widths(s)
    df = pd.concat([ex._variance_frame(q, m, p) for q, m, p in
                    ((charts.QUANTITIES[0], c.q, c.theory.q), (charts.QUANTITIES[1], c.grad, c.theory.grad))])
    assert list(df.columns) == ["layer", "value", "series", "status", "quantity"]
    assert len(df) == 4 * s.depth and np.isfinite(df["value"]).all()
    valid(charts.layer_variance(df, "variance"))


def test_the_residual_and_chain_factor_charts_are_valid():
    runs = ex.residual(ex.ResidualSettings(blocks=5, width=32))
    df = pd.concat([ex._variance_frame(ex.VARIANT_NAMES[v], r.q, r.theory.q) for v, r in runs.items()])
    valid(charts.residual_variance(df, list(ex.VARIANT_NAMES.values())))
    factors = pd.DataFrame({"layer": [1, 2, 1, 2], "factor": [0.5, 0.6, 0.5, 0.5],
                            "series": ["measured", "measured", "predicted", "predicted"]})
    valid(charts.chain_factors(factors))


def test_the_loss_axis_stops_at_the_cap():
    df = pd.DataFrame({"step": [0, 1, 0, 1], "loss": [0.5, 0.4, 0.5, 3.0], "scheme": ["He", "He", "LeCun", "LeCun"]})
    d = valid(charts.loss_curves(df, ["He", "LeCun"], cap=5.0))
    assert d["encoding"]["y"]["scale"]["domainMax"] == 5.0 and d["encoding"]["y"]["scale"]["clamp"]


def test_every_filled_template_equals_the_chart_built_on_the_frames():
    from charts.common import fill, spec
    from tests.charts import assert_same_spec

    d = ex.deep(ex.DeepSettings(depth=6, width=16))
    layers = pd.concat([ex._variance_frame(charts.QUANTITIES[0], d.q, d.theory.q),
                        ex._variance_frame(charts.QUANTITIES[1], d.grad, d.theory.grad)], ignore_index=True)
    assert_same_spec(fill(charts.layer_variance_template("variance"), {"layers": layers}),
                     spec(charts.layer_variance(layers, "variance")))
    factors = pd.DataFrame({"layer": [1, 2, 1, 2], "factor": [0.5, 0.6, 0.5, 0.5],
                            "series": ["measured", "measured", "predicted", "predicted"]})
    assert_same_spec(fill(charts.chain_factors_template(), {"factors": factors}), spec(charts.chain_factors(factors)))
    hist = pd.DataFrame({"center": [0.0, 1.0], "density": [0.4, 0.6], "width": [1.0, 1.0]})
    pred = pd.DataFrame({"x": [0.0, 1.0], "density": [0.5, 0.5]})
    curve = pd.DataFrame({"z": [0.0, 1.0], "slope": [1.0, 0.5]})
    assert_same_spec(fill(charts.histogram_template("z", with_pred=True), {"bars": hist, "pred": pred}),
                     spec(charts.histogram(hist, "z", pred=pred)))
    assert_same_spec(fill(charts.histogram_template("w", charts.BAD), {"bars": hist}),
                     spec(charts.histogram(hist, "w", color=charts.BAD)))
    assert_same_spec(fill(charts.slope_template("z", "f′"), {"hist": hist, "curve": curve}),
                     spec(charts.slope_under_z(hist, curve, "z", "f′")))
    sweep = pd.DataFrame({"n": [1, 2, 1, 2], "var": [1.0, 2.0, 1.0, 1.0], "series": ["measured", "predicted"] * 2,
                          "rule": ["std fixed", "std fixed", "std = σ/√n", "std = σ/√n"]})
    assert_same_spec(fill(charts.fan_in_template(), {"sweep": sweep}), spec(charts.fan_in_variance(sweep)))
    runs = ex.residual(ex.ResidualSettings(blocks=4, width=16))
    res = pd.concat([ex._variance_frame(ex.VARIANT_NAMES[v], r.q, r.theory.q) for v, r in runs.items()])
    names = tuple(ex.VARIANT_NAMES.values())
    assert_same_spec(fill(charts.residual_template(names), {"residual": res}),
                     spec(charts.residual_variance(res, list(names))))
