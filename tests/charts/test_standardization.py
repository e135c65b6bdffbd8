"""charts.standardization: the loss curves' template, filled with a setting's frames, equals the chart built on
those frames, and each scaling's label sits at its last step."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.common import fill, spec
from charts.standardization import curve_frames, loss_curves, loss_curves_spec
from tests.charts import assert_same_spec

DOMAIN = ("none", "centering", "min-max", "z-score")


@settings(max_examples=20, deadline=None)
@given(lengths=st.lists(st.integers(1, 30), min_size=1, max_size=4), seed=st.integers(0, 1000))
def test_the_filled_curves_template_equals_the_chart_built_on_the_frames(lengths, seed):
    rng = np.random.default_rng(seed)
    df = pd.concat([pd.DataFrame({"step": np.arange(n), "scaling": name, "rel_excess": rng.random(n) + 1e-6,
                                  "status": "ok"}) for name, n in zip(DOMAIN, lengths, strict=False)],
                   ignore_index=True)
    frames = curve_frames(df)
    filled, built = fill(loss_curves_spec(DOMAIN), frames), spec(loss_curves(frames, DOMAIN))
    assert_same_spec(filled, built)
    last = frames["curves:last"]
    assert sorted(last["scaling"]) == sorted(DOMAIN[: len(lengths)])
    assert all(row.step == n - 1 for row, n in zip(last.sort_values("scaling").itertuples(),
                                                   [dict(zip(DOMAIN, lengths, strict=False))[s]
                                                    for s in sorted(last["scaling"])], strict=True))


def test_the_new_charts_are_valid_vega_lite_on_the_experiments_frames():
    import altair as alt

    from charts.standardization import net_curves, update_scatter
    from experiments import standardization as ex

    _, signs_df, signs_spec = ex.signs(0)
    assert set(signs_df["same"]) <= {"same sign", "opposite signs"}
    np.testing.assert_allclose(np.hypot(signs_df["d_age"], signs_df["d_income"]), 1.0, rtol=1e-12)
    assert_same_spec(signs_spec, spec(update_scatter(signs_df)))
    curves, curves_spec, _ = ex.network_view(ex.NetSettings())
    assert list(curves.columns) == ["step", "data", "loss"] and (curves["loss"] > 0).all()
    assert set(curves["data"]) == {"raw", "standardized"}
    assert_same_spec(curves_spec, spec(net_curves(curves)))
    assert_same_spec(ex.signs(0, True)[2], spec(update_scatter(signs_df, stacked=True)))
    for chart in (update_scatter(signs_df), update_scatter(signs_df, stacked=True), net_curves(curves)):
        alt.Chart.from_dict(chart.to_dict(validate=False), validate=True)
