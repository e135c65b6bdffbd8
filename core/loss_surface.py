"""Least squares in weight space: the loss surface that gradient descent walks on.

Convention (used everywhere in the app): ``L(w) = 1/(2n) * ||X @ w - y||^2`` with no hidden bias; add a
column of ones to ``X`` for one. Then ``grad = X^T (X w - y) / n`` and the Hessian is ``X^T X / n``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A run is called diverged once its loss passes this multiple of the starting loss (or goes non-finite):
# by then the iterate grows geometrically and the next steps would overflow float64.
EXPLODE_FACTOR = 1e12


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
    A loss that becomes non-finite, or grows past ``EXPLODE_FACTOR`` times the starting loss, stops the run;
    the remaining rows are NaN and ``diverged`` is True. Overflow warnings are silenced locally only.
    """
    _check(X, y, w0)
    X, y = np.asarray(X, float), np.asarray(y, float)
    n, d = X.shape
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    if batch_size is not None:
        if rng is None:
            raise ValueError("SGD (batch_size given) needs an rng")
        if not 1 <= int(batch_size) <= n:
            raise ValueError(f"batch_size must be in [1, {n}], got {batch_size}")
    steps = int(steps)
    W = np.full((steps + 1, d), np.nan)
    L = np.full(steps + 1, np.nan)
    w = np.asarray(w0, float).copy()
    v = np.zeros(d)
    W[0], L[0] = w, _loss(w, X, y)
    limit = max(L[0], 1e-300) * EXPLODE_FACTOR
    with np.errstate(over="ignore", invalid="ignore"):
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
            if not np.isfinite(loss) or loss > limit or not np.all(np.isfinite(w)):
                return Trajectory(W, L, True, t)
            W[t], L[t] = w, loss
    return Trajectory(W, L, False, None)


def _loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    r = X @ w - y
    return float(r @ r / (2 * len(r)))
