"""1 · Loss surface: why gradient descent zigzags, and the learning-rate limit 2/λmax."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import ui
from charts import loss_surface as charts
from experiments import loss_surface as ex

VIEW_KEY, CLICKS_KEY = "surface_view_domain", "surface_clicks"   # session state: the last view drawn; clicks


def _on_click() -> None:
    """A click (or tap) on the map sets the start: its position is in the view drawn last."""
    state = st.session_state.get("surface")
    selection = state["selection"] if state is not None and "selection" in state else None
    w0 = charts.click_to_weights(selection, st.session_state.get(VIEW_KEY), low=-ex.W_LIMIT, high=ex.W_LIMIT)
    if w0 is not None:
        st.session_state[ui.scoped("w1")], st.session_state[ui.scoped("w2")] = float(w0[0]), float(w0[1])
        st.session_state[CLICKS_KEY] = st.session_state.get(CLICKS_KEY, 0) + 1


ui.page_header("Why does gradient descent zigzag, why are its steps perpendicular to the contours, and why "
               "can't the learning rate go above 2/λmax?")
st.markdown("A linear model with two weights, $\\hat y = w_1 x_1 + w_2 x_2$, fitted to 100 points by "
            "least squares. Its loss is a bowl whose contours are exact ellipses. **Click (or tap) anywhere on the "
            "map** to start gradient descent there.")


def controls() -> ex.Settings:
    d = ex.Settings()
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        with c1:
            st.markdown("**Data**")
            scale = ui.slider("Feature scale ratio  std(x₂) / std(x₁)", 1.0, 10.0, d.scale, key="scale", step=0.5,
                              help="Feature 2 is this many times larger than feature 1.")
            corr = ui.slider("Feature correlation ρ", -0.9, 0.9, d.corr, key="corr", step=0.05)
            std = ui.toggle("Standardize the features (z-score)", d.standardize, key="std")
        with c2:
            st.markdown("**Learning rate and steps**")
            frac = ui.slider("Learning rate η, in units of 2/λmax", 0.1, 1.2, d.frac, key="lr", step=0.05,
                             format="%.2f×")
            steps = ui.slider("Steps", 5, 200, d.steps, key="steps", step=5)
            arrows = ui.toggle("Gradient arrows (−∇L)", d.arrows, key="arrows")
        with c3:
            st.markdown("**Optimizer**")
            opt = ui.segmented("Optimizer", ex.OPTIMIZERS, key="opt", default=d.optimizer)
            batch = ui.select_slider("Mini-batch size (SGD)", [1, 2, 5, 10, 20, 50, 100], d.batch, key="batch",
                                     disabled=opt != "SGD")
            beta = ui.slider("Momentum β", 0.0, 0.95, d.beta, key="beta", step=0.05, disabled=opt != "Momentum")
    return ex.Settings(ui.seed(), scale, corr, std, frac, steps, opt, batch, beta, d.w0, arrows)


@st.fragment
def experiment_section() -> None:
    s = controls()
    p = ex.problem(s.seed, s.scale, s.corr, s.standardize)
    lam_min, lam_max = p.curv.eigenvalues
    size = charts.MAP_SIZE_PHONE if ui.on_phone() else charts.MAP_SIZE
    # the map at its own square size (plus its axes), the numbers beside it or, in a narrow window, below it
    col_chart, col_numbers = ui.beside(size + charts.MAP_AXES, key="surface")
    with col_numbers:
        st.markdown("**Start w₀** (or click or tap the map)")
        a, b = st.columns(2)
        with a:
            w1 = ui.number("w₁ at the start", -ex.W_LIMIT, ex.W_LIMIT, s.w0[0], key="w1", step=0.1, format="%.2f")
        with b:
            w2 = ui.number("w₂ at the start", -ex.W_LIMIT, ex.W_LIMIT, s.w0[1], key="w2", step=0.1, format="%.2f")
    s = replace(s, w0=(float(w1), float(w2)))
    r = ex.run(s)
    surface, path, st.session_state[VIEW_KEY] = ex.surface_view(s, st.session_state.get(CLICKS_KEY, 0), size)
    with col_chart:
        # drawn at its own square size, not container width, so both axes keep the same scale; the same alt text
        # for every setting (Streamlit rebuilds a chart whose alt text changed instead of swapping its data)
        st.vega_lite_chart(spec=surface, width="content", key="surface", on_select=_on_click,
                           selection_mode=[charts.START],
                           alt="Loss contours (ellipses) around the minimum w*, elongated along the shallow "
                               "eigenvector, and the optimizer's path: it zigzags across the narrow valley while "
                               "creeping along it, and above the step-size limit it zigzags ever wider and leaves.")
        ui.legend(f"Minimum w* = ({p.w_star[0]:.2f}, {p.w_star[1]:.2f}); the ellipses are "
                  f"{p.curv.condition_number ** 0.5:.1f} times longer than wide (√κ). "
                  "Square = start, circle = the step picked by the **replay** slider (it runs in your "
                  f"browser; from step {int(path['last'].iloc[0]) if len(path) else 0} to its end it shows the "
                  "whole path). Shading: log₁₀(L − L*), darker is higher. Dashed lines: the Hessian's eigenvectors. "
                  "Arrows point along −∇L, the direction of a GD step (length not to scale): always perpendicular "
                  "to the contour. Both axes use the same scale, so a circle would look like a circle."
                  + (f" Green: {ex.SPREAD_BATCHES} possible first SGD steps, each from one mini-batch of {s.batch} "
                     "(thick: the full-batch step they average to)." if s.optimizer == "SGD" else ""))

    with col_numbers:
        f_steep, f_shallow = 1 - r.lr * lam_max, 1 - r.lr * lam_min
        pred, meas = r.predicted_steps, r.measured_steps
        st.markdown(f"η = {s.frac:.2f} × 2/λmax = **{r.lr:.4g}**  (2/λmax = {p.curv.max_stable_lr:.4g})\n\n"
                    + ui.readout({"λmax (steep)": f"{lam_max:.3g}", "λmin (shallow)": f"{lam_min:.3g}",
                                  "κ = λmax/λmin": f"{p.curv.condition_number:.3g}"}))
        ui.formula(r"e_i(t) = v_i^\top (w_t - w^*) = (1-\eta\lambda_i)^t\, e_i(0)",
                   "Along each eigenvector of H = XᵀX/n, full-batch GD multiplies the error by 1 − ηλᵢ every step.")
        st.markdown(
            f"- steep direction: 1 − ηλmax = **{f_steep:+.3f}**"
            + (" (negative: it overshoots, the zigzag)" if f_steep < 0 else "")
            + (" — |·| > 1: **grows**" if abs(f_steep) > 1 else "")
            + f"\n- shallow direction: 1 − ηλmin = **{f_shallow:+.3f}** "
            + (f"(shrinks {100 * (1 - abs(f_shallow)):.2g}% per step)" if abs(f_shallow) < 1 else
               "(|·| ≥ 1: it does not shrink)")
            + (f"\n\nWith momentum β = {s.beta:.2f} the per-step factors are {r.rates[1]:.3f} (steep) and "
               f"{r.rates[0]:.3f} (shallow); the limit rises to 2(1+β)/λmax = {r.limit:.4g}."
               if s.optimizer == "Momentum" else "")
            + f"\n\n**Steps until the loss gap is {ex.TOL:g} of the start's**\n\n"
            + ui.readout({"predicted (slowest direction)": "never" if pred == float("inf") else f"{pred:.0f}",
                          "measured": f"> {ex.MAX_STEPS}" if meas is None else f"{meas}"}))
        ui.formula(r"t \approx \frac{\ln(s/\mathrm{tol})}{2\ln(1/\rho)},\quad \rho = \max_i |1-\eta\lambda_i|",
                   "s = the slowest direction's share of the starting loss gap. "
                   + ("SGD's noise floor can stop it short of the tolerance." if s.optimizer == "SGD" else ""))

    # One fixed slot for the notice: a notice that came and went above the error chart would move the chart, and
    # the browser would draw it from scratch instead of swapping its data.
    with st.empty():
        if r.diverging:
            k = r.traj.diverged_step if r.traj.diverged else r.escape
            why = (f"η = {r.lr:.4g} > {'2(1+β)' if s.optimizer == 'Momentum' else '2'}/λmax = {r.limit:.4g}: "
                   f"along the steep eigenvector each step multiplies the error by {r.rates[1]:.3g} in size, so it "
                   "grows instead of shrinking. The path is drawn while it is finite and near the view.")
            lead = "It is diverging (run more steps to see it leave). " if k is None else \
                "The loss rose above where it started. "
            ui.diverged_notice(k, lead + why, what="Gradient descent")
        elif s.frac > 1 and s.optimizer == "Momentum":
            st.info(f"η is above 2/λmax, yet momentum still converges: its limit is 2(1+β)/λmax = {r.limit:.4g}.")

    st.subheader("Per-direction error: theory vs measured", anchor=False)
    rate_shallow, rate_steep = r.rates
    slow = ("shallow (λmin)" if rate_shallow > rate_steep * (1 + 1e-9) else
            "steep (λmax)" if rate_steep > rate_shallow * (1 + 1e-9) else "neither")
    kappa = p.curv.condition_number
    st.vega_lite_chart(spec=ex.error_view(s), width="stretch",
                       alt="On a log axis each direction's error falls along a straight line of slope log(rate); "
                           "the direction whose line falls slower sets the number of steps.")
    ui.legend("Dashed lines: theory "
              + ("(1 − ηλᵢ)ᵗ — for SGD the *expected* error, which the noisy points scatter around"
                 if s.optimizer == "SGD" else "(heavy-ball recurrence)" if s.optimizer == "Momentum" else "(1 − ηλᵢ)ᵗ")
              + ". Points: measured from the run. "
              + (f"The {slow} direction limits the speed" if slow != "neither" else
                 "Both directions shrink at the same rate (momentum's √β)")
              + f": κ = {kappa:.3g}, and the best fixed η = 2/(λmax+λmin) still shrinks the shallow "
                f"error only by (κ−1)/(κ+1) = {(kappa - 1) / (kappa + 1):.3f} per step.")
    ui.reproduce(ex.reproduction(s), path.drop(columns="last"), key="surface_reproduce")


experiment_section()

ui.answer(
    "A GD step goes along −∇L, which is perpendicular to the contour through the current point, not "
    "towards the minimum. Along each eigenvector of the Hessian the error is multiplied by 1 − ηλᵢ every "
    "step: when ηλmax > 1 that factor is negative and the path overshoots across the narrow valley "
    "(the zigzag), and when ηλmax > 2 it grows (divergence), so η < 2/λmax. With η capped by the steep "
    "direction, the shallow one shrinks only by about 1 − 2/κ per step, so the steps needed grow with "
    "κ = λmax/λmin. Features on similar scales (standardized) give a rounder bowl, a small κ and fast, "
    "straight descent.")
