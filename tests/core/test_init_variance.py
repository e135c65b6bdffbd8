"""Theory vs simulation for core.init_variance: one neuron, the variance map through depth, the Goldilocks map."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import datasets, nn
from core import init_variance as iv
from tests.core.gradcheck import numeric_grad, rel_err


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def growth_per_layer(values: np.ndarray) -> float:
    """The fitted per-layer factor of a geometric sequence (least squares on log values)."""
    layers = np.arange(values.size)
    return float(np.exp(np.polyfit(layers, np.log(values), 1)[0]))


@pytest.mark.parametrize("inputs", iv.INPUTS)
def test_input_moments_match_a_large_sample(inputs):
    x = datasets.draw_inputs(inputs, 400_000, rng(1))
    mean, m2, m4, abs_mean = iv.input_moments(inputs)
    np.testing.assert_allclose([x.mean(), (x**2).mean(), (x**4).mean(), np.abs(x).mean()],
                               [mean, m2, m4, abs_mean], atol=0.01, rtol=0.02)


@pytest.mark.parametrize("inputs", iv.INPUTS)
def test_one_neuron_variance_matches_n_var_w_second_moment_within_sampling_error(inputs):
    r = iv.one_neuron(64, 0.2, inputs, 20_000, rng(2))
    assert r.var_pred == pytest.approx(64 * 0.2**2 * iv.input_moments(inputs)[1])
    assert abs(r.var_z - r.var_pred) < 4 * r.var_se
    assert r.mean_abs_z == pytest.approx(r.mean_abs_pred, rel=0.03)
    assert r.mean_abs_product == pytest.approx(0.2 * np.sqrt(2 / np.pi) * iv.input_moments(inputs)[3], rel=0.03)
    assert r.no_cancel == pytest.approx(64 * r.mean_abs_product, rel=0.03)


def test_pixel_inputs_count_their_mean_not_only_their_variance():
    mean, m2, _, _ = iv.input_moments("pixel")
    r = iv.one_neuron(100, 0.1, "pixel", 20_000, rng(3))
    var_from_var_x = 100 * 0.1**2 * (m2 - mean**2)
    assert abs(r.var_z - var_from_var_x) > 10 * r.var_se
    assert abs(r.var_z - r.var_pred) < 4 * r.var_se


def test_products_are_heavy_tailed_and_their_sum_is_nearly_gaussian():
    r = iv.one_neuron(256, 0.1, "normal", 20_000, rng(4))
    assert r.kurt_products_pred == pytest.approx(6.0)
    assert r.kurt_products == pytest.approx(6.0, abs=0.6)
    assert abs(r.kurt_z) < 0.15 and r.kurt_z_pred == pytest.approx(6.0 / 256)


def test_mean_abs_z_grows_like_sqrt_n_and_scaled_std_keeps_variance_flat():
    ns = 2 ** np.arange(0, 11)
    s = iv.fan_in_sweep(ns, 0.1, "uniform", 4000, rng(5))
    slope = np.polyfit(np.log(ns), np.log(s.mean_abs_fixed), 1)[0]
    assert slope == pytest.approx(0.5, abs=0.03)
    assert np.polyfit(np.log(ns), np.log(s.no_cancel), 1)[0] == pytest.approx(1.0)
    np.testing.assert_allclose(s.var_fixed, s.var_fixed_pred, rtol=0.1)
    np.testing.assert_allclose(s.var_scaled, s.var_scaled_pred[0], rtol=0.1)


@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 2000), sigma_w=st.floats(1e-3, 10.0), inputs=st.sampled_from(iv.INPUTS))
def test_predicted_variance_is_linear_in_n_and_in_var_w(n, sigma_w, inputs):
    v = iv.predicted_var_z(n, sigma_w, inputs)
    assert iv.predicted_var_z(2 * n, sigma_w, inputs) == pytest.approx(2 * v)
    assert iv.predicted_var_z(n, 2 * sigma_w, inputs) == pytest.approx(4 * v)


@pytest.mark.parametrize("q", [0.01, 0.5, 2.0, 30.0, 400.0])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_quadrature_matches_a_large_monte_carlo(activation, q):
    z = rng(6).normal(0.0, np.sqrt(q), 2_000_000)
    act = nn.ACTIVATIONS[activation]
    _, sq_f, sq_df = iv.activation_moments(activation, q)
    assert sq_f == pytest.approx(np.mean(act.f(z) ** 2), rel=0.01)
    assert sq_df == pytest.approx(np.mean(act.df(z) ** 2), rel=0.02)


def test_quadrature_is_exact_for_polynomials():
    assert iv.gaussian_expectation(lambda z: z**4, 2.0) == pytest.approx(3 * 2.0**2, rel=1e-12)


@pytest.mark.parametrize(("scheme", "factor"), [("he", 1.0), ("lecun", 0.5), ("xavier", 0.5)])
def test_relu_forward_variance_grows_by_n_var_w_over_two_per_layer(scheme, factor):
    s = iv.deep_signal(12, 256, "relu", scheme, rng(7), batch=128)
    assert growth_per_layer(s.q[:-1]) == pytest.approx(factor, rel=0.1)
    assert growth_per_layer(s.theory.q[:-1]) == pytest.approx(factor, rel=1e-12)


def test_relu_he_variance_is_flat_within_ten_percent_on_average_over_networks():
    # one network wobbles (its log-variance drifts like depth/width); the average over networks is exact
    ratios = [iv.deep_signal(6, 64, "relu", "he", rng(s), batch=16) for s in range(100)]
    mean_ratio = np.mean([r.q / r.theory.q for r in ratios], axis=0)
    np.testing.assert_allclose(mean_ratio, 1.0, rtol=0.1)


def test_linear_network_with_var_one_third_n_shrinks_as_one_third_per_layer():
    n = 256
    s = iv.deep_signal(12, n, "linear", "normal", rng(8), sigma_w=np.sqrt(1 / (3 * n)), batch=256)
    np.testing.assert_allclose(s.theory.q, (1 / 3) ** np.arange(1, 13), rtol=1e-12)
    assert growth_per_layer(s.q) == pytest.approx(1 / 3, rel=0.1)
    np.testing.assert_allclose(s.q, s.theory.q, rtol=0.25)


@pytest.mark.parametrize("scheme", ["lecun", "orthogonal"])
def test_tanh_layers_follow_the_mean_field_variance_map_within_ten_percent(scheme):
    runs = [iv.deep_signal(15, 256, "tanh", scheme, rng(s), batch=256) for s in range(3)]
    q = np.mean([r.q for r in runs], axis=0)
    np.testing.assert_allclose(q, runs[0].theory.q, rtol=0.1)
    if scheme == "lecun":  # gain 1: the variance map's only fixed point is 0, and the signal fades towards it
        assert q[-1] < 0.05 * q[0]
    else:  # gain 5/3: a fixed point q* = g^2 E[tanh(z)^2], z ~ N(0, q*), that the signal settles at
        q_star = 1.0
        for _ in range(200):
            q_star = (5 / 3) ** 2 * iv.activation_moments("tanh", q_star)[1]
        assert 1.0 < q_star < 1.5
        np.testing.assert_allclose(q[-4:], q_star, rtol=0.02)


@pytest.mark.parametrize(("scheme", "factor"), [("he", 1.0), ("lecun", 0.5)])
def test_relu_backward_gradient_ratio_per_layer(scheme, factor):
    s = iv.deep_signal(12, 256, "relu", scheme, rng(9), batch=128)
    # reading from the output down, each layer multiplies the gradient variance by n Var(w) / 2
    assert growth_per_layer(s.grad[:-1][::-1]) == pytest.approx(factor, rel=0.1)
    np.testing.assert_allclose(s.theory.grad[:-1], factor ** np.arange(11, 0, -1), rtol=1e-12)


def test_residual_prediction_tracks_the_measurement():
    s = iv.deep_signal(10, 256, "relu", "he", rng(10), residual=True, batch=128)
    assert np.all(np.diff(s.theory.q)[1:] > 0)  # the first hidden layer has no skip
    assert growth_per_layer(s.q[1:]) == pytest.approx(growth_per_layer(s.theory.q[1:]), rel=0.1)


def _replay(depth, width, activation, scheme, seed, batch, **kw):
    """Rebuild the network and batch that deep_signal drew from the same seed."""
    r = rng(seed)
    net = iv.build_network(depth, width, activation, scheme, r, **kw)
    return net.forward(r.normal(size=(batch, width)))


def test_saturation_fraction_matches_a_hand_count():
    s = iv.deep_signal(6, 64, "tanh", "normal", rng(11), sigma_w=0.5, batch=64)
    trace = _replay(6, 64, "tanh", "normal", 11, 64, sigma_w=0.5)
    hand = [np.count_nonzero(np.abs(np.tanh(z)) > 0.97) / z.size for z in trace.pre_activations[:-1]]
    np.testing.assert_allclose(s.saturation, hand)
    assert s.saturation.max() > 0.5


def test_dead_relu_fraction_matches_a_hand_count():
    s = iv.deep_signal(12, 32, "relu", "he", rng(12), batch=16)
    trace = _replay(12, 32, "relu", "he", 12, 16)
    hand = []
    for z in trace.pre_activations[:-1]:
        dead_units = sum(1 for j in range(z.shape[1]) if all(z[i, j] <= 0 for i in range(z.shape[0])))
        hand.append(dead_units / z.shape[1])
    np.testing.assert_allclose(s.dead, hand)
    assert max(hand) > 0


def test_derivative_statistics_at_the_chosen_layer():
    s = iv.deep_signal(8, 256, "tanh", "xavier", rng(13), slope_layer=4)
    assert s.slope_layer == 4
    assert s.slope_sq == pytest.approx(s.slope_sq_pred, rel=0.05)
    assert np.all((s.slope > 0) & (s.slope <= 1))


def test_histograms_cover_the_first_and_last_hidden_layer():
    s = iv.deep_signal(30, 32, "relu", "he", rng(14), batch=32)
    assert s.hist_layers[0] == 1 and s.hist_layers[-1] == 29
    assert s.hist_density.shape == (len(s.hist_layers), s.hist_centers.size)
    assert np.all(np.isfinite(s.hist_density))


def test_critical_gains():
    assert iv.critical_gain("relu") == pytest.approx(np.sqrt(2))
    assert iv.critical_gain("tanh") == 1.0 and iv.critical_gain("linear") == 1.0
    g = iv.critical_gain("sigmoid")
    assert 1 < g < 20


@pytest.mark.parametrize("activation", ["relu", "linear", "tanh"])
def test_goldilocks_cells_are_finite_or_flagged_never_nan(activation):
    gains = np.array([0.1, 1.0, np.sqrt(2), 8.0, 1e6])
    g = iv.goldilocks(gains, 20, 16, activation, rng(15), batch=16)
    for grid in (g.q, g.grad):
        assert not np.any(np.isnan(grid))
        flags = iv.status(grid)
        assert set(np.unique(flags)) <= {"ok", "overflow", "underflow"}
        assert np.all(np.isfinite(grid[flags == "ok"]))
    if activation != "tanh":
        assert iv.status(g.q)[-1, -1] == "overflow"


def test_goldilocks_on_the_critical_line_stays_near_one():
    g = iv.goldilocks([np.sqrt(2)], 30, 128, "relu", rng(16), batch=64)
    assert 0.1 < g.q[0, -1] < 10
    np.testing.assert_allclose(g.q_pred[0], 2.0)


def test_status_names_overflow_and_underflow():
    assert list(iv.status([1.0, np.inf, np.nan, 1e31, 1e-31, 0.0])) == [
        "ok", "overflow", "overflow", "overflow", "underflow", "underflow"]
    assert iv.second_moment(np.array([np.inf, -np.inf])) == np.inf


def test_he_trains_a_deep_relu_net_where_lecun_stalls():
    he = iv.train_scheme("he", 20, 32, "relu", rng(0), steps=150)
    lecun = iv.train_scheme("lecun", 20, 32, "relu", rng(0), steps=150)
    assert he.diverged_step is None and np.all(np.isfinite(he.losses))
    assert he.losses[-20:].mean() < 0.6 * lecun.losses[-20:].mean()


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="sigma_w"):
        iv.weight_variance("normal", 8, "relu")
    with pytest.raises(ValueError, match="depth"):
        iv.build_network(1, 8, "relu", "he", rng())


# --- Unequal widths, residual blocks, and the tanh decay (issue 26) -----------------------------------------


def chain_average(profile: str, rule: str, activation: str, seeds: int = 12, depth: int = 8):
    ws = iv.width_profile(profile, depth)
    var_w = iv.rule_variances(ws, rule, np.sqrt(2.0) if activation == "relu" else 1.0)
    runs = [iv.chain_signal(ws, var_w, activation, rng(s), batch=128) for s in range(seeds)]
    return ws, np.mean([r.q for r in runs], axis=0), np.mean([r.grad for r in runs], axis=0), runs[0].theory


@pytest.mark.parametrize("profile", ["widening", "narrowing"])
@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_forward_follows_fan_in_and_backward_fan_out_on_non_square_nets(profile, activation):
    ws, q, grad, theory = chain_average(profile, "fan_in", activation)
    n_in, n_out = np.array(ws[:-1], float), np.array(ws[1:], float)
    # 1/fan_in: the forward line is flat (2 for ReLU's gain^2 = 2 times E[x^2] = 1, halved by each ReLU)
    np.testing.assert_allclose(theory.q, (2.0 if activation == "relu" else 1.0), rtol=1e-12)
    # ... while backward each layer multiplies by its units' fan-out over the fan-in of the layer above
    expected_grad = np.cumprod((n_out[1:] / n_in[1:])[::-1])[::-1]
    np.testing.assert_allclose(theory.grad[:-1], expected_grad, rtol=1e-12)
    np.testing.assert_allclose(q, theory.q, rtol=0.2)
    np.testing.assert_allclose(grad, theory.grad, rtol=0.2)
    _, q_out, grad_out, theory_out = chain_average(profile, "fan_out", activation)
    np.testing.assert_allclose(theory_out.grad, 1.0, rtol=1e-12)   # 1/fan_out: the backward line is flat
    np.testing.assert_allclose(q_out, theory_out.q, rtol=0.2)
    np.testing.assert_allclose(grad_out, theory_out.grad, rtol=0.2)


def test_glorot_sits_between_fan_in_and_fan_out_at_both_ends():
    ws = iv.width_profile("widening", 10)
    ends = {rule: iv.chain_theory(ws, iv.rule_variances(ws, rule), "linear") for rule in iv.RULES}
    assert ends["fan_out"].q[-1] < ends["xavier"].q[-1] < ends["fan_in"].q[-1]
    assert ends["fan_out"].grad[0] < ends["xavier"].grad[0] < ends["fan_in"].grad[0]
    assert ends["fan_in"].q[-1] == pytest.approx(1.0) and ends["fan_out"].grad[0] == pytest.approx(1.0)
    assert ends["fan_out"].q[-1] == pytest.approx(ws[0] / ws[-1], rel=0.05)


def test_width_profiles_go_the_named_way():
    assert iv.width_profile("widening", 4) == (32, 64, 128, 256, 512)
    assert iv.width_profile("narrowing", 4) == (512, 256, 128, 64, 32)
    assert set(iv.width_profile("constant", 4)) == {128}


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
def test_the_chain_backward_pass_matches_central_differences(activation):
    r = rng(3)
    Ws = [r.normal(size=(3, 4)) / 2, r.normal(size=(4, 2)) / 2, r.normal(size=(2, 3)) / 2]
    X, G = r.normal(size=(5, 3)), r.normal(size=(5, 3))

    def loss():
        return float(np.sum(iv.chain_pass(Ws, X, G, activation)[0][-1] * G))

    _, grads = iv.chain_pass(Ws, X, G, activation)
    assert rel_err(grads[0] @ Ws[0].T, numeric_grad(loss, X)) < 1e-6


def test_the_residual_backward_pass_matches_central_differences():
    r = rng(4)
    A = [r.normal(size=(4, 4)) / 2 for _ in range(3)]
    B = [r.normal(size=(4, 4)) / 2 for _ in range(3)]
    X, G = r.normal(size=(5, 4)), r.normal(size=(5, 4))

    def loss():
        return float(np.sum(iv.residual_pass(A, B, X, G)[0][-1] * G))

    assert rel_err(iv.residual_pass(A, B, X, G)[1][0], numeric_grad(loss, X)) < 1e-6


@pytest.mark.parametrize(("variant", "per_block"), [("plain", 2.0), ("scaled", 1.1), ("zero", 1.0)])
def test_residual_variants_grow_as_predicted(variant, per_block):
    blocks = 10
    runs = [iv.residual_signal(blocks, 128, variant, rng(s), batch=128) for s in range(12)]
    theory = runs[0].theory
    np.testing.assert_allclose(theory.q, per_block ** np.arange(1, blocks + 1), rtol=1e-12)
    np.testing.assert_allclose(theory.grad, per_block ** np.arange(blocks, 0, -1), rtol=1e-12)
    # the average over networks sits on the prediction (one network wanders: its factors compound)
    np.testing.assert_allclose(np.mean([r.q for r in runs], axis=0), theory.q, rtol=0.15)
    np.testing.assert_allclose(np.mean([r.grad for r in runs], axis=0), theory.grad, rtol=0.15)


def test_scaled_branches_stay_below_e_at_any_depth_and_zero_branches_are_the_identity():
    for blocks in (2, 10, 50, 1000):
        assert iv.residual_theory(blocks, "scaled").q[-1] < np.e
    r = iv.residual_signal(20, 64, "zero", rng(2), batch=64)
    X = np.random.default_rng(2).spawn(2)[1].normal(size=(64, 64))
    np.testing.assert_allclose(r.q, np.mean(X**2), rtol=1e-12)


def test_tanh_with_var_one_over_n_decays_slowly_as_the_mean_field_map_says():
    theory = iv.mean_field(30, 128, 1 / 128, "tanh")
    # the page's numbers: 1 -> 0.058 at layer 10 -> 0.018 at layer 30, and a gradient factor 0.025 at layer 1
    assert theory.q[9] == pytest.approx(0.058, abs=0.001) and theory.q[29] == pytest.approx(0.018, abs=0.001)
    assert theory.grad[0] == pytest.approx(0.025, abs=0.001)
    # polynomial, not exponential: about 1/(2l) for large l
    np.testing.assert_allclose(theory.q[9:] * 2 * np.arange(10, 31), 1.0, rtol=0.3)
    runs = [iv.deep_signal(30, 128, "tanh", "lecun", rng(s), batch=256) for s in range(4)]
    np.testing.assert_allclose(np.mean([r.q for r in runs], axis=0), theory.q, rtol=0.15)


def test_the_pages_other_quoted_numbers():
    # default "Many layers" view: measured 3.41e-09 at layer 1 against 2^-29 = 1.86e-09 predicted
    d = iv.deep_signal(30, 128, "relu", "lecun", rng(0), batch=256)
    assert d.theory.grad[0] == pytest.approx(2.0**-29) and d.grad[0] == pytest.approx(3.41e-9, rel=0.01)
    # tanh with sigma_w = 0.3: saturated, yet the gradient explodes
    t = iv.deep_signal(30, 128, "tanh", "normal", rng(0), sigma_w=0.3, batch=256, slope_layer=10)
    assert t.saturation.max() > 0.5 and t.grad[0] > 1e8 and 128 * 0.09 * t.slope_sq > 1
    assert iv.critical_gain("sigmoid") == pytest.approx(10.15, abs=0.05)
