"""charts.symmetry: page 3's templates, filled with a setting's frames, equal the charts built on those frames;
the decision map's axes span its image exactly, with no numbers in the spec."""

import numpy as np
import pandas as pd
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
