import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import batchnorm as bn
from tests.core.gradcheck import numeric_grad, rel_err

EPS = 1e-5


def batch(seed=0, m=16, d=4, loc=3.0, scale=2.0):
    rng = np.random.default_rng(seed)
    x = loc + scale * rng.normal(size=(m, d))
    return x, rng.normal(1.0, 0.5, size=d), rng.normal(size=d), rng


def term_size(d_out, cache):
    """Size of the terms that cancel in the backward formula: the scale for round-off, per feature."""
    return np.abs(cache.gamma * cache.inv_std) * np.abs(d_out).sum(axis=0) * (1 + np.abs(cache.x_hat).max())


# Batches with spread-out features: m in [2, 20], d in [1, 5], entries in [-50, 50].
batches = st.integers(2, 20).flatmap(
    lambda m: st.integers(1, 5).flatmap(
        lambda d: arrays(np.float64, (m, d), elements=st.floats(-50, 50, allow_subnormal=False))
    )
)
spread_out = batches.filter(lambda x: np.all(x.std(axis=0) > 1e-2))


def test_backward_matches_central_finite_differences_for_x_gamma_and_beta():
    x, gamma, beta, rng = batch()
    d_out = rng.normal(size=x.shape)

    def loss():
        return (bn.batchnorm_forward(x, gamma, beta)[0] * d_out).sum()

    dx, dgamma, dbeta = bn.batchnorm_backward(d_out, bn.batchnorm_forward(x, gamma, beta)[1])
    assert rel_err(dx, numeric_grad(loss, x)) < 1e-6
    assert rel_err(dgamma, numeric_grad(loss, gamma)) < 1e-6
    assert rel_err(dbeta, numeric_grad(loss, beta)) < 1e-6


def test_inference_backward_matches_central_finite_differences():
    x, gamma, beta, rng = batch(seed=1)
    mu, var = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    d_out = rng.normal(size=x.shape)

    def loss():
        return (bn.batchnorm_inference(x, gamma, beta, mu, var) * d_out).sum()

    cache = bn.batchnorm_inference_forward(x, gamma, beta, mu, var)[1]
    dx, dgamma, dbeta = bn.batchnorm_inference_backward(d_out, cache)
    assert rel_err(dx, numeric_grad(loss, x)) < 1e-6
    assert rel_err(dgamma, numeric_grad(loss, gamma)) < 1e-6
    assert rel_err(dbeta, numeric_grad(loss, beta)) < 1e-6


@settings(deadline=None, max_examples=50)
@given(x=spread_out, gamma=st.floats(-3, 3), beta=st.floats(-3, 3))
def test_training_output_has_mean_beta_and_std_abs_gamma_times_shrink_factor(x, gamma, beta):
    d = x.shape[1]
    out, _ = bn.batchnorm_forward(x, np.full(d, gamma), np.full(d, beta))
    var = x.var(axis=0)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=0), abs(gamma) * np.sqrt(var / (var + EPS)), rtol=1e-7, atol=1e-12)


@settings(deadline=None, max_examples=50)
@given(x=spread_out, seed=st.integers(0, 2**32 - 1))
def test_input_gradient_sums_to_zero_per_feature(x, seed):
    # Adding a constant to a feature leaves BN's output unchanged, so the gradient has no such component.
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    _, cache = bn.batchnorm_forward(x, rng.normal(size=d), rng.normal(size=d))
    d_out = rng.normal(size=x.shape)
    dx, _, _ = bn.batchnorm_backward(d_out, cache)
    assert np.all(np.abs(dx.sum(axis=0)) <= 1e-12 * term_size(d_out, cache))


@settings(deadline=None, max_examples=50)
@given(x=spread_out, seed=st.integers(0, 2**32 - 1))
def test_input_gradient_is_orthogonal_to_the_input_when_eps_is_zero(x, seed):
    # With eps = 0, scaling a feature leaves the output unchanged too (with eps > 0 only approximately).
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    _, cache = bn.batchnorm_forward(x, rng.normal(size=d), rng.normal(size=d), eps=0.0)
    d_out = rng.normal(size=x.shape)
    dx, _, _ = bn.batchnorm_backward(d_out, cache)
    assert np.all(np.abs((dx * cache.x_hat).sum(axis=0)) <= 1e-12 * term_size(d_out, cache) * len(x))


def test_running_stats_after_several_batches_match_a_hand_computation_with_unbiased_variance():
    rng = np.random.default_rng(2)
    mean, var = np.zeros(3), np.ones(3)
    hand_mean, hand_var = np.zeros(3), np.ones(3)
    for _ in range(5):
        x = rng.normal(5.0, 3.0, size=(8, 3))
        mean, var = bn.update_running_stats(mean, var, x)
        hand_mean = 0.9 * hand_mean + 0.1 * x.sum(axis=0) / 8
        hand_var = 0.9 * hand_var + 0.1 * ((x - x.mean(axis=0)) ** 2).sum(axis=0) / 7
    np.testing.assert_allclose(mean, hand_mean, rtol=1e-14)
    np.testing.assert_allclose(var, hand_var, rtol=1e-14)


def test_running_variance_is_unbiased_even_for_batches_of_four():
    rng = np.random.default_rng(3)
    mean, var = np.zeros(2), np.ones(2)
    means, variances = [], []
    for _ in range(3000):
        mean, var = bn.update_running_stats(mean, var, rng.normal([1.0, -2.0], [2.0, 0.5], size=(4, 2)))
        means.append(mean)
        variances.append(var)
    # Averaged over the run after a burn-in; the biased batch variance would land at 3/4 of the truth.
    np.testing.assert_allclose(np.mean(means[100:], axis=0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(np.mean(variances[100:], axis=0), [4.0, 0.25], rtol=0.06)


def test_a_batch_of_one_moves_the_running_mean_and_keeps_the_running_variance():
    mean, var = bn.update_running_stats(np.zeros(2), np.array([2.0, 3.0]), np.array([[1.0, -1.0]]))
    np.testing.assert_allclose(mean, [0.1, -0.1])
    np.testing.assert_array_equal(var, [2.0, 3.0])


def test_keras_convention_weights_the_old_value_by_momentum_and_uses_the_biased_variance():
    x = np.array([[1.0], [3.0]])  # mean 2, biased var 1, unbiased var 2
    mean, var = bn.update_running_stats_keras(np.zeros(1), np.ones(1), x)
    np.testing.assert_allclose(mean, [0.01 * 2.0])
    np.testing.assert_allclose(var, [0.99 * 1.0 + 0.01 * 1.0])
    _, var_biased = bn.RUNNING_STATS_CONVENTIONS["biased"](np.zeros(1), np.zeros(1), x)
    _, var_pytorch = bn.RUNNING_STATS_CONVENTIONS["pytorch"](np.zeros(1), np.zeros(1), x)
    np.testing.assert_allclose([var_biased[0], var_pytorch[0]], [0.1, 0.2])


def test_update_running_stats_returns_new_arrays_and_leaves_its_inputs_alone():
    mean, var = np.zeros(2), np.ones(2)
    new_mean, new_var = bn.update_running_stats(mean, var, np.ones((3, 2)))
    np.testing.assert_array_equal(mean, 0.0)
    np.testing.assert_array_equal(var, 1.0)
    assert new_mean is not mean and new_var is not var


@settings(deadline=None, max_examples=50)
@given(x=batches, seed=st.integers(0, 2**32 - 1))
def test_inference_equals_the_affine_form_of_algorithm_2(x, seed):
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    gamma, beta, mu, var = rng.normal(size=d), rng.normal(size=d), rng.normal(size=d), rng.uniform(0, 5, d)
    scale = gamma / np.sqrt(var + EPS)
    expected = scale * x + (beta - gamma * mu / np.sqrt(var + EPS))
    out = bn.batchnorm_inference(x, gamma, beta, mu, var)
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9 * (1 + np.abs(scale * x).max()))


@settings(deadline=None, max_examples=50)
@given(x=batches)
def test_gamma_sigma_and_beta_mu_recover_the_identity(x):
    mu, var = x.mean(axis=0), x.var(axis=0)
    steps = bn.batchnorm_steps(x, np.sqrt(var + EPS), mu)
    np.testing.assert_allclose(steps.out, x, rtol=1e-9, atol=1e-9 * (1 + np.abs(x).max()))
    np.testing.assert_allclose(steps.x_centered, x - mu)
    np.testing.assert_allclose(steps.std, np.sqrt(var + EPS))


@settings(deadline=None, max_examples=50)
@given(seed=st.integers(0, 2**32 - 1), a=st.floats(1e-3, 1e3), shift=st.floats(-10, 10))
def test_batchnorm_ignores_a_positive_rescaling_of_the_weights_and_a_shift_of_the_bias(seed, a, shift):
    # eps = 0 makes the invariance exact: with eps > 0, scaling W also scales eps's share of the variance.
    rng = np.random.default_rng(seed)
    u, W = rng.normal(size=(32, 6)), rng.normal(size=(6, 3))
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    reference = bn.batchnorm_forward(u @ W, gamma, beta, eps=0.0)[0]
    scaled = bn.batchnorm_forward(u @ (a * W) + shift, gamma, beta, eps=0.0)[0]
    np.testing.assert_allclose(scaled, reference, rtol=0, atol=1e-10)


def test_steps_of_a_single_unit_are_one_dimensional():
    steps = bn.batchnorm_steps(np.array([1.0, 2.0, 6.0]), 2.0, 1.0)
    assert steps.x_hat.shape == (3,) and steps.mu.shape == ()
    assert float(steps.mu) == 3.0
    np.testing.assert_allclose(steps.out, 2.0 * steps.x_hat + 1.0)
    np.testing.assert_allclose(steps.x_hat.mean(), 0.0, atol=1e-15)


def test_a_batch_of_one_normalizes_to_beta():
    out, _ = bn.batchnorm_forward(np.array([[3.0, -7.0]]), np.ones(2), np.array([0.5, -0.5]))
    np.testing.assert_allclose(out, [[0.5, -0.5]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bn.batchnorm_forward(np.ones(3), np.ones(3), np.zeros(3)), "2-D"),
        (lambda: bn.batchnorm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3)), "gamma"),
        (lambda: bn.batchnorm_forward(np.array([[np.nan, 1.0]]), np.ones(2), np.zeros(2)), "NaN"),
        (lambda: bn.batchnorm_forward(np.ones((4, 2)), np.ones(2), np.zeros(2), eps=0.0), "zero variance"),
        (lambda: bn.batchnorm_forward(np.ones((4, 2)), np.ones(2), np.zeros(2), eps=-1.0), "eps"),
        (lambda: bn.update_running_stats(np.zeros(2), np.ones(2), np.ones((3, 2)), momentum=1.5), "momentum"),
        (lambda: bn.update_running_stats(np.zeros(3), np.ones(2), np.ones((3, 2))), "running_mean"),
        (lambda: bn.batchnorm_inference(np.ones((2, 2)), np.ones(2), np.zeros(2), np.zeros(2), -np.ones(2)), "var"),
    ],
)
def test_bad_shapes_and_values_raise_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_unchecked_forward_propagates_overflow_silently(recwarn):
    x = np.array([[1e308, 1.0], [-1e308, 2.0], [np.inf, 3.0]])
    out, cache = bn.batchnorm_forward(x, np.ones(2), np.zeros(2), check_finite=False)
    bn.batchnorm_backward(np.ones_like(out), cache)
    assert not np.all(np.isfinite(out[:, 0])) and np.all(np.isfinite(out[:, 1]))
    assert len(recwarn) == 0
