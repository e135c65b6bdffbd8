"""The BatchNorm page's experiments: theory lines against seeded simulations, determinism, shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import batchnorm as bn
from core import bn_experiments as E
from core import datasets

SMALL = dict(steps=60, width=16, batch_size=16)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_bn_on_reaches_a_lower_loss_than_bn_off_at_a_high_learning_rate():
    off = E.train_run(rng(0), batchnorm=False, lr=8.0, steps=200)
    on = E.train_run(rng(0), batchnorm=True, lr=8.0, steps=200)
    assert E.final_loss(on) < E.final_loss(off)


def test_bn_on_and_off_start_from_the_same_weights():
    off, on = E.make_net(rng(3), batchnorm=False), E.make_net(rng(3), batchnorm=True)
    for W_off, W_on in zip(off.weights, on.weights, strict=True):
        np.testing.assert_array_equal(W_off, W_on)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_a_run_draws_data_weights_and_batches_from_the_three_children_of_its_rng(batchnorm):
    """BN off and on, given default_rng(seed) each, therefore see the same data, weights and mini-batches."""
    run = E.train_run(rng(7), batchnorm=batchnorm, lr=1.0, **SMALL)
    data_rng, init_rng, batch_rng = rng(7).spawn(3)
    data = E.load_data(data_rng)
    net = E.make_net(init_rng, batchnorm=batchnorm, width=16)
    replay = E.nn.train(net, data.X_train, data.y_train, loss="softmax_ce", lr=1.0, steps=60, batch_size=16,
                        rng=batch_rng)
    np.testing.assert_array_equal(run.losses, replay.losses)


def test_init_scale_multiplies_only_the_hidden_weights():
    base, scaled = E.make_net(rng(1), batchnorm=True), E.make_net(rng(1), batchnorm=True, init_scale=10.0)
    for W, W10 in zip(base.weights[:-1], scaled.weights[:-1], strict=True):
        np.testing.assert_allclose(W10, 10 * W, rtol=1e-15)
    np.testing.assert_array_equal(scaled.weights[-1], base.weights[-1])


def test_scale_invariance_holds_to_1e_10_without_eps():
    inv = E.scale_invariance([1e-3, 0.1, 1.0, 10.0, 1e3], rng=np.random.default_rng(0))
    assert np.all(inv.out_diff_eps0 < 1e-10)
    np.testing.assert_allclose(inv.grad_ratio, inv.grad_ratio_theory, rtol=1e-10)
    np.testing.assert_allclose(inv.grad_ratio_theory, 1.0 / inv.scales)


def test_scale_invariance_with_eps_breaks_only_by_about_eps_over_the_variance():
    inv = E.scale_invariance([0.1, 1.0, 10.0], rng=np.random.default_rng(1))
    assert inv.out_diff[1] == 0.0
    assert 0 < inv.out_diff[0] < 1e-2  # a = 0.1: variance 100x smaller, eps relatively 100x larger
    assert inv.out_diff[2] < inv.out_diff[0]


def test_identity_gamma_beta_gives_the_input_back():
    x = datasets.unit_batch(50, np.random.default_rng(2))
    gamma, beta = E.identity_gamma_beta(x)
    np.testing.assert_allclose(bn.batchnorm_steps(x, gamma, beta).out, x, rtol=0, atol=1e-12)
    assert gamma == pytest.approx(np.sqrt(x.var() + E.EPS), rel=1e-14)
    assert beta == pytest.approx(x.mean(), rel=1e-14)


def test_transform_reports_the_largest_change_from_the_input():
    x = datasets.unit_batch(40, np.random.default_rng(9))
    steps, gap = E.transform(x, 1.0, 0.0)
    assert gap == pytest.approx(np.abs(steps.x_hat - x).max(), rel=1e-12)
    assert E.transform(x, *E.identity_gamma_beta(x))[1] < 1e-12


@settings(deadline=None, max_examples=30)
@given(m=st.integers(2, 200), mu=st.floats(-50, 50), sigma=st.floats(0.1, 50), seed=st.integers(0, 2**16))
def test_identity_holds_for_any_batch(m, mu, sigma, seed):
    x = datasets.unit_batch(m, np.random.default_rng(seed), mu=mu, sigma=sigma)
    gamma, beta = E.identity_gamma_beta(x)
    out = bn.batchnorm_steps(x, gamma, beta).out
    assert np.max(np.abs(out - x)) <= 1e-9 * max(1.0, np.max(np.abs(x)))


def test_mu_b_spread_matches_sigma_over_sqrt_m_within_sampling_error():
    n = 4000
    spread = E.batch_stat_spread([1, 2, 4, 16, 64, 256], n_batches=n, rng=np.random.default_rng(3), sigma=2.0)
    # the relative standard error of a standard deviation estimated from n draws is ~ 1/sqrt(2(n-1))
    tol = 4 / np.sqrt(2 * (n - 1))
    np.testing.assert_allclose(spread.mu_sd, spread.mu_sd_theory, rtol=tol)
    np.testing.assert_allclose(spread.mu_sd_theory, 2.0 / np.sqrt(spread.batch_sizes))


def test_sigma_b_spread_matches_the_exact_theory_within_sampling_error():
    n = 4000
    spread = E.batch_stat_spread([2, 3, 8, 32, 128], n_batches=n, rng=np.random.default_rng(4), sigma=1.5)
    tol = 6 / np.sqrt(2 * (n - 1))  # sample std of a skewed quantity: a wider margin
    np.testing.assert_allclose(spread.sigma_sd, spread.sigma_sd_theory, rtol=tol)


def test_sigma_b_spread_approaches_sigma_over_sqrt_2m_and_is_zero_for_one_sample():
    assert E.sigma_b_sd(1, 3.0) == 0.0
    assert E.sigma_b_sd(10_000, 1.0) == pytest.approx(1 / np.sqrt(2 * 10_000), rel=1e-3)


def test_batch_of_one_gives_x_hat_zero_and_batch_of_two_gives_plus_minus_one():
    np.testing.assert_array_equal(E.tiny_batch_x_hat(1, 20, np.random.default_rng(5)), 0.0)
    two = E.tiny_batch_x_hat(2, 200, np.random.default_rng(5))
    d = np.abs(np.diff(np.random.default_rng(5).normal(size=(200, 2)), axis=1))[:, 0]  # the same draws
    np.testing.assert_allclose(two.sum(axis=1), 0.0, atol=1e-12)
    predicted = np.broadcast_to((1 / np.sqrt(1 + 4 * E.EPS / d**2))[:, None], two.shape)
    np.testing.assert_allclose(np.abs(two), predicted, rtol=1e-12)


def test_running_statistics_after_several_batches_match_a_hand_computation():
    rng = np.random.default_rng(6)
    stats = E.running_stats("pytorch", batch_size=5, steps=3, rng=np.random.default_rng(6), mu=1.0, sigma=2.0)
    x = rng.normal(1.0, 2.0, size=(3, 5, 1))[:, :, 0]  # the same three batches
    mean, var = 0.0, 1.0
    for b in x:
        mean = 0.9 * mean + 0.1 * b.mean()
        var = 0.9 * var + 0.1 * (((b - b.mean()) ** 2).sum() / 4)  # unbiased: divide by m - 1
    assert stats.running_mean[-1] == pytest.approx(mean, rel=1e-12)
    assert stats.running_var[-1] == pytest.approx(var, rel=1e-12)
    np.testing.assert_allclose(stats.batch_var, x.var(axis=1))  # training normalizes with the biased one


def test_keras_momentum_0_99_weighs_the_new_batch_by_0_01_with_the_biased_variance():
    stats = E.running_stats("keras", batch_size=4, steps=1, rng=np.random.default_rng(7))
    x = np.random.default_rng(7).normal(3.0, 2.0, size=(1, 4, 1))[0, :, 0]
    assert stats.running_mean[1] == pytest.approx(0.01 * x.mean(), rel=1e-12)
    assert stats.running_var[1] == pytest.approx(0.99 + 0.01 * x.var(), rel=1e-12)


@pytest.mark.parametrize("convention", list(E.CONVENTIONS))
def test_running_variance_settles_at_the_predicted_level(convention):
    stats = E.running_stats(convention, batch_size=4, steps=3000, rng=np.random.default_rng(8))
    assert stats.running_var[500:].mean() == pytest.approx(stats.target_var, rel=0.08)
    assert stats.settled_var() == pytest.approx(stats.target_var, rel=0.08)
    assert stats.running_mean[500:].mean() == pytest.approx(stats.true_mean, abs=0.1)
    biased = not E.CONVENTIONS[convention]["unbiased"]
    assert stats.target_var == pytest.approx(stats.true_var * (0.75 if biased else 1.0))


def test_training_in_probe_chunks_is_the_same_run_as_one_call():
    one = E.train_run(rng(2), batchnorm=True, lr=1.0, **SMALL)
    chunked = E.train_run(rng(2), batchnorm=True, lr=1.0, probe_every=7, **SMALL)
    np.testing.assert_array_equal(one.losses, chunked.losses)
    np.testing.assert_array_equal(one.accuracy, chunked.accuracy)


def test_train_run_is_deterministic_and_has_the_documented_shapes():
    a = E.train_run(rng(4), batchnorm=True, lr=1.0, probe_every=20, **SMALL)
    b = E.train_run(rng(4), batchnorm=True, lr=1.0, probe_every=20, **SMALL)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.percentiles, b.percentiles)
    assert a.losses.shape == a.accuracy.shape == (60,)
    np.testing.assert_array_equal(a.probe_steps, [0, 20, 40, 60])
    assert a.percentiles.shape == (4, 3)
    assert a.test_loss_train_mode.shape == a.test_loss_eval_mode.shape == (4,)
    assert np.all(np.diff(a.percentiles, axis=1) >= 0)  # 15th <= 50th <= 85th
    assert a.diverged_step is None


def test_without_batchnorm_train_and_eval_mode_agree():
    run = E.train_run(rng(5), batchnorm=False, lr=1.0, probe_every=30, **SMALL)
    np.testing.assert_allclose(run.test_loss_train_mode, run.test_loss_eval_mode, rtol=1e-12)


def test_bn_normalizes_the_unit_input_at_the_start():
    run = E.train_run(rng(6), batchnorm=True, lr=1.0, probe_every=30, **SMALL)
    p15, p50, p85 = run.percentiles[0]
    # gamma = 1, beta = 0 at the start: the 15th/85th percentiles of a standardized normal-ish input are ~ -+1
    assert -1.5 < p15 < -0.5 and abs(p50) < 0.5 and 0.5 < p85 < 1.5


def test_a_slow_running_average_leaves_a_bigger_eval_gap_early_than_late():
    run = E.train_run(rng(0), batchnorm=True, lr=2.0, steps=200, width=32, bn_momentum=0.01, probe_every=25)
    gap = np.abs(run.test_loss_train_mode - run.test_loss_eval_mode)
    assert gap[1:4].mean() > gap[-3:].mean()


def test_smooth_keeps_constants_and_nans():
    v = np.array([2.0, 2.0, 2.0, np.nan, np.nan])
    out = E.smooth(v, 3)
    np.testing.assert_allclose(out[:3], 2.0)
    assert np.all(np.isnan(out[3:]))
    np.testing.assert_allclose(E.smooth([1.0, 2.0, 3.0, 4.0], 2), [1.0, 1.5, 2.5, 3.5])


def test_stuck_means_no_better_than_chance():
    run = E.Run(np.full(50, E.CHANCE_LOSS), np.full(50, 0.1), None, *[np.empty(0)] * 4)
    assert E.is_stuck(run)
    assert not E.is_stuck(E.Run(np.full(50, 0.5), np.full(50, 0.9), None, *[np.empty(0)] * 4))


@pytest.mark.parametrize("call", [
    lambda: E.batch_stat_spread([0, 2], n_batches=10, rng=np.random.default_rng(0)),
    lambda: E.running_stats("tensorflow", batch_size=4, steps=3, rng=np.random.default_rng(0)),
    lambda: E.running_stats("pytorch", batch_size=1, steps=3, rng=np.random.default_rng(0)),
    lambda: E.scale_invariance([0.0], rng=np.random.default_rng(0)),
])  # fmt: skip
def test_bad_arguments_raise_a_clear_value_error(call):
    with pytest.raises(ValueError):
        call()


# The learning-rate experiment of the page: a 6-layer ReLU network, BN off vs on, from the same seeds.
LR_NET = dict(width=32, depth=6, batch_size=32, activation="relu")
LR_GRID = [0.0625 * 2**k for k in range(7)]


@pytest.mark.parametrize("seed", [0, 1])
def test_bn_trains_at_a_largest_stable_rate_at_least_four_times_the_plain_networks_on_every_seed(seed):
    off = E.lr_sweep(LR_GRID, rng(seed), n_seeds=3, batchnorm=False, steps=100, **LR_NET)
    on = E.lr_sweep(LR_GRID, rng(seed), n_seeds=3, batchnorm=True, steps=100, **LR_NET)
    assert on.largest_stable_lr() >= 4 * off.largest_stable_lr()
    assert np.all(on.largest_stable_per_seed() >= 4 * off.largest_stable_per_seed())
    # above its limit the plain network's loss blows up (diverges), it does not merely stall
    above = np.flatnonzero(np.asarray(LR_GRID) > 2 * off.largest_stable_lr())
    assert np.all(off.diverged_step[above] >= 0)


def test_a_sweep_runs_each_seed_from_the_same_data_weights_and_batches_at_every_rate():
    sw = E.lr_sweep([0.1, 0.2, 0.4], rng(3), n_seeds=2, batchnorm=True, steps=20, **LR_NET)
    assert np.all(sw.first_loss == sw.first_loss[0])      # the same first mini-batch and weights at every rate
    child = rng(3).spawn(2)[1]
    run = E.train_run(child, batchnorm=True, lr=0.2, steps=20, **LR_NET)
    assert sw.final_loss[1, 1] == E.final_loss(run)


def test_trains_means_finite_and_below_the_starting_loss_and_chance():
    sw = E.LRSweep(np.array([1.0, 2.0, 4.0]), np.full((3, 1), 2.5), np.array([[0.5], [2.4], [0.1]]),
                   np.array([[-1], [-1], [7]]))
    assert sw.trains[:, 0].tolist() == [True, False, False]
    assert sw.largest_stable_lr() == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_gradient_changes_less_over_a_step_with_bn_than_without(seed):
    off, on = (E.gradient_change(rng(seed), batchnorm=b, lr=0.125, steps=100, **LR_NET) for b in (False, True))
    assert off.diverged_step is None and on.diverged_step is None
    assert np.nanmax(off.change) > 1.2 * np.nanmax(on.change)
    assert off.median_change() > on.median_change()


@pytest.mark.parametrize("batchnorm", [False, True])
def test_gradient_change_trains_exactly_as_train_run_does(batchnorm):
    g = E.gradient_change(rng(4), batchnorm=batchnorm, lr=0.3, steps=30, **LR_NET)
    run = E.train_run(rng(4), batchnorm=batchnorm, lr=0.3, steps=30, **LR_NET)
    np.testing.assert_allclose(g.losses, run.losses, rtol=1e-12)


def test_the_gradient_change_of_a_diverging_run_exceeds_two_over_the_rate_before_it_breaks():
    g = E.gradient_change(rng(0), batchnorm=False, lr=2.0, steps=50, **LR_NET)
    assert g.diverged_step is not None
    assert g.change[0] * 2.0 > 2


def test_the_undo_is_exact_on_its_own_batch_and_fails_on_another():
    x_a = datasets.unit_batch(64, rng(0), mu=3.0, sigma=2.0)
    x_b = datasets.unit_batch(64, rng(1), mu=3.0, sigma=2.0)
    gap_a, gap_b = E.undo_gaps(x_a, x_b)
    assert gap_a < 1e-12
    assert gap_b > 0.05
    # on x_b the output is x_b normalized with its own statistics, then given x_a's
    std = lambda x: np.sqrt(x.var() + E.EPS)  # noqa: E731
    y_b = std(x_a) * (x_b - x_b.mean()) / std(x_b) + x_a.mean()
    assert gap_b == pytest.approx(np.abs(y_b - x_b).max(), rel=1e-12)
    assert E.undo_gaps(x_a, x_a + 0.0)[1] < 1e-12   # a batch with the same statistics is undone too


@settings(max_examples=50, deadline=None)
@given(m=st.integers(2, 64), shift=st.floats(-5, 5), seed=st.integers(0, 10_000))
def test_another_batch_is_off_by_at_least_the_difference_of_the_two_batch_means(m, shift, seed):
    x_a = rng(seed).normal(3.0, 2.0, m)
    x_b = rng(seed + 1).normal(3.0 + shift, 2.0, m)
    gap_a, gap_b = E.undo_gaps(x_a, x_b)
    assert gap_a < 1e-9
    assert gap_b >= abs(x_a.mean() - x_b.mean()) - 1e-9   # y has mean mu_a, x_b has mean mu_b


def test_plain_sgd_only_lengthens_the_scale_invariant_hidden_weights_of_a_bn_network():
    g = E.gradient_change(rng(2), batchnorm=True, lr=1.0, steps=40, **LR_NET)
    steps = np.diff(g.hidden_norm)
    assert np.all(steps >= -1e-6 * g.hidden_norm[:-1])   # perpendicular gradients, up to eps
    assert g.hidden_norm[-1] > 1.05 * g.hidden_norm[0]
