"""Charts for page 4 (initialization variance): tidy DataFrames -> Altair charts (experiments/init_variance.py
turns them into specs once per setting, inside its cached functions)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from charts.common import ACCENT, BAD, CATEGORICAL, DASH_THEORY, GOOD, THEORY, log_axis, placeholders, scale, spec

HEIGHT = 300
SERIES = ["measured", "predicted"]
QUANTITIES = ["forward Var(zₗ)", "backward Var(∂L/∂zₗ)"]
STROKE_LEGEND = {"symbolType": "stroke", "symbolStrokeWidth": 3, "labelLimit": 320}


def histogram(df: pd.DataFrame, x_title: str, *, color: str = GOOD, pred: pd.DataFrame | None = None,
              height: int = 220) -> alt.LayerChart | alt.Chart:
    """Bars of a density histogram (columns center, density, width); ``pred`` (x, density) as a dashed line."""
    bars = alt.Chart(df).transform_calculate(
        lo="datum.center - datum.width / 2", hi="datum.center + datum.width / 2"
    ).mark_rect(color=color, opacity=0.75).encode(
        x=alt.X("lo:Q", title=x_title), x2="hi:Q", y=alt.Y("density:Q", title="density"),
        tooltip=[alt.Tooltip("center:Q", format=".3g", title="bin centre"),
                 alt.Tooltip("density:Q", format=".3g")],
    )  # fmt: skip
    if pred is None:
        return bars.properties(height=height)
    line = alt.Chart(pred).mark_line(color=THEORY, strokeDash=DASH_THEORY, strokeWidth=2.5).encode(
        x="x:Q", y="density:Q")
    return (bars + line).properties(height=height)


def fan_in_variance(df: pd.DataFrame) -> alt.LayerChart:
    """Var(z) against n (log-log): measured points and predicted dashed lines for the two std rules.

    df: n, var, series ("measured"/"predicted"), rule ("std fixed"/"std = σ/√n").
    """
    base = alt.Chart(df).encode(
        x=alt.X("n:Q", scale=alt.Scale(type="log"), axis=log_axis("fan-in n")),
        y=alt.Y("var:Q", scale=alt.Scale(type="log"), axis=log_axis("Var(z)")),
        color=alt.Color("rule:N", scale=scale(["std fixed", "std = σ/√n"], [BAD, GOOD]), title="weight std"),
    )
    pts = base.transform_filter("datum.series == 'measured'").mark_point(filled=True, size=50).encode(
        shape=alt.Shape("rule:N", title="weight std"),
        tooltip=["rule:N", "n:Q", alt.Tooltip("var:Q", format=".3g")])
    line = base.transform_filter("datum.series == 'predicted'").mark_line(strokeDash=DASH_THEORY)
    return (line + pts).properties(height=HEIGHT)


def layer_variance(df: pd.DataFrame, y_title: str) -> alt.LayerChart:
    """Per-layer variances on one log axis: forward and backward in two colours, each measured (solid, points)
    and predicted (dashed, same colour); values past the chart's range are pinned to its edge and labelled
    "overflow"/"underflow" instead of disappearing.

    df: layer, value (already pinned), quantity (QUANTITIES), series ("measured"/"predicted"), status
    ("ok"/"overflow"/"underflow").
    """
    # tickCount: decades only (the minor 2…9 gridlines of a range of many decades drew a solid band)
    y = alt.Y("value:Q", scale=alt.Scale(type="log"), axis=alt.Axis(title=f"{y_title} (log scale)", tickCount=6))
    base = alt.Chart(df).encode(
        x=alt.X("layer:Q", title="layer l", axis=alt.Axis(tickMinStep=1)), y=y,
        color=alt.Color("quantity:N", scale=scale(QUANTITIES, [GOOD, ACCENT]),
                        title="solid: measured · dashed: predicted",
                        legend=alt.Legend(orient="bottom", titleFontWeight="normal", titleLimit=400, columns=1,
                                          **STROKE_LEGEND)),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=SERIES, range=[[1, 0], DASH_THEORY]),
                                  legend=None),
        detail="series:N",
        tooltip=["quantity:N", "layer:Q", "series:N", alt.Tooltip("value:Q", format=".3g"), "status:N"],
    )
    lines = base.mark_line(strokeWidth=2)
    pts = base.transform_filter("datum.series == 'measured' && datum.status == 'ok'").mark_point(
        filled=True, size=30)
    # A pinned measurement is a triangle pointing off the axis; the first one of each run is labelled in words.
    pinned = base.transform_filter("datum.series == 'measured' && datum.status != 'ok'").mark_point(
        filled=True, size=70).encode(shape=alt.Shape("status:N", scale=alt.Scale(
            domain=["overflow", "underflow"], range=["triangle-up", "triangle-down"]), legend=None))
    first = alt.Chart(df).transform_filter("datum.series == 'measured' && datum.status != 'ok'").transform_window(
        rank="rank()", groupby=["quantity", "status"], sort=[alt.SortField("layer")]
    ).transform_filter("datum.rank == 1").transform_calculate(
        text="datum.status == 'overflow' ? datum.status + ' ▲' : datum.status + ' ▼'")
    words = [first.transform_filter(f"datum.status == '{status}'").mark_text(  # inside the plot, off the edge
        dy=dy, fontSize=11, fontWeight="bold", color=BAD, align="left", dx=-4).encode(
        x="layer:Q", y=y, text="text:N") for status, dy in (("overflow", 14), ("underflow", -12))]
    return alt.layer(lines, pts, pinned, *words).properties(height=HEIGHT)


def ridgeline(df: pd.DataFrame, x_title: str) -> alt.LayerChart:
    """Histograms of the activations of a few layers stacked as a ridgeline (layer 1 on top).

    df: layer, label, row (0 = bottom), center, density, top (= row + scaled density), first (one row per
    layer carries the label), xmax (right end of the shared x range).
    """
    base = alt.Chart(df).encode(x=alt.X("center:Q", title=x_title))
    area = base.mark_area(opacity=0.7, interpolate="step", color=GOOD, line={"color": GOOD}).encode(
        y=alt.Y("top:Q", axis=None, title=None), y2="row:Q", detail="layer:N",
        tooltip=["label:N", alt.Tooltip("center:Q", format=".3g", title="value"),
                 alt.Tooltip("density:Q", format=".3g")])
    labels = alt.Chart(df).transform_filter("datum.first").mark_text(   # no tooltip: the label says it all
        align="right", dx=-2, dy=-4, fontSize=11, baseline="bottom", color=THEORY, tooltip=None).encode(
        x=alt.X("xmax:Q"), y=alt.Y("row:Q"), text="label:N")
    return (area + labels).properties(height=max(220, 52 * df["layer"].nunique()))


def slope_under_z(hist: pd.DataFrame, curve: pd.DataFrame, x_title: str, slope_title: str) -> alt.LayerChart:
    """The distribution of z at one layer (bars, left axis) with the activation's derivative f'(z) drawn
    over the same z range (line, right axis): where z sits decides the slope the gradient is multiplied by.

    hist: center, width, density; curve: z, slope.
    """
    bars = histogram(hist, x_title, color=GOOD)
    line = alt.Chart(curve).mark_line(color=BAD, strokeWidth=2.5, strokeDash=[4, 2]).encode(
        x="z:Q", y=alt.Y("slope:Q", title=slope_title, axis=alt.Axis(orient="right", titleColor=BAD)),
        tooltip=[alt.Tooltip("z:Q", format=".3g"), alt.Tooltip("slope:Q", format=".3g")])
    return alt.layer(bars, line).resolve_scale(y="independent").properties(height=220)


def goldilocks_map(df: pd.DataFrame, critical: float, color_title: str, critical_label: str) -> alt.LayerChart:
    """log10 variance over gain g = σ_w√n (log x) × depth: cells coloured by log10 variance (clipped to
    ±30), overflow/underflow cells marked with up/down triangles, the critical gain as a dashed rule.

    df: g_lo, g_hi, depth, log10 (finite, clipped), status, g, value_text.
    """
    domain = [float(df["g_lo"].min()), float(df["g_hi"].max())]
    x = alt.X("g_lo:Q", scale=alt.Scale(type="log", domain=domain, nice=False), axis=log_axis("gain g = σ_w·√n"))
    cells = alt.Chart(df).mark_rect().encode(
        x=x, x2="g_hi:Q", y=alt.Y("depth:O", title="layer (depth)", sort="descending",
                                  axis=alt.Axis(values=[1, 10, 20, 30, 40, 50])),
        color=alt.Color("log10:Q", title=color_title,
                        scale=alt.Scale(scheme="blueorange", domainMid=0, domain=[-30, 30])),
        tooltip=[alt.Tooltip("g:Q", format=".3g", title="gain g"), "depth:O",
                 alt.Tooltip("value_text:N", title="variance"), "status:N"],
    )
    flagged = alt.Chart(df).transform_filter("datum.status != 'ok'").transform_calculate(
        gm="sqrt(datum.g_lo * datum.g_hi)").mark_point(filled=True, opacity=0.8).encode(
        x="gm:Q", y=alt.Y("depth:O", sort="descending"), size=alt.value(18),
        shape=alt.Shape("status:N", scale=alt.Scale(domain=["overflow", "underflow"],
                                                    range=["triangle-up", "triangle-down"]),
                        title=None, legend=alt.Legend(orient="top", labelExpr="datum.label + ' (beyond 1e±30)'")),
        color=alt.value(THEORY))
    rule = alt.Chart(pd.DataFrame({"g": [critical]})).mark_rule(
        strokeDash=DASH_THEORY, strokeWidth=3, color=CATEGORICAL[2]).encode(x="g:Q")
    title = alt.Title(f"dashed line: {critical_label}", anchor="start", fontSize=13, fontWeight="normal")
    return (cells + flagged + rule).properties(height=340, title=title)


def loss_curves(df: pd.DataFrame, domain: list[str], cap: float) -> alt.Chart:
    """Training loss (log axis, up to ``cap``) per step for each scheme, a 10-step running mean of the
    mini-batch loss; colour and dash both name the scheme. df: step, loss (finite, below cap), scheme."""
    dashes = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3]]
    return alt.Chart(df).transform_window(
        smooth="mean(loss)", frame=[-9, 0], groupby=["scheme"], sort=[alt.SortField("step")]
    ).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q", title="training step"),
        y=alt.Y("smooth:Q", scale=alt.Scale(type="log", domainMax=cap, clamp=True),
                axis=log_axis("MSE loss, 10-step mean")),
        color=alt.Color("scheme:N", scale=scale(domain), title="init",
                        legend=alt.Legend(orient="bottom", columns=3, **STROKE_LEGEND)),
        strokeDash=alt.StrokeDash("scheme:N", scale=alt.Scale(domain=domain, range=dashes[: len(domain)]),
                                  title="init"),
        tooltip=["scheme:N", "step:Q", alt.Tooltip("smooth:Q", format=".3g", title="loss (10-step mean)")],
    ).properties(height=300)


def powers(df: pd.DataFrame) -> alt.Chart:
    """a^L against L on a log axis, one line per a. df: L, value, a."""
    domain = list(dict.fromkeys(df["a"]))
    return alt.Chart(df).mark_line(strokeWidth=2.5, point=True).encode(
        x=alt.X("L:Q", title="number of layers L"),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), axis=log_axis("aᴸ")),
        color=alt.Color("a:N", scale=scale(domain, [ACCENT, GOOD, BAD]), title=None,
                        legend=alt.Legend(orient="top", **STROKE_LEGEND)),
        tooltip=["a:N", "L:Q", alt.Tooltip("value:Q", format=".3g")],
    ).properties(height=280)


def chain_factors(df: pd.DataFrame) -> alt.LayerChart:
    """The factor by which each layer multiplies the gradient's variance on its way back: measured points,
    predicted dashed line, and the rule at 1. df: layer, factor, series ("measured"/"predicted")."""
    base = alt.Chart(df).encode(
        x=alt.X("layer:Q", title="layer l", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("factor:Q", scale=alt.Scale(type="log"), axis=log_axis("Var(gₗ) / Var(gₗ₊₁)")),
        tooltip=["layer:Q", "series:N", alt.Tooltip("factor:Q", format=".3g")])
    line = base.transform_filter("datum.series == 'predicted'").mark_line(
        color=THEORY, strokeDash=DASH_THEORY, strokeWidth=2.5)
    pts = base.transform_filter("datum.series == 'measured'").mark_point(filled=True, size=45, color=ACCENT)
    one = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color=THEORY, strokeWidth=1).encode(y="y:Q")
    return alt.layer(one, line, pts).properties(height=240)


def residual_variance(df: pd.DataFrame, domain: list[str]) -> alt.LayerChart:
    """E[h²] after each block for every residual variant: measured (points, solid) and predicted (dashed), one
    colour per variant. df: layer, value (pinned), series, status, quantity (the variant)."""
    base = alt.Chart(df).encode(
        x=alt.X("layer:Q", title="residual block l", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), axis=alt.Axis(title="E[h²] (log scale)", tickCount=6)),
        color=alt.Color("quantity:N", scale=scale(domain, [BAD, GOOD, ACCENT]),
                        title="solid: measured · dashed: predicted",
                        legend=alt.Legend(orient="bottom", titleFontWeight="normal", titleLimit=400, columns=1,
                                          **STROKE_LEGEND)),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=SERIES, range=[[1, 0], DASH_THEORY]),
                                  legend=None),
        detail="series:N",
        tooltip=["quantity:N", "layer:Q", "series:N", alt.Tooltip("value:Q", format=".3g")])
    pts = base.transform_filter("datum.series == 'measured'").mark_point(filled=True, size=30)
    return alt.layer(base.mark_line(strokeWidth=2), pts).properties(height=HEIGHT)


# --- Templates: the charts a slider redraws, composed once on placeholders and filled per setting -----------
# (charts.common.fill). The spec then stays the same while a slider moves, so the browser swaps the data in
# place instead of rebuilding the chart.

@st.cache_resource(show_spinner=False)
def histogram_template(x_title: str, color: str = GOOD, with_pred: bool = False) -> dict:
    """Roles: "bars" (center, density, width) and, with_pred, "pred" (x, density)."""
    ph = placeholders(["bars", "pred"])
    return spec(histogram(ph["bars"], x_title, color=color, pred=ph["pred"] if with_pred else None))


@st.cache_resource(show_spinner=False)
def fan_in_template() -> dict:
    """Role "sweep" (see :func:`fan_in_variance`)."""
    return spec(fan_in_variance(placeholders(["sweep"])["sweep"]))


@st.cache_resource(show_spinner=False)
def layer_variance_template(y_title: str) -> dict:
    """Role "layers" (see :func:`layer_variance`)."""
    return spec(layer_variance(placeholders(["layers"])["layers"], y_title))


@st.cache_resource(show_spinner=False)
def chain_factors_template() -> dict:
    """Role "factors" (see :func:`chain_factors`)."""
    return spec(chain_factors(placeholders(["factors"])["factors"]))


@st.cache_resource(show_spinner=False)
def slope_template(x_title: str, slope_title: str) -> dict:
    """Roles "hist" and "curve" (see :func:`slope_under_z`)."""
    ph = placeholders(["hist", "curve"])
    return spec(slope_under_z(ph["hist"], ph["curve"], x_title, slope_title))


@st.cache_resource(show_spinner=False)
def residual_template(domain: tuple[str, ...]) -> dict:
    """Role "residual" (see :func:`residual_variance`)."""
    return spec(residual_variance(placeholders(["residual"])["residual"], list(domain)))
