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
