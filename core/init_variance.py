"""How the size of a signal changes through one neuron and through many layers at initialization.

One neuron: z = sum_i w_i x_i with independent zero-mean weights has Var(z) = n * Var(w) * E[x^2].
A deep network repeats that map layer after layer: the variance of the pre-activations (forward) and of
the gradients (backward) is multiplied by n * Var(w) * c per layer, with c = 1 (linear), 1/2 (ReLU) or the
mean-field value of E[f(z)^2] / Var(z) (tanh, sigmoid). Layers of unequal width: forward the factor uses the
fan-in, backward the fan-out (chain_theory, chain_signal). Residual blocks h + alpha relu(h A) B multiply E[h^2] by
1 + alpha^2 per block (residual_theory, residual_signal). Everything is NumPy; randomness is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import datasets, nn
from core.numerics import QUIET, histogram

INPUTS = datasets.INPUTS  # the input distributions of datasets.draw_inputs
SCHEMES = ("normal", "lecun", "xavier", "he", "orthogonal")
_NN_SCHEME = {"normal": "normal", "lecun": "lecun_normal", "xavier": "xavier_normal", "he": "he_normal",
              "orthogonal": "orthogonal"}
SATURATION_LEVEL = 0.97
KURTOSIS_SAMPLE = 200_000  # the single terms' kurtosis is measured on (at most) this many of them
OVERFLOW = 1e30  # a variance above this (or non-finite) is reported as "overflow"; below 1/OVERFLOW "underflow"


def _check_positive_int(name: str, value) -> int:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_inputs(inputs: str) -> None:
    if inputs not in INPUTS:
        raise ValueError(f"unknown input distribution {inputs!r}; choose one of {list(INPUTS)}")


def input_moments(inputs: str) -> tuple[float, float, float, float]:
    """``(E[x], E[x^2], E[x^4], E|x|)`` of a named input distribution (exact).

    Notes
    -----
    N(0,1): 0, 1, 3, sqrt(2/pi). U(-1,1): 0, 1/3, 1/5, 1/2. Beta(a,b) with s = a+b:
    E[x^k] = prod_{j<k} (a+j)/(s+j); E|x| = E[x] because x >= 0.
    """
    _check_inputs(inputs)
    if inputs == "normal":
        return 0.0, 1.0, 3.0, float(np.sqrt(2.0 / np.pi))
    if inputs == "uniform":
        return 0.0, 1.0 / 3.0, 1.0 / 5.0, 0.5
    a, b = datasets.PIXEL_BETA
    m = [float(np.prod([(a + j) / (a + b + j) for j in range(k)])) for k in (1, 2, 4)]
    return m[0], m[1], m[2], m[0]


@dataclass(frozen=True)
class Neuron:
    """A Monte-Carlo of one neuron z = sum_i w_i x_i, repeated over independent draws of w and x.

    products: (k,) a sample of the single terms w_i x_i (all identically distributed);
    z: (trials,) the sums; var_z / var_pred: measured and predicted Var(z); var_se: standard error of the
    measured variance; kurt_products / kurt_z (measured) and kurt_products_pred / kurt_z_pred: excess
    kurtosis (0 for a Gaussian); mean_abs_z and mean_abs_pred: E|z| measured and for a Gaussian;
    no_cancel: n E|w| E|x|, what E|z| would be if every term had the same sign; mean_abs_product:
    the measured typical size E|w x| of one term.
    """

    n: int
    sigma_w: float
    inputs: str
    products: np.ndarray
    z: np.ndarray
    var_z: float
    var_pred: float
    var_se: float
    kurt_products: float
    kurt_products_pred: float
    kurt_z: float
    kurt_z_pred: float
    mean_abs_z: float
    mean_abs_pred: float
    no_cancel: float
    mean_abs_product: float


def _excess_kurtosis(v: np.ndarray) -> float:
    v = v - v.mean()
    return float(np.mean(v**4) / np.mean(v**2) ** 2 - 3.0)


def predicted_var_z(n: int, sigma_w: float, inputs: str) -> float:
    """Var(z) = n * Var(w) * E[x^2] for z = sum of n terms w_i x_i with zero-mean w independent of x.

    Notes
    -----
    Each term has mean E[w]E[x] = 0 and variance E[w^2]E[x^2]; the terms are uncorrelated, so the
    variances add. E[x^2] (not Var(x)) appears because w has mean 0: a non-zero input mean still adds to
    the spread of z (LeCun et al. 1998, "Efficient BackProp").
    """
    return float(n * sigma_w**2 * input_moments(inputs)[1])


def one_neuron(n: int, sigma_w: float, inputs: str, trials: int, rng: np.random.Generator,
               *, keep_products: int = 4000) -> Neuron:
    """Monte-Carlo of ``trials`` neurons with ``n`` inputs each, weights N(0, sigma_w^2).

    Notes
    -----
    Excess kurtosis of one term wx: 3 E[x^4] / E[x^2]^2 - 3 (6 for Gaussian x: products are
    heavy-tailed); of the sum of n independent terms: that value / n (the central limit theorem).
    """
    n, trials = _check_positive_int("n", n), _check_positive_int("trials", trials)
    if not (np.isfinite(sigma_w) and sigma_w > 0):
        raise ValueError(f"sigma_w must be positive and finite, got {sigma_w}")
    w = rng.normal(0.0, sigma_w, size=(trials, n))
    products = w * datasets.draw_inputs(inputs, (trials, n), rng)  # (trials, n)
    z = products.sum(axis=1)  # (trials,)
    _, m2, m4, _ = input_moments(inputs)
    var_pred = predicted_var_z(n, sigma_w, inputs)
    kurt_products_pred = 3.0 * m4 / m2**2 - 3.0
    kurt_z_pred = kurt_products_pred / n
    return Neuron(
        n, float(sigma_w), inputs, products.ravel()[:keep_products].copy(), z,
        var_z=float(np.mean(z**2)), var_pred=var_pred,
        var_se=var_pred * float(np.sqrt((kurt_z_pred + 2.0) / trials)),
        kurt_products=_excess_kurtosis(products.ravel()[:KURTOSIS_SAMPLE]), kurt_products_pred=kurt_products_pred,
        kurt_z=_excess_kurtosis(z), kurt_z_pred=kurt_z_pred,
        mean_abs_z=float(np.mean(np.abs(z))), mean_abs_pred=float(np.sqrt(2.0 / np.pi * var_pred)),
        no_cancel=float(n * sigma_w * np.sqrt(2.0 / np.pi) * input_moments(inputs)[3]),
        mean_abs_product=float(np.mean(np.abs(products))),
    )  # fmt: skip


@dataclass(frozen=True)
class FanInSweep:
    """Var(z) and E|z| against the fan-in n, for a fixed weight std and for std = sigma_w / sqrt(n).

    All arrays are (len(ns),). ``*_fixed`` use std = sigma_w; ``*_scaled`` use std = sigma_w / sqrt(n).
    no_cancel: n * E|w| * E|x| for the fixed std, what E|z| would be if all the terms had the same sign.
    """

    ns: np.ndarray
    var_fixed: np.ndarray
    var_fixed_pred: np.ndarray
    var_scaled: np.ndarray
    var_scaled_pred: np.ndarray
    mean_abs_fixed: np.ndarray
    mean_abs_fixed_pred: np.ndarray
    no_cancel: np.ndarray


def fan_in_sweep(ns, sigma_w: float, inputs: str, trials: int, rng: np.random.Generator) -> FanInSweep:
    """Measure Var(z) and E|z| for every fan-in in ``ns`` (one :func:`one_neuron` per n and mode).

    Notes
    -----
    Fixed std: Var(z) = n sigma_w^2 E[x^2] grows like n, so E|z| = sqrt(2/pi Var(z)) grows like sqrt(n),
    far below the n E|w| E|x| of terms that never cancel. With std = sigma_w / sqrt(n) Var(z) is flat.
    """
    ns = np.asarray([_check_positive_int("n", n) for n in ns])
    fixed = [one_neuron(int(n), sigma_w, inputs, trials, rng, keep_products=0) for n in ns]
    scaled = [one_neuron(int(n), sigma_w / np.sqrt(n), inputs, trials, rng, keep_products=0) for n in ns]
    return FanInSweep(
        ns=ns,
        var_fixed=np.array([r.var_z for r in fixed]), var_fixed_pred=np.array([r.var_pred for r in fixed]),
        var_scaled=np.array([r.var_z for r in scaled]), var_scaled_pred=np.array([r.var_pred for r in scaled]),
        mean_abs_fixed=np.array([r.mean_abs_z for r in fixed]),
        mean_abs_fixed_pred=np.array([r.mean_abs_pred for r in fixed]),
        no_cancel=np.array([r.no_cancel for r in fixed]),
    )  # fmt: skip


def gaussian_pdf(z, var: float) -> np.ndarray:
    """The N(0, var) density at ``z``."""
    z = np.asarray(z, dtype=float)
    return np.exp(-(z**2) / (2.0 * var)) / np.sqrt(2.0 * np.pi * var)


def weight_variance(scheme: str, n: int, activation: str, sigma_w: float | None = None) -> float:
    """Var(w) of a square (n, n) layer under a page scheme (the values :func:`deep_signal` draws from).

    normal: sigma_w^2; lecun 1/n; xavier 2/(n + n) = 1/n for square layers; he 2/n; orthogonal: every
    entry of an orthogonal matrix times the activation's gain g has variance g^2/n.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {list(SCHEMES)}")
    if scheme == "normal":
        if sigma_w is None or not (np.isfinite(sigma_w) and sigma_w > 0):
            raise ValueError(f"scheme 'normal' needs a positive sigma_w, got {sigma_w!r}")
        return float(sigma_w) ** 2
    if scheme == "orthogonal":
        return nn.calculate_gain(activation) ** 2 / n
    return {"lecun": 1.0, "xavier": 1.0, "he": 2.0}[scheme] / n


_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(101)
_GH_WEIGHTS = _GH_WEIGHTS / np.sqrt(2.0 * np.pi)  # now sum(w g(x)) = E[g(x)] for x ~ N(0, 1)


def gaussian_expectation(g, q: float) -> float:
    """E[g(z)] for z ~ N(0, q), by Gauss-Hermite quadrature (101 nodes).

    Notes
    -----
    E[g(z)] = sum_k w_k g(sqrt(q) x_k) with the probabilists' Hermite nodes x_k and weights w_k / sqrt(2 pi).
    Exact for polynomials up to degree 201. When sqrt(q) > 3 the nodes are too coarse for features of g
    narrower than 1 (tanh' near 0), so a trapezoid rule on a grid fine on both scales is used instead.
    """
    if q <= 0:
        return float(g(np.zeros(1))[0])
    s = np.sqrt(q)
    if s <= 3.0:
        return float(np.sum(_GH_WEIGHTS * g(s * _GH_NODES)))
    z = np.union1d(np.linspace(-10.0 * s, 10.0 * s, 1201), np.linspace(-20.0, 20.0, 1201))
    return float(np.trapezoid(g(z) * gaussian_pdf(z, q), z))


def activation_moments(activation: str, q: float) -> tuple[float, float, float]:
    """``(E[f(z)], E[f(z)^2], E[f'(z)^2])`` for z ~ N(0, q): closed forms for linear and (leaky) ReLU,
    quadrature (:func:`gaussian_expectation`) for tanh and sigmoid.

    Notes
    -----
    ReLU: E[f] = sqrt(q / (2 pi)), E[f^2] = q / 2, E[f'^2] = 1/2 (half of the inputs pass). Leaky ReLU
    with slope a: (1 - a) sqrt(q / (2 pi)), q (1 + a^2) / 2, (1 + a^2) / 2.
    """
    act = nn.ACTIVATIONS[activation]
    if activation == "linear":
        return 0.0, q, 1.0
    if activation in ("relu", "leaky_relu"):
        a = 0.0 if activation == "relu" else nn.LEAKY_SLOPE
        return (1 - a) * np.sqrt(q / (2 * np.pi)), q * (1 + a**2) / 2, (1 + a**2) / 2
    mean = 0.5 if activation == "sigmoid" else 0.0  # sigmoid(z) + sigmoid(-z) = 1; tanh is odd
    return mean, gaussian_expectation(lambda z: act.f(z) ** 2, q), gaussian_expectation(
        lambda z: act.df(z) ** 2, q)


@dataclass(frozen=True)
class MeanField:
    """The predicted per-layer variances (L,) of the pre-activations z_l (forward) and dL/dz_l (backward)."""

    q: np.ndarray
    grad: np.ndarray


def mean_field(depth: int, n: int, var_w: float, activation: str, *, residual: bool = False,
               input_second_moment: float = 1.0) -> MeanField:
    """The variance map iterated through ``depth`` square layers (the last one linear), biases 0.

    Notes
    -----
    Forward: q_1 = n Var(w) E[x^2]; q_{l+1} = n Var(w) E_{z~N(0, q_l)}[f(z)^2] (Poole et al. 2016), which
    is q_{l+1} = n Var(w) c q_l with c = 1 (linear), 1/2 (ReLU). With residual skips h_{l+1} = h_l + f(z):
    E[h^2] grows by E[f^2] + 2 E[h] E[f] per layer. Backward, with Var(dL/d output) = 1:
    Var(dL/dh_l) = n Var(w) Var(dL/dz_{l+1}) (+ Var(dL/dh_{l+1}) through a skip) and
    Var(dL/dz_l) = Var(dL/dh_l) E[f'(z_l)^2] (Schoenholz et al. 2017; He et al. 2015).
    """
    depth = _check_positive_int("depth", depth)
    gain2 = n * var_w
    q, moments, m, p = np.empty(depth), [], 0.0, float(input_second_moment)
    with np.errstate(**QUIET):
        for layer in range(depth):
            q[layer] = gain2 * p
            if layer == depth - 1:
                break
            mean_f, sq_f, sq_df = activation_moments(activation, min(q[layer], 1e300))
            moments.append(sq_df)
            skip = residual and layer > 0
            m, p = (m + mean_f, p + sq_f + 2 * m * mean_f) if skip else (mean_f, sq_f)
        grad, dh = np.empty(depth), 0.0
        grad[-1] = 1.0
        for layer in reversed(range(depth - 1)):
            skip_above = residual and layer + 1 < depth - 1  # hidden layer layer+1 adds h_layer back
            dh = gain2 * grad[layer + 1] + (dh if skip_above else 0.0)
            grad[layer] = dh * moments[layer]
    return MeanField(q, grad)


def build_network(depth: int, width: int, activation: str, scheme: str, rng: np.random.Generator, *,
                  sigma_w: float | None = None, residual: bool = False) -> nn.MLP:
    """A square ``depth``-layer network (``depth - 1`` hidden layers of ``width`` units, a linear output of
    ``width`` units, biases 0) initialized with a page scheme (see :func:`weight_variance`)."""
    depth, width = _check_positive_int("depth", depth), _check_positive_int("width", width)
    if depth < 2:
        raise ValueError(f"depth must be at least 2 (one hidden layer), got {depth}")
    weight_variance(scheme, width, activation, sigma_w)  # validates the scheme and sigma_w
    gain = nn.calculate_gain(activation) if scheme == "orthogonal" else 1.0
    return nn.MLP.create([width] * (depth + 1), activation=activation, init=_NN_SCHEME[scheme], rng=rng,
                         std=sigma_w if scheme == "normal" else None, gain=gain, residual=residual)


def second_moment(v: np.ndarray) -> float:
    """E[v^2] over every entry: the variance about the mean 0 that symmetric weights give z and dL/dz.

    Overflowing entries give ``inf`` (never NaN), so the page can call the value "overflow".
    """
    with np.errstate(**QUIET):
        m = float(np.mean(np.square(v)))
    return m if not np.isnan(m) else float("inf")


def status(values) -> np.ndarray:
    """"overflow" for values above OVERFLOW or non-finite, "underflow" below 1/OVERFLOW, else "ok"."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, "ok", dtype=object)
    out[(v < 1.0 / OVERFLOW) & np.isfinite(v)] = "underflow"
    out[~np.isfinite(v) | (v > OVERFLOW)] = "overflow"
    return out


@dataclass(frozen=True)
class DeepSignal:
    """Per-layer measurements of one random network at initialization on a batch of N(0, 1) inputs.

    q, grad: (L,) E[z_l^2] and E[(dL/dz_l)^2] for every layer l = 1..L (L = depth, the last is the linear
    output), with dL/d(output) ~ N(0, 1); theory: the :func:`mean_field` prediction of both;
    saturation, dead: (L - 1,) per hidden layer (:func:`core.nn.saturation_fraction`, ``dead_fraction``);
    hist_layers: 1-based hidden layers whose activations h_l are histogrammed in hist_density
    (len(hist_layers), bins) over the common bin centres hist_centers (bins,); for ReLU only the
    non-zero activations are binned and hist_zero (len(hist_layers),) holds the fraction exactly 0;
    slope_layer: the hidden layer whose z is histogrammed in z_centers / z_density, with the activation's
    derivative f'(z) on the same centres in slope and E[f'(z)^2] measured (slope_sq) and predicted.
    """

    var_w: float
    q: np.ndarray
    grad: np.ndarray
    theory: MeanField
    saturation: np.ndarray
    dead: np.ndarray
    hist_layers: tuple[int, ...]
    hist_centers: np.ndarray
    hist_density: np.ndarray
    hist_zero: np.ndarray
    slope_layer: int
    z_centers: np.ndarray
    z_density: np.ndarray
    slope: np.ndarray
    slope_sq: float
    slope_sq_pred: float


def pick_layers(n_hidden: int, k: int = 6) -> tuple[int, ...]:
    """About ``k`` evenly spread 1-based hidden layers, always the first and the last."""
    return tuple(int(i) for i in np.unique(np.round(np.linspace(1, n_hidden, min(k, n_hidden)))))


def _activation_range(activation: str, hs: list[np.ndarray], residual: bool) -> tuple[float, float]:
    if activation == "tanh" and not residual:
        return -1.0, 1.0
    if activation == "sigmoid" and not residual:
        return 0.0, 1.0
    finite = [h[np.isfinite(h)] for h in hs]
    top = max((np.quantile(np.abs(h), 0.99) for h in finite if h.size), default=1.0)
    top = top if np.isfinite(top) and top > 0 else 1.0
    return (0.0 if activation in ("relu", "sigmoid") else -top), top


def deep_signal(depth: int, width: int, activation: str, scheme: str, rng: np.random.Generator, *,
                sigma_w: float | None = None, residual: bool = False, batch: int = 256,
                slope_layer: int | None = None, bins: int = 40) -> DeepSignal:
    """Build a network (:func:`build_network`), push a batch forward and a random gradient back, measure.

    Notes
    -----
    The measured q_l and grad_l sit on the mean-field line when width and batch are large (Glorot & Bengio
    2010, Figure 6; He et al. 2015, Section 2.2). dL/d(output) is drawn N(0, 1) independently of the batch,
    so the backward pass shows what the layers do to any gradient.
    """
    net = build_network(depth, width, activation, scheme, rng, sigma_w=sigma_w, residual=residual)
    X = rng.normal(size=(_check_positive_int("batch", batch), width))  # (batch, width)
    trace = net.forward(X)
    grads = net.backward(trace, rng.normal(size=trace.output.shape))
    act = nn.ACTIVATIONS[activation]
    var_w = weight_variance(scheme, width, activation, sigma_w)
    theory = mean_field(depth, width, var_w, activation, residual=residual)
    layers = pick_layers(depth - 1)
    hs = [trace.activations[i - 1] for i in layers]
    lo, hi = _activation_range(activation, hs, residual)
    if activation == "relu":  # half of a ReLU's outputs are exactly 0: bin the rest, count the zeros
        zero = np.array([np.mean(h == 0) for h in hs])
        hs = [h[h != 0] for h in hs]
    else:
        zero = np.zeros(len(hs))
    hist = [histogram(h, bins, (lo, hi)) for h in hs]
    slope_layer = int(np.clip(slope_layer or 1, 1, depth - 1))
    u = trace.activation_inputs[slope_layer - 1]  # (batch, width)
    z_hist = histogram(u, bins)
    with np.errstate(**QUIET):
        slope_sq = float(np.mean(act.df(u) ** 2))
    return DeepSignal(
        var_w, np.array([second_moment(z) for z in trace.pre_activations]),
        np.array([second_moment(g) for g in grads.pre_activations]), theory,
        np.array([nn.saturation_fraction(activation, act.f(u)) for u in trace.activation_inputs]),
        np.array([nn.dead_fraction(activation, u) for u in trace.activation_inputs]),
        layers, hist[0].centers, np.array([h.density for h in hist]), zero, slope_layer, z_hist.centers,
        z_hist.density, act.df(z_hist.centers), slope_sq,
        activation_moments(activation, min(theory.q[slope_layer - 1], 1e300))[2],
    )  # fmt: skip


def critical_gain(activation: str) -> float:
    """The gain g = sigma_w sqrt(n) at which gradients neither vanish nor explode with depth (biases 0).

    Notes
    -----
    linear 1, ReLU sqrt(2) (He et al. 2015), leaky ReLU sqrt(2 / (1 + a^2)), tanh 1 (Poole et al. 2016:
    chi = g^2 E[tanh'(z)^2] = 1 at the fixed point q* = 0). Sigmoid never reaches q* = 0 (its mean is 1/2),
    so its g solves g^2 E[sigmoid'(z)^2] = 1 at the fixed point of the variance map, found by bisection.
    """
    if activation in ("linear", "tanh"):
        return 1.0
    if activation in ("relu", "leaky_relu"):
        return float(np.sqrt(2.0 / activation_moments(activation, 1.0)[2] / 2.0))
    lo, hi = 1.0, 20.0
    for _ in range(24):
        g = (lo + hi) / 2
        q = 1.0
        for _ in range(30):
            q = g**2 * activation_moments(activation, q)[1]
        lo, hi = (g, hi) if g**2 * activation_moments(activation, q)[2] < 1 else (lo, g)
    return float((lo + hi) / 2)


@dataclass(frozen=True)
class Goldilocks:
    """Measured E[z^2] and E[(dL/dz)^2] over a grid of gains g = sigma_w sqrt(n) and depths.

    gains: (G,); depths: (L,) 1..L; q: (G, L) E[z_l^2] of layer l = depth; grad: (G, L) E[(dL/dz)^2] after
    the gradient has come back through ``depth - 1`` layers from a depth-L output (entry 0 is the output);
    q_pred, grad_pred: the mean-field prediction on the same grid; critical: :func:`critical_gain`.
    """

    gains: np.ndarray
    depths: np.ndarray
    q: np.ndarray
    grad: np.ndarray
    q_pred: np.ndarray
    grad_pred: np.ndarray
    critical: float


def goldilocks(gains, depth: int, width: int, activation: str, rng: np.random.Generator, *,
               batch: int = 128) -> Goldilocks:
    """One "normal" network with std g / sqrt(width) per gain g; every depth is read off its layers.

    Notes
    -----
    The variance after l layers is about (g^2 c)^l: it stays near 1 only on the critical line g^2 c = 1.
    Overflowing values are returned as ``inf``, never NaN (see :func:`status`).
    """
    gains = np.asarray(gains, dtype=float)
    q, grad, q_pred, grad_pred = (np.empty((gains.size, depth)) for _ in range(4))
    for k, g in enumerate(gains):
        sigma_w = g / np.sqrt(width)
        net = build_network(depth, width, activation, "normal", rng, sigma_w=sigma_w)
        trace = net.forward(rng.normal(size=(batch, width)))
        grads = net.backward(trace, rng.normal(size=trace.output.shape))
        q[k] = [second_moment(z) for z in trace.pre_activations]
        grad[k] = [second_moment(d) for d in reversed(grads.pre_activations)]
        theory = mean_field(depth, width, sigma_w**2, activation)
        q_pred[k], grad_pred[k] = theory.q, theory.grad[::-1]
    return Goldilocks(gains, np.arange(1, depth + 1), q, grad, q_pred, grad_pred, critical_gain(activation))


@dataclass(frozen=True)
class TrainCurve:
    """Mini-batch MSE loss per step (steps,) of one scheme, NaN after a divergence."""

    scheme: str
    losses: np.ndarray
    diverged_step: int | None
    diverged_reason: str


def train_scheme(scheme: str, depth: int, width: int, activation: str, rng: np.random.Generator, *,
                 sigma_w: float = 0.01, steps: int = 300, lr: float = 0.01, n: int = 512, d: int = 8,
                 callback=None) -> TrainCurve:
    """Train a deep net (``depth - 1`` hidden layers of ``width``) on :func:`core.datasets.teacher_data`.

    SGD with momentum 0.9, mini-batches of 64 and MSE loss (:func:`core.nn.train`). ``rng`` is split with
    ``rng.spawn(3)``: child 0 draws the data, child 1 the initial weights, child 2 the mini-batches, so schemes
    given generators in the same state (``np.random.default_rng(seed)`` each) see the same data and
    mini-batches and differ only in how the weights are drawn.
    """
    data_rng, init_rng, batch_rng = rng.spawn(3)
    X, y = datasets.teacher_data(n, d, data_rng)
    gain = nn.calculate_gain(activation) if scheme == "orthogonal" else 1.0
    weight_variance(scheme, width, activation, sigma_w)
    net = nn.MLP.create([d, *[width] * (depth - 1), 1], activation=activation, init=_NN_SCHEME[scheme],
                        rng=init_rng, std=sigma_w if scheme == "normal" else None, gain=gain)
    run = nn.train(net, X, y, loss="mse", lr=lr, steps=steps, batch_size=64, momentum=0.9, rng=batch_rng,
                   callback=callback)
    return TrainCurve(scheme, run.losses, run.diverged_step, run.diverged_reason)


# --- Layers of unequal width: forward follows fan-in, backward follows fan-out -------------------------------

PROFILES = ("constant", "widening", "narrowing")
RULES = ("fan_in", "fan_out", "xavier")


def width_profile(kind: str, depth: int, *, narrow: int = 32, wide: int = 512) -> tuple[int, ...]:
    """The ``depth + 1`` widths n_0 (the input) ... n_L of a chain of ``depth`` layers.

    constant: every width sqrt(narrow * wide); widening: narrow -> wide, geometrically; narrowing: wide -> narrow.
    """
    depth = _check_positive_int("depth", depth)
    if kind not in PROFILES:
        raise ValueError(f"unknown width profile {kind!r}; choose one of {list(PROFILES)}")
    if kind == "constant":
        return (int(round(np.sqrt(narrow * wide))),) * (depth + 1)
    ws = np.round(np.geomspace(narrow, wide, depth + 1)).astype(int)
    return tuple(int(w) for w in (ws if kind == "widening" else ws[::-1]))


def rule_variances(widths, rule: str, gain: float = 1.0) -> np.ndarray:
    """Var(W_l) of every layer l = 1..L of a chain with ``widths`` (n_0 ... n_L) under a fan rule.

    Notes
    -----
    fan_in: gain^2 / n_{l-1} (LeCun 1998; He et al. 2015's forward condition); fan_out: gain^2 / n_l (He et al.
    2015's backward condition); xavier: 2 gain^2 / (n_{l-1} + n_l), the compromise (Glorot & Bengio 2010).
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {list(RULES)}")
    n_in, n_out = np.asarray(widths[:-1], dtype=float), np.asarray(widths[1:], dtype=float)
    base = {"fan_in": 1.0 / n_in, "fan_out": 1.0 / n_out, "xavier": 2.0 / (n_in + n_out)}[rule]
    return gain**2 * base


def chain_theory(widths, var_ws, activation: str, *, input_second_moment: float = 1.0) -> MeanField:
    """The mean-field variances of z_l (forward) and dL/dz_l (backward) through layers of any widths; the last
    layer is linear and Var(dL/d output) = 1.

    Notes
    -----
    Forward, each unit of layer l sums n_{l-1} terms (its fan-in): q_l = n_{l-1} Var(W_l) E[f(z_{l-1})^2]
    (E[x^2] for l = 1). Backward, dL/dh_l = (dL/dz_{l+1}) W_{l+1}^T sums n_{l+1} terms (the fan-out of layer
    l's units): Var(dL/dz_l) = n_{l+1} Var(W_{l+1}) E[f'(z_l)^2] Var(dL/dz_{l+1}) (He et al. 2015, Sec. 2.2).
    """
    widths, var_ws = [int(w) for w in widths], np.asarray(var_ws, dtype=float)
    depth = len(widths) - 1
    if var_ws.shape != (depth,):
        raise ValueError(f"need {depth} layer variances for {depth + 1} widths, got shape {var_ws.shape}")
    q, sq_df, p = np.empty(depth), np.ones(depth), float(input_second_moment)
    with np.errstate(**QUIET):
        for layer in range(depth):
            q[layer] = widths[layer] * var_ws[layer] * p
            if layer < depth - 1:
                _, p, sq_df[layer] = activation_moments(activation, min(q[layer], 1e300))
        grad = np.empty(depth)
        grad[-1] = 1.0
        for layer in reversed(range(depth - 1)):
            grad[layer] = widths[layer + 2] * var_ws[layer + 1] * sq_df[layer] * grad[layer + 1]  # z_layer's fan-out
    return MeanField(q, grad)


@dataclass(frozen=True)
class ChainSignal:
    """E[z_l^2] (q) and E[(dL/dz_l)^2] (grad), (L,) each, measured on one network and predicted (theory)."""

    widths: tuple[int, ...]
    var_w: np.ndarray
    q: np.ndarray
    grad: np.ndarray
    theory: MeanField


def chain_pass(Ws, X: np.ndarray, G: np.ndarray, activation: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward z_l = f(z_{l-1}) W_l (z_0 = X, the last layer linear) and backward from dL/d output = G.

    Returns ``(zs, grads)``: the pre-activations z_1..z_L and dL/dz_1..dL/dz_L (each (batch, n_l)), for the loss
    L = sum(output * G). dL/dX is ``grads[0] @ Ws[0].T``.
    """
    act = nn.ACTIVATIONS[activation]
    h, zs = X, []
    with np.errstate(**QUIET):
        for k, W in enumerate(Ws):
            zs.append(h @ W)                                   # (batch, n_l)
            h = act.f(zs[-1]) if k < len(Ws) - 1 else zs[-1]
        g, grads = G, []
        for k in reversed(range(len(Ws))):
            grads.append(g)
            if k:
                g = (g @ Ws[k].T) * act.df(zs[k - 1])           # (batch, n_{l-1})
    return zs, grads[::-1]


def chain_signal(widths, var_ws, activation: str, rng: np.random.Generator, *, batch: int = 256) -> ChainSignal:
    """One chain (:func:`chain_pass`) with W_l ~ N(0, var_ws[l]), a batch of N(0, 1) inputs forward and a N(0, 1)
    gradient dL/d output back; ``rng.spawn(2)``: weights, then data."""
    widths, var_ws = tuple(int(w) for w in widths), np.asarray(var_ws, dtype=float)
    theory = chain_theory(widths, var_ws, activation)
    w_rng, x_rng = rng.spawn(2)
    Ws = [w_rng.normal(0.0, np.sqrt(v), size=(a, b)) for v, a, b in zip(var_ws, widths[:-1], widths[1:], strict=True)]
    X = x_rng.normal(size=(_check_positive_int("batch", batch), widths[0]))
    zs, grads = chain_pass(Ws, X, x_rng.normal(size=(batch, widths[-1])), activation)
    return ChainSignal(widths, var_ws, np.array([second_moment(z) for z in zs]),
                       np.array([second_moment(d) for d in grads]), theory)


# --- Residual networks: skips add variance; scaled or zero-initialized branches keep it --------------------

RESIDUAL_VARIANTS = ("plain", "scaled", "zero")


def branch_scale(variant: str, blocks: int) -> float:
    """The factor alpha on each residual branch: plain 1, scaled 1/sqrt(L) (L blocks), zero: the branch's last
    layer starts at 0 (Fixup; Zhang et al. 2019), so alpha = 0 at initialization."""
    if variant not in RESIDUAL_VARIANTS:
        raise ValueError(f"unknown residual variant {variant!r}; choose one of {list(RESIDUAL_VARIANTS)}")
    return {"plain": 1.0, "scaled": 1.0 / np.sqrt(_check_positive_int("blocks", blocks)), "zero": 0.0}[variant]


def residual_theory(blocks: int, variant: str) -> MeanField:
    """Predicted E[h_l^2] after each block l = 1..L (q) and E[(dL/dh_{l-1})^2] entering each block (grad).

    Notes
    -----
    Block: h_l = h_{l-1} + alpha relu(h_{l-1} A_l) B_l with Var(A) = 2/n (He) and Var(B) = 1/n. The branch is
    uncorrelated with h (B has mean 0) and E[(branch)^2] = alpha^2 n (1/n) E[relu(u)^2] = alpha^2 E[h^2], so
    E[h_l^2] = (1 + alpha^2)^l with E[x^2] = 1; backward the same factor per block, from Var(dL/dh_L) = 1.
    Plain skips double per block; alpha = 1/sqrt(L) gives (1 + 1/L)^L < e; a zero last layer gives 1.
    """
    alpha = branch_scale(variant, blocks)
    layers = np.arange(1, blocks + 1)
    return MeanField((1 + alpha**2) ** layers, (1 + alpha**2) ** (blocks - layers + 1.0))


def residual_pass(A, B, X: np.ndarray, G: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Blocks h_l = h_{l-1} + relu(h_{l-1} A_l) B_l from h_0 = X, and back from dL/dh_L = G.

    Returns ``(hs, grads)``: h_1..h_L and dL/dh_0..dL/dh_{L-1} (the gradient entering each block), each
    (batch, width), for the loss L = sum(h_L * G).
    """
    h, us, hs = X, [], []
    with np.errstate(**QUIET):
        for a, b in zip(A, B, strict=True):
            us.append(h @ a)                                   # (batch, width)
            h = h + np.maximum(us[-1], 0.0) @ b
            hs.append(h)
        g, grads = G, []
        for a, b, u in zip(A[::-1], B[::-1], us[::-1], strict=True):
            g = g + ((g @ b.T) * (u > 0)) @ a.T                # dL/dh entering the block
            grads.append(g)
    return hs, grads[::-1]


def residual_signal(blocks: int, width: int, variant: str, rng: np.random.Generator, *,
                    batch: int = 256) -> ChainSignal:
    """Measure E[h_l^2] after each block and E[(dL/dh_{l-1})^2] entering it, for N(0, 1) inputs and a N(0, 1)
    gradient at the last block's output (see :func:`residual_theory`); ``rng.spawn(2)``: weights, then data.
    A ~ N(0, 2/n); B ~ N(0, alpha^2/n), or 0 for the "zero" variant. ``widths`` of the result is the constant
    width, ``var_w`` holds (Var(A), Var(B))."""
    blocks, width = _check_positive_int("blocks", blocks), _check_positive_int("width", width)
    alpha = branch_scale(variant, blocks)
    var_a, var_b = 2.0 / width, alpha**2 / width
    w_rng, x_rng = rng.spawn(2)
    A = [w_rng.normal(0.0, np.sqrt(var_a), size=(width, width)) for _ in range(blocks)]
    B = [w_rng.normal(0.0, np.sqrt(var_b), size=(width, width)) for _ in range(blocks)]
    X = x_rng.normal(size=(_check_positive_int("batch", batch), width))
    hs, grads = residual_pass(A, B, X, x_rng.normal(size=X.shape))
    return ChainSignal((width,) * (blocks + 1), np.array([var_a, var_b]), np.array([second_moment(v) for v in hs]),
                       np.array([second_moment(v) for v in grads]), residual_theory(blocks, variant))
