"""charts.batchnorm: tidy frames from the BatchNorm experiments, and specs that are valid Vega-Lite."""

import altair as alt
import numpy as np

from charts import batchnorm as C
from charts.common import spec
from core import bn_experiments as E


def valid(chart: alt.TopLevelMixin) -> dict:
    """The chart's spec as the page sends it, after checking the chart against the Vega-Lite schema."""
    chart.to_dict(validate=True)
    return spec(chart)


def sweeps():
    lrs = np.array([0.5, 1.0, 2.0])
    off = E.LRSweep(lrs, np.full((3, 2), 2.5), np.array([[0.6, 0.7], [2.4, 0.9], [np.inf, 1e30]]),
                    np.array([[-1, -1], [-1, -1], [3, 4]]))
    on = E.LRSweep(lrs, np.full((3, 2), 2.5), np.array([[0.5, 0.6], [0.5, 0.5], [0.8, 2.3]]),
                   np.full((3, 2), -1))
    return {False: off, True: on}


def test_the_sweep_frame_has_one_row_per_rate_seed_and_network_with_divergence_pinned_to_the_top():
    df = C.sweep_frame(sweeps())
    assert len(df) == 3 * 2 * 2
    assert set(df.columns) == {"lr", "seed", "BatchNorm", "final loss", "outcome"}
    off = df[df["BatchNorm"] == "BN off"]
    assert (off[off["lr"] == 2.0]["outcome"] == "diverged").all()
    assert (off[off["lr"] == 2.0]["final loss"] == C.SWEEP_CEIL).all()
    assert off[(off["lr"] == 1.0) & (off["seed"] == 0)]["outcome"].item() == "stuck"
    on = df[df["BatchNorm"] == "BN on"]
    assert on[(on["lr"] == 2.0) & (on["seed"] == 1)]["outcome"].item() == "stuck"
    assert np.isfinite(df["final loss"]).all()
    valid(C.sweep_chart(df, E.CHANCE_LOSS))


def test_the_change_frame_keeps_finite_steps_only_and_the_chart_draws_the_two_over_eta_line():
    norms = np.ones(4)
    runs = {False: E.GradientChange(np.array([2.0, 3.0, np.nan]), np.array([5.0, 80.0, np.nan]), 2, norms),
            True: E.GradientChange(np.array([2.0, 1.5, 1.2]), np.array([1.0, 0.8, 0.7]), None, norms)}
    df = C.change_frame(runs, window=1)
    assert len(df) == 5 and np.isfinite(df[["loss", "gradient change"]].to_numpy()).all()
    d = valid(C.change_chart(df, "gradient change", limit=2.0))
    assert len(d["layer"]) == 2
    assert len(valid(C.change_chart(df, "loss"))["layer"]) == 1


def test_the_transform_frame_has_four_steps_of_the_same_samples():
    x = np.random.default_rng(0).normal(3, 2, 50)
    steps, _ = E.transform(x, 2.0, 1.0)
    df = C.transform_frame(steps, x)
    assert df.groupby("step").size().tolist() == [50] * 4
    assert abs(df[df["order"] == 3]["value"].mean() - 1.0) < 1e-9
