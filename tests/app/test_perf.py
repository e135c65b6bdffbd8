"""ui/perf.py changes how Altair builds charts (a cached class table, no construction-time validation);
the charts must come out exactly as Altair alone would build them."""

import altair as alt
import numpy as np
import pandas as pd
from altair.utils import schemapi

import ui.perf as perf
from charts import batchnorm, loss_surface, symmetry
from core import bn_experiments as E


def _charts() -> list[alt.TopLevelMixin]:
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(11, 4, 4))
    paths = symmetry.paths_frame(np.arange(11) * 10, theta)
    labels = symmetry.group_labels(theta[0][:, :2], np.array([0]), np.array([3]), "start")
    err = pd.DataFrame({"t": np.tile(np.arange(5), 4), "direction": np.repeat(["a", "a", "b", "b"], 5),
                        "source": np.tile(np.repeat(["theory", "measured"], 5), 2), "error": rng.random(20) + 0.1,
                        "status": "ok"})
    x = rng.normal(3.0, 2.0, 32)
    steps, _ = E.transform(x, 1.5, -0.5)
    return [symmetry.weight_paths(paths, labels), loss_surface.eigen_error_chart(err),
            batchnorm.transform_histograms(batchnorm.transform_frame(steps, x))]


def test_charts_built_with_the_cached_class_table_equal_altairs_own(monkeypatch):
    fast = [c.to_dict(validate=True) for c in _charts()]
    monkeypatch.setattr(schemapi.SchemaBase, "from_dict", perf.ALTAIR_FROM_DICT)
    with schemapi.debug_mode(True):
        slow = [c.to_dict(validate=True) for c in _charts()]
    assert fast == slow


def test_the_class_table_is_built_once_per_set_of_classes():
    alt.X("a:Q")
    alt.Color("b:N")
    n = len(perf._converters)
    for _ in range(3):
        alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q", y="a:Q", color=alt.value("red"))
    assert len(perf._converters) == n
