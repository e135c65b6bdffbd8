"""Page 4 · Initialization variance: everything the page computes, from its settings, cached.

One seed per view. A view that needs several random streams splits it one way:
``np.random.default_rng(seed).spawn(k)``; a single network takes ``np.random.default_rng(seed)`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from charts import init_variance as charts
from charts.common import fill, pin_for_log, spec
from core import datasets
from core import init_variance as iv
from core.numerics import histogram
from ui.notebook import Reproduction

SCHEMES = {"LeCun": "lecun", "Xavier": "xavier", "He": "he", "orthogonal": "orthogonal", "normal": "normal"}
ACTS = {"linear": "linear", "tanh": "tanh", "sigmoid": "sigmoid", "ReLU": "relu", "leaky ReLU": "leaky_relu"}
ACT_NAMES = {v: k for k, v in ACTS.items()}
FAN_INS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
STDS = [0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
WIDTHS = [16, 32, 64, 128, 256, 512]
TRIALS, BATCH, SPREAD_SEEDS = 4000, 256, 12
GOLD_GAINS = tuple(float(g) for g in np.geomspace(0.25, 16.0, 25))
GOLD_DEPTH, GOLD_WIDTH = 50, 32
TRAIN_SCHEMES = {"normal": "normal σ_w=0.01", "lecun": "LeCun", "xavier": "Xavier", "he": "He",
                 "orthogonal": "orthogonal"}
TRAIN_STD, TRAIN_WIDTH, TRAIN_STEPS = 0.01, 32, 200
LOSS_CAP = 10.0   # the loss axis stops at 10x the highest starting loss: a diverged run leaves it, in words
RULE_NAMES = {"fan_in": "fan-in 1/n_in", "fan_out": "fan-out 1/n_out", "xavier": "Xavier 2/(n_in+n_out)"}
VARIANT_NAMES = {"plain": "plain skips", "scaled": "branch × 1/√L", "zero": "last layer of each branch = 0"}


def fmt(v: float) -> str:
    """A variance for prose: 'overflow'/'underflow' beyond 1e±30, else 3 significant digits."""
    status = iv.status([v])[0]
    return status if status != "ok" else f"{v:.3g}"


# --- The one-line picture -----------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=4)
def power_view() -> dict:
    """aᴸ for a = 0.5, 1, 1.5 and L = 0..30 (a log axis)."""
    L = np.arange(31)
    df = pd.concat([pd.DataFrame({"L": L, "value": a ** L, "a": f"a = {a:g}"}) for a in (0.5, 1.0, 1.5)])
    return spec(charts.powers(df))


# --- One neuron ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NeuronSettings:
    seed: int = 0
    n: int = 256
    scaled: bool = False      # True: σ_w = 1/√n (Var(w) = 1/n exactly), else the fixed sigma_w
    sigma_w: float = 0.05
    inputs: str = "normal"

    @property
    def std(self) -> float:
        return float(1.0 / np.sqrt(self.n)) if self.scaled else self.sigma_w


@st.cache_data(show_spinner=False, max_entries=64)
def neuron(s: NeuronSettings) -> iv.Neuron:
    return iv.one_neuron(s.n, s.std, s.inputs, TRIALS, np.random.default_rng(s.seed))


@st.cache_data(show_spinner=False, max_entries=64)
def neuron_view(s: NeuronSettings) -> tuple[dict, dict]:
    """The histogram of single terms, and of their sum with the predicted Gaussian."""
    r = neuron(s)
    h = histogram(r.products, 40)
    terms = pd.DataFrame({"center": h.centers, "density": h.density, "width": h.width})
    h = histogram(r.z, 40)
    grid = np.linspace(h.centers[0] - h.width, h.centers[-1] + h.width, 120)
    total = pd.DataFrame({"center": h.centers, "density": h.density, "width": h.width})
    pred = pd.DataFrame({"x": grid, "density": iv.gaussian_pdf(grid, r.var_pred)})
    return (fill(charts.histogram_template("one term wᵢxᵢ", charts.BAD), {"bars": terms}),
            fill(charts.histogram_template("their sum z = Σᵢ wᵢxᵢ", with_pred=True), {"bars": total, "pred": pred}))


@st.cache_data(show_spinner=False, max_entries=64)
def sweep_view(sigma_w: float, inputs: str, seed: int) -> tuple[dict, pd.DataFrame, iv.FanInSweep]:
    """Var(z) against n for a fixed std and for std = σ_w/√n."""
    s = iv.fan_in_sweep(FAN_INS, sigma_w, inputs, 1000, np.random.default_rng(seed))
    df = pd.concat([pd.DataFrame({"n": s.ns, "var": v, "series": series, "rule": rule})
                    for v, series, rule in ((s.var_fixed, "measured", "std fixed"),
                                            (s.var_fixed_pred, "predicted", "std fixed"),
                                            (s.var_scaled, "measured", "std = σ/√n"),
                                            (s.var_scaled_pred, "predicted", "std = σ/√n"))], ignore_index=True)
    return fill(charts.fan_in_template(), {"sweep": df}), df, s


# --- Many layers / inside the layers ------------------------------------------------------------------------

@dataclass(frozen=True)
class DeepSettings:
    seed: int = 0
    depth: int = 30
    width: int = 128
    activation: str = "relu"
    scheme: str = "lecun"
    sigma_w: float = 0.05     # used by the "normal" scheme only
    layer: int = 10           # the layer "Inside the layers" inspects

    @property
    def std(self) -> float | None:
        return self.sigma_w if self.scheme == "normal" else None

    @property
    def slope_layer(self) -> int:
        return min(self.layer, self.depth - 1)


@st.cache_data(show_spinner=False, max_entries=64)
def deep(s: DeepSettings) -> iv.DeepSignal:
    return iv.deep_signal(s.depth, s.width, s.activation, s.scheme, np.random.default_rng(s.seed), sigma_w=s.std,
                          batch=BATCH, slope_layer=s.slope_layer)


def _variance_frame(quantity: str, measured, predicted) -> pd.DataFrame:
    layers = np.arange(1, len(measured) + 1)
    out = []
    for series, values in (("measured", measured), ("predicted", predicted)):
        pinned, status = pin_for_log(values)
        out.append(pd.DataFrame({"layer": layers, "value": pinned, "series": series, "status": status,
                                 "quantity": quantity}))
    return pd.concat(out, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=64)
def deep_view(s: DeepSettings) -> tuple[dict, pd.DataFrame]:
    return _layers_view(deep(s))


def _layers_view(signal) -> tuple[dict, pd.DataFrame]:
    """The layer-by-layer chart of a signal's forward and backward variances, measured and predicted."""
    df = pd.concat([_variance_frame(charts.QUANTITIES[0], signal.q, signal.theory.q),
                    _variance_frame(charts.QUANTITIES[1], signal.grad, signal.theory.grad)], ignore_index=True)
    return fill(charts.layer_variance_template("variance"), {"layers": df}), df


@dataclass(frozen=True)
class Spread:
    """measured / predicted at the last layer (forward) and layer 1 (backward) for SPREAD_SEEDS networks."""

    forward: np.ndarray
    backward: np.ndarray

    @staticmethod
    def rank(r: np.ndarray, ratio: float) -> int:
        """How many of the networks in ``r`` land closer to their prediction (in log) than ``ratio``."""
        return int(np.sum(np.abs(np.log(r[np.isfinite(r) & (r > 0)])) < abs(np.log(ratio))))

    @staticmethod
    def summary(r: np.ndarray) -> tuple[float, float, float]:
        """(mean ratio, geometric spread e^std(log r), share of networks within 20%)."""
        r = r[np.isfinite(r) & (r > 0)]
        return float(np.mean(r)), float(np.exp(np.std(np.log(r)))), float(np.mean(np.abs(r - 1) <= 0.2))


@st.cache_data(show_spinner=False, max_entries=64)
def spread(s: DeepSettings) -> Spread:
    """The same setting on SPREAD_SEEDS other networks (``default_rng(seed).spawn(SPREAD_SEEDS)``), batch 32."""
    f, b = [], []
    for rng in np.random.default_rng(s.seed).spawn(SPREAD_SEEDS):
        d = iv.deep_signal(s.depth, s.width, s.activation, s.scheme, rng, sigma_w=s.std, batch=32)
        with np.errstate(all="ignore"):
            f.append(d.q[-1] / d.theory.q[-1])
            b.append(d.grad[0] / d.theory.grad[0])
    return Spread(np.array(f), np.array(b))


def _ridge_frame(d: iv.DeepSignal) -> pd.DataFrame:
    """The activations' histograms of a few layers, stacked (layer 1 on top), each scaled to its own peak."""
    rows, k = [], len(d.hist_layers)
    for idx, (layer, density, zero) in enumerate(zip(d.hist_layers, d.hist_density, d.hist_zero, strict=True)):
        peak, row = (density.max() if density.max() > 0 else 1.0), k - 1 - idx
        rows.append(pd.DataFrame({"layer": layer, "label": f"layer {layer}" + (f" · {zero:.0%} at 0" if zero else ""),
                                  "row": row, "center": d.hist_centers, "density": density,
                                  "top": row + 0.9 * density / peak, "first": np.arange(density.size) == 0,
                                  "xmax": d.hist_centers[-1]}))
    return pd.concat(rows, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=64)
def ridge_view(s: DeepSettings) -> dict:
    """Activation histograms layer by layer (Glorot & Bengio 2010, Fig. 6), as a ridgeline."""
    return spec(charts.ridgeline(_ridge_frame(deep(s)), "activation h = f(z) (same axis for every layer)"))


@st.cache_data(show_spinner=False, max_entries=64)
def inside_view(s: DeepSettings) -> tuple[dict, dict, pd.DataFrame]:
    """The slope f′ under z at the inspected layer, and the chain rule's factor per layer: measured
    Var(gₗ)/Var(gₗ₊₁) against fan_out·Var(w)·E[f′(zₗ)²]."""
    d = deep(s)
    hist = pd.DataFrame({"center": d.z_centers, "density": d.z_density,
                         "width": d.z_centers[1] - d.z_centers[0] if d.z_centers.size > 1 else 1.0})
    curve = pd.DataFrame({"z": d.z_centers, "slope": d.slope})
    layers = np.arange(1, s.depth)
    with np.errstate(all="ignore"):
        meas, pred = d.grad[:-1] / d.grad[1:], d.theory.grad[:-1] / d.theory.grad[1:]
    df = pd.concat([pd.DataFrame({"layer": layers, "factor": meas, "series": "measured"}),
                    pd.DataFrame({"layer": layers, "factor": pred, "series": "predicted"})], ignore_index=True)
    df = df[np.isfinite(df["factor"]) & (df["factor"] > 0)]
    return (fill(charts.slope_template("z at the inspected layer", "f′(z)"), {"hist": hist, "curve": curve}),
            fill(charts.chain_factors_template(), {"factors": df}), df)


# --- Unequal widths -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WidthSettings:
    seed: int = 0
    profile: str = "widening"
    rule: str = "fan_in"
    activation: str = "linear"
    depth: int = 10

    @property
    def gain(self) -> float:
        return float(np.sqrt(2.0)) if self.activation == "relu" else 1.0


@st.cache_data(show_spinner=False, max_entries=64)
def widths(s: WidthSettings) -> iv.ChainSignal:
    ws = iv.width_profile(s.profile, s.depth)
    return iv.chain_signal(ws, iv.rule_variances(ws, s.rule, s.gain), s.activation, np.random.default_rng(s.seed))


@st.cache_data(show_spinner=False, max_entries=64)
def widths_view(s: WidthSettings) -> tuple[dict, pd.DataFrame]:
    return _layers_view(widths(s))


@st.cache_data(show_spinner=False, max_entries=64)
def widths_all_rules(s: WidthSettings) -> pd.DataFrame:
    """The predicted ends of both chains for every rule, with this profile: the compromise in numbers."""
    ws = iv.width_profile(s.profile, s.depth)
    rows = []
    for rule in iv.RULES:
        th = iv.chain_theory(ws, iv.rule_variances(ws, rule, s.gain), s.activation)
        rows.append({"rule": RULE_NAMES[rule], f"Var(z) at layer {s.depth}": th.q[-1],
                     "Var(∂L/∂z) at layer 1": th.grad[0]})
    return pd.DataFrame(rows)


# --- Residual networks --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResidualSettings:
    seed: int = 0
    blocks: int = 30
    width: int = 128


@st.cache_data(show_spinner=False, max_entries=64)
def residual(s: ResidualSettings) -> dict[str, iv.ChainSignal]:
    """The three variants from the same seed: ``default_rng(seed).spawn(3)``, one child each."""
    rngs = np.random.default_rng(s.seed).spawn(3)
    return {v: iv.residual_signal(s.blocks, s.width, v, rng, batch=BATCH)
            for v, rng in zip(iv.RESIDUAL_VARIANTS, rngs, strict=True)}


@st.cache_data(show_spinner=False, max_entries=64)
def residual_view(s: ResidualSettings) -> tuple[dict, pd.DataFrame]:
    runs = residual(s)
    df = pd.concat([_variance_frame(VARIANT_NAMES[v], r.q, r.theory.q) for v, r in runs.items()], ignore_index=True)
    return fill(charts.residual_template(tuple(VARIANT_NAMES.values())), {"residual": df}), df


@st.cache_data(show_spinner=False, max_entries=64)
def residual_spread(s: ResidualSettings) -> np.ndarray:
    """measured / predicted E[h²] after the last block, plain skips, on SPREAD_SEEDS other networks (batch 64)."""
    runs = [iv.residual_signal(s.blocks, s.width, "plain", rng, batch=64)
            for rng in np.random.default_rng(s.seed).spawn(SPREAD_SEEDS)]
    return np.array([r.q[-1] / r.theory.q[-1] for r in runs])


# --- Goldilocks map -----------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def gold(activation: str, seed: int) -> iv.Goldilocks:
    return iv.goldilocks(GOLD_GAINS, GOLD_DEPTH, GOLD_WIDTH, activation, np.random.default_rng(seed), batch=64)


@st.cache_data(show_spinner=False, max_entries=64)
def gold_view(activation: str, quantity: str, seed: int) -> tuple[dict, int]:
    """The heat map (cells past 1e±30 flagged, never NaN) and its number of overflowing cells."""
    g = gold(activation, seed)
    values = g.q if quantity == "forward" else g.grad
    pinned, status = pin_for_log(values)
    edges = np.sqrt(g.gains[:-1] * g.gains[1:])
    lo = np.concatenate([[g.gains[0] ** 2 / edges[0]], edges])
    hi = np.concatenate([edges, [g.gains[-1] ** 2 / edges[-1]]])
    G, D = np.meshgrid(np.arange(g.gains.size), g.depths, indexing="ij")
    df = pd.DataFrame({"g": g.gains[G.ravel()], "g_lo": lo[G.ravel()], "g_hi": hi[G.ravel()], "depth": D.ravel(),
                       "log10": np.log10(pinned.ravel()), "status": status.ravel(),
                       "value_text": [fmt(v) for v in values.ravel()]})
    crit = {"relu": "√2 (He: σ_w² = 2/n)", "tanh": "1 (σ_w² = 1/n)", "linear": "1 (σ_w² = 1/n)"}.get(
        activation, f"{g.critical:.2g}")
    what = "log₁₀ Var(z)" if quantity == "forward" else "log₁₀ Var(∂L/∂z)"
    return spec(charts.goldilocks_map(df, g.critical, what, f"critical g = {crit}")), int(np.sum(status == "overflow"))


# --- Training -----------------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def train(scheme: str, depth: int, activation: str, seed: int) -> iv.TrainCurve:
    return iv.train_scheme(scheme, depth, TRAIN_WIDTH, activation, np.random.default_rng(seed), sigma_w=TRAIN_STD,
                           steps=TRAIN_STEPS)


@dataclass(frozen=True)
class Training:
    spec: dict
    final: dict[str, float | None]     # mean loss of the last 20 steps; None if the run diverged
    start: dict[str, float]
    diverged: dict[str, tuple[int, float]]   # scheme -> (step, the largest loss it reached)

    @property
    def table(self) -> pd.DataFrame:
        """The final losses as a two-column table; a diverged run reads "diverged"."""
        return pd.DataFrame({"init": list(self.final), "final loss (mean of the last 20 steps)":
                             ["diverged" if v is None else f"{v:.3g}" for v in self.final.values()]})


@st.cache_data(show_spinner=False, max_entries=64)
def flat_loss(seed: int) -> float:
    """Half the variance of the training targets: the loss of always predicting their mean (the loss is half MSE).
    The data stream is :func:`core.init_variance.train_scheme`'s first child."""
    y = datasets.teacher_data(512, 8, np.random.default_rng(seed).spawn(3)[0])[1]
    return float(np.var(y) / 2)


def cut_at_cap(loss: np.ndarray, cap: float) -> tuple[int | None, float]:
    """The first step whose loss is above ``cap`` or not finite (None if none) and the largest finite loss."""
    with np.errstate(all="ignore"):
        over = np.flatnonzero(~np.isfinite(loss) | (loss > cap))
        finite = loss[np.isfinite(loss)]
    return (int(over[0]) if over.size else None), (float(finite.max()) if finite.size else float("inf"))


@st.cache_data(show_spinner=False, max_entries=64)
def train_view(activation: str, depth: int, seed: int) -> Training:
    """Loss curves of every scheme; the axis stops at LOSS_CAP × the highest starting loss, and a run that
    passes it is cut there (the page says so in words)."""
    curves = [train(scheme, depth, activation, seed) for scheme in TRAIN_SCHEMES]
    cap = LOSS_CAP * max(float(c.losses[0]) for c in curves)
    frames, diverged = [], {}
    for c in curves:
        name, loss = TRAIN_SCHEMES[c.scheme], c.losses
        first, top = cut_at_cap(loss, cap)
        if first is not None or c.diverged_step is not None:
            diverged[name] = (first if first is not None else int(c.diverged_step), top)
        end = loss.size if first is None else first
        frames.append(pd.DataFrame({"step": np.arange(end), "loss": loss[:end], "scheme": name}))
    df = pd.concat(frames, ignore_index=True)
    final = {TRAIN_SCHEMES[c.scheme]: None if TRAIN_SCHEMES[c.scheme] in diverged else float(np.mean(c.losses[-20:]))
             for c in curves}
    return Training(spec(charts.loss_curves(df, list(TRAIN_SCHEMES.values()), cap)), final,
                    {TRAIN_SCHEMES[c.scheme]: float(c.losses[0]) for c in curves}, diverged)


# --- What-ifs for the predictions ---------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def pixel_what_if(seed: int) -> float:
    """Measured Var(z) for pixel inputs, n = 256, σ_w = 0.05."""
    return neuron(NeuronSettings(seed, 256, False, 0.05, "pixel")).var_z


# --- Notebooks ----------------------------------------------------------------------------------------------

PLOT_LAYERS = """\
import altair as alt
import pandas as pd

df = pd.DataFrame({"layer": range(1, len(q) + 1), "forward measured": q, "forward predicted": q_pred,
                   "backward measured": g, "backward predicted": g_pred}).melt("layer")
alt.Chart(df).mark_line(point=True).encode(x="layer:Q", y=alt.Y("value:Q", scale=alt.Scale(type="log")),
                                           color="variable:N")
"""


def neuron_reproduction(s: NeuronSettings) -> Reproduction:
    code = f"""\
import numpy as np
from core import init_variance as iv

one = iv.one_neuron({s.n}, {s.std!r}, {s.inputs!r}, {TRIALS}, np.random.default_rng({s.seed}))
print("predicted n*Var(w)*E[x^2] =", one.var_pred)
headline = one.var_z
print("headline =", headline)   # measured Var(z)
"""
    plot = """\
import altair as alt
import pandas as pd

alt.Chart(pd.DataFrame({"z": one.z})).mark_bar().encode(x=alt.X("z:Q", bin=alt.Bin(maxbins=40)), y="count()")
"""
    return Reproduction("Initialization variance: one neuron", code, plot, neuron(s).var_z, "the measured Var(z)")


def deep_reproduction(s: DeepSettings, view: str = "many") -> Reproduction:
    code = f"""\
import numpy as np
from core import init_variance as iv

s = iv.deep_signal({s.depth}, {s.width}, {s.activation!r}, {s.scheme!r}, np.random.default_rng({s.seed}),
                   sigma_w={s.std!r}, batch={BATCH}, slope_layer={s.slope_layer})
q, q_pred, g, g_pred = s.q, s.theory.q, s.grad, s.theory.grad
print("E[f'(z)^2] at layer {s.slope_layer}:", s.slope_sq, "predicted", s.slope_sq_pred)
headline = {"s.grad[0]" if view == "many" else "s.slope_sq"}
print("headline =", headline)
"""
    d = deep(s)
    if view == "many":
        return Reproduction("Initialization variance: many layers", code, PLOT_LAYERS, float(d.grad[0]),
                            "the measured Var(∂L/∂z) at layer 1")
    return Reproduction("Initialization variance: inside the layers", code, PLOT_LAYERS, float(d.slope_sq),
                        f"the measured E[f′(z)²] at layer {s.slope_layer}")


def widths_reproduction(s: WidthSettings) -> Reproduction:
    code = f"""\
import numpy as np
from core import init_variance as iv

ws = iv.width_profile({s.profile!r}, {s.depth})          # n_0 ... n_L
var_w = iv.rule_variances(ws, {s.rule!r}, {s.gain!r})       # Var(W_l) per layer
c = iv.chain_signal(ws, var_w, {s.activation!r}, np.random.default_rng({s.seed}))
q, q_pred, g, g_pred = c.q, c.theory.q, c.grad, c.theory.grad
headline = c.q[-1]
print("headline =", headline)   # measured Var(z) at the last layer
"""
    return Reproduction("Initialization variance: unequal widths", code, PLOT_LAYERS, float(widths(s).q[-1]),
                        f"the measured Var(z) at layer {s.depth}")


def residual_reproduction(s: ResidualSettings) -> Reproduction:
    code = f"""\
import numpy as np
from core import init_variance as iv

rngs = np.random.default_rng({s.seed}).spawn(3)
runs = {{v: iv.residual_signal({s.blocks}, {s.width}, v, rng, batch={BATCH})
        for v, rng in zip(iv.RESIDUAL_VARIANTS, rngs)}}
for v, r in runs.items():
    print(v, "E[h^2] after the last block:", r.q[-1], "predicted", r.theory.q[-1])
headline = runs["plain"].q[-1]
print("headline =", headline)
"""
    plot = """\
import altair as alt
import pandas as pd

df = pd.concat([pd.DataFrame({"block": range(1, len(r.q) + 1), "measured": r.q, "predicted": r.theory.q,
                              "variant": v}) for v, r in runs.items()])
alt.Chart(df).mark_line(point=True).encode(x="block:Q", y=alt.Y("measured:Q", scale=alt.Scale(type="log")),
                                           color="variant:N")
"""
    return Reproduction("Initialization variance: residual networks", code, plot,
                        float(residual(s)["plain"].q[-1]), "the measured E[h²] after the last block, plain skips")


def gold_reproduction(activation: str, seed: int) -> Reproduction:
    code = f"""\
import numpy as np
from core import init_variance as iv

gains = np.geomspace(0.25, 16.0, 25)
g = iv.goldilocks(gains, {GOLD_DEPTH}, {GOLD_WIDTH}, {activation!r}, np.random.default_rng({seed}), batch=64)
headline = g.critical
print("headline =", headline)   # the critical gain
"""
    plot = """\
import altair as alt
import pandas as pd

rows = [{"gain": float(a), "depth": int(d), "log10 Var(z)": float(np.log10(np.clip(g.q[i, d - 1], 1e-30, 1e30)))}
        for i, a in enumerate(g.gains) for d in g.depths]
alt.Chart(pd.DataFrame(rows)).mark_rect().encode(x="gain:O", y=alt.Y("depth:O", sort="descending"),
                                                 color="log10 Var(z):Q")
"""
    return Reproduction("Initialization variance: the Goldilocks map", code, plot, gold(activation, seed).critical,
                        "the critical gain")


def train_reproduction(activation: str, depth: int, seed: int) -> Reproduction:
    code = f"""\
import numpy as np
from core import init_variance as iv

curves = {{scheme: iv.train_scheme(scheme, {depth}, {TRAIN_WIDTH}, {activation!r}, np.random.default_rng({seed}),
                                  sigma_w={TRAIN_STD}, steps={TRAIN_STEPS})
          for scheme in {list(TRAIN_SCHEMES)!r}}}
for scheme, c in curves.items():
    print(scheme, "diverged at", c.diverged_step, "final", np.mean(c.losses[-20:]))
headline = float(np.mean(curves["he"].losses[-20:]))
print("headline =", headline)   # He's final loss (mean of the last 20 steps)
"""
    plot = """\
import altair as alt
import pandas as pd

df = pd.concat([pd.DataFrame({"step": range(len(c.losses)), "loss": c.losses, "scheme": s}) for s, c in curves.items()])
alt.Chart(df.dropna()).mark_line().encode(x="step:Q", y=alt.Y("loss:Q", scale=alt.Scale(type="log")), color="scheme:N")
"""
    c = train("he", depth, activation, seed)
    return Reproduction("Initialization variance: does it train?", code, plot, float(np.mean(c.losses[-20:])),
                        "He's final loss (mean of the last 20 steps)")


def notebooks() -> dict[str, Reproduction]:
    """Each view's notebook at the default settings (tests/test_notebooks.py runs them)."""
    return {"One neuron": neuron_reproduction(NeuronSettings()),
            "Many layers": deep_reproduction(DeepSettings(), "many"),
            "Inside the layers": deep_reproduction(DeepSettings(), "inside"),
            "Unequal widths": widths_reproduction(WidthSettings()),
            "Residual networks": residual_reproduction(ResidualSettings()),
            "Goldilocks map": gold_reproduction("relu", 0),
            "Training": train_reproduction("relu", 20, 0)}


def warm() -> None:
    """Every view's default (ui/warmup.py)."""
    power_view()
    n = NeuronSettings()
    neuron_view(n)
    sweep_view(n.sigma_w, n.inputs, n.seed)
    pixel_what_if(0)
    d = DeepSettings()
    deep_view(d)
    spread(d)
    inside_view(d)
    ridge_view(d)
    widths_view(WidthSettings())
    widths_all_rules(WidthSettings())
    residual_view(ResidualSettings())
    residual_table(ResidualSettings())
    residual_spread(ResidualSettings())
    width_what_if(d)
    recipes()
    gold_view("relu", "forward", 0)
    train_view("relu", 20, 0)
    flat_loss(0)


@dataclass(frozen=True)
class WidthWhatIf:
    """The same network at ``other`` units per layer: Var(z) at the last layer, predicted and measured."""

    other: int
    pred_now: float
    pred_other: float
    meas_other: float

    @property
    def answer(self) -> int:
        """0: it grows (more than 2x), 1: about the same, 2: it shrinks (below half), by the prediction."""
        r = self.pred_other / self.pred_now if self.pred_now > 0 else 1.0
        return 0 if r > 2 else 2 if r < 0.5 else 1


@st.cache_data(show_spinner=False, max_entries=64)
def width_what_if(s: DeepSettings) -> WidthWhatIf:
    other = s.width * 2 if s.width * 2 <= WIDTHS[-1] else s.width // 2
    d = iv.deep_signal(s.depth, other, s.activation, s.scheme, np.random.default_rng(s.seed), sigma_w=s.std, batch=64)
    return WidthWhatIf(other, float(deep(s).theory.q[-1]), float(d.theory.q[-1]), float(d.q[-1]))


@dataclass(frozen=True)
class Recipes:
    """Mean-field numbers the text quotes (width 128, depth 30): tanh with Var(w) = 1/n, sigmoid with 1/n and at
    its critical gain."""

    tanh_q10: float
    tanh_q30: float
    tanh_grad1: float
    sigmoid_factor: float      # n Var(w) E[σ'(z)²] per layer with Var(w) = 1/n, at the variance map's fixed point
    sigmoid_gain: float        # σ_w √n where that factor is 1
    sigmoid_q: float           # Var(z) there


@st.cache_data(show_spinner=False, max_entries=4)
def recipes() -> Recipes:
    t = iv.mean_field(30, 128, 1 / 128, "tanh")
    s = iv.mean_field(30, 128, 1 / 128, "sigmoid")
    g = iv.critical_gain("sigmoid")
    return Recipes(float(t.q[9]), float(t.q[29]), float(t.grad[0]), iv.activation_moments("sigmoid", s.q[-1])[2],
                   g, float(iv.mean_field(30, 128, g * g / 128, "sigmoid").q[-1]))


def nearest_growth(value: float, blocks: int) -> int:
    """Which of 1, L and 2ᴸ ``value`` is nearest to on a log scale (0, 1, 2)."""
    logs = np.log([1.0, float(blocks), 2.0 ** blocks])
    return int(np.argmin(np.abs(logs - np.log(max(value, 1e-300)))))


def activation_note(activation: str) -> str:
    """The page's sentence on what the activation does to the factor, with the mean-field numbers it quotes."""
    r = recipes()
    return {
        "relu": "ReLU zeroes half of z, so c = ½: **He's 2/n** makes the factor 1; LeCun's 1/n halves the variance "
                "at every layer, forward and backward.",
        "leaky_relu": "Leaky ReLU keeps a slope of 0.01 for z < 0: c ≈ ½, as for ReLU, so He's 2/n is its recipe.",
        "linear": "Linear: c = 1, so 1/n (LeCun) keeps both directions flat.",
        "tanh": "tanh's slope is 1 only at z = 0 and below 1 everywhere else, so **1/n is the tanh recipe** (Ng's "
                "√(1/n)) but it does not preserve the variance exactly: the mean-field map gives Var(z) 1 → "
                f"{r.tanh_q10:.3f} at layer 10 → {r.tanh_q30:.3f} at layer 30 (width 128), and a gradient factor "
                f"{r.tanh_grad1:.3f} at layer 1. As z shrinks, tanh's slope approaches 1, so the loss per layer "
                "shrinks too: a slow, polynomial decay (about 1/(2l)), not an exponential one.",
        "sigmoid": "sigmoid's slope is at most ¼ and its output has mean ½: with 1/n each layer multiplies the "
                   f"gradient's variance by about {r.sigmoid_factor:.3f}. The factor reaches 1 only at σ_w ≈ "
                   f"{r.sigmoid_gain:.1f}/√n, where Var(z) ≈ {r.sigmoid_q:.0f} and most units are saturated: no "
                   "variance suits a deep sigmoid stack, which is why sigmoid is kept for outputs.",
    }[activation]


@st.cache_data(show_spinner=False, max_entries=64)
def residual_table(s: ResidualSettings) -> pd.DataFrame:
    """Per variant: E[h²] after the last block and E[(∂L/∂h)²] entering the first, measured (predicted)."""
    return pd.DataFrame([{"branch": VARIANT_NAMES[v],
                          "E[h²] at block L (predicted)": f"{fmt(r.q[-1])} ({fmt(r.theory.q[-1])})",
                          "E[(∂L/∂h)²] at block 1 (predicted)": f"{fmt(r.grad[0])} ({fmt(r.theory.grad[0])})"}
                         for v, r in residual(s).items()])
