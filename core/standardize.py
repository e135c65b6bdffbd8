"""Input scaling (none, centering, min-max, z-score) and what it does to gradient descent.

Convention: features are scaled first, then a bias column of ones is appended (``design_matrix``), so
centering changes the loss surface (the bias no longer fights the features' means). Every loss here is
``core.loss_surface``'s ``L(w) = 1/(2n) ||D w - y||^2`` with ``D = [scaled X, 1]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import datasets, nn
from core import loss_surface as ls
from core.numerics import QUIET

SCALINGS = ("none", "centering", "min-max", "z-score")
NORMAL_WITHIN_ONE_SIGMA = math.erf(1 / math.sqrt(2))  # 0.6827


def _check_X(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X


def _apply(X, shift: np.ndarray, scale: np.ndarray, inverse: bool) -> np.ndarray:
    X = _check_X(X)
    if X.shape[1] != shift.shape[0]:
        raise ValueError(f"expected {shift.shape[0]} features, got {X.shape[1]}")
    return X * scale + shift if inverse else (X - shift) / scale


@dataclass(frozen=True)
class Standardizer:
    """Per-feature z-scoring fitted on training data: ``z = (x - mean) / scale``.

    mean: (d,) column means; scale: (d,) population std (ddof=0), 1.0 for a constant column.
    """

    mean: np.ndarray
    scale: np.ndarray

    def transform(self, X) -> np.ndarray:
        """``(X - mean) / scale`` with the statistics fitted earlier (never refitted on ``X``)."""
        return _apply(X, self.mean, self.scale, inverse=False)

    def inverse_transform(self, Z) -> np.ndarray:
        """``Z * scale + mean``: back to the original units."""
        return _apply(Z, self.mean, self.scale, inverse=True)


def fit_standardizer(X) -> Standardizer:
    """Fit per-column mean and population standard deviation.

    Parameters
    ----------
    X : array (n, d), finite.

    Returns
    -------
    Standardizer

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, is empty, or holds NaN/inf.

    Notes
    -----
    ``mean_j = (1/n) sum_i x_ij``, ``scale_j = sqrt((1/n) sum_i (x_ij - mean_j)^2)`` (ddof=0). A constant
    column gets ``scale_j = 1``: it is centred, never divided by ~0 (as scikit-learn's StandardScaler).
    LeCun et al. (1998), "Efficient BackProp", section 4.3.
    """
    X = _check_X(X)
    mean = X.mean(axis=0)
    return Standardizer(mean, _safe_scale(population_std(X, mean), X))


def population_std(X: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Per-column ``sqrt(mean((x - mean)^2))``, computed on deviations rescaled by their largest magnitude.

    Squaring raw deviations loses precision when they are tiny (below ~1e-154 the squares are subnormal) and
    overflows when they are huge (above ~1e154).
    """
    dev = X - mean
    big = np.max(np.abs(dev), axis=0)
    unit = np.where(big > 0, big, 1.0)
    return np.where(big > 0, unit * np.sqrt(np.mean((dev / unit) ** 2, axis=0)), 0.0)


def _safe_scale(spread: np.ndarray, X: np.ndarray) -> np.ndarray:
    # "Constant" up to round-off: a spread below eps * |values| is noise from the mean's own rounding.
    tiny = 10 * np.finfo(float).eps * np.max(np.abs(X), axis=0)
    return np.where(spread > tiny, spread, 1.0)


@dataclass(frozen=True)
class Scaling:
    """One of the four per-feature scalings as ``z = (x - shift) / scale``.

    method: one of ``SCALINGS``; shift, scale: (d,). none: 0, 1; centering: mean, 1; min-max: min,
    max - min; z-score: mean, std. A constant column always gets scale 1.
    """

    method: str
    shift: np.ndarray
    scale: np.ndarray

    def transform(self, X) -> np.ndarray:
        return _apply(X, self.shift, self.scale, inverse=False)

    def inverse_transform(self, Z) -> np.ndarray:
        return _apply(Z, self.shift, self.scale, inverse=True)


def fit_scaling(X, method: str) -> Scaling:
    """Fit one of ``SCALINGS`` on (training) data ``X`` (n, d)."""
    X = _check_X(X)
    d = X.shape[1]
    if method == "none":
        return Scaling(method, np.zeros(d), np.ones(d))
    if method == "centering":
        return Scaling(method, X.mean(axis=0), np.ones(d))
    if method == "min-max":
        lo = X.min(axis=0)
        return Scaling(method, lo, _safe_scale(X.max(axis=0) - lo, X))
    if method == "z-score":
        s = fit_standardizer(X)
        return Scaling(method, s.mean, s.scale)
    raise ValueError(f"method must be one of {SCALINGS}, got {method!r}")


def design_matrix(Z) -> np.ndarray:
    """``[Z, 1]``: the scaled features with a bias column of ones appended after scaling, (n, d+1)."""
    Z = _check_X(Z)
    return np.column_stack([Z, np.ones(len(Z))])


def sufficient_rows(D, y) -> tuple[np.ndarray, np.ndarray]:
    """A tiny data set with exactly the same least-squares loss as ``(D, y)`` for every ``w``.

    Returns ``(D_s, y_s)`` with at most d+1 rows, so a gradient-descent step costs the same however many rows
    the data has.

    Notes
    -----
    With ``[D y] / sqrt(n) = Q R`` (QR), ``L(w) = 1/2 ||R [w; -1]||^2``; taking ``D_s = sqrt(m) R[:, :d]`` and
    ``y_s = sqrt(m) R[:, d]`` (m rows of R) gives ``1/(2m) ||D_s w - y_s||^2 = L(w)`` and the same gradient and
    Hessian. Golub & Van Loan, Matrix Computations, section 5.3.
    """
    D = _check_X(D)
    y = np.asarray(y, dtype=float)
    ls._check(D, y)
    R = np.linalg.qr(np.column_stack([D, y]) / math.sqrt(len(y)), mode="r")
    m = R.shape[0]
    return math.sqrt(m) * R[:, :-1], math.sqrt(m) * R[:, -1]


def min_loss(X, y) -> float:
    """Smallest ``L`` over ``w`` for ``[scaled X, 1]``: the same for every scaling (same column space).

    Solved on the z-scored design, which is well conditioned even when the raw one is not.
    """
    D = design_matrix(fit_standardizer(X).transform(X))
    w, *_ = np.linalg.lstsq(D, np.asarray(y, float), rcond=None)
    return ls.mse_loss(w, D, y)


def _start_errors(D, y) -> tuple[np.ndarray, ls.Curvature]:
    """The eigen-errors ``e0 = V^T (0 - w*)`` of GD started at ``w0 = 0``, and the curvature of ``D``.

    Computed from the gradient there, ``g0 = -H w*``, as ``e_i = v_i^T g0 / lambda_i``: no minimizer is solved
    for, and a direction whose eigenvalue is at round-off level (GD never moves along it) gets ``e_i = 0``.
    """
    c = ls.curvature(D)
    g0 = ls.mse_grad(np.zeros(D.shape[1]), D, y)
    keep = c.eigenvalues > c.eigenvalues[-1] * D.shape[1] * np.finfo(float).eps
    return np.where(keep, c.eigenvectors.T @ g0 / np.where(keep, c.eigenvalues, 1.0), 0.0), c


def relative_excess(losses: np.ndarray, loss_star: float) -> np.ndarray:
    """``(L_t - L*) / (L_0 - L*)``, the share of the initial excess loss still left (NaN after divergence)."""
    losses = np.asarray(losses, float)
    gap = losses[0] - loss_star
    if gap <= 0:
        return np.zeros_like(losses)
    return np.maximum(losses - loss_star, 0.0) / gap


@dataclass(frozen=True)
class ScalingRun:
    """One scaling's loss surface and its GD run from ``w0 = 0`` at ``lr = lr_fraction * 2/lambda_max``.

    losses, rel_excess: (steps+1,), NaN after divergence. grad0: (d+1,) ``|dL/dw_j|`` at ``w0``, bias last.
    w_star: (d+1,) a minimizer in this scaling's parameters. steps_*: to reach ``rel_excess <= tol``.
    """

    method: str
    kappa: float
    lam_max: float
    lam_min: float
    max_lr: float
    lr: float
    losses: np.ndarray
    rel_excess: np.ndarray
    loss_star: float
    diverged_step: int | None
    grad0: np.ndarray
    w_star: np.ndarray
    steps_predicted: float
    steps_measured: int | None


def run_scaling(X, y, method: str, *, lr_fraction: float, steps: int, tol: float = 1e-3,
                loss_star: float | None = None, w_star_raw: np.ndarray | None = None) -> ScalingRun:
    """Scale ``X`` with ``method``, append the bias, and run full-batch GD from zero.

    ``loss_star`` and ``w_star_raw`` (the minimizer in raw units, bias last) may be passed to share them
    between scalings; otherwise they are computed.
    """
    X = _check_X(X)
    sc = fit_scaling(X, method)
    D_s, y_s = sufficient_rows(design_matrix(sc.transform(X)), y)
    e0, c = _start_errors(D_s, y_s)
    lr = lr_fraction * c.max_stable_lr
    run = ls.gradient_descent(D_s, y_s, np.zeros(D_s.shape[1]), lr, steps)
    star = min_loss(X, y) if loss_star is None else loss_star
    w_raw = raw_minimizer(X, y) if w_star_raw is None else w_star_raw
    return ScalingRun(
        method, c.condition_number, float(c.eigenvalues[-1]), float(c.eigenvalues[0]), c.max_stable_lr, lr,
        run.losses, relative_excess(run.losses, star), star, run.diverged_step,
        np.abs(ls.mse_grad(np.zeros(D_s.shape[1]), D_s, y_s)), to_scaled_weights(w_raw, sc),
        ls.exact_steps_to_tolerance(e0, c, lr, tol), ls.steps_to_tolerance(run.losses, star, tol),
    )


def raw_minimizer(X, y) -> np.ndarray:
    """A least-squares minimizer in raw units ``[w_1..w_d, b]``, solved in z-score units then mapped back."""
    X = _check_X(X)
    sc = fit_scaling(X, "z-score")
    w, *_ = np.linalg.lstsq(design_matrix(sc.transform(X)), np.asarray(y, float), rcond=None)
    return np.append(w[:-1] / sc.scale, w[-1] - np.sum(w[:-1] * sc.shift / sc.scale))


def to_scaled_weights(w_raw: np.ndarray, sc: Scaling) -> np.ndarray:
    """The same linear model in a scaling's parameters.

    ``w_j = w_raw_j * scale_j`` and ``b = b_raw + sum_j w_raw_j shift_j``, bias last.
    """
    return np.append(w_raw[:-1] * sc.scale, w_raw[-1] + np.sum(w_raw[:-1] * sc.shift))


def compare_scalings(X, y, *, lr_fraction: float = 0.9, steps: int = 200,
                     tol: float = 1e-3) -> tuple[ScalingRun, ...]:
    """``run_scaling`` for every entry of ``SCALINGS``, same data, same start, each at its own lr fraction."""
    star, w_raw = min_loss(X, y), raw_minimizer(X, y)
    return tuple(run_scaling(X, y, m, lr_fraction=lr_fraction, steps=steps, tol=tol, loss_star=star,
                             w_star_raw=w_raw) for m in SCALINGS)


@dataclass(frozen=True)
class LrSweep:
    """Final relative excess loss after ``steps`` GD steps for each learning rate.

    lrs, rel_excess: (k,); rel_excess is inf where the run diverged (loss above its start).
    max_lr: theory 2/lambda_max; threshold: the measured divergence threshold (bisection).
    """

    method: str
    lrs: np.ndarray
    rel_excess: np.ndarray
    max_lr: float
    threshold: float
    steps: int


def _final_rel_excess(D_s, y_s, lr, steps, star) -> float:
    run = ls.gradient_descent(D_s, y_s, np.zeros(D_s.shape[1]), lr, steps)
    rel = relative_excess(run.losses, star)
    return math.inf if run.diverged or not rel[-1] <= 1.0 else float(rel[-1])


def lr_sweep(X, y, method: str, lrs, *, steps: int = 100, threshold_steps: int = 200) -> LrSweep:
    """Sweep learning rates on ``[scaled X, 1]`` and measure where GD starts to diverge."""
    X = _check_X(X)
    D_s, y_s = sufficient_rows(design_matrix(fit_scaling(X, method).transform(X)), y)
    star = min_loss(X, y)
    rel = np.array([_final_rel_excess(D_s, y_s, lr, steps, star) for lr in lrs])
    max_lr = ls.curvature(D_s).max_stable_lr
    return LrSweep(method, np.asarray(lrs, float), rel, max_lr,
                   divergence_threshold(D_s, y_s, star, max_lr, threshold_steps), steps)


def measured_threshold(X, y, method: str) -> float:
    """The divergence threshold of GD on ``[scaled X, 1]``, measured by bisection (compare with 2/lambda_max)."""
    X = _check_X(X)
    D_s, y_s = sufficient_rows(design_matrix(fit_scaling(X, method).transform(X)), y)
    return divergence_threshold(D_s, y_s, min_loss(X, y), ls.curvature(D_s).max_stable_lr)


def divergence_threshold(D, y, loss_star: float, guess: float, steps: int = 200, rtol: float = 1e-3) -> float:
    """Measured: the smallest learning rate at which GD's loss goes up (bisection on runs of ``steps`` steps).

    ``guess`` only seeds the bracket ``[guess/2, 2 guess]``, which is widened until it brackets.

    Notes
    -----
    Below ``2/lambda_max`` every eigencomponent of the excess loss shrinks each step, so the loss never
    rises; just above, the top component grows by ``(1 + delta)^2`` per step and the loss turns upward.
    "Unstable" is therefore: the run diverged, ended above its start, or its last step raised the loss.
    """
    def unstable(lr: float) -> bool:
        run = ls.gradient_descent(D, y, np.zeros(D.shape[1]), lr, steps)
        L = run.losses
        return run.diverged or L[-1] > L[0] or L[-1] - L[-2] > 1e-12 * (L[0] - loss_star)

    lo, hi = guess / 2, guess * 2
    while unstable(lo):
        lo /= 4
    while not unstable(hi):
        hi *= 4
    while hi / lo > 1 + rtol:
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if unstable(mid) else (mid, hi)
    return math.sqrt(lo * hi)


def usable_window(lrs: np.ndarray, rel_excess: np.ndarray, target: float) -> tuple[float, float] | None:
    """The range of swept learning rates whose run got within ``target`` of the minimum (None if none)."""
    ok = np.flatnonzero(np.isfinite(rel_excess) & (rel_excess <= target))
    return None if ok.size == 0 else (float(lrs[ok[0]]), float(lrs[ok[-1]]))


@dataclass(frozen=True)
class DimensionSweep:
    """kappa and steps-to-converge vs the number of features, raw vs z-scored (each with a bias column).

    d: (k,); kappa_*: (k,); steps_pred_*: theory (inf if never); steps_meas_*: measured, NaN when the
    prediction is above ``max_steps`` (too many to run).
    """

    d: np.ndarray
    kappa_raw: np.ndarray
    kappa_z: np.ndarray
    steps_pred_raw: np.ndarray
    steps_pred_z: np.ndarray
    steps_meas_raw: np.ndarray
    steps_meas_z: np.ndarray
    tol: float
    lr_fraction: float


def dimension_sweep(n: int, d_max: int, rng: np.random.Generator, *, spread: float = 1e3,
                    lr_fraction: float = 0.9, tol: float = 1e-3, max_steps: int = 2000) -> DimensionSweep:
    """Add mixed-scale features one at a time (the first d columns of one draw) and measure both."""
    X, y = datasets.mixed_scale_data(n, d_max, rng, spread=spread)
    ds = np.arange(1, d_max + 1)
    rows = [[v for m in ("none", "z-score") for v in _kappa_and_steps(X[:, :d], y, m, lr_fraction, tol, max_steps)]
            for d in ds]
    a = np.array(rows, dtype=float)  # (k, 2 methods * 3 values)
    return DimensionSweep(ds, a[:, 0], a[:, 3], a[:, 1], a[:, 4], a[:, 2], a[:, 5], tol, lr_fraction)


def _kappa_and_steps(X, y, method, lr_fraction, tol, max_steps) -> tuple[float, float, float]:
    D_s, y_s = sufficient_rows(design_matrix(fit_scaling(X, method).transform(X)), y)
    e0, c = _start_errors(D_s, y_s)
    lr = lr_fraction * c.max_stable_lr
    pred = ls.exact_steps_to_tolerance(e0, c, lr, tol)
    if pred > max_steps:
        return c.condition_number, pred, math.nan
    run = ls.gradient_descent(D_s, y_s, np.zeros(D_s.shape[1]), lr, int(pred) + 5)
    meas = ls.steps_to_tolerance(run.losses, min_loss(X, y), tol)
    return c.condition_number, pred, math.nan if meas is None else float(meas)


@dataclass(frozen=True)
class LeakReport:
    """Fit the scaler on the training split only, or (the leak) on training and test rows together.

    For each fit ("train only", "train + test"): the scaler's mean and scale (d,), and the mean and std of
    the z-scored train and test features (d,).
    """

    fits: tuple[str, str]
    mean: tuple[np.ndarray, np.ndarray]
    scale: tuple[np.ndarray, np.ndarray]
    train_z_mean: tuple[np.ndarray, np.ndarray]
    test_z_mean: tuple[np.ndarray, np.ndarray]
    test_z_std: tuple[np.ndarray, np.ndarray]
    n_train: int
    n_test: int


def leak_demo(n: int, rng: np.random.Generator, *, test_fraction: float = 0.3,
              income_growth: float = 0.3) -> LeakReport:
    """Age/income data whose test rows were collected later, when incomes had grown by ``income_growth``.

    Fitting on train only shows the test set's shift (its z-mean is not 0) and keeps training inputs free
    of test information; fitting on everything pulls the statistics toward the test rows, so the training
    inputs depend on the test set and the shift looks smaller than it is.
    """
    X, _ = datasets.age_income(n, rng)
    n_test = max(1, round(test_fraction * n))
    train, test = X[:-n_test], X[-n_test:] * np.array([1.0, 1.0 + income_growth])
    fits = (fit_standardizer(train), fit_standardizer(np.vstack([train, test])))
    zs = [(f.transform(train), f.transform(test)) for f in fits]
    return LeakReport(
        ("train only", "train + test (leak)"), tuple(f.mean for f in fits), tuple(f.scale for f in fits),
        tuple(a.mean(axis=0) for a, _ in zs), tuple(b.mean(axis=0) for _, b in zs),
        tuple(b.std(axis=0) for _, b in zs), len(train), n_test,
    )


@dataclass(frozen=True)
class ShapeReport:
    """A feature's shape before and after z-scoring: skewness (unchanged) and the share within 1 sigma."""

    skew_raw: float
    skew_z: float
    within_one_sigma: float


def skewness(x) -> float:
    """Sample skewness ``mean((x - mean)^3) / std^3`` (ddof=0); 0 for a constant feature."""
    x = np.asarray(x, float)
    s = x.std()
    return 0.0 if s == 0 else float(np.mean((x - x.mean()) ** 3) / s**3)


def shape_report(x) -> ShapeReport:
    """Skewness before/after z-scoring and the share of z-scores in ``[-1, 1]``.

    Notes
    -----
    z-scoring is affine (``z = (x - mu) / sigma``), so it cannot change the shape: skewness is invariant
    and the share within one sigma is 68.3% only if ``x`` was normal to begin with.
    """
    x = np.asarray(x, float).reshape(-1, 1)
    z = fit_standardizer(x).transform(x)[:, 0]
    return ShapeReport(skewness(x[:, 0]), skewness(z), float(np.mean(np.abs(z) <= 1.0)))


def _phi(v: float) -> float:
    return 0.5 * (1 + math.erf(v / math.sqrt(2)))


def lognormal_within_one_sigma(sigma: float) -> float:
    """Theory: ``P(|X - E X| <= sd X)`` for log-normal ``X = exp(mu + sigma N)`` (independent of mu).

    Notes
    -----
    With ``m = exp(sigma^2/2)`` and ``s = m sqrt(exp(sigma^2) - 1)`` (mu = 0), the share is
    ``Phi(ln(m + s) / sigma) - Phi(ln(m - s) / sigma)`` (the second term is 0 when ``m <= s``).
    """
    m = math.exp(sigma**2 / 2)
    s = m * math.sqrt(math.expm1(sigma**2))
    low = _phi(math.log(m - s) / sigma) if m > s else 0.0
    return _phi(math.log(m + s) / sigma) - low


UNIFORM_WITHIN_ONE_SIGMA = 1 / math.sqrt(3)  # U(a, b): sigma = (b - a)/sqrt(12), so 2 sigma/(b - a)


@dataclass(frozen=True)
class UpdateSigns:
    """Single-sample SGD on ``[scaled X, 1]`` from ``w = 0``: the sign pattern of each step's update.

    updates: (steps, d) the change of the feature weights at each step (the bias left out); same_sign: the
    share of steps in which no two feature weights moved in opposite directions; positive_inputs: whether
    every scaled input is >= 0.
    """

    method: str
    updates: np.ndarray
    same_sign: float
    positive_inputs: bool


def update_signs(X, y, method: str, rng: np.random.Generator, *, steps: int = 200,
                 lr_fraction: float = 0.1) -> UpdateSigns:
    """Run SGD with one sample per step at ``lr_fraction * 2/lambda_max`` and record the update signs.

    Notes
    -----
    For one sample the loss is ``(w.x + b - y)^2 / 2``, so the update is ``-eta * delta * x`` with the scalar
    error ``delta``: every weight moves with the sign of ``delta * x_j``. When every input ``x_j`` is positive,
    all the weights of the unit move the same way at each step, and reaching a minimum that needs some weights
    up and others down takes a zigzag (LeCun, Bottou, Orr & Mueller 1998, Efficient BackProp, section 4.3).
    """
    Z = fit_scaling(X, method).transform(X)
    D = design_matrix(Z)
    lr = lr_fraction * ls.curvature(D).max_stable_lr
    run = ls.gradient_descent(D, np.asarray(y, float), np.zeros(D.shape[1]), lr, steps, batch_size=1, rng=rng)
    u = np.diff(run.weights, axis=0)[:, :-1]  # (steps, d)
    same = np.all(u >= 0, axis=1) | np.all(u <= 0, axis=1)
    return UpdateSigns(method, u, float(np.mean(same)), bool(np.all(Z >= 0)))


@dataclass(frozen=True)
class NetworkStart:
    """A network's state on the whole data set before training.

    saturation: (hidden,) share of unit-sample pairs in the flat tails (``nn.saturation_fraction``);
    zero_slope: (hidden,) share whose slope f'(u) is exactly 0.0 in float64 (no gradient passes at all);
    grad_rms: (layers,) root mean square of dL/dW for each weight matrix, first layer first;
    max_abs_u: the largest |u| entering the first layer's nonlinearity.
    """

    saturation: np.ndarray
    zero_slope: np.ndarray
    grad_rms: np.ndarray
    max_abs_u: float


def network_start(net: nn.MLP, X, y) -> NetworkStart:
    """Saturation, exact-zero slopes and per-layer gradient sizes of ``net`` on ``(X, y)`` (squared error)."""
    act = nn.ACTIVATIONS[net.activation]
    trace = net.forward(X)
    grads = net.backward(trace, nn.squared_error(trace.output, y)[1])
    u = trace.activation_inputs
    with np.errstate(**QUIET):
        return NetworkStart(
            np.array([nn.saturation_fraction(net.activation, act.f(v)) for v in u]),
            np.array([float(np.mean(act.df(v) == 0.0)) for v in u]),
            np.array([float(np.sqrt(np.mean(g**2))) for g in grads.weights]),
            float(np.max(np.abs(u[0]))),
        )


@dataclass(frozen=True)
class Rounding:
    """What float64 and float32 make of pre-activations ``u``: the share of entries whose tanh slope
    ``1 - tanh(u)^2`` rounds to exactly 0.0, and whose ``exp(|u|)`` (inside a sigmoid, a softmax) overflows
    to inf, in each precision; ``exp_limit64``/``exp_limit32``: ln of the largest finite number."""

    max_abs_u: float
    flat64: float
    flat32: float
    overflow64: float
    overflow32: float
    exp_limit64: float
    exp_limit32: float


def rounding(u) -> Rounding:
    """Evaluate tanh's slope and exp in float64 and float32 on ``u`` and count what rounds away."""
    u64 = np.abs(np.asarray(u, dtype=np.float64)).ravel()
    u32 = u64.astype(np.float32)
    with np.errstate(**QUIET):
        return Rounding(
            float(u64.max()) if u64.size else 0.0,
            float(np.mean(1 - np.tanh(u64) ** 2 == 0)), float(np.mean(1 - np.tanh(u32) ** 2 == 0)),
            float(np.mean(np.isinf(np.exp(u64)))), float(np.mean(np.isinf(np.exp(u32)))),
            float(np.log(np.finfo(np.float64).max)), float(np.log(np.finfo(np.float32).max)),
        )
