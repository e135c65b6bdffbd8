"""Numerical conventions every module shares: quiet overflow, one divergence rule, one histogram."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# np.errstate arguments for code that may overflow on purpose (a diverging run, a variance map at a huge gain):
# the result becomes inf or NaN, which the caller detects, instead of a warning. Always used locally.
QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore", "under": "ignore"}

# A loss this many times above max(|first loss|, 1) has diverged: the iterate is growing geometrically and a few
# more steps would overflow float64.
EXPLODE_FACTOR = 1e12


def diverged(loss: float, first_loss: float) -> bool:
    """Whether a training run whose first loss was ``first_loss`` has diverged at a step with ``loss``.

    Parameters
    ----------
    loss : float
        The loss at the current step.
    first_loss : float
        The loss at the run's first step.

    Returns
    -------
    bool
        True when ``loss`` is not finite or ``loss > EXPLODE_FACTOR * max(|first_loss|, 1)``.

    Notes
    -----
    The floor of 1 makes the rule absolute for small losses: a run that starts at or near a zero minimum
    (first loss 0 or 1e-20) is not called diverged for a round-off-sized rise, while a diverging run, whose loss
    grows geometrically, passes ``EXPLODE_FACTOR`` within a few dozen steps wherever it starts.
    """
    return not np.isfinite(loss) or loss > EXPLODE_FACTOR * max(abs(first_loss), 1.0)


@dataclass(frozen=True)
class Histogram:
    """Counts in equal-width bins: edges (bins+1,) ascending, counts (bins,)."""

    edges: np.ndarray
    counts: np.ndarray

    @property
    def width(self) -> float:
        """The width of every bin."""
        return float(self.edges[1] - self.edges[0])

    @property
    def centers(self) -> np.ndarray:
        """The bins' midpoints, (bins,)."""
        return (self.edges[:-1] + self.edges[1:]) / 2

    @property
    def density(self) -> np.ndarray:
        """``counts / (total * width)``, (bins,): the bars' area is 1 (all zeros when nothing was counted)."""
        total = self.counts.sum()
        return self.counts / (total * self.width) if total else np.zeros(len(self.counts))


def histogram(values, bins: int = 30, value_range: tuple[float, float] | None = None) -> Histogram:
    """Equal-width histogram of the finite entries of ``values`` (any shape; NaN and inf are left out).

    Parameters
    ----------
    values : array_like
    bins : int
        Number of bins.
    value_range : (low, high), optional
        The binned interval; values outside it are not counted. Default: the finite values' min and max
        ((-1, 1) when there are none). An interval too narrow for ``bins`` distinct bins (a constant sample) is
        widened on each side by half its largest magnitude, at least 0.5.

    Returns
    -------
    Histogram
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if value_range is None:
        value_range = (float(v.min()), float(v.max())) if v.size else (-1.0, 1.0)
    lo, hi = value_range
    if not _splits(lo, hi, bins):
        pad = 0.5 * max(1.0, abs(lo), abs(hi))
        lo, hi = lo - pad, hi + pad
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return Histogram(edges, counts)


def _splits(lo: float, hi: float, bins: int) -> bool:
    """Whether [lo, hi] splits into ``bins`` distinct float64 bins, each wide enough for a finite density."""
    return hi - lo >= bins * np.finfo(float).tiny and bool(np.all(np.diff(np.linspace(lo, hi, bins + 1)) > 0))
