"""Charts for page 1 (loss surface): results -> tidy frames -> Vega-Lite specs (templates composed once)."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from charts.common import (
    ACCENT,
    BAD,
    DASH_THEORY,
    GOOD,
    THEORY,
    finite_frame,
    log_axis,
    pin_for_log,
    placeholders,
    ramp_image,
    spec,
)
from core import loss_surface as ls

START = "start"          # the point selection a click on the map sets (read by the page)
REPLAY = "replay"        # the client-side step scrubber
CLICK_CELLS = 32         # click targets per side of the view
# The map's plotting area in px (a square; the axes add ~70 px): on a phone's screen, 390 px wide or less, the
# desktop size would not fit its column (427 px in 358) and the map would scroll sideways inside its box.
MAP_SIZE, MAP_SIZE_PHONE = 360, 260
MAP_AXES = 80  # px for the map's axes and labels in its box, with a margin (427 px drawn at MAP_SIZE)
SHADE = ("#f7fbff", "#08306b")   # the ends of Vega's "blues" scheme: low to high loss


BOX = "surface_view_box"  # a one-row dataset with the view's corners: x0, x1, y0, y1
# The axes' ranges are read from that dataset in the browser, not written into the spec as numbers: a spec that
# stays the same when a slider moves lets Streamlit swap the data in place instead of rebuilding the chart.
X_DOMAIN = alt.ExprRef(expr=f"[data('{BOX}')[0].x0, data('{BOX}')[0].x1]")
Y_DOMAIN = alt.ExprRef(expr=f"[data('{BOX}')[0].y0, data('{BOX}')[0].y1]")


def box_frame(domain: tuple[tuple[float, float], tuple[float, float]]) -> pd.DataFrame:
    """The view's corners as the one-row frame the chart's axes read (pass it to ``spec`` as BOX)."""
    (x0, x1), (y0, y1) = domain
    return pd.DataFrame({"x0": [float(x0)], "x1": [float(x1)], "y0": [float(y0)], "y1": [float(y1)]})


def _xy(x: str = "w1", y: str = "w2"):
    """Position channels on the shared view: every layer's scale reads its range from BOX."""
    return (alt.X(f"{x}:Q", scale=alt.Scale(domain=X_DOMAIN, nice=False, zero=False),
                  title="w₁ (weight on feature 1)"),
            alt.Y(f"{y}:Q", scale=alt.Scale(domain=Y_DOMAIN, nice=False, zero=False),
                  title="w₂ (weight on feature 2)"))


@st.cache_resource(show_spinner=False)
def click_frame(n: int = CLICK_CELLS) -> pd.DataFrame:
    """Click targets: an ``n x n`` grid of cells tiling the view's unit square (do not modify the frame).

    ``u, v`` are a cell's centre (``(0, 0)`` is the view's lower left corner), ``u_lo ... v_hi`` its edges;
    ``k`` (0 in every row) joins each cell to the one row of :func:`click_count_frame`. The frame is the same for
    every view and every click, so the browser keeps these 1,024 marks as they are; the page maps a click into
    weights with the view that was clicked (``core.loss_surface.start_from_selection(..., domain=...)``).
    """
    edges = np.linspace(0.0, 1.0, n + 1)
    lo_u, lo_v = np.meshgrid(edges[:-1], edges[:-1], indexing="ij")
    lo_u, lo_v = lo_u.ravel().round(6), lo_v.ravel().round(6)
    return pd.DataFrame({"u": (lo_u + 0.5 / n).round(6), "v": (lo_v + 0.5 / n).round(6),
                         "u_lo": lo_u, "u_hi": (lo_u + 1 / n).round(6), "v_lo": lo_v, "v_hi": (lo_v + 1 / n).round(6),
                         "k": 0})


def click_count_frame(clicks: int) -> pd.DataFrame:
    """One row, ``k`` = 0 and ``gen`` = the clicks handled so far, looked up into every click target: so a click
    on the same cell as the previous one still differs from it (Streamlit drops a selection equal to the last
    one, and the same cell is another weight once the view has moved). A row of its own, not a column of the
    targets: re-sent with every click, the 1,024 targets cost the browser ~50 ms more per click."""
    return pd.DataFrame({"k": [0], "gen": [int(clicks)]})


def replay_end(steps: int) -> int:
    """The replay scrubber's end: the first of 10, 20, 50, 100, 200, 500, ... that is at least ``steps``.

    It is part of the chart's spec, and Streamlit's browser rebuilds a chart whose spec changed (the whole
    20-layer map, ~+0.3x the bare app's key press) instead of swapping its data: so the end moves in these jumps,
    not with every Steps move. Past the path's last step the scrubber shows the whole path.
    """
    end = 10
    while end < steps:
        end = end * 5 // 2 if str(end)[0] == "2" else end * 2
    return end


@dataclass(frozen=True, eq=False)
class Background:
    """What the map draws under the path, for one surface and view (``experiments.loss_surface.map_base``):
    nothing here depends on the start, so a click inside the view reuses it.

    shade: (cells, cells) the log loss gap over the view in [0, 1], row 0 at the top; ellipses: contour lines,
    each (k, 2); curv, w_star: the surface and its minimum; radius: half the view's side; field: (points,
    gradients) of the gradient field, or None when it is off.
    """

    shade: np.ndarray
    ellipses: list[np.ndarray]
    curv: ls.Curvature
    w_star: np.ndarray
    radius: float
    field: tuple[np.ndarray, np.ndarray] | None


def contours_frame(bg: Background, start: np.ndarray | None) -> pd.DataFrame:
    """Every contour line as rows (level, kind, i, w1, w2); ``start``, the start's contour (k, 2) or None at the
    minimum, is dashed ("start's contour")."""
    lines = [(e, "contour") for e in bg.ellipses] + ([(start, "start's contour")] if start is not None else [])
    return pd.concat([pd.DataFrame({"level": k, "kind": kind, "i": np.arange(len(e)), "w1": e[:, 0],
                                    "w2": e[:, 1]}) for k, (e, kind) in enumerate(lines)])


def axes_frame(bg: Background, w0: np.ndarray) -> pd.DataFrame:
    """The Hessian's eigenvectors through w* as dashed lines, labelled on the side away from the start w0."""
    rows, r = [], bg.radius
    for i, (name, sym) in enumerate([("shallow", "λmin"), ("steep", "λmax")]):
        v = bg.curv.eigenvectors[:, i]
        v = v * (-1.0 if v @ (w0 - bg.w_star) > 0 else 1.0)
        lam = bg.curv.eigenvalues[i]
        for t, label in [(-1.5 * r, None), (0.5 * r, f"{sym} = {lam:.3g}"), (1.5 * r, None)]:
            rows.append({"axis": name, "w1": bg.w_star[0] + t * v[0], "w2": bg.w_star[1] + t * v[1], "label": label})
    return pd.DataFrame(rows)


def arrow_frame(P: np.ndarray, D: np.ndarray, length: float | None = None, kind: str | None = None):
    """Segments from points P along D (rescaled to ``length`` when given); ``angle`` turns a triangle-up head."""
    norm = np.linalg.norm(D, axis=1, keepdims=True)
    ok = norm[:, 0] > 0
    P, D, norm = P[ok], D[ok], norm[ok]
    if length is not None:
        D = D / norm * length
    df = pd.DataFrame({"w1": P[:, 0], "w2": P[:, 1], "w1_end": P[:, 0] + D[:, 0], "w2_end": P[:, 1] + D[:, 1],
                       "angle": np.degrees(np.arctan2(D[:, 0], D[:, 1]))})
    return df.assign(kind=kind) if kind else df


def spread_frame(w0: np.ndarray, mini_steps: np.ndarray, full_step: np.ndarray) -> pd.DataFrame:
    """SGD's possible first steps from ``w0`` (one per mini-batch, -η g_B) and the full-batch step (-η g)."""
    return pd.concat([arrow_frame(np.tile(w0, (len(mini_steps), 1)), -mini_steps, kind="mini-batch"),
                      arrow_frame(w0[None, :], -full_step[None, :], kind="full")])


def path_frame(weights: np.ndarray, losses: np.ndarray, center: np.ndarray, radius: float) -> pd.DataFrame:
    """The finite part of the path, cut just after it leaves the view (so a diverging run draws sanely);
    ``last`` is the path's final t, in every row."""
    df = finite_frame(pd.DataFrame({"t": np.arange(len(losses)), "w1": weights[:, 0], "w2": weights[:, 1],
                                    "loss": losses}), ["w1", "w2", "loss"])
    far = np.flatnonzero(np.max(np.abs(df[["w1", "w2"]].to_numpy() - center), axis=1) > 3 * radius)
    df = df.iloc[: far[0] + 1] if far.size else df
    return df.assign(last=df["t"].max() if len(df) else 0)


def error_frame(theory: np.ndarray, measured: np.ndarray) -> pd.DataFrame:
    """|error| along each eigenvector per step, theory and measured (columns 1: steep, 0: shallow), pinned for a
    log axis; values below 1e-10 of the largest start are float round-off, not the theory, and are left out."""
    names = ["v1 (steep, λmax)", "v2 (shallow, λmin)"]
    floor = 1e-10 * max(float(np.max(np.abs(theory[0]))), 1e-300)
    frames = []
    for src, E in [("theory", theory), ("measured", measured)]:
        for j, col in enumerate([1, 0]):                      # eigenvalues are ascending: column 1 is λmax
            err = np.abs(E[:, col])
            pinned, status = pin_for_log(err)
            frames.append(pd.DataFrame({"t": np.arange(len(err)), "direction": names[j], "source": src,
                                        "error": pinned, "status": status, "raw": err}))
    df = pd.concat(frames)
    keep = np.isfinite(df["raw"]) & (df["raw"] >= floor)
    return df[keep].drop(columns="raw")


# The arrow layers are always there, empty when off: a layer that came and went changed the spec, and the
# browser rebuilt the whole map. Datasets are named by their content, so each empty frame gets a column of its
# own: identical empty frames would share one dataset and change the number of datasets.
_ARROW_COLS = ["w1", "w2", "w1_end", "w2_end", "angle"]


def _empty(extra: str) -> pd.DataFrame:
    return pd.DataFrame(columns=[*_ARROW_COLS, extra]).astype(dict.fromkeys(_ARROW_COLS, float))


def base_frames(bg: Background) -> dict[str, pd.DataFrame]:
    """The map's data that do not depend on the start, by role (:func:`surface_chart`): the shading, the click
    targets (:func:`click_frame`, the same for every view), the gradient field and w*."""
    arrows = (arrow_frame(bg.field[0], -bg.field[1], length=0.45 * 2 * bg.radius / 8) if bg.field is not None
              else _empty("field"))
    return {
        "surface:image": pd.DataFrame({"u_lo": [0.0], "u_hi": [1.0], "v_lo": [0.0], "v_hi": [1.0],
                                       "url": [ramp_image(bg.shade, *SHADE, 0.4)]}),
        "surface:clicks": click_frame(),
        "surface:field": arrows if len(arrows) else _empty("field"),
        "surface:w_star": pd.DataFrame({"w1": [bg.w_star[0]], "w2": [bg.w_star[1]], "label": ["w*"]}),
    }


def surface_frames(bg: Background, w0: np.ndarray, start: np.ndarray | None, spread: pd.DataFrame,
                   path: pd.DataFrame, clicks: int = 0) -> dict[str, pd.DataFrame]:
    """The rest of the map's data, by role: what the start ``w0`` changes. ``start``: its contour (see
    :func:`contours_frame`); ``path``: :func:`path_frame`; ``spread``: :func:`spread_frame` or empty;
    ``clicks``: the clicks handled so far. With :func:`base_frames`, every role the map reads
    (``common.fill`` puts them in)."""
    spread = spread if len(spread) else _empty("kind")
    mini = spread[spread["kind"] != "full"]
    full = spread[spread["kind"] == "full"].drop(columns="kind").assign(full=True)
    axes = axes_frame(bg, w0)
    return {
        "surface:click_count": click_count_frame(clicks),
        "surface:contours": contours_frame(bg, start),
        "surface:axes": axes,
        "surface:axis_labels": axes.dropna(subset=["label"]),
        "surface:mini": mini if len(mini) else _empty("kind"),
        "surface:full": full if len(full) else _empty("full"),
        "surface:path": path,
        "surface:start": path.head(1),
    }


def click_to_weights(selection, domain, *, low: float, high: float, decimals: int = 2) -> np.ndarray | None:
    """A click on the map as a new start ``w0``, or None when the click carries none.

    ``selection`` is what the chart reports, ``{START: [{"u": .., "v": .., "gen": ..}]}``: the clicked cell's
    centre in the unit square of the view ``domain = ((x0, x1), (y0, y1))`` that was clicked, (0, 0) at its lower
    left corner. The start is clipped into ``[low, high]`` and rounded to the number inputs' precision.
    """
    try:
        point = selection[START][0]
        u, v = float(point["u"]), float(point["v"])
        (x0, x1), (y0, y1) = domain
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not (0 <= u <= 1 and 0 <= v <= 1):
        return None
    w0 = np.array([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])
    return np.round(np.clip(w0, low, high), decimals) if np.all(np.isfinite(w0)) else None


@st.cache_resource(show_spinner=False)
def surface_spec(end: int, size: int = MAP_SIZE) -> dict:
    """The map as a Vega-Lite template (``spec`` of :func:`surface_chart`), composed once per replay end
    (:func:`replay_end`) and size: fill it with the frames of :func:`base_frames` and :func:`surface_frames`
    and ``fixed={BOX: box_frame(domain)}`` (``common.fill``). Shared by every session: do not modify it
    (``fill`` makes a new one)."""
    return spec(surface_chart(end, size))


def surface_chart(end: int, size: int = MAP_SIZE) -> alt.LayerChart:
    """Contours, eigen-axes, gradient arrows, the path with a replay scrubber (0 to ``end``), over a clickable
    shading; every layer reads its data by role (:func:`base_frames`, :func:`surface_frames`), the axes' span from BOX.

    Width equals height and the two domains have the same span, so a circle in weight space is drawn as a
    circle. Clicking a cell sets the point selection ``START`` to its ``u, v, gen``.
    """
    def data(role: str) -> alt.Chart:
        return alt.Chart(alt.NamedData(name=f"surface:{role}"))

    x, y = _xy()
    # "touchstart" for phones: a tap sends no pointermove, and Vega gives a click the item it last saw a
    # pointermove over (none); a touchstart gets the item under the finger.
    pick = alt.selection_point(name=START, fields=["u", "v", "gen"], on="touchstart, click", clear=False,
                               empty=False)
    replay = alt.param(name=REPLAY, value=end, bind=alt.binding_range(min=0, max=end, step=1, name="replay: step "))
    unit = alt.Scale(domain=[0, 1], nice=False, zero=False)
    ux, uy = alt.X("u_lo:Q", scale=unit, axis=None), alt.Y("v_lo:Q", scale=unit, axis=None)
    background = data("image").mark_image(aspect=False, aria=False, tooltip=None).encode(
        x=ux, y=uy, x2="u_hi:Q", y2="v_hi:Q", url="url:N")
    # On top of everything: a click on the path or on an arrow must set the start too (Vega gives a click to the
    # topmost item under it). Transparent, but filled: Vega picks an item by its fill, not its opacity.
    # No tooltip (Streamlit's theme gives every mark one listing its fields): besides saying nothing to a
    # learner, it stayed where the last pointermove put it while the map's data were swapped, and a click that
    # landed on it never reached the map (one click in three was lost).
    targets = data("clicks").transform_lookup(
        lookup="k", from_=alt.LookupData(data=alt.NamedData(name="surface:click_count"), key="k", fields=["gen"]),
    ).mark_rect(opacity=0, aria=False, tooltip=None).encode(x=ux, y=uy, x2="u_hi:Q", y2="v_hi:Q").add_params(pick)
    lines = data("contours").mark_line(clip=True, strokeWidth=1, aria=False).encode(
        x=x, y=y, order="i:Q", detail="level:N",
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=["contour", "start's contour"],
                                                            range=[[1, 0], [5, 3]]),
                                  legend=alt.Legend(title=None, orient="top")),
        color=alt.Color("kind:N", scale=alt.Scale(domain=["contour", "start's contour"],
                                                  range=[THEORY, BAD]), legend=None),
    )
    eig = data("axes").mark_line(
        clip=True, strokeDash=DASH_THEORY, strokeWidth=1.5, color=THEORY, aria=False,
    ).encode(x=x, y=y, detail="axis:N")
    eig_text = data("axis_labels").mark_text(
        clip=True, align="left", dx=4, dy=-8, fontSize=13, fontWeight="bold", color=THEORY,
    ).encode(x=x, y=y, text="label:N")
    corners = alt.Chart(alt.NamedData(name=BOX)).mark_point(opacity=0, aria=False).encode(*_xy("x0", "y0"))
    layers = [corners, lines, eig, eig_text]
    layers += _arrows(data("field"), THEORY, 1.2)
    layers += _arrows(data("mini"), ACCENT, 1.0)
    layers += _arrows(data("full"), ACCENT, 3.5, head=90)
    trail = data("path").transform_filter(f"datum.t <= {REPLAY}")
    # the circle marks the replayed step, or the path's last one while the scrubber is past it (``last``: the
    # path's final t, a column of the data, so that the spec does not change with it)
    layers += [
        trail.mark_line(clip=True, color=BAD, strokeWidth=2).encode(x=x, y=y, order="t:Q"),
        trail.mark_circle(clip=True, color=BAD, size=28, opacity=1).encode(x=x, y=y),
        data("path").transform_filter(f"datum.t == min({REPLAY}, datum.last)").mark_point(
            clip=True, color=BAD, size=220, shape="circle", strokeWidth=2.5, filled=False).encode(x=x, y=y),
        data("start").mark_point(clip=True, color=BAD, size=160, shape="square", filled=True).encode(x=x, y=y),
        data("w_star").mark_point(shape="cross", size=260, filled=True, color=ACCENT).encode(x=x, y=y),
        data("w_star").mark_text(dx=10, dy=12, fontSize=13, fontWeight="bold", color=ACCENT)
        .encode(x=x, y=y, text="label:N"),
    ]
    # The shading and the click targets live in the unit square, on scales of their own (both [0, 1]); everything
    # else shares the weight-space scales.
    # "pad" keeps the plotting area exactly size x size (Streamlit's default "fit" squeezes it by the axes).
    return (alt.layer(background, alt.layer(*layers), targets).resolve_scale(x="independent", y="independent")
            .add_params(replay)
            .properties(width=size, height=size, autosize=alt.AutoSizeParams(type="pad", contains="padding")))


def _arrows(base: alt.Chart, color: str, width: float, head: int = 40) -> list:
    """Segments from (w1, w2) to (w1_end, w2_end) with a triangle head rotated by ``angle`` (degrees)."""
    x, y = _xy()
    x_end, y_end = _xy("w1_end", "w2_end")
    seg = base.mark_rule(clip=True, color=color, strokeWidth=width, opacity=0.85, aria=False).encode(
        x=x, y=y, x2="w1_end:Q", y2="w2_end:Q")
    tip = base.mark_point(clip=True, shape="triangle-up", filled=True, size=head, color=color,
                          opacity=0.85, aria=False).encode(
        x=x_end, y=y_end, angle=alt.Angle("angle:Q", scale=None))
    return [seg, tip]


ERROR_ROLES = ("error:theory", "error:measured")


def eigen_error_frames(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The data of :func:`eigen_error_chart` by role: the theory rows and the measured rows of ``df``."""
    return {"error:theory": df[df["source"] == "theory"], "error:measured": df[df["source"] == "measured"]}


def directions(df: pd.DataFrame) -> tuple[str, ...]:
    """The eigen-directions ``df`` holds, in order of appearance: what the colour and shape scales map."""
    return tuple(dict.fromkeys(df["direction"]))


def eigen_error_chart(data: dict, dirs: tuple[str, ...]) -> alt.LayerChart:
    """|error| along each eigenvector vs step: theory line (dashed) and measured points, log y.

    ``data`` maps each of ERROR_ROLES to a frame (:func:`eigen_error_frames`) or to a placeholder; the frames'
    columns: ``t``, ``direction`` (one of ``dirs``), ``source`` ("theory" or "measured"), ``error`` (already
    pinned for the log axis) and ``status`` ("ok", "underflow" or "overflow").
    """
    dirs = list(dirs)
    color = alt.Color("direction:N", scale=alt.Scale(domain=dirs, range=[BAD, GOOD][: len(dirs)]),
                      legend=alt.Legend(title=None, orient="top", labelLimit=320))
    x = alt.X("t:Q", title="step t")
    y = alt.Y("error:Q", scale=alt.Scale(type="log"), axis=log_axis("|error along the eigenvector|"))
    line = alt.Chart(data["error:theory"]).mark_line(strokeDash=DASH_THEORY, strokeWidth=2).encode(
        x=x, y=y, color=color, detail="direction:N")
    pts = alt.Chart(data["error:measured"]).mark_point(filled=True, size=36).encode(
        x=x, y=y, color=color, shape=alt.Shape("direction:N", scale=alt.Scale(
            domain=dirs, range=["circle", "square"][: len(dirs)]), legend=None),
        tooltip=[alt.Tooltip("t:Q", title="step"), "direction:N", alt.Tooltip("error:Q", format=".3g"),
                 "status:N"])
    return alt.layer(line, pts).properties(height=300)


@st.cache_resource(show_spinner=False)
def eigen_error_spec(dirs: tuple[str, ...]) -> dict:
    """:func:`eigen_error_chart` as a template on placeholders, composed once per set of directions:
    ``common.fill(eigen_error_spec(directions(df)), eigen_error_frames(df))``. Do not modify it."""
    return spec(eigen_error_chart(placeholders(ERROR_ROLES), dirs))
