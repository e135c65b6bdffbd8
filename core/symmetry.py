"""Symmetry breaking in a 2 -> H -> 1 network: why identical hidden units stay identical, and how long
tiny differences take to grow.

A hidden unit i is described by its parameters ``theta_i = (w_i1, w_i2, b_i, v_i)``: the two incoming
weights (column i of ``W1``), its bias and its outgoing weight (row i of ``W2``). Training computes the
:mod:`core.nn` engine's forward pass and BCE loss with the same operations, except that the first layer's
product keeps identical units bitwise identical (:func:`symmetric_matmul`), as exact arithmetic does;
:func:`gradients` explains the backward pass.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core import datasets, nn, standardize
from core.numerics import QUIET

INITS = ("zeros", "constant", "zero_w_random_b", "normal", "identical_rows")
INIT_LABELS = {
    "zeros": "all zeros",
    "constant": "all weights = c",
    "zero_w_random_b": "zero W, random biases",
    "normal": "random N(0, σ²)",
    "identical_rows": "random, identical rows",
}
UNIT_COLUMNS = ("w1", "w2", "b", "v")
# Units closer than this (Euclidean distance between their theta) count as one unit.
DISTINCT_TOL = 1e-3


def make_data(dataset: str, n: int, rng: np.random.Generator, *, noise: float = 0.1):
    """A 2-D classification set from :data:`core.datasets.CLASSIFICATION_2D`, z-scored per feature
    (:func:`core.standardize.fit_standardizer`).

    Returns
    -------
    X : ndarray (n, 2), each column mean 0 and std 1 (ddof=0)
    y : ndarray (n,) float64 in {0, 1}
    """
    if dataset not in datasets.CLASSIFICATION_2D:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {sorted(datasets.CLASSIFICATION_2D)}")
    X, y = datasets.CLASSIFICATION_2D[dataset](n, rng, noise=noise)
    return standardize.fit_standardizer(X).transform(X), y.astype(float)


def init_network(
    init: str, H: int, activation: str, rng: np.random.Generator, *, sigma: float = 1.0, c: float = 0.5
) -> nn.MLP:
    """A 2 -> H -> 1 network with one of the page's initializations.

    Parameters
    ----------
    init : str
        ``"zeros"``: every weight and bias 0. ``"constant"``: every weight ``c``, biases 0.
        ``"zero_w_random_b"``: weights 0, biases N(0, 1). ``"normal"``: weights N(0, sigma^2), biases 0.
        ``"identical_rows"``: one random unit (w ~ N(0, 1), v ~ N(0, 1/H)) copied into all H.
    H : int
        Number of hidden units (>= 1).
    activation : str
        A key of :data:`core.nn.ACTIVATIONS`.
    rng : numpy.random.Generator
    sigma, c : float
        Used by "normal" and "constant".

    Notes
    -----
    Only "normal" (with sigma > 0) and "zero_w_random_b" start with units that differ.
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {list(INITS)}")
    sizes = [2, int(H), 1]
    if init in ("zeros", "zero_w_random_b"):
        net = nn.MLP.create(sizes, activation=activation, init="zeros", rng=rng)
        if init == "zero_w_random_b":
            net.biases = [rng.normal(size=b.shape) for b in net.biases]
        return net
    if init == "constant":
        return nn.MLP.create(sizes, activation=activation, init="constant", std=c, rng=rng)
    if init == "normal":
        return nn.MLP.create(sizes, activation=activation, init="normal", std=sigma, rng=rng)
    net = nn.MLP.create(sizes, activation=activation, init="zeros", rng=rng)
    w, v = rng.normal(size=(2, 1)), rng.normal(0.0, 1.0 / np.sqrt(H))
    net.weights = [np.repeat(w, H, axis=1), np.full((H, 1), v)]
    return net


def unit_params(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """theta: (..., H, 4), each hidden unit's (w1, w2, b, v); W1 (..., 2, H), b1 (..., H), W2 (..., H, 1)."""
    return np.concatenate([np.swapaxes(W1, -1, -2), b1[..., None], W2], axis=-1)


def direction_similarity(W) -> np.ndarray:
    """How alike the hidden units' incoming weight vectors point: ``|cos theta_ij|`` for every pair.

    Parameters
    ----------
    W : ndarray (n_in, H)
        Column j is hidden unit j's incoming weights (the engine's layout), finite.

    Returns
    -------
    S : ndarray (H, H)
        ``|w_i . w_j| / (||w_i|| ||w_j||)``: 1 on the diagonal, independent of each column's scale and sign.
        Never NaN: two all-zero units count as identical (1), an all-zero and another unit as unrelated (0).

    Raises
    ------
    ValueError
        If ``W`` is not a non-empty 2-D array or holds NaN or inf.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.size == 0:
        raise ValueError(f"W must be a non-empty 2-D array (n_in, H), got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError("W contains NaN or infinite values")
    big = np.abs(W).max(axis=0)  # (H,) dividing by it first keeps the norms from over- or underflowing
    V = W / np.where(big > 0, big, 1.0)
    norms = np.linalg.norm(V, axis=0)  # (H,) in [1, sqrt(n_in)], or 0 for an all-zero unit
    U = V / np.where(norms > 0, norms, 1.0)  # unit columns
    S = np.minimum(np.abs(U.T @ U), 1.0)  # (H, H)
    zero = norms == 0
    S[np.ix_(zero, zero)] = 1.0
    np.fill_diagonal(S, 1.0)
    return S


# Two units whose incoming weights are within this angle (degrees, sign-free) count as one direction.
DIRECTION_ANGLE = 5.0


def median_similarity(W) -> float:
    """The median ``|cos theta_ij|`` over pairs i < j of :func:`direction_similarity` (1.0 for a single unit).

    Near 1: the units point (almost) the same way, whatever their sizes; for H random directions in the plane
    the median is about cos 45 deg = 0.71.
    """
    S = direction_similarity(W)
    H = S.shape[0]
    return 1.0 if H == 1 else float(np.median(S[np.triu_indices(H, 1)]))


def effective_directions(W, angle: float = DIRECTION_ANGLE) -> float:
    """The effective number of distinct directions among the units: ``sum_i 1 / m_i``.

    ``m_i`` counts the units j (i itself included) with ``|cos theta_ij| >= cos(angle)``, angle in degrees.

    Notes
    -----
    k groups of units, each group within ``angle`` of itself and farther from the others, give exactly k, however
    many units each group holds: 16 copies of one direction count 1, 16 units in 16 separate directions count 16.
    Partial overlaps give a number in between (1 <= result <= H). It does not depend on the units' order (a
    greedy grouping would) or their sizes and signs. An eigenvalue-based count (the participation ratio of the
    |cos| matrix) is capped by the input dimension, 2 here, so it cannot tell 2 directions from 16.
    """
    if not 0 < angle < 90:
        raise ValueError(f"angle must be in (0, 90) degrees, got {angle}")
    S = direction_similarity(W)
    m = (S >= np.cos(np.radians(angle))).sum(axis=1)  # (H,) >= 1: the diagonal is 1
    return float((1.0 / m).sum())


def direction_history(theta: np.ndarray, angle: float = DIRECTION_ANGLE) -> tuple[np.ndarray, np.ndarray]:
    """:func:`median_similarity` and :func:`effective_directions` of the incoming weights at every record.

    theta (R, H, 4) as :class:`SymmetryRun` records it (columns w1, w2, b, v) -> (median (R,), directions (R,)).
    Records with non-finite weights (a diverged run) give NaN.
    """
    median, directions = np.full(len(theta), np.nan), np.full(len(theta), np.nan)
    for r, th in enumerate(theta):
        W = th[:, :2].T  # (2, H)
        if np.all(np.isfinite(W)):
            median[r], directions[r] = median_similarity(W), effective_directions(W, angle)
    return median, directions


def spread(theta: np.ndarray) -> np.ndarray:
    """max_{i<j} ||theta_i - theta_j||; theta (..., H, k) -> (...,). Exactly 0 when all units are equal."""
    return _distances(theta).max(axis=(-1, -2))


def _distances(theta: np.ndarray) -> np.ndarray:
    """(..., H, k) -> (..., H, H) Euclidean distances; inf (no warning) where a diverged run overflows."""
    with np.errstate(**QUIET):
        diff = theta[..., :, None, :] - theta[..., None, :, :]  # (..., H, H, k)
        return np.sqrt((diff**2).sum(axis=-1))


def distinct_units(theta: np.ndarray, tol: float = DISTINCT_TOL) -> np.ndarray:
    """How many units differ: unit i counts when it is farther than ``tol`` from every unit j < i.

    theta (..., H, k) -> (...,) int. Exactly identical units count once; 1 <= result <= H.
    """
    d = _distances(theta)  # (..., H, H)
    earlier = np.tri(theta.shape[-2], k=-1, dtype=bool)  # earlier[i, j]: j < i
    return (~np.any((d <= tol) & earlier, axis=-1)).sum(axis=-1)


def point_groups(points: np.ndarray, tol: float = DISTINCT_TOL) -> tuple[np.ndarray, np.ndarray]:
    """Units that sit on one point: (leaders, counts), each unit joined to the first unit within ``tol``.

    points (H, k) -> leaders (g,) indices of the first unit of each group, counts (g,) sizes summing to H.
    """
    d = _distances(points)  # (H, H)
    first = np.argmax(d <= tol, axis=1)  # the first unit within tol (itself at the latest)
    leaders, counts = np.unique(first, return_counts=True)
    return leaders, counts


def repulsion(W1: np.ndarray, lam: float, tau: float) -> tuple[float, np.ndarray]:
    """The "push the units apart" penalty and its gradient.

    Parameters
    ----------
    W1 : ndarray (2, H)
        Column i is unit i's incoming weights w_i.
    lam, tau : float
        Strength lambda >= 0 and length scale tau > 0.

    Returns
    -------
    P : float
        ``P = lam * sum_{i<j} exp(-||w_i - w_j||^2 / tau)``.
    dW1 : ndarray (2, H)
        ``dP/dw_i = -(2 lam / tau) * sum_j exp(-||w_i - w_j||^2 / tau) (w_i - w_j)``.

    Notes
    -----
    P is symmetric under any permutation of the units, so its gradient at w_i = w_j is exactly 0 there:
    it cannot split identical units, only push apart units that already differ.
    """
    if not (lam >= 0 and tau > 0):
        raise ValueError(f"need lam >= 0 and tau > 0, got {lam=}, {tau=}")
    diff = W1.T[:, None, :] - W1.T[None, :, :]  # (H, H, 2), w_i - w_j
    k = np.exp(-(diff**2).sum(axis=-1) / tau)  # (H, H), 1 on the diagonal
    P = lam * np.triu(k, 1).sum()  # not (k.sum() - H) / 2, which cancels away tiny terms
    grad = -(2 * lam / tau) * (k[:, :, None] * diff).sum(axis=1)  # (H, 2); the diagonal adds 0
    return float(P), grad.T


@dataclass(frozen=True, eq=False)
class SymmetryRun:
    """A training run seen through its hidden units.

    steps: (R,) recorded steps, the last is the step count after training;
    theta: (R, H, 4) every unit's (w1, w2, b, v) at those steps; spread: (R,); distinct: (R,) int;
    losses: (steps,) loss before each update (NaN after a divergence); net: the trained network;
    diverged_step: the step that broke (None if none), diverged_reason ("" if none).
    """

    steps: np.ndarray
    theta: np.ndarray
    spread: np.ndarray
    distinct: np.ndarray
    losses: np.ndarray
    net: nn.MLP
    diverged_step: int | None
    diverged_reason: str


def gradients(net: nn.MLP, trace: nn.Trace, d_out: np.ndarray, *, blas: bool = False) -> list[np.ndarray]:
    """dL/d[W1, W2, b1, b2] (the order of ``MLP.parameters``) for the 2 -> H -> 1 network.

    ``blas=True`` is ``net.backward`` (matrix products). The default computes the same sums with elementwise
    products and sums over samples, which round every unit's column identically.

    Notes
    -----
    Why not always ``net.backward``: the matrix-vector product ``h^T dL/dout`` for dL/dW2 is computed by
    BLAS in SIMD blocks, and when H is not a multiple of the block width the last rows are summed in
    another order. Identical units then get gradients that differ by ~1e-16 and, like any tiny
    difference, that difference grows. Exact arithmetic keeps identical units identical; so does this.
    """
    if blas:
        return net.backward(trace, d_out).as_list()
    mask = trace.dropout_masks[0] if trace.dropout_masks else None
    slope = nn.ACTIVATIONS[net.activation].df(trace.activation_inputs[0])
    return _elementwise_gradients(trace.inputs, trace.activations[0], slope, mask, d_out, net.weights[1])


# f'(z) from a = f(z), bit for bit what ACTIVATIONS[name].df(z) gives, without computing f(z) again
_SLOPE_FROM_OUTPUT = {"tanh": lambda a: 1.0 - a**2, "sigmoid": lambda a: a * (1.0 - a)}


def _elementwise_gradients(X, h, slope, mask, d_out, W2) -> list[np.ndarray]:
    """:func:`gradients` without BLAS: X (n, 2) inputs, h (n, H) activations (after dropout), slope (n, H) the
    activation's derivative at the pre-activations, mask (n, H) or None, d_out (n, 1), W2 (H, 1)."""
    dW2 = (h * d_out).sum(axis=0)[:, None]  # (H, 1)
    dh = d_out * W2[:, 0]  # (n, H), one product per entry
    if mask is not None:
        dh = dh * mask
    dz1 = dh * slope  # (n, H)
    dW1 = (X[:, :, None] * dz1[:, None, :]).sum(axis=0)  # (2, H)
    return [dW1, dW2, dz1.sum(axis=0), d_out.sum(axis=0)]


def symmetric_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` whose columns are bitwise identical wherever all of b's columns are identical.

    Identical columns of b (the incoming weights of identical hidden units) give one representative column,
    ``a @ b[:, :1]``, copied into every column; otherwise this is plain ``a @ b``.

    Notes
    -----
    BLAS may round identical columns of a product differently (edge columns take another kernel or another
    summation order), by about 1e-16. Training grows any difference between units, so that round-off would
    split units that exact arithmetic keeps identical.
    """
    if b.shape[1] > 1 and bool(np.all(b == b[:, :1])):
        return np.repeat(a @ b[:, :1], b.shape[1], axis=1)
    return a @ b


def _lean_step(net: nn.MLP, X: np.ndarray, y: np.ndarray, dropout: float, rng) -> tuple[float, list[np.ndarray]]:
    """The loss and :func:`gradients` (``blas=False``) of one step: the operations of ``net.forward``,
    ``nn.bce_with_logits`` and ``gradients``, in the same order, with the first product made by
    :func:`symmetric_matmul` and without per-step input checks or a Trace. X (n, 2) and y (n, 1) are checked
    once by the caller."""
    act = nn.ACTIVATIONS[net.activation]
    W1, W2 = net.weights
    with np.errstate(**QUIET):
        z = symmetric_matmul(X, W1) + net.biases[0]  # (n, H)
        h, mask = act.f(z), None
        slope = _SLOPE_FROM_OUTPUT[act.name](h) if act.name in _SLOPE_FROM_OUTPUT else act.df(z)
        if dropout > 0:
            mask = (rng.random(h.shape) >= dropout) / (1.0 - dropout)
            h = h * mask
        out = h @ W2 + net.biases[1]  # (n, 1): one output column, nothing to keep apart
        loss, d_out = nn.bce_unchecked(out, y)
        return loss, _elementwise_gradients(X, h, slope, mask, d_out, W2)


def train_units(
    net: nn.MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    steps: int,
    rng: np.random.Generator,
    batch_size: int | None = None,
    dropout: float = 0.0,
    lam: float = 0.0,
    tau: float = 1.0,
    record_every: int = 1,
    blas: bool = False,
    callback: Callable[[int, int], None] | None = None,
) -> SymmetryRun:
    """Train a copy of ``net`` on the BCE loss with (mini-batch) gradient descent and record every unit.

    Parameters
    ----------
    lr, steps : learning rate eta and number of updates.
    rng : mini-batches (``batch_size``; None is full-batch GD) and dropout masks.
    dropout : inverted dropout on the hidden layer (``net.forward``).
    lam, tau : the :func:`repulsion` penalty on the first layer (0 turns it off).
    record_every : record the units every k steps (the final state is always recorded).
    blas : use ``net.backward`` (see :func:`gradients`).

    Notes
    -----
    ``p <- p - eta * dL/dp`` for W1, W2, b1, b2, plus ``-eta * dP/dW1`` for the penalty. A step whose loss
    or gradient is not finite stops the run (that update is not applied). Without ``blas`` each step computes
    what ``net.forward``, ``nn.bce_with_logits`` and :func:`gradients` would, in the same order, with the inputs
    checked once rather than at every step; only the first product differs, and only for identical units,
    which :func:`symmetric_matmul` keeps bitwise identical. With ``blas`` they may split by round-off.
    """
    if not (np.isfinite(lr) and lr > 0) or int(steps) != steps or steps < 0 or record_every < 1:
        raise ValueError(f"need lr > 0, an integer steps >= 0 and record_every >= 1, got {lr=}, {steps=}, "
                         f"{record_every=}")
    if len(net.weights) != 2 or net.sizes[-1] != 1 or net.batchnorm or any(net.skips):
        raise ValueError(f"train_units trains an n -> H -> 1 network without BatchNorm or skips, got {net.sizes}")
    net, X, y = net.copy(), np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if not blas:   # the checks that net.forward and nn.bce_with_logits would make at every step, made once
        net.forward(X[:1])
        nn.bce_with_logits(np.zeros((len(X), 1)), y)
        if not 0.0 <= dropout < 1.0 or (dropout > 0 and not isinstance(rng, np.random.Generator)):
            raise ValueError(f"dropout must be in [0, 1) and needs rng=np.random.default_rng(seed), got {dropout}")
    y2 = y.reshape(-1, 1)
    losses, recorded, snapshots, stop = np.full(int(steps), np.nan), [], [], None
    for t in range(int(steps)):
        idx = slice(None) if batch_size is None else rng.choice(len(X), size=int(batch_size), replace=False)
        if blas:
            trace = net.forward(X[idx], dropout=dropout, rng=rng)
            losses[t], d_out = nn.bce_with_logits(trace.output, y[idx])
            g = gradients(net, trace, d_out, blas=True)
        else:
            losses[t], g = _lean_step(net, X[idx], y2[idx], dropout, rng)
        if lam > 0:
            g[0] = g[0] + repulsion(net.weights[0], lam, tau)[1]
        if not (np.isfinite(losses[t]) and all(gi.all() for gi in map(np.isfinite, g))):
            stop = t
            break
        if t % record_every == 0:
            recorded.append(t)
            snapshots.append(unit_params(net.weights[0], net.biases[0], net.weights[1]))
        for p, gi in zip(net.parameters(), g, strict=True):
            p -= lr * gi
        if callback is not None:
            callback(t + 1, int(steps))
    recorded.append(int(steps) if stop is None else stop)
    snapshots.append(unit_params(net.weights[0], net.biases[0], net.weights[1]))
    theta = np.stack(snapshots)  # (R, H, 4)
    return SymmetryRun(np.array(recorded), theta, spread(theta), distinct_units(theta), losses, net, stop,
                       "" if stop is None else f"loss or gradient became non-finite at step {stop}")


def break_out_step(
    net: nn.MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float,
    delta: float,
    max_steps: int,
    rng: np.random.Generator,
    batch_size: int | None = None,
    chunk: int = 20,
) -> int | None:
    """The first step at which the units' spread reaches ``delta`` (None if not within ``max_steps``).

    Trains in chunks (``chunk`` steps, then doubling) and stops early; plain (mini-batch) SGD has no state beyond the
    parameters and ``rng``, so the chunks make exactly the same run as one call.
    """
    done = 0
    while done <= max_steps:
        n = min(max(chunk, done), max_steps - done)  # chunks double: few wasted steps, few restarts
        run = train_units(net, X, y, lr=lr, steps=n, rng=rng, batch_size=batch_size)
        hit = np.flatnonzero(run.spread >= delta)
        if hit.size:
            return done + int(run.steps[hit[0]])
        if run.diverged_step is not None or n == 0:
            return None
        net, done = run.net, done + n
    return None


def fit_log_line(eps: np.ndarray, steps: np.ndarray) -> tuple[float, float, float]:
    """Least-squares line ``steps = intercept + slope * log10(1/eps)``; returns (slope, intercept, R^2).

    Points with a NaN step (never broke out) are left out; NaNs come back if fewer than 2 remain.
    """
    x, t = np.log10(1.0 / np.asarray(eps, dtype=float)), np.asarray(steps, dtype=float)
    ok = np.isfinite(t)
    if ok.sum() < 2:
        return np.nan, np.nan, np.nan
    slope, intercept = np.polyfit(x[ok], t[ok], 1)
    resid = t[ok] - (intercept + slope * x[ok])
    total = ((t[ok] - t[ok].mean()) ** 2).sum()
    return float(slope), float(intercept), float(1.0 - (resid**2).sum() / total) if total > 0 else 1.0


def growth_factor(X: np.ndarray, y: np.ndarray, *, activation: str, lr: float) -> float | None:
    """Predicted per-step growth of tiny weights (and of the differences between units) near 0.

    Returns ``rho = 1 + lr * f'(0) * ||c||`` with ``c = X^T y / n``; None for ReLU (f'(0) undefined).

    Notes
    -----
    Near theta = 0 the BCE gradient is linear in each unit's parameters: with X centred,
    ``w_i <- w_i + lr f'(0) v_i c`` and ``v_i <- v_i + lr f'(0) (w_i . c)``, whose fastest mode grows by
    ``1 + lr f'(0) ||c||`` per step. A difference of size eps therefore needs about
    ``ln(delta / eps) / ln(rho)`` steps to reach delta: ``ln(10) / ln(rho)`` steps per decade of 1/eps
    (Saxe et al. 2014 derive the same escape from the origin for deep linear networks).
    """
    slope0 = {"tanh": 1.0, "sigmoid": 0.25, "linear": 1.0}.get(activation)
    if slope0 is None:
        return None
    c = X.T @ y / len(X)  # (2,)
    return float(1.0 + lr * slope0 * np.linalg.norm(c))


@dataclass(frozen=True, eq=False)
class EpsilonLab:
    """Break-out steps over a sweep of initial sizes.

    eps: (k,) initial std of every weight; steps: (k,) first step with spread >= delta (NaN if never);
    slope, intercept, r2: the fitted line steps = intercept + slope * log10(1/eps);
    slope_predicted: ln(10) / ln(growth_factor), NaN when there is no prediction.
    """

    eps: np.ndarray
    steps: np.ndarray
    delta: float
    slope: float
    intercept: float
    r2: float
    slope_predicted: float


def eps_break_out(
    X: np.ndarray, y: np.ndarray, eps: float, *, H: int, activation: str, lr: float, rng: np.random.Generator,
    delta: float = 0.1, max_steps: int = 3000, batch_size: int | None = None,
) -> float:
    """One point of the eps-lab: every weight N(0, eps^2), the break-out step (NaN if none).

    ``rng`` is split with ``rng.spawn(2)``: child 0 draws the initial weights, child 1 the mini-batches.
    Generators in the same state (``np.random.default_rng(seed)`` each) give every eps the same draw, only
    scaled, so eps alone changes between points.
    """
    init_rng, train_rng = rng.spawn(2)
    net = init_network("normal", H, activation, init_rng, sigma=float(eps))
    hit = break_out_step(net, X, y, lr=lr, delta=delta, max_steps=max_steps, rng=train_rng,
                         batch_size=batch_size)
    return np.nan if hit is None else float(hit)


def summarize_lab(X, y, eps, steps, *, activation: str, lr: float, delta: float) -> EpsilonLab:
    """The fitted line through measured break-out steps, and the slope :func:`growth_factor` predicts."""
    eps, steps = np.asarray(eps, dtype=float), np.asarray(steps, dtype=float)
    rho = growth_factor(X, y, activation=activation, lr=lr)
    predicted = np.log(10.0) / np.log(rho) if rho is not None and rho > 1 else np.nan
    return EpsilonLab(eps, steps, delta, *fit_log_line(eps, steps), float(predicted))


def epsilon_lab(
    X: np.ndarray,
    y: np.ndarray,
    *,
    eps_values,
    H: int,
    activation: str,
    lr: float,
    rng: np.random.Generator,
    delta: float = 0.1,
    max_steps: int = 3000,
    batch_size: int | None = None,
    callback: Callable[[int, int], None] | None = None,
) -> EpsilonLab:
    """:func:`eps_break_out` for every eps, then :func:`summarize_lab`.

    Every eps gets a copy of ``rng`` in the state it was passed, so every point starts from the same draw,
    only scaled, and equals ``eps_break_out(..., rng=np.random.default_rng(seed))`` when ``rng`` is that
    generator. ``callback(i, k)`` is called after each of the k runs (a progress bar).
    """
    eps = np.asarray(eps_values, dtype=float)
    steps = np.full(len(eps), np.nan)
    for i, e in enumerate(eps):
        steps[i] = eps_break_out(X, y, e, H=H, activation=activation, lr=lr, rng=copy.deepcopy(rng), delta=delta,
                                 max_steps=max_steps, batch_size=batch_size)
        if callback is not None:
            callback(i + 1, len(eps))
    return summarize_lab(X, y, eps, steps, activation=activation, lr=lr, delta=delta)


PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


def _named(arrays: list[np.ndarray]) -> dict[str, np.ndarray]:
    """[W1, W2, b1, b2] (the order of ``MLP.parameters``) as a dict keyed by PARAMETER_NAMES."""
    return dict(zip(PARAMETER_NAMES, (arrays[0], arrays[2], arrays[1], arrays[3]), strict=True))


def first_gradients(net: nn.MLP, X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """The full-batch BCE gradient at the starting point, by parameter: W1 (2, H), b1 (H,), W2 (H, 1), b2 (1,).

    Notes
    -----
    With all weights 0: dL/dW1 = X^T (delta * f'(z)) with delta = dL/dh = dL/dout * W2^T = 0, so W1 and b1
    get exactly 0; dL/dW2 = h^T dL/dout with h = f(0), which is 0 for tanh and ReLU.
    """
    trace = net.forward(X)
    _, d_out = nn.bce_with_logits(trace.output, y)
    return _named(net.backward(trace, d_out).as_list())


def parameter_change(before: nn.MLP, after: nn.MLP) -> dict[str, float]:
    """max |after - before| per parameter (W1, b1, W2, b2); exactly 0.0 means the parameter never moved."""
    return {k: float(np.max(np.abs(a - b))) for (k, a), b in
            zip(_named(after.parameters()).items(), _named(before.parameters()).values(), strict=True)}


def decision_grid(net: nn.MLP, X: np.ndarray, n: int = 40, margin: float = 0.5):
    """P(class 1) on an n x n grid covering the data: (x1 (n*n,), x2 (n*n,), p (n*n,))."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    grid = np.column_stack([g1.ravel(), g2.ravel()])  # (n*n, 2)
    with np.errstate(**QUIET):
        p = 1.0 / (1.0 + np.exp(-net.predict(grid)[:, 0]))
    return grid[:, 0], grid[:, 1], p


def accuracy(net: nn.MLP, X: np.ndarray, y: np.ndarray) -> float:
    """The share of points on the right side of the decision boundary (logit > 0 means class 1)."""
    with np.errstate(**QUIET):
        return float(np.mean((net.predict(X)[:, 0] > 0) == (np.asarray(y) == 1)))


@dataclass(frozen=True, eq=False)
class Curve:
    """A run seen at checkpoints: steps (k,); accuracy (k,); median (k,) :func:`median_similarity` and
    directions (k,) :func:`effective_directions` of the incoming weights (NaN after a divergence); net: the
    network at the last checkpoint."""

    steps: np.ndarray
    accuracy: np.ndarray
    median: np.ndarray
    directions: np.ndarray
    net: nn.MLP


def train_curve(net: nn.MLP, X: np.ndarray, y: np.ndarray, *, lr: float, checkpoints, rng: np.random.Generator,
                **train) -> Curve:
    """:func:`train_units` up to each checkpoint in turn (increasing step counts, 0 allowed), measuring accuracy
    and directions there. ``train``: further keyword arguments of :func:`train_units` (batch_size, dropout,
    lam, tau).

    The chunks make exactly the run of one call (the same updates, the same ``rng`` draws in the same order).
    """
    checkpoints = np.asarray(checkpoints, dtype=int)
    if checkpoints.ndim != 1 or np.any(np.diff(checkpoints) <= 0) or checkpoints[0] < 0:
        raise ValueError(f"checkpoints must be increasing step counts >= 0, got {checkpoints}")
    acc, med, ndir, done, diverged = [], [], [], 0, False
    for t in checkpoints:
        if t > done:
            run = train_units(net, X, y, lr=lr, steps=int(t - done), rng=rng, record_every=int(t - done), **train)
            net, done = run.net, int(t)
            diverged = diverged or run.diverged_step is not None
        W = net.weights[0]
        ok = not diverged and bool(np.all(np.isfinite(W)))
        acc.append(accuracy(net, X, y) if ok else np.nan)
        med.append(median_similarity(W) if ok else np.nan)
        ndir.append(effective_directions(W) if ok else np.nan)
    return Curve(checkpoints, np.array(acc), np.array(med), np.array(ndir), net)
