"""Page 2 · Input standardization: everything the page computes, from its settings, cached.

One seed gives the page's random streams, split one way everywhere (the page and "Reproduce this" alike):
``data_rng, normal_rng, dims_rng, leak_rng, net_rng, sgd_rng = np.random.default_rng(seed).spawn(6)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from charts import standardization as charts
from charts.common import fill, pin_for_log, spec
from core import loss_surface as ls
from core import nn
from core import standardize as S
from core.datasets import AGE_INCOME_FEATURES, age_income
from core.numerics import histogram
from ui import csv_upload
from ui.notebook import Reproduction

N = 300               # rows of age/income data
STREAMS = 6           # data, normal, dims, leak, net, sgd
TOL = 1e-3            # "converged" = 0.1% of the initial excess loss left
SWEEP_TARGET = 1e-2   # the usable window: within 1% of the minimum after T steps
FLOOR = 1e-16         # relative excess below this is round-off; pinned and labelled "underflow"
LABELS = {"none": "none (raw)", "centering": "centering", "min-max": "min-max", "z-score": "z-score"}
WEIGHTS = ("w₁ (age)", "w₂ (income)", "b (bias)")
FRACS = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.01, 1.1, 1.5)
NET_LRS = (0.01, 0.02, 0.05, 0.1)   # up to 0.1: no setting diverges (tests/core)
NET_WIDTHS = (4, 8, 16)
SPREADS = (10, 100, 1000, 10000)
SIGN_STEPS = 200      # single-sample SGD steps in the centering experiment


def rngs(seed: int) -> list[np.random.Generator]:
    return np.random.default_rng(seed).spawn(STREAMS)


def fmt(v: float | None, digits: int = 3) -> str:
    """A number for the page: 3 significant digits, scientific outside [1e-3, 1e5); "–" for none, "∞"."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if math.isinf(v):
        return "∞"
    return f"{v:.{digits}g}" if 1e-3 <= abs(v) < 1e5 or v == 0 else f"{v:.{digits - 1}e}"


def preamble(seed: int) -> str:
    """The first lines of every notebook: the page's data from the same seed split."""
    return ("import numpy as np\nimport pandas as pd\nfrom core import standardize as S\n"
            "from core.datasets import age_income\n\n"
            f"data_rng, normal_rng, dims_rng, leak_rng, net_rng, sgd_rng = np.random.default_rng({seed}).spawn(6)\n"
            f"X, y = age_income({N}, data_rng)   # columns: age (years), income (dollars)\n")


@st.cache_data(show_spinner=False, max_entries=64)
def data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    return age_income(N, rngs(seed)[0])


@st.cache_data(show_spinner=False, max_entries=64)
def effects(seed: int) -> tuple[float, float]:
    """The least-squares weights of z-scored age and income: score points per standard deviation of each."""
    X, y = data(seed)
    w = S.to_scaled_weights(S.raw_minimizer(X, y), S.fit_scaling(X, "z-score"))
    return float(w[0]), float(w[1])


# ---- The data --------------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def data_view(seed: int) -> tuple[tuple[dict, ...], pd.DataFrame, float]:
    """Four histograms (age raw/z, income raw/z), the statistics table and income's std over age's."""
    X, _ = data(seed)
    sc = S.fit_standardizer(X)
    Z = sc.transform(X)
    specs = []
    for j, (name, unit) in enumerate((("age", "years"), ("income", "dollars"))):
        for kind, col, title in (("raw", X[:, j], f"{name}, raw ({unit})"),
                                 ("standardized", Z[:, j], f"{name}, z-scored (std devs)")):
            h = histogram(col, 30)
            df = pd.DataFrame({"bin_start": h.edges[:-1], "bin_end": h.edges[1:], "count": h.counts})
            specs.append(spec(charts.histogram(df, title, kind)))
    stats = pd.DataFrame({"feature": list(AGE_INCOME_FEATURES), "raw mean μ": [f"{v:,.4g}" for v in sc.mean],
                          "raw std σ": [f"{v:,.4g}" for v in sc.scale],
                          "z-scored mean": [f"{v:.2f}" for v in np.round(Z.mean(axis=0), 12) + 0.0],
                          "z-scored std": [f"{v:.2f}" for v in Z.std(axis=0)]})
    return tuple(specs), stats, float(sc.scale[1] / sc.scale[0])


# ---- Four scalings ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScalingSettings:
    seed: int = 0
    frac: float = 0.9     # each scaling's learning rate in units of its own 2/λmax
    steps: int = 200


@st.cache_data(show_spinner=False, max_entries=64)
def compare(s: ScalingSettings) -> tuple[S.ScalingRun, ...]:
    X, y = data(s.seed)
    return S.compare_scalings(X, y, lr_fraction=s.frac, steps=s.steps, tol=TOL)


@st.cache_data(show_spinner=False, max_entries=64)
def thresholds(seed: int) -> dict[str, float]:
    """The measured divergence threshold (bisection) of each scaling."""
    X, y = data(seed)
    return {m: S.measured_threshold(X, y, m) for m in S.SCALINGS}


def curve_frame(runs) -> pd.DataFrame:
    rows = []
    for r in runs:
        keep = np.isfinite(r.rel_excess)
        pinned, status = pin_for_log(r.rel_excess[keep], floor=FLOOR)
        rows.append(pd.DataFrame({"step": np.flatnonzero(keep), "scaling": LABELS[r.method],
                                  "rel_excess": pinned, "status": status}))
    df = pd.concat(rows, ignore_index=True)
    if len(df) > 600:  # keep the payload small: every k-th step, always the last one
        k = math.ceil(len(df) / 600)
        df = df[(df["step"] % k == 0) | df["step"].isin(df.groupby("scaling")["step"].max())]
    return df.reset_index(drop=True)


def steps_text(pred: float, meas: int | None, ran: int) -> tuple[str, str]:
    return ("never (diverges)" if math.isinf(pred) else f"{pred:,.0f}",
            f"{meas:,}" if meas is not None else f"not within {ran:,}")


@st.cache_data(show_spinner=False, max_entries=64)
def scalings_view(s: ScalingSettings) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The comparison table, the loss curves' data and their chart (a template filled with this setting)."""
    runs, meas = compare(s), thresholds(s.seed)
    rows = []
    for r in runs:
        p, m = steps_text(r.steps_predicted, r.steps_measured, s.steps)
        rows.append({"scaling": LABELS[r.method], "κ": fmt(r.kappa), "2/λmax (theory)": fmt(r.max_lr, 4),
                     "diverges above (measured)": fmt(meas[r.method], 4), "η used": fmt(r.lr, 3),
                     "steps to 0.1%: theory": p, "measured": m,
                     "loss left": "diverged" if r.diverged_step else f"{r.rel_excess[-1]:.1e}"})
    df = curve_frame(runs)
    domain = tuple(LABELS[m] for m in S.SCALINGS)
    return pd.DataFrame(rows), df, fill(charts.loss_curves_spec(domain), charts.curve_frames(df))


@dataclass(frozen=True)
class Centering:
    """Why centering alone is slow here: Var(income), the bias direction's λmin, κ, and the loss left after
    the default run for raw and centred data."""

    var_income: float
    lam_min: float
    kappa: float
    lr: float
    left_raw: float
    left_centred: float

    @property
    def verdict(self) -> str:
        """The option of ``predict_centering`` this run makes right."""
        if self.left_centred < 0.5 * self.left_raw:
            return CENTERING_OPTIONS[0]
        return CENTERING_OPTIONS[2] if self.left_centred > 2 * self.left_raw else CENTERING_OPTIONS[1]


CENTERING_OPTIONS = ("Yes, much less", "About the same", "No, more is left")
UNITS_OPTIONS = ("About 1,000× smaller", "About 1,000,000× smaller", "The same η works")
SATURATION_OPTIONS = ("Under 10%", "About half", "Nearly all")
SIGNS_OPTIONS = ("About half", "All of them")


def signs_verdict(share: float) -> str:
    return SIGNS_OPTIONS[1] if share == 1.0 else SIGNS_OPTIONS[0]


def saturation_verdict(share: float) -> str:
    return SATURATION_OPTIONS[0] if share < 0.1 else SATURATION_OPTIONS[2] if share > 0.9 else SATURATION_OPTIONS[1]


def nearest_power(ratio: float) -> str:
    """The UNITS_OPTIONS entry nearest to ``ratio`` on a log scale (1, 10³, 10⁶)."""
    logs = {UNITS_OPTIONS[2]: 0.0, UNITS_OPTIONS[0]: 3.0, UNITS_OPTIONS[1]: 6.0}
    return min(logs, key=lambda k: abs(logs[k] - math.log10(ratio)))


@st.cache_data(show_spinner=False, max_entries=64)
def centering(s: ScalingSettings) -> Centering:
    X, y = data(s.seed)
    runs = compare(s)
    D = S.design_matrix(S.fit_scaling(X, "centering").transform(X))
    c = ls.curvature(D)
    left = [float(r.rel_excess[-1]) if r.diverged_step is None else math.inf for r in runs[:2]]
    return Centering(float(X[:, 1].var()), float(c.eigenvalues[0]), runs[1].kappa, runs[1].lr, *left)


@dataclass(frozen=True)
class UnitsFact:
    """Income in dollars is 1,000× income in thousands: what that does to the gradient, the curvature, 2/λmax
    and κ (raw data), and to κ after z-scoring."""

    grad_ratio: float
    curv_ratio: float
    lr_ratio: float
    kappa_dollars: float
    kappa_thousands: float
    kappa_z: tuple[float, float]
    income_over_age: float   # H₂₂ / H₁₁ with income in thousands

    @property
    def verdict(self) -> str:
        return nearest_power(self.lr_ratio)


@st.cache_data(show_spinner=False, max_entries=64)
def units(seed: int) -> UnitsFact:
    X, y = data(seed)
    out = []
    for factor in (1.0, 1e-3):
        Xf = X * np.array([1.0, factor])
        D = S.design_matrix(Xf)
        c = ls.curvature(D)
        g = np.abs(ls.mse_grad(np.zeros(3), D, y))
        Dz = S.design_matrix(S.fit_standardizer(Xf).transform(Xf))
        H = ls.mse_hessian(D)
        out.append((g[1], H[1, 1], c.max_stable_lr, c.condition_number, ls.curvature(Dz).condition_number,
                    H[1, 1] / H[0, 0]))
    d, k = out
    return UnitsFact(d[0] / k[0], d[1] / k[1], k[2] / d[2], d[3], k[3], (d[4], k[4]), k[5])


@st.cache_data(show_spinner=False, max_entries=64)
def first_steps(seed: int) -> tuple[pd.DataFrame, dict]:
    """|∂L/∂wⱼ| at the start (chart) and each weight's first step over its distance to the minimum (table),
    raw and z-scored, at η = 0.9·2/λmax."""
    runs = compare(ScalingSettings(seed, 0.9, 20))
    raw, z = runs[0], runs[3]
    rows = [{"weight": w, "data": name, "grad": r.grad0[j], "label": fmt(r.grad0[j])}
            for name, r in (("raw", raw), ("standardized", z)) for j, w in enumerate(WEIGHTS)]
    g = pd.DataFrame(rows).assign(base=min(r["grad"] for r in rows) / 10)
    table = pd.DataFrame({"weight": WEIGHTS,
                          "first step ÷ distance, raw": [f"{v:.2g}" for v in raw.lr * raw.grad0 / np.abs(raw.w_star)],
                          "standardized": [f"{v:.2f}" for v in z.lr * z.grad0 / np.abs(z.w_star)]})
    return table, spec(charts.gradient_bars(g))


# ---- Why center (LeCun et al. 1998, §4.3) ------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def signs(seed: int, phone: bool = False) -> tuple[tuple[S.UpdateSigns, ...], pd.DataFrame, dict]:
    """Single-sample SGD with min-max inputs (all in [0, 1]) and z-scored inputs: the update directions, drawn
    side by side (on a phone, one above the other)."""
    X, y = data(seed)
    out = tuple(S.update_signs(X, y, m, rngs(seed)[5], steps=SIGN_STEPS) for m in ("min-max", "z-score"))
    frames = []
    for r, name in zip(out, ("min-max: inputs in [0, 1]", "z-score: centred inputs"), strict=True):
        u = r.updates[np.linalg.norm(r.updates, axis=1) > 0]
        d = u / np.linalg.norm(u, axis=1, keepdims=True)
        same = np.where(d[:, 0] * d[:, 1] >= 0, "same sign", "opposite signs")
        frames.append(pd.DataFrame({"scaling": name, "d_age": d[:, 0], "d_income": d[:, 1], "same": same}))
    df = pd.concat(frames, ignore_index=True)
    return out, df, spec(charts.update_scatter(df, stacked=phone))


# ---- Learning rate -----------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def sweep(seed: int, steps: int) -> tuple[S.LrSweep, S.LrSweep]:
    X, y = data(seed)
    lrs = np.logspace(-12, 1, 53)
    return tuple(S.lr_sweep(X, y, m, lrs, steps=steps) for m in ("none", "z-score"))


@st.cache_data(show_spinner=False, max_entries=64)
def sweep_view(seed: int, steps: int) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """The sweep's data, its chart and the table of 2/λmax, the measured threshold and the usable window."""
    curves, rules, windows, wins = [], [], [], []
    for name, sw in zip(("raw", "standardized"), sweep(seed, steps), strict=True):
        pinned, _ = pin_for_log(sw.rel_excess, floor=FLOOR)
        div = np.isinf(sw.rel_excess)
        curves.append(pd.DataFrame({"lr": sw.lrs, "data": name, "rel_excess": np.where(div, 10.0, pinned),
                                    "status": np.where(div, "diverged", "converging")}))
        rules.append({"data": name, "lr": sw.max_lr, "label": f"2/λmax = {fmt(sw.max_lr)}"})
        win = S.usable_window(sw.lrs, sw.rel_excess, SWEEP_TARGET)
        wins.append(win)
        if win:
            windows.append({"data": name, "lo": win[0], "hi": win[1]})
    df = pd.concat(curves, ignore_index=True)
    chart = charts.lr_sweep(df, pd.DataFrame(rules), pd.DataFrame(windows, columns=["data", "lo", "hi"]))
    table = pd.DataFrame({"data": ["raw", "standardized"],
                          "2/λmax (theory)": [fmt(sw.max_lr, 4) for sw in sweep(seed, steps)],
                          "diverges above (measured)": [fmt(sw.threshold, 4) for sw in sweep(seed, steps)],
                          "usable window": [f"{fmt(w[0])} … {fmt(w[1])}" if w else "none" for w in wins]})
    return df, spec(chart), table


# ---- Deep network --------------------------------------------------------------------------------------------
ACTS = ("tanh", "sigmoid")


@dataclass(frozen=True)
class NetSettings:
    seed: int = 0
    activation: str = "tanh"
    lr: float = 0.02      # smooth curves; from 0.05 up the standardized tanh curve can jump up for a few steps
    steps: int = 300
    width: int = 16       # units in each of the two hidden layers


@dataclass(frozen=True)
class NetRun:
    """One input set (raw or z-scored) through the network: its state at the start, the rounding of the first
    layer's inputs, and the full-batch training losses (steps,)."""

    start: S.NetworkStart
    rounding: S.Rounding
    losses: np.ndarray
    diverged_step: int | None


@st.cache_data(show_spinner=False, max_entries=64)
def network(s: NetSettings) -> tuple[NetRun, NetRun]:
    """The same initial network (Glorot-normal weights, zero biases) trained on raw and on z-scored inputs."""
    X, y = data(s.seed)
    net_rng, sgd_rng = rngs(s.seed)[4:6]
    net = nn.MLP.create([2, s.width, s.width, 1], activation=s.activation, init="xavier_normal", rng=net_rng)
    out = []
    for A in (X, S.fit_standardizer(X).transform(X)):
        res = nn.train(net, A, y, loss="mse", lr=s.lr, steps=s.steps, rng=sgd_rng)
        out.append(NetRun(S.network_start(net, A, y), S.rounding(net.forward(A).activation_inputs[0]),
                          res.losses, res.diverged_step))
    return tuple(out)


@st.cache_data(show_spinner=False, max_entries=64)
def mean_loss(seed: int) -> float:
    """The squared loss of predicting the average score for everyone: Var(y)/2."""
    return float(data(seed)[1].var() / 2)


@st.cache_data(show_spinner=False, max_entries=64)
def network_view(s: NetSettings) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """The training curves (data and chart) and the per-layer table at the start."""
    runs = network(s)
    df = pd.concat([pd.DataFrame({"step": np.arange(len(r.losses)), "data": name, "loss": r.losses})
                    for name, r in zip(("raw", "standardized"), runs, strict=True)], ignore_index=True)
    df = df[np.isfinite(df["loss"]) & (df["loss"] > 0)]
    df = df[(df["step"] % max(1, s.steps // 200) == 0)].reset_index(drop=True)
    raw, z = (r.start for r in runs)
    layers = [f"hidden {i + 1}" for i in range(len(raw.saturation))] + ["output"]
    table = pd.DataFrame({
        "layer": layers,
        "saturated units, raw": [f"{v:.0%}" for v in raw.saturation] + ["–"],
        "standardized": [f"{v:.1%}" for v in z.saturation] + ["–"],
        "RMS of ∂L/∂W, raw": [fmt(v) for v in raw.grad_rms],
        "RMS of ∂L/∂W, standardized": [fmt(v) for v in z.grad_rms]})
    return df, spec(charts.net_curves(df)), table


def rounding_table(raw: S.Rounding, z: S.Rounding) -> pd.DataFrame:
    """What float64 and float32 make of the first layer's pre-activations, raw vs standardized."""
    return pd.DataFrame({
        "inputs": ["raw", "standardized"], "largest |u|": [f"{r.max_abs_u:,.2f}" for r in (raw, z)],
        "tanh slope exactly 0: float64": [f"{r.flat64:.0%}" for r in (raw, z)],
        "float32": [f"{r.flat32:.0%}" for r in (raw, z)],
        "exp(|u|) = inf: float64": [f"{r.overflow64:.0%}" for r in (raw, z)],
        "float32 ": [f"{r.overflow32:.0%}" for r in (raw, z)]})


# ---- More features, train/test, shapes, CSV ---------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def dims(seed: int, d_max: int, spread: float) -> tuple[S.DimensionSweep, dict, dict]:
    res = S.dimension_sweep(400, d_max, rngs(seed)[2], spread=spread, tol=TOL)
    rows = []
    for name, kappa, pred, meas in (("raw", res.kappa_raw, res.steps_pred_raw, res.steps_meas_raw),
                                    ("standardized", res.kappa_z, res.steps_pred_z, res.steps_meas_z)):
        for i, d in enumerate(res.d):
            rows += [{"d": int(d), "data": name, "quantity": "kappa", "kind": "measured", "value": kappa[i]},
                     {"d": int(d), "data": name, "quantity": "steps", "kind": "theory", "value": pred[i]}]
            if np.isfinite(meas[i]):
                rows.append({"d": int(d), "data": name, "quantity": "steps", "kind": "measured",
                             "value": max(meas[i], 1)})
    df = pd.DataFrame(rows)
    df = df[np.isfinite(df["value"])]
    return (res, spec(charts.dimension_panel(df[df["quantity"] == "kappa"], "condition number κ")),
            spec(charts.dimension_panel(df[df["quantity"] == "steps"], "steps to converge (to 0.1%)")))


@st.cache_data(show_spinner=False, max_entries=64)
def leak(seed: int, growth: float) -> tuple[S.LeakReport, pd.DataFrame]:
    rep = S.leak_demo(N, rngs(seed)[3], income_growth=growth)
    rows = [{"statistics fitted on": fit, "income mean μ": f"{rep.mean[k][1]:,.0f}",
             "income std σ": f"{rep.scale[k][1]:,.0f}", "train income z: mean": f"{rep.train_z_mean[k][1]:+.3f}",
             "test income z: mean": f"{rep.test_z_mean[k][1]:+.3f}",
             "test income z: std": f"{rep.test_z_std[k][1]:.3f}"} for k, fit in enumerate(rep.fits)]
    return rep, pd.DataFrame(rows)


SHAPE_THEORY = {"age": S.UNIFORM_WITHIN_ONE_SIGMA, "income": S.lognormal_within_one_sigma(0.6),
                "a normal feature": S.NORMAL_WITHIN_ONE_SIGMA}


@st.cache_data(show_spinner=False, max_entries=64)
def shapes(seed: int) -> pd.DataFrame:
    """Skewness before and after z-scoring, and the share within ±1σ, measured and in theory."""
    X, _ = data(seed)
    cols = {"age": X[:, 0], "income": X[:, 1], "a normal feature": rngs(seed)[1].normal(size=N)}
    reps = {name: S.shape_report(x) for name, x in cols.items()}
    return pd.DataFrame([{"feature": k, "skewness raw → z": f"{r.skew_raw:.2f} → {r.skew_z:.2f}",
                          "within ±1σ": f"{r.within_one_sigma:.1%}", "theory": f"{SHAPE_THEORY[k]:.1%}"}
                         for k, r in reps.items()])


@st.cache_data(show_spinner=False, max_entries=8)
def read_upload(file_id: str, _data: bytes, seed: int) -> csv_upload.CsvTable:
    return csv_upload.read_csv(_data, seed=seed)


@st.cache_data(show_spinner=False, max_entries=16)
def analyse_upload(file_id: str, features: tuple[str, ...], target: str, seed: int, _frame: pd.DataFrame):
    """The uploaded data's comparison: (prepared data, table or None, chart or None)."""
    prep = csv_upload.prepare(_frame, list(features), target)
    if prep.X is None:
        return prep, None, None
    runs = S.compare_scalings(prep.X, prep.y, lr_fraction=0.9, steps=200, tol=TOL)
    rows = [{"scaling": LABELS[r.method], "κ": fmt(r.kappa), "2/λmax": fmt(r.max_lr, 4),
             "steps to 0.1%: predicted": steps_text(r.steps_predicted, r.steps_measured, 200)[0],
             "loss left after 200 steps": "diverged" if r.diverged_step else f"{r.rel_excess[-1]:.1e}"}
            for r in runs]
    domain = tuple(LABELS[m] for m in S.SCALINGS)
    return prep, pd.DataFrame(rows), fill(charts.loss_curves_spec(domain), charts.curve_frames(curve_frame(runs)))


@st.cache_data(show_spinner=False, max_entries=8)
def sample_csv_kappa(seed: int) -> float:
    """The built-in data written to a CSV and read back by the upload's reader: its raw κ."""
    X, y = data(seed)
    text = pd.DataFrame({"age": X[:, 0], "income": X[:, 1], "score": y}).to_csv(index=False).encode()
    prep = csv_upload.prepare(csv_upload.read_csv(text, seed=seed).frame, ["age", "income"], "score")
    return S.compare_scalings(prep.X, prep.y, steps=1)[0].kappa


# ---- "Reproduce this": one notebook per view ----------------------------------------------------------------------
CURVE_PLOT = """\
import altair as alt

alt.Chart(df).mark_line().encode(x="step:Q", y=alt.Y("{y}:Q", scale=alt.Scale(type="log")), color="{c}:N")
"""


def rep_data(seed: int) -> Reproduction:
    code = preamble(seed) + ("sc = S.fit_standardizer(X)\nprint('mean', sc.mean, 'std', sc.scale)\n"
                             "headline = sc.scale[1] / sc.scale[0]\nprint('headline =', headline)"
                             "   # income's std over age's\n")
    plot = "pd.DataFrame({'raw mean': sc.mean, 'raw std': sc.scale}, index=['age', 'income'])\n"
    return Reproduction("Input standardization: the data", code, plot, data_view(seed)[2], "income's std / age's")


def rep_scalings(s: ScalingSettings) -> Reproduction:
    code = preamble(s.seed) + (
        f"runs = S.compare_scalings(X, y, lr_fraction={s.frac!r}, steps={s.steps}, tol={TOL})\n"
        "for r in runs:\n    print(r.method, 'kappa', r.kappa, '2/lmax', r.max_lr, 'left', r.rel_excess[-1])\n"
        "df = pd.concat([pd.DataFrame({'step': np.arange(len(r.rel_excess)), 'scaling': r.method,\n"
        "                              'left': np.maximum(r.rel_excess, 1e-16)}) for r in runs]).dropna()\n"
        "headline = runs[0].kappa\nprint('headline =', headline)   # kappa of the raw data\n")
    return Reproduction("Input standardization: four scalings", code, CURVE_PLOT.format(y="left", c="scaling"),
                        compare(s)[0].kappa, "κ of the raw data (with its bias column)")


def rep_signs(seed: int) -> Reproduction:
    code = preamble(seed) + (
        f"mm = S.update_signs(X, y, 'min-max', sgd_rng, steps={SIGN_STEPS})\n"
        f"_, _, _, _, _, sgd_rng = np.random.default_rng({seed}).spawn(6)   # the same SGD stream again\n"
        f"zs = S.update_signs(X, y, 'z-score', sgd_rng, steps={SIGN_STEPS})\n"
        "print('z-score: share of steps with no opposite signs', zs.same_sign)\n"
        "headline = mm.same_sign\nprint('headline =', headline)   # min-max: the same share\n")
    plot = ("import altair as alt\n\ndf = pd.DataFrame(mm.updates, columns=['d_age', 'd_income'])\n"
            "alt.Chart(df).mark_point().encode(x='d_age:Q', y='d_income:Q')\n")
    return Reproduction("Input standardization: why center", code, plot, signs(seed, False)[0][0].same_sign,
                        "the share of min-max SGD steps in which both weights moved the same way")


def rep_sweep(seed: int, steps: int) -> Reproduction:
    code = preamble(seed) + (
        "lrs = np.logspace(-12, 1, 53)\n"
        f"raw, z = (S.lr_sweep(X, y, m, lrs, steps={steps}) for m in ('none', 'z-score'))\n"
        "print('raw: 2/lmax', raw.max_lr, 'measured', raw.threshold)\n"
        "df = pd.DataFrame({'lr': lrs, 'raw': raw.rel_excess, 'standardized': z.rel_excess})\n"
        "headline = z.threshold\nprint('headline =', headline)   # standardized: measured divergence threshold\n")
    plot = ("import altair as alt\n\nlong = df.melt('lr', var_name='data', value_name='left')\n"
            "long = long[np.isfinite(long['left']) & (long['left'] > 0)]\n"
            "alt.Chart(long).mark_line(point=True).encode(x=alt.X('lr:Q', scale=alt.Scale(type='log')),\n"
            "    y=alt.Y('left:Q', scale=alt.Scale(type='log')), color='data:N')\n")
    return Reproduction("Input standardization: the learning-rate sweep", code, plot, sweep(seed, steps)[1].threshold,
                        "the measured divergence threshold for standardized data")


def rep_network(s: NetSettings) -> Reproduction:
    code = preamble(s.seed) + (
        "from core import nn\n\n"
        f"net = nn.MLP.create([2, {s.width}, {s.width}, 1], activation={s.activation!r}, init='xavier_normal', "
        "rng=net_rng)\nruns = {}\n"
        "for name, A in (('raw', X), ('standardized', S.fit_standardizer(X).transform(X))):\n"
        "    print(name, S.network_start(net, A, y))\n"
        "    print(name, S.rounding(net.forward(A).activation_inputs[0]))\n"
        f"    runs[name] = nn.train(net, A, y, loss='mse', lr={s.lr!r}, steps={s.steps}, rng=sgd_rng).losses\n"
        "df = pd.concat([pd.DataFrame({'step': np.arange(len(v)), 'data': k, 'loss': v}) for k, v in runs.items()])\n"
        "headline = runs['standardized'][-1]\nprint('headline =', headline)   # standardized: the last loss\n")
    return Reproduction("Input standardization: a small network", code, CURVE_PLOT.format(y="loss", c="data"),
                        float(network(s)[1].losses[-1]), "the standardized network's last training loss")


def rep_dims(seed: int, d_max: int, spread: float) -> Reproduction:
    code = preamble(seed) + (
        f"res = S.dimension_sweep(400, {d_max}, dims_rng, spread={spread!r}, tol={TOL})\n"
        "df = pd.DataFrame({'d': res.d, 'raw': res.kappa_raw, 'standardized': res.kappa_z})\n"
        "headline = res.kappa_raw[-1]\nprint('headline =', headline)   # raw kappa with the most features\n")
    plot = ("import altair as alt\n\nalt.Chart(df.melt('d')).mark_line(point=True).encode(x='d:Q',\n"
            "    y=alt.Y('value:Q', scale=alt.Scale(type='log')), color='variable:N')\n")
    return Reproduction("Input standardization: more features", code, plot,
                        float(dims(seed, d_max, spread)[0].kappa_raw[-1]), "raw κ with the most features")


def rep_leak(seed: int, growth: float) -> Reproduction:
    code = preamble(seed) + (
        f"rep = S.leak_demo({N}, leak_rng, income_growth={growth!r})\n"
        "df = pd.DataFrame({'fit': rep.fits, 'test income z mean': [m[1] for m in rep.test_z_mean]})\n"
        "headline = rep.test_z_mean[0][1]\nprint('headline =', headline)   # fit on train: test z-mean\n")
    return Reproduction("Input standardization: train/test split", code, "df\n", float(leak(seed, growth)[0]
                        .test_z_mean[0][1]), "the test split's mean income z-score, statistics fitted on train")


def rep_csv(seed: int) -> Reproduction:
    code = preamble(seed) + (
        "from ui import csv_upload\n\n"
        "text = pd.DataFrame({'age': X[:, 0], 'income': X[:, 1], 'score': y}).to_csv(index=False).encode()\n"
        "# with your own file: text = open('my.csv', 'rb').read(), and your column names below\n"
        f"table = csv_upload.read_csv(text, seed={seed})\n"
        "prep = csv_upload.prepare(table.frame, ['age', 'income'], 'score')\n"
        "runs = S.compare_scalings(prep.X, prep.y, steps=1)\n"
        "df = pd.DataFrame({'scaling': [r.method for r in runs], 'kappa': [r.kappa for r in runs]})\n"
        "headline = runs[0].kappa\nprint('headline =', headline)   # raw kappa of the CSV\n")
    return Reproduction("Input standardization: your CSV", code, "df\n", sample_csv_kappa(seed),
                        "raw κ of the built-in data read back from a CSV")


def notebooks() -> dict[str, Reproduction]:
    """Each view's notebook at the default settings (tests/test_notebooks.py runs them)."""
    return {"The data": rep_data(0), "Four scalings": rep_scalings(ScalingSettings()), "Why center": rep_signs(0),
            "Learning rate": rep_sweep(0, 100), "Deep network": rep_network(NetSettings()),
            "More features": rep_dims(0, 12, 1000.0), "Train/test split": rep_leak(0, 0.3),
            "Your CSV": rep_csv(0)}


def warm() -> None:
    """Every part's default view (ui/warmup.py), each call with exactly the page's arguments (st.cache_data keys on
    the arguments as given, defaults left out or not)."""
    effects(0)
    data_view(0)
    scalings_view(ScalingSettings())
    centering(ScalingSettings())
    units(0)
    first_steps(0)
    signs(0, False)
    signs(0, True)
    sweep_view(0, 100)
    network_view(NetSettings())
    mean_loss(0)
    sample_csv_kappa(0)
    dims(0, 12, 1000.0)
    leak(0, 0.3)
    shapes(0)
    notebooks()
