"""Seeded synthetic data sets. Nothing is downloaded: every set is drawn from the ``rng`` passed in."""

from __future__ import annotations

import numpy as np

AGE_INCOME_FEATURES = ("age (years)", "income (dollars)")


def age_income(n: int, rng: np.random.Generator, *, noise: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's two-feature regression set: age next to income, on wildly different scales.

    Parameters
    ----------
    n : int
        Number of samples (>= 2).
    rng : numpy.random.Generator
        Source of all randomness.
    noise : float
        Standard deviation of the additive target noise.

    Returns
    -------
    X : ndarray (n, 2)
        Column 0 is age in years (about 10-50), column 1 is income in dollars (about 10k-500k,
        right-skewed as incomes are).
    y : ndarray (n,)
        A continuous target ("spending score") that depends on both features with comparable strength
        once they are standardized: ``y = 10 + 2 * z_age + 3 * z_income + noise``, linear in both raw
        features, so a linear model with a bias can fit it up to the noise.

    Notes
    -----
    The target is built from the *population* z-scores of the generating distributions, so neither
    feature dominates the answer; only their units differ. That is the situation where raw features make
    gradient descent slow: the loss Hessian X^T X / n has eigenvalues that differ by ~10^9.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    age = rng.uniform(10.0, 50.0, size=n)
    income = np.clip(np.exp(rng.normal(np.log(80_000.0), 0.6, size=n)), 10_000.0, 500_000.0)
    z_age = (age - 30.0) / (40.0 / np.sqrt(12.0))
    s2 = 0.6**2  # log-normal moments of the generating distribution (the clip barely matters)
    z_income = (income - 80_000.0 * np.exp(s2 / 2)) / (80_000.0 * np.sqrt((np.exp(s2) - 1) * np.exp(s2)))
    y = 10.0 + 2.0 * z_age + 3.0 * z_income + noise * rng.normal(size=n)
    return np.column_stack([age, income]), y
