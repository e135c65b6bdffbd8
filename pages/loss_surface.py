"""2 · Loss surface: why gradient descent zigzags, and the learning-rate limit 2/λmax."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import ui
from charts import loss_surface as charts
from charts.common import fill, finite_frame, pin_for_log
from core import datasets
from core import loss_surface as ls
from core import standardize as S

N = 100                 # samples in the synthetic data set
W_LIMIT = 50.0          # the start's allowed range (number inputs and clicks)
TOL = 1e-3              # "converged" = loss gap down to this fraction of the start's gap
MAX_STEPS = 1000        # budget for measuring steps-to-tolerance
OPTIMIZERS = ["GD", "SGD", "Momentum"]
SHADE_CELLS = 64        # the background shading's resolution (one image, so it costs the browser nothing more)
VIEW_KEY, CLICKS_KEY = "surface_view_domain", "surface_clicks"   # session state: the last view drawn; clicks


@st.cache_data(show_spinner=False, max_entries=64)
def problem(seed: int, scale_ratio: float, correlation: float, standardize: bool):
    X, y = datasets.two_feature_regression(N, _rngs(seed)[0], scale_ratio=scale_ratio, correlation=correlation)
    if standardize:
        X = S.fit_standardizer(X).transform(X)
    w_star, loss_star = ls.minimizer(X, y)
    return X, y, ls.curvature(X), w_star, loss_star


def _rngs(seed: int) -> list[np.random.Generator]:
    """One seed, three streams: the data, the SGD mini-batches, the 30 sample mini-batch gradients."""
    return np.random.default_rng(seed).spawn(3)


def _sgd_rng(seed: int) -> np.random.Generator:
    return _rngs(seed)[1]


@st.cache_data(show_spinner=False, max_entries=64)
def experiment(seed, scale_ratio, correlation, standardize, frac, steps, optimizer, batch, beta, w1, w2):
    X, y, curv, w_star, loss_star = problem(seed, scale_ratio, correlation, standardize)
    lr = frac * curv.max_stable_lr
    w0 = np.array([w1, w2])
    kw = _kwargs(optimizer, batch, beta)

    rng = _sgd_rng(seed) if optimizer == "SGD" else None
    traj = ls.gradient_descent(X, y, w0, lr, steps, rng=rng, **kw)
    momentum = kw.get("momentum", 0.0)
    e0 = w0 - w_star
    return dict(
        lr=lr, traj=traj, e0=e0, momentum=momentum,
        measured_err=ls.eigen_errors(traj.weights, w_star, curv),
        theory_err=ls.predicted_eigen_errors(e0 @ curv.eigenvectors, curv, lr, steps, momentum),
        rates=ls.convergence_rates(curv, lr, momentum),
        limit=ls.stable_lr_limit(curv, momentum),
        predicted_steps=ls.predicted_steps_to_tolerance(e0 @ curv.eigenvectors, curv, lr, TOL, momentum),
        measured_steps=measured_steps(seed, scale_ratio, correlation, standardize, frac, optimizer, batch, beta,
                                      w1, w2),
        escape=ls.escape_step(traj.losses),
        spread=(ls.minibatch_gradients(X, y, w0, batch, 30, _rngs(seed)[2])
                if optimizer == "SGD" else np.empty((0, 2))),
        grad0=ls.mse_grad(w0, X, y),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def measured_steps(seed, scale_ratio, correlation, standardize, frac, optimizer, batch, beta, w1, w2):
    """Steps the same run needs to reach the tolerance (independent of the Steps slider, so cached apart)."""
    X, y, curv, _, loss_star = problem(seed, scale_ratio, correlation, standardize)
    rng = _sgd_rng(seed) if optimizer == "SGD" else None
    # the run stops where it reaches the tolerance (~10 ms less per new setting than all MAX_STEPS steps)
    return ls.measured_steps_to_tolerance(X, y, np.array([w1, w2]), frac * curv.max_stable_lr, MAX_STEPS,
                                          loss_star, TOL, rng=rng, **_kwargs(optimizer, batch, beta))


def _kwargs(optimizer: str, batch: int, beta: float) -> dict:
    if optimizer == "SGD":
        return {"batch_size": int(batch)}
    if optimizer == "Momentum":
        return {"momentum": float(beta)}
    return {}


@st.cache_data(show_spinner=False, max_entries=64)
def surface_frames(seed, scale_ratio, correlation, standardize, w1, w2, arrows: bool):
    """Everything drawn under the path: heatmap grid, contour ellipses, eigen-axes, gradient arrows."""
    X, y, curv, w_star, loss_star = problem(seed, scale_ratio, correlation, standardize)
    w0 = np.array([w1, w2])
    radius = max(3.0, 1.15 * float(np.max(np.abs(w0 - w_star))))
    _, _, loss = ls.loss_grid(X, y, w_star, radius, n=SHADE_CELLS)
    log_gap = np.log10(np.maximum(loss - loss_star, 1e-12)).reshape(SHADE_CELLS, SHADE_CELLS)  # [w1, w2]
    shade = (log_gap - log_gap.min()) / max(float(np.ptp(log_gap)), 1e-12)
    shade = shade.T[::-1]                                  # image rows: w2 from the top; columns: w1
    gaps = list(ls.contour_levels(curv, 0.98 * radius, 8))
    kinds = ["contour"] * len(gaps)
    start_gap = ls.mse_loss(w0, X, y) - loss_star
    if start_gap > 0:
        gaps.append(start_gap)
        kinds.append("start's contour")
    contours = pd.concat([
        pd.DataFrame({"level": k, "kind": kind, "i": np.arange(49),
                      "w1": (e := ls.contour_ellipse(w_star, curv, gap, 49))[:, 0], "w2": e[:, 1]})
        for k, (gap, kind) in enumerate(zip(gaps, kinds, strict=True))])
    rows = []
    for i, (name, lam) in enumerate([("shallow", curv.eigenvalues[0]), ("steep", curv.eigenvalues[1])]):
        v = curv.eigenvectors[:, i]
        v = v * (-1.0 if v @ (w0 - w_star) > 0 else 1.0)    # label on the side away from the start
        sym = "λmax" if name == "steep" else "λmin"
        for s, label in [(-1.5 * radius, None), (0.5 * radius, f"{sym} = {lam:.3g}"), (1.5 * radius, None)]:
            rows.append({"axis": name, "w1": w_star[0] + s * v[0], "w2": w_star[1] + s * v[1],
                         "label": label})
    axes = pd.DataFrame(rows)
    field = pd.DataFrame()
    if arrows:
        P, G = ls.gradient_field(X, y, w_star, radius, n=7)
        field = _arrow_frame(P, -G, length=0.45 * 2 * radius / 8)
    return shade, contours, axes, field, radius


@st.cache_data(show_spinner=False, max_entries=64)
def surface_view(seed, scale_ratio, correlation, standardize, frac, steps, optimizer, batch, beta, w1, w2, arrows,
                 clicks: int, size: int = charts.MAP_SIZE):
    """The contour map as a Vega-Lite dict (cached: Altair's to_dict dominates a warm run), its path data and
    the view ``((w1 lo, hi), (w2 lo, hi))``; ``clicks`` = clicks handled so far (see charts.click_count_frame);
    ``size`` the map's side in px (smaller on a phone)."""
    _, _, _, w_star, _ = problem(seed, scale_ratio, correlation, standardize)
    r = experiment(seed, scale_ratio, correlation, standardize, frac, steps, optimizer, batch, beta, w1, w2)
    shade, contours, axes, field, radius = surface_frames(seed, scale_ratio, correlation, standardize, w1, w2,
                                                         arrows)
    path = _path_frame(r["traj"].weights, r["traj"].losses, w_star, radius)
    spread = pd.DataFrame()
    if optimizer == "SGD":
        w0 = np.array([w1, w2])
        spread = pd.concat([_arrow_frame(np.tile(w0, (len(r["spread"]), 1)), -r["lr"] * r["spread"],
                                         kind="mini-batch"),
                            _arrow_frame(w0[None, :], -r["lr"] * r["grad0"][None, :], kind="full")])
    domain = tuple((float(c - radius), float(c + radius)) for c in w_star)
    frames = charts.surface_frames(shade, contours, axes, field, spread, path, tuple(w_star), clicks)
    # the 20-layer chart is composed once per replay end (Altair took ~0.3 s to compose it): only the data change,
    # and the browser swaps them into the map it has, after a click too (see charts.surface_chart's targets)
    d = fill(charts.surface_spec(steps, size), frames, fixed={charts.BOX: charts.box_frame(domain)})
    return d, path, domain


@st.cache_data(show_spinner=False, max_entries=64)
def error_spec(seed, scale_ratio, correlation, standardize, frac, steps, optimizer, batch, beta, w1, w2):
    r = experiment(seed, scale_ratio, correlation, standardize, frac, steps, optimizer, batch, beta, w1, w2)
    df = _error_frame(r["theory_err"], r["measured_err"])
    # composed once per set of directions, filled with this setting's data
    return fill(charts.eigen_error_spec(charts.directions(df)), charts.eigen_error_frames(df))


def _arrow_frame(P: np.ndarray, D: np.ndarray, length: float | None = None, kind: str | None = None):
    """Segments from P along D (rescaled to ``length`` when given); ``angle`` turns a triangle-up head."""
    norm = np.linalg.norm(D, axis=1, keepdims=True)
    ok = norm[:, 0] > 0
    P, D, norm = P[ok], D[ok], norm[ok]
    if length is not None:
        D = D / norm * length
    df = pd.DataFrame({"w1": P[:, 0], "w2": P[:, 1], "w1_end": P[:, 0] + D[:, 0], "w2_end": P[:, 1] + D[:, 1],
                       "angle": np.degrees(np.arctan2(D[:, 0], D[:, 1]))})
    if kind:
        df["kind"] = kind
    return df


def _path_frame(weights: np.ndarray, losses: np.ndarray, center: np.ndarray, radius: float) -> pd.DataFrame:
    """The finite part of the path, cut just after it leaves the view (so a diverging run draws sanely)."""
    df = finite_frame(pd.DataFrame({"t": np.arange(len(losses)), "w1": weights[:, 0], "w2": weights[:, 1],
                                    "loss": losses}), ["w1", "w2", "loss"])
    far = np.flatnonzero(np.max(np.abs(df[["w1", "w2"]].to_numpy() - center), axis=1) > 3 * radius)
    df = df.iloc[: far[0] + 1] if far.size else df
    return df.assign(last=df["t"].max() if len(df) else 0)


def _error_frame(theory: np.ndarray, measured: np.ndarray) -> pd.DataFrame:
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
    keep = np.isfinite(df["raw"]) & (df["raw"] >= floor)      # below: float round-off, not the theory
    return df[keep].drop(columns="raw")


def _on_click() -> None:
    state = st.session_state.get("surface")
    selection = state["selection"] if state is not None and "selection" in state else None
    # the click's position is in the unit square of the view it was made on: the one drawn last
    w0 = ls.start_from_selection(selection, charts.START, fields=("u", "v"), low=-W_LIMIT, high=W_LIMIT,
                                 domain=st.session_state.get(VIEW_KEY))
    if w0 is not None:
        st.session_state["w1"], st.session_state["w2"] = float(w0[0]), float(w0[1])
        st.session_state[CLICKS_KEY] = st.session_state.get(CLICKS_KEY, 0) + 1


ui.page_header("Loss surface and gradient descent",
               "Why does gradient descent zigzag, why are its steps perpendicular to the contours, "
               "and why can't the learning rate go above 2/λmax?", icon=":material/landscape:")
st.markdown("A linear model with two weights, $\\hat y = w_1 x_1 + w_2 x_2$, fitted to 100 points by "
            "least squares. Its loss is a bowl whose contours are exact ellipses. **Click (or tap) anywhere on the "
            "map** to start gradient descent there.")


@st.fragment
def experiment_section() -> None:
    seed = ui.seed()
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        with c1:
            st.markdown("**Data**")
            s = ui.slider("Feature scale ratio  std(x₂) / std(x₁)", 1.0, 10.0, 3.0, key="scale", step=0.5,
                          help="Feature 2 is this many times larger than feature 1.")
            rho = ui.slider("Feature correlation ρ", -0.9, 0.9, 0.5, key="corr", step=0.05)
            std = ui.toggle("Standardize the features (z-score)", False, key="std")
        with c2:
            st.markdown("**Learning rate and steps**")
            frac = ui.slider("Learning rate η, in units of 2/λmax", 0.1, 1.2, 0.9, key="lr", step=0.05,
                             format="%.2f×")
            steps = ui.slider("Steps", 5, 200, 40, key="steps", step=5)
            arrows = ui.toggle("Gradient arrows (−∇L)", True, key="arrows")
        with c3:
            st.markdown("**Optimizer**")
            opt = ui.segmented("Optimizer", OPTIMIZERS, key="opt", default="GD")
            batch = ui.select_slider("Mini-batch size (SGD)", [1, 2, 5, 10, 20, 50, 100], 10, key="batch",
                                     disabled=opt != "SGD")
            beta = ui.slider("Momentum β", 0.0, 0.95, 0.8, key="beta", step=0.05, disabled=opt != "Momentum")

    X, y, curv, w_star, loss_star = problem(seed, s, rho, std)
    lam_min, lam_max = curv.eigenvalues
    size = charts.MAP_SIZE_PHONE if ui.on_phone() else charts.MAP_SIZE
    # the map at its own square size (plus its axes), the numbers beside it or, in a narrow window, below it
    col_chart, col_numbers = ui.beside(size + charts.MAP_AXES, key="surface")
    with col_numbers:
        st.markdown("**Start w₀** (or click or tap the map)")
        a, b = st.columns(2)
        with a:
            w1 = ui.number("w₁ at the start", -W_LIMIT, W_LIMIT, -1.0, key="w1", step=0.1, format="%.2f")
        with b:
            w2 = ui.number("w₂ at the start", -W_LIMIT, W_LIMIT, 3.0, key="w2", step=0.1, format="%.2f")
    # Controls the chosen optimizer ignores are passed as fixed values, so moving them hits the cache.
    b_arg, beta_arg = (batch if opt == "SGD" else 0), (beta if opt == "Momentum" else 0.0)
    r = experiment(seed, s, rho, std, frac, steps, opt, b_arg, beta_arg, float(w1), float(w2))
    traj, lr = r["traj"], r["lr"]
    surface, path, st.session_state[VIEW_KEY] = surface_view(seed, s, rho, std, frac, steps, opt, b_arg, beta_arg,
                                                            float(w1), float(w2), arrows,
                                                            st.session_state.get(CLICKS_KEY, 0), size)
    diverging = float(np.max(r["rates"])) > 1
    with col_chart:
        # A cached Vega-Lite dict (building this 20-layer Altair chart costs ~0.3 s per run); drawn at its
        # own square size, not container width, so both axes keep the same scale.
        st.vega_lite_chart(spec=surface, width="content", key="surface", on_select=_on_click,
                           selection_mode=[charts.START],
                           # the same alt text for every setting (numbers in the caption, divergence in the
                           # notice): Streamlit rebuilds a chart whose alt text changed instead of swapping its data
                           alt="Loss contours (ellipses) around the minimum w*, elongated along the shallow "
                               "eigenvector, and the optimizer's path: it zigzags across the narrow valley while "
                               "creeping along it, and above the step-size limit it zigzags ever wider and leaves.")
        st.caption(f"Minimum w* = ({w_star[0]:.2f}, {w_star[1]:.2f}); the ellipses are "
                   f"{np.sqrt(curv.condition_number):.1f} times longer than wide (√κ). "
                   "Square = start, circle = the step picked by the **replay** slider (it runs in your "
                   f"browser; from step {int(path['last'].iloc[0]) if len(path) else 0} to its end it shows the "
                   "whole path). Shading: log₁₀(L − L*), darker is higher. Dashed lines: the Hessian's eigenvectors. Arrows point along −∇L, the "
                   "direction of a GD step (length not to scale): always perpendicular to the contour. "
                   "Both axes use the same scale, so a circle would look like a circle."
                   + (f" Green: 30 possible first SGD steps, each from one mini-batch of {batch} (thick: the "
                      "full-batch step they average to)." if opt == "SGD" else ""))

    with col_numbers:
        f_steep, f_shallow = 1 - lr * lam_max, 1 - lr * lam_min
        pred, meas = r["predicted_steps"], r["measured_steps"]
        # Few elements, and no math in the text that changes: the browser draws every element of this
        # fragment again on each slider move (see ui.formula).
        st.markdown(f"η = {frac:.2f} × 2/λmax = **{lr:.4g}**  (2/λmax = {curv.max_stable_lr:.4g})\n\n"
                    + ui.readout({"λmax (steep)": f"{lam_max:.3g}", "λmin (shallow)": f"{lam_min:.3g}",
                                  "κ = λmax/λmin": f"{curv.condition_number:.3g}"}))
        ui.formula(r"e_i(t) = v_i^\top (w_t - w^*) = (1-\eta\lambda_i)^t\, e_i(0)",
                   "Along each eigenvector of H = XᵀX/n, full-batch GD multiplies the error by 1 − ηλᵢ every step.")
        st.markdown(
            f"- steep direction: 1 − ηλmax = **{f_steep:+.3f}**"
            + (" (negative: it overshoots, the zigzag)" if f_steep < 0 else "")
            + (" — |·| > 1: **grows**" if abs(f_steep) > 1 else "")
            + f"\n- shallow direction: 1 − ηλmin = **{f_shallow:+.3f}** "
            + (f"(shrinks {100 * (1 - abs(f_shallow)):.2g}% per step)" if abs(f_shallow) < 1 else
               "(|·| ≥ 1: it does not shrink)")
            + (f"\n\nWith momentum β = {beta:.2f} the per-step factors are {r['rates'][1]:.3f} (steep) and "
               f"{r['rates'][0]:.3f} (shallow); the limit rises to 2(1+β)/λmax = {r['limit']:.4g}."
               if opt == "Momentum" else "")
            + f"\n\n**Steps until the loss gap is {TOL:g} of the start's**\n\n"
            + ui.readout({"predicted (slowest direction)": "never" if not np.isfinite(pred) else f"{pred:.0f}",
                          "measured": f"> {MAX_STEPS}" if meas is None else f"{meas}"}))
        ui.formula(r"t \approx \frac{\ln(s/\mathrm{tol})}{2\ln(1/\rho)},\quad \rho = \max_i |1-\eta\lambda_i|",
                   "s = the slowest direction's share of the starting loss gap. "
                   + ("SGD's noise floor can stop it short of the tolerance." if opt == "SGD" else ""))

    # One fixed slot for the notice: a notice that came and went above the error chart would move the chart to
    # another position in the page, and the browser would draw it from scratch there instead of swapping its data.
    with st.empty():
        if diverging:
            k = traj.diverged_step if traj.diverged else r["escape"]
            why = (f"η = {lr:.4g} > {'2(1+β)' if opt == 'Momentum' else '2'}/λmax = {r['limit']:.4g}: along the "
                   f"steep eigenvector each step multiplies the error by {r['rates'][1]:.3g} in size, so it grows "
                   f"instead of shrinking. The path is drawn while it is finite and near the view.")
            if k is None:
                ui.diverged_notice(None, "It is diverging (run more steps to see it leave). " + why,
                                   what="Gradient descent")
            else:
                ui.diverged_notice(k, "The loss rose above where it started. " + why, what="Gradient descent")
        elif frac > 1 and opt == "Momentum":
            st.info(f"η is above 2/λmax, yet momentum still converges: its limit is 2(1+β)/λmax = "
                    f"{r['limit']:.4g}.")

    st.subheader("Per-direction error: theory vs measured", anchor=False)
    rate_shallow, rate_steep = r["rates"]
    slow = ("shallow (λmin)" if rate_shallow > rate_steep * (1 + 1e-9) else
            "steep (λmax)" if rate_steep > rate_shallow * (1 + 1e-9) else "neither")
    st.vega_lite_chart(spec=error_spec(seed, s, rho, std, frac, steps, opt, b_arg, beta_arg, float(w1), float(w2)),
                       width="stretch",
                       alt=
                       # no takeaway that names the slow direction (the caption does): a changed alt text
                       # makes Streamlit rebuild the chart at every learning-rate move across the crossover
                       "On a log axis each direction's error falls along a straight line of slope log(rate); the "
                       "direction whose line falls slower sets the number of steps.")
    st.caption("Dashed lines: theory "
               + ("(1 − ηλᵢ)ᵗ — for SGD the *expected* error, which the noisy points scatter around"
                  if opt == "SGD" else "(heavy-ball recurrence)" if opt == "Momentum" else "(1 − ηλᵢ)ᵗ")
               + ". Points: measured from the run. "
               + (f"The {slow} direction limits the speed" if slow != "neither" else
                  "Both directions shrink at the same rate (momentum's √β)")
               + f": κ = {curv.condition_number:.3g}, and the best fixed η = 2/(λmax+λmin) still shrinks the shallow "
                 f"error only by (κ−1)/(κ+1) = {(curv.condition_number - 1) / (curv.condition_number + 1):.3f} "
                 "per step.")

    ui.reproduce(_code(seed, s, rho, std, frac, steps, opt, batch, beta, w1, w2), path.drop(columns="last"),
                 file_name="gd_path.csv", key="surface_csv")


def _code(seed, s, rho, std, frac, steps, opt, batch, beta, w1, w2) -> str:
    kw = {"SGD": f", batch_size={batch}, rng=sgd_rng",
          "Momentum": f", momentum={beta}"}.get(opt, "")
    return f"""
import numpy as np
from core import datasets
from core import loss_surface as ls
from core import standardize as S

data_rng, sgd_rng, _ = np.random.default_rng({seed}).spawn(3)
X, y = datasets.two_feature_regression({N}, data_rng, scale_ratio={s}, correlation={rho})
{"X = S.fit_standardizer(X).transform(X)" if std else "# features left on their own scales"}
curv = ls.curvature(X)                       # eigenvalues, eigenvectors, condition_number, max_stable_lr
w_star, loss_star = ls.minimizer(X, y)
lr = {frac} * curv.max_stable_lr
traj = ls.gradient_descent(X, y, np.array([{w1}, {w2}]), lr, {steps}{kw})
errors = ls.eigen_errors(traj.weights, w_star, curv)          # measured e_i(t)
theory = ls.predicted_eigen_errors(errors[0], curv, lr, {steps}{", momentum=" + str(beta) if opt == "Momentum" else ""})
print(curv.condition_number, traj.diverged, traj.losses[-1])
"""


experiment_section()

ui.predict_then_look(
    "Start exactly on the dashed **shallow** axis (the long axis of the ellipses) with η = 0.9 × 2/λmax. "
    "Will the path zigzag? Then standardize the features with ρ = 0.5: does κ become 1?",
    "No zigzag: the start has no error along the steep eigenvector, so each step points straight at w* "
    "along the long axis (−∇L is perpendicular to the contour, and on an axis that is the axis itself). "
    "It is slow, though, because the shallow factor 1 − ηλmin is close to 1. "
    "Standardizing gives each feature unit variance, so H becomes the correlation matrix with "
    "eigenvalues 1 ± ρ: κ = 1.5/0.5 = 3, not 1. Standardization removes the scale mismatch, not the "
    "correlation (decorrelating, or whitening, would remove that too).",
    key="predict_axis")

ui.answer(
    "A GD step goes along −∇L, which is perpendicular to the contour through the current point, not "
    "towards the minimum. Along each eigenvector of the Hessian the error is multiplied by 1 − ηλᵢ every "
    "step: when ηλmax > 1 that factor is negative and the path overshoots across the narrow valley "
    "(the zigzag), and when ηλmax > 2 it grows (divergence), so η < 2/λmax. With η capped by the steep "
    "direction, the shallow one shrinks only by about 1 − 2/κ per step, so the steps needed grow with "
    "κ = λmax/λmin. Features on similar scales (standardized) give a rounder bowl, a small κ and fast, "
    "straight descent.")
