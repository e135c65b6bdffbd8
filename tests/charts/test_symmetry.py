"""charts.symmetry: page 3's templates, filled with a setting's frames, equal the charts built on those frames;
the frames are tidy; the decision map's axes span its image exactly, with no numbers in the spec."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts import symmetry as ch
from charts.common import fill, spec
from core import symmetry as sy
from tests.charts import assert_same_spec


def _run(H: int, init: str, seed: int):
    data_rng, init_rng, train_rng = np.random.default_rng(seed).spawn(3)
    X, y = sy.make_data("moons", 40, data_rng)
    net = sy.init_network(init, H, "tanh", init_rng, sigma=0.5, c=0.3)
    return X, y, sy.train_units(net, X, y, lr=0.5, steps=20, rng=train_rng, record_every=2)


@settings(max_examples=10, deadline=None)
@given(H=st.integers(2, 6), init=st.sampled_from(["normal", "constant", "identical_rows"]), seed=st.integers(0, 99))
def test_the_filled_templates_equal_the_charts_built_on_the_frames(H, init, seed):
    X, y, run = _run(H, init, seed)
    leaders, counts = sy.point_groups(run.theta[-1])
    labels = ch.group_labels(run.theta[-1][:, :2], leaders, counts, "end")
    paths = ch.paths_frames(ch.paths_frame(run.steps, run.theta), labels)
    assert_same_spec(fill(ch.weight_paths_spec(), paths), spec(ch.weight_paths(paths)))
    points = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "class": y.astype(int).astype(str)})
    boundary = ch.boundary_frames(ch.boundary_frame(*sy.decision_grid(run.net, X, n=8), "t"), points, 8)
    assert_same_spec(fill(ch.boundary_spec(), boundary), spec(ch.boundary_chart(boundary)))
    dirs = ch.directions_frames(run.theta[0][:, :2].T, run.theta[-1][:, :2].T)
    assert_same_spec(fill(ch.directions_spec(), dirs), spec(ch.directions_chart(dirs)))
    median, directions = sy.direction_history(run.theta)
    hist = ch.history_frames(run.steps, median, directions, run.distinct, H)
    assert_same_spec(fill(ch.history_spec(), hist), spec(ch.history_chart(hist)))


def _sweep_runs(groups=("a",), xs=(1e-3, 1e-2, 1.0), runs=3) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [{"x": x, "group": g, "run": r, "accuracy": rng.uniform(0.5, 1), "median": rng.uniform(0, 1)}
            for g in groups for x in xs for r in range(1, runs + 1)]
    return pd.DataFrame(rows)


def test_the_sweep_and_eps_templates_equal_the_charts_built_on_the_frames():
    ref = pd.DataFrame({"label": ["constant init"], "accuracy": [0.88], "median": [1.0]})
    for scale, groups, reference, ticks in (("log", ("a",), ref, ()), ("symlog", ("a",), None, (0.0, 0.1, 1.0)),
                                            ("linear", ("a", "b"), None, ())):
        frames = ch.sweep_frames(_sweep_runs(groups), reference)
        built = spec(ch.sweep_chart(frames, "x", scale, groups, ticks))
        assert_same_spec(fill(ch.sweep_spec("x", scale, groups, ticks), frames), built)
    pts = pd.DataFrame({"eps": [1e-2, 1e-3], "steps": [4.0, 9.0], "median": [0.9, 0.99]})
    lines = pd.DataFrame({"eps": [1e-2, 1e-3], "steps": [4.0, 9.0], "kind": ["fitted line"] * 2})
    frames = ch.eps_frames(pts, lines)
    assert_same_spec(fill(ch.eps_spec(), frames), spec(ch.eps_chart(frames)))


def test_the_sweep_mean_is_the_mean_over_runs_per_x_and_group():
    runs = _sweep_runs(("a", "b"))
    mean = ch.sweep_frames(runs)["sw:mean"]
    assert len(mean) == 6
    row = mean[(mean.group == "b") & (mean.x == 1e-2)].iloc[0]
    sel = runs[(runs.group == "b") & (runs.x == 1e-2)]
    assert row.accuracy == sel.accuracy.mean() and row["median"] == sel["median"].mean()


def test_a_unit_and_its_negative_draw_the_same_segment_and_a_zero_unit_none():
    W = np.array([[1.0, -2.0, 0.0], [1.0, -2.0, 0.0]])
    df = ch.directions_frame(W, W)
    end = df[df.when == "end"]
    assert list(end.unit) == [1, 2]        # the all-zero unit has no direction
    a, b = end.iloc[0], end.iloc[1]
    assert {(a.x, a.y), (a.x2, a.y2)} == {(b.x, b.y), (b.x2, b.y2)}
    assert np.hypot(a.x2, a.y2) == pytest.approx(1.0)
    start = df[df.when == "start"].iloc[0]
    assert np.hypot(start.x2, start.y2) == pytest.approx(0.6)


def test_the_history_frames_are_tidy_and_drop_non_finite_records():
    f = ch.history_frames(np.array([0, 1, 2]), np.array([0.5, np.nan, 0.9]), np.array([3.0, np.nan, 1.0]),
                          np.array([3, 3, 3]), 3)
    assert list(f["hist:median"].step) == [0, 2]
    assert set(f["hist:count"].measure) == set(ch.COUNTS) and len(f["hist:count"]) == 5
    assert f["hist:top"]["count"].tolist() == [3.0]


def test_identical_units_put_their_count_label_in_the_paths_data():
    _, _, run = _run(5, "constant", 0)
    leaders, counts = sy.point_groups(run.theta[-1])
    frames = ch.paths_frames(ch.paths_frame(run.steps, run.theta), ch.group_labels(
        run.theta[-1][:, :2], leaders, counts, "end"))
    labels = pd.concat([frames["paths:left"], frames["paths:right"]])
    assert list(labels["label"]) == ["5 units on one point (end)"]
    corners = frames["paths:corners"]
    assert corners.w1.tolist() == corners.w2.tolist()          # the same range on both axes
    assert corners.w1.min() < frames["paths:all"][["w1", "w2"]].min().min()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 12))
def test_the_decision_maps_data_span_exactly_its_image(seed, n):
    """The axes take their range from the data (no domain in the spec): it must be the image's corners, so no
    point, legend mark or cell lies outside the image."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 2)) * rng.uniform(0.1, 5.0, size=2)
    net = sy.init_network("normal", 3, "tanh", rng, sigma=1.0, c=0.0)
    points = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "class": (X[:, 0] > 0).astype(int).astype(str)})
    frames = ch.boundary_frames(ch.boundary_frame(*sy.decision_grid(net, X, n=n), "t"), points, n)
    image = frames["boundary:image"].iloc[0]
    for axis, far in (("x1", "x1b"), ("x2", "x2b")):
        values = pd.concat([frames[role][axis] for role in ch.BOUNDARY_ROLES])
        assert values.min() == image[axis] and values.max() <= image[far]
    d = fill(ch.boundary_spec(), frames)
    assert all("domain" not in layer["encoding"][c].get("scale", {})
               for layer in d["layer"] for c in ("x", "y") if c in layer["encoding"])


def test_only_the_decision_maps_data_points_have_tooltips():
    """Streamlit's theme gives every mark without one a tooltip listing its encoded fields: over the map that
    was the image's corners and its whole data URL. The image and the invisible legend marks turn it off."""
    heat, legend, dots = ch.boundary_spec()["layer"]
    assert heat["mark"]["type"] == "image" and heat["mark"]["tooltip"] is None
    assert legend["mark"]["tooltip"] is None
    assert [t["field"] for t in dots["encoding"]["tooltip"]] == ["x1", "x2", "class"]
