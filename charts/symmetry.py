"""Charts of page 3 (symmetry breaking): tidy frames in, Vega-Lite templates out (cached with
``st.cache_resource``, filled per setting with ``charts.common.fill``). No math here."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from charts.common import BAD, CATEGORICAL, DASH_THEORY, GOOD, THEORY, placeholders, ramp_image, spec


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


# every chart's text alternative: its takeaway, the same for every setting (a changed alt text makes Streamlit
# rebuild the chart instead of swapping its data)
ALT = {
    "paths": "Each hidden unit's incoming weights (w₁, w₂) over training, one path per unit: from a small random "
             "start they move out along one line.",
    "directions": "Each unit's direction as a line through the origin: spread over the circle at the start, "
                  "bunched onto a few lines at the end.",
    "history": "Over training the median |cos| between units climbs towards 1 and the distinct directions fall, "
               "while the count of distinct points stays at H.",
    "boundary": "P(class 1) after training, shaded over the data; the boundary is where the shading changes colour.",
    "sweep": "Training accuracy (top) and median |cos| between units (bottom): small σ condenses the units onto one "
             "direction and stalls at constant init's accuracy; σ near 1 keeps their directions apart.",
    "penalty": "Accuracy (top) and median |cos| (bottom) against the penalty strength λ on a small random start: "
               "with the penalty the units no longer condense and the accuracy rises.",
    "eps": "Break-out steps grow linearly in log(1/ε): a fixed number of extra steps per factor 10 smaller ε.",
}

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


@st.cache_resource(show_spinner=False)
def weight_paths_spec() -> dict:
    """:func:`weight_paths` as a template on placeholders, composed once: ``common.fill(weight_paths_spec(),
    paths_frames(paths, labels))``. Shared by every session: do not modify it."""
    return spec(weight_paths(placeholders(PATH_ROLES)))


DIRECTION_ROLES = ("dir:circle", "dir:lines")
DIRECTIONS_SIZE = 260                        # the circle's square plotting area, px
DIRECTIONS_BOX = DIRECTIONS_SIZE + 60        # with its axes' labels and titles


def circle_frame(n: int = 73) -> pd.DataFrame:
    """The unit circle as a closed path: order, x, y."""
    a = np.linspace(0, 2 * np.pi, n)
    return pd.DataFrame({"order": np.arange(n), "x": np.cos(a), "y": np.sin(a)})


def directions_frame(W_start: np.ndarray, W_end: np.ndarray, start_radius: float = 0.6) -> pd.DataFrame:
    """Each unit's direction as a segment through the origin, from -r u to +r u (u = w / ||w||; a unit and its
    negative point along the same line, as |cos| counts them): unit, when, x, y, x2, y2. The end's segments reach
    the circle (r = 1), the start's stop at ``start_radius``. W (2, H); an all-zero unit has no direction and no
    segment."""
    rows = []
    for when, W, r in (("start", W_start, start_radius), ("end", W_end, 1.0)):
        norm = np.linalg.norm(W, axis=0)
        for j in np.flatnonzero(np.isfinite(norm) & (norm > 0)):
            u = r * W[:, j] / norm[j]
            rows.append({"unit": int(j) + 1, "when": when, "x": -u[0], "y": -u[1], "x2": u[0], "y2": u[1]})
    return pd.DataFrame(rows, columns=["unit", "when", "x", "y", "x2", "y2"])


def directions_chart(data: dict) -> alt.LayerChart:
    """The units' directions in the plane of (w1, w2): a thin dashed segment per unit at the start (inside),
    a solid one at the end (to the circle); the same colour per unit as :func:`weight_paths`."""
    x = alt.X("x:Q", title="w₁ / ‖w‖", scale=alt.Scale(domain=[-1.05, 1.05], nice=False))
    y = alt.Y("y:Q", title="w₂ / ‖w‖", scale=alt.Scale(domain=[-1.05, 1.05], nice=False))
    circle = alt.Chart(data["dir:circle"]).mark_line(color=THEORY, strokeWidth=1, aria=False, tooltip=None).encode(
        x=x, y=y, order="order:Q")
    colour = alt.Color("unit:N", title="hidden unit", scale=alt.Scale(range=CATEGORICAL), legend=None)
    segs = alt.Chart(data["dir:lines"]).mark_rule(strokeWidth=2).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q", color=colour,
        strokeDash=alt.StrokeDash("when:N", title=None, scale=alt.Scale(domain=["start", "end"],
                                                                       range=[DASH_THEORY, [1, 0]])),
        opacity=alt.Opacity("when:N", scale=alt.Scale(domain=["start", "end"], range=[0.55, 0.95]), legend=None),
        tooltip=[alt.Tooltip("unit:N"), alt.Tooltip("when:N")])
    return alt.layer(circle, segs).properties(height=DIRECTIONS_SIZE, width=DIRECTIONS_SIZE)


@st.cache_resource(show_spinner=False)
def directions_spec() -> dict:
    """:func:`directions_chart` as a template: ``fill(directions_spec(), {"dir:circle": circle_frame(),
    "dir:lines": directions_frame(W0, W1)})``."""
    return spec(directions_chart(placeholders(DIRECTION_ROLES)))


def directions_frames(W_start: np.ndarray, W_end: np.ndarray) -> dict[str, pd.DataFrame]:
    return {"dir:circle": circle_frame(), "dir:lines": directions_frame(W_start, W_end)}


HISTORY_ROLES = ("hist:median", "hist:count", "hist:top")
COUNTS = ("distinct directions (within 5°)", "distinct points (farther than 10⁻³)")


def history_frames(steps, median, directions, distinct, H: int) -> dict[str, pd.DataFrame]:
    """Over training: the median |cos| (one row per record), the two counts in long form (measure, count),
    and an invisible point at H that ends the count axis (the spec keeps no number that moves with H)."""
    steps = np.asarray(steps)
    med = pd.DataFrame({"step": steps, "median": np.asarray(median, dtype=float)})
    count = pd.DataFrame({"step": np.concatenate([steps, steps]),
                          "measure": np.repeat(COUNTS, len(steps)),
                          "count": np.concatenate([np.asarray(directions, dtype=float),
                                                   np.asarray(distinct, dtype=float)])})
    ok = np.isfinite(med["median"])
    return {"hist:median": med[ok], "hist:count": count[np.isfinite(count["count"])],
            "hist:top": pd.DataFrame({"step": [int(steps.min())], "count": [float(H)]})}


def history_chart(data: dict) -> alt.VConcatChart:
    """Median |cos| between units over training (top, 0 to 1) and the two counts of distinct units (bottom)."""
    x = alt.X("step:Q", title="training step")
    top = alt.Chart(data["hist:median"]).mark_line(color=GOOD, strokeWidth=2).encode(
        x=x, y=alt.Y("median:Q", title="median |cos| between units", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("median:Q", format=".5f")])
    y = alt.Y("count:Q", title="distinct units", scale=alt.Scale(zero=True, nice=False))
    ceiling = alt.Chart(data["hist:top"]).mark_point(opacity=0, aria=False, tooltip=None).encode(x=x, y=y)
    counts = alt.Chart(data["hist:count"]).mark_line(strokeWidth=2, interpolate="step-after").encode(
        x=x, y=y,
        color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=list(COUNTS), range=[BAD, THEORY]),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
        strokeDash=alt.StrokeDash("measure:N", scale=alt.Scale(domain=list(COUNTS), range=[[1, 0], DASH_THEORY]),
                                  legend=None),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("measure:N"), alt.Tooltip("count:Q", format=".2f")])
    return alt.vconcat(top.properties(height=170, width="container"),
                       alt.layer(ceiling, counts).properties(height=170, width="container"),
                       spacing=10).resolve_scale(x="shared").properties(
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


@st.cache_resource(show_spinner=False)
def history_spec() -> dict:
    return spec(history_chart(placeholders(HISTORY_ROLES)))


SWEEP_ROLES = ("sw:runs", "sw:mean", "sw:ref")


def sweep_frames(runs: pd.DataFrame, reference: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """``runs``: one row per run with x, group, run, accuracy, median. The mean over runs per (x, group) is drawn
    as a line; ``reference`` (label, accuracy, median; may be empty) as dashed horizontal rules."""
    mean = runs.groupby(["group", "x"], as_index=False, sort=True)[["accuracy", "median"]].mean()
    ref = reference if reference is not None else pd.DataFrame({"label": [], "accuracy": [], "median": []})
    return {"sw:runs": runs, "sw:mean": mean, "sw:ref": ref}


def sweep_chart(data: dict, x_title: str, scale: str, groups: tuple[str, ...],
                ticks: tuple[float, ...] = ()) -> alt.VConcatChart:
    """Accuracy (top) and median |cos| (bottom) against x: a point per run, the mean over runs as a line, and
    the reference as a dashed rule. ``scale``: "log", "symlog" (shows 0) or "linear"; ``groups`` the colours'
    domain (one colour per group); ``ticks``: the x values to label (Vega's own ticks on a symlog axis are not
    the values swept)."""
    sc = alt.Scale(type=scale, constant=1e-3, nice=False) if scale == "symlog" else alt.Scale(type=scale, nice=False)
    x = alt.X("x:Q", title=x_title + (" (log scale)" if scale != "linear" else ""), scale=sc,
              axis=alt.Axis(format="~g" if scale != "log" else "~e", **({"values": list(ticks)} if ticks else {})))
    colour = alt.Color("group:N", title=None, scale=alt.Scale(domain=list(groups), range=CATEGORICAL),
                       legend=alt.Legend(orient="bottom", labelLimit=0) if len(groups) > 1 else None)

    def panel(field: str, title: str):
        y = alt.Y(f"{field}:Q", title=title, scale=alt.Scale(zero=False))
        tip = [alt.Tooltip("x:Q", format=".3g"), alt.Tooltip("group:N"), alt.Tooltip(f"{field}:Q", format=".4f")]
        pts = alt.Chart(data["sw:runs"]).mark_point(size=28, opacity=0.7).encode(
            x=x, y=y, color=colour, tooltip=[*tip, alt.Tooltip("run:N")])
        line = alt.Chart(data["sw:mean"]).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, tooltip=tip)
        ref = alt.Chart(data["sw:ref"])
        rule = ref.mark_rule(color=THEORY, strokeDash=DASH_THEORY).encode(y=alt.Y(f"{field}:Q"))
        text = ref.mark_text(align="left", x=4, dy=-7, color=THEORY).encode(y=alt.Y(f"{field}:Q"), text="label:N")
        return alt.layer(pts, line, rule, text).properties(height=190, width="container")

    return alt.vconcat(panel("accuracy", "training accuracy"), panel("median", "median |cos| between units"),
                       spacing=10).resolve_scale(x="shared").properties(
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


@st.cache_resource(show_spinner=False)
def sweep_spec(x_title: str, scale: str, groups: tuple[str, ...], ticks: tuple[float, ...] = ()) -> dict:
    """:func:`sweep_chart` as a template, composed once per axis and set of groups."""
    return spec(sweep_chart(placeholders(SWEEP_ROLES), x_title, scale, groups, ticks))


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


@st.cache_resource(show_spinner=False)
def boundary_spec() -> dict:
    """:func:`boundary_chart` as a template on placeholders, composed once (~20 ms of Altair per chart and
    setting otherwise): ``common.fill(boundary_spec(), boundary_frames(grid, points, n))``. Do not modify it."""
    return spec(boundary_chart(placeholders(BOUNDARY_ROLES)))


EPS_ROLES = ("eps:points", "eps:lines")
EPS_KINDS = ("fitted line", "predicted slope")


def eps_frames(points: pd.DataFrame, lines: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """points: eps, steps, median (|cos| at the break-out); lines: eps, steps, kind (EPS_KINDS)."""
    return {"eps:points": points, "eps:lines": lines}


def eps_chart(data: dict) -> alt.LayerChart:
    """Break-out step vs initial eps (log axis, reversed so smaller eps is to the right), with lines."""
    x = alt.X("eps:Q", scale=alt.Scale(type="log", reverse=True),
              axis=alt.Axis(title="initial weight size ε (log scale)", format=".0e"))
    y = alt.Y("steps:Q", title="steps until spread ≥ δ")
    dots = alt.Chart(data["eps:points"]).mark_point(size=80, filled=True, color=GOOD, shape="circle").encode(
        x=x, y=y, tooltip=[alt.Tooltip("eps:Q", format=".0e"), alt.Tooltip("steps:Q"),
                           alt.Tooltip("median:Q", format=".10f", title="median |cos| then")])
    line = alt.Chart(data["eps:lines"]).mark_line(strokeWidth=2).encode(
        x=x, y=y,
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=list(EPS_KINDS), range=[[1, 0], DASH_THEORY]),
                                  legend=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=list(EPS_KINDS), range=[GOOD, THEORY]),
                        legend=alt.Legend(orient="top-left")),
    )
    return alt.layer(line, dots).properties(height=300)


@st.cache_resource(show_spinner=False)
def eps_spec() -> dict:
    return spec(eps_chart(placeholders(EPS_ROLES)))
