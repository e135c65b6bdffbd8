"""Page 3 · Symmetry breaking: everything the page computes, from its settings, cached.

One seed gives the page's random streams, split one way everywhere (the page and "Reproduce this" alike):
``data_rng, init_rng, train_rng = np.random.default_rng(seed).spawn(3)``. The sweeps repeat a run K times with
the same data: run k draws its weights from ``init_rng.spawn(K)[k]`` and its mini-batches from
``train_rng.spawn(K)[k]``, drawn afresh for every sigma (or lambda), so each starts from the same draw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

from charts import symmetry as charts
from charts.common import fill
from core import symmetry as sy
from ui.notebook import Reproduction

N_POINTS = 200
DATASETS = ("moons", "circles", "xor", "spirals", "blobs")
ACTS = ("tanh", "relu", "sigmoid")
LRS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
STEPS = (100, 200, 300, 500, 1000, 2000)
SIGMAS = tuple(10.0 ** -k for k in range(12, -1, -1)) + (3.0,)
BATCH = 16
TAU = 1.0
GRID = 40
REF_SIGMA = 1.0                     # the decision map's reference run
# the sweeps (heavy: computed at warm-up)
SWEEP_SIGMAS = (1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0)
SWEEP_RUNS = 3
SWEEP_STEPS = 300
LENGTH_SIGMAS = (0.01, 0.1, 1.0)
LENGTH_CHECKPOINTS = tuple(range(0, 1501, 50))
LAMBDAS = (0.0, 0.001, 0.01, 0.1, 1.0, 10.0)
PENALTY_SIGMA = 0.01
COPIES_LAM, COPIES_DROP = 1.0, 0.1
# the all-zero table and the eps-lab
FROZEN_H, FROZEN_STEPS = 4, 100
LAB_H, DELTA, MAX_STEPS = 8, 0.1, 3000
EPS_SWEEP = tuple(10.0 ** -k for k in range(2, 13))
sci = "{:.0e}".format     # how the page writes a sigma
INIT_BY_LABEL = {label: name for name, label in sy.INIT_LABELS.items()}
ANGLE = sy.DIRECTION_ANGLE


@dataclass(frozen=True)
class Settings:
    """The experiment's controls: data, activation, H, the initialization (sigma for "normal", c for
    "constant"), steps, optimizer, learning rate, dropout on the hidden layer, penalty strength lambda."""

    seed: int = 0
    data: str = "moons"
    act: str = "tanh"
    H: int = 16
    init: str = "normal"
    sigma: float = 0.01
    c: float = 0.5
    steps: int = 300
    opt: str = "GD"
    lr: float = 1.0
    drop: float = 0.0
    lam: float = 0.0

    def effective(self) -> Settings:
        """The same run with the values the initialization ignores fixed (moving them hits the cache)."""
        return replace(self, sigma=self.sigma if self.init == "normal" else 1.0,
                       c=self.c if self.init == "constant" else 0.5)

    @property
    def batch(self) -> int | None:
        return BATCH if self.opt == "SGD" else None


def _data(seed: int, data: str):
    return sy.make_data(data, N_POINTS, np.random.default_rng(seed).spawn(3)[0])


@dataclass(frozen=True, eq=False)
class Result:
    """One run: X (n, 2), y (n,); run: the SymmetryRun; median, directions: (R,) per record; accuracy at the end;
    grid: the decision grid (x1, x2, p)."""

    X: np.ndarray
    y: np.ndarray
    run: sy.SymmetryRun
    median: np.ndarray
    directions: np.ndarray
    accuracy: float
    grid: tuple


@st.cache_data(show_spinner=False, max_entries=64)
def experiment(s: Settings) -> Result:
    s = s.effective()
    data_rng, init_rng, train_rng = np.random.default_rng(s.seed).spawn(3)
    X, y = sy.make_data(s.data, N_POINTS, data_rng)
    net = sy.init_network(s.init, s.H, s.act, init_rng, sigma=s.sigma, c=s.c)
    run = sy.train_units(net, X, y, lr=s.lr, steps=s.steps, rng=train_rng, batch_size=s.batch, dropout=s.drop,
                         lam=s.lam, tau=TAU, record_every=max(1, s.steps // 100))
    median, directions = sy.direction_history(run.theta)
    return Result(X, y, run, median, directions, sy.accuracy(run.net, X, y), sy.decision_grid(run.net, X, n=GRID))


def reference(s: Settings) -> Result:
    """The same data and training from random N(0, 1) weights."""
    return experiment(replace(s, init="normal", sigma=REF_SIGMA))


@dataclass(frozen=True)
class View:
    """The experiment's charts (filled templates) and the numbers the page writes beside them."""

    paths: dict
    directions: dict
    history: dict
    boundary: dict
    numbers: dict


@st.cache_data(show_spinner=False, max_entries=64)
def experiment_view(s: Settings) -> View:
    r, ref = experiment(s), reference(s)
    run = r.run
    groups = []
    for when, th in (("start", run.theta[0]), ("end", run.theta[-1])):
        leaders, counts = sy.point_groups(th)
        groups.append(charts.group_labels(th[:, :2], leaders, counts, when))
    paths = fill(charts.weight_paths_spec(),
                 charts.paths_frames(charts.paths_frame(run.steps, run.theta), pd.concat(groups)))
    W0, W1 = run.theta[0][:, :2].T, run.theta[-1][:, :2].T
    points = pd.DataFrame({"x1": r.X[:, 0], "x2": r.X[:, 1], "class": r.y.astype(int).astype(str)})

    boundary = fill(charts.boundary_spec(), charts.boundary_frames(charts.boundary_frame(*r.grid, ""), points, GRID))

    numbers = {"accuracy": r.accuracy, "accuracy_ref": ref.accuracy, "median0": float(r.median[0]),
               "median": float(r.median[-1]), "dirs0": float(r.directions[0]), "dirs": float(r.directions[-1]),
               "distinct0": int(run.distinct[0]), "distinct": int(run.distinct[-1]), "spread": float(run.spread[-1]),
               "median_ref": float(ref.median[-1]), "dirs_ref": float(ref.directions[-1]), "steps": int(run.steps[-1]),
               "diverged": run.diverged_step}
    return View(paths, fill(charts.directions_spec(), charts.directions_frames(W0, W1)),
                fill(charts.history_spec(), charts.history_frames(run.steps, r.median, r.directions, run.distinct,
                                                                  s.H)),
                boundary, numbers)


def run_rngs(seed: int, k: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Run k's weights and mini-batches, drawn afresh: every sigma (or lambda) of run k starts from the same
    draw, only scaled."""
    _, init_rng, train_rng = np.random.default_rng(seed).spawn(3)
    return init_rng.spawn(SWEEP_RUNS)[k], train_rng.spawn(SWEEP_RUNS)[k]


@st.cache_data(show_spinner=False, max_entries=64)
def sigma_sweep(seed: int, data: str, act: str, H: int) -> pd.DataFrame:
    """Final accuracy, median |cos| and directions after SWEEP_STEPS of GD (eta = 1) for every sigma and run:
    columns x (sigma), group, run, accuracy, median, directions."""
    X, y = _data(seed, data)
    rows = []
    for k in range(SWEEP_RUNS):
        for sigma in SWEEP_SIGMAS:
            init_rng, train_rng = run_rngs(seed, k)
            net = sy.init_network("normal", H, act, init_rng, sigma=sigma)
            c = sy.train_curve(net, X, y, lr=1.0, checkpoints=[SWEEP_STEPS], rng=train_rng)
            rows.append({"x": sigma, "group": "random N(0, σ²)", "run": k + 1, "accuracy": c.accuracy[-1],
                         "median": c.median[-1], "directions": c.directions[-1]})
    return pd.DataFrame(rows)


@st.cache_data(show_spinner=False, max_entries=64)
def constant_reference(seed: int, data: str, act: str, H: int) -> pd.DataFrame:
    """All weights = 0.5 (constant init), trained as the sweep: label, accuracy, median."""
    X, y = _data(seed, data)
    net = sy.init_network("constant", H, act, np.random.default_rng(seed).spawn(3)[1], c=0.5)
    c = sy.train_curve(net, X, y, lr=1.0, checkpoints=[SWEEP_STEPS], rng=np.random.default_rng(seed).spawn(3)[2])
    return pd.DataFrame({"label": ["constant init (c = 0.5)"], "accuracy": c.accuracy[-1:], "median": c.median[-1:]})


@st.cache_data(show_spinner=False, max_entries=64)
def length_sweep(seed: int, data: str, act: str, H: int) -> pd.DataFrame:
    """Accuracy and median |cos| at LENGTH_CHECKPOINTS for LENGTH_SIGMAS: x (step), group, run, accuracy,
    median, directions."""
    X, y = _data(seed, data)
    frames = []
    for sigma in LENGTH_SIGMAS:
        for k in range(SWEEP_RUNS):
            init_rng, train_rng = run_rngs(seed, k)
            net = sy.init_network("normal", H, act, init_rng, sigma=sigma)
            c = sy.train_curve(net, X, y, lr=1.0, checkpoints=LENGTH_CHECKPOINTS, rng=train_rng)
            frames.append(pd.DataFrame({"x": c.steps, "group": f"σ = {sigma:g}", "run": k + 1,
                                        "accuracy": c.accuracy, "median": c.median, "directions": c.directions}))
    return pd.concat(frames, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=64)
def penalty_sweep(seed: int, data: str, act: str, H: int, sigma: float) -> pd.DataFrame:
    """Small random init (sigma), GD for SWEEP_STEPS with the push-apart penalty at every lambda: x (lambda),
    group, run, accuracy, median, directions."""
    X, y = _data(seed, data)
    rows = []
    for k in range(SWEEP_RUNS):
        for lam in LAMBDAS:
            init_rng, train_rng = run_rngs(seed, k)
            net = sy.init_network("normal", H, act, init_rng, sigma=sigma)
            c = sy.train_curve(net, X, y, lr=1.0, checkpoints=[SWEEP_STEPS], rng=train_rng, lam=lam, tau=TAU)
            rows.append({"x": lam, "group": f"random N(0, σ²), σ = {sigma:g}", "run": k + 1,
                         "accuracy": c.accuracy[-1], "median": c.median[-1], "directions": c.directions[-1]})
    return pd.DataFrame(rows)


def sweep_summary(df: pd.DataFrame, x: float) -> dict:
    """Mean accuracy, median |cos| and directions over the runs at one x."""
    at = df[np.isclose(df.x, x)]
    return {"accuracy": float(at.accuracy.mean()), "median": float(at["median"].mean()),
            "directions": float(at.directions.mean())}


@st.cache_data(show_spinner=False, max_entries=64)
def length_summary(seed: int, data: str, act: str, H: int) -> dict:
    """Per sigma of the training-length view, at its last checkpoint: mean accuracy, median |cos|, directions,
    and how many runs reached 99% accuracy."""
    df = length_sweep(seed, data, act, H)
    last = df[df.x == df.x.max()]
    return {g: {"accuracy": float(d.accuracy.mean()), "median": float(d["median"].mean()),
                "directions": float(d.directions.mean()), "solved": int((d.accuracy >= 0.99).sum())}
            for g, d in last.groupby("group", sort=False)}


@st.cache_data(show_spinner=False, max_entries=64)
def length_table(seed: int, data: str, act: str, H: int) -> pd.DataFrame:
    """:func:`length_summary` as the page's table."""
    rows = length_summary(seed, data, act, H)
    return pd.DataFrame({f"after {LENGTH_CHECKPOINTS[-1]:,} steps": list(rows),
                         "mean accuracy": [f"{r['accuracy']:.1%}" for r in rows.values()],
                         "runs at ≥ 99%": [f"{r['solved']} of {SWEEP_RUNS}" for r in rows.values()],
                         "median |cos|": [f"{r['median']:.4f}" for r in rows.values()],
                         "distinct directions": [f"{r['directions']:.1f}" for r in rows.values()]})


@st.cache_data(show_spinner=False, max_entries=64)
def condensed_up_to(seed: int, data: str, act: str, H: int, level: float = 0.999) -> float | None:
    """The largest sigma of the sigma sweep up to which every sigma's mean median |cos| is above ``level`` (None
    if the smallest is not)."""
    mean = sigma_sweep(seed, data, act, H).groupby("x")["median"].mean().sort_index()
    above = (mean > level).to_numpy()
    if not above[0]:
        return None
    k = len(above) if above.all() else int(np.argmin(above))
    return float(mean.index[k - 1])


@st.cache_data(show_spinner=False, max_entries=64)
def sweep_view(seed: int, data: str, act: str, H: int, which: str) -> dict:
    if which == "length":
        df = length_sweep(seed, data, act, H)
        groups = tuple(f"σ = {s:g}" for s in LENGTH_SIGMAS)
        return fill(charts.sweep_spec("training step", "linear", groups), charts.sweep_frames(df))
    df = sigma_sweep(seed, data, act, H)
    return fill(charts.sweep_spec("initial weight std σ", "log", ("random N(0, σ²)",)),
                charts.sweep_frames(df, constant_reference(seed, data, act, H)))


@st.cache_data(show_spinner=False, max_entries=64)
def penalty_view(seed: int, data: str, act: str, H: int, sigma: float) -> dict:
    df = penalty_sweep(seed, data, act, H, sigma)
    return fill(charts.sweep_spec("penalty strength λ", "symlog", (f"random N(0, σ²), σ = {sigma:g}",), LAMBDAS),
                charts.sweep_frames(df))


@st.cache_data(show_spinner=False, max_entries=64)
def copies(seed: int, data: str, act: str, H: int) -> pd.DataFrame:
    """Exact copies (identical rows), GD for SWEEP_STEPS: plain, with the penalty (COPIES_LAM), with dropout
    (COPIES_DROP). Columns: case, spread, points (distinct by distance), median, directions, accuracy."""
    rows = []
    for case, lam, drop in (("copies, plain GD", 0.0, 0.0), (f"copies + penalty λ = {COPIES_LAM:g}", COPIES_LAM, 0.0),
                            (f"copies + dropout {COPIES_DROP:g}", 0.0, COPIES_DROP)):
        r = experiment(Settings(seed, data, act, H, "identical_rows", steps=SWEEP_STEPS, drop=drop, lam=lam))
        rows.append({"case": case, "spread": float(r.run.spread[-1]), "points": int(r.run.distinct[-1]),
                     "median": float(r.median[-1]), "directions": float(r.directions[-1]), "accuracy": r.accuracy})
    return pd.DataFrame(rows)


DROP_SEEDS = 6


@st.cache_data(show_spinner=False, max_entries=64)
def dropout_directions(data: str, act: str, H: int) -> list[float]:
    """Distinct directions of exact copies trained with dropout COPIES_DROP, for seeds 0 .. DROP_SEEDS - 1."""
    return [float(experiment(Settings(seed, data, act, H, "identical_rows", steps=SWEEP_STEPS, drop=COPIES_DROP))
                  .directions[-1]) for seed in range(DROP_SEEDS)]


@st.cache_data(show_spinner=False, max_entries=16)
def frozen_table(seed: int, act: str) -> pd.DataFrame:
    """All zeros, and zero W with random biases: max |dL/dp| at the start and max |change| after FROZEN_STEPS."""
    rows = []
    for init in ("zeros", "zero_w_random_b"):
        data_rng, init_rng, train_rng = np.random.default_rng(seed).spawn(3)
        X, y = sy.make_data("moons", N_POINTS, data_rng)
        net = sy.init_network(init, FROZEN_H, act, init_rng)
        run = sy.train_units(net, X, y, lr=1.0, steps=FROZEN_STEPS, rng=train_rng, record_every=FROZEN_STEPS)
        grads, change = sy.first_gradients(net, X, y), sy.parameter_change(net, run.net)
        for name in sy.PARAMETER_NAMES:
            rows.append({"init": sy.INIT_LABELS[init], "parameter": name,
                         "grad": float(np.max(np.abs(grads[name]))), "change": change[name]})
    return pd.DataFrame(rows)


@st.cache_data(show_spinner=False, max_entries=64)
def c_norm(seed: int, data: str) -> float:
    """‖c‖, c = X^T y / n: the vector every tiny unit's weights step along (core.symmetry.growth_factor)."""
    X, y = _data(seed, data)
    return float(np.linalg.norm(X.T @ y / len(X)))


@dataclass(frozen=True, eq=False)
class Lab:
    """The eps-lab (core.symmetry.EpsilonLab) and the median |cos| between the units at each break-out step
    (NaN where the spread never reached delta)."""

    lab: sy.EpsilonLab
    median: np.ndarray


@st.cache_data(show_spinner=False, max_entries=64)
def eps_lab(seed: int, data: str, act: str, lr: float) -> Lab:
    X, y = _data(seed, data)
    lab_rng = np.random.default_rng(seed).spawn(3)[1]
    lab = sy.epsilon_lab(X, y, eps_values=EPS_SWEEP, H=LAB_H, activation=act, lr=lr, rng=lab_rng, delta=DELTA,
                         max_steps=MAX_STEPS)
    median = np.full(len(EPS_SWEEP), np.nan)
    for i, (eps, t) in enumerate(zip(lab.eps, lab.steps, strict=True)):
        if np.isfinite(t):   # the same run again, to its break-out step
            init_rng, train_rng = np.random.default_rng(seed).spawn(3)[1].spawn(2)
            net = sy.init_network("normal", LAB_H, act, init_rng, sigma=float(eps))
            run = sy.train_units(net, X, y, lr=lr, steps=int(t), rng=train_rng, record_every=max(1, int(t)))
            median[i] = sy.median_similarity(run.net.weights[0])
    return Lab(lab, median)


@st.cache_data(show_spinner=False, max_entries=64)
def lab_view(seed: int, data: str, act: str, lr: float) -> dict | None:
    lab = eps_lab(seed, data, act, lr).lab
    ok = np.isfinite(lab.steps)
    if ok.sum() < 2:
        return None
    pts = pd.DataFrame({"eps": lab.eps[ok], "steps": lab.steps[ok], "median": eps_lab(seed, data, act, lr).median[ok]})
    xs = np.array([lab.eps.max(), lab.eps.min()])
    lines = [pd.DataFrame({"eps": xs, "steps": lab.intercept + lab.slope * np.log10(1 / xs), "kind": "fitted line"})]
    if np.isfinite(lab.slope_predicted):   # anchored at the fitted line's value for the largest eps
        x0 = np.log10(1 / xs[0])
        y0 = lab.intercept + lab.slope * x0
        lines.append(pd.DataFrame({"eps": xs, "steps": y0 + lab.slope_predicted * (np.log10(1 / xs) - x0),
                                   "kind": "predicted slope"}))
    return fill(charts.eps_spec(), charts.eps_frames(pts, pd.concat(lines, ignore_index=True)))


CONDENSE_OPTIONS = ("Spread over many directions", "Bunched into one to three directions")


@dataclass(frozen=True)
class WhatIf:
    """The run the first question asks about: the current setting with random N(0, sigma^2) weights (sigma the
    current one, or 0.01 when another initialization is chosen): its median |cos|, distinct directions, accuracy,
    and the option of CONDENSE_OPTIONS it makes right (under 3.5 distinct directions: the second)."""

    sigma: float
    median: float
    directions: float
    accuracy: float
    answer: str


@st.cache_data(show_spinner=False, max_entries=64)
def what_if(s: Settings) -> WhatIf:
    t = s if s.init == "normal" else replace(s, init="normal", sigma=0.01)
    r = experiment(t)
    d = float(r.directions[-1])
    return WhatIf(t.sigma, float(r.median[-1]), d, r.accuracy, CONDENSE_OPTIONS[int(d < 3.5)])


# float64 (IEEE 754 double): the gap from 1 to the next number, and the smallest normal number
EPS64, TINY64 = float(np.finfo(np.float64).eps), float(np.finfo(np.float64).tiny)
BLAS_H = 5


@st.cache_data(show_spinner=False, max_entries=8)
def blas_check(seed: int) -> dict:
    """Constant init (c = 0.5), tanh, moons, H = BLAS_H, trained with the engine's BLAS backward pass
    (``train_units(blas=True)``: nn.backward's plain matrix products) for SWEEP_STEPS and 2,000 steps: the spread
    between the units and the smallest |cos| between them (1 means every pair points exactly the same way)."""
    out = {}
    for steps in (SWEEP_STEPS, 2000):
        data_rng, init_rng, train_rng = np.random.default_rng(seed).spawn(3)
        X, y = sy.make_data("moons", N_POINTS, data_rng)
        net = sy.init_network("constant", BLAS_H, "tanh", init_rng, c=0.5)
        run = sy.train_units(net, X, y, lr=1.0, steps=steps, rng=train_rng, blas=True, record_every=steps)
        out[steps] = (float(run.spread[-1]), float(sy.direction_similarity(run.net.weights[0]).min()))
    return out


def push(H: int, lam: float = 0.1, eta: float = 1.0) -> float:
    """The factor 1 + 2 eta lambda H / tau by which the penalty's part of a GD step multiplies w_i - mean(w) while
    the units are much closer than sqrt(tau) (see core.symmetry.repulsion)."""
    return 1.0 + 2.0 * eta * lam * H / TAU


def cos_text(b: dict) -> str:
    """The smallest |cos| of :func:`blas_check`'s longer run, as the page writes it."""
    low = b[2000][1]
    return "exactly 1 in float64" if low == 1.0 else f"{low:.16f}"


@st.cache_data(show_spinner=False, max_entries=64)
def copies_table(seed: int, data: str, act: str, H: int) -> pd.DataFrame:
    """:func:`copies` as the page's table (text cells)."""
    df = copies(seed, data, act, H)
    return pd.DataFrame({
        "H exact copies": df.case, "spread": [_exact(v) for v in df.spread], "distinct points": df.points.astype(str),
        "distinct directions": [f"{v:.2f}" for v in df.directions]})


@st.cache_data(show_spinner=False, max_entries=64)
def frozen_display(seed: int, act: str) -> pd.DataFrame:
    """:func:`frozen_table` as the page's table (text cells; an exact 0 is written as such)."""
    t = frozen_table(seed, act)
    return pd.DataFrame({"start": t.init, "parameter": t.parameter, "max |∂L/∂p| at start": [_exact(v) for v in t.grad],
                         f"max |change| after {FROZEN_STEPS} steps": [_exact(v) for v in t.change]})


def _exact(v: float) -> str:
    return "exactly 0" if v == 0.0 else f"{v:.2g}"


@st.cache_data(show_spinner=False, max_entries=64)
def experiment_readout(n: dict) -> list[dict[str, str]]:
    """The experiment's numbers (:class:`View`) as the page's one-row tables (two, so a phone's width holds them)."""
    return [{"accuracy": f"{n['accuracy']:.1%}", "same, from σ = 1": f"{n['accuracy_ref']:.1%}"},
            {"median |cos|, start → end": f"{n['median0']:.3f} → {n['median']:.4f}",
             "distinct directions": f"{n['dirs0']:.1f} → {n['dirs']:.1f}",
             "distinct points": f"{n['distinct0']} → {n['distinct']}"}]


@st.cache_data(show_spinner=False, max_entries=64)
def sigma_readout(seed: int, data: str, act: str, H: int) -> list[dict[str, str]]:
    """The sigma sweep's means at sigma = 0.01 and 1, and constant init, as one-row tables."""
    df = sigma_sweep(seed, data, act, H)
    rows = [{f"σ = {x:g}: accuracy": f"{r['accuracy']:.1%}", "median |cos|": f"{r['median']:.4f}",
             "directions": f"{r['directions']:.1f}"} for x, r in ((x, sweep_summary(df, x)) for x in (0.01, 1.0))]
    ref = constant_reference(seed, data, act, H).iloc[0]
    return [*rows, {"constant init: accuracy": f"{ref.accuracy:.1%}", "median |cos|": f"{ref['median']:.4f}"}]


@st.cache_data(show_spinner=False, max_entries=64)
def lab_readout(seed: int, data: str, act: str, lr: float) -> dict[str, str]:
    """The eps-lab's fitted and predicted slopes, R² and the median |cos| at the smallest eps's break-out."""
    res = eps_lab(seed, data, act, lr)
    lab = res.lab

    def show(x: float, fmt: str) -> str:
        return "n/a" if not np.isfinite(x) else format(x, fmt)

    return {"slope, measured": show(lab.slope, ".2f"), "predicted": show(lab.slope_predicted, ".2f"),
            "R²": show(lab.r2, ".4f"),
            f"median |cos| at break-out, ε = {EPS_SWEEP[-1]:.0e}": show(res.median[-1], ".10f")}


@st.cache_data(show_spinner=False, max_entries=64)
def penalty_readout(seed: int, data: str, act: str, H: int, sigma: float) -> list[dict[str, str]]:
    """Mean accuracy and median |cos| at lambda = 0 and 0.1."""
    df = penalty_sweep(seed, data, act, H, sigma)
    return [{f"λ = {lam:g}: accuracy": f"{r['accuracy']:.1%}", "median |cos|": f"{r['median']:.4f}"}
            for lam, r in ((lam, sweep_summary(df, lam)) for lam in (0.0, 0.1))]


@st.cache_data(show_spinner=False, max_entries=64)
def answer_numbers() -> dict[str, float]:
    """The short answer's numbers, at the default settings: the experiment's end and the penalty at lambda = 0.1."""
    s = Settings()
    n = experiment_view(s).numbers
    pen = sweep_summary(penalty_sweep(s.seed, s.data, s.act, s.H, PENALTY_SIGMA), 0.1)
    return {"dirs": n["dirs"], "median": n["median"], "accuracy": n["accuracy"], "penalty": pen["accuracy"]}


# ------------------------------------------------------------------ Reproduce this
_HEAD = """\
import numpy as np
from core import symmetry as sy
"""


@st.cache_data(show_spinner=False, max_entries=64)
def reproduction(s: Settings) -> Reproduction:
    s = s.effective()
    code = _HEAD + f"""
data_rng, init_rng, train_rng = np.random.default_rng({s.seed}).spawn(3)
X, y = sy.make_data({s.data!r}, {N_POINTS}, data_rng)
net = sy.init_network({s.init!r}, {s.H}, {s.act!r}, init_rng, sigma={s.sigma!r}, c={s.c!r})
run = sy.train_units(net, X, y, lr={s.lr!r}, steps={s.steps}, rng=train_rng, batch_size={s.batch!r},
                     dropout={s.drop!r}, lam={s.lam!r}, tau={TAU!r}, record_every={max(1, s.steps // 100)})
W = run.net.weights[0]                       # (2, H): column j is unit j's incoming weights
print("accuracy:", sy.accuracy(run.net, X, y), "directions:", sy.effective_directions(W))
headline = sy.median_similarity(W)
print("headline =", repr(headline))          # the median |cos| between units after training
"""
    plot = """\
import altair as alt
import pandas as pd

U = W / np.linalg.norm(W, axis=0)
seg = pd.DataFrame({"unit": np.arange(W.shape[1]), "x": -U[0], "y": -U[1], "x2": U[0], "y2": U[1]})
alt.Chart(seg).mark_rule().encode(x=alt.X("x:Q", scale=alt.Scale(domain=[-1, 1])), y=alt.Y("y:Q", scale=alt.Scale(
    domain=[-1, 1])), x2="x2", y2="y2", color="unit:N").properties(width=300, height=300, title="units' directions")
"""
    return Reproduction("Symmetry breaking: the units' directions after training", code, plot,
                        float(experiment(s).median[-1]), "the median |cos| between the units' incoming weights")


def _runs_head(seed: int, data: str) -> str:
    """The notebook's imports, data and the k-th run's streams, shared by the sweeps' notebooks."""
    return _HEAD + f"""
data_rng = np.random.default_rng({seed}).spawn(3)[0]
X, y = sy.make_data({data!r}, {N_POINTS}, data_rng)

def run_rngs(k):   # run k's weights and mini-batches, afresh: every value starts from the same draw
    _, init_rng, train_rng = np.random.default_rng({seed}).spawn(3)
    return init_rng.spawn({SWEEP_RUNS})[k], train_rng.spawn({SWEEP_RUNS})[k]
"""


@st.cache_data(show_spinner=False, max_entries=64)
def sweep_reproduction(seed: int, data: str, act: str, H: int) -> Reproduction:
    code = _runs_head(seed, data) + f"""

rows = []
for k in range({SWEEP_RUNS}):
    for sigma in {list(SWEEP_SIGMAS)!r}:
        init_k, train_k = run_rngs(k)
        net = sy.init_network("normal", {H}, {act!r}, init_k, sigma=sigma)
        c = sy.train_curve(net, X, y, lr=1.0, checkpoints=[{SWEEP_STEPS}], rng=train_k)
        rows.append((sigma, k + 1, c.accuracy[-1], c.median[-1]))
rows = np.array(rows)
headline = float(rows[np.isclose(rows[:, 0], 0.01), 3].mean())
print("headline =", repr(headline))   # mean over runs of the median |cos| at sigma = 0.01
"""
    plot = """\
import altair as alt
import pandas as pd

df = pd.DataFrame(rows, columns=["sigma", "run", "accuracy", "median"])
alt.Chart(df).mark_point().encode(x=alt.X("sigma:Q", scale=alt.Scale(type="log")), y="median:Q", color="run:N")
"""
    head = sweep_summary(sigma_sweep(seed, data, act, H), 0.01)["median"]
    return Reproduction("Symmetry breaking: accuracy and direction similarity against σ", code, plot, head,
                        "the median |cos| at σ = 0.01, averaged over the runs")


@st.cache_data(show_spinner=False, max_entries=64)
def penalty_reproduction(seed: int, data: str, act: str, H: int, sigma: float) -> Reproduction:
    code = _runs_head(seed, data) + f"""

rows = []
for k in range({SWEEP_RUNS}):
    for lam in {list(LAMBDAS)!r}:
        init_k, train_k = run_rngs(k)
        net = sy.init_network("normal", {H}, {act!r}, init_k, sigma={sigma!r})
        c = sy.train_curve(net, X, y, lr=1.0, checkpoints=[{SWEEP_STEPS}], rng=train_k, lam=lam, tau={TAU})
        rows.append((lam, k + 1, c.accuracy[-1], c.median[-1]))
rows = np.array(rows)
headline = float(rows[rows[:, 0] == 0.1, 2].mean())
print("headline =", repr(headline))   # mean accuracy over the runs with lambda = 0.1
"""
    plot = """\
import pandas as pd

pd.DataFrame(rows, columns=["lambda", "run", "accuracy", "median |cos|"]).groupby("lambda").mean()
"""
    head = sweep_summary(penalty_sweep(seed, data, act, H, sigma), 0.1)["accuracy"]
    return Reproduction("Symmetry breaking: the push-apart penalty on small random init", code, plot, head,
                        "the mean training accuracy with λ = 0.1")


@st.cache_data(show_spinner=False, max_entries=64)
def frozen_reproduction(seed: int, act: str) -> Reproduction:
    code = _HEAD + f"""
data_rng, init_rng, train_rng = np.random.default_rng({seed}).spawn(3)
X, y = sy.make_data("moons", {N_POINTS}, data_rng)
net = sy.init_network("zeros", {FROZEN_H}, {act!r}, init_rng)
grads = sy.first_gradients(net, X, y)
run = sy.train_units(net, X, y, lr=1.0, steps={FROZEN_STEPS}, rng=train_rng, record_every={FROZEN_STEPS})
change = sy.parameter_change(net, run.net)
print({{k: float(np.max(np.abs(g))) for k, g in grads.items()}})
headline = change["W1"]
print("headline =", repr(headline))   # how far W1 moved in {FROZEN_STEPS} steps from all zeros
"""
    plot = "import pandas as pd\n\npd.DataFrame({'max |change|': change})\n"
    t = frozen_table(seed, act)
    head = float(t[(t.init == sy.INIT_LABELS["zeros"]) & (t.parameter == "W1")].change.iloc[0])
    return Reproduction("Symmetry breaking: the all-zero start", code, plot, head,
                        f"the largest change of W1 in {FROZEN_STEPS} steps from all zeros")


@st.cache_data(show_spinner=False, max_entries=64)
def lab_reproduction(seed: int, data: str, act: str, lr: float) -> Reproduction:
    code = _HEAD + f"""
X, y = sy.make_data({data!r}, {N_POINTS}, np.random.default_rng({seed}).spawn(3)[0])
lab = sy.epsilon_lab(X, y, eps_values=10.0 ** -np.arange(2, 13), H={LAB_H}, activation={act!r}, lr={lr!r},
                     rng=np.random.default_rng({seed}).spawn(3)[1], delta={DELTA}, max_steps={MAX_STEPS})
print("steps:", lab.steps, "predicted slope:", lab.slope_predicted)
headline = lab.slope
print("headline =", repr(headline))   # extra steps per factor 10 smaller eps, fitted
"""
    plot = """\
import altair as alt
import pandas as pd

alt.Chart(pd.DataFrame({"eps": lab.eps, "steps": lab.steps})).mark_point().encode(
    x=alt.X("eps:Q", scale=alt.Scale(type="log", reverse=True)), y="steps:Q")
"""
    return Reproduction("Symmetry breaking: the ε-lab", code, plot, float(eps_lab(seed, data, act, lr).lab.slope),
                        "the fitted steps per factor 10 smaller ε")


# ------------------------------------------------------------------ warm-up, notebooks
def warm() -> None:
    """Every part's default view (ui/warmup.py); the sweeps are the heavy ones."""
    s = Settings()
    experiment_view(s)
    what_if(s)
    for which in ("sigma", "length"):
        sweep_view(s.seed, s.data, s.act, s.H, which)
    penalty_view(s.seed, s.data, s.act, s.H, PENALTY_SIGMA)
    copies(s.seed, s.data, s.act, s.H)
    dropout_directions(s.data, s.act, s.H)
    frozen_table(s.seed, s.act)
    blas_check(s.seed)
    lab_view(s.seed, s.data, s.act, s.lr)
    experiment_readout(experiment_view(s).numbers)
    sigma_readout(s.seed, s.data, s.act, s.H)
    condensed_up_to(s.seed, s.data, s.act, s.H)
    length_table(s.seed, s.data, s.act, s.H)
    penalty_readout(s.seed, s.data, s.act, s.H, PENALTY_SIGMA)
    copies_table(s.seed, s.data, s.act, s.H)
    frozen_display(s.seed, s.act)
    lab_readout(s.seed, s.data, s.act, s.lr)
    answer_numbers()
    notebooks()


def notebooks() -> dict[str, Reproduction]:
    s = Settings()
    return {"Experiment": reproduction(s), "Sweeps": sweep_reproduction(s.seed, s.data, s.act, s.H),
            "Penalty": penalty_reproduction(s.seed, s.data, s.act, s.H, PENALTY_SIGMA),
            "All-zero case": frozen_reproduction(s.seed, s.act), "ε-lab": lab_reproduction(s.seed, s.data, s.act, s.lr)}
