"""core.numerics: the divergence rule and the histogram, by hand and as laws."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import numerics as nx

losses = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)


def test_a_loss_over_the_factor_times_the_first_loss_has_diverged():
    assert not nx.diverged(5e12, 10.0) and nx.diverged(2e13, 10.0)
    assert nx.diverged(np.inf, 1.0) and nx.diverged(np.nan, 1.0) and nx.diverged(-np.inf, 1.0)


def test_below_a_first_loss_of_one_the_limit_is_absolute():
    for first in (0.0, 1e-20, 0.5, 1.0):
        assert not nx.diverged(0.9 * nx.EXPLODE_FACTOR, first)
        assert nx.diverged(1.1 * nx.EXPLODE_FACTOR, first)


@given(loss=losses, first=losses)
def test_a_loss_no_higher_than_the_first_never_counts_as_diverged(loss, first):
    if loss <= max(abs(first), 1.0):
        assert not nx.diverged(loss, first)


@given(loss=losses, first=losses, factor=st.floats(1.0, 1e6))
def test_a_higher_loss_is_at_least_as_diverged(loss, first, factor):
    if loss > 0 and nx.diverged(loss, first):
        assert nx.diverged(loss * factor, first)


def test_quiet_silences_overflow_division_and_invalid_operations():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**nx.QUIET):
            big = np.array([1e300]) * 1e300
            ratio = np.array([1.0, 0.0]) / 0.0
    assert big[0] == np.inf and ratio[0] == np.inf and np.isnan(ratio[1])


def test_histogram_by_hand():
    h = nx.histogram([0.0, 0.5, 1.0, 1.5, 4.0], bins=4)
    np.testing.assert_array_equal(h.edges, [0.0, 1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(h.counts, [2, 2, 0, 1])  # the last bin includes its right edge
    assert h.width == 1.0
    np.testing.assert_array_equal(h.centers, [0.5, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(h.density, [0.4, 0.4, 0.0, 0.2])


def test_histogram_leaves_out_non_finite_values_and_values_outside_the_range():
    h = nx.histogram([np.nan, -np.inf, 0.2, 0.7, 3.0], bins=2, value_range=(0.0, 1.0))
    np.testing.assert_array_equal(h.counts, [1, 1])


def test_histogram_of_a_constant_or_of_nothing_still_has_bins_of_positive_width():
    const = nx.histogram(np.full(10, 0.25), bins=5)
    assert const.edges[0] == -0.25 and const.edges[-1] == 0.75 and const.counts.sum() == 10
    for nearly_constant in ([0.0, 1e-320], [1e20, 1e20 * (1 + 1e-15)]):
        h = nx.histogram(nearly_constant, bins=50)
        assert h.counts.sum() == 2 and np.all(np.isfinite(h.density))
    empty = nx.histogram([np.nan], bins=4)
    assert empty.width == 0.5 and empty.counts.sum() == 0
    np.testing.assert_array_equal(empty.density, 0.0)


@given(values=arrays(np.float64, st.integers(1, 200),
                     elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)),
       bins=st.integers(1, 50))
def test_every_finite_value_is_counted_once_and_the_density_has_area_one(values, bins):
    h = nx.histogram(values, bins)
    assert h.counts.sum() == values.size
    assert len(h.edges) == bins + 1 and np.all(np.diff(h.edges) > 0)
    assert (h.density * h.width).sum() == pytest.approx(1.0)
    assert np.all((h.centers > h.edges[:-1]) & (h.centers < h.edges[1:]))
