"""Charts of page 3 (symmetry breaking): tidy frames in, Altair charts out. No math here."""

from __future__ import annotations

import functools

import altair as alt
import numpy as np
import pandas as pd

from charts.common import BAD, CATEGORICAL, DASH_THEORY, GOOD, LOG_CEIL, THEORY, placeholders, ramp_image, spec

ZERO_FLOOR = 1e-20  # where an exactly-zero spread is drawn on the log axis (labelled "exactly 0")


def paths_frame(steps: np.ndarray, theta: np.ndarray, max_records: int = 51) -> pd.DataFrame:
    """One row per (recorded step, unit): step, unit, w1, w2; theta (R, H, 4).

    At most ``max_records`` records per unit, evenly spaced and always including the first and the last.
    """
    R, H, _ = theta.shape
    keep = np.unique(np.linspace(0, R - 1, min(R, max_records)).round().astype(int))
    steps, theta = np.asarray(steps)[keep], theta[keep]
    return pd.DataFrame({"step": np.repeat(steps, H), "unit": np.tile(np.arange(1, H + 1), len(keep)),
                         "w1": theta[:, :, 0].ravel(), "w2": theta[:, :, 1].ravel()})


def group_labels(points: np.ndarray, leaders: np.ndarray, counts: np.ndarray, when: str) -> pd.DataFrame:
    """Text labels for the points where several units sit: "16 units on one point (start)"."""
    many = counts > 1
    return pd.DataFrame({"w1": points[leaders[many], 0], "w2": points[leaders[many], 1],
                         "label": [f"{c} units on one point ({when})" for c in counts[many]],
                         "when": when})


PATH_ROLES = ("paths:corners", "paths:all", "paths:start", "paths:end", "paths:left", "paths:right")


def paths_frames(paths: pd.DataFrame, labels: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The data of :func:`weight_paths` by role: two invisible corner points that give both axes the same range
    (distances read the same both ways), every recorded point, the first and the last step's points, and the
    count labels left of the middle (drawn growing right) and right of it (growing left), so none is clipped."""
    lo = float(min(paths.w1.min(), paths.w2.min()))
    hi = float(max(paths.w1.max(), paths.w2.max()))
    pad = max(0.25 * (hi - lo), 0.1)
    dom = [lo - pad, hi + pad]
    mid = (dom[0] + dom[1]) / 2
    return {"paths:corners": pd.DataFrame({"w1": dom, "w2": dom}),
            "paths:all": paths,
            "paths:start": paths[paths.step == paths.step.min()],
            "paths:end": paths[paths.step == paths.step.max()],
            "paths:left": labels[labels.w1 <= mid],
            "paths:right": labels[labels.w1 > mid]}


def weight_paths(data: dict) -> alt.LayerChart:
    """Each unit's incoming weights (w1, w2) over training: a path per unit, hollow start, filled end.

    ``data`` maps each of PATH_ROLES to a frame (:func:`paths_frames`) or to a placeholder. The range comes
    from the corner points in the data, not from numbers in the spec: a spec that stays the same when a control
    moves lets Streamlit swap the data in place instead of rebuilding.
    """
    x = alt.X("w1:Q", title="w₁ (weight from input x₁)", scale=alt.Scale(nice=False, zero=False))
    y = alt.Y("w2:Q", title="w₂ (weight from input x₂)", scale=alt.Scale(nice=False, zero=False))
    corners = alt.Chart(data["paths:corners"]).mark_point(opacity=0, aria=False).encode(x=x, y=y)
    colour = alt.Color("unit:N", title="hidden unit", scale=alt.Scale(range=CATEGORICAL), legend=None)
    line = alt.Chart(data["paths:all"]).mark_line(opacity=0.7, strokeWidth=1.5).encode(
        x=x, y=y, color=colour, order=alt.Order("step:Q"), detail=alt.Detail("unit:N"))
    tip = [alt.Tooltip("unit:N"), alt.Tooltip("step:Q"), alt.Tooltip("w1:Q", format=".4g"),
           alt.Tooltip("w2:Q", format=".4g")]
    start = alt.Chart(data["paths:start"]).mark_point(shape="circle", size=70, filled=False, strokeWidth=2).encode(
        x=x, y=y, color=colour, tooltip=tip)
    end = alt.Chart(data["paths:end"]).mark_point(shape="circle", size=70, filled=True, opacity=1).encode(
        x=x, y=y, color=colour, tooltip=tip)
    texts = [alt.Chart(data[role]).mark_text(align=align, dx=dx, dy=-12, fontSize=13, fontWeight="bold",
                                             color=THEORY).encode(x=x, y=y, text=alt.Text("label:N"))
             for role, align, dx in (("paths:left", "left", -6), ("paths:right", "right", 6))]
    return alt.layer(corners, line, start, end, *texts).properties(height=420)


@functools.lru_cache(maxsize=1)
def weight_paths_spec() -> dict:
    """:func:`weight_paths` as a template on placeholders, composed once (~20 ms of Altair per setting
    otherwise): ``common.fill(weight_paths_spec(), paths_frames(paths, labels))``. Do not modify it."""
    return spec(weight_paths(placeholders(PATH_ROLES)))


def spread_frame(steps: np.ndarray, spread: np.ndarray, distinct: np.ndarray) -> pd.DataFrame:
    """step, spread, the value drawn on the log axis, status, distinct.

    Exact zeros are drawn at ZERO_FLOOR ("exactly 0"); overflowing values at LOG_CEIL ("overflow").
    """
    zero, over = spread == 0.0, ~np.isfinite(spread) | (spread > LOG_CEIL)
    shown = np.where(zero, ZERO_FLOOR, np.clip(np.nan_to_num(spread, nan=LOG_CEIL), ZERO_FLOOR, LOG_CEIL))
    status = np.where(zero, "exactly 0", np.where(over, "overflow", "measured"))
    return pd.DataFrame({"step": steps, "spread": np.where(over, LOG_CEIL, spread), "shown": shown,
                         "status": status, "distinct": distinct})


SPREAD_ROLES = ("spread:steps", "spread:tol", "spread:zero", "spread:top")


def spread_frames(df: pd.DataFrame, tol: float, H: int) -> dict[str, pd.DataFrame]:
    """The data of :func:`spread_and_distinct` by role: the spread frame, the tolerance line, the point that
    carries the "exactly 0" label (none if no spread is exactly 0), and the invisible point at H that ends the
    distinct-units axis."""
    zeros = df[df.status == "exactly 0"]
    return {"spread:steps": df,
            "spread:tol": pd.DataFrame({"tol": [tol], "label": [f"distinct above {tol:g}"]}),
            "spread:zero": zeros.iloc[[len(zeros) // 2]] if len(zeros) else zeros,
            "spread:top": pd.DataFrame({"step": [df["step"].min()], "distinct": [H]})}


def spread_chart(data: dict) -> alt.LayerChart:
    """max ||theta_i - theta_j|| over steps on a log axis; exact zeros sit on the floor, labelled.

    ``data`` maps each of SPREAD_ROLES to a frame (:func:`spread_frames`) or to a placeholder.
    """
    y = alt.Y("shown:Q", scale=alt.Scale(type="log"),
              axis=alt.Axis(title="spread max‖θᵢ − θⱼ‖ (log scale)", format=".0e"))
    x = alt.X("step:Q", title="training step")
    tip = [alt.Tooltip("step:Q"), alt.Tooltip("spread:Q", format=".3g", title="spread"), alt.Tooltip("status:N")]
    line = alt.Chart(data["spread:steps"]).mark_line(color=GOOD, point=alt.OverlayMarkDef(size=18, color=GOOD)
                                                    ).encode(x=x, y=y, tooltip=tip)
    rule = alt.Chart(data["spread:tol"])
    tol_line = rule.mark_rule(color=THEORY, strokeDash=DASH_THEORY).encode(y=alt.Y("tol:Q"))
    tol_text = rule.mark_text(align="left", x=4, dy=-7, color=THEORY).encode(y=alt.Y("tol:Q"), text=alt.Text("label:N"))
    # always a layer, empty when no spread is exactly 0: a layer that came and went would change the spec
    zero = alt.Chart(data["spread:zero"]).mark_text(dy=-10, fontWeight="bold", color=BAD,
                                                    text="exactly 0 (not rounding: equal bits)").encode(x=x, y=y)
    return alt.layer(line, tol_line, tol_text, zero).properties(height=260)


def distinct_chart(data: dict) -> alt.LayerChart:
    """Number of distinct units (within the tolerance) over steps, on an axis from 0 to H.

    The axis ends at H through an invisible point in the data, not a domain in the spec: a spec that stays the
    same when H moves lets the browser swap the data instead of rebuilding the chart.
    """
    x = alt.X("step:Q", title="training step")
    y = alt.Y("distinct:Q", title="distinct hidden units", scale=alt.Scale(zero=True, nice=False))
    top = alt.Chart(data["spread:top"]).mark_point(opacity=0, aria=False).encode(x=x, y=y)
    line = alt.Chart(data["spread:steps"]).mark_line(interpolate="step-after", color=BAD, strokeWidth=2).encode(
        x=x, y=y, tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("distinct:Q")])
    return alt.layer(top, line).properties(height=200)


def spread_and_distinct(data: dict) -> alt.VConcatChart:
    """The spread chart above the distinct-units chart, in one figure with one shared step axis.

    One figure, not two: the two panels read one dataset, and the browser updates one chart per slider move
    instead of two (each chart costs the browser ~15 ms per redraw, whatever it draws).
    """
    # Streamlit pads (does not fit) a vconcat of layers, which would overflow the column: each panel takes the
    # container's width and the whole fits it on x.
    return alt.vconcat(spread_chart(data).properties(width="container"),
                       distinct_chart(data).properties(width="container"), spacing=12).resolve_scale(
        x="shared").properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


@functools.lru_cache(maxsize=1)
def spread_and_distinct_spec() -> dict:
    """:func:`spread_and_distinct` as a template on placeholders, composed once (~70 ms of Altair per setting
    otherwise): ``common.fill(spread_and_distinct_spec(), spread_frames(df, tol, H))``. Do not modify it."""
    return spec(spread_and_distinct(placeholders(SPREAD_ROLES)))


def boundary_frame(x1: np.ndarray, x2: np.ndarray, p: np.ndarray, title: str) -> pd.DataFrame:
    """The decision grid as a tidy frame (x1, x2, p, panel), for the CSV and for boundary_chart."""
    return pd.DataFrame({"x1": x1, "x2": x2, "p": p, "panel": title})


BOUNDARY_ROLES = ("boundary:image", "boundary:legend", "boundary:points")


def boundary_frames(grid: pd.DataFrame, points: pd.DataFrame, n: int) -> dict[str, pd.DataFrame]:
    """The data of :func:`boundary_chart` by role: P(class 1) on the n x n grid as one image spanning the cells
    (orange 0 -> blue 1), two invisible points that give the shading its legend, and the data points.

    ``grid`` is row-major with x1 varying fastest and x2 increasing (core.symmetry.decision_grid). One image,
    so the browser draws one element rather than n² rectangles.
    """
    step1 = (grid.x1.max() - grid.x1.min()) / (n - 1)
    step2 = (grid.x2.max() - grid.x2.min()) / (n - 1)
    lo1, hi1 = grid.x1.min() - step1 / 2, grid.x1.max() + step1 / 2
    lo2, hi2 = grid.x2.min() - step2 / 2, grid.x2.max() + step2 / 2
    field = grid.p.to_numpy().reshape(n, n)[::-1]          # top row = largest x2
    return {"boundary:image": pd.DataFrame({"x1": [lo1], "x2": [lo2], "x1b": [hi1], "x2b": [hi2],
                                            "url": [ramp_image(field, BAD, GOOD, 0.4)]}),
            "boundary:legend": pd.DataFrame({"p": [0.0, 1.0], "x1": [lo1, lo1], "x2": [lo2, lo2]}),
            "boundary:points": points}


def boundary_chart(data: dict) -> alt.LayerChart:
    """The decision map: the shaded image of P(class 1), its legend, and the data (shape = class).

    ``data`` maps each of BOUNDARY_ROLES to a frame (:func:`boundary_frames`) or to a placeholder. The axes
    span the image exactly (its corners are in the data; no nice rounding, no zero): no numbers in the spec,
    and no title (the page writes it above the chart), so the spec stays the same when a control moves and the
    browser swaps the data instead of rebuilding the chart.
    """
    x = alt.X("x1:Q", title="x₁ (standardized)", scale=alt.Scale(nice=False, zero=False))
    y = alt.Y("x2:Q", title="x₂ (standardized)", scale=alt.Scale(nice=False, zero=False))
    # no tooltips but the data points' (Streamlit's theme gives every mark one listing its fields: here the image's
    # corners and its whole data URL, and the invisible legend points' corner)
    heat = alt.Chart(data["boundary:image"]).mark_image(aspect=False, aria=False, tooltip=None).encode(
        x=x, y=y, x2="x1b:Q", y2="x2b:Q", url="url:N")
    legend = alt.Chart(data["boundary:legend"]).mark_point(opacity=0, aria=False, tooltip=None).encode(
        x=x, y=y, color=alt.Color("p:Q", title="P(class 1)",
                                  scale=alt.Scale(domain=[0, 1], range=[BAD, GOOD], interpolate="rgb")))
    classes = alt.Scale(domain=["0", "1"], range=["circle", "triangle-up"])
    dots = alt.Chart(data["boundary:points"]).mark_point(size=30, filled=True, opacity=1, strokeWidth=0.6,
                                                         stroke=THEORY).encode(
        x=x, y=y,
        shape=alt.Shape("class:N", title="class", scale=classes),
        fill=alt.Fill("class:N", scale=alt.Scale(domain=["0", "1"], range=[BAD, GOOD]), legend=None),
        tooltip=[alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"), alt.Tooltip("class:N")],
    )
    return alt.layer(heat, legend, dots).properties(height=300)


@functools.lru_cache(maxsize=1)
def boundary_spec() -> dict:
    """:func:`boundary_chart` as a template on placeholders, composed once (~20 ms of Altair per chart and
    setting otherwise): ``common.fill(boundary_spec(), boundary_frames(grid, points, n))``. Do not modify it."""
    return spec(boundary_chart(placeholders(BOUNDARY_ROLES)))


def eps_chart(points: pd.DataFrame, lines: pd.DataFrame) -> alt.LayerChart:
    """Break-out step vs initial eps (log axis, reversed so smaller eps is to the right), with lines."""
    x = alt.X("eps:Q", scale=alt.Scale(type="log", reverse=True),
              axis=alt.Axis(title="initial weight size ε (log scale)", format=".0e"))
    y = alt.Y("steps:Q", title="steps until spread ≥ δ")
    dots = alt.Chart(points).mark_point(size=80, filled=True, color=GOOD, shape="circle").encode(
        x=x, y=y, tooltip=[alt.Tooltip("eps:Q", format=".0e"), alt.Tooltip("steps:Q")])
    kinds = ["fitted line", "predicted slope"]
    line = alt.Chart(lines).mark_line(strokeWidth=2).encode(
        x=x, y=y,
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=kinds, range=[[1, 0], DASH_THEORY]), legend=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=[GOOD, THEORY]),
                        legend=alt.Legend(orient="top-left")),
    )
    return alt.layer(line, dots).properties(height=300)
