"""Every data generator of the app, seeded: nothing is downloaded, every set is drawn from the ``rng`` passed in."""

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


def _check_n(n: int, minimum: int = 2) -> int:
    if int(n) != n or n < minimum:
        raise ValueError(f"n must be an integer >= {minimum}, got {n}")
    return int(n)


def _check_noise(noise: float) -> None:
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")


def _finish(X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator):
    """Add Gaussian noise to the points and shuffle them, so classes are interleaved in the output."""
    X = X + noise * rng.normal(size=X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order].astype(np.int64)


def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def moons(n: int, rng: np.random.Generator, *, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    Parameters
    ----------
    n : int
        Number of points (>= 2), split evenly between the classes.
    rng : numpy.random.Generator
    noise : float
        Std of the Gaussian noise added to every coordinate.

    Returns
    -------
    X : ndarray (n, 2) float64
    y : ndarray (n,) int64 in {0, 1}
        Class 0 is the upper moon ``(cos t, sin t)``, class 1 the lower ``(1 - cos t, 0.5 - sin t)``.
    """
    n0, n1 = _halves(_check_n(n))
    _check_noise(noise)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower])
    return _finish(X, np.repeat([0, 1], [n0, n1]), noise, rng)


def circles(
    n: int, rng: np.random.Generator, *, noise: float = 0.1, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1, radius ``factor``) inside a large one (class 0, radius 1).

    Same arguments and returns as :func:`moons`; not linearly separable in the raw coordinates.
    """
    n0, n1 = _halves(_check_n(n))
    _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    X = np.vstack([outer, inner])
    return _finish(X, np.repeat([0, 1], [n0, n1]), noise, rng)


def xor(n: int, rng: np.random.Generator, *, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The XOR pattern: class 1 where both coordinates have the same sign (quadrants I and III).

    Points are uniform in [-1, 1]^2, pushed 0.1 away from the axes (as in TensorFlow Playground), labelled,
    then noised. Same arguments and returns as :func:`moons`.
    """
    n = _check_n(n)
    _check_noise(noise)
    u = rng.uniform(-1.0, 1.0, size=(n, 2))
    X = u + 0.1 * np.where(u >= 0, 1.0, -1.0)
    return _finish(X, (X[:, 0] * X[:, 1] > 0).astype(np.int64), noise, rng)


def spirals(
    n: int, rng: np.random.Generator, *, noise: float = 0.05, turns: float = 1.5
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved Archimedean spirals, the second rotated by pi.

    Radius ``r = t`` and angle ``2 pi turns t + pi y`` for t evenly spaced in [0.05, 1]. Same returns as
    :func:`moons`; the hardest of the 2-D sets (needs a deeper or wider net).
    """
    n0, n1 = _halves(_check_n(n))
    _check_noise(noise)
    if not (np.isfinite(turns) and turns > 0):
        raise ValueError(f"turns must be a positive number, got {turns}")
    arms = []
    for label, m in ((0, n0), (1, n1)):
        t = np.linspace(0.05, 1.0, m)
        angle = 2 * np.pi * turns * t + np.pi * label
        arms.append(t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _finish(np.vstack(arms), np.repeat([0, 1], [n0, n1]), noise, rng)


def blobs(n: int, rng: np.random.Generator, *, noise: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Two isotropic Gaussian blobs centred at (-1, -1) (class 0) and (1, 1) (class 1), std ``noise``.

    Same returns as :func:`moons`; linearly separable up to the overlap the noise creates.
    """
    n0, n1 = _halves(_check_n(n))
    _check_noise(noise)
    X = np.vstack([np.full((n0, 2), -1.0), np.full((n1, 2), 1.0)])
    return _finish(X, np.repeat([0, 1], [n0, n1]), noise, rng)


CLASSIFICATION_2D = {"moons": moons, "circles": circles, "xor": xor, "spirals": spirals, "blobs": blobs}


def gaussian_clusters(
    n: int,
    rng: np.random.Generator,
    *,
    n_classes: int = 10,
    dim: int = 30,
    spread: float = 1.5,
    clusters_per_class: int = 5,
    feature_scale: tuple[float, float] = (1.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """A multi-class set for BatchNorm experiments: each class a mixture of Gaussian clusters.

    Parameters
    ----------
    n : int
        Number of samples (>= n_classes); classes are balanced (sizes differ by at most one).
    rng : numpy.random.Generator
        Draws the problem (centres, covariance, scales) and then the samples: draw once and split it
        (:func:`train_test_split`); two calls give two different problems.
    n_classes, dim : int
        Number of classes (>= 2) and of features (>= 2).
    spread : float
        Scales the shared within-class noise; larger overlaps the classes more.
    clusters_per_class : int
        Sub-clusters per class; with more than one the classes are not linearly separable.
    feature_scale : (low, high)
        Each raw feature is multiplied by a factor drawn log-uniformly in [low, high] (default: unscaled),
        to show what unnormalized inputs do to training.

    Returns
    -------
    X : ndarray (n, dim) float64
    y : ndarray (n,) int64 in [0, n_classes)

    Notes
    -----
    Centres ~ N(0, I_dim). The noise is shared by all clusters and correlated: ``spread * g @ M`` with
    ``g ~ N(0, I)`` and ``M`` a random Gaussian matrix / sqrt(dim), so its covariance ``spread^2 M^T M`` has a
    spread of eigenvalues (Marchenko-Pastur) rather than being isotropic. With the defaults (50 clusters in
    30 dimensions) a linear softmax classifier reaches about 60% test accuracy and a 30-100-100-10 ReLU MLP
    about 90%.
    """
    n = _check_n(n, minimum=n_classes)
    if int(n_classes) != n_classes or n_classes < 2 or int(dim) != dim or dim < 2 or clusters_per_class < 1:
        raise ValueError("n_classes and dim must be integers >= 2, clusters_per_class >= 1")
    low, high = feature_scale
    if not (0 < low <= high and np.isfinite(high)) or not (np.isfinite(spread) and spread >= 0):
        raise ValueError(f"need 0 < low <= high and spread >= 0, got {feature_scale=}, {spread=}")
    k = n_classes * clusters_per_class  # cluster c belongs to class c % n_classes
    centres = rng.normal(size=(k, dim))
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    scales = np.exp(rng.uniform(np.log(low), np.log(high), size=dim))
    cluster = rng.permutation(np.arange(n) % k)
    X = centres[cluster] + spread * rng.normal(size=(n, dim)) @ mixing
    return X * scales, (cluster % n_classes).astype(np.int64)


def train_test_split(X, y, rng: np.random.Generator, *, test_fraction: float = 0.25):
    """Shuffle and split into ``(X_train, X_test, y_train, y_test)``, ``round(n * test_fraction)`` for test.

    Fit any statistics (standardization, BatchNorm running stats) on the training part only.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y) or len(X) < 2:
        raise ValueError(f"X and y need the same number (>= 2) of rows, got {len(X)} and {len(y)}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    n_test = min(max(round(len(X) * test_fraction), 1), len(X) - 1)
    order = rng.permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def harder_data(rng: np.random.Generator, *, n: int = 2000, dim: int = 20, n_classes: int = 10):
    """The BatchNorm page's training set: ``n_classes`` classes in ``dim`` dimensions, 3 overlapping Gaussian
    clusters per class (not linearly separable), split 75% / 25%.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the problem, the samples and the split, in that order.
    n, dim, n_classes : int
        See :func:`gaussian_clusters` (spread 1.5, 3 clusters per class).

    Returns
    -------
    X_train, X_test, y_train, y_test
        As :func:`train_test_split`.
    """
    X, y = gaussian_clusters(n, rng, n_classes=n_classes, dim=dim, spread=1.5, clusters_per_class=3)
    return train_test_split(X, y, rng)


def two_feature_regression(n: int, rng: np.random.Generator, *, scale_ratio: float = 1.0,
                           correlation: float = 0.0, noise: float = 0.5,
                           w_true: tuple[float, float] = (1.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """Two correlated features on different scales and a linear target: the condition number is a dial.

    Parameters
    ----------
    n, rng : int, numpy.random.Generator
        The number of samples (>= 2) and the source of all randomness, as for :func:`age_income`.
    scale_ratio : float
        Population std of feature 2 divided by that of feature 1 (> 0); feature 1 has std 1.
    correlation : float
        Population correlation rho of the two features, in (-1, 1).
    noise : float
        Std of the additive target noise.
    w_true : (float, float)
        The weights that generate the target.

    Returns
    -------
    X : ndarray (n, 2)
    y : ndarray (n,)

    Notes
    -----
    ``z1, z2 ~ N(0, 1)`` with correlation rho, ``x = (z1, s * z2)``, ``y = x @ w_true + noise * eps``.
    The population Hessian of the least-squares loss is ``[[1, rho s], [rho s, s^2]]``; with rho = 0 its
    condition number is s^2.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if not (np.isfinite(scale_ratio) and scale_ratio > 0):
        raise ValueError(f"scale_ratio must be positive, got {scale_ratio}")
    if not -1 < correlation < 1:
        raise ValueError(f"correlation must be in (-1, 1), got {correlation}")
    a, b = rng.normal(size=(2, n))
    z2 = correlation * a + np.sqrt(1 - correlation**2) * b
    X = np.column_stack([a, scale_ratio * z2])
    y = X @ np.asarray(w_true, float) + noise * rng.normal(size=n)
    return X, y


def mixed_scale_data(n: int, d: int, rng: np.random.Generator, *, spread: float = 1e3,
                     noise: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """``d`` features whose scales are log-uniform in ``[1, spread]``, each with a non-zero mean.

    Parameters
    ----------
    n, d : int
        Samples and features.
    rng : numpy.random.Generator
    spread : float
        The largest feature scale (the smallest is 1).
    noise : float
        Std of the additive target noise.

    Returns
    -------
    X : ndarray (n, d)
    y : ndarray (n,)

    Notes
    -----
    Column j is ``s_j * (m_j + z_j)`` with ``z_j ~ N(0, 1)``, ``s_j = spread ** U(0, 1)`` and ``m_j ~ U(0, 2)``;
    the target is ``y = 1 + sum_j beta_j z_j + noise * N(0, 1)`` with ``beta_j ~ N(0, 1)``, so every feature
    matters equally once the units are removed.
    """
    s = spread ** rng.uniform(0, 1, size=d)
    m = rng.uniform(0, 2, size=d)
    Z = rng.normal(size=(n, d))
    beta = rng.normal(size=d)
    return s * (m + Z), 1.0 + Z @ beta + noise * rng.normal(size=n)


INPUTS = ("normal", "uniform", "pixel")
PIXEL_BETA = (0.2, 0.8)  # Beta(a, b): mostly dark pixels, a few bright ones; mean 0.2 like an MNIST digit


def draw_inputs(inputs: str, shape, rng: np.random.Generator) -> np.ndarray:
    """Inputs x from one of the named distributions in :data:`INPUTS`.

    Parameters
    ----------
    inputs : str
        ``"normal"`` N(0, 1) (standardized features); ``"uniform"`` U(-1, 1); ``"pixel"`` Beta(0.2, 0.8) on
        [0, 1], mostly near 0 with a few bright values and mean 0.2 (raw pixel intensities).
    shape : int or tuple of int
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray of ``shape``
    """
    if inputs not in INPUTS:
        raise ValueError(f"unknown input distribution {inputs!r}; choose one of {list(INPUTS)}")
    if inputs == "normal":
        return rng.normal(size=shape)
    if inputs == "uniform":
        return rng.uniform(-1.0, 1.0, size=shape)
    return rng.beta(*PIXEL_BETA, size=shape)


def teacher_data(n: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A small smooth regression set for training deep networks.

    Parameters
    ----------
    n, d : int
        Samples and input features.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray (n, d), N(0, I_d)
    y : ndarray (n, 1), ``sin(2 X u) + 0.5 X v`` for random unit vectors u and v
    """
    X = rng.normal(size=(n, d))
    u, v = (w / np.linalg.norm(w) for w in rng.normal(size=(2, d)))
    return X, (np.sin(2.0 * X @ u) + 0.5 * X @ v)[:, None]


def unit_batch(m: int, rng: np.random.Generator, *, mu: float = 3.0, sigma: float = 2.0) -> np.ndarray:
    """A mini-batch of m pre-activations of one hidden unit, drawn from N(mu, sigma^2).

    Parameters
    ----------
    m : int
        The batch size (>= 1).
    rng : numpy.random.Generator
    mu, sigma : float
        The population's mean and std (sigma >= 0).

    Returns
    -------
    x : ndarray (m,)
    """
    if int(m) != m or m < 1:
        raise ValueError(f"the batch size m must be a positive integer, got {m}")
    if not (np.isfinite(mu) and np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"need a finite mu and sigma >= 0, got {mu=}, {sigma=}")
    return rng.normal(mu, sigma, size=int(m))
