"""3 · Symmetry breaking: why zero init fails, and why tiny random weights are enough."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import ui
from charts import symmetry as ch
from charts.common import cached, fill, show
from core import symmetry as sy
from ui.nav import by_url_path

N_POINTS = 200
DATASETS = ["moons", "circles", "xor", "spirals", "blobs"]
ACTS = ["tanh", "relu", "sigmoid"]
LRS = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
LAB_H = 8
FROZEN_STEPS = 100
GRID = 40
BATCH = 16
TAU = 1.0
SIGMAS = [10.0**-k for k in range(12, -1, -1)]
EPS_SWEEP = tuple(10.0**-k for k in range(2, 13))
DELTA = 0.1
MAX_STEPS = 3000
INIT_BY_LABEL = {label: name for name, label in sy.INIT_LABELS.items()}


def _sci(x: float) -> str:
    return "0" if x == 0 else f"1e-{-int(round(np.log10(x)))}" if x < 1 else f"{x:g}"


@st.cache_data(show_spinner=False, max_entries=64)
def experiment(init: str, H: int, act: str, data: str, batch: int | None, lr: float, steps: int, sigma: float,
               c: float, drop: float, lam: float, blas: bool, seed: int):
    """Data, the starting network, the training run (units recorded ~100 times) and the decision grid."""
    data_rng, init_rng, train_rng = np.random.default_rng(seed).spawn(3)
    X, y = sy.make_data(data, N_POINTS, data_rng)
    net0 = sy.init_network(init, H, act, init_rng, sigma=sigma, c=c)
    run = sy.train_units(net0, X, y, lr=lr, steps=steps, rng=train_rng, batch_size=batch, dropout=drop,
                         lam=lam, tau=TAU, record_every=max(1, steps // 100), blas=blas)
    return X, y, net0, run, sy.decision_grid(run.net, X, n=GRID)


@st.cache_data(show_spinner=False, max_entries=64)
def experiment_charts(init: str, H: int, act: str, data: str, batch: int | None, lr: float, steps: int,
                      sigma: float, c: float, drop: float, lam: float, blas: bool, seed: int) -> dict:
    """The experiment's four charts as Vega-Lite dicts and the numbers their captions quote, built once per
    setting (building the Altair charts was most of a warm rerun)."""
    args = (H, act, data, batch, lr, steps)
    X, y, _, run, grid = experiment(init, *args, sigma, c, drop, lam, blas, seed)
    *_, run_rnd, grid_rnd = experiment("normal", *args, 1.0, 0.5, drop, lam, blas, seed)
    final = run.theta[-1]
    # grouped by the whole unit (w1, w2, b, v): units labelled as one point are the same unit
    leaders0, counts0 = sy.point_groups(run.theta[0])
    leaders1, counts1 = sy.point_groups(final)
    labels = pd.concat([ch.group_labels(run.theta[0][:, :2], leaders0, counts0, "start"),
                        ch.group_labels(final[:, :2], leaders1, counts1, "end")])
    sp = ch.spread_frame(run.steps, run.spread, run.distinct)
    acc = float(np.mean((run.net.predict(X)[:, 0] > 0) == (y == 1)))
    acc_rnd = float(np.mean((run_rnd.net.predict(X)[:, 0] > 0) == (y == 1)))
    points = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "class": y.astype(int).astype(str)})
    title = f"{sy.INIT_LABELS[init]}: accuracy {acc:.0%}, {_units(run.distinct[-1])}"
    title_r = f"random N(0, 1): accuracy {acc_rnd:.0%}, {_units(run_rnd.distinct[-1])}"
    # each chart composed once, as a template, and filled with this setting's data
    return {
        "paths": fill(ch.weight_paths_spec(), ch.paths_frames(ch.paths_frame(run.steps, run.theta), labels)),
        "labels": list(labels["label"]),
        "spread": fill(ch.spread_and_distinct_spec(), ch.spread_frames(sp, sy.DISTINCT_TOL, H)),
        "boundary": fill(ch.boundary_spec(), ch.boundary_frames(ch.boundary_frame(*grid, title), points, GRID)),
        "boundary_rnd": fill(ch.boundary_spec(),
                             ch.boundary_frames(ch.boundary_frame(*grid_rnd, title_r), points, GRID)),
        "acc": (acc, acc_rnd), "titles": (title, title_r),
    }


def _units(n) -> str:
    return f"{int(n)} distinct unit" + ("" if int(n) == 1 else "s")


def _fmt(v: float) -> str:
    return "exactly 0" if v == 0.0 else f"{v:.2g}"


ui.page_header(
    "Symmetry breaking",
    "Why not initialize all weights to zero? If small random weights are all nearly equal, why don't the "
    "hidden units stay symmetric? Would a penalty that pushes the weights apart help?",
)
seed = ui.seed()


@st.fragment
def experiment_section() -> None:
    """The main experiment: its controls, charts and numbers rerun alone when one of its controls changes."""
    st.subheader("The experiment: a 2 → H → 1 network on a 2-D data set", anchor=False)
    g1, g2, g3, g4 = st.columns(4)
    with g1:
        data = ui.select("Data", DATASETS, key="data")
    with g2:
        act = ui.segmented("Activation", ACTS, key="act", default="tanh")
    with g3:
        opt = ui.segmented("Optimizer", ["GD", "SGD"], key="opt", default="GD",
                           help=f"GD uses all {N_POINTS} points per step; SGD a random mini-batch of {BATCH}.")
        lr = ui.select_slider("Learning rate η", LRS, 1.0, key="lr")
    with g4:
        H = ui.slider("Hidden units H", 2, 16, 16, key="H")
        steps = ui.select_slider("Steps", [100, 200, 300, 500, 1000, 2000], 300, key="steps")
    batch = BATCH if opt == "SGD" else None
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        # the labels are the options (not format_func), so the URL carries the same text the learner sees
        label = ui.select("Initialization", list(INIT_BY_LABEL), key="init", index=1,
                          help="Biases start at 0 except in 'zero W, random biases'.")
        init = INIT_BY_LABEL[label]
    with c2:
        sigma, c = 1.0, 0.5
        if init == "normal":
            sigma = ui.select_slider("σ (std of every weight)", SIGMAS, 1e-6, key="sigma", format_func=_sci)
        elif init == "constant":
            c = ui.slider("c (every weight)", -1.0, 1.0, 0.5, key="c", step=0.05)
        else:
            st.caption("This initialization has no size to choose.")
    with c3:
        drop = ui.select_slider("Dropout on the hidden layer", [0.0, 0.1, 0.2, 0.3, 0.5], 0.0, key="drop")
        lam = ui.select_slider("Push-apart penalty λ", [0.0, 0.01, 0.1, 1.0], 0.0, key="lam",
                               help="Adds λ·Σᵢ<ⱼ exp(−‖wᵢ − wⱼ‖²/τ), τ = 1, to the loss.")
    with c4:
        blas = ui.toggle("BLAS backward", key="blas",
                         help="Off: the gradient sums are done elementwise, so identical units get bit-identical "
                              "gradients. On, as in PyTorch: the matrix-vector product may round units differently "
                              "(~1e-16), and that difference grows.")
    run = experiment(init, H, act, data, batch, lr, steps, sigma, c, drop, lam, blas, seed)[3]
    with st.empty():   # a fixed slot, as for the note next to the spread chart
        if run.diverged_step is not None:
            ui.diverged_notice(run.diverged_step, f"{run.diverged_reason}; try a smaller learning rate than η = {lr}.")
    figs = experiment_charts(init, H, act, data, batch, lr, steps, sigma, c, drop, lam, blas, seed)
    units_section(H, init, drop, run, figs)
    boundary_section(init, figs)
    settings = {"data": data, "H": H, "act": act, "batch": batch, "lr": lr, "steps": steps, "init": init,
                "sigma": sigma, "c": c, "drop": drop, "lam": lam, "blas": blas}
    reproduce(settings, run)


def reproduce(v: dict, run: sy.SymmetryRun) -> None:
    """The exact core calls for the current settings, and the spread chart's data."""
    ui.reproduce(
        f"""import numpy as np
from core import symmetry as sy

data_rng, init_rng, train_rng = np.random.default_rng({seed}).spawn(3)
X, y = sy.make_data("{v['data']}", {N_POINTS}, data_rng)
net = sy.init_network("{v['init']}", {v['H']}, "{v['act']}", init_rng, sigma={v['sigma']!r}, c={v['c']!r})
run = sy.train_units(net, X, y, lr={v['lr']!r}, steps={v['steps']}, rng=train_rng, batch_size={v['batch']!r},
                     dropout={v['drop']!r}, lam={v['lam']!r}, tau={TAU!r}, record_every={max(1, v['steps'] // 100)},
                     blas={v['blas']!r})
print(run.spread[-1], run.distinct[-1])   # {_fmt(run.spread[-1])}, {int(run.distinct[-1])}
""",
        ch.spread_frame(run.steps, run.spread, run.distinct),
        file_name="symmetry_spread.csv",
    )


def units_section(H: int, init: str, drop: float, run: sy.SymmetryRun, figs: dict) -> None:
    n0, n1 = int(run.distinct[0]), int(run.distinct[-1])
    left, right = st.columns([1.1, 1])
    with left:
        st.markdown("**Each hidden unit's incoming weights (w₁, w₂), moving during training**")
        # the count labels drawn on the canvas are in the caption, as text (the alt text stays the same while the
        # controls move, so the browser swaps the chart's data instead of rebuilding it)
        groups = "; ".join(figs["labels"]) or "every unit is a point of its own at the start and at the end"
        show(figs["paths"], "Each hidden unit's incoming weights over training, one path per unit; identical units "
                            "move as one, and the labels on the chart (also in the caption) count them.")
        st.caption(f"{H} units. Labels: {groups}. Hollow circle: start; filled: end (step {run.steps[-1]}). Units "
                   "whose whole θ is within 10⁻³ are labelled as one point. A unit is θᵢ = (w₁, w₂, b, v): "
                   "incoming weights, bias, outgoing weight.")
    with right:
        ident = init in ("zeros", "constant", "identical_rows")
        # one Markdown table, not st.metric in columns: fewer elements for the browser to redraw
        st.markdown(ui.readout({"Spread at start": _fmt(run.spread[0]),
                                f"Spread after {run.steps[-1]} steps": _fmt(run.spread[-1]),
                                "predicted": "exactly 0" if ident else "grows",
                                "Distinct units": f"{n0} → {n1}"},
                               note="Spread: the largest ‖θᵢ − θⱼ‖ over pairs of units, θᵢ = (w₁, w₂, b, v). "
                               + ("Units that start identical stay identical: the prediction is exact (why: below). "
                                  if ident else "These units differ at the start, so nothing holds them together. ")
                               + "Distinct: units farther than 10⁻³ apart."))
        # a fixed slot: a notice that came and went above the chart would move the chart to another position in
        # the page, and the browser would draw it from scratch there instead of swapping its data
        note = st.empty()
        if ident and run.spread[-1] > 0:
            note.info("The measured spread is not exactly 0: "
                      + ("dropout gives every unit its own random mask, which breaks the symmetry."
                         if drop > 0 else "the BLAS backward pass rounded the units differently (~1e-16), "
                         "and like any tiny difference it grew."), icon=":material/info:")
        # alt texts without numbers (they are in the table above): see the weight-space chart
        show(figs["spread"], "Above: the spread between units over training, on a log axis. Below: the number of "
                             "distinct units, out of all hidden units. Start and end are in the table above.")


def boundary_section(init: str, figs: dict) -> None:
    st.markdown("**Decision boundary: this initialization vs a random one (σ = 1), same seed, data and training**")
    title, title_r = figs["titles"]
    b1, b2 = st.columns(2)
    # the titles (accuracy, distinct units) are captions, not part of the charts: see the weight-space chart
    with b1:
        st.caption(title)
        show(figs["boundary"], "Decision boundary after training from this initialization (accuracy above).")
    with b2:
        st.caption(title_r)
        show(figs["boundary_rnd"], "Decision boundary after training from a random init (accuracy above).")


def why_section() -> None:
    """The proof, outside the experiment's fragment: it does not change, so a slider move does not redraw it."""
    st.subheader("Why identical units stay identical", anchor=False)
    ui.formula(r"\begin{gathered}\hat y(x) = \textstyle\sum_{i=1}^{H} v_i\, f(w_i\!\cdot\! x + b_i) + b_0 \\"
               r"\Rightarrow\; L(\theta_{\pi(1)},\dots,\theta_{\pi(H)}) = L(\theta_1,\dots,\theta_H)"
               r"\end{gathered}",
               "1 · The output is a sum over units, so swapping two units changes nothing.")
    ui.formula(r"\theta_i = \theta_j \;\Rightarrow\; \frac{\partial L}{\partial \theta_i} = \frac{\partial L}{\partial \theta_j}",
               "2 · Swapping i and j maps the point to itself, so it must also swap the two gradients: they are equal.")
    ui.formula(r"\theta_i - \eta\,\tfrac{\partial L}{\partial \theta_i} = \theta_j - \eta\,\tfrac{\partial L}{\partial \theta_j}"
               r"\;\Rightarrow\; \theta_i^{(t)} = \theta_j^{(t)}\ \ \forall t",
               "3 · Equal after one step, hence after every step. The same holds for any penalty that treats units "
               "alike, and for SGD (all units see the same mini-batch). So the measured spread above stays exactly 0 "
               "unless something treats the units differently: dropout's random masks, or a BLAS backward that "
               "rounds them differently.")


@st.cache_data(show_spinner=False, max_entries=16)
def frozen_table(seed: int) -> pd.DataFrame:
    """All zeros and zero W with random biases, per activation: max |dL/dp| at the start, max |change| after.

    Fixed small settings (moons, H = 4, GD with eta = 1, FROZEN_STEPS steps), so it is computed once per seed.
    """
    rows = []
    for act in ACTS:
        for init in ("zeros", "zero_w_random_b"):
            X, y, net0, run, _ = experiment(init, 4, act, "moons", None, 1.0, FROZEN_STEPS, 1.0, 0.5, 0.0, 0.0, False,
                                            seed)
            grads, change = sy.first_gradients(net0, X, y), sy.parameter_change(net0, run.net)
            for name in sy.PARAMETER_NAMES:
                rows.append({"init": sy.INIT_LABELS[init], "activation": act, "parameter": name,
                             "|∂L/∂p| at start": _fmt(float(np.max(np.abs(grads[name])))),
                             f"|change| after {FROZEN_STEPS} steps": _fmt(change[name])})
    return pd.DataFrame(rows)


@st.fragment
def zero_section() -> None:
    st.subheader("The all-zero case: which gradients are exactly zero", anchor=False)
    z1, z2 = st.columns([1, 1.2])
    with z1:
        ui.formula(r"\frac{\partial L}{\partial W_1} = X^{\top}\!\Big[\big(\delta\, W_2^{\top}\big)\odot f'(Z_1)\Big] = 0"
                   r"\quad\text{when } W_2 = 0",
                   "δ = ∂L/∂ŷ. No signal reaches the first layer while the outgoing weights are 0.")
        ui.formula(r"\frac{\partial L}{\partial W_2} = f(Z_1)^{\top}\delta = f(0)^{\top}\delta = 0"
                   r"\quad\text{for tanh, ReLU}",
                   "With all weights 0 every hidden unit outputs f(0); tanh(0) = ReLU(0) = 0, so W₂ gets nothing "
                   "either, and nothing ever moves except the output bias (the classes are balanced, so even it "
                   "barely moves). Sigmoid(0) = ½: W₂ could move, but all units identically. With random biases the "
                   "units differ, so they split after the first step (ReLU units with b < 0 stay dead).")
    with z2:
        act = ui.segmented("Activation for this table", ACTS, key="zact", default="tanh")
        ft = frozen_table(seed)
        st.markdown(ui.table(ft[ft.activation == act].drop(columns="activation")))
        st.caption(f"Largest entry of each parameter's gradient and change; moons, H = 4, GD with η = 1, seed {seed}. "
                   "'exactly 0' means the bits did not change.")


@st.cache_data(show_spinner=False, max_entries=64)
def lab_data(data: str, seed: int):
    return sy.make_data(data, N_POINTS, np.random.default_rng(seed).spawn(3)[0])


@st.cache_data(show_spinner=False, max_entries=1024)
def break_out(eps: float, act: str, data: str, lr: float, seed: int) -> float:
    X, y = lab_data(data, seed)
    # child 0 drew the data (lab_data); the lab's weights and batches come from child 1, as the experiment's init
    return sy.eps_break_out(X, y, eps, H=LAB_H, activation=act, lr=lr, rng=np.random.default_rng(seed).spawn(3)[1],
                            delta=DELTA, max_steps=MAX_STEPS)


def eps_lab(act: str, data: str, lr: float, seed: int) -> sy.EpsilonLab:
    """The sweep, one cached run per eps, with a progress bar while the runs that are not cached compute."""
    bar = st.progress(0.0, text="ε-lab: starting")
    steps = []
    for i, eps in enumerate(EPS_SWEEP):
        bar.progress(i / len(EPS_SWEEP), text=f"ε-lab: run {i + 1} of {len(EPS_SWEEP)} (ε = {_sci(eps)})")
        steps.append(break_out(eps, act, data, lr, seed))
    bar.empty()
    X, y = lab_data(data, seed)
    return sy.summarize_lab(X, y, EPS_SWEEP, steps, activation=act, lr=lr, delta=DELTA)


@st.fragment
def eps_section() -> None:
    st.subheader("ε-lab: how long do tiny differences take to grow?", anchor=False)
    st.markdown(
        f"Every weight of a 2 → {LAB_H} → 1 network starts N(0, ε²) — the same draw, only scaled by ε — and we "
        f"count the full-batch GD steps until the spread between units reaches δ = {DELTA} (at most {MAX_STEPS}).")
    l1, l2, l3 = st.columns(3)
    with l1:
        data = ui.select("ε-lab data", DATASETS, key="lab_data")
    with l2:
        act = ui.segmented("ε-lab activation", ACTS, key="lab_act", default="tanh")
    with l3:
        lr = ui.select_slider("ε-lab learning rate η", LRS, 1.0, key="lab_lr")
    lab = eps_lab(act, data, lr, seed)
    ok = np.isfinite(lab.steps)
    pts = pd.DataFrame({"eps": lab.eps[ok], "steps": lab.steps[ok]})
    xs = np.array([lab.eps.max(), lab.eps.min()])
    lines = [pd.DataFrame({"eps": xs, "steps": lab.intercept + lab.slope * np.log10(1 / xs), "kind": "fitted line"})]
    if np.isfinite(lab.slope_predicted) and ok.any():
        # anchored at the fitted line's value for the largest eps: the slope is the prediction
        x0 = np.log10(1 / xs[0])
        y0 = lab.intercept + lab.slope * x0
        lines.append(pd.DataFrame({"eps": xs, "steps": y0 + lab.slope_predicted * (np.log10(1 / xs) - x0),
                                   "kind": "predicted slope"}))
    e1, e2 = st.columns([1.5, 1])
    with e1:
        if ok.sum() >= 2:
            show(cached(ch.eps_chart, pts, pd.concat(lines)),
                 # no numbers (the learning rate moves them; a changed alt text rebuilds the chart): see the table
                 "Break-out steps grow linearly in log(1/ε): a fixed number of extra steps per factor 10 smaller ε "
                 "(the fitted slope and R² are in the table beside the chart).")
        else:
            st.info(f"With these settings the units did not reach δ = {DELTA} within {MAX_STEPS} steps for "
                    "most ε: the data is nearly uncorrelated with the inputs (‖c‖ ≈ 0 below), so the origin is "
                    "an almost flat saddle. Try moons or blobs.", icon=":material/hourglass_empty:")
        if not ok.all():
            st.caption(f"{int((~ok).sum())} of {len(ok)} values of ε did not break out within {MAX_STEPS} steps "
                       "and are left out of the fit.")
    with e2:
        ui.formula(r"\|\Delta\theta_t\| \approx \varepsilon\,\rho^{\,t},\quad"
                   r"\rho = 1 + \eta\, f'(0)\,\|c\|,\quad c =\nobreak \tfrac1n X^{\top} y",
                   "Near 0 the gradient is linear in each unit's weights; its fastest direction grows by ρ per step.")
        ui.formula(r"t_\delta \approx \frac{\ln(\delta/\varepsilon)}{\ln \rho}"
                   r"\;\Rightarrow\; \frac{\Delta t_\delta}{\Delta \log_{10}(1/\varepsilon)} = \frac{\ln 10}{\ln \rho}",
                   "The slope: extra steps for every factor 10 smaller ε.")
        ui.markdown(ui.readout({"Measured slope": f"{lab.slope:.2f}" if np.isfinite(lab.slope) else "n/a",
                                "Predicted slope": f"{lab.slope_predicted:.2f}"
                                if np.isfinite(lab.slope_predicted) else "n/a"},
                               note="Steps per factor 10 smaller ε. Measured: least-squares fit, "
                               + (f"R² = {lab.r2:.4f}" if np.isfinite(lab.r2) else "too few points to fit a line")
                               + ". Predicted: ln 10 / ln ρ (none for ReLU, whose f′(0) is undefined)."),
                    "Float64 can hold differences down to ~10⁻³⁰⁸, so even ε = 10⁻¹² splits the units; it just "
                    "costs a fixed number of extra steps per factor of 10.")
    ui.reproduce(
        f"""import numpy as np
from core import symmetry as sy

X, y = sy.make_data("{data}", {N_POINTS}, np.random.default_rng({seed}).spawn(3)[0])
lab = sy.epsilon_lab(X, y, eps_values=10.0 ** -np.arange(2, 13), H={LAB_H}, activation="{act}", lr={lr!r},
                     rng=np.random.default_rng({seed}).spawn(3)[1], delta={DELTA}, max_steps={MAX_STEPS})
print(lab.steps, lab.slope, lab.slope_predicted, lab.r2)   # slope {lab.slope:.3f}, predicted {lab.slope_predicted:.3f}
""",
        pd.DataFrame({"eps": lab.eps, "steps_to_delta": lab.steps}),
        file_name="symmetry_eps_lab.csv",
        key="reproduce_lab_csv",
    )


def predict_section() -> None:
    st.subheader("Predict, then look", anchor=False)
    _, _, _, run_pen, _ = experiment("identical_rows", 16, "tanh", "moons", None, 1.0, 300, 1.0, 0.5, 0.0, 1.0,
                                     False, seed)
    _, _, _, run_drop, _ = experiment("identical_rows", 16, "tanh", "moons", None, 1.0, 300, 1.0, 0.5, 0.1, 0.0,
                                      False, seed)
    ui.predict_then_look(
        "Start all 16 units as copies of one random unit and switch on the push-apart penalty with λ = 1. "
        "How many distinct units are there after 300 steps (tanh, moons)? And with dropout 0.1 instead?",
        f"With the penalty: **{_units(run_pen.distinct[-1])}**, spread {_fmt(run_pen.spread[-1])}. "
        "The penalty is itself symmetric in the units, and its gradient −(2λ/τ)·Σⱼ e^{−‖wᵢ−wⱼ‖²/τ}(wᵢ − wⱼ) is "
        "exactly 0 when wᵢ = wⱼ. It only speeds up units that already differ. "
        f"With dropout 0.1: **{int(run_drop.distinct[-1])}** distinct units, spread {_fmt(run_drop.spread[-1])}: "
        "each unit is dropped on different samples, so the units get different gradients from the first step. "
        "(Set Initialization to 'random, identical rows' above to see both.)",
        key="ptl_penalty",
    )


def experiment_part() -> None:
    """The experiment, the proof of why identical units stay identical, the question."""
    experiment_section()
    why_section()
    predict_section()


# One part at a time: each runs only while its tab is open.
ui.parts(by_url_path("symmetry").parts, experiment_part, zero_section, eps_section)

st.divider()
ui.answer(
    "Zero (or any constant) init makes every hidden unit the same function, and the gradient treats equal units "
    "equally, so they stay equal forever: H units do the work of one, and with all zeros and tanh/ReLU nothing "
    "but the output bias even moves. Small random weights are enough because *any* exact difference grows "
    "geometrically during training; the cost of a tiny ε is only about ln(1/ε)/ln ρ extra steps. A penalty "
    "that pushes weights apart cannot split units that are exactly equal (it is symmetric too, and its "
    "gradient there is 0); randomness that differs per unit, such as random init or dropout, can."
)
