"""3 · Symmetry breaking: exact symmetry never breaks; near symmetry at a tiny scale breaks slowly and condenses."""

from __future__ import annotations

import streamlit as st

import ui
from charts.symmetry import ALT, DIRECTIONS_BOX
from experiments import symmetry as ex
from ui.nav import by_url_path

ui.page_header("Why not initialize all weights to zero? If small random weights are all nearly equal, why don't "
               "the hidden units end up symmetric? Would a penalty that pushes the weights apart help?")
st.markdown(
    "The network has 2 inputs, $H$ hidden units ($H$ counts units here; it is not page 1's Hessian) and 1 output: $\\hat y(x) = \\sum_{i=1}^{H} v_i\\, f(w_i\\cdot x + "
    "b_i) + b_0$, $f$ the activation. Gradient descent (GD) fits it to a 2-D data set of two classes (cross-entropy "
    "loss $L$, inputs standardized as on page 2). Hidden unit $i$ is its parameters $\\theta_i = (w_i, b_i, v_i)$: "
    "its **incoming weights** $w_i$ (one per input), its bias and its outgoing weight. A unit's output changes "
    "fastest along $w_i$, so two units compute the same feature when their $w$'s point the same way, whatever their "
    "lengths. The page measures that by the **direction similarity** $|\\cos(w_i, w_j)| = |w_i\\cdot w_j| / "
    "(\\lVert w_i\\rVert \\lVert w_j\\rVert)$: 1 when two vectors lie on one line through 0, 0 when perpendicular. "
    f"From it, the **number of distinct directions** $\\sum_i 1/m_i$, $m_i$ counting the units within {ex.ANGLE:g}° "
    "of unit $i$ (itself included): $k$ tight groups count $k$, however many units each holds. A count by distance "
    "($\\lVert\\theta_i - \\theta_j\\rVert > 10^{-3}$) counts 16 units pointing one way as 16; they do one's work.")


def small_controls(prefix: str, third: str = "H", cols=None) -> tuple:
    """Data, activation and H (or η), keyed ``<prefix>_data`` etc.: each part keeps its own setting."""
    cols, key = cols or st.columns(3), f"{prefix}_" if prefix else ""
    with cols[0]:
        data = ui.select("Data", ex.DATASETS, key=f"{key}data")
    with cols[1]:
        act = ui.select("Activation f", ex.ACTS, key=f"{key}act")
    with cols[2]:
        last = (ui.slider("Hidden units H", 2, 16, 16, key=f"{key}H") if third == "H" else
                ui.select_slider("Learning rate η", ex.LRS, 1.0, key=f"{key}lr"))
    return data, act, last


def controls() -> ex.Settings:
    d = ex.Settings()
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        data, act, H = small_controls("", cols=(c1, c1, c3))
        with c2:
            init = ex.INIT_BY_LABEL[ui.select("Initialization", list(ex.INIT_BY_LABEL), key="init", index=3,
                                              help="Biases start at 0 except in 'zero W, random biases'.")]
            sigma, c = d.sigma, d.c
            if init == "normal":
                sigma = ui.select_slider("σ (std of every weight)", ex.SIGMAS, d.sigma, key="sigma",
                                         format_func=ex.sci)
            elif init == "constant":
                c = ui.slider("c (every weight)", -1.0, 1.0, d.c, key="c", step=0.05)
        with c3:
            steps = ui.select_slider("Steps", ex.STEPS, d.steps, key="steps")
        with ui.more_controls():
            m1, m2 = st.columns(2)
            with m1:
                opt = ui.segmented("Optimizer", ["GD", "SGD"], key="opt", default=d.opt,
                                   help=f"GD: all {ex.N_POINTS} points per step; SGD: a mini-batch of {ex.BATCH}.")
                lr = ui.select_slider("Learning rate η", ex.LRS, d.lr, key="lr")
            with m2:
                drop = ui.select_slider("Dropout on the hidden layer", [0.0, 0.1, 0.2, 0.3, 0.5], d.drop, key="drop")
                lam = ui.select_slider("Push-apart penalty λ", ex.LAMBDAS, d.lam, key="lam",
                                       help="The Penalty tab's penalty, with τ = 1.")
    return ex.Settings(ui.seed(), data, act, H, init, sigma, c, steps, opt, lr, drop, lam)


@st.fragment
def experiment_part() -> None:
    s = controls()
    n = (v := ex.experiment_view(s)).numbers
    with st.empty():
        if n["diverged"] is not None:
            ui.diverged_notice(n["diverged"], f"the loss overflowed; try a learning rate below η = {s.lr}.")
    st.markdown(ui.readout(*ex.experiment_readout(n)))
    box, panel = ui.beside(DIRECTIONS_BOX, key="directions")   # the circle at its own square size: angles true
    box.vega_lite_chart(spec=v.directions, width="content", alt=ALT["directions"])
    box.markdown(ui.legend_text("Units as directions: dashed, short = start; solid, to the circle = end."))
    panel.vega_lite_chart(spec=v.paths, width="stretch", alt=ALT["paths"])
    panel.markdown(ui.legend_text("Units as points: hollow = start, filled = end; labels count units on one point."))
    st.markdown("**Why tiny weights condense.** Near $w = 0$ every unit works in its almost-linear range, $f(z) "
                "\\approx f(0) + f'(0)z$, and the output is about 0, so every prediction is $p \\approx \\tfrac12$. "
                "The gradient of unit $i$'s incoming weights is then one vector for all units, scaled by $v_i$:")
    ui.formula(r"\frac{\partial L}{\partial w_i} \approx -\,v_i\, f'(0)\, c,\qquad c = \tfrac1n \textstyle\sum_k "
               r"(y_k - \tfrac12)\, x_k", "c: the inputs weighted by their labels (the inputs have mean 0).")
    st.markdown(
        "So every $w_i$ steps along the same line $\\pm c$, and a tiny random start is soon outweighed: all units "
        "end up pointing along $\\pm c$ (the charts below). From σ = 1 the start outweighs the common steps and the "
        f"units stay in several directions (this run: {n['dirs_ref']:.1f} distinct directions and median |cos| "
        f"{n['median_ref']:.2f}, same data and training; the Sweeps part averages three runs per σ). This is the *condensation* of small initialization (Maennel, Bousquet & Gelly 2018; "
        "Luo, Xu, Ma & Zhang 2021; both analyse ReLU networks, which condense here too).")
    hist, bound = st.columns(2)
    hist.vega_lite_chart(spec=v.history, width="stretch", alt=ALT["history"])
    hist.markdown(ui.legend_text(f"Top: median |cos| over all pairs of units. Bottom: distinct directions (within "
                                 f"{ex.ANGLE:g}°) and distinct points (farther apart than 10⁻³)."))
    bound.markdown(f"**Decision boundary after training**: accuracy {n['accuracy']:.1%} (from σ = 1: "
                   f"{n['accuracy_ref']:.1%})")
    bound.vega_lite_chart(spec=v.boundary, width="stretch", alt=ALT["boundary"])
    bound.markdown(ui.legend_text("Shading: P(class 1), orange 0 to blue 1; circles and triangles: the classes."))
    ui.reproduce(ex.reproduction(s), None, key="symmetry_experiment")
    st.subheader("Exact symmetry never breaks", anchor=False)
    ui.formula(r"L(\theta_{\pi(1)},\dots,\theta_{\pi(H)}) = L(\theta_1,\dots,\theta_H)\;\Rightarrow\;\big(\theta_i = "
               r"\theta_j \Rightarrow \tfrac{\partial L}{\partial \theta_i} = \tfrac{\partial L}{\partial \theta_j}\big)",
               "π: any reordering of the units.")
    b = ex.blas_check(s.seed)
    st.markdown(
        "ŷ is a sum over units, so reordering them leaves L unchanged; swapping two equal units maps the point to "
        "itself, so their gradients are equal. Equal units take equal steps and stay equal, under GD, SGD (all units see the same mini-batch) and any "
        "penalty that treats units alike: try *all weights = c* or *random, identical rows*. Only something that "
        "treats units differently splits them, such as dropout's random masks (More controls). In floating point, "
        "BLAS (Basic Linear Algebra Subprograms, the matrix routines NumPy and PyTorch call) may also round identical "
        "columns differently; this page's trainer keeps identical units bit-for-bit equal, as exact arithmetic does. "
        f"With plain BLAS products instead (constant init, tanh, H = {ex.BLAS_H}) the units differ by {b[300][0]:.1e} "
        f"after 300 steps and {b[2000][0]:.1e} after 2,000, and the smallest |cos| between them is {ex.cos_text(b)}: "
        "rounding that does not grow into a different feature.")
    w = ex.what_if(s)
    ui.predict("predict_sym_condense", f"Random N(0, σ²) weights with σ = {w.sigma:g}, this data, H = {s.H}: after "
               f"{s.steps} steps, where do the units point?", list(ex.CONDENSE_OPTIONS), correct=w.answer,
               reveal=f"Measured: {w.directions:.1f} distinct directions, median |cos| {w.median:.4f}, accuracy "
                      f"{w.accuracy:.1%}. While tiny, every unit's weights step along the same vector c.")


@st.fragment
def sweeps_part() -> None:
    st.markdown(f"Each point is one of {ex.SWEEP_RUNS} runs (same data, its own random weights, from the sidebar's "
                f"seed), trained by GD with η = 1; the line is their mean. Against σ: {len(ex.SWEEP_SIGMAS)} values "
                f"from 10⁻⁶ to 3, {ex.SWEEP_STEPS} steps each; dashed: constant init (every weight 0.5). Against "
                f"training length: σ = {', '.join(map(str, ex.LENGTH_SIGMAS))}, every 50 steps up to {ex.LENGTH_CHECKPOINTS[-1]:,}.")
    with st.container(border=True):
        data, act, H = small_controls("sw")
        which = ui.segmented("Against", ["σ", "training length"], key="sw_view", default="σ")
    seed, key = ui.seed(), "length" if which == "training length" else "sigma"
    with st.spinner("Training the sweep's networks: a few seconds, once per setting."):
        st.vega_lite_chart(spec=ex.sweep_view(seed, data, act, H, key), width="stretch", alt=ALT["sweep"])
    if key == "sigma":
        st.markdown(ui.readout(*ex.sigma_readout(seed, data, act, H)))
        low = ex.condensed_up_to(seed, data, act, H)
        st.markdown("Read it from the right: large σ keeps the units' random directions apart. As σ shrinks, the "
                    "median |cos| climbs towards 1 and the accuracy falls towards constant init's, whose units are "
                    "exactly equal. " + (f"Up to σ = {low:g} the mean median |cos| is above 0.999: the start is too "
                    "small to matter; only how fast the units leave 0 differs (ε-lab)." if low else ""))
    else:
        st.markdown(ui.table(ex.length_table(seed, data, act, H)))
        st.markdown("Condensed units can separate later: once they leave the linear range a second direction can "
                    "split off, and where it does the accuracy jumps. Whether and when depends on σ and on the draw. "
                    "A median |cos| near 1 with near-perfect accuracy means most units still share one direction "
                    "while a few split off: the distinct directions tell.")
    ui.reproduce(ex.sweep_reproduction(seed, data, act, H), None, key="symmetry_sweeps")


@st.fragment
def penalty_part() -> None:
    st.markdown("The learner's penalty adds $P = \\lambda \\sum_{i<j} e^{-\\lVert w_i - w_j\\rVert^2/\\tau}$ to the "
                "loss: λ ≥ 0 is its strength (not an eigenvalue here), the length τ (here 1) how far apart units must be for it to let go. "
                "While they are much closer, each exponential is about 1, and a GD step pushes them apart:")
    ui.formula(r"w_i - \bar w \;\leftarrow\; \big(1 + 2\eta\lambda H/\tau\big)\,(w_i - \bar w)",
               "w̄: the units' mean, which this part of a step leaves in place.")
    with st.container(border=True):
        data, act, H = small_controls("pen")
        sigma = ui.select_slider("σ of the random start", ex.SIGMAS[:-2], ex.PENALTY_SIGMA, key="pen_sigma",
                                 format_func=ex.sci)
    st.vega_lite_chart(spec=ex.penalty_view(seed := ui.seed(), data, act, H, sigma), width="stretch", alt=ALT["penalty"])
    ui.legend(f"{ex.SWEEP_RUNS} runs per λ (points), their mean (line); GD, η = 1, {ex.SWEEP_STEPS} steps, τ = 1. The "
              "λ axis is logarithmic except near 0, so λ = 0 can show.")
    ui.markdown(f"On a small random start the penalty thus multiplies the differences between units by {ex.push(H):.1f} "
                f"per step at λ = 0.1 (H = {H}, η = 1, τ = 1) until they are about √τ apart.",
                *(ui.readout(r) for r in ex.penalty_readout(seed, data, act, H, sigma)))
    st.subheader("Exact copies: the penalty cannot split them, dropout can", anchor=False)
    st.markdown(ui.table(ex.copies_table(seed, data, act, H)))
    cp = ex.copies(seed, data, act, H)
    ui.predict("predict_sym_copies", f"Start all {H} units as exact copies of one random unit and add the penalty "
               f"with λ = {ex.COPIES_LAM:g}. How many distinct points after {ex.SWEEP_STEPS} steps?",
               ["Still 1", "Several"], correct="Still 1" if cp.points[1] == 1 else "Several",
               reveal=f"Measured: {cp.points[1]}. P is symmetric in the units too: its gradient on unit i is a sum of "
                      "terms in wᵢ − wⱼ, each exactly 0 when all units are equal.")
    st.markdown(
        f"Dropout drops each unit on different samples, so copies get different gradients from the first step "
        f"(spread {cp.spread[2]:.2f}, {cp.points[2]} distinct points). Different points need not be different "
        f"features: distinct directions {cp.directions[2]:.1f} here, and with seeds 0 to {ex.DROP_SEEDS - 1} "
        f"{', '.join(f'{d:.1f}' for d in ex.dropout_directions(data, act, H))}. The literature pushes *directions* apart: "
        "minimum hyperspherical energy (Liu et al. 2018) spreads the normalized weight vectors over the sphere, "
        "DeCov (Cogswell et al. 2016) penalizes the covariance of the units' activations, orthogonality regularizers "
        "(Bansal, Chen & Wang 2018) push weight matrices towards orthogonal: used against redundancy and overfitting, "
        "not as the cure for symmetry. The standard cure is the start: random weights scaled to the layer, large enough that units "
        "begin in their own directions, outside the common linear phase (page 4 derives the scale).")
    ui.reproduce(ex.penalty_reproduction(seed, data, act, H, sigma), None, key="symmetry_penalty")


@st.fragment
def zero_part() -> None:
    ui.formula(r"\frac{\partial L}{\partial W_1} = X^{\top}\big[(g\, W_2^{\top})\odot f'(Z_1)\big] = 0 \text{ when }"
               r" W_2 = 0,\qquad \frac{\partial L}{\partial W_2} = f(Z_1)^{\top}g = f(0)^{\top}g",
               "X: the inputs, a row per sample; W₁: the incoming weights (column i is wᵢ); W₂: the outgoing ones (the "
               "vᵢ); g = ∂L/∂ŷ per sample; Z₁ = XW₁ + b₁, the hidden pre-activations (0 when all weights and biases are).")
    st.markdown("With every weight 0 every hidden pre-activation is 0 whatever the input, the first layer's gradient "
                "is multiplied by $W_2 = 0$, and tanh(0) = ReLU(0) = 0 gives $W_2$ nothing either: only the output bias can move (the classes are balanced, so it barely does). Sigmoid(0) = ½, "
                "so $W_2$ moves, but every unit alike. With random biases the units differ and split at once.")
    act = ui.segmented("Activation f", ex.ACTS, key="zact", default="tanh")
    st.markdown(ui.table(ex.frozen_display(ui.seed(), act)))
    ui.legend(f"Largest entries at the start and after {ex.FROZEN_STEPS} GD steps (η = 1, moons, H = {ex.FROZEN_H}).")
    ui.reproduce(ex.frozen_reproduction(ui.seed(), act), None, key="symmetry_zero")


@st.fragment
def lab_part() -> None:
    st.markdown(f"Every weight of a 2 → {ex.LAB_H} → 1 network starts N(0, ε²), one draw only scaled by ε, and GD "
                f"counts the steps until the largest distance between two units reaches δ = {ex.DELTA}.")
    with st.container(border=True):
        data, act, lr = small_controls("lab", third="lr")
    seed, res, chart = ui.seed(), ex.eps_lab(ui.seed(), data, act, lr), ex.lab_view(ui.seed(), data, act, lr)
    if chart is None:
        st.info(f"Here the units did not reach δ = {ex.DELTA} within {ex.MAX_STEPS} steps for most ε: ‖c‖ = "
                f"{ex.c_norm(seed, data):.3f} (c below) and η = {lr}: the all-zero start is an almost flat **saddle** (gradient "
                "is 0 there, the loss falling in some directions and rising in others). Try moons or blobs.")
    else:
        st.vega_lite_chart(spec=chart, width="stretch", alt=ALT["eps"])
        ui.legend("Points: measured (tooltip: median |cos| at break-out); solid: fitted; dashed: predicted slope.")
    ui.formula(r"\lVert\Delta\theta_t\rVert \approx \varepsilon\,\rho^{\,t},\;\rho = 1 + \eta f'(0)\lVert c\rVert"
               r"\;\Rightarrow\; t_\delta \approx \frac{\ln(\delta/\varepsilon)}{\ln\rho}",
               "‖c‖: the length of the Experiment tab's vector c; t_δ: the steps until the spread reaches δ.")
    st.markdown(ui.readout(ex.lab_readout(seed, data, act, lr)))
    st.markdown(
        "Near 0 the gradient is linear in the weights, so a difference grows by ρ per step: ln 10 / ln ρ extra steps "
        "per factor 10 in ε. ReLU has no single f′(0), so no predicted slope. Float64 keeps about 16 significant digits: next to a weight "
        f"of size 1 the nearest other number is {ex.EPS64:.1e} away (a relative resolution); numbers as small as "
        f"{ex.TINY64:.0e} exist only near 0. So tiny weights are resolved, and each factor 10 smaller ε costs the same "
        "few extra steps. **But a spread that grows is not a new feature**: what grows is the common direction c and "
        "the units' lengths along it. " + ("At the break-out the median |cos| is as above, near 1: the units leave 0 "
        "together, condensed." if res.median[-1] > 0.999 else "Here the units left 0 in different directions."))
    ui.reproduce(ex.lab_reproduction(seed, data, act, lr), None, key="symmetry_lab")


ui.parts(by_url_path("symmetry").parts, experiment_part, sweeps_part, penalty_part, zero_part, lab_part)
a = ex.answer_numbers()
ui.answer(
    "Exact symmetry never breaks: equal units get equal gradients (under any penalty that treats units alike), so "
    "zero or constant init leaves H copies doing the work of one. Near symmetry at a tiny scale breaks slowly and "
    f"tends to condense: from N(0, 0.01²) the 16 units here start in random directions, move along one vector while "
    f"small, and end in {a['dirs']:.1f} directions (median |cos| {a['median']:.4f}, accuracy {a['accuracy']:.1%}, like "
    f"constant init). The learner's penalty helps on such a start (λ = 0.1: {a['penalty']:.1%}), but the standard "
    "answer is to scale the random init to the layer (page 4).")
ui.references(
    "H. Maennel, O. Bousquet, S. Gelly (2018), *Gradient Descent Quantizes ReLU Network Features*, arXiv:1803.08367.",
    "T. Luo, Z.-Q. J. Xu, Z. Ma, Y. Zhang (2021), *Phase Diagram for Two-layer ReLU Neural Networks at Infinite-width "
    "Limit*, JMLR 22(71): the condensed regime.",
    "W. Liu et al. (2018), *Learning towards Minimum Hyperspherical Energy*, NeurIPS 2018.",
    "M. Cogswell et al. (2016), *Reducing Overfitting in Deep Networks by Decorrelating Representations*, ICLR 2016.",
    "N. Bansal, X. Chen, Z. Wang (2018), *Can We Gain More from Orthogonality Regularizations in Training Deep "
    "Networks?*, NeurIPS 2018.")
