"""Charts of the BatchNorm page: tidy frames from ``core.bn_experiments`` results, and Altair builders.

BN off is always orange and solid, BN on blue and dashed; train mode solid, eval mode dashed: every
comparison is told apart by colour and by dash, and named in the legend.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from charts.common import BAD, CATEGORICAL, DASH_THEORY, GOOD, THEORY, finite_frame, log_axis, scale
from core import bn_experiments as E

BN_LABELS = ["BN off", "BN on"]
BN_COLOR = scale(BN_LABELS, [BAD, GOOD])
BN_DASH = alt.Scale(domain=BN_LABELS, range=[[1, 0], [6, 3]])
MODE_LABELS = ["train mode (batch statistics)", "eval mode (running statistics)"]
MODE_DASH = alt.Scale(domain=MODE_LABELS, range=[[1, 0], [6, 3]])
TOP = alt.Legend(orient="top", labelLimit=300)
# The transform's histograms: the plotting area's width in px (a faceted chart does not follow its column's width;
# on a phone's 358-px column the desktop width would scroll sideways) and what the axes add to it in their box.
HISTOGRAM_WIDTH, HISTOGRAM_WIDTH_PHONE = 400, 260
HISTOGRAM_AXES = 70
STEP_NAMES = ["1 · x", "2 · x − μ_B", "3 · x̂ = (x − μ_B)/σ_B", "4 · y = γ·x̂ + β"]


def bn_label(batchnorm: bool) -> str:
    return BN_LABELS[int(bool(batchnorm))]


# ---------------------------------------------------------------------------------------------------------
# The transform step by step
# ---------------------------------------------------------------------------------------------------------


def transform_frame(steps, x) -> pd.DataFrame:
    """One row per (step, sample): ``step``, ``order`` (0-3), ``panel`` (name with its mean and std), ``value``."""
    arrays = [np.asarray(x, float), steps.x_centered, steps.x_hat, steps.out]
    rows = []
    for order, (name, v) in enumerate(zip(STEP_NAMES, arrays, strict=True)):
        panel = f"{name}    mean {round(v.mean(), 3) + 0.0:+.3f}, std {v.std():.3f}"
        rows.append(pd.DataFrame({"step": name, "order": order, "panel": panel, "value": v}))
    return pd.concat(rows, ignore_index=True)


def transform_histograms(df: pd.DataFrame, *, identity: bool = False, width: int = HISTOGRAM_WIDTH) -> alt.Chart:
    """Four stacked histograms on one shared x axis, so the shift and the squeeze are visible; ``width`` is the
    plotting area's, in px (:data:`HISTOGRAM_WIDTH_PHONE` on a phone)."""
    last = STEP_NAMES[-1]
    color = alt.Color("kind:N", title=None, legend=None,
                      scale=scale(["input and intermediate steps", "output y"],
                                  [THEORY, GOOD if not identity else CATEGORICAL[2]]))
    base = alt.Chart(df).transform_calculate(
        kind=f"datum.step === '{last}' ? 'output y' : 'input and intermediate steps'"
    )
    return (
        base.mark_bar(opacity=0.85)
        .encode(
            x=alt.X("value:Q", bin=alt.Bin(maxbins=40), title="value of the unit (pre-activation units)"),
            y=alt.Y("count():Q", title="samples"),
            color=color,
            tooltip=[alt.Tooltip("step:N", title="step"),
                     alt.Tooltip("value:Q", bin=alt.Bin(maxbins=40), title="value", format=".2f"),
                     alt.Tooltip("count():Q", title="samples")],
            # sorted by a data column, not by the labels (which carry numbers): the spec stays the same when
            # the batch changes, so Streamlit swaps the data in place instead of rebuilding the chart
            row=alt.Row("panel:N", title=None, sort=alt.EncodingSortField(field="order", op="min"),
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                          labelOrient="top", labelFontSize=13)),
        )
        .properties(height=70, width=width)
        .resolve_scale(y="independent")
    )


# ---------------------------------------------------------------------------------------------------------
# Training curves
# ---------------------------------------------------------------------------------------------------------


def runs_frame(runs: dict, *, facet: str, window: int = 10) -> pd.DataFrame:
    """Tidy curves from ``{(facet_value, batchnorm): Run}``: step, facet, BatchNorm, loss, accuracy
    (both smoothed over ``window`` steps); a diverged run's tail is dropped (cut at the last finite point)."""
    frames = []
    for (value, batchnorm), run in runs.items():
        frames.append(pd.DataFrame({
            "step": np.arange(len(run.losses)),
            facet: value,
            "BatchNorm": bn_label(batchnorm),
            "loss": E.smooth(run.losses, window),
            "accuracy": E.smooth(run.accuracy, window),
        }))  # fmt: skip
    return finite_frame(pd.concat(frames, ignore_index=True), ["loss", "accuracy"])


def y_domain(values, *, log: bool) -> list[float]:
    """A shared y range for side-by-side panels (positive values only on a log axis)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)] if log else v[np.isfinite(v)]
    if v.size == 0:
        return [0.1, 10.0] if log else [0.0, 1.0]
    return [float(v.min()) * (0.9 if log else 1.0), float(v.max()) * (1.1 if log else 1.0)]


def curves(df: pd.DataFrame, *, metric: str = "loss", domain: list[float] | None = None,
           legend: bool = True) -> alt.Chart:
    """Loss (log scale) or accuracy against step for one panel, BN off vs on (colour and dash)."""
    if metric == "loss":
        y = alt.Y("loss:Q", scale=alt.Scale(type="log", domain=domain),
                  axis=log_axis("train loss, nats", domain))
    else:
        y = alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), title="train accuracy")
    legend_spec = TOP if legend else None
    return (
        alt.Chart(df)
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("step:Q", title="SGD step"),
            y=y,
            color=alt.Color("BatchNorm:N", scale=BN_COLOR, title=None, legend=legend_spec),
            strokeDash=alt.StrokeDash("BatchNorm:N", scale=BN_DASH, title=None, legend=legend_spec),
            tooltip=["step:Q", "BatchNorm:N", alt.Tooltip(f"{metric}:Q", format=".3f")],
        )
        .properties(height=280)
    )


def percentile_frame(runs: dict) -> pd.DataFrame:
    """From ``{batchnorm: Run}`` with probes: step, BatchNorm, p15, p50, p85."""
    frames = []
    for batchnorm, run in runs.items():
        p = run.percentiles
        frames.append(pd.DataFrame({"step": run.probe_steps, "BatchNorm": bn_label(batchnorm),
                                    "p15": p[:, 0], "p50": p[:, 1], "p85": p[:, 2]}))
    return pd.concat(frames, ignore_index=True)


def percentile_bands(df: pd.DataFrame) -> alt.Chart:
    """Ioffe & Szegedy's Figure 1: the 15th-85th percentile band and the median of a unit's input, per run (BN off
    and on drawn on one axis, told apart by colour and by the median's dash)."""
    color = alt.Color("BatchNorm:N", scale=BN_COLOR, title=None, legend=alt.Legend(orient="top"))
    x = alt.X("step:Q", title="SGD step")
    band = alt.Chart().mark_area(opacity=0.25, tooltip=None).encode(   # the median's points carry the numbers
        x=x, y=alt.Y("p15:Q", title="sigmoid input u"), y2="p85:Q",
        color=color,
    )
    edges = alt.Chart().transform_fold(["p15", "p85"], as_=["percentile", "u"]).mark_line(
        strokeWidth=1, strokeDash=[3, 2], tooltip=None
    ).encode(x=x, y="u:Q", color=color, detail="percentile:N")
    median = alt.Chart().mark_line(strokeWidth=2.5, point=True).encode(
        x=x, y="p50:Q", color=color,
        strokeDash=alt.StrokeDash("BatchNorm:N", scale=BN_DASH, title=None, legend=TOP),
        tooltip=["step:Q", "BatchNorm:N",
                 *[alt.Tooltip(f"{q}:Q", format=".2f") for q in ("p15", "p50", "p85")]],
    )  # fmt: skip
    return alt.layer(band, edges, median, data=df).properties(height=300)


# ---------------------------------------------------------------------------------------------------------
# Batch size and noise
# ---------------------------------------------------------------------------------------------------------


def spread_frame(spread) -> pd.DataFrame:
    """m, statistic ("μ_B" / "σ_B"), measured sd, predicted sd."""
    frames = [
        pd.DataFrame({"m": spread.batch_sizes, "statistic": "μ_B (batch mean)",
                      "measured": spread.mu_sd, "predicted": spread.mu_sd_theory}),
        pd.DataFrame({"m": spread.batch_sizes, "statistic": "σ_B (batch std)",
                      "measured": spread.sigma_sd, "predicted": spread.sigma_sd_theory}),
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def spread_chart(df: pd.DataFrame) -> alt.Chart:
    """Measured spread of μ_B and σ_B across mini-batches (points) over the theory (dashed), log-log."""
    df = df[(df["measured"] > 0) & (df["predicted"] > 0)]  # m = 1: σ_B is always 0, off a log axis
    stats = ["μ_B (batch mean)", "σ_B (batch std)"]
    color = alt.Color("statistic:N", scale=scale(stats, [GOOD, CATEGORICAL[3]]), title=None,
                      legend=alt.Legend(orient="top"))
    x = alt.X("m:Q", scale=alt.Scale(type="log", domain=[0.8, 320]), axis=log_axis("batch size m"))
    y_dom = y_domain(np.concatenate([df["measured"].to_numpy(float), df["predicted"].to_numpy(float)]), log=True)
    theory = alt.Chart(df).mark_line(strokeDash=DASH_THEORY, strokeWidth=1.5).encode(
        x=x, y=alt.Y("predicted:Q", scale=alt.Scale(type="log", domain=y_dom)), color=color, detail="statistic:N"
    )
    points = alt.Chart(df).mark_point(size=70, filled=True).encode(
        x=x,
        y=alt.Y("measured:Q", scale=alt.Scale(type="log", domain=y_dom),
                axis=log_axis("sd across mini-batches", y_dom)),
        color=color,
        shape=alt.Shape("statistic:N", scale=alt.Scale(domain=stats, range=["circle", "square"]), title=None,
                        legend=TOP),
        tooltip=["m:Q", "statistic:N", alt.Tooltip("measured:Q", format=".4f"),
                 alt.Tooltip("predicted:Q", format=".4f")],
    )  # fmt: skip
    return alt.layer(theory, points).properties(height=260)


# ---------------------------------------------------------------------------------------------------------
# Running statistics, train vs eval
# ---------------------------------------------------------------------------------------------------------


def running_frame(stats) -> pd.DataFrame:
    """step, running variance, and the batch variance each step normalized with."""
    steps = np.arange(len(stats.running_var))
    return pd.DataFrame({
        "step": steps,
        "running var": stats.running_var,
        "batch var (biased, used in training)": np.concatenate([[np.nan], stats.batch_var]),
    })  # fmt: skip


def running_chart(df: pd.DataFrame, *, true_var: float, target_var: float) -> alt.Chart:
    """Running variance over steps (blue line), the batch variances behind it (grey dots), reference levels."""
    y_scale = alt.Scale(domain=[0, 3 * max(true_var, 1e-12)])
    batch = alt.Chart(df.dropna()).mark_point(size=8, opacity=0.35, color=THEORY, clip=True).encode(
        x=alt.X("step:Q", title="training step"),
        y=alt.Y("batch var (biased, used in training):Q", title="variance of the unit's input", scale=y_scale),
        tooltip=["step:Q", alt.Tooltip("batch var (biased, used in training):Q", format=".3g")],
    )
    line = alt.Chart(df).mark_line(strokeWidth=2, color=GOOD, clip=True).encode(
        x="step:Q", y=alt.Y("running var:Q", scale=y_scale),
        tooltip=["step:Q", alt.Tooltip("running var:Q", format=".3g")],
    )
    if np.isclose(true_var, target_var):
        levels, labels = [true_var], [f"true σ² = expected running var = {true_var:.3g}"]
    else:
        levels = [true_var, target_var]
        labels = [f"true σ² = {true_var:.3g}", f"expected running var = {target_var:.3g}"]
    refs = pd.DataFrame({"level": levels, "reference": labels})
    rules = alt.Chart(refs).mark_rule(strokeWidth=2).encode(
        y="level:Q",
        color=alt.Color("reference:N", scale=scale(labels, [THEORY, CATEGORICAL[4]]), title=None,
                        legend=TOP),
        strokeDash=alt.StrokeDash("reference:N", scale=alt.Scale(domain=labels, range=[[6, 4], [2, 2]]),
                                  title=None, legend=TOP),
    )
    return alt.layer(batch, line, rules).properties(height=260)


def gap_frame(runs: dict) -> pd.DataFrame:
    """From ``{convention_label: Run}`` (BN on, with probes): step, convention, mode, test loss."""
    frames = []
    for label, run in runs.items():
        modes = (run.test_loss_train_mode, run.test_loss_eval_mode)
        for mode, values in zip(MODE_LABELS, modes, strict=True):
            frames.append(pd.DataFrame({"step": run.probe_steps, "convention": label, "mode": mode,
                                        "test loss": values}))
    return finite_frame(pd.concat(frames, ignore_index=True), ["test loss"])


def gap_chart(df: pd.DataFrame, *, domain: list[float] | None = None) -> alt.Chart:
    """Held-out loss in train mode vs eval mode over training (colour and dash both mark the mode)."""
    return (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=2, clip=True)
        .encode(
            x=alt.X("step:Q", title="SGD step"),
            y=alt.Y("test loss:Q", scale=alt.Scale(type="log", domain=domain),
                    axis=log_axis("held-out loss, nats", domain)),
            color=alt.Color("mode:N", scale=scale(MODE_LABELS, [GOOD, CATEGORICAL[4]]), title=None,
                            legend=alt.Legend(orient="top", labelLimit=300)),
            strokeDash=alt.StrokeDash("mode:N", scale=MODE_DASH, title=None,
                                      legend=alt.Legend(orient="top", labelLimit=300)),
            shape=alt.Shape("mode:N", scale=alt.Scale(domain=MODE_LABELS, range=["circle", "triangle"]),
                            title=None, legend=alt.Legend(orient="top", labelLimit=300)),
            tooltip=["step:Q", "convention:N", "mode:N", alt.Tooltip("test loss:Q", format=".3f")],
        )
        .properties(height=300)
    )


# ---------------------------------------------------------------------------------------------------------
# The largest stable learning rate, and the gradient's change over a step
# ---------------------------------------------------------------------------------------------------------


def sweep_frame(sweeps: dict) -> pd.DataFrame:
    """From ``{batchnorm: LRSweep}``: one row per (rate, seed): lr, seed, BatchNorm, final loss (diverged runs
    pinned to the top of the axis), outcome ("trains", "stuck", "diverged")."""
    frames = []
    for batchnorm, sw in sweeps.items():
        k, n = sw.final_loss.shape
        outcome = np.where(sw.diverged_step >= 0, "diverged", np.where(sw.trains, "trains", "stuck"))
        loss = np.where(sw.diverged_step >= 0, np.inf, sw.final_loss)
        frames.append(pd.DataFrame({
            "lr": np.repeat(sw.lrs, n), "seed": np.tile(np.arange(n), k), "BatchNorm": bn_label(batchnorm),
            "final loss": np.minimum(loss, SWEEP_CEIL).ravel(), "outcome": outcome.ravel(),
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


SWEEP_CEIL = 20.0  # a diverged run's final loss is drawn here, at the top of the axis
OUTCOMES = ["trains", "stuck", "diverged"]


def sweep_chart(df: pd.DataFrame, chance: float) -> alt.LayerChart:
    """Final loss against learning rate (log x), one point per seed, BN off vs on; diverged runs at the top."""
    lo, hi = float(df["lr"].min()), float(df["lr"].max())
    x = alt.X("lr:Q", scale=alt.Scale(type="log", domain=[lo / 1.3, hi * 1.3], nice=False),
              axis=alt.Axis(title="learning rate η (log scale)", values=sorted(set(df["lr"].tolist())),
                            labelOverlap=False))
    y = alt.Y("final loss:Q", scale=alt.Scale(type="log", domain=[0.3, SWEEP_CEIL]),
              axis=log_axis("final train loss, nats", [0.3, SWEEP_CEIL]))
    color = alt.Color("BatchNorm:N", scale=BN_COLOR, title=None, legend=TOP)
    median = alt.Chart(df).transform_aggregate(
        loss="median(final loss)", groupby=["lr", "BatchNorm"]
    ).mark_line(strokeWidth=2, clip=True).encode(
        x=x, y=alt.Y("loss:Q", scale=alt.Scale(type="log", domain=[0.3, SWEEP_CEIL])), color=color,
        strokeDash=alt.StrokeDash("BatchNorm:N", scale=BN_DASH, title=None, legend=TOP))
    points = alt.Chart(df).mark_point(size=70, filled=True, opacity=0.8, clip=True).encode(
        x=x, y=y, color=color,
        shape=alt.Shape("outcome:N", scale=alt.Scale(domain=OUTCOMES, range=["circle", "square", "cross"]),
                        title=None, legend=None),   # named in the page's legend text: one row of keys fits a phone
        tooltip=[alt.Tooltip("lr:Q", title="η", format="g"), "seed:Q", "BatchNorm:N", "outcome:N",
                 alt.Tooltip("final loss:Q", format=".3f")])
    rule = alt.Chart(pd.DataFrame({"y": [chance]})).mark_rule(strokeDash=DASH_THEORY, color=THEORY).encode(y="y:Q")
    return alt.layer(rule, median, points).properties(height=300)


def change_frame(runs: dict, window: int = 5) -> pd.DataFrame:
    """From ``{batchnorm: GradientChange}``: step, BatchNorm, loss and gradient change (both smoothed over
    ``window`` steps), finite rows only."""
    frames = [pd.DataFrame({"step": np.arange(len(r.losses)), "BatchNorm": bn_label(b),
                            "loss": E.smooth(r.losses, window), "gradient change": E.smooth(r.change, window)})
              for b, r in runs.items()]
    return finite_frame(pd.concat(frames, ignore_index=True), ["loss", "gradient change"])


CHANGE_CAP = {"loss": 100.0, "gradient change": 1e4}  # the y axes' tops: a diverging run leaves through them


def change_chart(df: pd.DataFrame, metric: str, limit: float | None = None) -> alt.LayerChart:
    """``metric`` ("loss" or "gradient change") against step, BN off vs on, log y; ``limit``: a dashed
    reference level (2/η for the gradient change)."""
    title = {"loss": "train loss, nats", "gradient change": "‖Δ gradient‖ / ‖Δ w‖"}[metric]
    values = df[metric].to_numpy(float)
    dom = y_domain(np.append(values, limit) if limit else values, log=True)
    dom[1] = min(dom[1], CHANGE_CAP[metric])  # a diverging run's last values are clipped at the top
    log = dom[1] > 10 * dom[0]  # a log axis only where the values span more than a factor of 10
    y_scale = alt.Scale(type="log", domain=dom) if log else alt.Scale(domain=[0, dom[1]])
    line = alt.Chart(df).mark_line(strokeWidth=2, clip=True).encode(
        x=alt.X("step:Q", title="SGD step"),
        y=alt.Y(f"{metric}:Q", scale=y_scale, axis=log_axis(title, dom) if log else alt.Axis(title=title)),
        color=alt.Color("BatchNorm:N", scale=BN_COLOR, title=None, legend=TOP),
        strokeDash=alt.StrokeDash("BatchNorm:N", scale=BN_DASH, title=None, legend=TOP),
        tooltip=["step:Q", "BatchNorm:N", alt.Tooltip(f"{metric}:Q", format=".3g")])
    layers = [line]
    if limit:
        layers.append(alt.Chart(pd.DataFrame({"y": [limit]})).mark_rule(strokeDash=DASH_THEORY, color=THEORY)
                      .encode(y="y:Q"))
    return alt.layer(*layers).properties(height=240)
