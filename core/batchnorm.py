"""Batch normalization (Ioffe & Szegedy 2015), forward and backward, in PyTorch's conventions.

Training mode normalizes each feature with the mini-batch mean ``mu`` and *biased* variance ``var``
(divide by m); the running estimates used at test time are updated with the *unbiased* batch variance
(divide by m - 1) and ``new = (1 - momentum) * old + momentum * batch_stat``, momentum 0.1.

Every function takes ``x`` of shape (m, d): m samples in the mini-batch, d features (units).
Functions that the network engine calls on possibly-diverged values accept ``check_finite=False``, which
skips the NaN/inf check and silences overflow warnings locally, so a diverging run never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import partial

import numpy as np

from core.numerics import QUIET


@dataclass(frozen=True, eq=False)
class BatchNormCache:
    """What the backward pass needs from the forward pass.

    x_hat: (m, d) normalized input; gamma: (d,); inv_std: (d,) ``1 / sqrt(var + eps)``;
    batch_stats: True when mu/var came from the batch (training), False for running stats (inference).
    """

    x_hat: np.ndarray
    gamma: np.ndarray
    inv_std: np.ndarray
    batch_stats: bool


@dataclass(frozen=True, eq=False)
class BatchNormSteps:
    """The transform one step at a time, for showing it: x -> x - mu -> x_hat -> gamma * x_hat + beta.

    mu, var, std: (d,) (``std = sqrt(var + eps)``, var biased); x_centered, x_hat, out: (m, d).
    """

    mu: np.ndarray
    var: np.ndarray
    std: np.ndarray
    x_centered: np.ndarray
    x_hat: np.ndarray
    out: np.ndarray


def _check(x, params: dict, *, eps: float | None = None, check_finite: bool = True) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must be a non-empty 2-D array (batch, features), got shape {x.shape}")
    d = x.shape[1]
    for name, value in params.items():
        if np.shape(value) != (d,):
            raise ValueError(f"{name} must have shape ({d},) to match x's {d} features, got {np.shape(value)}")
    if eps is not None and not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    if check_finite:
        for name, value in {"x": x, **params}.items():
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_variance(var: np.ndarray, eps: float, check_finite: bool) -> None:
    if check_finite and eps == 0 and np.any(var == 0):
        raise ValueError("a feature has zero variance and eps = 0: x_hat would divide by zero")


def batchnorm_forward(x, gamma, beta, *, eps: float = 1e-5, check_finite: bool = True):
    """Normalize each feature with the batch statistics, then scale by gamma and shift by beta.

    Parameters
    ----------
    x : ndarray (m, d)
        A mini-batch of pre-activations.
    gamma, beta : ndarray (d,)
        Learnable scale and shift.
    eps : float
        Added to the variance before the square root (>= 0).
    check_finite : bool
        Raise on NaN/inf inputs (default). The network engine passes False.

    Returns
    -------
    out : ndarray (m, d)
    cache : BatchNormCache

    Raises
    ------
    ValueError
        On bad shapes, non-finite values, ``eps < 0``, or a constant feature with ``eps = 0``.

    Notes
    -----
    ``mu = mean(x)``, ``var = mean((x - mu)^2)`` (biased, divide by m),
    ``x_hat = (x - mu) / sqrt(var + eps)``, ``out = gamma * x_hat + beta``
    (Ioffe & Szegedy 2015, Algorithm 1).
    """
    x = _check(x, {"gamma": gamma, "beta": beta}, eps=eps, check_finite=check_finite)
    gamma, beta = np.asarray(gamma, float), np.asarray(beta, float)
    with np.errstate(**QUIET):
        mu = x.mean(axis=0)  # (d,)
        var = ((x - mu) ** 2).mean(axis=0)  # (d,) biased
        _check_variance(var, eps, check_finite)
        inv_std = 1.0 / np.sqrt(var + eps)  # (d,)
        x_hat = (x - mu) * inv_std  # (m, d)
        out = gamma * x_hat + beta  # (m, d)
    return out, BatchNormCache(x_hat, gamma, inv_std, batch_stats=True)


def batchnorm_backward(d_out, cache: BatchNormCache):
    """Gradients of a loss through training-mode BatchNorm.

    Parameters
    ----------
    d_out : ndarray (m, d)
        dL/d(out).
    cache : BatchNormCache
        From :func:`batchnorm_forward`.

    Returns
    -------
    dx : ndarray (m, d)
    dgamma, dbeta : ndarray (d,)

    Notes
    -----
    Because mu and var depend on every sample, the gradient is not just ``gamma * inv_std * d_out``:
    ``dx = gamma * inv_std / m * (m * d_out - sum(d_out) - x_hat * sum(d_out * x_hat))``
    (sums over the batch). It is orthogonal to the constant and to x_hat, so each column of dx sums to 0.
    """
    if not cache.batch_stats:
        raise ValueError("this cache holds running statistics: use batchnorm_inference_backward")
    d_out = np.asarray(d_out, dtype=float)
    if d_out.shape != cache.x_hat.shape:
        raise ValueError(f"d_out must have shape {cache.x_hat.shape}, got {d_out.shape}")
    m = d_out.shape[0]
    with np.errstate(**QUIET):
        dbeta = d_out.sum(axis=0)  # (d,)
        dgamma = (d_out * cache.x_hat).sum(axis=0)  # (d,)
        dx = cache.gamma * cache.inv_std / m * (m * d_out - dbeta - cache.x_hat * dgamma)  # (m, d)
    return dx, dgamma, dbeta


def update_running_stats(
    running_mean, running_var, x, *, momentum: float = 0.1, unbiased: bool = True, check_finite: bool = True
):
    """Exponential moving averages of the batch mean and variance (PyTorch's rule).

    Parameters
    ----------
    running_mean, running_var : ndarray (d,)
        The current estimates (PyTorch starts them at 0 and 1). Not modified.
    x : ndarray (m, d)
        The mini-batch of pre-activations (before BatchNorm).
    momentum : float in [0, 1]
        Weight of the new batch statistic.
    unbiased : bool
        Use the unbiased batch variance (divide by m - 1, PyTorch; default) or the biased one (divide by m).
    check_finite : bool
        Raise on NaN/inf inputs (default).

    Returns
    -------
    mean, var : ndarray (d,)
        The new running estimates.

    Notes
    -----
    ``new = (1 - momentum) * old + momentum * batch_stat``. With a batch of one sample the unbiased variance
    is undefined (PyTorch raises); here the running variance is then left unchanged and only the mean moves.
    """
    x = _check(x, {"running_mean": running_mean, "running_var": running_var}, check_finite=check_finite)
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    old_mean, old_var = np.asarray(running_mean, float), np.asarray(running_var, float)
    m = x.shape[0]
    with np.errstate(**QUIET):
        mean = (1 - momentum) * old_mean + momentum * x.mean(axis=0)
        if unbiased and m == 1:
            return mean, old_var.copy()
        batch_var = x.var(axis=0, ddof=1 if unbiased else 0)
        var = (1 - momentum) * old_var + momentum * batch_var
    return mean, var


def update_running_stats_keras(running_mean, running_var, x, *, momentum: float = 0.99):
    """Keras's rule: ``new = momentum * old + (1 - momentum) * batch_stat`` with the *biased* variance.

    Keras's ``momentum`` is the weight of the *old* value, so its default 0.99 matches PyTorch's
    ``momentum = 0.01``, not 0.1; and it averages the biased variance. Same arguments and return as
    :func:`update_running_stats`.
    """
    return update_running_stats(running_mean, running_var, x, momentum=1.0 - momentum, unbiased=False)


# Each: (running_mean, running_var, x) -> (mean, var), with that library's default momentum.
RUNNING_STATS_CONVENTIONS = {
    "pytorch": update_running_stats,
    "biased": partial(update_running_stats, unbiased=False),
    "keras": update_running_stats_keras,
}


def batchnorm_inference_forward(
    x, gamma, beta, running_mean, running_var, *, eps: float = 1e-5, check_finite: bool = True
):
    """Test-time BatchNorm with a cache for :func:`batchnorm_inference_backward`.

    Returns ``(out, cache)``; see :func:`batchnorm_inference` for the formula.
    """
    params = {"gamma": gamma, "beta": beta, "running_mean": running_mean, "running_var": running_var}
    x = _check(x, params, eps=eps, check_finite=check_finite)
    gamma, beta = np.asarray(gamma, float), np.asarray(beta, float)
    running_var = np.asarray(running_var, float)
    if check_finite and np.any(running_var + eps <= 0):
        raise ValueError("running_var + eps must be positive")
    with np.errstate(**QUIET):
        inv_std = 1.0 / np.sqrt(running_var + eps)  # (d,)
        x_hat = (x - np.asarray(running_mean, float)) * inv_std  # (m, d)
        out = gamma * x_hat + beta  # (m, d)
    return out, BatchNormCache(x_hat, gamma, inv_std, batch_stats=False)


def batchnorm_inference(x, gamma, beta, running_mean, running_var, *, eps: float = 1e-5):
    """Test-time BatchNorm: normalize with the running statistics, so each sample is treated alone.

    Parameters
    ----------
    x : ndarray (m, d)
    gamma, beta, running_mean, running_var : ndarray (d,)
    eps : float

    Returns
    -------
    out : ndarray (m, d)

    Notes
    -----
    A fixed affine map per feature (Ioffe & Szegedy 2015, Algorithm 2):
    ``out = gamma / sqrt(var + eps) * x + (beta - gamma * mu / sqrt(var + eps))``
    with ``mu``, ``var`` the running estimates.
    """
    return batchnorm_inference_forward(x, gamma, beta, running_mean, running_var, eps=eps)[0]


def batchnorm_inference_backward(d_out, cache: BatchNormCache):
    """Gradients through test-time BatchNorm, a per-feature affine map.

    Returns ``(dx, dgamma, dbeta)`` with ``dx = gamma * inv_std * d_out`` (no batch coupling).
    """
    d_out = np.asarray(d_out, dtype=float)
    if d_out.shape != cache.x_hat.shape:
        raise ValueError(f"d_out must have shape {cache.x_hat.shape}, got {d_out.shape}")
    with np.errstate(**QUIET):
        return cache.gamma * cache.inv_std * d_out, (d_out * cache.x_hat).sum(axis=0), d_out.sum(axis=0)


def batchnorm_steps(x, gamma, beta, eps: float = 1e-5) -> BatchNormSteps:
    """The intermediate values of training-mode BatchNorm, for a step-by-step picture.

    Parameters
    ----------
    x : ndarray (m,) or (m, d)
        A mini-batch of one unit (1-D) or of d units.
    gamma, beta : float or ndarray (d,)
    eps : float

    Returns
    -------
    BatchNormSteps
        With 1-D ``x`` the statistics are 0-D arrays and the steps have shape (m,).

    Notes
    -----
    Choosing ``gamma = sqrt(var + eps)`` and ``beta = mu`` of *this* batch gives ``out = x`` for this batch.
    Ioffe & Szegedy (2015, section 3) add gamma and beta so that the transform can represent the identity (with
    the statistics of the whole training set); with mini-batch statistics, which change from batch to batch
    while gamma and beta stay fixed, the identity holds for one batch's statistics only.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must be 1-D (one unit) or 2-D (batch, features), got shape {x.shape}")
    one_unit = x.ndim == 1
    x2 = x[:, None] if one_unit else x
    d = x2.shape[1]
    gamma = np.broadcast_to(np.asarray(gamma, float), (d,))
    beta = np.broadcast_to(np.asarray(beta, float), (d,))
    out, cache = batchnorm_forward(x2, gamma, beta, eps=eps)
    mu = x2.mean(axis=0)
    steps = BatchNormSteps(mu, x2.var(axis=0), 1.0 / cache.inv_std, x2 - mu, cache.x_hat, out)
    if one_unit:
        return BatchNormSteps(*(getattr(steps, f.name)[..., 0] for f in fields(steps)))
    return steps
