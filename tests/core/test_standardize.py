"""core.standardize: the scalers by hand and as laws; page 2's theory lines and stated numbers against simulation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import loss_surface as ls
from core import standardize as S
from core.datasets import age_income

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
matrices = st.tuples(st.integers(1, 30), st.integers(1, 5)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=finite))


def age_income_data(n=300, seed=0):
    return age_income(n, np.random.default_rng(seed))


# ---- the Standardizer contract ----------------------------------------------------------------------
def test_standardizer_matches_hand_computed_mean_and_population_std():
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    s = S.fit_standardizer(X)
    np.testing.assert_allclose(s.mean, [2.0, 30.0])
    np.testing.assert_allclose(s.scale, [math.sqrt(2 / 3), math.sqrt((400 + 100 + 900) / 3)])
    np.testing.assert_allclose(s.transform(X)[:, 0], [-math.sqrt(1.5), 0.0, math.sqrt(1.5)])


def test_constant_feature_is_centred_not_scaled():
    X = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]])
    s = S.fit_standardizer(X)
    assert s.scale[0] == 1.0
    np.testing.assert_array_equal(s.transform(X)[:, 0], 0.0)


def test_statistics_fitted_on_train_are_applied_unchanged_to_new_data():
    s = S.fit_standardizer(np.array([[0.0], [2.0]]))
    np.testing.assert_allclose(s.transform(np.array([[4.0]])), [[3.0]])


@pytest.mark.parametrize("bad", [np.array([[1.0, np.nan]]), np.array([[np.inf]]), np.empty((0, 2)),
                                 np.empty((3, 0)), np.array([1.0, 2.0]), np.ones((2, 2, 2))])
def test_non_finite_empty_or_non_2d_input_raises_value_error(bad):
    with pytest.raises(ValueError):
        S.fit_standardizer(bad)


def test_transform_refuses_the_wrong_number_of_features():
    with pytest.raises(ValueError):
        S.fit_standardizer(np.ones((3, 2))).transform(np.ones((3, 3)))


def test_standardizer_is_frozen():
    s = S.fit_standardizer(np.ones((2, 1)))
    with pytest.raises(AttributeError):
        s.mean = np.zeros(1)


@settings(deadline=None, max_examples=50)
@given(matrices)
def test_standardized_columns_have_mean_0_and_std_1_or_0(X):
    Z = S.fit_standardizer(X).transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-9)
    std = Z.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-9) | (std < 1e-6)), std


@settings(deadline=None, max_examples=50)
@given(matrices)
def test_inverse_transform_after_transform_is_the_identity(X):
    s = S.fit_standardizer(X)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X, rtol=1e-9, atol=1e-9 * (1 + np.abs(X).max()))


@settings(deadline=None, max_examples=30)
@given(matrices, st.sampled_from(S.SCALINGS))
def test_every_scaling_round_trips_and_min_max_lands_in_the_unit_interval(X, method):
    sc = S.fit_scaling(X, method)
    Z = sc.transform(X)
    np.testing.assert_allclose(sc.inverse_transform(Z), X, rtol=1e-9, atol=1e-9 * (1 + np.abs(X).max()))
    if method == "min-max":
        assert Z.min() >= -1e-12 and Z.max() <= 1 + 1e-12


def test_min_max_and_centering_by_hand():
    X = np.array([[1.0], [3.0], [5.0]])
    np.testing.assert_allclose(S.fit_scaling(X, "min-max").transform(X)[:, 0], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(S.fit_scaling(X, "centering").transform(X)[:, 0], [-2.0, 0.0, 2.0])
    with pytest.raises(ValueError):
        S.fit_scaling(X, "robust")


def test_bias_column_is_appended_after_scaling():
    D = S.design_matrix(np.array([[2.0, 3.0]]))
    np.testing.assert_array_equal(D, [[2.0, 3.0, 1.0]])


# ---- exactness of the shortcuts the page relies on ----------------------------------------------------
def test_sufficient_rows_give_the_same_loss_gradient_and_hessian():
    X, y = age_income_data(500)
    D = S.design_matrix(S.fit_standardizer(X).transform(X))
    D_s, y_s = S.sufficient_rows(D, y)
    assert D_s.shape == (4, 3)  # d + 1 rows: the columns of D and y
    w = np.array([0.3, -1.2, 4.0])
    assert math.isclose(ls.mse_loss(w, D_s, y_s), ls.mse_loss(w, D, y), rel_tol=1e-12)
    np.testing.assert_allclose(ls.mse_grad(w, D_s, y_s), ls.mse_grad(w, D, y), rtol=1e-10)
    np.testing.assert_allclose(ls.mse_hessian(D_s), ls.mse_hessian(D), rtol=1e-10, atol=1e-12)


def test_gradient_descent_on_sufficient_rows_follows_the_full_data_run():
    X, y = age_income_data(400)
    D = S.design_matrix(S.fit_scaling(X, "min-max").transform(X))
    D_s, y_s = S.sufficient_rows(D, y)
    full = ls.gradient_descent(D, y, np.zeros(3), 1.0, 50)
    small = ls.gradient_descent(D_s, y_s, np.zeros(3), 1.0, 50)
    np.testing.assert_allclose(small.losses, full.losses, rtol=1e-10)


def test_minimum_loss_is_the_same_for_every_scaling():
    X, y = age_income_data()
    star = S.min_loss(X, y)
    runs = S.compare_scalings(X, y, lr_fraction=0.9, steps=3000)
    assert runs[3].losses[-1] == pytest.approx(star, rel=1e-12)
    assert runs[2].losses[-1] == pytest.approx(star, rel=1e-9)
    for r in runs:
        assert r.loss_star == star
        w = r.w_star
        sc = S.fit_scaling(X, r.method)
        assert ls.mse_loss(w, S.design_matrix(sc.transform(X)), y) == pytest.approx(star, rel=1e-9)


# ---- theory vs simulation ---------------------------------------------------------------------------
def test_condition_number_and_max_lr_match_the_hessian_eigenvalues():
    X, y = age_income_data()
    for r in S.compare_scalings(X, y, steps=1):
        D = S.design_matrix(S.fit_scaling(X, r.method).transform(X))
        lam = np.linalg.eigvalsh(D.T @ D / len(D))
        assert r.kappa == pytest.approx(lam[-1] / lam[0], rel=1e-4)
        assert r.max_lr == pytest.approx(2 / lam[-1], rel=1e-9)


def test_standardizing_brings_kappa_near_one_and_raw_data_is_ill_conditioned():
    X, y = age_income_data()
    kappa = {r.method: r.kappa for r in S.compare_scalings(X, y, steps=1)}
    assert kappa["none"] > 1e9 and kappa["centering"] > 1e8
    assert kappa["z-score"] < 2 and kappa["min-max"] < 100


@pytest.mark.parametrize("method", ["none", "z-score", "min-max"])
def test_measured_divergence_threshold_equals_two_over_lambda_max(method):
    X, y = age_income_data()
    sw = S.lr_sweep(X, y, method, [])
    assert sw.threshold == pytest.approx(sw.max_lr, rel=1e-3)
    assert S.measured_threshold(X, y, method) == sw.threshold


def test_gd_just_below_two_over_lambda_max_never_raises_the_loss_and_just_above_diverges():
    X, y = age_income_data()
    for method in ("none", "z-score"):
        below = S.run_scaling(X, y, method, lr_fraction=0.99, steps=300)
        assert np.all(np.diff(below.losses) <= 1e-12 * below.losses[0])
        above = S.run_scaling(X, y, method, lr_fraction=1.05, steps=3000)
        assert above.diverged_step is not None


@pytest.mark.parametrize("method", ["z-score", "min-max"])
def test_predicted_excess_loss_matches_the_gd_run(method):
    X, y = age_income_data()
    r = S.run_scaling(X, y, method, lr_fraction=0.9, steps=40)
    D_s, y_s = S.sufficient_rows(S.design_matrix(S.fit_scaling(X, method).transform(X)), y)
    c = ls.curvature(D_s)
    e0 = (0.0 - ls.minimizer(D_s, y_s)[0]) @ c.eigenvectors
    theory = ls.predicted_excess(e0, c, r.lr, np.arange(41))
    measured = r.losses - r.loss_star
    keep = measured > 1e-9 * measured[0]
    np.testing.assert_allclose(theory[keep], measured[keep], rtol=1e-5)


def test_predicted_steps_to_converge_equal_the_measured_steps():
    X, y = age_income_data()
    for r in S.compare_scalings(X, y, lr_fraction=0.9, steps=400):
        if r.steps_predicted <= 400:
            assert r.steps_measured is not None
            assert abs(r.steps_measured - r.steps_predicted) <= 1
    sweep = S.dimension_sweep(300, 8, np.random.default_rng(3))
    ok = np.isfinite(sweep.steps_meas_z)
    assert ok.all()
    assert np.all(np.abs(sweep.steps_meas_z - sweep.steps_pred_z) <= 1)


def test_raw_data_is_painfully_slow_and_an_unstable_lr_never_converges():
    X, y = age_income_data()
    raw = S.run_scaling(X, y, "none", lr_fraction=0.9, steps=200)
    assert raw.steps_predicted > 1e6 and raw.steps_measured is None
    assert S.run_scaling(X, y, "z-score", lr_fraction=1.2, steps=50).steps_predicted == math.inf


def test_gradient_components_scale_with_their_feature():
    X, y = age_income_data()
    runs = S.compare_scalings(X, y, steps=1)
    g_raw, g_z = runs[0].grad0, runs[3].grad0
    assert g_raw[1] / g_raw[0] > 1e3
    assert 0.2 < g_z[1] / g_z[0] < 5
    np.testing.assert_allclose(g_raw, np.abs(X.T @ y / len(y)).tolist() + [abs(y.mean())], rtol=1e-9)


def test_lr_sweep_window_is_empty_for_raw_data_and_wide_for_standardized():
    X, y = age_income_data()
    lrs = np.logspace(-12, 1, 53)
    raw, z = (S.lr_sweep(X, y, m, lrs, steps=100) for m in ("none", "z-score"))
    assert S.usable_window(lrs, raw.rel_excess, 1e-2) is None
    lo, hi = S.usable_window(lrs, z.rel_excess, 1e-2)
    assert hi / lo > 10 and hi < z.max_lr
    assert np.all(np.isinf(z.rel_excess[lrs > 1.05 * z.max_lr]))


def test_kappa_grows_with_mixed_scale_features_only_when_raw():
    sweep = S.dimension_sweep(400, 10, np.random.default_rng(0))
    assert sweep.kappa_raw[-1] > 1e3 * sweep.kappa_z[-1]
    assert np.all(sweep.kappa_z < 5)
    assert np.all(sweep.steps_pred_raw > 10 * sweep.steps_pred_z)


# ---- leak and shape -----------------------------------------------------------------------------------
def test_fitting_on_train_only_keeps_train_centred_and_shows_the_test_shift():
    rep = S.leak_demo(2000, np.random.default_rng(0), income_growth=0.3)
    np.testing.assert_allclose(rep.train_z_mean[0], 0.0, atol=1e-10)
    assert rep.test_z_mean[0][1] > 0.3
    assert abs(rep.train_z_mean[1][1]) > 0.05
    assert rep.test_z_mean[1][1] < rep.test_z_mean[0][1]


def test_z_scoring_keeps_skewness_and_share_within_one_sigma_matches_theory():
    rng = np.random.default_rng(0)
    lognormal = S.shape_report(np.exp(0.6 * rng.normal(size=200_000)))
    assert lognormal.skew_z == pytest.approx(lognormal.skew_raw, rel=1e-9)
    assert lognormal.within_one_sigma == pytest.approx(S.lognormal_within_one_sigma(0.6), abs=0.005)
    assert S.shape_report(rng.normal(size=200_000)).within_one_sigma == pytest.approx(
        S.NORMAL_WITHIN_ONE_SIGMA, abs=0.005)
    assert S.shape_report(rng.uniform(size=200_000)).within_one_sigma == pytest.approx(
        S.UNIFORM_WITHIN_ONE_SIGMA, abs=0.005)


@pytest.mark.parametrize("column", [[0.0, 1.7781090705e-158], [1e-300, 3e-300, 2e-300], [1e200, -1e200, 3e200]])
def test_std_is_exact_for_tiny_and_huge_columns(column):
    """Squared deviations under/overflow at these sizes; the rescaled computation must not care."""
    X = np.array(column)[:, None]
    s = S.fit_standardizer(X)
    ref = np.std(X / np.max(np.abs(X)), axis=0) * np.max(np.abs(X))
    np.testing.assert_allclose(s.scale, ref, rtol=1e-12)
    Z = s.transform(X)
    assert abs(Z.std() - 1) < 1e-12


# ---- the numbers page 2 states (issue 25) --------------------------------------------------------------------
def design(X):
    return S.design_matrix(X)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_feature_1000_times_larger_has_a_1000_times_larger_gradient_and_a_million_times_larger_curvature(seed):
    X, y = age_income_data(seed=seed)
    thousands = X * np.array([1.0, 1e-3])
    g_d, g_k = (np.abs(ls.mse_grad(np.zeros(3), design(A), y)) for A in (X, thousands))
    h_d, h_k = (ls.mse_hessian(design(A)) for A in (X, thousands))
    assert g_d[1] / g_k[1] == pytest.approx(1e3, rel=1e-12)
    assert h_d[1, 1] / h_k[1, 1] == pytest.approx(1e6, rel=1e-12)
    lr_ratio = ls.curvature(design(thousands)).max_stable_lr / ls.curvature(design(X)).max_stable_lr
    assert 0.8e6 < lr_ratio < 1.0e6, "within 20% of 10^6, below it: in thousands λmax is not income's alone"
    assert 5 < h_k[1, 1] / h_k[0, 0] < 20, "in thousands income's curvature is only ~10x age's"
    assert ls.curvature(design(thousands)).eigenvalues[-1] > 1.02 * h_k[1, 1], "so λmax mixes in the others"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_centred_kappa_is_income_variance_over_the_bias_directions_unit_eigenvalue_and_centering_is_slower(seed):
    X, y = age_income_data(seed=seed)
    c = ls.curvature(design(S.fit_scaling(X, "centering").transform(X)))
    assert c.eigenvalues[0] == pytest.approx(1.0, rel=1e-9)
    assert abs(c.eigenvectors[-1, 0]) == pytest.approx(1.0, rel=1e-9), "the flattest direction is the bias"
    assert c.condition_number == pytest.approx(X[:, 1].var(), rel=1e-6)
    raw, centred = S.compare_scalings(X, y, lr_fraction=0.9, steps=200)[:2]
    assert centred.rel_excess[-1] > 0.9 and raw.rel_excess[-1] < 0.2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_standardized_first_steps_overshoot_by_the_same_share_and_raw_ones_differ_by_millions(seed):
    X, y = age_income_data(seed=seed)
    runs = S.compare_scalings(X, y, lr_fraction=0.9, steps=1)
    raw, z = runs[0], runs[3]
    share_z = z.lr * z.grad0 / np.abs(z.w_star)
    share_raw = raw.lr * raw.grad0 / np.abs(raw.w_star)
    assert np.all((share_z > 1.2) & (share_z < 1.9)) and share_z.max() / share_z.min() < 1.3
    assert share_raw[1] > 1 and share_raw.max() / share_raw.min() > 1e6


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(0.0, 100.0))
def test_all_positive_inputs_move_every_weight_of_the_unit_the_same_way_at_every_step(seed, shift):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, size=(40, 3)) + shift
    y = rng.normal(size=40)
    r = S.update_signs(X, y, "none", rng, steps=50)
    assert r.positive_inputs and r.same_sign == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_min_max_inputs_give_same_sign_updates_and_centred_ones_about_half(seed):
    X, y = age_income_data(seed=seed)
    mm = S.update_signs(X, y, "min-max", np.random.default_rng(seed), steps=200)
    zs = S.update_signs(X, y, "z-score", np.random.default_rng(seed), steps=200)
    assert mm.positive_inputs and mm.same_sign == 1.0
    assert not zs.positive_inputs and 0.3 < zs.same_sign < 0.7


def small_net(activation, seed, width=16):
    from core import nn
    return nn.MLP.create([2, width, width, 1], activation=activation, init="xavier_normal",
                         rng=np.random.default_rng(seed))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_raw_inputs_saturate_the_whole_first_layer_and_no_gradient_reaches_its_weights(activation, seed):
    X, y = age_income_data(seed=seed)
    net = small_net(activation, seed)
    raw = S.network_start(net, X, y)
    z = S.network_start(net, S.fit_standardizer(X).transform(X), y)
    assert raw.saturation[0] == 1.0 and raw.grad_rms[0] < 1e-15
    # tanh(u) is exactly ±1 beyond |u| ≈ 19; a sigmoid's slope needs |u| ≈ 37 to round to exactly 0
    assert raw.zero_slope[0] == 1.0 if activation == "tanh" else raw.zero_slope[0] > 0.99
    assert z.saturation[0] < 0.06 and z.zero_slope[0] == 0.0 and z.grad_rms[0] > 0.01
    assert raw.max_abs_u > 1e4 and z.max_abs_u < 10


def test_network_start_gradient_sizes_match_the_engines_backward_pass():
    from core import nn
    X, y = age_income_data()
    Z = S.fit_standardizer(X).transform(X)
    net = small_net("tanh", 0)
    trace = net.forward(Z)
    grads = net.backward(trace, nn.squared_error(trace.output, y)[1])
    got = S.network_start(net, Z, y).grad_rms
    np.testing.assert_allclose(got, [np.sqrt(np.mean(g**2)) for g in grads.weights], rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_the_raw_network_ends_at_the_mean_predictions_loss_and_the_standardized_one_far_below(activation, seed):
    from core import nn
    X, y = age_income_data(seed=seed)
    net = small_net(activation, seed)
    rng = np.random.default_rng(seed)
    raw = nn.train(net, X, y, loss="mse", lr=0.05, steps=300, rng=rng)
    z = nn.train(net, S.fit_standardizer(X).transform(X), y, loss="mse", lr=0.05, steps=300, rng=rng)
    assert not raw.diverged and not z.diverged
    assert raw.losses[-1] == pytest.approx(y.var() / 2, rel=1e-6), "one output for everyone: the mean"
    assert z.losses[-1] < raw.losses[-1] / 10


def test_rounding_counts_flat_tanh_slopes_and_overflowing_exponentials_in_each_precision():
    r = S.rounding(np.array([0.0, 1.0, -20.0, 100.0, 1000.0]))
    assert r.max_abs_u == 1000.0
    assert r.flat64 == pytest.approx(3 / 5) and r.flat32 == pytest.approx(3 / 5)
    assert r.overflow64 == pytest.approx(1 / 5) and r.overflow32 == pytest.approx(2 / 5)
    assert r.exp_limit64 == pytest.approx(709.78, abs=0.01) and r.exp_limit32 == pytest.approx(88.72, abs=0.01)
    assert S.rounding(np.array([0.5, -3.0])) == S.Rounding(3.0, 0.0, 0.0, 0.0, 0.0, r.exp_limit64, r.exp_limit32)


def test_both_features_matter_per_standard_deviation_in_the_fitted_model():
    X, y = age_income_data()
    w = S.to_scaled_weights(S.raw_minimizer(X, y), S.fit_scaling(X, "z-score"))
    assert 1.5 < w[0] < 3.5 and 1.5 < w[1] < 3.5, "comparable effects once the units are removed"
