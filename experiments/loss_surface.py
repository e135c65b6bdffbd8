"""Page 1 · Loss surface: everything the page computes, from its settings, cached.

One seed gives the page's random streams, split one way everywhere (the page and "Reproduce this" alike):
``data_rng, sgd_rng, spread_rng = np.random.default_rng(seed).spawn(3)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

from charts import loss_surface as charts
from charts.common import Prepared, fill, prepare
from core import datasets
from core import loss_surface as ls
from core.standardize import fit_standardizer
from ui.nav import by_url_path
from ui.notebook import Reproduction

N = 100                 # samples in the synthetic data set
W_LIMIT = 50.0          # the start's allowed range (number inputs and clicks)
TOL = 1e-3              # "converged" = loss gap down to this fraction of the start's gap
MAX_STEPS = 1000        # budget for measuring steps-to-tolerance
OPTIMIZERS = ("GD", "SGD", "Momentum")
SHADE_CELLS = 64        # the background shading's resolution (one image)
SPREAD_BATCHES = 30     # possible first SGD steps drawn at the start


@dataclass(frozen=True)
class Settings:
    """The page's controls. ``frac`` is the learning rate in units of 2/λmax; ``w0`` the start."""

    seed: int = 0
    scale: float = 3.0          # std(x₂) / std(x₁)
    corr: float = 0.5           # correlation ρ of the two features
    standardize: bool = False
    frac: float = 0.9
    steps: int = 40
    optimizer: str = "GD"
    batch: int = 10             # SGD's mini-batch size
    beta: float = 0.8           # momentum β
    w0: tuple[float, float] = (-1.0, 3.0)
    arrows: bool = True

    def effective(self) -> Settings:
        """The same run with the controls the optimizer ignores set to fixed values (moving them hits the cache)."""
        return replace(self, batch=self.batch if self.optimizer == "SGD" else 0,
                       beta=self.beta if self.optimizer == "Momentum" else 0.0)

    def kwargs(self) -> dict:
        """The optimizer's arguments to ``core.loss_surface.gradient_descent`` (without ``rng``)."""
        if self.optimizer == "SGD":
            return {"batch_size": int(self.batch)}
        if self.optimizer == "Momentum":
            return {"momentum": float(self.beta)}
        return {}


@dataclass(frozen=True)
class Problem:
    """The data and its loss surface: X (N, 2), y (N,), the curvature, the minimum w* and L*."""

    X: np.ndarray
    y: np.ndarray
    curv: ls.Curvature
    w_star: np.ndarray
    loss_star: float


@st.cache_data(show_spinner=False, max_entries=64)
def problem(seed: int, scale: float, corr: float, standardize: bool) -> Problem:
    data_rng = np.random.default_rng(seed).spawn(3)[0]
    X, y = datasets.two_feature_regression(N, data_rng, scale_ratio=scale, correlation=corr)
    if standardize:
        X = fit_standardizer(X).transform(X)
    w_star, loss_star = ls.minimizer(X, y)
    return Problem(X, y, ls.curvature(X), w_star, loss_star)


def _problem(s: Settings) -> Problem:
    return problem(s.seed, s.scale, s.corr, s.standardize)


@dataclass(frozen=True)
class Run:
    """One optimizer run and what theory says about it.

    lr: η; traj: the run; rates: per-direction factors (ascending λ); limit: the largest stable η;
    measured_err, theory_err: (steps+1, 2) errors along the eigenvectors; predicted_steps, measured_steps: to
    reach TOL; escape: the first step above the start's loss (None); spread: SGD's possible first gradients
    (SPREAD_BATCHES, 2), empty otherwise; grad0: the full gradient at the start.
    """

    lr: float
    traj: ls.Trajectory
    rates: np.ndarray
    limit: float
    measured_err: np.ndarray
    theory_err: np.ndarray
    predicted_steps: float
    measured_steps: int | None
    escape: int | None
    spread: np.ndarray
    grad0: np.ndarray

    @property
    def diverging(self) -> bool:
        return float(np.max(self.rates)) > 1


@st.cache_data(show_spinner=False, max_entries=64)
def run(s: Settings) -> Run:
    s = s.effective()
    p = _problem(s)
    lr = s.frac * p.curv.max_stable_lr
    w0 = np.array(s.w0)
    _, sgd_rng, spread_rng = np.random.default_rng(s.seed).spawn(3)
    traj = ls.gradient_descent(p.X, p.y, w0, lr, s.steps, rng=sgd_rng if s.optimizer == "SGD" else None,
                               **s.kwargs())
    e0 = (w0 - p.w_star) @ p.curv.eigenvectors
    return Run(
        lr, traj, ls.convergence_rates(p.curv, lr, s.beta), ls.stable_lr_limit(p.curv, s.beta),
        ls.eigen_errors(traj.weights, p.w_star, p.curv),
        ls.predicted_eigen_errors(e0, p.curv, lr, s.steps, s.beta),
        ls.predicted_steps_to_tolerance(e0, p.curv, lr, TOL, s.beta), measured_steps(s),
        ls.escape_step(traj.losses),
        (ls.minibatch_gradients(p.X, p.y, w0, s.batch, SPREAD_BATCHES, spread_rng) if s.optimizer == "SGD"
         else np.empty((0, 2))),
        ls.mse_grad(w0, p.X, p.y),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def measured_steps(s: Settings) -> int | None:
    """Steps the same run needs to reach the tolerance (it does not depend on the Steps slider: cached apart)."""
    s = replace(s.effective(), steps=0, arrows=False)
    p = _problem(s)
    sgd_rng = np.random.default_rng(s.seed).spawn(3)[1]
    return ls.measured_steps_to_tolerance(p.X, p.y, np.array(s.w0), s.frac * p.curv.max_stable_lr, MAX_STEPS,
                                          p.loss_star, TOL, rng=sgd_rng if s.optimizer == "SGD" else None,
                                          **s.kwargs())


def view_radius(s: Settings) -> float:
    """Half the side of the square view around w*: it holds the start with a margin."""
    p = _problem(s)
    return max(3.0, 1.15 * float(np.max(np.abs(np.array(s.w0) - p.w_star))))


@st.cache_data(show_spinner=False, max_entries=64)
def map_base(seed: int, scale: float, corr: float, standardize: bool, radius: float,
             arrows: bool) -> tuple[charts.Background, dict[str, Prepared]]:
    """What the map draws under the path, for a view of half-side ``radius`` around w*: shading, contour
    ellipses and gradient field, and their frames ready to send (``charts.base_frames``). Not keyed on the
    start: a click inside the view (which keeps the radius) recomputes only the path and what follows it."""
    p = _problem(Settings(seed, scale, corr, standardize))
    _, _, loss = ls.loss_grid(p.X, p.y, p.w_star, radius, n=SHADE_CELLS)
    log_gap = np.log10(np.maximum(loss - p.loss_star, 1e-12)).reshape(SHADE_CELLS, SHADE_CELLS)  # [w1, w2]
    shade = (log_gap - log_gap.min()) / max(float(np.ptp(log_gap)), 1e-12)
    gaps = list(ls.contour_levels(p.curv, 0.98 * radius, 8))
    ellipses = [ls.contour_ellipse(p.w_star, p.curv, gap, 49) for gap in gaps]
    field = ls.gradient_field(p.X, p.y, p.w_star, radius, n=7) if arrows else None
    bg = charts.Background(shade.T[::-1], ellipses, p.curv, p.w_star, radius, field)
    return bg, {role: prepare(df) for role, df in charts.base_frames(bg).items()}


@st.cache_data(show_spinner=False, max_entries=64)
def surface_view(s: Settings, clicks: int, size: int) -> tuple[dict, pd.DataFrame, tuple]:
    """The map as a Vega-Lite spec (a template composed once, filled with this setting's data), its path and
    the view ``((w1 lo, hi), (w2 lo, hi))``. ``clicks``: clicks handled so far; ``size``: the map's side in px."""
    s = s.effective()
    p, r = _problem(s), run(s)
    bg, base = map_base(s.seed, s.scale, s.corr, s.standardize, view_radius(s), s.arrows)
    w0 = np.array(s.w0)
    start_gap = ls.mse_loss(w0, p.X, p.y) - p.loss_star
    start = ls.contour_ellipse(p.w_star, p.curv, start_gap, 49) if start_gap > 0 else None
    path = charts.path_frame(r.traj.weights, r.traj.losses, p.w_star, bg.radius)
    spread = (charts.spread_frame(w0, r.lr * r.spread, r.lr * r.grad0) if s.optimizer == "SGD"
              else pd.DataFrame())
    domain = tuple((float(c - bg.radius), float(c + bg.radius)) for c in p.w_star)
    frames = {**base, **charts.surface_frames(bg, w0, start, spread, path, clicks)}
    spec = fill(charts.surface_spec(charts.replay_end(s.steps), size), frames,
                fixed={charts.BOX: charts.box_frame(domain)})
    return spec, path, domain


@st.cache_data(show_spinner=False, max_entries=64)
def error_view(s: Settings) -> dict:
    """The per-direction error chart (theory lines, measured points) as a filled template."""
    r = run(s)
    df = charts.error_frame(r.theory_err, r.measured_err)
    return fill(charts.eigen_error_spec(charts.directions(df)), charts.eigen_error_frames(df))


@dataclass(frozen=True)
class WhatIf:
    """Two runs the page's questions ask about, with the current data and steps (plain GD).

    axis_start: a start on the shallow eigenvector's axis; axis_sideways: the largest error along the steep
    eigenvector during that run, as a share of the start's distance from w* (a zigzag needs some); axis_rate:
    the shallow factor |1 − ηλmin| it creeps with; over_frac: η in units of 2/λmax for the second run (1.1);
    over_factor: its steep factor 1 − ηλmax; over_escape: the step its loss first rose above the start's.
    """

    axis_start: tuple[float, float]
    axis_sideways: float
    axis_rate: float
    over_frac: float
    over_factor: float
    over_escape: int | None


@st.cache_data(show_spinner=False, max_entries=64)
def what_if(s: Settings) -> WhatIf:
    p = _problem(s)
    lam_min, lam_max = p.curv.eigenvalues
    lr = s.frac * p.curv.max_stable_lr
    start = p.w_star + 0.8 * view_radius(s) * p.curv.eigenvectors[:, 0]
    axis = ls.gradient_descent(p.X, p.y, start, lr, s.steps)
    steep = np.abs(ls.eigen_errors(axis.weights, p.w_star, p.curv)[:, 1])
    over = 1.1
    run_over = ls.gradient_descent(p.X, p.y, np.array(s.w0), over * p.curv.max_stable_lr, s.steps)
    return WhatIf((float(start[0]), float(start[1])), float(np.nanmax(steep) / np.linalg.norm(start - p.w_star)),
                  abs(1 - lr * lam_min), over, 1 - over * 2.0, ls.escape_step(run_over.losses))


def reproduction(s: Settings) -> Reproduction:
    """The view's core calls, for the current settings; the headline is the measured steps to the tolerance."""
    s = s.effective()
    rng_arg = ", rng=sgd_rng" if s.optimizer == "SGD" else ""
    kw = "".join(f", {k}={v!r}" for k, v in s.kwargs().items())
    code = f"""\
import numpy as np
from core import datasets
from core import loss_surface as ls
from core.standardize import fit_standardizer

data_rng, sgd_rng, spread_rng = np.random.default_rng({s.seed}).spawn(3)
X, y = datasets.two_feature_regression({N}, data_rng, scale_ratio={s.scale!r}, correlation={s.corr!r})
{"X = fit_standardizer(X).transform(X)" if s.standardize else "# the features keep their own scales"}
curv = ls.curvature(X)                 # eigenvalues, eigenvectors, condition_number, max_stable_lr
w_star, loss_star = ls.minimizer(X, y)
lr = {s.frac!r} * curv.max_stable_lr
w0 = np.array({list(s.w0)!r})
traj = ls.gradient_descent(X, y, w0, lr, {s.steps}{kw}{rng_arg})
_, sgd_rng, _ = np.random.default_rng({s.seed}).spawn(3)   # the same stream again, for the count below
headline = ls.measured_steps_to_tolerance(X, y, w0, lr, {MAX_STEPS}, loss_star, {TOL}{kw}{rng_arg})
print("kappa:", curv.condition_number, "lr:", lr, "diverged:", traj.diverged)
print("headline =", headline)   # steps until the loss gap is {TOL} of the start's (None: not within {MAX_STEPS})
"""
    plot = """\
import altair as alt
import pandas as pd

path = pd.DataFrame({"t": range(len(traj.losses)), "w1": traj.weights[:, 0], "w2": traj.weights[:, 1]})
alt.Chart(path.dropna()).mark_line(point=True).encode(x="w1:Q", y="w2:Q", order="t:Q").properties(
    title="The optimizer's path in weight space", width=360, height=360)
"""
    steps = measured_steps(s)
    return Reproduction("Loss surface: gradient descent on a two-weight bowl", code, plot,
                        float("nan") if steps is None else float(steps),
                        f"the measured steps to a loss gap of {TOL:g} of the start's")


def warm() -> None:
    """The default view, as a desktop's and as a phone's browser draw it (ui/warmup.py)."""
    s = Settings()
    for size in (charts.MAP_SIZE, charts.MAP_SIZE_PHONE):
        surface_view(s, 0, size)
    error_view(s)
    what_if(s)


def notebooks() -> dict[str, Reproduction]:
    """Each view's notebook at the default settings (tests/test_notebooks.py runs them)."""
    return {by_url_path("loss_surface").title: reproduction(Settings())}
