"""Charts for page 2 (input standardization): pure tidy DataFrame -> alt.Chart builders."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from charts.common import BAD, CATEGORICAL, DASH_THEORY, GOOD, log_axis, placeholders, scale, spec

SCALING_COLORS = [BAD, CATEGORICAL[3], CATEGORICAL[4], GOOD]  # none, centering, min-max, z-score
DATA_DOMAIN = ["raw", "standardized"]
DATA_SCALE = scale(DATA_DOMAIN, [BAD, GOOD])


def histogram(df: pd.DataFrame, x_title: str, data: str) -> alt.Chart:
    """One feature's histogram. df: bin_start, bin_end, count; data: "raw" or "standardized" (colour)."""
    return (
        alt.Chart(df)
        .mark_bar(binSpacing=0, color=BAD if data == "raw" else GOOD)
        .encode(
            x=alt.X("bin_start:Q", title=x_title, bin="binned", axis=alt.Axis(format="~s", tickCount=4)),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title="rows"),
            tooltip=[alt.Tooltip("bin_start:Q", format=",.4~g", title="from"),
                     alt.Tooltip("bin_end:Q", format=",.4~g", title="to"), "count:Q"],
        )
        .properties(height=150)
    )


CURVE_ROLES = ("curves:all", "curves:last")


def curve_frames(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The data of :func:`loss_curves` by role: every row, and each scaling's last row (its label's place)."""
    return {"curves:all": df, "curves:last": df.loc[df.groupby("scaling")["step"].idxmax()]}


def loss_curves(data: dict, domain: tuple[str, ...]) -> alt.LayerChart:
    """GD loss curves, one per scaling in ``domain``, labelled at their last step.

    ``data`` maps each of CURVE_ROLES to a frame (:func:`curve_frames` of a frame with columns step, scaling,
    rel_excess (pinned, > 0), status ("ok"/"underflow")) or to a placeholder.
    """
    domain = list(domain)
    sc = scale(domain, SCALING_COLORS[-len(domain):] if len(domain) < 4 else SCALING_COLORS)
    base = alt.Chart(data["curves:all"]).encode(
        x=alt.X("step:Q", title="gradient-descent step"),
        y=alt.Y("rel_excess:Q", scale=alt.Scale(type="log"),
                axis=log_axis("excess loss left (L−L*)/(L₀−L*)")),
        color=alt.Color("scaling:N", scale=sc, title="scaling"),
    )
    lines = base.mark_line(strokeWidth=2.5).encode(
        strokeDash=alt.StrokeDash("scaling:N", scale=alt.Scale(domain=domain,
                                  range=[[1, 0], [8, 3], [3, 3], [1, 0], [4, 2, 1, 2]][: len(domain)]),
                                  legend=None),
        tooltip=["scaling:N", "step:Q", alt.Tooltip("rel_excess:Q", format=".3~e", title="(L−L*)/(L₀−L*)"),
                 "status:N"],
    )
    labels = alt.Chart(data["curves:last"]).mark_text(align="left", dx=5, fontSize=12).encode(
        x="step:Q", y=alt.Y("rel_excess:Q", scale=alt.Scale(type="log")), text="scaling:N",
        color=alt.Color("scaling:N", scale=sc, legend=None))
    return (lines + labels).properties(height=320)


@st.cache_resource(show_spinner=False)
def loss_curves_spec(domain: tuple[str, ...]) -> dict:
    """:func:`loss_curves` as a template on placeholders, composed once per set of scalings:
    ``common.fill(loss_curves_spec(domain), curve_frames(df))``. Do not modify it."""
    return spec(loss_curves(placeholders(CURVE_ROLES), domain))


def gradient_bars(df: pd.DataFrame) -> alt.Chart:
    """|dL/dw_j| at the start. df: weight, data (raw/standardized), grad, label, base (bar start > 0)."""
    base = alt.Chart(df).encode(
        y=alt.Y("weight:N", title=None, sort=None),
        yOffset=alt.YOffset("data:N", sort=DATA_DOMAIN),
        x=alt.X("grad:Q", scale=alt.Scale(type="log"),
                axis=alt.Axis(title="|∂L/∂wⱼ| at the start (log scale)", grid=False, format="~g", tickCount=5)),
        color=alt.Color("data:N", scale=DATA_SCALE, title="data"),
    )
    bars = base.mark_bar().encode(x2="base:Q", tooltip=["weight:N", "data:N", alt.Tooltip("grad:Q", format=".3~e")])
    text = base.mark_text(align="left", dx=4, fontSize=11, tooltip=None).encode(text="label:N")  # the bar's tooltip
    return (bars + text).properties(height=260)


def lr_sweep(curves: pd.DataFrame, rules: pd.DataFrame, windows: pd.DataFrame) -> alt.LayerChart:
    """Final loss vs learning rate.

    curves: lr, data, rel_excess (pinned), status ("converging"/"diverged"); rules: data, lr, label (2/λmax);
    windows: data, lo, hi (the usable window, possibly empty).
    """
    x = alt.X("lr:Q", scale=alt.Scale(type="log"),
              axis=alt.Axis(title="learning rate η (log scale)", format=".0e", tickCount=8))
    color = alt.Color("data:N", scale=DATA_SCALE, title="data")
    layers = []
    if len(windows):
        layers.append(alt.Chart(windows).mark_rect(opacity=0.15).encode(
            x=alt.X("lo:Q", scale=alt.Scale(type="log")), x2="hi:Q", color=alt.Color("data:N", scale=DATA_SCALE,
                                                                                       legend=None),
            tooltip=[alt.Tooltip("data:N"), alt.Tooltip("lo:Q", format=".3~e", title="usable from"),
                     alt.Tooltip("hi:Q", format=".3~e", title="usable to")]))
    y = alt.Y("rel_excess:Q", scale=alt.Scale(type="log"),
              axis=log_axis("excess loss left after T steps"))
    line = alt.Chart(curves).transform_filter("datum.status == 'converging'").mark_line(
        point=True, strokeWidth=2).encode(x=x, y=y, color=color,
                                          tooltip=["data:N", alt.Tooltip("lr:Q", format=".3~e"),
                                                   alt.Tooltip("rel_excess:Q", format=".3~e"), "status:N"])
    bad = alt.Chart(curves).transform_filter("datum.status == 'diverged'").mark_point(
        shape="cross", size=60, filled=True).encode(x=x, y=y, color=color,
                                                    tooltip=["data:N", alt.Tooltip("lr:Q", format=".3~e"),
                                                             "status:N"])
    rule = alt.Chart(rules).mark_rule(strokeDash=DASH_THEORY, strokeWidth=2).encode(
        x="lr:Q", color=alt.Color("data:N", scale=DATA_SCALE, legend=None))
    text = alt.Chart(rules).mark_text(angle=270, align="left", dx=6, dy=-6, fontSize=11).encode(
        x="lr:Q", y=alt.value(8), text="label:N", color=alt.Color("data:N", scale=DATA_SCALE, legend=None))
    return alt.layer(*layers, line, bad, rule, text).properties(height=330)


def dimension_panel(df: pd.DataFrame, title: str) -> alt.LayerChart:
    """One quantity vs d. df: d, data, kind ("theory"/"measured"), value (> 0)."""
    base = alt.Chart(df).encode(
        x=alt.X("d:Q", title="number of features d", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), axis=alt.Axis(title=f"{title} (log scale)",
                                                                      format="~e", tickCount=6)),
        color=alt.Color("data:N", scale=DATA_SCALE, title="data", legend=alt.Legend(orient="bottom")),
        tooltip=["data:N", "d:Q", "kind:N", alt.Tooltip("value:Q", format=".3~e")],
    )
    theory = base.transform_filter("datum.kind == 'theory'").mark_line(strokeDash=DASH_THEORY)
    measured = base.transform_filter("datum.kind == 'measured'").mark_point(filled=True, size=60)
    return (theory + measured).properties(height=260)


def update_scatter(df: pd.DataFrame, stacked: bool = False) -> alt.Chart:
    """Each SGD step's update of the two feature weights, as a direction. df: scaling, d_age, d_income (unit
    length), same ("same sign"/"opposite signs"). One panel per scaling, side by side (``stacked``: one above the
    other, for a phone's width)."""
    panel = (alt.Row if stacked else alt.Column)("scaling:N", title=None, sort=None)
    axis = dict(scale=alt.Scale(domain=[-1.1, 1.1]), axis=alt.Axis(tickCount=5))
    return alt.Chart(df).mark_point(filled=True, size=40, opacity=0.6).encode(
        x=alt.X("d_age:Q", title="Δw₁ (age), direction", **axis),
        y=alt.Y("d_income:Q", title="Δw₂ (income), direction", **axis),
        color=alt.Color("same:N", scale=scale(["same sign", "opposite signs"], [BAD, GOOD]), title="update"),
        shape=alt.Shape("same:N", scale=alt.Scale(domain=["same sign", "opposite signs"],
                                                  range=["circle", "diamond"]), legend=None),
        **{"row" if stacked else "column": panel},
        tooltip=["scaling:N", "same:N", alt.Tooltip("d_age:Q", format=".2f"),
                 alt.Tooltip("d_income:Q", format=".2f")],
    ).properties(width=220, height=220)


def net_curves(df: pd.DataFrame) -> alt.Chart:
    """Training loss of the small network, raw vs standardized inputs. df: step, data, loss (> 0)."""
    return alt.Chart(df).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q", title="training step (full batch)"),
        y=alt.Y("loss:Q", scale=alt.Scale(type="log"), axis=log_axis("training loss L")),
        color=alt.Color("data:N", scale=DATA_SCALE, title="inputs"),
        strokeDash=alt.StrokeDash("data:N", scale=alt.Scale(domain=DATA_DOMAIN, range=[[6, 3], [1, 0]]),
                                  legend=None),
        tooltip=["data:N", "step:Q", alt.Tooltip("loss:Q", format=".4~g")],
    ).properties(height=280)
