"""Central finite differences in float64, shared by the gradient tests."""

import numpy as np


def rel_err(a, b):
    """||a - b|| / (||a|| + ||b||): a relative error that does not blow up on single near-zero entries."""
    a, b = np.ravel(a), np.ravel(b)
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def numeric_grad(f, x, h=1e-6):
    """Central finite differences of a scalar function f with respect to every entry of x (in place)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        g[idx] = (f_plus - f_minus) / (2 * h)
    return g
