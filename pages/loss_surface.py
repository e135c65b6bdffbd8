"""1 · Loss surface: why gradient descent zigzags, and the learning-rate limit 2/λmax."""

from __future__ import annotations

import streamlit as st

import ui
from charts import loss_surface as charts
from experiments import loss_surface as ex

VIEW_KEY, CLICKS_KEY = "surface_view_domain", "surface_clicks"   # session state: the last view drawn; clicks
BATCHES = [1, 2, 5, 10, 20, 50, 100]


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
st.markdown(
    "A linear model with two weights, $\\hat y = w_1 x_1 + w_2 x_2$, is fitted to 100 points by least squares: "
    "the loss is $L(w) = \\frac{1}{2n}\\lVert Xw - y\\rVert^2$, a bowl over the plane of weights $(w_1, w_2)$, "
    "lowest at $w^*$. Its **Hessian** $H = \\tfrac1n X^\\top X$, the matrix of its second derivatives, says how "
    "the bowl curves. For this loss it is the same everywhere, so every contour (a line of equal loss) is an "
    "exact ellipse. The ellipses' axes are $H$'s **eigenvectors** $v_1, v_2$ (the directions in which $H$ only "
    "stretches: $Hv_i = \\lambda_i v_i$), and each **eigenvalue** $\\lambda_i$ is the bowl's curvature along its "
    "axis: $\\lambda_{max}$ along the steep, narrow one, $\\lambda_{min}$ along the shallow, long one. Their "
    "ratio $\\kappa = \\lambda_{max}/\\lambda_{min}$, the **condition number**, says how elongated the bowl is. "
    "**Click (or tap) anywhere on the map** to start gradient descent there.")


def controls() -> ex.Settings:
    """Five controls in view (a sixth for the optimizer's own setting); the rest under "More controls"."""
    d = ex.Settings()
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        with c1:
            scale = ui.slider("Feature scale ratio std(x₂) / std(x₁)", 1.0, 10.0, d.scale, key="scale", step=0.5,
                              help="Feature 2 is this many times larger than feature 1.")
            corr = ui.slider("Feature correlation ρ", -0.9, 0.9, d.corr, key="corr", step=0.05)
        with c2:
            frac = ui.slider("Learning rate η, in units of 2/λmax", 0.1, 1.2, d.frac, key="lr", step=0.05,
                             format="%.2f×")
            steps = ui.slider("Steps", 5, 200, d.steps, key="steps", step=5)
        with c3:
            opt = ui.segmented("Optimizer", ex.OPTIMIZERS, key="opt", default=d.optimizer,
                               help="GD: the gradient of all 100 points per step. SGD: of a random mini-batch. "
                                    "Momentum: GD that keeps a share β of its last step (heavy ball).")
            batch, beta = d.batch, d.beta
            if opt == "SGD":
                batch = ui.select_slider("Mini-batch size", BATCHES, d.batch, key="batch")
            elif opt == "Momentum":
                beta = ui.slider("Momentum β", 0.0, 0.95, d.beta, key="beta", step=0.05)
        with ui.more_controls():
            std = ui.toggle("Standardize both features (z-score: mean 0, std 1)", d.standardize, key="std")
            arrows = ui.toggle("Gradient arrows (−∇L)", d.arrows, key="arrows")
            a, b = st.columns(2)
            with a:
                w1 = ui.number("Start w₁", -ex.W_LIMIT, ex.W_LIMIT, d.w0[0], key="w1", step=0.1, format="%.2f")
            with b:
                w2 = ui.number("Start w₂", -ex.W_LIMIT, ex.W_LIMIT, d.w0[1], key="w2", step=0.1, format="%.2f")
    return ex.Settings(ui.seed(), scale, corr, std, frac, steps, opt, batch, beta, (float(w1), float(w2)), arrows)


@st.fragment
def experiment_section() -> None:
    s = controls()
    p, r = ex.problem(s.seed, s.scale, s.corr, s.standardize), ex.run(s)
    lam_min, lam_max = p.curv.eigenvalues
    size = charts.MAP_SIZE_PHONE if ui.on_phone() else charts.MAP_SIZE
    # the map at its own square size (plus its axes), the numbers beside it or, in a narrow window, below it
    col_chart, col_numbers = ui.beside(size + charts.MAP_AXES, key="surface")
    surface, path, st.session_state[VIEW_KEY] = ex.surface_view(s, st.session_state.get(CLICKS_KEY, 0), size)
    with col_chart:
        # drawn at its own square size, so both axes keep the same scale; the same alt text for every setting
        # (Streamlit rebuilds a chart whose alt text changed instead of swapping its data)
        st.vega_lite_chart(spec=surface, width="content", key="surface", on_select=_on_click,
                           selection_mode=[charts.START],
                           alt="Loss contours (ellipses) around the minimum w*, elongated along the shallow "
                               "eigenvector, and the optimizer's path: it zigzags across the narrow valley while "
                               "creeping along it, and above the step-size limit it zigzags ever wider and leaves.")
        ui.legend("Square: the start; circle: the step the **replay** slider picks (it runs in your browser). "
                  "Grey ellipses: contours; dashed orange: the start's contour; dashed grey lines: the "
                  "eigenvectors; arrows: −∇L (direction only); shading: log₁₀(L − L*), darker is higher. Both "
                  "axes have the same scale."
                  + (f" Green: {ex.SPREAD_BATCHES} possible first SGD steps, one per mini-batch of {s.batch} "
                     "(thick: the full-batch step they average to)." if s.optimizer == "SGD" else ""))
    with col_numbers:
        st.markdown(ui.readout({"λmax (steep)": f"{lam_max:.3g}", "λmin (shallow)": f"{lam_min:.3g}",
                                "κ": f"{p.curv.condition_number:.3g}"},
                               {"2/λmax": f"{p.curv.max_stable_lr:.4g}", "η used": f"{r.lr:.4g}",
                                "w*": f"({p.w_star[0]:.2f}, {p.w_star[1]:.2f})"}))
        st.markdown(
            "**Why the steps cross the valley.** A step goes along −∇L, the direction in which the loss falls "
            "fastest. Along a contour the loss does not change at all, so −∇L has no part along it: it is "
            "perpendicular to the contour through the current point (the arrows), not aimed at w*. In a long, "
            f"narrow bowl (κ = {p.curv.condition_number:.3g} here, the ellipses {p.curv.condition_number ** 0.5:.1f}× "
            "longer than wide) that direction points mostly across the valley.")
    notice(s, p, r)
    derivation(s, p, r)


def notice(s: ex.Settings, p: ex.Problem, r: ex.Run) -> None:
    """A divergence explained in words, in one fixed slot (a notice that came and went would move the charts
    below it, and the browser would draw them from scratch instead of swapping their data)."""
    with st.empty():
        if r.diverging:
            k = r.traj.diverged_step if r.traj.diverged else r.escape
            limit = "2(1+β)/λmax" if s.optimizer == "Momentum" else "2/λmax"
            why = (f"η = {r.lr:.4g} is above {limit} = {r.limit:.4g}: along the steep eigenvector each step "
                   f"multiplies the error by {r.rates[1]:.3g} in size, so it grows instead of shrinking. The path "
                   "is drawn while it is finite and near the view.")
            lead = "It is diverging (run more steps to see it leave). " if k is None else \
                "The loss rose above where it started. "
            ui.diverged_notice(k, lead + why, what="Gradient descent")
        elif s.frac > 1 and s.optimizer == "Momentum":
            st.info(f"η is above 2/λmax, yet momentum still converges: its limit is 2(1+β)/λmax = {r.limit:.4g}.")


def derivation(s: ex.Settings, p: ex.Problem, r: ex.Run) -> None:
    lam_min, lam_max = p.curv.eigenvalues
    f_steep, f_shallow = 1 - r.lr * lam_max, 1 - r.lr * lam_min
    st.subheader("One step, in the bowl's own coordinates", anchor=False)
    st.markdown(
        "Measure the error from the minimum, $e = w - w^*$. For this loss the gradient is $\\nabla L = He$, so one "
        "step of gradient descent (GD) with learning rate $\\eta$ is $e_{t+1} = e_t - \\eta H e_t = (I - \\eta H)\\,"
        "e_t$. Now write $e$ in the eigenvectors' coordinates, $e = e_1 v_1 + e_2 v_2$ with $e_i = v_i^\\top e$. "
        "Since $Hv_i = \\lambda_i v_i$, the step acts on each coordinate on its own:")
    ui.formula(r"e_i(t+1) = (1-\eta\lambda_i)\,e_i(t) \quad\Rightarrow\quad e_i(t) = (1-\eta\lambda_i)^t\,e_i(0)")
    st.markdown(
        "Two one-dimensional problems, each multiplied by its own factor $1 - \\eta\\lambda_i$ at every step. "
        "Three things follow, each visible on the map and in the chart below:\n"
        f"- If $\\eta\\lambda_{{max}} > 1$ the steep factor is negative and the steep coordinate changes sign at "
        f"every step: the zigzag across the valley. Here $1 - \\eta\\lambda_{{max}}$ = **{f_steep:+.3f}**.\n"
        "- If $\\eta\\lambda_{max} > 2$ that factor is below −1: the steep error grows at every step and the run "
        "diverges. So GD needs $\\eta < 2/\\lambda_{max}$, the unit of the learning-rate slider.\n"
        f"- With $\\eta$ capped by the steepest direction, the shallow factor $1 - \\eta\\lambda_{{min}}$ is at "
        "least $1 - 2/\\kappa$: the more elongated the bowl, the slower it creeps along the valley. Here it is "
        f"**{f_shallow:+.3f}**"
        + (f", {100 * (1 - abs(f_shallow)):.2g}% less error per step." if abs(f_shallow) < 1 else ": no shrinking."))
    if s.optimizer == "Momentum":
        st.markdown(f"Momentum keeps a share β = {s.beta:.2f} of the last step, so each coordinate follows "
                    "$e(t+1) = (1 + \\beta - \\eta\\lambda)e(t) - \\beta e(t-1)$ (Polyak 1964; Goh 2017): its factors "
                    f"are now {r.rates[1]:.3f} (steep) and {r.rates[0]:.3f} (shallow), and the limit rises to "
                    f"$2(1+\\beta)/\\lambda_{{max}}$ = {r.limit:.4g}.")
    elif s.optimizer == "SGD":
        st.markdown("SGD follows the gradient of a random mini-batch instead of all the data: on average the same "
                    "step, so the lines below are its *expected* error, and the measured points scatter around "
                    "them (the green arrows on the map show how much one step can vary).")
    st.vega_lite_chart(spec=ex.error_view(s), width="stretch",
                       alt="On a log axis each direction's error falls along a straight line of slope log(factor); "
                           "the direction whose line falls slower sets the number of steps.")
    ui.legend("|error| along each eigenvector, log scale. Dashed lines: the theory above; points: measured on the "
              "run on the map.")
    pred, meas = r.predicted_steps, r.measured_steps
    st.markdown(
        "The loss gap is $L - L^* = \\tfrac12\\sum_i \\lambda_i e_i^2$, so once the fast direction has died out it "
        "shrinks by $\\rho^2$ per step, $\\rho$ being the slowest factor in size. The steps until it is "
        f"{ex.TOL:g} of the start's gap follow, with $s$ the slowest direction's share of that gap:")
    ui.formula(r"t \approx \frac{\ln(s/\mathrm{tol})}{2\ln(1/\rho)},\quad \rho = \max_i |1-\eta\lambda_i|")
    st.markdown(ui.readout({"steps, predicted": "never" if pred == float("inf") else f"{pred:.0f}",
                            "steps, measured": f"> {ex.MAX_STEPS}" if meas is None else f"{meas}"})
                + ("\n\nSGD's noise keeps it from settling exactly, so it may never get that close."
                   if s.optimizer == "SGD" else ""))
    ui.reproduce(ex.reproduction(s), None, key="surface_reproduce")
    questions(s, p)


def questions(s: ex.Settings, p: ex.Problem) -> None:
    w = ex.what_if(s)
    ui.predict(
        "predict_surface_axis",
        f"Start exactly on the dashed **shallow** axis, at ({w.axis_start[0]:.2f}, {w.axis_start[1]:.2f}), with "
        f"the learning rate set above ({s.frac:.2f}×2/λmax). Will plain gradient descent zigzag?",
        ["It zigzags across the valley", "It heads straight down the axis"],
        correct="It zigzags across the valley" if w.axis_sideways > 1e-3 else "It heads straight down the axis",
        reveal=f"Run from there for {s.steps} steps, its largest sideways error is {w.axis_sideways:.1e} of the "
               "start's distance. On the axis the error has no steep coordinate, and −∇L (perpendicular to the "
               "contour) points along the axis itself"
               + (f"; the run creeps along it by a factor {w.axis_rate:.3f} per step." if w.axis_sideways <= 1e-3
                  else ", but above 2/λmax even the rounding error in that coordinate grows until it shows."))
    ui.predict(
        "predict_surface_limit",
        f"Raise the learning rate just past the limit, to {w.over_frac}×2/λmax, from your start. Over {s.steps} "
        "steps of plain gradient descent, what happens?",
        ["It still converges, more slowly", "It zigzags ever wider and diverges", "It stops moving"],
        correct="It zigzags ever wider and diverges" if w.over_escape is not None else
        "It still converges, more slowly",
        reveal=f"The steep factor is 1 − ηλmax = {w.over_factor:.2f}: the steep error changes sign and grows "
               f"{abs(w.over_factor):.1f}× per step. "
               + (f"The loss rose above the start's at step {w.over_escape}." if w.over_escape is not None else
                  f"In {s.steps} steps the growth has not yet overtaken the shrinking shallow direction; more steps "
                  "would."))


experiment_section()

ui.answer(
    "A GD step goes along −∇L, perpendicular to the contour through the current point, not towards the minimum. "
    "In the Hessian's eigenvector coordinates each error component is multiplied by 1 − ηλᵢ per step: above "
    "ηλmax = 1 the steep one changes sign (the zigzag), above 2 it grows (divergence), so η < 2/λmax. Capped by "
    "the steep direction, the shallow one shrinks by at most about 2/κ per step, so the steps needed grow with "
    "κ = λmax/λmin: a rounder bowl (small κ) is descended fast and straight. The next page shows what makes a "
    "bowl elongated in the first place: features on different scales.")
ui.references(
    "G. Goh (2017), [Why Momentum Really Works](https://distill.pub/2017/momentum/), Distill: gradient descent in "
    "eigenvector coordinates, and momentum.",
    "Y. LeCun, L. Bottou, G. Orr, K.-R. Müller (1998), *Efficient BackProp*, §5: convergence of gradient descent, "
    "the Hessian's eigenvalues and the largest learning rate 2/λmax.",
    "B. T. Polyak (1964), *Some methods of speeding up the convergence of iteration methods*: the heavy-ball "
    "(momentum) method.",
    "I. Goodfellow, Y. Bengio, A. Courville (2016), *Deep Learning*, §4.3.1: the Hessian and the condition number.")
