"""The experiments of the BatchNorm page, built on :mod:`core.batchnorm` and the :mod:`core.nn` engine.

Each function returns a frozen dataclass of arrays; the page only draws them. Randomness comes from the
``rng`` passed in; a training run splits it into three streams (data, initial weights, mini-batch order), so
"BN off" and "BN on", given generators in the same state, see the same data, initial weights and mini-batches.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core import batchnorm as bn
from core import datasets, nn
from core.numerics import QUIET, diverged

EPS = 1e-5
PERCENTILES = (15.0, 50.0, 85.0)  # as in Ioffe & Szegedy (2015), Figure 1

# What "momentum" means in each library, and which batch variance goes into the running estimate.
CONVENTIONS = {
    "pytorch": {"label": "PyTorch: momentum 0.1, unbiased var (÷(m−1))", "weight_new": 0.1, "unbiased": True},
    "biased": {"label": "momentum 0.1, biased var (÷m)", "weight_new": 0.1, "unbiased": False},
    "keras": {"label": "Keras: momentum 0.99 (= PyTorch 0.01), biased var", "weight_new": 0.01,
              "unbiased": False},
}


# ---------------------------------------------------------------------------------------------------------
# One unit, one mini-batch: the transform step by step
# ---------------------------------------------------------------------------------------------------------


def identity_gamma_beta(x, *, eps: float = EPS) -> tuple[float, float]:
    """The gamma and beta that make BatchNorm give its input back.

    Returns ``(gamma, beta) = (sqrt(var_B + eps), mu_B)`` for the mini-batch ``x`` (m,).

    Notes
    -----
    ``gamma * (x - mu_B) / sqrt(var_B + eps) + beta = x`` for these values and this batch only (Ioffe &
    Szegedy 2015, section 3, with whole-training-set statistics): another batch has its own mu_B and var_B, so
    the same pair does not give it back (:func:`undo_gaps`).
    """
    s = bn.batchnorm_steps(np.asarray(x, dtype=float), 1.0, 0.0, eps=eps)
    return float(s.std), float(s.mu)


def undo_gaps(x_a, x_b, *, eps: float = EPS) -> tuple[float, float]:
    """``max |y - x|`` on two mini-batches of one unit, with gamma and beta set to undo batch ``x_a``.

    Returns ``(gap_a, gap_b)``: gap_a is 0 up to rounding; gap_b is not, unless ``x_b`` happens to have the
    same mean and (biased) variance as ``x_a``.

    Notes
    -----
    gamma and beta are constants, while mu_B and sigma_B change from batch to batch: on ``x_b`` the output is
    ``x_b`` shifted by ``mu_a - mu_b`` and scaled about its mean by ``sigma_a / sigma_b``, not ``x_b``. So the
    undo is exact only for the statistics of the batch it was fitted to.
    """
    gamma, beta = identity_gamma_beta(x_a, eps=eps)
    return transform(x_a, gamma, beta, eps=eps)[1], transform(x_b, gamma, beta, eps=eps)[1]


def transform(x, gamma: float, beta: float, *, eps: float = EPS) -> tuple[bn.BatchNormSteps, float]:
    """The steps of BatchNorm on one unit's mini-batch ``x`` (m,), and ``max |y - x|``.

    The second value is 0 up to rounding exactly when ``(gamma, beta)`` is :func:`identity_gamma_beta`.
    """
    x = np.asarray(x, dtype=float)
    steps = bn.batchnorm_steps(x, gamma, beta, eps=eps)
    return steps, float(np.abs(steps.out - x).max())


# ---------------------------------------------------------------------------------------------------------
# Batch size and noise in mu_B and sigma_B
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchStatSpread:
    """Spread of the batch statistics across many mini-batches, for each batch size.

    batch_sizes: (k,); mu_B, sigma_B: (k, n_batches) the batch mean and biased batch std of each batch;
    mu_sd, sigma_sd: (k,) their standard deviations across batches (ddof=1);
    mu_sd_theory, sigma_sd_theory: (k,) the predictions :func:`mu_b_sd` and :func:`sigma_b_sd`.
    """

    batch_sizes: np.ndarray
    mu_B: np.ndarray
    sigma_B: np.ndarray
    mu_sd: np.ndarray
    sigma_sd: np.ndarray
    mu_sd_theory: np.ndarray
    sigma_sd_theory: np.ndarray


def mu_b_sd(m, sigma: float = 1.0):
    """Standard deviation of the batch mean over mini-batches of m samples: ``sigma / sqrt(m)``."""
    return sigma / np.sqrt(np.asarray(m, dtype=float))


def sigma_b_sd(m: int, sigma: float = 1.0) -> float:
    """Standard deviation of the biased batch std ``sigma_B`` (divide by m) for m normal samples.

    Notes
    -----
    With ``s`` the unbiased sample std, ``E[s] = c4(m) sigma`` where
    ``c4(m) = sqrt(2 / (m - 1)) * Gamma(m / 2) / Gamma((m - 1) / 2)``, so ``sd(s) = sigma sqrt(1 - c4^2)``,
    and ``sigma_B = sqrt((m - 1) / m) s``. For large m this is about ``sigma / sqrt(2 m)``. With m = 1,
    ``sigma_B = 0`` always (spread 0).
    """
    if m < 2:
        return 0.0
    log_c4 = 0.5 * math.log(2.0 / (m - 1)) + math.lgamma(m / 2) - math.lgamma((m - 1) / 2)
    return float(sigma * math.sqrt((m - 1) / m) * math.sqrt(max(1.0 - math.exp(2 * log_c4), 0.0)))


def batch_stat_spread(batch_sizes, *, n_batches: int, rng: np.random.Generator, mu: float = 0.0,
                      sigma: float = 1.0) -> BatchStatSpread:
    """Draw ``n_batches`` mini-batches of each size from N(mu, sigma^2) and measure mu_B and sigma_B.

    Notes
    -----
    The batch mean is the average of m independent draws, so ``sd(mu_B) = sigma / sqrt(m)``; sigma_B's spread
    is :func:`sigma_b_sd`. This is the noise BatchNorm injects: every sample is normalized with statistics
    that wobble from batch to batch, more so for small batches.
    """
    sizes = np.asarray(batch_sizes, dtype=int)
    if sizes.ndim != 1 or sizes.size == 0 or sizes.min() < 1 or n_batches < 2:
        raise ValueError("batch_sizes must be a non-empty list of positive integers and n_batches >= 2")
    mus, sds = [], []
    for m in sizes:
        x = rng.normal(mu, sigma, size=(n_batches, m))  # one row per mini-batch
        mus.append(x.mean(axis=1))
        sds.append(x.std(axis=1))  # biased (÷m), as BatchNorm normalizes
    mu_B, sigma_B = np.array(mus), np.array(sds)
    return BatchStatSpread(sizes, mu_B, sigma_B, mu_B.std(axis=1, ddof=1), sigma_B.std(axis=1, ddof=1),
                           mu_b_sd(sizes, sigma), np.array([sigma_b_sd(int(m), sigma) for m in sizes]))


def tiny_batch_x_hat(m: int, n_batches: int, rng: np.random.Generator, *, eps: float = EPS) -> np.ndarray:
    """x_hat for ``n_batches`` mini-batches of m samples from N(0, 1): shape (n_batches, m).

    Notes
    -----
    m = 1: ``x - mu_B = 0``, so ``x_hat = 0`` whatever the input (the unit carries no information).
    m = 2: ``x - mu_B = +-d/2`` and ``var_B = d^2 / 4`` for the gap d, so
    ``x_hat = +-1 / sqrt(1 + 4 eps / d^2)``, essentially +-1: only the order of the two samples survives.
    """
    x = rng.normal(size=(n_batches, m))
    return np.stack([bn.batchnorm_steps(row, 1.0, 0.0, eps=eps).x_hat for row in x])


# ---------------------------------------------------------------------------------------------------------
# Running statistics and their conventions
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningStats:
    """Running estimates over training steps for one convention.

    running_mean, running_var: (steps + 1,), row 0 the starting values (0 and 1, as PyTorch);
    batch_mean, batch_var: (steps,) the biased statistics of each mini-batch (what training normalizes with);
    true_mean, true_var: the population values; target_var: what the running variance settles at on average
    (``true_var`` with the unbiased batch variance, ``true_var * (m - 1) / m`` with the biased one).
    """

    running_mean: np.ndarray
    running_var: np.ndarray
    batch_mean: np.ndarray
    batch_var: np.ndarray
    true_mean: float
    true_var: float
    target_var: float

    def settled_var(self) -> float:
        """Mean running variance over the second half of the steps, once the start value is forgotten."""
        return float(self.running_var[len(self.running_var) // 2:].mean())


def running_stats(convention: str, *, batch_size: int, steps: int, rng: np.random.Generator,
                  mu: float = 3.0, sigma: float = 2.0) -> RunningStats:
    """Feed ``steps`` mini-batches from N(mu, sigma^2) through a convention's running-statistics update.

    Parameters
    ----------
    convention : {"pytorch", "biased", "keras"}
        See :data:`CONVENTIONS`; each uses :func:`core.batchnorm.update_running_stats`.
    batch_size : int (>= 2)
    steps : int
    rng : numpy.random.Generator
    mu, sigma : float
        The population the unit's pre-activations come from.

    Notes
    -----
    ``new = (1 - w) * old + w * batch_stat`` with w = 0.1 (PyTorch) or w = 1 - 0.99 = 0.01 (Keras, whose
    ``momentum`` weighs the *old* value). The estimate forgets its start like ``(1 - w)^t``; averaged over
    batches it settles at E[batch_stat]: sigma^2 for the unbiased variance, sigma^2 (m - 1) / m for the
    biased one.
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; choose one of {list(CONVENTIONS)}")
    if int(batch_size) != batch_size or batch_size < 2 or steps < 1:
        raise ValueError(f"need batch_size >= 2 and steps >= 1, got {batch_size=}, {steps=}")
    c = CONVENTIONS[convention]
    x = rng.normal(mu, sigma, size=(steps, int(batch_size), 1))  # (steps, m, one unit)
    means, variances = [np.zeros(1)], [np.ones(1)]
    for xb in x:
        mean, var = bn.update_running_stats(means[-1], variances[-1], xb, momentum=c["weight_new"],
                                            unbiased=c["unbiased"])
        means.append(mean)
        variances.append(var)
    m = int(batch_size)
    target = sigma**2 if c["unbiased"] else sigma**2 * (m - 1) / m
    return RunningStats(np.concatenate(means), np.concatenate(variances), x[:, :, 0].mean(axis=1),
                        x[:, :, 0].var(axis=1), float(mu), float(sigma**2), float(target))


# ---------------------------------------------------------------------------------------------------------
# Scale invariance: BN((aW)u) = BN(Wu)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleInvariance:
    """BN((aW)u) against BN(Wu) for several a.

    scales: (k,) the factors a; out_diff: (k,) max |BN((aW)u) - BN(Wu)| with the given eps;
    out_diff_eps0: (k,) the same with eps = 0 (exact invariance, up to rounding);
    grad_ratio: (k,) ||dL/d(aW)|| / ||dL/dW|| (eps = 0), predicted 1/a.
    """

    scales: np.ndarray
    out_diff: np.ndarray
    out_diff_eps0: np.ndarray
    grad_ratio: np.ndarray

    @property
    def grad_ratio_theory(self) -> np.ndarray:
        """The predicted gradient ratio, 1/a."""
        return 1.0 / self.scales


def _bn_layer(u, W, d_out, eps):
    """BN(u @ W) with gamma = 1, beta = 0, and dL/dW for L = sum(out * d_out)."""
    ones, zeros = np.ones(W.shape[1]), np.zeros(W.shape[1])
    out, cache = bn.batchnorm_forward(u @ W, ones, zeros, eps=eps)
    dz, _, _ = bn.batchnorm_backward(d_out, cache)
    return out, u.T @ dz  # (m, d_out), (fan_in, fan_out)


def scale_invariance(scales, *, rng: np.random.Generator, m: int = 64, fan_in: int = 10, fan_out: int = 5,
                     eps: float = EPS) -> ScaleInvariance:
    """Measure how little BatchNorm cares about the scale of the weights before it.

    Notes
    -----
    ``BN((aW)u) = BN(Wu)`` for any a > 0, because the batch mean and std of ``a z`` are ``a mu`` and
    ``a sigma``: the factor cancels (exactly with eps = 0; with eps > 0 up to about ``eps / var``).
    The gradient then shrinks as ``dL/d(aW) = (1/a) dL/dW``: larger weights get smaller updates, which is
    why BatchNorm stabilizes training when the weights grow (Ioffe & Szegedy 2015, section 3.3).
    """
    u = rng.normal(size=(m, fan_in))  # (m, fan_in) the layer's input
    W = rng.normal(size=(fan_in, fan_out)) / np.sqrt(fan_in)
    d_out = rng.normal(size=(m, fan_out))  # an arbitrary upstream gradient
    ref, ref0 = _bn_layer(u, W, d_out, eps)[0], _bn_layer(u, W, d_out, 0.0)
    diffs, diffs0, ratios = [], [], []
    for a in np.asarray(scales, dtype=float):
        if not (np.isfinite(a) and a > 0):
            raise ValueError(f"scales must be positive and finite, got {a}")
        diffs.append(np.abs(_bn_layer(u, a * W, d_out, eps)[0] - ref).max())
        out0, grad0 = _bn_layer(u, a * W, d_out, 0.0)
        diffs0.append(np.abs(out0 - ref0[0]).max())
        ratios.append(np.linalg.norm(grad0) / np.linalg.norm(ref0[1]))
    return ScaleInvariance(np.asarray(scales, float), np.array(diffs), np.array(diffs0), np.array(ratios))


# ---------------------------------------------------------------------------------------------------------
# Training with BN off and on
# ---------------------------------------------------------------------------------------------------------

N_SAMPLES, DIM, N_CLASSES = 2000, 20, 10
INIT_FOR = {"relu": "he_normal", "sigmoid": "xavier_normal", "tanh": "xavier_normal"}


@dataclass(frozen=True)
class Data:
    """The harder data set (train/test split): X_train (n, DIM), y_train (n,) labels, X_test, y_test."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_data(rng: np.random.Generator) -> Data:
    """:func:`core.datasets.harder_data` with N_SAMPLES samples, DIM features and N_CLASSES classes."""
    X_train, X_test, y_train, y_test = datasets.harder_data(rng, n=N_SAMPLES, dim=DIM, n_classes=N_CLASSES)
    return Data(X_train, y_train, X_test, y_test)


@dataclass(frozen=True)
class Run:
    """One training run of a sigmoid MLP on :func:`core.datasets.harder_data`.

    losses, accuracy: (steps,) mini-batch loss and accuracy before each update (NaN after a divergence);
    diverged_step: the step whose loss broke, else None;
    probe_steps: (n_probes,) steps at which the network was probed (empty without probes);
    percentiles: (n_probes, 3) the 15th/50th/85th percentiles of one unit's sigmoid input u over the test set;
    test_loss_train_mode, test_loss_eval_mode: (n_probes,) test loss with BatchNorm using batch statistics
    (mini-batches of ``batch_size``) and running statistics (equal without BatchNorm).
    """

    losses: np.ndarray
    accuracy: np.ndarray
    diverged_step: int | None
    probe_steps: np.ndarray
    percentiles: np.ndarray
    test_loss_train_mode: np.ndarray
    test_loss_eval_mode: np.ndarray


def make_net(rng: np.random.Generator, *, batchnorm: bool, width: int = 64, depth: int = 3,
             init_scale: float = 1.0, activation: str = "sigmoid") -> nn.MLP:
    """An MLP ``DIM -> width x depth -> N_CLASSES`` with weights drawn from ``rng``: sigmoid (or tanh) with
    Xavier-normal weights, or ReLU with He-normal weights (:data:`INIT_FOR`).

    ``init_scale`` multiplies the hidden layers' weights (sigma_w x a). The output layer, which has no
    BatchNorm after it, keeps its Xavier scale. BatchNorm draws nothing, so BN on and off get the same
    weights from generators in the same state.
    """
    net = nn.MLP.create([DIM, *[int(width)] * int(depth), N_CLASSES], activation=activation,
                        init=INIT_FOR.get(activation, "xavier_normal"), rng=rng, batchnorm=batchnorm)
    for W in net.weights[:-1]:
        W *= init_scale
    return net


def train_run(rng: np.random.Generator, *, batchnorm: bool, lr: float, steps: int = 300, width: int = 64,
              depth: int = 3, batch_size: int = 32, init_scale: float = 1.0, bn_momentum: float = 0.1,
              activation: str = "sigmoid", probe_every: int | None = None,
              callback: Callable[[int, int], None] | None = None) -> Run:
    """Train :func:`make_net` with plain SGD on :func:`core.datasets.harder_data` (softmax cross-entropy).

    Parameters
    ----------
    rng : numpy.random.Generator
        Split with ``rng.spawn(3)``: child 0 draws the data, child 1 the initial weights, child 2 the
        mini-batches. Runs given generators in the same state (``np.random.default_rng(seed)`` each) see the
        same data, initial weights and mini-batches.
    batchnorm, lr, steps, width, depth, batch_size, init_scale, bn_momentum, activation
        The run's settings; ``bn_momentum`` is PyTorch's (weight of the new batch statistic); ``activation``
        picks the network of :func:`make_net` (sigmoid, as Ioffe & Szegedy's Figure 1, or ReLU).
    probe_every : int, optional
        Probe the network every this many steps (and at the end): percentiles of the last hidden layer's
        first unit's sigmoid input, and the test loss in train and eval mode. None: no probes.
    callback : callable, optional
        ``callback(step, steps)`` after each step (a progress bar).

    Notes
    -----
    With probes the run is split into chunks of ``probe_every`` steps, each a call to
    :func:`core.nn.train` continuing from the last one with the same mini-batch stream; with plain SGD
    (no momentum) that is the same run as one call.
    """
    data_rng, init_rng, batch_rng = rng.spawn(3)
    data = load_data(data_rng)
    net = make_net(init_rng, batchnorm=batchnorm, width=width, depth=depth, init_scale=init_scale,
                   activation=activation)
    chunk = int(probe_every) if probe_every else int(steps)
    losses, acc, probes, done, diverged = [], [], [], 0, None
    while done < steps and diverged is None:
        n = min(chunk, steps - done)
        if probe_every:
            probes.append((done, *_probe(net, data, batch_size)))
        r = nn.train(net, data.X_train, data.y_train, loss="softmax_ce", lr=lr, steps=n,
                     batch_size=batch_size, rng=batch_rng, bn_momentum=bn_momentum,
                     callback=None if callback is None else _offset(callback, done, steps))
        losses.append(r.losses)
        acc.append(r.accuracy)
        diverged = None if r.diverged_step is None else done + r.diverged_step
        net, done = r.net, done + n
    if probe_every and diverged is None:
        probes.append((done, *_probe(net, data, batch_size)))
    return _finish_run(losses, acc, diverged, probes)


def _offset(callback, done, steps):
    return lambda t, _n: callback(done + t, steps)


def _probe(net: nn.MLP, data: Data, batch_size: int, n_probe: int = 128):
    """(percentiles (3,), test loss in train mode, test loss in eval mode) on the first test samples.

    Train mode sees the test samples in mini-batches of ``batch_size``, as training sees data; the
    percentiles are of the last hidden layer's first unit's sigmoid input u in those passes.
    """
    n = max(min(n_probe, len(data.X_test)) // batch_size, 1) * batch_size
    X, y = data.X_test[:n], data.y_test[:n]
    traces = [net.forward(X[i:i + batch_size]) for i in range(0, n, batch_size)]
    u = np.concatenate([t.activation_inputs[-1][:, 0] for t in traces])  # (n,) last hidden layer, unit 0
    train_loss = np.mean([nn.softmax_cross_entropy(t.output, y[i * batch_size:(i + 1) * batch_size])[0]
                          for i, t in enumerate(traces)])
    eval_loss = nn.softmax_cross_entropy(net.predict(X), y)[0]
    return np.percentile(u, PERCENTILES), float(train_loss), float(eval_loss)


def _finish_run(losses, acc, diverged, probes) -> Run:
    with np.errstate(**QUIET):
        finite = [p for p in probes if np.all(np.isfinite(p[1])) and np.isfinite(p[2]) and np.isfinite(p[3])]
    return Run(
        np.concatenate(losses), np.concatenate(acc), diverged,
        np.array([p[0] for p in finite], dtype=int),
        np.array([p[1] for p in finite]).reshape(-1, len(PERCENTILES)),
        np.array([p[2] for p in finite]), np.array([p[3] for p in finite]),
    )  # fmt: skip


def eval_gap(run: Run) -> np.ndarray:
    """|test loss in train mode - test loss in eval mode| at each probe, (n_probes,); 0 without BatchNorm."""
    return np.abs(run.test_loss_train_mode - run.test_loss_eval_mode)


CHANCE_LOSS = math.log(N_CLASSES)  # cross-entropy of a uniform guess over the classes


def final_loss(run: Run, window: int = 20) -> float:
    """Mean mini-batch loss over the last ``window`` finite steps (inf if none is finite)."""
    finite = run.losses[np.isfinite(run.losses)]
    return float(finite[-window:].mean()) if finite.size else math.inf


def is_stuck(run: Run, window: int = 20) -> bool:
    """Whether a run that did not diverge still ends at or above chance, ``log(N_CLASSES)`` (minus 5%)."""
    return run.diverged_step is None and final_loss(run, window) > 0.95 * CHANCE_LOSS


def smooth(values, window: int = 10) -> np.ndarray:
    """Trailing moving average over ``window`` steps (shorter at the start); NaN stays NaN; same shape."""
    v = np.asarray(values, dtype=float)
    c = np.concatenate([[0.0], np.cumsum(np.where(np.isfinite(v), v, 0.0))])
    idx = np.arange(1, len(v) + 1)
    lo = np.maximum(idx - window, 0)
    out = (c[idx] - c[lo]) / (idx - lo)
    return np.where(np.isfinite(v), out, np.nan)


# ---------------------------------------------------------------------------------------------------------
# The largest stable learning rate, and how much the gradient changes over a step
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LRSweep:
    """Final losses of the same network trained at several learning rates from several seeds.

    lrs: (k,); first_loss, final_loss: (k, n_seeds) the first mini-batch loss and :func:`final_loss`
    (inf when no step was finite); diverged_step: (k, n_seeds) the step whose loss broke, -1 for none.
    """

    lrs: np.ndarray
    first_loss: np.ndarray
    final_loss: np.ndarray
    diverged_step: np.ndarray

    @property
    def trains(self) -> np.ndarray:
        """(k, n_seeds): the run stayed finite and ended below the loss it started at and below 95% of chance,
        ``ln(N_CLASSES)`` (the loss of a uniform guess; :func:`is_stuck`)."""
        return (self.diverged_step < 0) & (self.final_loss < np.minimum(self.first_loss, 0.95 * CHANCE_LOSS))

    def largest_stable_lr(self) -> float:
        """The largest learning rate of the grid at which every seed trains (NaN if none does)."""
        ok = np.all(self.trains, axis=1)
        return float(self.lrs[ok].max()) if ok.any() else math.nan

    def largest_stable_per_seed(self) -> np.ndarray:
        """(n_seeds,): each seed's largest learning rate of the grid that trains (NaN if none)."""
        return np.array([float(self.lrs[col].max()) if col.any() else math.nan for col in self.trains.T])


def lr_sweep(lrs, rng: np.random.Generator, *, n_seeds: int, batchnorm: bool, steps: int, **net) -> LRSweep:
    """Train :func:`make_net` at each learning rate from ``n_seeds`` seeds (the same seeds at every rate).

    Parameters
    ----------
    lrs : sequence of float
        The learning rates, ascending.
    rng : numpy.random.Generator
        Split with ``rng.spawn(n_seeds)``; run j at every rate (and, given a generator in the same state, with
        BatchNorm off and on) starts from a fresh copy of child j, so it sees the same data, weights and
        mini-batches.
    n_seeds, batchnorm, steps
        As named; ``net`` holds :func:`train_run`'s other settings (width, depth, batch_size, activation).
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0 or np.any(lrs <= 0) or np.any(np.diff(lrs) <= 0):
        raise ValueError("lrs must be a non-empty ascending list of positive learning rates")
    children = rng.spawn(int(n_seeds))
    first, final, broke = (np.zeros((lrs.size, len(children))) for _ in range(3))
    for i, lr in enumerate(lrs):
        for j, child in enumerate(children):
            run = train_run(copy.deepcopy(child), batchnorm=batchnorm, lr=float(lr), steps=steps, **net)
            first[i, j], final[i, j] = run.losses[0], final_loss(run)
            broke[i, j] = -1 if run.diverged_step is None else run.diverged_step
    return LRSweep(lrs, first, final, broke.astype(int))


@dataclass(frozen=True)
class GradientChange:
    """How much the mini-batch gradient changes over each SGD step (Santurkar et al. 2018, Figure 4).

    losses: (steps,) the mini-batch loss before each step (NaN after a divergence);
    change: (steps,) ``||g_B(w_t+1) - g_B(w_t)|| / ||w_t+1 - w_t||``, the gradient of the *same* mini-batch B
    before and after the step, per unit of distance moved (all parameters, gamma and beta included);
    diverged_step: the step whose loss broke, else None;
    hidden_norm: (steps + 1,) the norm of all hidden layers' weights together before each step and after the
    last (NaN after a divergence). With BatchNorm these weights are scale-invariant, so their gradient is
    perpendicular to them (up to eps) and plain SGD can only lengthen them.
    """

    losses: np.ndarray
    change: np.ndarray
    diverged_step: int | None
    hidden_norm: np.ndarray

    def median_change(self, start: int = 0) -> float:
        """The median of ``change`` over the finite steps from ``start`` on (NaN if none)."""
        c = self.change[start:]
        c = c[np.isfinite(c)]
        return float(np.median(c)) if c.size else math.nan


def gradient_change(rng: np.random.Generator, *, batchnorm: bool, lr: float, steps: int, width: int = 64,
                    depth: int = 3, batch_size: int = 32, activation: str = "sigmoid") -> GradientChange:
    """Plain SGD as :func:`train_run` (the same data, weights and mini-batches from ``rng``), measuring at each
    step how much the gradient changes over it.

    Notes
    -----
    The ratio is the loss's curvature along the step: for a quadratic loss with Hessian H it is
    ``||H d|| / ||d||`` for the step d, at most lambda_max. Gradient descent along d is stable while
    ``lr * ratio < 2`` (page 1's ``lr < 2 / lambda_max``). A smaller ratio is a smoother loss along the path,
    the quantity Santurkar et al. (2018) measured ("effective beta-smoothness"). BatchNorm's running
    statistics are updated as in :func:`core.nn.train`; the second gradient uses the same batch statistics'
    definition (training mode).
    """
    data_rng, init_rng, batch_rng = rng.spawn(3)
    data = load_data(data_rng)
    net = make_net(init_rng, batchnorm=batchnorm, width=width, depth=depth, activation=activation)
    X, y, params = data.X_train, data.y_train, net.parameters()
    losses, change = np.full(int(steps), np.nan), np.full(int(steps), np.nan)
    norms, broke = np.full(int(steps) + 1, np.nan), None
    for t in range(int(steps)):
        norms[t] = math.sqrt(sum(float(np.sum(W * W)) for W in net.weights[:-1]))
        idx = batch_rng.choice(len(X), size=int(batch_size), replace=False)
        losses[t], g = _batch_gradient(net, X[idx], y[idx])
        if diverged(losses[t], losses[0]) or not all(np.all(np.isfinite(gp)) for gp in g):
            losses[t], broke = (losses[t] if np.isfinite(losses[t]) else np.nan), t
            break
        net.update_running_stats(net.forward(X[idx]), momentum=0.1)
        with np.errstate(**QUIET):
            for p, gp in zip(params, g, strict=True):
                p -= lr * gp
            g_after = _batch_gradient(net, X[idx], y[idx])[1]
            moved = lr * math.sqrt(sum(float(np.sum(gp * gp)) for gp in g))
            delta = math.sqrt(sum(float(np.sum((a - b) ** 2)) for a, b in zip(g_after, g, strict=True)))
            change[t] = delta / moved if moved > 0 else math.nan
    if broke is None:
        norms[-1] = math.sqrt(sum(float(np.sum(W * W)) for W in net.weights[:-1]))
    else:
        norms[broke:] = np.nan
    return GradientChange(losses, change, broke, norms)


def _batch_gradient(net: nn.MLP, Xb: np.ndarray, yb: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """The mini-batch loss and its gradient (training mode), in the order of ``net.parameters()``."""
    trace = net.forward(Xb)
    loss, d_output = nn.softmax_cross_entropy(trace.output, yb)
    return float(loss), net.backward(trace, d_output).as_list()
