"""2 · Input standardization: why normalize inputs, why it allows a larger η, and what raw inputs do to a network."""

from __future__ import annotations

import streamlit as st

import ui
from experiments import standardization as ex
from ui import csv_upload
from ui.nav import by_url_path

fmt = ex.fmt
ui.page_header("Why normalize inputs? Why does it allow a larger learning rate? And does it matter beyond a linear model, in a deep network?")
seed = ui.seed()
st.markdown(
    "The lecture's example: predict a score $y$ from **age** $x_1$ (10–50 years) and **income** $x_2$ (10k–500k "
    f"dollars) for $n$ = {ex.N} people with a linear model $\\hat y = w_1 x_1 + w_2 x_2 + b$ (weights $w_1, w_2$, "
    "bias $b$), trained by gradient descent (GD) with learning rate $\\eta$ on the squared loss $L = \\frac{1}{2n}\\sum_i (\\hat y_i - y_i)^2$. " f"The best fit raises the score by {ex.effects(seed)[0]:.1f} points per standard deviation of age and {ex.effects(seed)[1]:.1f} per standard deviation of income: both matter, on very different scales." " From page 1: the loss is a bowl whose curvature is the Hessian $H$ (here $H = \\frac1n D^\\top D$, with $D$ the inputs plus a column of ones for $b$); its eigenvalues $\\lambda$ are the curvatures along its axes, $\\kappa = \\lambda_{max}/\\lambda_{min}$ says how elongated it is, and GD diverges unless $\\eta < 2/\\lambda_{max}$.")
st.page_link("pages/loss_surface.py", label="Page 1: the Hessian, λ, κ and 2/λmax", icon=":material/landscape:")


def data_part() -> None:
    specs, stats, ratio = ex.data_view(seed)
    for col, s, what in zip(st.columns(4), specs, ("raw age", "z-scored age", "raw income", "z-scored income"),
                            strict=True):
        col.vega_lite_chart(spec=s, width="stretch", alt=f"Histogram of {what}: the same shape on a new axis.")
    ui.markdown(ui.legend_text("Orange: raw, in its own units; blue: the same values z-scored."), ui.table(stats))
    ui.formula(r"z_{ij} = \frac{x_{ij} - \mu_j}{\sigma_j},\quad \sigma_j^2 = \tfrac1n\textstyle\sum_i (x_{ij}-\mu_j)^2",
               "μⱼ: feature j's mean; σⱼ: its standard deviation over the n training rows (ddof = 0: divided by n, not n − 1); a constant column gets σ = 1.")
    ui.markdown(f"Income's σ is **{ratio:,.0f}×** age's. z-scoring (standardizing) gives every feature mean 0 and "
                "standard deviation 1, so a change of 1 means \"one typical spread\" for both. It only shifts and stretches, so the shape stays: skew (the asymmetry E[z³]) and outliers remain, and the share within ±1σ is 68.3% only for normal data (uniform, like age: 1/√3 = 57.7%; log-normal with σ = 0.6, like income before clipping to 10k–500k: 80.5%).", ui.table(ex.shapes(seed)))
    ui.reproduce(ex.rep_data(seed), stats, key="std_data")


def scalings_part() -> None:
    st.markdown("Four ways to scale each feature before GD: **none**; **centering** $x - \\mu$; **min-max** $(x - \\min)/(\\max - \\min)$, into [0, 1]; **z-score**. The column of ones for $b$ is added after scaling. Each run starts at $w = 0$ with $\\eta$ = a fraction of *its own* $2/\\lambda_{max}$; \"steps to 0.1%\" counts the steps until 0.1% of the starting excess loss $L - L^*$ is left ($L^*$: the lowest possible loss).")
    frac = float(ui.select_slider("Learning rate η, in units of each scaling's 2/λmax", ex.FRACS, 0.9, key="eta"))
    steps = int(ui.select_slider("Gradient-descent steps", [20, 50, 100, 200, 500, 1000], 200, key="steps"))
    c = ex.centering(s := ex.ScalingSettings(seed, frac, steps))
    ui.predict("predict_centering", f"Centering alone subtracts each feature's mean. After {steps} steps, will "
               "centred data have less of its excess loss left than raw data?", ex.CENTERING_OPTIONS,
               correct=c.verdict, reveal=f"Loss left: raw {c.left_raw:.1%}, centred {c.left_centred:.1%}. Centering "
               "keeps income's spread and puts the bias alone in the flattest direction: see below the chart.")
    table, df, curves = ex.scalings_view(s)
    st.markdown(ui.table(table))
    st.vega_lite_chart(spec=curves, width="stretch", alt="Loss curves of the four scalings: z-score reaches round-off in tens of steps, min-max in about a hundred, raw and centred data barely move.")
    runs = ex.compare(s)
    ui.markdown(ui.legend_text("y: (L − L*)/(L₀ − L*), the share of the starting excess loss left; L* is the best possible loss. Below 10⁻¹⁶ is round-off, drawn at 10⁻¹⁶."),
                f"**Reading the table.** Raw κ is {fmt(runs[0].kappa)}. Centering removes the means but not income's spread: the steepest curvature is now Var(income) = {c.var_income:.3g}, so centred κ = λmax/λmin = {c.kappa:.3g}, where λmin = {c.lam_min:.3g} is the "
                "bias's own curvature (its column of ones has mean square 1). The bias must travel from 0 to the "
                f"mean score along that flattest direction, and at η = {c.lr:.2g} it covers η·λmin = {c.lr * c.lam_min:.1e} of the remaining way per step; uncentred income (~10⁵ for everyone) lets "
                "its weight absorb that offset instead. The predicted step counts use page 1's formula, which also "
                "depends on $s$, the share of the starting gap along the flattest direction: centred data put the bias's "
                "whole offset there, so they need more steps than raw data despite a smaller κ. Dividing by the "
                "spread brings κ down to "
                f"{runs[2].kappa:.3g} (min-max) and {runs[3].kappa:.3g} (z-score).")
    for r in (r for r in runs if r.lr > r.max_lr):
        ui.diverged_notice(r.diverged_step, f"η = {fmt(r.lr)} is above 2/λmax = {fmt(r.max_lr)}: the steep "
                           "direction's error grows each step.", what=f"GD ({ex.LABELS[r.method]})")
    ui.reproduce(ex.rep_scalings(s), df, key="std_scalings")
    st.subheader("Gradient linear in the feature, curvature quadratic", anchor=False)
    ui.formula(r"\frac{\partial L}{\partial w_j} = \frac1n \sum_i x_{ij}\,(\hat y_i - y_i),\qquad H_{jj} = \frac{\partial^2 L}{\partial w_j^2} = \frac1n \sum_i x_{ij}^2")
    u = ex.units(seed)
    ui.predict("predict_units", "Income in dollars is 1,000× income in thousands of dollars. For the raw data, how much smaller must η be in dollars?", ex.UNITS_OPTIONS, correct=u.verdict,
               reveal=f"2/λmax is {u.lr_ratio:,.0f}× smaller in dollars: the curvature grows with the square.")
    st.markdown(
        f"Multiply a feature by 1,000 and its gradient grows 1,000× (measured: **{u.grad_ratio:,.0f}×**), its curvature $H_{{jj}}$ 1,000² = 1,000,000× (measured: **{u.curv_ratio:,.0f}×**), and so the largest stable η, 2/λmax, shrinks **{u.lr_ratio:,.0f}×**: not exactly 10⁶, because in thousands income's "
        f"curvature is only {u.income_over_age:.0f}× age's, so λmax is not income's alone. Raw κ goes from "
        f"{fmt(u.kappa_thousands)} to {fmt(u.kappa_dollars)}; z-scored κ is {u.kappa_z[0]:.4g} in both units.")
    table, bars = ex.first_steps(seed)
    left, right = st.columns([3, 2])
    left.vega_lite_chart(spec=bars, width="stretch", alt="|∂L/∂w| at the start: raw income's is thousands of times age's; standardized, the three are close.")
    right.markdown(ui.table(table))
    st.markdown(
        f"With one η = 0.9·2/λmax each weight's first step, as a share of its distance to the minimum: raw, income's weight moves {table.iloc[1, 1]}× its distance (past the minimum) while age's moves {table.iloc[0, 1]} of the way and the bias {table.iloc[2, 1]}: no single η suits both. Standardized, all three move {table.iloc[0, 2]}–{table.iloc[2, 2]}× their distance: they overshoot too (η is above 1/λ, where page 1's factor 1 − ηλ is 0 and "
        "one step lands exactly), but by the same share, so the next steps bring them back together.")


def center_part() -> None:
    st.markdown(
        "LeCun et al. (1998, §4.3) give a second reason to center. For one sample the loss is $\\frac12(\\hat y - y)^2$ and its gradient for $w_j$ is $\\delta\\, x_j$, where $\\delta = \\hat y - y$ is that sample's error: one number for all the unit's weights. If every input $x_j$ is positive, every weight's update $-\\eta\\delta x_j$ has the same sign: all weights go up together or down together, and a minimum that needs one up and another down is reached only by zigzagging. Raw age and income are all positive, and so are min-max inputs (in [0, 1]). Below: stochastic GD (SGD), one random row per step, "
        f"{ex.SIGN_STEPS} steps at η = 0.1·2/λmax, on min-max and on z-scored inputs.")
    runs, df, chart = ex.signs(seed, ui.on_phone())
    ui.predict("predict_signs", "With min-max inputs, all in [0, 1], in what share of the SGD steps do $w_1$ and $w_2$ move the same way (both up or both down)?", ex.SIGNS_OPTIONS, correct=ex.signs_verdict(runs[0].same_sign),
               reveal=f"Min-max: {runs[0].same_sign:.0%} of the steps; z-scored (centred) inputs: {runs[1].same_sign:.0%}. With $x_1, x_2 \\ge 0$ both updates carry the sign of $-\\delta$.")
    st.vega_lite_chart(spec=chart, width="stretch", alt="Update directions: with min-max inputs every update of (w₁, w₂) points into the up-up or down-down quadrant; with centred inputs, into all four.")
    ui.markdown(ui.legend_text("Each point: one step's change of (w₁, w₂), scaled to length 1. Circles: both weights moved the same way; diamonds: opposite ways."),
                ui.readout({f"{r.method}: steps with no opposite signs": f"{r.same_sign:.0%}" for r in runs}))
    ui.reproduce(ex.rep_signs(seed), df, key="std_signs")


def sweep_part() -> None:
    T = int(ui.select_slider("Steps per run", [25, 50, 100, 200], 100, key="T"))
    df, chart, table = ex.sweep_view(seed, T)
    st.vega_lite_chart(spec=chart, width="stretch", alt="Final loss vs learning rate: standardized data has a wide usable window up to its 2/λmax, raw data none; each curve blows up at its 2/λmax.")
    ui.markdown(ui.legend_text(f"Loss left after {T} steps. Crosses: runs that diverged (drawn at 10). Band: within {ex.SWEEP_TARGET:.0%} of the minimum. Dashed: 2/λmax."), ui.table(table))
    st.markdown("Raw data has no usable η: a small one barely moves age's weight and the bias, a large one diverges along income. Standardized data converges for η across orders of magnitude.")
    ui.reproduce(ex.rep_sweep(seed, T), df, key="std_sweep")


def network_part() -> None:
    d = ex.NetSettings()
    act = ui.segmented("Activation", list(ex.ACTS), key="act", default=d.activation)
    lr = float(ui.select_slider("Learning rate η", ex.NET_LRS, d.lr, key="net_lr"))
    with ui.more_controls():
        steps = int(ui.select_slider("Training steps", [100, 300, 1000], d.steps, key="net_steps"))
        width = int(ui.select_slider("Units per hidden layer", ex.NET_WIDTHS, d.width, key="width"))
    s = ex.NetSettings(seed, act, lr, steps, width)
    st.markdown(
        f"Beyond the linear bowl: the same raw or z-scored inputs go into a network, 2 inputs → two hidden layers of {width} **{act}** units → 1 output. Each layer computes $u = hW + c$ from the layer below $h$ (weights $W$, "
        "biases $c$), then $f(u)$; weights start random with variance 2/(fan-in + fan-out), fan-in and fan-out being the layer's numbers of inputs and outputs (Glorot & Bengio 2010; page 4 is about this choice); training is full-batch GD on the same loss. A unit is **saturated** when its output is within 0.03 of its limits (|tanh| > 0.97): there its slope $f'(u)$, which multiplies every gradient passing back through it, is below 0.06.")
    raw, z = ex.network(s)
    ui.predict("predict_saturation", "With raw age and income, what share of the first hidden layer's units (over all people) will be saturated before training?", ex.SATURATION_OPTIONS,
               correct=ex.saturation_verdict(raw.start.saturation[0]),
               reveal=f"Raw: {raw.start.saturation[0]:.0%}, standardized: {z.start.saturation[0]:.1%}. Income in dollars times weights of order 0.3 gives $|u|$ up to {raw.start.max_abs_u:,.0f}.")
    df, chart, table = ex.network_view(s)
    st.vega_lite_chart(spec=chart, width="stretch", alt="Training loss of one network on raw and on standardized inputs: with raw inputs it stalls at the loss of predicting the mean.")
    ui.markdown(ui.legend_text("Training loss L per step, log scale; solid: standardized inputs, dashed: raw inputs. Table: each layer at the start, the share of saturated (unit, person) pairs and the root mean square (RMS) of its weight gradient ∂L/∂W."),
                ui.table(table))
    st.markdown(
        f"Raw inputs saturate **{raw.start.saturation[0]:.0%}** of the first layer, and the RMS of its weight gradient ∂L/∂W₁ is {fmt(raw.start.grad_rms[0])}: that layer does not learn, and the network's output ends up the same for every person. The raw loss ends at {fmt(raw.losses[-1])}, and predicting the average score for everyone gives {fmt(ex.mean_loss(seed))}. Standardized, it ends at {fmt(z.losses[-1])}; with η of 0.05 or more its curve may jump up for a few steps before it falls again.")
    r = raw.rounding
    st.markdown(
        "**What raw magnitudes do to the arithmetic.** float64 keeps about 16 significant digits, float32 (the "
        f"usual GPU format) about 7. $\\exp(u)$ overflows to infinity above $u$ = {r.exp_limit64:.1f} in float64 and {r.exp_limit32:.1f} in float32, and $\\tanh(u)$ rounds to exactly ±1 for large $|u|$, so its slope "
        "$1 - \\tanh^2 u$ is exactly 0.0, not merely small. Computed on the first layer's $u$:")
    st.markdown(ui.table(ex.rounding_table(raw.rounding, z.rounding)))
    ui.reproduce(ex.rep_network(s), df, key="std_network")


def dims_part() -> None:
    d_max = int(ui.slider("Features, up to", 2, 20, 12, key="dmax"))
    spread = float(ui.select_slider("Largest scale ratio between features", ex.SPREADS, 1000, key="spread"))
    res, kappa_chart, steps_chart = ex.dims(seed, d_max, spread)
    k, s = st.columns(2)
    k.vega_lite_chart(spec=kappa_chart, width="stretch", alt="As mixed-scale features are added, raw κ climbs by orders of magnitude while standardized κ stays small.")
    s.vega_lite_chart(spec=steps_chart, width="stretch", alt="Steps to converge grow with raw κ; standardized data needs few, and predicted and measured agree.")
    ui.markdown(ui.legend_text("Dashed: steps predicted from the eigenvalues; dots: measured with GD at 0.9·2/λmax (runs predicted to need more than 2,000 steps are not run: only their prediction is drawn)."),
                f"Feature j has scale $10^{{U(0,\\, \\log_{{10}} r)}}$ ($r$: the largest ratio) and a non-zero mean. With {int(res.d[-1])} features raw κ is {fmt(res.kappa_raw[-1])} against {fmt(res.kappa_z[-1], 2)} standardized; steps to 0.1%, predicted: {fmt(res.steps_pred_raw[-1])} against {fmt(res.steps_pred_z[-1], 2)}.")
    ui.reproduce(ex.rep_dims(seed, d_max, spread), None, key="std_dims")


def leak_part() -> None:
    growth = float(ui.slider("Income growth between the training and the test rows (%)", 0, 100, 30, key="growth",
                             step=5)) / 100
    rep, table = ex.leak(seed, growth)
    st.markdown(ui.table(table))
    st.markdown(
        f"The last {rep.n_test} of {rep.n_train + rep.n_test} rows are the test split, collected after incomes grew {growth:.0%}. **Fit μ and σ on the training rows only:** training inputs have mean 0 and the test split shows its shift honestly ({rep.test_z_mean[0][1]:+.2f}σ). **Fit on everything** (a leak): μ and σ contain the test rows, so the training inputs depend on the test set (mean {rep.train_z_mean[1][1]:+.2f}) and the shift looks smaller ({rep.test_z_mean[1][1]:+.2f}σ) than new data will show it.")
    ui.reproduce(ex.rep_leak(seed, growth), table, key="std_leak")


def notes(messages) -> None:
    for m in messages:
        (st.warning if m.level == "warning" else st.info)(m.text)


def csv_part() -> None:
    st.markdown("Upload a CSV with numeric columns, pick the features and a target, and the four-scalings comparison runs on it (odd delimiters, blank cells and text columns each get a clear note). The file stays in this session; it can't be part of a shared link. The built-in data saved as a CSV gives raw "
                f"κ = {fmt(ex.sample_csv_kappa(seed))}.")
    up = st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key="csv")
    ui.reproduce(ex.rep_csv(seed), None, key="std_csv")
    if up is None:
        return
    table = ex.read_upload(up.file_id, up.getvalue(), seed)
    notes(table.messages)
    cols = [] if table.frame is None else list(table.frame.columns)
    if len(cols) < 2:
        return st.info("Only one numeric column: the analysis needs a feature and a target.") if cols else None
    st.markdown(f"Read {table.rows_in_file:,} rows × {len(cols)} numeric column(s) ({table.encoding}).")
    c1, c2 = st.columns([1, 2])
    target = c1.selectbox("Target (what to predict)", cols, index=len(cols) - 1, key=f"csv_target_{up.file_id}",
                          format_func=csv_upload.plain)
    options = [c for c in cols if c != target]
    features = c2.multiselect("Features", options, default=options[:10], key=f"csv_features_{up.file_id}",
                              format_func=csv_upload.plain)
    prep, rows, chart = ex.analyse_upload(up.file_id, tuple(features), target, seed, table.frame)
    notes(prep.messages)
    if rows is not None:
        st.markdown(ui.table(rows))
        st.vega_lite_chart(spec=chart, width="stretch", alt="Your data's loss curves for the four scalings at 0.9·2/λmax, from w = 0.")


ui.parts(by_url_path("standardization").parts, data_part, scalings_part, center_part, sweep_part, network_part,
         dims_part, leak_part, csv_part)

ui.answer(
    "GD takes one step size for every weight. A weight's gradient scales with its feature's size and its curvature with the size squared, so income in dollars (σ thousands of times age's) makes the bowl a ravine (κ ≈ 10¹¹) whose stable η (below 2/λmax) is far too small for age's weight. z-scoring makes κ ≈ 1, so η can be ~10¹⁰ times larger and GD converges in about ten steps. Centering also lets a unit's weights move in different directions in one step. In a network, raw inputs saturate every first-layer unit: no gradient reaches its weights. Fit μ and σ on the training rows and reuse them on new data.")
ui.references(
    "Y. LeCun, L. Bottou, G. Orr, K.-R. Müller (1998), *Efficient BackProp*, in *Neural Networks: Tricks of the Trade*: §4.3 normalizing the inputs (centering, equal variances, the same-sign updates).",
    "S. Raschka, *STAT 453: Deep Learning* (Spring 2021), lecture 11 (normalization and weight initialization) and its [code](https://github.com/rasbt/stat453-deep-learning-ss21).",
    "X. Glorot, Y. Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks*: saturated sigmoid and tanh units; the initialization used here.",
    "I. Goodfellow, Y. Bengio, A. Courville (2016), *Deep Learning*, §4.1 (overflow, underflow), §4.3.1 (κ).")
