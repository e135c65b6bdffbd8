"""Least squares in weight space: the loss surface that gradient descent walks on.

Convention (used everywhere in the app): ``L(w) = 1/(2n) * ||X @ w - y||^2`` with no hidden bias; add a
column of ones to ``X`` for one. Then ``grad = X^T (X w - y) / n`` and the Hessian is ``X^T X / n``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.numerics import QUIET, diverged


def _check(X: np.ndarray, y: np.ndarray | None = None, w: np.ndarray | None = None) -> None:
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    if y is not None:
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
    if w is not None:
        w = np.asarray(w)
        if w.shape != (X.shape[1],):
            raise ValueError(f"w must have shape ({X.shape[1]},), got {w.shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError("w contains NaN or infinite values")


def mse_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Half mean squared error ``1/(2n) ||X w - y||^2``."""
    _check(X, y, w)
    r = np.asarray(X, float) @ np.asarray(w, float) - np.asarray(y, float)
    return float(r @ r / (2 * len(r)))


def mse_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradient ``X^T (X w - y) / n``, shape (d,). Each component is scaled by its feature's size."""
    _check(X, y, w)
    X = np.asarray(X, float)
    return X.T @ (X @ np.asarray(w, float) - np.asarray(y, float)) / X.shape[0]


def mse_hessian(X: np.ndarray) -> np.ndarray:
    """Hessian ``X^T X / n`` (d, d); constant, because the loss is quadratic in w."""
    _check(X)
    X = np.asarray(X, float)
    return X.T @ X / X.shape[0]


@dataclass(frozen=True)
class Curvature:
    """Eigen-decomposition of the loss Hessian.

    eigenvalues: (d,) ascending; eigenvectors: (d, d), column i belongs to eigenvalue i.
    condition_number = lambda_max / lambda_min (inf when singular); max_stable_lr = 2 / lambda_max.
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    condition_number: float
    max_stable_lr: float


def curvature(X: np.ndarray) -> Curvature:
    """Eigenvalues, eigenvectors, condition number and the largest stable learning rate of GD.

    Notes
    -----
    Along eigenvector i the error of full-batch GD is multiplied by ``(1 - eta * lambda_i)`` each step, so
    GD converges iff ``eta < 2 / lambda_max``; the slowest direction then needs about
    ``kappa = lambda_max / lambda_min`` times more steps than the fastest.
    """
    lam, V = np.linalg.eigh(mse_hessian(X))
    lam = np.clip(lam, 0.0, None)  # round-off can make a singular Hessian's zero eigenvalue slightly < 0
    lam_max = float(lam[-1])
    tiny = lam_max * X.shape[1] * np.finfo(float).eps
    kappa = float("inf") if lam[0] <= tiny else lam_max / float(lam[0])
    max_lr = float("inf") if lam_max == 0 else 2.0 / lam_max
    return Curvature(lam, V, kappa, max_lr)


@dataclass(frozen=True)
class Trajectory:
    """A gradient-descent run.

    weights: (steps+1, d), row 0 is w0; losses: (steps+1,), the full-data loss at each row.
    diverged: True when the loss went non-finite or exploded; rows after the last finite one are NaN.
    diverged_step: the first step whose loss was non-finite/exploding (None when converging).
    """

    weights: np.ndarray
    losses: np.ndarray
    diverged: bool
    diverged_step: int | None = None


def gradient_descent(X, y, w0, lr, steps, *, batch_size=None, momentum=0.0, rng=None) -> Trajectory:
    """Full-batch GD, mini-batch SGD, and heavy-ball momentum on the least-squares loss.

    Parameters
    ----------
    X, y : data, shapes (n, d) and (n,).
    w0 : (d,) starting weights.
    lr : float, learning rate eta > 0.
    steps : int >= 0.
    batch_size : None for full-batch GD; an int for SGD, each step's mini-batch drawn without replacement
        from ``rng`` (required then).
    momentum : heavy-ball coefficient ``beta`` in ``v = beta * v - lr * g; w = w + v`` (0 = plain GD).

    Returns
    -------
    Trajectory
        The loss recorded is always the full-data loss, even for SGD.

    Notes
    -----
    A step whose loss has diverged (:func:`core.numerics.diverged`: non-finite, or above ``EXPLODE_FACTOR``
    times max(starting loss, 1)) stops the run; the remaining rows are NaN and ``diverged`` is True. Overflow
    warnings are silenced locally only.
    """
    X, y, start, steps = _checked_run(X, y, w0, lr, steps, batch_size, rng)
    W = np.full((steps + 1, X.shape[1]), np.nan)
    L = np.full(steps + 1, np.nan)
    with np.errstate(**QUIET):   # (here, not in _descend: it yields)
        for t, w, loss in _descend(X, y, start, lr, steps, batch_size, momentum, rng):
            if loss is None:
                return Trajectory(W, L, True, t)
            W[t], L[t] = w, loss
    return Trajectory(W, L, False, None)


def measured_steps_to_tolerance(X, y, w0, lr, max_steps, loss_star, tol, *, batch_size=None, momentum=0.0,
                                rng=None) -> int | None:
    """``steps_to_tolerance(gradient_descent(X, y, w0, lr, max_steps, ...).losses, loss_star, tol)``, measured
    by running the same steps, but stopping at the first step that reaches the tolerance instead of running all
    ``max_steps``. None if the run diverges or ends first."""
    X, y, start, max_steps = _checked_run(X, y, w0, lr, max_steps, batch_size, rng)
    gap0 = None
    with np.errstate(**QUIET):
        for t, _, loss in _descend(X, y, start, lr, max_steps, batch_size, momentum, rng):
            if loss is None:
                return None
            gap = loss - loss_star
            gap0 = gap if gap0 is None else gap0
            if gap <= tol * gap0:
                return t
    return None


def _checked_run(X, y, w0, lr, steps, batch_size, rng):
    """The arguments of a run, checked: X, y and w0 as float arrays, ``steps`` as an int."""
    _check(X, y, w0)
    X, y = np.asarray(X, float), np.asarray(y, float)
    n = X.shape[0]
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    if batch_size is not None:
        if rng is None:
            raise ValueError("SGD (batch_size given) needs an rng")
        if not 1 <= int(batch_size) <= n:
            raise ValueError(f"batch_size must be in [1, {n}], got {batch_size}")
    return X, y, np.asarray(w0, float).copy(), int(steps)


def _descend(X, y, w, lr, steps, batch_size, momentum, rng):
    """The run, step by step: ``(0, w0, L0)``, then ``(t, w_t, L_t)`` for t = 1..steps; ``(t, None, None)`` ends
    it at the first step whose loss has diverged (:func:`core.numerics.diverged`) or whose ``w`` is not finite.
    Callers silence overflow warnings around the loop (a ``with`` here would stay entered while it yields)."""
    n = X.shape[0]
    v = np.zeros(X.shape[1])
    loss = _loss(w, X, y)
    yield 0, w, loss
    first_loss = loss
    for t in range(1, steps + 1):
        if batch_size is None:
            Xb, yb = X, y
        else:
            idx = rng.choice(n, size=int(batch_size), replace=False)
            Xb, yb = X[idx], y[idx]
        g = Xb.T @ (Xb @ w - yb) / len(yb)
        v = momentum * v - lr * g
        w = w + v
        loss = _loss(w, X, y)
        if diverged(loss, first_loss) or not np.all(np.isfinite(w)):
            yield t, None, None
            return
        yield t, w, loss


def _loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    r = X @ w - y
    return float(r @ r / (2 * len(r)))


# ----------------------------------------------------------------------------------------------------------
# What the loss-surface page draws. Everything below is exact for the quadratic loss above.


def minimizer(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The least-squares weights ``w*`` and the smallest loss ``L* = L(w*)``.

    Notes
    -----
    ``w*`` solves the normal equations ``X^T X w = X^T y`` (least-squares solution when singular).
    """
    _check(X, y)
    w_star = np.linalg.lstsq(np.asarray(X, float), np.asarray(y, float), rcond=None)[0]
    return w_star, mse_loss(w_star, X, y)


def contour_levels(curv: Curvature, radius: float, n_levels: int = 8, ratio: float = 0.4) -> np.ndarray:
    """Loss gaps ``L - L*`` for contour lines: the largest ellipse's long axis spans ``radius``.

    Levels shrink geometrically by ``ratio`` so that both the long and the narrow ellipses are visible.
    """
    lam_min = max(float(curv.eigenvalues[0]), 1e-12 * float(curv.eigenvalues[-1]), 1e-300)
    top = lam_min * radius**2 / 2
    return top * ratio ** np.arange(n_levels)


def contour_ellipse(w_star: np.ndarray, curv: Curvature, gap: float, n_points: int = 96) -> np.ndarray:
    """Points (n_points, 2) on the contour ``L(w) = L* + gap`` of a two-weight quadratic loss.

    Notes
    -----
    With ``H = V diag(lambda) V^T``, ``L(w) - L* = 1/2 sum_i lambda_i (v_i . (w - w*))^2``, so the contour is
    the ellipse ``w* + V diag(sqrt(2 gap / lambda)) [cos t, sin t]``: semi-axes along the eigenvectors, the
    short one along the steepest direction (largest lambda). A zero eigenvalue gives an infinite axis;
    it is capped at 1e6.
    """
    lam = np.maximum(curv.eigenvalues, 1e-300)
    semi = np.minimum(np.sqrt(2 * gap / lam), 1e6)                   # (2,)
    t = np.linspace(0, 2 * np.pi, n_points)
    circle = np.column_stack([np.cos(t), np.sin(t)])                 # (n_points, 2)
    return np.asarray(w_star) + (circle * semi) @ curv.eigenvectors.T


def loss_grid(X: np.ndarray, y: np.ndarray, center: np.ndarray, radius: float, n: int = 40):
    """The loss on an ``n x n`` grid of cell centres covering ``center +- radius`` (for a heatmap).

    Returns
    -------
    w1, w2, loss : ndarrays (n * n,)
        Cell centres and ``L(w)`` there; the cells are ``2 * radius / n`` wide.

    Notes
    -----
    ``L(w) = 1/2 w^T H w - b^T w + c`` with ``H = X^T X / n``, ``b = X^T y / n``, ``c = y^T y / (2n)``.
    """
    _check(X, y)
    edges = np.linspace(-radius, radius, n + 1)
    mid = (edges[:-1] + edges[1:]) / 2
    g1, g2 = np.meshgrid(center[0] + mid, center[1] + mid, indexing="ij")
    W = np.column_stack([g1.ravel(), g2.ravel()])                    # (n*n, 2)
    X, y = np.asarray(X, float), np.asarray(y, float)
    H, b, c = mse_hessian(X), X.T @ y / len(y), y @ y / (2 * len(y))
    loss = 0.5 * np.einsum("ki,ij,kj->k", W, H, W) - W @ b + c
    return W[:, 0], W[:, 1], loss


def gradient_field(X: np.ndarray, y: np.ndarray, center: np.ndarray, radius: float, n: int = 7):
    """Points (n*n, 2) on a grid and the full-batch gradient (n*n, 2) at each: ``grad = H w - X^T y / n``.

    The negative gradient is perpendicular to the contour through the point (it is the normal of the
    level set), which the page draws as arrows.
    """
    _check(X, y)
    ticks = center[:, None] + np.linspace(-radius, radius, n + 2)[1:-1]   # (2, n), skip the edges
    g1, g2 = np.meshgrid(ticks[0], ticks[1], indexing="ij")
    W = np.column_stack([g1.ravel(), g2.ravel()])
    X, y = np.asarray(X, float), np.asarray(y, float)
    return W, W @ mse_hessian(X) - X.T @ y / len(y)


def minibatch_gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, batch_size: int, k: int,
                        rng: np.random.Generator) -> np.ndarray:
    """Gradients (k, d) of ``k`` independent mini-batches at ``w``, each drawn without replacement.

    Notes
    -----
    Each is an unbiased estimate of the full gradient: ``E[g_B] = X^T (X w - y) / n``; their spread shrinks
    roughly like ``1 / sqrt(batch_size)`` (exactly with the finite-population factor ``(n - B) / (n - 1)``).
    """
    _check(X, y, w)
    X, y, w = np.asarray(X, float), np.asarray(y, float), np.asarray(w, float)
    n = len(y)
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [1, {n}], got {batch_size}")
    out = np.empty((k, X.shape[1]))
    for j in range(k):
        idx = rng.choice(n, size=batch_size, replace=False)
        out[j] = X[idx].T @ (X[idx] @ w - y[idx]) / batch_size
    return out


def eigen_errors(weights: np.ndarray, w_star: np.ndarray, curv: Curvature) -> np.ndarray:
    """The error along each eigenvector, ``e_i(t) = v_i . (w_t - w*)``: shape (steps+1, d)."""
    return (np.asarray(weights) - np.asarray(w_star)) @ curv.eigenvectors


def predicted_eigen_errors(e0: np.ndarray, curv: Curvature, lr: float, steps: int,
                           momentum: float = 0.0) -> np.ndarray:
    """The error along each eigenvector predicted by theory, shape (steps+1, d).

    Notes
    -----
    Full-batch GD decouples along the eigenvectors: ``e_i(t) = (1 - eta lambda_i)^t e_i(0)``.
    Heavy-ball momentum (v_0 = 0) gives ``e(t+1) = (1 + beta - eta lambda) e(t) - beta e(t-1)`` with
    ``e(1) = (1 - eta lambda) e(0)`` (Polyak 1964; Goh, "Why Momentum Really Works", Distill 2017).
    For SGD with mini-batches drawn without replacement these are the *expected* errors.
    """
    lam = curv.eigenvalues
    E = np.empty((steps + 1, len(lam)))
    E[0] = e0
    with np.errstate(**QUIET):
        if steps >= 1:
            E[1] = (1 - lr * lam) * e0
        for t in range(2, steps + 1):
            E[t] = (1 + momentum - lr * lam) * E[t - 1] - momentum * E[t - 2]
    return E


def convergence_rates(curv: Curvature, lr: float, momentum: float = 0.0) -> np.ndarray:
    """Per-direction factor by which the error shrinks each step (asymptotically); > 1 means divergence.

    Notes
    -----
    GD: ``|1 - eta lambda_i|``. Heavy ball: the largest ``|z|`` solving
    ``z^2 - (1 + beta - eta lambda) z + beta = 0``. Every factor is < 1 iff
    ``0 < eta < 2 (1 + beta) / lambda_max``.
    """
    out = []
    for lam in curv.eigenvalues:
        roots = np.roots([1.0, -(1 + momentum - lr * lam), momentum]) if momentum else [1 - lr * lam]
        out.append(float(np.max(np.abs(roots))))
    return np.array(out)


def stable_lr_limit(curv: Curvature, momentum: float = 0.0) -> float:
    """The largest stable learning rate: 2/lambda_max, or 2 (1 + beta) / lambda_max with momentum."""
    return (1 + momentum) * curv.max_stable_lr


def steps_to_tolerance(losses: np.ndarray, loss_star: float, tol: float) -> int | None:
    """Measured: the first step t with ``L_t - L* <= tol (L_0 - L*)``; None if the run never gets there."""
    gap = np.asarray(losses, float) - loss_star
    with np.errstate(**QUIET):
        hit = np.flatnonzero(gap <= tol * gap[0])
    return int(hit[0]) if hit.size else None


def predicted_excess(e0: np.ndarray, curv: Curvature, lr: float, t) -> np.ndarray:
    """Theory: the loss gap ``L(w_t) - L*`` of full-batch GD after ``t`` steps (array-like ``t``).

    ``e0``: the start's eigen-errors ``V^T (w0 - w*)``, shape (d,).

    Notes
    -----
    Each eigen-error is multiplied by ``(1 - eta lambda_i)`` per step, so
    ``L(w_t) - L* = 1/2 sum_i lambda_i e_i(0)^2 (1 - eta lambda_i)^(2t)``. Goh (2017), "Why Momentum Really Works".
    """
    return _gap(*_gap_terms(e0, curv, lr), t)


def _gap_terms(e0, curv: Curvature, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """Each direction's share of the starting gap, ``1/2 lambda_i e_i^2``, and its rate ``|1 - eta lambda_i|``,
    for the directions that hold any of it."""
    parts = 0.5 * curv.eigenvalues * np.asarray(e0, float) ** 2      # (d,)
    keep = parts > 0
    return parts[keep], np.abs(1 - lr * curv.eigenvalues[keep])


def _gap(parts: np.ndarray, rates: np.ndarray, t) -> np.ndarray:
    """``sum_i parts_i rates_i^(2t)`` for every entry of ``t`` (a rate of 0 gives 1 at t = 0, then 0)."""
    with np.errstate(**QUIET):
        return np.sum(parts * rates ** (2 * np.asarray(t, dtype=float)[..., None]), axis=-1)


def exact_steps_to_tolerance(e0: np.ndarray, curv: Curvature, lr: float, tol: float) -> float:
    """Theory: the first step t of full-batch GD with ``L_t - L* <= tol (L_0 - L*)``; ``inf`` if never.

    The exact count from :func:`predicted_excess` (all directions), found by doubling and then bisection;
    :func:`predicted_steps_to_tolerance` is its estimate from the slowest direction alone.
    """
    parts, rates = _gap_terms(e0, curv, lr)
    total = float(parts.sum())
    if total <= 0:
        return 0.0
    done = lambda t: float(_gap(parts, rates, t)) <= tol * total  # noqa: E731
    hi = 1
    while not done(hi):
        hi *= 2
        if hi > 2**62:
            return math.inf
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if done(mid) else (mid, hi)
    return float(hi)


def predicted_steps_to_tolerance(e0: np.ndarray, curv: Curvature, lr: float, tol: float,
                                 momentum: float = 0.0) -> float:
    """Theory: steps until ``L_t - L* <= tol (L_0 - L*)``, estimated from the slowest direction alone.

    ``e0``: the start's eigen-errors ``V^T (w0 - w*)``. ``inf`` when a direction the start has an error along
    does not shrink (rate >= 1). For plain GD, :func:`exact_steps_to_tolerance` gives the exact count.

    Notes
    -----
    ``L_t - L* = 1/2 sum_i lambda_i e_i(0)^2 rho_i^(2t)``. Once the fast directions have died out only the
    slowest one (rate ``rho``, share ``s`` of the starting gap) is left, so
    ``t ~ ln(s / tol) / (2 ln(1/rho))``. With ``eta = 2 / (lambda_max + lambda_min)``,
    ``rho = (kappa - 1) / (kappa + 1)``: the count grows like ``kappa / 4 * ln(1/tol)``.
    """
    e0 = np.asarray(e0, float)
    parts = 0.5 * curv.eigenvalues * e0**2                            # (d,) each direction's gap
    if parts.sum() <= 0:
        return 0.0
    rates = convergence_rates(curv, lr, momentum)
    active = parts > 1e-15 * parts.sum()
    if np.max(rates[active]) >= 1:
        return float("inf")
    slow = np.flatnonzero(active)[np.argmax(rates[active])]
    if rates[slow] == 0:
        return 1.0
    share = parts[slow] / parts.sum()
    return float(max(np.log(share / tol), 0.0) / (2 * np.log(1 / rates[slow])))


def escape_step(losses: np.ndarray) -> int | None:
    """First step whose loss is above the starting loss (or not finite): the run has left its start's contour.

    Full-batch GD with ``eta < 2 / lambda_max`` never does this; above the limit it does once the error
    along the top eigenvector has grown enough.
    """
    L = np.asarray(losses, float)
    with np.errstate(**QUIET):
        bad = np.flatnonzero(~np.isfinite(L[1:]) | (L[1:] > L[0] * (1 + 1e-12)))
    return int(bad[0]) + 1 if bad.size else None
