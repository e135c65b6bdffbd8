"""Page 5 · BatchNorm: everything the page computes, from its settings, cached.

One seed gives the page's random streams, split one way everywhere (the page and "Reproduce this" alike):
``train_rng, unit_rng, spread_rng, tiny_rng, running_rng, invariance_rng, lr_rng, other_rng =
np.random.default_rng(seed).spawn(8)``: training runs of parts 2, 3 and 7 (each run starts from a fresh copy of
child 0), the unit's mini-batch, batch statistics, tiny batches, running statistics, the scale-invariance layer,
the learning-rate sweep (and the gradient-change runs: child j of ``lr_rng.spawn(3)`` is seed j of the sweep),
and the unit's other mini-batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from charts import batchnorm as C
from charts.common import spec
from core import bn_experiments as E
from core import datasets
from ui.notebook import Reproduction

MU, SIGMA = 3.0, 2.0          # the population one unit's pre-activations come from (parts 1, 6, 7)
LRS = (0.5, 2.0, 8.0)          # part 2's learning rates (the sigmoid network)
INIT_SCALES = (0.1, 1.0, 10.0)
PROBE_EVERY, BATCH_SIZE = 25, 32
NOISE_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
RUNNING_STEPS = 600
# The learning-rate experiment: a deeper ReLU network (without BN its loss can blow up; a sigmoid bounds it)
LR_GRID = tuple(0.125 * 2**k for k in range(6))  # 1/8 ... 4, doubling
LR_SEEDS, LR_STEPS = 3, 100
LR_NET = {"width": 32, "depth": 6, "batch_size": BATCH_SIZE, "activation": "relu"}
SMOOTH_LR = 0.125              # part "Why it helps": a rate both networks train at


def streams(seed: int) -> list[np.random.Generator]:
    return np.random.default_rng(seed).spawn(8)


@dataclass(frozen=True)
class Network:
    """The sigmoid network of parts 2, 3 and 5 (Ioffe & Szegedy's Figure 1 setup, scaled down)."""

    seed: int = 0
    width: int = 32
    steps: int = 200


# ------------------------------------------------------------------ part 1: the transform
@dataclass(frozen=True)
class TransformView:
    """The transform of one batch: mu, std (= sqrt(var_B + eps)), gap = max |y - x|; the undo pair (gamma,
    beta) = (std, mu); other_gap: max |y - x| on another batch with this batch's undo pair; the chart's spec."""

    mu: float
    std: float
    gap: float
    other_gap: float
    spec: dict


def batch(seed: int, m: int, other: bool = False) -> np.ndarray:
    return datasets.unit_batch(m, streams(seed)[7 if other else 1], mu=MU, sigma=SIGMA)


@st.cache_data(show_spinner=False, max_entries=64)
def transform_view(seed: int, m: int, gamma: float, beta: float, phone: bool = False) -> TransformView:
    x = batch(seed, m)
    steps, gap = E.transform(x, gamma, beta)
    width = C.HISTOGRAM_WIDTH_PHONE if phone else C.HISTOGRAM_WIDTH
    chart = C.transform_histograms(C.transform_frame(steps, x), identity=gap < 1e-9, width=width)
    return TransformView(float(steps.mu), float(steps.std), gap, undo_gaps(seed, m)[1], spec(chart))


@st.cache_data(show_spinner=False, max_entries=64)
def undo_gaps(seed: int, m: int) -> tuple[float, float]:
    """max |y - x| with gamma, beta set to undo this batch: on it, and on another batch of the same unit."""
    return E.undo_gaps(batch(seed, m), batch(seed, m, other=True))


# ------------------------------------------------------------------ parts 2, 3, 5: training the sigmoid network
@st.cache_data(show_spinner=False, max_entries=64)
def train(net: Network, batchnorm: bool, lr: float, init_scale: float = 1.0, bn_momentum: float = 0.1) -> E.Run:
    """One run; st.cache_data computes a key once, even when two sessions ask for it at the same time."""
    return E.train_run(streams(net.seed)[0], batchnorm=batchnorm, lr=lr, steps=net.steps, width=net.width,
                       batch_size=BATCH_SIZE, init_scale=init_scale, bn_momentum=bn_momentum,
                       probe_every=PROBE_EVERY)


@dataclass(frozen=True)
class Panels:
    """Side-by-side training curves: titles, one spec per panel, the runs that diverged ((name, step)) and
    those still near chance (in words), the tidy frame, and the final losses by (facet value, batchnorm)."""

    titles: tuple[str, ...]
    specs: tuple[dict, ...]
    diverged: tuple[tuple[str, int], ...]
    stuck: tuple[str, ...]
    frame: pd.DataFrame
    finals: dict


def _panels(runs: dict, facet: str, label, metric: str, what) -> Panels:
    df = C.runs_frame({(label(v), b): r for (v, b), r in runs.items()}, facet=facet)
    domain = C.y_domain(df[metric], log=metric == "loss")
    titles = tuple(dict.fromkeys(df[facet]))
    specs = tuple(spec(C.curves(df[df[facet] == t], metric=metric, domain=domain)) for t in titles)
    broke = tuple((what(k), r.diverged_step) for k, r in runs.items() if r.diverged_step is not None)
    stuck = tuple(f"{what(k)} (ends at {E.final_loss(r):.2f})" for k, r in runs.items() if E.is_stuck(r))
    return Panels(titles, specs, broke, stuck, df, {k: E.final_loss(r) for k, r in runs.items()})


@st.cache_data(show_spinner=False, max_entries=64)
def off_on(net: Network, metric: str = "loss") -> Panels:
    runs = {(lr, b): train(net, b, lr) for lr in LRS for b in (False, True)}
    return _panels(runs, "learning rate", lambda lr: f"η = {lr:g}", metric,
                   lambda k: f"BN {'on' if k[1] else 'off'} at η = {k[0]:g}")


@st.cache_data(show_spinner=False, max_entries=64)
def percentiles(net: Network, lr: float) -> dict:
    return spec(C.percentile_bands(C.percentile_frame({b: train(net, b, lr) for b in (False, True)})))


@st.cache_data(show_spinner=False, max_entries=64)
def bad_init(net: Network, lr: float) -> Panels:
    runs = {(a, b): train(net, b, lr, init_scale=a) for a in INIT_SCALES for b in (False, True)}
    return _panels(runs, "initial scale", lambda a: f"σ_w × {a:g}", "loss",
                   lambda k: f"BN {'on' if k[1] else 'off'} with σ_w × {k[0]:g}")


@st.cache_data(show_spinner=False, max_entries=64)
def invariance(seed: int) -> pd.DataFrame:
    inv = E.scale_invariance(INIT_SCALES, rng=streams(seed)[5])
    return pd.DataFrame({"a": inv.scales, "|Δ|, ε = 0": inv.out_diff_eps0, "|Δ|, ε = 10⁻⁵": inv.out_diff,
                         "grad ratio": inv.grad_ratio, "1/a": inv.grad_ratio_theory})


# ------------------------------------------------------------------ parts 6, 7: batch noise, eval mode
@st.cache_data(show_spinner=False, max_entries=64)
def noise(seed: int) -> tuple[E.BatchStatSpread, dict, pd.DataFrame, pd.DataFrame]:
    """The spread of mu_B and sigma_B (and its chart), and x_hat of four batches of 1 and of 2."""
    s = streams(seed)
    spread = E.batch_stat_spread(NOISE_SIZES, n_batches=2000, rng=s[2], mu=MU, sigma=SIGMA)
    tiny = s[3]
    one = pd.DataFrame(E.tiny_batch_x_hat(1, 4, tiny), columns=["x̂ (m = 1)"])
    two = pd.DataFrame(E.tiny_batch_x_hat(2, 4, tiny), columns=["x̂ sample 1", "x̂ sample 2"])
    return spread, spec(C.spread_chart(C.spread_frame(spread))), one, two


@st.cache_data(show_spinner=False, max_entries=64)
def running(seed: int, convention: str, m: int) -> tuple[E.RunningStats, dict]:
    stats = E.running_stats(convention, batch_size=m, steps=RUNNING_STEPS, rng=streams(seed)[4], mu=MU, sigma=SIGMA)
    return stats, spec(C.running_chart(C.running_frame(stats), true_var=stats.true_var, target_var=stats.target_var))


@st.cache_data(show_spinner=False, max_entries=64)
def eval_gap(net: Network, lr: float, keras: bool) -> tuple[dict, tuple[dict, ...], tuple[str, ...]]:
    """Held-out loss in train vs eval mode, BN on: {label: Run}, one spec per label, and the gaps in words."""
    momenta = {"momentum 0.1 (PyTorch default)": 0.1} | ({"momentum 0.01 (Keras default 0.99)": 0.01} if keras
                                                           else {})
    runs = {label: train(net, True, lr, bn_momentum=w) for label, w in momenta.items()}
    gaps = C.gap_frame(runs)
    domain = C.y_domain(gaps["test loss"], log=True)
    specs = tuple(spec(C.gap_chart(gaps[gaps["convention"] == label], domain=domain)) for label in runs)
    lines = tuple(f"{label}: |train − eval| = {E.eval_gap(r)[1]:.3f} at step {r.probe_steps[1]}, "
                  f"{E.eval_gap(r)[-1]:.3f} at step {r.probe_steps[-1]}" for label, r in runs.items()
                  if len(E.eval_gap(r)) > 1)
    return runs, specs, lines


# ------------------------------------------------------------------ parts 4, 5: learning rate, why it helps
@st.cache_data(show_spinner=False, max_entries=64)
def sweep(seed: int, batchnorm: bool) -> E.LRSweep:
    """The same ReLU network at every rate of LR_GRID from LR_SEEDS seeds (the heavy part: warmed up)."""
    return E.lr_sweep(LR_GRID, streams(seed)[6], n_seeds=LR_SEEDS, batchnorm=batchnorm, steps=LR_STEPS, **LR_NET)


@dataclass(frozen=True)
class SweepView:
    """Both sweeps, their largest stable rates (every seed trains), each seed's, the chart and the rate where
    only BN trains (every seed; NaN if none)."""

    off: E.LRSweep
    on: E.LRSweep
    limit_off: float
    limit_on: float
    spec: dict
    only_bn: float

    @property
    def curve_rate(self) -> float:
        """The curves' default rate: the first where only BN trains (else the grid's largest)."""
        return self.only_bn if np.isfinite(self.only_bn) else LR_GRID[-1]


@st.cache_data(show_spinner=False, max_entries=64)
def sweep_view(seed: int) -> SweepView:
    off, on = sweep(seed, False), sweep(seed, True)
    only = [lr for lr, a, b in zip(LR_GRID, off.trains.any(axis=1), on.trains.all(axis=1), strict=True) if b and not a]
    return SweepView(off, on, off.largest_stable_lr(), on.largest_stable_lr(),
                     spec(C.sweep_chart(C.sweep_frame({False: off, True: on}), E.CHANCE_LOSS)),
                     only[0] if only else float("nan"))


@st.cache_data(show_spinner=False, max_entries=64)
def change(seed: int, batchnorm: bool, lr: float) -> E.GradientChange:
    """Seed 0 of the sweep at ``lr``, measuring the gradient's change over every step."""
    return E.gradient_change(streams(seed)[6].spawn(LR_SEEDS)[0], batchnorm=batchnorm, lr=lr, steps=LR_STEPS,
                             **LR_NET)


@st.cache_data(show_spinner=False, max_entries=64)
def change_view(seed: int, lr: float) -> tuple[dict, dict, dict]:
    """The two runs at ``lr`` ({batchnorm: GradientChange}), the loss chart and the gradient-change chart."""
    runs = {b: change(seed, b, lr) for b in (False, True)}
    df = C.change_frame(runs)
    return runs, spec(C.change_chart(df, "loss")), spec(C.change_chart(df, "gradient change", limit=2 / lr))


def self_tuning_text(seed: int) -> str:
    """What the gradient change of the BN network did at the rate where only it trains, in words."""
    v = sweep_view(seed)
    if not np.isfinite(v.only_bn):
        return "On this seed no rate of the grid separates the two networks."
    r = change(seed, True, v.only_bn)
    med, (n0, n1) = r.median_change(), r.hidden_norm[[0, -1]]
    where = "below" if med < 2 / v.only_bn else "yet not below"
    grew = ", never shrinking" if np.all(np.diff(r.hidden_norm) >= -1e-6 * r.hidden_norm[:-1]) else ""
    return (f"Measured at η = {v.only_bn:g}, where only the BN network trains: its hidden weights' norm grew from "
            f"{n0:.3g} to {n1:.3g} over {LR_STEPS} steps{grew}, so the effective rate fell to "
            f"η·({n0:.3g}/{n1:.3g})² = {v.only_bn * (n0 / n1) ** 2:.2g}; and its gradient changed by a median "
            f"{med:.2f} per unit moved over a step, {where} 2/η = {2 / v.only_bn:g}.")


def overshoot(r: E.GradientChange, lr: float) -> tuple[int, float] | None:
    """The first step whose gradient changed by more than 2/lr per unit moved, and by how many times 2/lr."""
    over = np.flatnonzero(lr * np.nan_to_num(r.change) > 2)
    return (int(over[0]), float(lr * r.change[over[0]] / 2)) if over.size else None


def finals_table(p: Panels) -> pd.DataFrame:
    """Part 2's final losses as a table: one row per learning rate."""
    return pd.DataFrame([{"learning rate η": f"{lr:g}", "final loss, BN off": p.finals[(lr, False)],
                          "final loss, BN on": p.finals[(lr, True)]} for lr in LRS])


def largest_change(r: E.GradientChange) -> float:
    """The largest gradient change over a step in the run (inf for a run that diverged)."""
    return float("inf") if r.diverged_step is not None else float(np.nanmax(r.change))


# ------------------------------------------------------------------ notebooks and warm-up
SEED_LINE = ("train_rng, unit_rng, spread_rng, tiny_rng, running_rng, invariance_rng, lr_rng, other_rng = "
             "np.random.default_rng({seed}).spawn(8)")
HEAD = "import numpy as np\nfrom core import bn_experiments as E\nfrom core import datasets\n\n"


def _rep(title: str, body: str, plot: str, headline: float, label: str, seed: int) -> Reproduction:
    return Reproduction(title, HEAD + SEED_LINE.format(seed=seed) + "\n" + body, plot, float(headline), label)


def transform_rep(seed: int, m: int) -> Reproduction:
    return _rep("BatchNorm: the undo holds for one batch only", f"""\
x_a = datasets.unit_batch({m}, unit_rng, mu={MU}, sigma={SIGMA})    # the batch on the page
x_b = datasets.unit_batch({m}, other_rng, mu={MU}, sigma={SIGMA})   # another batch of the same unit
gap_a, gap_b = E.undo_gaps(x_a, x_b)   # gamma, beta = sigma_B, mu_B of x_a
print("on its own batch:", gap_a)
headline = gap_b
print("headline =", headline)""", """\
import pandas as pd
pd.DataFrame({"batch": ["its own", "another"], "max |y - x|": [gap_a, gap_b]})""",
                undo_gaps(seed, m)[1], "max |y − x| on another batch with this batch's γ, β", seed)


def off_on_rep(net: Network) -> Reproduction:
    return _rep("BatchNorm off vs on: the sigmoid network at three learning rates", f"""\
runs = {{(lr, bn): E.train_run(np.random.default_rng({net.seed}).spawn(8)[0], batchnorm=bn, lr=lr, steps={net.steps},
                              width={net.width}, batch_size={BATCH_SIZE}, probe_every={PROBE_EVERY})
        for lr in {LRS} for bn in (False, True)}}
headline = E.final_loss(runs[(2.0, True)])
print("headline =", headline)""", """\
import altair as alt
import pandas as pd
df = pd.DataFrame([{{"lr": lr, "BN": bn, "step": t, "loss": v}} for (lr, bn), r in runs.items()
                   for t, v in enumerate(E.smooth(r.losses))])
alt.Chart(df.dropna()).mark_line().encode(x="step", y=alt.Y("loss", scale=alt.Scale(type="log")), color="BN:N",
                                         column="lr:N")""".replace("{{", "{").replace("}}", "}"),
                off_on(net, "loss").finals[(2.0, True)], "final loss of BN on at η = 2", net.seed)


def bad_init_rep(net: Network, lr: float) -> Reproduction:
    return _rep("BatchNorm rescues a bad initialization", f"""\
runs = {{(a, bn): E.train_run(np.random.default_rng({net.seed}).spawn(8)[0], batchnorm=bn, lr={lr}, steps={net.steps},
                             width={net.width}, batch_size={BATCH_SIZE}, init_scale=a, probe_every={PROBE_EVERY})
        for a in {INIT_SCALES} for bn in (False, True)}}
headline = E.final_loss(runs[(10.0, True)])
print("headline =", headline)""", """\
import pandas as pd
pd.DataFrame([{"scale": a, "BN": bn, "final loss": E.final_loss(r)} for (a, bn), r in runs.items()])""",
                bad_init(net, lr).finals[(10.0, True)], "final loss of BN on with σ_w × 10", net.seed)


def noise_rep(seed: int) -> Reproduction:
    i = NOISE_SIZES.index(32)
    return _rep("Batch size and the noise in μ_B and σ_B", f"""\
spread = E.batch_stat_spread({NOISE_SIZES}, n_batches=2000, rng=spread_rng, mu={MU}, sigma={SIGMA})
headline = spread.mu_sd[{i}]   # m = 32
print("predicted:", spread.mu_sd_theory[{i}])
print("headline =", headline)""", """\
import pandas as pd
pd.DataFrame({"m": spread.batch_sizes, "sd(mu_B)": spread.mu_sd, "sigma/sqrt(m)": spread.mu_sd_theory})""",
                noise(seed)[0].mu_sd[i], "the measured sd of μ_B at m = 32", seed)


def running_rep(seed: int, convention: str, m: int) -> Reproduction:
    return _rep("Running statistics: what eval mode normalizes with", f"""\
stats = E.running_stats({convention!r}, batch_size={m}, steps={RUNNING_STEPS}, rng=running_rng, mu={MU}, sigma={SIGMA})
print("predicted:", stats.target_var)
headline = stats.settled_var()
print("headline =", headline)""", """\
import altair as alt
import pandas as pd
df = pd.DataFrame({"step": range(len(stats.running_var)), "running var": stats.running_var})
alt.Chart(df).mark_line().encode(x="step", y="running var")""",
                running(seed, convention, m)[0].settled_var(), "the running variance, late", seed)


def sweep_rep(seed: int) -> Reproduction:
    return _rep("The largest stable learning rate, BN off vs on", f"""\
grid = {LR_GRID}
net = {LR_NET!r}
sweeps = {{bn: E.lr_sweep(grid, np.random.default_rng({seed}).spawn(8)[6], n_seeds={LR_SEEDS}, batchnorm=bn,
                         steps={LR_STEPS}, **net) for bn in (False, True)}}
print("BN off:", sweeps[False].largest_stable_lr())
headline = sweeps[True].largest_stable_lr()
print("headline =", headline)""", """\
import pandas as pd
pd.DataFrame({"lr": grid, "BN off: seeds that train": sweeps[False].trains.sum(axis=1),
              "BN on: seeds that train": sweeps[True].trains.sum(axis=1)})""",
                sweep_view(seed).limit_on, "BN on's largest stable learning rate (every seed trains)", seed)


def smooth_rep(seed: int) -> Reproduction:
    return _rep("How much the gradient changes over a step, BN off vs on", f"""\
net = {LR_NET!r}
runs = {{bn: E.gradient_change(np.random.default_rng({seed}).spawn(8)[6].spawn({LR_SEEDS})[0], batchnorm=bn,
                              lr={SMOOTH_LR}, steps={LR_STEPS}, **net) for bn in (False, True)}}
print("BN on, largest:", np.nanmax(runs[True].change))
headline = float(np.nanmax(runs[False].change))
print("headline =", headline)""", """\
import altair as alt
import pandas as pd
df = pd.DataFrame([{"step": t, "BN": bn, "change": c} for bn, r in runs.items() for t, c in enumerate(r.change)])
alt.Chart(df.dropna()).mark_line().encode(x="step", y=alt.Y("change", scale=alt.Scale(type="log")), color="BN:N")""",
                largest_change(change(seed, False, SMOOTH_LR)), "BN off's largest gradient change over a step", seed)


def warm() -> None:
    """Every part's default view (ui/warmup.py): the learning-rate sweep is the heavy one. Each call has exactly
    the arguments the page passes: st.cache_data keys on the arguments as given, defaults left out or not."""
    net = Network()
    transform_view(0, 64, 1.0, 0.0)   # the undo's reference batch
    for phone in (False, True):
        transform_view(0, 64, 1.0, 0.0, phone)
    off_on(net, "loss")
    percentiles(net, 2.0)
    bad_init(net, 2.0)
    invariance(0)
    v = sweep_view(0)
    change_view(0, v.only_bn)
    change_view(0, SMOOTH_LR)
    noise(0)
    running(0, "pytorch", 4)
    eval_gap(net, 2.0, False)


def notebooks() -> dict[str, Reproduction]:
    """Each view's notebook at the default settings (tests/test_notebooks.py runs them)."""
    net = Network()
    return {"Transform": transform_rep(0, 64), "BN off vs on": off_on_rep(net), "Bad init": bad_init_rep(net, 2.0),
            "Learning rate": sweep_rep(0), "Why it helps": smooth_rep(0), "Batch noise": noise_rep(0),
            "Eval mode": running_rep(0, "pytorch", 4)}
