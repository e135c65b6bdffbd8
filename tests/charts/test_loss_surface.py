"""charts.loss_surface: the replay scrubber's end moves in 1-2-5 jumps and always covers the path; the error
chart's template, filled, is the chart built on the frames."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.common import fill, spec
from charts.loss_surface import (
    START,
    click_to_weights,
    directions,
    eigen_error_chart,
    eigen_error_frames,
    eigen_error_spec,
    replay_end,
)
from tests.charts import assert_same_spec


@given(st.integers(min_value=0, max_value=100_000))
def test_the_replay_end_covers_every_step_and_wastes_at_most_a_jump(steps):
    end = replay_end(steps)
    mantissa, zeros = str(end)[0], str(end)[1:]
    assert mantissa in "125" and set(zeros) == {"0"}  # 10, 20, 50, 100, 200, 500, ...
    assert end >= steps
    assert end == 10 or end < 2.5 * steps  # the next smaller end would not cover the path


def test_nearby_step_counts_share_an_end():
    assert {replay_end(s) for s in (40, 45, 50)} == {50}
    assert replay_end(51) == 100


@settings(max_examples=20, deadline=None)
@given(n=st.integers(0, 12), seed=st.integers(0, 1000), one=st.booleans())
def test_the_filled_error_template_equals_the_chart_built_on_the_frames(n, seed, one):
    rng = np.random.default_rng(seed)
    names = ["v1 (steep, λmax)"] if one else ["v1 (steep, λmax)", "v2 (shallow, λmin)"]
    df = pd.DataFrame([{"t": t, "direction": d, "source": src, "error": float(rng.random()) + 1e-3, "status": "ok"}
                       for src in ("theory", "measured") for d in names for t in range(n)])
    if df.empty:
        df = pd.DataFrame(columns=["t", "direction", "source", "error", "status"])
    frames, dirs = eigen_error_frames(df), directions(df)
    filled, built = fill(eigen_error_spec(dirs), frames), spec(eigen_error_chart(frames, dirs))
    assert_same_spec(filled, built)
    assert dirs == tuple(names[: len(names) if n else 0])


@pytest.mark.parametrize("selection", [
    {}, {START: []}, {START: [{}]}, {START: [{"u": 1.0}]}, {START: [{"u": "x", "v": 1}]},
    {START: [{"u": float("nan"), "v": 0.5}]}, {"other": [{"u": 0.5, "v": 0.5}]}, None, START,
    {START: [{"u": 1.5, "v": 0.5}]},                    # outside the unit square: no position in the view
])
def test_a_click_that_carries_no_point_in_the_view_gives_no_start(selection):
    assert click_to_weights(selection, ((-2.0, 4.0), (1.0, 3.0)), low=-50, high=50) is None


def test_a_click_maps_the_unit_square_onto_the_clicked_view_rounded_and_clipped():
    view = ((-2.0, 4.0), (1.0, 3.0))
    for (u, v), w in [((0.25, 0.5), [-0.5, 2.0]), ((0, 0), [-2.0, 1.0]), ((1, 1), [4.0, 3.0]), ((1, 0), [4.0, 1.0])]:
        np.testing.assert_array_equal(click_to_weights({START: [{"u": u, "v": v, "gen": 3}]}, view,
                                                       low=-50, high=50), w)
    np.testing.assert_array_equal(click_to_weights({START: [{"u": 1, "v": 1}]}, view, low=-50, high=3.5), [3.5, 3.0])
    np.testing.assert_array_equal(click_to_weights({START: [{"u": 1 / 3, "v": 0}]}, view, low=-50, high=50),
                                  [0.0, 1.0])
