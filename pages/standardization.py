"""1 · Input standardization: why normalize inputs, and why it allows a larger learning rate."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import streamlit as st

import ui
from charts import standardization as ch
from charts.common import cached, fill, pin_for_log, show
from core import standardize as S
from core.datasets import AGE_INCOME_FEATURES, age_income
from core.numerics import Histogram, histogram
from ui import csv_upload
from ui.nav import by_url_path

TOL = 1e-3            # "converged" = 0.1% of the initial excess loss left
SWEEP_TARGET = 1e-2   # the usable window: within 1% of the minimum after T steps
FLOOR = 1e-16         # relative excess below this is round-off; pinned and labelled "underflow"
LABELS = {"none": "none (raw)", "centering": "centering", "min-max": "min-max", "z-score": "z-score"}
WEIGHTS = ("w₁ (age)", "w₂ (income)", "b (bias)")
N_ROWS = 300          # rows of age/income data (one fixed size: every section reruns alone as a fragment)


# ---- cached core calls (scalar, hashable arguments only) -------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return age_income(n, np.random.default_rng(seed))


@st.cache_data(show_spinner=False, max_entries=64)
def compare(n: int, seed: int, frac: float, steps: int) -> tuple[S.ScalingRun, ...]:
    X, y = data(n, seed)
    return S.compare_scalings(X, y, lr_fraction=frac, steps=steps, tol=TOL)


@st.cache_data(show_spinner=False, max_entries=64)
def compare_view(n: int, seed: int, frac: float, steps: int) -> tuple[pd.DataFrame, dict]:
    """The loss curves' data and chart, built once per setting."""
    domain = tuple(LABELS[m] for m in S.SCALINGS)
    df = curve_frame(compare(n, seed, frac, steps), domain)
    return df, fill(ch.loss_curves_spec(domain), ch.curve_frames(df))   # composed once, filled per setting


@st.cache_data(show_spinner=False, max_entries=64)
def thresholds(n: int, seed: int) -> dict[str, float]:
    """Measured divergence threshold (bisection) for each scaling."""
    X, y = data(n, seed)
    return {m: S.measured_threshold(X, y, m) for m in S.SCALINGS}


@st.cache_data(show_spinner=False, max_entries=64)
def sweep(n: int, seed: int, steps: int) -> tuple[S.LrSweep, S.LrSweep]:
    X, y = data(n, seed)
    lrs = np.logspace(-12, 1, 53)
    return tuple(S.lr_sweep(X, y, m, lrs, steps=steps) for m in ("none", "z-score"))


@st.cache_data(show_spinner=False, max_entries=64)
def dims(seed: int, d_max: int, spread: float) -> S.DimensionSweep:
    return S.dimension_sweep(400, d_max, np.random.default_rng(seed), spread=spread, tol=TOL)


@st.cache_data(show_spinner=False, max_entries=64)
def leak(n: int, seed: int, growth: float) -> S.LeakReport:
    return S.leak_demo(max(n, 20), np.random.default_rng(seed), income_growth=growth)


@st.cache_data(show_spinner=False, max_entries=64)
def shapes(n: int, seed: int) -> dict[str, tuple[S.ShapeReport, Histogram]]:
    X, _ = data(n, seed)
    normal = np.random.default_rng(seed).spawn(1)[0].normal(size=n)   # a stream apart from the data's
    out = {}
    for name, x in (("age", X[:, 0]), ("income", X[:, 1]), ("a normal feature", normal)):
        rep = S.shape_report(x)
        z = S.fit_standardizer(x.reshape(-1, 1)).transform(x.reshape(-1, 1))[:, 0]
        out[name] = (rep, histogram(z, 40))
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def units(n: int, seed: int) -> dict[str, tuple[float, float]]:
    """κ for raw and z-scored data with income in dollars and in thousands of dollars."""
    X, y = data(n, seed)
    out = {}
    for unit, factor in (("dollars", 1.0), ("thousands", 1e-3)):
        runs = S.compare_scalings(X * np.array([1.0, factor]), y, steps=1)
        out[unit] = (runs[0].kappa, runs[3].kappa)
    return out


@st.cache_data(show_spinner=False, max_entries=8)
def read_upload(file_id: str, _data: bytes, seed: int) -> csv_upload.CsvTable:
    return csv_upload.read_csv(_data, seed=seed)


@st.cache_data(show_spinner=False, max_entries=16)
def analyse_upload(file_id: str, features: tuple[str, ...], target: str, seed: int,
                   _frame: pd.DataFrame) -> tuple[csv_upload.Prepared, tuple[S.ScalingRun, ...] | None, float]:
    t0 = time.perf_counter()
    prep = csv_upload.prepare(_frame, list(features), target)
    runs = None if prep.X is None else S.compare_scalings(prep.X, prep.y, lr_fraction=0.9, steps=200, tol=TOL)
    return prep, runs, time.perf_counter() - t0


# ---- small formatting helpers ------------------------------------------------------------------------
def fmt(v: float, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if math.isinf(v):
        return "∞"
    return f"{v:.{digits}g}" if 1e-3 <= abs(v) < 1e5 or v == 0 else f"{v:.{digits - 1}e}"


def steps_text(pred: float, meas: int | None, ran: int) -> tuple[str, str]:
    p = "never (diverges)" if math.isinf(pred) else f"{pred:,.0f}"
    m = f"{meas:,}" if meas is not None else f"not within {ran:,}"
    return p, m


def curve_frame(runs, domain) -> pd.DataFrame:
    rows = []
    for r in runs:
        rel = r.rel_excess
        keep = np.isfinite(rel)
        steps = np.flatnonzero(keep)
        pinned, status = pin_for_log(rel[keep], floor=FLOOR)
        rows.append(pd.DataFrame({"step": steps, "scaling": LABELS[r.method], "rel_excess": pinned,
                                  "status": status}))
    df = pd.concat(rows, ignore_index=True)
    if len(df) > 600:  # keep the payload small: every k-th step, always the last one
        k = math.ceil(len(df) / 600)
        df = df[(df["step"] % k == 0) | df["step"].isin(df.groupby("scaling")["step"].max())]
    return df[df["scaling"].isin(domain)]


def hist_frame(x: np.ndarray) -> pd.DataFrame:
    h = histogram(x, 30)
    return pd.DataFrame({"bin_start": h.edges[:-1], "bin_end": h.edges[1:], "count": h.counts})


# ---- the page ------------------------------------------------------------------------------------------
ui.page_header("Input standardization",
               "Why normalize inputs, and why does it allow a larger learning rate?", icon=":material/straighten:")
seed = ui.seed()
st.markdown(
    "The lecture's example: predict a score from **age** (10–50 years) and **income** (10k–500k dollars) "
    "with a linear model $\\hat y = w_1 x_1 + w_2 x_2 + b$, trained by gradient descent on "
    "$L(w) = \\tfrac{1}{2n}\\lVert Xw - y\\rVert^2$. Both features matter equally once the units are "
    "removed; only their scales differ."
)
n = N_ROWS
st.caption(f"{n} rows drawn from the seeded age/income data set; change the seed in the sidebar for a new draw.")
X, y = data(n, seed)
z_scaler = S.fit_standardizer(X)
Z = z_scaler.transform(X)


def data_section() -> None:
    st.subheader("1. The data, before and after z-scoring", anchor=False)
    grid = st.columns(4)
    for j, (name, unit) in enumerate((("age", "years"), ("income", "dollars"))):
        with grid[2 * j]:
            show(cached(ch.histogram, hist_frame(X[:, j]), f"{name}, raw ({unit})", "raw"),
                 f"Raw {name}: spans {X[:, j].min():,.0f} to {X[:, j].max():,.0f} {unit}.")
        with grid[2 * j + 1]:
            show(cached(ch.histogram, hist_frame(Z[:, j]), f"{name}, z-scored (std devs)", "standardized"),
                 f"z-scored {name}: centred at 0 with spread 1; the shape is unchanged.")
    st.caption("Orange: raw data in its own units; blue: the same data z-scored. Same shapes, new axes: only the "
               "units change.")
    left, right = st.columns([3, 2])
    with left:
        stats = pd.DataFrame({
            "feature": list(AGE_INCOME_FEATURES),
            "raw mean μ": [f"{v:,.4g}" for v in z_scaler.mean],
            "raw std σ": [f"{v:,.4g}" for v in z_scaler.scale],
            "z-scored mean": [f"{v:.2f}" for v in np.round(Z.mean(axis=0), 12) + 0.0],
            "z-scored std": [f"{v:.2f}" for v in Z.std(axis=0)],
        })
        st.markdown(ui.table(stats))
        st.caption(f"Income's std is about {z_scaler.scale[1] / z_scaler.scale[0]:,.0f}× age's: that ratio, "
                   "squared, is what the loss surface feels.")
    with right:
        ui.formula(r"z_{ij} = \frac{x_{ij} - \mu_j}{\sigma_j},\quad "
                   r"\sigma_j^2 = \tfrac1n\textstyle\sum_i (x_{ij}-\mu_j)^2",
                   "μ and σ from the training rows (ddof = 0); a constant column gets σ = 1.")


def scalings_intro() -> None:
    st.subheader("2. Four scalings, one learning-rate rule, the same start", anchor=False)
    l, r_ = st.columns(2)
    with l:
        ui.formula(r"\kappa = \frac{\lambda_{max}}{\lambda_{min}}\ \text{of}\ H = \tfrac1n D^\top D,"
                   r"\quad \eta < \frac{2}{\lambda_{max}}",
                   "D = [scaled X, 1]. GD is stable iff η < 2/λmax: compare the 2/λmax (theory) and diverges above (measured) columns below.")
    with r_:
        ui.formula(r"L_t - L^* = \tfrac12 \sum_i \frac{(v_i^\top g_0)^2}{\lambda_i}(1-\eta\lambda_i)^{2t}",
                   "Each eigendirection shrinks by (1 − ηλᵢ) per step; the steps to 0.1%: theory column solves this "
                   "for 0.1%; the slowest direction needs ≈ κ·ln(1000)/3.6 steps at η = 0.9·2/λmax.")


def data_code(n: int, seed: int) -> str:
    """The first lines of every "Reproduce this" snippet on this page: the same data as the page."""
    return ("import numpy as np\nfrom core.datasets import age_income\nfrom core import standardize as S\n\n"
            f"X, y = age_income({n}, np.random.default_rng({seed}))\n")


@st.fragment
def compare_section() -> None:
    c1, c2 = st.columns(2)
    with c1:
        frac = float(ui.select_slider(
            "Learning rate, as a fraction of each scaling's own 2/λmax",
            [0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.01, 1.1, 1.5], 0.9, key="eta",
            help="Each scaling gets its own largest stable step 2/λmax, times this fraction; above 1 "
                 "gradient descent diverges."))
    with c2:
        steps = int(ui.select_slider("Gradient-descent steps", [20, 50, 100, 200, 500, 1000], 200, key="steps"))
    runs = compare(n, seed, frac, steps)
    meas = thresholds(n, seed)
    st.markdown(f"Every run starts at $w = 0$ and uses $\\eta = {frac:g}\\times 2/\\lambda_{{max}}$ of *its own* "
                "loss surface, so each scaling gets the best step it can safely take. The bias column of ones is "
                "appended **after** scaling, so centering changes the surface too.")
    rows = []
    for r in runs:
        p, m = steps_text(r.steps_predicted, r.steps_measured, steps)
        rows.append({"scaling": LABELS[r.method], "κ": fmt(r.kappa),
                     "2/λmax (theory)": fmt(r.max_lr, 4), "diverges above (measured)": fmt(meas[r.method], 4),
                     "η used": fmt(r.lr, 3), "steps to 0.1%: theory": p, "measured": m,
                     "loss left": "diverged" if r.diverged_step else f"{r.rel_excess[-1]:.1e}"})
    table = pd.DataFrame(rows)
    st.markdown(ui.table(table))
    df, curves = compare_view(n, seed, frac, steps)
    show(curves,  # the alt text does not name the fraction: the chart then updates in place when it moves
         "Loss curves of the four scalings at the chosen fraction of 2/λmax: z-score reaches round-off in a few dozen steps, min-max in about a "
         "hundred, while raw and merely centred data barely move: their κ is 10⁹–10¹¹.")
    for r in runs:
        if r.lr <= r.max_lr:
            continue
        why = f"With {LABELS[r.method]}, the learning rate {fmt(r.lr, 3)} is above 2/λmax = {fmt(r.max_lr, 3)}."
        if r.diverged_step is None:
            why += (f" The loss is growing: after {steps:,} steps the excess loss is {r.rel_excess[-1]:.3g}× its "
                    "starting value, and more steps make it explode.")
        ui.diverged_notice(r.diverged_step, why, what=f"Gradient descent ({LABELS[r.method]})")
    st.caption("y axis: (L − L*)/(L₀ − L*), the share of the starting excess loss still left (L* is the best "
               "possible loss, the same for every scaling). Below 10⁻¹⁶ is round-off and is drawn at 10⁻¹⁶.")
    raw = runs[0]
    if raw.diverged_step is None:
        st.markdown(f"**Raw data is painfully slow:** after {steps:,} steps, {raw.rel_excess[-1]:.0%} of the excess "
                    f"loss is still there; theory says reaching 0.1% would take about "
                    f"**{steps_text(raw.steps_predicted, None, 0)[0]} steps**.")
    code = (data_code(n, seed) +
            f"runs = S.compare_scalings(X, y, lr_fraction={frac}, steps={steps}, tol={TOL})\n"
            "for r in runs:\n    print(r.method, r.kappa, r.max_lr, r.steps_predicted, r.steps_measured)\n")
    ui.reproduce(code, df, file_name="loss_curves.csv", key="csv_curves")


def gradient_section() -> None:
    st.subheader("3. The gradient is scaled by its feature", anchor=False)
    runs0 = compare(n, seed, 0.9, 20)
    raw_run, z_run = runs0[0], runs0[3]
    g_rows = []
    for data_name, r in (("raw", raw_run), ("standardized", z_run)):
        for j, w in enumerate(WEIGHTS):
            g_rows.append({"weight": w, "data": data_name, "grad": r.grad0[j], "label": fmt(r.grad0[j])})
    g_base = min(row["grad"] for row in g_rows) / 10
    for row in g_rows:
        row["base"] = g_base
    gl, gr = st.columns([3, 2])
    with gl:
        gdf = pd.DataFrame(g_rows)
        show(cached(ch.gradient_bars, gdf),
             f"At the start, raw income's gradient is {raw_run.grad0[1] / raw_run.grad0[0]:,.0f} times age's; after "
             "standardizing, the three gradients are within a factor of about 5.")
    with gr:
        ui.formula(r"\frac{\partial L}{\partial w_j} = \frac1n \sum_i x_{ij}\,(\hat y_i - y_i)",
                   "Each weight's gradient carries its feature's size xⱼ.")
        first = pd.DataFrame({
            "weight": WEIGHTS,
            "first step ÷ distance, raw": [f"{v:.1e}" for v in raw_run.lr * raw_run.grad0 / np.abs(raw_run.w_star)],
            "standardized": [f"{v:.2f}" for v in z_run.lr * z_run.grad0 / np.abs(z_run.w_star)],
        })
        st.markdown(ui.table(first))
        st.caption(f"With one η = 0.9·2/λmax (raw: {fmt(raw_run.lr)}), the raw income weight overshoots its optimum "
                   f"while the age weight moves a {raw_run.lr * raw_run.grad0[0] / abs(raw_run.w_star[0]):.0e} share of "
                   "the way: no single learning rate suits both.")


@st.fragment
def sweep_section() -> None:
    st.subheader("4. The learning-rate sweep: the usable window", anchor=False)
    T = int(ui.select_slider("Steps per run", [25, 50, 100, 200], 100, key="T"))
    with st.spinner("Sweeping 53 learning rates…"):
        sw_raw, sw_z = sweep(n, seed, T)
    curves, rules, windows = [], [], []
    for name, sw in (("raw", sw_raw), ("standardized", sw_z)):
        pinned, status = pin_for_log(sw.rel_excess, floor=FLOOR)
        curves.append(pd.DataFrame({"lr": sw.lrs, "data": name, "rel_excess": np.where(np.isinf(sw.rel_excess),
                                    10.0, pinned), "status": np.where(np.isinf(sw.rel_excess), "diverged",
                                                                      "converging")}))
        rules.append({"data": name, "lr": sw.max_lr, "label": f"2/λmax = {fmt(sw.max_lr)}"})
        win = S.usable_window(sw.lrs, sw.rel_excess, SWEEP_TARGET)
        if win:
            windows.append({"data": name, "lo": win[0], "hi": win[1]})
    df = pd.concat(curves, ignore_index=True)
    show(cached(ch.lr_sweep, df, pd.DataFrame(rules), pd.DataFrame(windows, columns=["data", "lo", "hi"])),
         # no numbers in the alt text (the steps slider would make the browser rebuild the chart): they are in
         # the caption and the numbers below
         "Final loss vs learning rate: standardized data has a wide usable window up to its 2/λmax, raw data "
         "none; each curve blows up exactly at its dashed 2/λmax line.")
    st.caption(f"Final loss after {T} steps. Crosses mark runs that diverged (drawn at 10 on the axis). The shaded "
               f"band is the window where the run ends within {SWEEP_TARGET:.0%} of the minimum; dashed lines are "
               f"the theory 2/λmax ({fmt(sw_raw.max_lr)} raw, {fmt(sw_z.max_lr)} standardized).")
    win_raw = S.usable_window(sw_raw.lrs, sw_raw.rel_excess, SWEEP_TARGET)
    win_z = S.usable_window(sw_z.lrs, sw_z.rel_excess, SWEEP_TARGET)
    cols = st.columns(2)
    for col, name, sw, win in ((cols[0], "Raw", sw_raw, win_raw), (cols[1], "Standardized", sw_z, win_z)):
        col.metric(f"{name}: divergence threshold, measured", fmt(sw.threshold, 4),
                   f"theory 2/λmax = {fmt(sw.max_lr, 4)} ({(sw.threshold / sw.max_lr - 1):+.2%})",
                   delta_color="off", delta_arrow="off")
        col.markdown(f"Usable window (within {SWEEP_TARGET:.0%} after {T} steps): "
                     + (f"**{fmt(win[0])} … {fmt(win[1])}** ({win[1] / win[0]:,.0f}× wide)" if win else "**none** — "
                        "small η barely moves age and the bias, large η diverges along income."))
    code = (data_code(n, seed) + f"lrs = np.logspace(-12, 1, 53)\n"
            f"for m in ('none', 'z-score'):\n    sw = S.lr_sweep(X, y, m, lrs, steps={T})\n"
            "    print(m, sw.max_lr, sw.threshold, S.usable_window(lrs, sw.rel_excess, 0.01))\n")
    ui.reproduce(code, df, file_name="lr_sweep.csv", key="csv_sweep")


@st.fragment
def dims_section() -> None:
    st.subheader("5. More dimensions", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        d_max = int(ui.slider("Features, up to", 2, 20, 12, key="dmax"))
    with c2:
        spread = float(ui.select_slider("Largest scale ratio between features", [10, 100, 1000, 10000], 1000,
                                        key="spread"))
    res = dims(seed, d_max, spread)
    rows = []
    for data_name, kappa, pred, meas in (("raw", res.kappa_raw, res.steps_pred_raw, res.steps_meas_raw),
                                         ("standardized", res.kappa_z, res.steps_pred_z, res.steps_meas_z)):
        for i, d in enumerate(res.d):
            rows.append({"d": int(d), "data": data_name, "quantity": "kappa", "kind": "measured", "value": kappa[i]})
            rows.append({"d": int(d), "data": data_name, "quantity": "steps", "kind": "theory", "value": pred[i]})
            if np.isfinite(meas[i]):
                rows.append({"d": int(d), "data": data_name, "quantity": "steps", "kind": "measured",
                             "value": max(meas[i], 1)})
    df = pd.DataFrame(rows)
    df = df[np.isfinite(df["value"])]
    k_col, s_col = st.columns(2)
    with k_col:
        # alt texts without numbers (both sliders move them; a changed alt text rebuilds the chart): see the caption
        show(cached(ch.dimension_panel, df[df["quantity"] == "kappa"], "condition number κ"),
             "As mixed-scale features are added, raw κ climbs by orders of magnitude while standardized κ stays "
             "small (the numbers are in the caption below).")
    with s_col:
        show(cached(ch.dimension_panel, df[df["quantity"] == "steps"], "steps to converge (to 0.1%)"),
             "Steps to converge grow with raw κ; standardized data needs few, and predicted and measured agree.")
    st.caption(f"With {int(res.d[-1])} features: raw κ {fmt(res.kappa_raw[-1])}, standardized κ "
               f"{fmt(res.kappa_z[-1], 2)}; steps to converge, predicted: raw {fmt(res.steps_pred_raw[-1])}, "
               f"standardized {fmt(res.steps_pred_z[-1], 2)}. Feature j has scale 10^U(0, log₁₀ ratio) and a non-zero mean; every feature matters equally once "
               "standardized. Left: κ from the Hessian's eigenvalues. Right: dashed lines are the steps predicted "
               "from the eigenvalues, dots the steps measured by running GD at 0.9·2/λmax (raw runs would take "
               "millions of steps, so only their prediction is drawn).")


@st.fragment
def leak_section() -> None:
    st.subheader("6. Fit on the training split, apply to the test split", anchor=False)
    growth = float(ui.slider("Income growth between the training and the test rows (%)", 0, 100, 30, key="growth",
                             step=5)) / 100
    rep = leak(n, seed, growth)
    rows = []
    for k, fit in enumerate(rep.fits):
        rows.append({"statistics fitted on": fit, "income mean μ": f"{rep.mean[k][1]:,.0f}",
                     "income std σ": f"{rep.scale[k][1]:,.0f}",
                     "train income z: mean": f"{rep.train_z_mean[k][1]:+.3f}",
                     "test income z: mean": f"{rep.test_z_mean[k][1]:+.3f}",
                     "test income z: std": f"{rep.test_z_std[k][1]:.3f}"})
    st.markdown(ui.table(pd.DataFrame(rows)))
    st.markdown(
        f"The last {rep.n_test} of {rep.n_train + rep.n_test} rows are the test split, collected after incomes grew "
        f"{growth:.0%}. **Fit on train only:** the training inputs have mean 0 and the test split honestly "
        f"shows its shift ({rep.test_z_mean[0][1]:+.2f}σ). **Fit on everything** (the leak): μ and σ already "
        f"contain the test rows, so the training inputs change with the test set (mean {rep.train_z_mean[1][1]:+.2f}) "
        f"and the shift looks smaller ({rep.test_z_mean[1][1]:+.2f}σ) than new data will show it.")
    box = st.expander("The code pattern", key="leak_code_open", on_change="rerun")  # built only when open
    with box:
        if box.open:
            st.code("scaler = S.fit_standardizer(X_train)     # statistics from the training rows only\n"
                    "Z_train = scaler.transform(X_train)\nZ_test = scaler.transform(X_test)      # same μ, σ, never refitted",
                    language="python")


@st.fragment
def skew_section() -> None:
    st.subheader("7. z-scoring does not make data normal", anchor=False)
    reps = shapes(n, seed)
    name = ui.segmented("Feature", list(reps), key="feature", default="income")
    rep, hist = reps[name]
    left, right = st.columns([3, 2])
    with left:
        hdf = pd.DataFrame({"bin_start": hist.edges[:-1], "bin_end": hist.edges[1:], "count": hist.counts})
        show(cached(ch.skew_hist, hdf, f"z-scored {name}: {rep.within_one_sigma:.0%} of rows within ±1σ (shaded); "
                                f"normal data: 68%"),
             f"z-scored {name}: skewness {rep.skew_z:.2f} (unchanged by z-scoring), {rep.within_one_sigma:.0%} of rows "
             "within ±1σ, against 68% for normal data.")
    with right:
        theory = {"age": S.UNIFORM_WITHIN_ONE_SIGMA, "income": S.lognormal_within_one_sigma(0.6),
                  "a normal feature": S.NORMAL_WITHIN_ONE_SIGMA}
        st.markdown(ui.table(pd.DataFrame([{
            "feature": k, "skewness raw → z": f"{r.skew_raw:.2f} → {r.skew_z:.2f}",
            "within ±1σ": f"{r.within_one_sigma:.1%}", "theory": f"{theory[k]:.1%}"}
            for k, (r, _) in reps.items()])))
        st.caption("Theory: uniform 1/√3 = 57.7% (age is uniform), log-normal with σ = 0.6: 80.5% (income, "
                   "before clipping to 10k–500k), normal 68.3%. z = (x − μ)/σ is a shift and a stretch: shape, "
                   "skew and outliers stay.")


def scalings_questions() -> None:
    ui.predict_then_look(
        "Centering alone removes the means. Will it make raw age/income converge much faster?",
        "No, here it is even slower: centering fixes the bias direction, but income is still ~5,000× age in "
        "spread, so κ stays around 10⁹. Only dividing by the spread (z-score, or min-max) brings κ near 1 — see "
        "the table above.", key="ptl_centering")
    kap = units(n, seed)
    ui.predict_then_look(
        "Measure income in thousands of dollars instead of dollars. What happens to κ, raw and z-scored?",
        f"Raw κ drops from {fmt(kap['dollars'][0])} to {fmt(kap['thousands'][0])}: the units alone set the "
        f"conditioning. z-scored κ is {fmt(kap['dollars'][1], 4)} in both units ({fmt(kap['thousands'][1], 4)}): "
        "dividing by σ removes the units, which is the whole point.", key="ptl_units")


@st.fragment
def upload_section() -> None:
    st.subheader("Bring your own CSV", anchor=False)
    st.markdown("Upload a CSV with numeric columns, pick the features and a target, and the same analysis "
                "(κ, 2/λmax, loss curves for the four scalings) runs on it. Files stay in this session only; "
                "the upload can't be part of the share link, and opening another part of the page forgets it.")
    up = st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key="csv")
    if up is None:
        st.caption("Try a file with a semicolon delimiter, blank cells or a text column: each gets a clear note.")
        return
    if st.session_state.get("_csv_file_id") != up.file_id:  # a new file: forget the old file's column choices
        st.session_state["_csv_file_id"] = up.file_id
        for key in ("csv_target", "csv_features"):
            st.session_state.pop(key, None)
    t0 = time.perf_counter()
    table = read_upload(up.file_id, up.getvalue(), seed)
    read_s = time.perf_counter() - t0
    for m in table.messages:
        (st.warning if m.level == "warning" else st.info)(m.text)
    if table.frame is None:
        return
    cols = list(table.frame.columns)
    st.caption(f"Read {table.rows_in_file:,} rows × {len(cols)} numeric column(s) in {read_s:.2f} s "
               f"({len(up.getvalue()) / 1e6:.1f} MB, {table.encoding}). Column names:")
    st.dataframe(pd.DataFrame({"numeric column": [csv_upload.plain(c, 80) for c in cols]}), hide_index=True,
                 height=min(35 * len(cols) + 38, 220))
    if len(cols) < 2:
        st.info("Only one numeric column: the analysis needs at least one feature and a target (two columns).")
        return
    c1, c2 = st.columns([1, 2])
    with c1:
        target = st.selectbox("Target (what to predict)", cols, index=len(cols) - 1, key="csv_target",
                              format_func=csv_upload.plain)
    with c2:
        options = [c for c in cols if c != target]
        features = st.multiselect("Features", options, default=options[:10], key="csv_features",
                                  format_func=csv_upload.plain)
    prep, runs, run_s = analyse_upload(up.file_id, tuple(features), target, seed, table.frame)
    for m in prep.messages:
        (st.warning if m.level == "warning" else st.info)(m.text)
    if runs is None:
        return
    rows = []
    for r in runs:
        p, meas = steps_text(r.steps_predicted, r.steps_measured, 200)
        rows.append({"scaling": LABELS[r.method], "κ": fmt(r.kappa), "2/λmax": fmt(r.max_lr, 4),
                     "steps to 0.1%: predicted": p, "measured (200 steps)": meas,
                     "loss left after 200 steps": "diverged" if r.diverged_step else f"{r.rel_excess[-1]:.1e}"})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    domain = tuple(LABELS[m] for m in S.SCALINGS)
    show(fill(ch.loss_curves_spec(domain), ch.curve_frames(curve_frame(runs, domain))),
         f"Your data: κ raw {fmt(runs[0].kappa)} vs z-scored {fmt(runs[3].kappa)}; the loss curves at 0.9×2/λmax "
         "show how much faster GD converges after scaling.")
    st.caption(f"{len(prep.y):,} rows × {len(prep.features)} feature(s) analysed in {run_s:.2f} s "
               "(each scaling at 0.9 × its own 2/λmax, 200 steps, from w = 0).")


def scalings_part() -> None:
    """The four scalings, the per-feature gradient, the two questions."""
    scalings_intro()
    compare_section()
    gradient_section()
    scalings_questions()


# One part at a time: each runs only while its tab is open.
ui.parts(by_url_path("standardization").parts, data_section, scalings_part, sweep_section, dims_section,
         leak_section, skew_section, upload_section)

st.divider()
ui.answer(
    "Gradient descent takes one step size for every weight, and each weight's gradient and curvature scale with "
    "its feature's size squared. With raw age and income the loss surface is a ravine (κ ≈ 10¹¹): the step that "
    "keeps income stable (η < 2/λmax) is far too small for age. Standardizing makes κ ≈ 1, so 2/λmax becomes "
    "≈ 2 instead of ≈ 10⁻¹⁰ and GD converges in tens of steps. Fit μ and σ on the training rows and reuse them.")
