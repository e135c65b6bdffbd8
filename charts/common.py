"""House chart style shared by every page: colours that read on light and dark themes, and small helpers.

Charts use Streamlit's theme (no hard-coded black or white), container width, and carry meaning in
labels, dashes or shapes as well as colour.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

# Mid-luminance colours: legible on Streamlit's light and dark backgrounds alike.
GOOD = "#3d8fd6"      # standardized, BN on, He init, "the fix"
BAD = "#e8622c"       # raw, BN off, the problem case
THEORY = "#8c8c8c"    # predicted lines (always dashed as well)
ACCENT = "#2ca02c"
CATEGORICAL = ["#3d8fd6", "#e8622c", "#2ca02c", "#b45dc2", "#d4a20a", "#17a3a3", "#e0577a", "#7f7f7f"]
DASH_THEORY = [6, 4]

# Values beyond these are drawn pinned to the edge and labelled "overflow"/"underflow" instead of vanishing.
LOG_FLOOR, LOG_CEIL = 1e-30, 1e30


def show(chart: alt.TopLevelMixin, alt_text: str, **kwargs):
    """Draw an Altair chart at container width with its text alternative (the chart's takeaway)."""
    return st.altair_chart(chart, width="stretch", alt=alt_text, **kwargs)


def scale(domain: list[str], colors: list[str] | None = None) -> alt.Scale:
    """A fixed colour mapping, so the same series has the same colour on every chart of a page."""
    return alt.Scale(domain=list(domain), range=list(colors or CATEGORICAL)[: len(domain)])


def pin_for_log(values, floor: float = LOG_FLOOR, ceil: float = LOG_CEIL) -> tuple[np.ndarray, np.ndarray]:
    """Values ready for a log axis: non-positive/underflowing ones pinned to ``floor``, huge or non-finite
    ones pinned to ``ceil``; returns ``(pinned, status)`` with status "ok", "underflow" or "overflow"."""
    v = np.asarray(values, dtype=float)
    status = np.full(v.shape, "ok", dtype=object)
    over = ~np.isfinite(v) | (v > ceil)
    under = ~over & (v < floor)
    status[over], status[under] = "overflow", "underflow"
    pinned = np.where(over, ceil, np.where(under, floor, v))
    return pinned, status


def finite_frame(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Drop rows with non-finite values in ``cols`` (a diverged tail), so no NaN reaches a chart."""
    ok = np.all(np.isfinite(df[cols].to_numpy(dtype=float)), axis=1)
    return df.loc[ok]


def log_axis(title: str) -> alt.Axis:
    """An axis whose title says it is logarithmic."""
    return alt.Axis(title=f"{title} (log scale)")
