import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import batchnorm as bn
from core import nn
from core.datasets import moons
from tests.core.gradcheck import numeric_grad, rel_err


def small_net(activation, *, batchnorm=False, residual=False, seed=0):
    rng = np.random.default_rng(seed)
    net = nn.MLP.create(
        [3, 5, 5, 5, 2], activation=activation, init="xavier_normal", rng=rng, batchnorm=batchnorm, residual=residual
    )
    for p in net.biases + net.betas:  # non-zero biases and betas, so nothing is tested at a special point
        p += rng.normal(scale=0.3, size=p.shape)
    for g in net.gammas:
        g += rng.normal(scale=0.3, size=g.shape)
    return net, rng.normal(size=(7, 3)), rng.normal(size=(7, 2))


# Activation derivatives --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_each_activation_derivative_matches_central_finite_differences(name):
    z = np.random.default_rng(0).normal(scale=3.0, size=200)
    z = z[np.abs(z) > 1e-3]  # away from the kink of relu / leaky relu
    act, h = nn.ACTIVATIONS[name], 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    assert rel_err(act.df(z), numeric) < 1e-6


def test_sigmoid_is_exact_and_silent_at_extreme_inputs():
    sigmoid = nn.ACTIVATIONS["sigmoid"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid.f(np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0]))
        ds = sigmoid.df(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(s, [0.0, 1 / (1 + np.exp(30.0)), 0.5, 1 / (1 + np.exp(-30.0)), 1.0], rtol=1e-14)
    np.testing.assert_array_equal(ds, [0.0, 0.0])


def test_leaky_relu_has_slope_one_hundredth_on_the_negative_side():
    leaky = nn.ACTIVATIONS["leaky_relu"]
    np.testing.assert_allclose(leaky.f(np.array([-2.0, 3.0])), [-0.02, 3.0])
    np.testing.assert_allclose(leaky.df(np.array([-2.0, 3.0])), [0.01, 1.0])


def test_gains_follow_pytorchs_table():
    assert nn.calculate_gain("linear") == nn.calculate_gain("sigmoid") == 1.0
    assert nn.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert nn.calculate_gain("relu") == pytest.approx(np.sqrt(2))
    assert nn.calculate_gain("leaky_relu") == pytest.approx(np.sqrt(2 / (1 + 0.01**2)))
    with pytest.raises(ValueError, match="unknown activation"):
        nn.calculate_gain("swish")


# Losses ------------------------------------------------------------------------------------------------


def test_squared_error_is_half_the_mean_over_samples_of_the_summed_squared_error():
    loss, grad = nn.squared_error(np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 2.0]]))
    assert loss == pytest.approx((1 + 4 + 4) / (2 * 2))
    np.testing.assert_allclose(grad, [[0.5, 1.0], [0.0, -1.0]])


@pytest.mark.parametrize("name", sorted(nn.LOSSES))
def test_each_loss_gradient_matches_central_finite_differences(name):
    rng = np.random.default_rng(1)
    out = rng.normal(scale=2.0, size=(6, 3))
    y = {
        "mse": rng.normal(size=(6, 3)),
        "bce": rng.uniform(0, 1, size=(6, 3)),
        "softmax_ce": rng.integers(0, 3, size=6),
    }[name]
    loss_fn = nn.LOSSES[name]
    numeric = numeric_grad(lambda: loss_fn(out, y)[0], out)
    assert rel_err(loss_fn(out, y)[1], numeric) < 1e-6


def test_bce_with_logits_equals_the_textbook_formula_and_stays_finite_for_huge_logits():
    z, y = np.array([-3.0, -0.5, 0.0, 2.0]), np.array([0.0, 1.0, 1.0, 0.0])
    p = 1 / (1 + np.exp(-z))
    assert nn.bce_with_logits(z, y)[0] == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = nn.bce_with_logits(np.array([[1000.0], [-1000.0]]), np.array([0.0, 0.0]))
    assert loss == pytest.approx(500.0)
    np.testing.assert_allclose(grad, [[0.5], [0.0]])


def test_softmax_cross_entropy_equals_the_textbook_formula_and_stays_finite_for_huge_logits():
    z, labels = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]), np.array([1, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert nn.softmax_cross_entropy(z, labels)[0] == pytest.approx(-np.mean(np.log(p[[0, 1], labels])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = nn.softmax_cross_entropy(np.array([[1000.0, -1000.0, 0.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0)
    np.testing.assert_allclose(grad, [[1.0, -1.0, 0.0]], atol=1e-300)


def test_losses_reject_targets_that_do_not_fit():
    with pytest.raises(ValueError, match="shape"):
        nn.squared_error(np.zeros((4, 1)), np.zeros(3))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.bce_with_logits(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="integers"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="NaN"):
        nn.squared_error(np.zeros(2), np.array([0.0, np.nan]))


# Initialization ----------------------------------------------------------------------------------------

N = 1000
SCHEME_VARIANCE = {
    "normal": 0.3**2,
    "uniform": 0.3**2,
    "lecun_normal": 1 / N,
    "xavier_normal": 2 / (N + N),
    "xavier_uniform": 2 / (N + N),
    "he_normal": 2 / N,
    "he_uniform": 2 / N,
}


@pytest.mark.parametrize(("scheme", "variance"), SCHEME_VARIANCE.items())
def test_each_scheme_has_its_textbook_variance_on_a_large_draw(scheme, variance):
    W = nn.init_weights(scheme, N, N, np.random.default_rng(0), std=0.3)
    assert W.shape == (N, N)
    assert W.var() == pytest.approx(variance, rel=0.03)
    assert abs(W.mean()) < 3 * np.sqrt(variance / W.size) * 2


@pytest.mark.parametrize("scheme", ["lecun_normal", "xavier_uniform", "he_normal"])
def test_gain_multiplies_the_variance_by_gain_squared(scheme):
    plain = nn.init_weights(scheme, 200, 150, np.random.default_rng(1))
    scaled = nn.init_weights(scheme, 200, 150, np.random.default_rng(1), gain=3.0)
    np.testing.assert_allclose(scaled, 3.0 * plain, rtol=1e-12, atol=1e-16)
    assert scaled.var() / plain.var() == pytest.approx(9.0)


def test_uniform_schemes_stay_inside_sqrt_three_standard_deviations():
    W = nn.init_weights("he_uniform", 200, 100, np.random.default_rng(2))
    assert np.abs(W).max() <= np.sqrt(3 * 2 / 200)
    assert np.abs(W).max() > 0.99 * np.sqrt(3 * 2 / 200)


def test_zeros_and_constant_schemes_fill_every_entry():
    np.testing.assert_array_equal(nn.init_weights("zeros", 3, 4, None), np.zeros((3, 4)))
    np.testing.assert_array_equal(nn.init_weights("constant", 3, 4, None, std=0.7), np.full((3, 4), 0.7))


def test_a_square_orthogonal_matrix_has_mean_square_exactly_gain_squared_over_n():
    W = nn.init_weights("orthogonal", 200, 200, np.random.default_rng(6), gain=1.5)
    assert np.mean(W**2) == pytest.approx(1.5**2 / 200, rel=1e-12)  # every column has norm gain


@pytest.mark.parametrize(("fan_in", "fan_out"), [(50, 50), (80, 30)])
def test_orthogonal_square_and_tall_matrices_have_orthonormal_columns(fan_in, fan_out):
    W = nn.init_weights("orthogonal", fan_in, fan_out, np.random.default_rng(3))
    np.testing.assert_allclose(W.T @ W, np.eye(fan_out), atol=1e-12)


def test_orthogonal_wide_matrices_have_orthonormal_rows_and_preserve_norms():
    W = nn.init_weights("orthogonal", 30, 80, np.random.default_rng(4), gain=2.0)
    np.testing.assert_allclose(W @ W.T, 4.0 * np.eye(30), atol=1e-12)
    x = np.random.default_rng(5).normal(size=30)
    assert np.linalg.norm(x @ W) == pytest.approx(2.0 * np.linalg.norm(x))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("kaiming", 3, 3), {}, "unknown init scheme"),
        (("normal", 3, 3), {}, "needs a finite std"),
        (("uniform", 3, 3), {"std": -1.0}, "std must be >= 0"),
        (("he_normal", 0, 3), {}, "fan_in"),
        (("he_normal", 3, 2.5), {}, "fan_out"),
        (("he_normal", 3, 3), {"gain": np.inf}, "gain"),
    ],
)
def test_init_weights_rejects_bad_arguments_with_a_clear_message(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.init_weights(*args, np.random.default_rng(0), **kwargs)


def test_random_schemes_need_an_rng():
    with pytest.raises(ValueError, match="rng"):
        nn.init_weights("he_normal", 3, 3, None)


# Network structure -------------------------------------------------------------------------------------


def test_create_builds_the_documented_parameters():
    net = nn.MLP.create([4, 6, 6, 2], activation="relu", init="he_normal", rng=np.random.default_rng(0), batchnorm=True)
    assert [W.shape for W in net.weights] == [(4, 6), (6, 6), (6, 2)]
    assert all(np.array_equal(b, np.zeros(len(b))) for b in net.biases)
    assert [g.tolist() for g in net.gammas] == [[1.0] * 6] * 2
    assert [b.tolist() for b in net.betas] == [[0.0] * 6] * 2
    assert [m.tolist() for m in net.running_means] == [[0.0] * 6] * 2
    assert [v.tolist() for v in net.running_vars] == [[1.0] * 6] * 2
    assert net.sizes == [4, 6, 6, 2] and net.n_hidden == 2


def test_nets_without_batchnorm_have_empty_batchnorm_lists():
    net = nn.MLP.create([2, 3, 1], activation="tanh", init="lecun_normal", rng=np.random.default_rng(0))
    assert net.gammas == net.betas == net.running_means == net.running_vars == []


def test_trace_holds_one_pre_activation_per_layer_and_one_activation_per_hidden_layer():
    net, X, _ = small_net("tanh", batchnorm=True)
    trace = net.forward(X)
    assert [z.shape for z in trace.pre_activations] == [(7, 5), (7, 5), (7, 5), (7, 2)]
    assert [h.shape for h in trace.activations] == [(7, 5)] * 3
    assert len(trace.bn_caches) == 3 and trace.dropout_masks == []
    np.testing.assert_allclose(trace.output, trace.pre_activations[-1])
    np.testing.assert_allclose(trace.pre_activations[1], trace.activations[0] @ net.weights[1] + net.biases[1])


def test_batchnorm_sits_on_the_pre_activation_before_the_nonlinearity():
    net, X, _ = small_net("tanh", batchnorm=True)
    trace = net.forward(X)
    for i in range(3):
        u = bn.batchnorm_forward(trace.pre_activations[i], net.gammas[i], net.betas[i])[0]
        np.testing.assert_allclose(trace.activation_inputs[i], u)
        np.testing.assert_allclose(trace.activations[i], np.tanh(u))


def test_residual_skips_join_equal_width_hidden_layers_but_not_the_first():
    rng = np.random.default_rng(0)
    net = nn.MLP.create([4, 4, 4, 3, 3, 1], activation="tanh", init="xavier_normal", rng=rng, residual=True)
    assert net.skips == [False, True, False, True]
    trace = net.forward(rng.normal(size=(5, 4)))
    h = trace.activations
    np.testing.assert_allclose(h[0], np.tanh(trace.pre_activations[0]))
    np.testing.assert_allclose(h[1], h[0] + np.tanh(trace.pre_activations[1]))
    np.testing.assert_allclose(h[2], np.tanh(trace.pre_activations[2]))
    np.testing.assert_allclose(h[3], h[2] + np.tanh(trace.pre_activations[3]))


def test_forward_is_pure_and_running_stats_move_only_when_asked():
    net, X, _ = small_net("relu", batchnorm=True)
    trace = net.forward(X)
    np.testing.assert_array_equal(net.running_means[0], 0.0)
    np.testing.assert_array_equal(net.running_vars[0], 1.0)
    net.update_running_stats(trace)
    for i in range(3):
        mean, var = bn.update_running_stats(np.zeros(5), np.ones(5), trace.pre_activations[i])
        np.testing.assert_allclose(net.running_means[i], mean)
        np.testing.assert_allclose(net.running_vars[i], var)


def test_eval_mode_normalizes_with_the_running_statistics():
    net, X, _ = small_net("sigmoid", batchnorm=True)
    rng = np.random.default_rng(9)
    net.running_means = [rng.normal(size=5) for _ in range(3)]
    net.running_vars = [rng.uniform(0.5, 2, size=5) for _ in range(3)]
    trace = net.forward(X, training=False)
    z0 = trace.pre_activations[0]
    u0 = bn.batchnorm_inference(z0, net.gammas[0], net.betas[0], net.running_means[0], net.running_vars[0])
    np.testing.assert_allclose(trace.activation_inputs[0], u0)
    # each sample is treated alone: predicting one row equals that row of the batch prediction
    np.testing.assert_allclose(net.predict(X[:1]), net.predict(X)[:1])


def test_forward_rejects_inputs_of_the_wrong_shape_or_with_nans():
    net, X, _ = small_net("tanh")
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        net.forward(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        net.forward(np.where(X > 1, np.nan, X))
    with pytest.raises(ValueError, match="dropout"):
        net.forward(X, dropout=1.0)


# Whole-network gradients -------------------------------------------------------------------------------


def assert_backward_matches_finite_differences(net, X, d_output, forward):
    grads = net.backward(forward(), d_output)

    def loss():
        return (forward().output * d_output).sum()

    analytic = np.concatenate([g.ravel() for g in grads.as_list()])
    numeric = np.concatenate([numeric_grad(loss, p).ravel() for p in net.parameters()])
    assert rel_err(analytic, numeric) < 1e-6


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("residual", [False, True])
def test_backward_matches_central_finite_differences_for_every_parameter(activation, batchnorm, residual):
    net, X, d_output = small_net(activation, batchnorm=batchnorm, residual=residual)
    trace = net.forward(X)
    assert min(np.abs(u).min() for u in trace.activation_inputs) > 1e-4  # finite differences never cross a kink
    assert_backward_matches_finite_differences(net, X, d_output, lambda: net.forward(X))


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
def test_backward_in_eval_mode_and_with_dropout_matches_finite_differences(activation):
    net, X, d_output = small_net(activation, batchnorm=True, residual=True, seed=1)
    net.running_vars = [v + 0.5 for v in net.running_vars]
    assert_backward_matches_finite_differences(net, X, d_output, lambda: net.forward(X, training=False))
    # the same seed gives the same mask on every call, so the function being differentiated is fixed
    forward = lambda: net.forward(X, dropout=0.5, rng=np.random.default_rng(7))  # noqa: E731
    assert np.any(forward().dropout_masks[0] == 0) and np.any(forward().dropout_masks[0] == 2.0)
    assert_backward_matches_finite_differences(net, X, d_output, forward)


def test_pre_activation_gradients_are_consistent_with_the_weight_gradients():
    net, X, d_output = small_net("tanh", residual=True)
    trace = net.forward(X)
    grads = net.backward(trace, d_output)
    np.testing.assert_array_equal(grads.pre_activations[-1], d_output)
    inputs = [X, *trace.activations]
    for h, dz, gW, gb in zip(inputs, grads.pre_activations, grads.weights, grads.biases, strict=True):
        np.testing.assert_allclose(h.T @ dz, gW)
        np.testing.assert_allclose(dz.sum(axis=0), gb)


def test_a_bias_right_before_batchnorm_gets_no_gradient():
    net, X, d_output = small_net("tanh", batchnorm=True)
    grads = net.backward(net.forward(X), d_output)
    for gb in grads.biases[:-1]:
        np.testing.assert_allclose(gb, 0.0, atol=1e-14)


# Signal propagation ------------------------------------------------------------------------------------


def pre_activation_variance_ratios(activation, init, *, depth=10, width=512, std=None, n_nets=10):
    """Var(z_{l+1}) / Var(z_l) per layer, averaged over independently drawn nets, 1000 inputs in all.

    The theory is an average over weight draws. One ReLU net of width 512 fluctuates by ~10% per layer at
    depth (its units' outputs all have a positive mean, so samples become correlated and the variance
    rests on 512 units, not 512 x n entries); the mean of 10 nets fluctuates by ~3%.
    """
    rng = np.random.default_rng(0)
    ratios = []
    for _ in range(n_nets):
        net = nn.MLP.create([width] * (depth + 1), activation=activation, init=init, rng=rng, std=std)
        variances = np.array([z.var() for z in net.forward(rng.normal(size=(1000 // n_nets, width))).pre_activations])
        ratios.append(variances[1:] / variances[:-1])
    return np.mean(ratios, axis=0)


def test_he_init_keeps_relu_pre_activation_variance_constant_through_ten_layers():
    np.testing.assert_allclose(pre_activation_variance_ratios("relu", "he_normal"), 1.0, rtol=0.1)


def test_lecun_init_halves_relu_pre_activation_variance_at_each_layer():
    np.testing.assert_allclose(pre_activation_variance_ratios("relu", "lecun_normal"), 0.5, rtol=0.1)


def test_a_deep_linear_net_with_variance_one_third_n_shrinks_the_signal_threefold_per_layer():
    ratios = pre_activation_variance_ratios("linear", "normal", std=np.sqrt(1 / (3 * 512)), n_nets=1)
    np.testing.assert_allclose(ratios, 1 / 3, rtol=0.1)


# Symmetry ----------------------------------------------------------------------------------------------


def symmetric_run(init, *, std=None, steps=100, seed=0):
    rng = np.random.default_rng(seed)
    X, y = moons(63, rng)  # 31 vs 32 points, so the output bias has something to learn
    net = nn.MLP.create([2, 8, 1], activation="tanh", init=init, rng=rng, std=std)
    return net, nn.train(net, X, y, loss="bce", lr=0.5, steps=steps, rng=rng)


def unit_gap(p: np.ndarray) -> float:
    """How far a parameter's units (its last axis) are apart, relative to the parameter's size (at least 1)."""
    return float(np.abs(p - p[..., :1]).max() / max(np.abs(p).max(), 1.0))


def test_constant_init_keeps_every_hidden_unit_identical_through_training_up_to_round_off():
    net, result = symmetric_run("constant", std=0.3)
    W0, b0, W1 = result.net.weights[0], result.net.biases[0], result.net.weights[1]
    assert not np.array_equal(W0, net.weights[0])  # it did train
    assert max(unit_gap(W0), unit_gap(b0), unit_gap(W1.T)) < 1e-12


@settings(deadline=None, max_examples=25)
@given(
    c=st.floats(-2, 2),
    width=st.integers(2, 12),
    n_hidden=st.integers(1, 2),
    activation=st.sampled_from(["tanh", "sigmoid", "relu"]),
    batchnorm=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_constant_init_keeps_hidden_units_identical_up_to_blas_round_off_for_any_width_and_depth(
    c, width, n_hidden, activation, batchnorm, seed
):
    """Plain BLAS products may round identical units differently (the output layer's matrix-vector product
    h^T dL/dz sums its last rows in another order when the width is not a multiple of the SIMD block), by about
    1e-16, and training grows the difference; bitwise identity is core.symmetry's job (test_symmetry.py)."""
    rng = np.random.default_rng(seed)
    X, y = moons(32, rng)
    sizes = [2, *[width] * n_hidden, 1]
    net = nn.MLP.create(sizes, activation=activation, init="constant", std=c, rng=rng, batchnorm=batchnorm)
    trained = nn.train(net, X, y, loss="bce", lr=0.3, steps=30, momentum=0.5, batch_size=16, rng=rng).net
    for p in [*trained.weights[:-1], *trained.biases[:-1], trained.weights[-1].T, *trained.gammas, *trained.betas,
              *trained.running_means, *trained.running_vars]:
        assert unit_gap(p) < 1e-12


def test_forward_and_backward_are_the_textbook_products_bit_for_bit():
    net, X, d_output = small_net("tanh")
    h, hs = X, [X]
    for W, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        h = np.tanh(h @ W + b)
        hs.append(h)
    trace = net.forward(X)
    assert np.array_equal(trace.output, h @ net.weights[-1] + net.biases[-1])
    grads = net.backward(trace, d_output)
    assert np.array_equal(grads.weights[-1], hs[-1].T @ d_output)
    dz = (d_output @ net.weights[-1].T) * (1.0 - hs[-1] ** 2)
    assert np.array_equal(grads.weights[-2], hs[-2].T @ dz)


def test_zero_init_with_tanh_moves_only_the_output_bias():
    net, result = symmetric_run("zeros")
    np.testing.assert_array_equal(result.net.weights[0], 0.0)
    np.testing.assert_array_equal(result.net.weights[1], 0.0)
    np.testing.assert_array_equal(result.net.biases[0], 0.0)
    assert result.net.biases[1][0] != 0.0


def test_tiny_random_init_ends_with_distinct_hidden_units():
    _, result = symmetric_run("normal", std=1e-6, steps=300)
    W0 = result.net.weights[0]
    gaps = np.linalg.norm(W0[:, :, None] - W0[:, None, :], axis=0)[np.triu_indices(8, k=1)]
    assert gaps.min() > 0
    assert len({tuple(col) for col in W0.T.round(12)}) == 8


def test_dropout_breaks_the_symmetry_of_a_constant_init():
    rng = np.random.default_rng(0)
    X, y = moons(64, rng)
    net = nn.MLP.create([2, 8, 1], activation="tanh", init="constant", std=0.3, rng=rng)
    W0 = nn.train(net, X, y, loss="bce", lr=0.5, steps=50, rng=rng, dropout=0.3).net.weights[0]
    assert not np.all(W0 == W0[:, :1])


# Training ----------------------------------------------------------------------------------------------


def test_a_huge_learning_rate_reports_divergence_without_raising_or_warning():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4))
    y = X @ rng.normal(size=4)
    net = nn.MLP.create([4, 32, 32, 1], activation="relu", init="he_normal", rng=rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = nn.train(net, X, y, loss="mse", lr=50.0, steps=200, rng=rng, record_stats=True)
    assert result.diverged and 0 < result.diverged_step < 200
    assert result.diverged_reason
    assert np.all(np.isfinite(result.losses[: result.diverged_step]))
    assert np.all(np.isnan(result.losses[result.diverged_step + 1 :]))
    assert all(np.all(np.isfinite(p)) for p in result.net.parameters())


def test_gradient_descent_lowers_the_loss_and_leaves_the_input_net_unchanged():
    rng = np.random.default_rng(1)
    X, y = moons(200, rng)
    net = nn.MLP.create([2, 16, 1], activation="tanh", init="xavier_normal", rng=rng)
    W0 = net.weights[0].copy()
    result = nn.train(net, X, y, loss="bce", lr=0.5, steps=300, momentum=0.9, batch_size=32, rng=rng)
    assert not result.diverged and result.diverged_step is None and result.diverged_reason == ""
    assert result.losses[-20:].mean() < 0.5 * result.losses[0]
    assert result.accuracy[-20:].mean() > 0.85
    np.testing.assert_array_equal(net.weights[0], W0)


def test_heavy_ball_momentum_matches_a_hand_written_update():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=10)
    net = nn.MLP.create([3, 4, 1], activation="tanh", init="lecun_normal", rng=rng)
    params, v = [p.copy() for p in net.parameters()], None
    for _ in range(3):
        hand = nn.MLP(params[:2], params[2:], activation="tanh")
        trace = hand.forward(X)
        g = hand.backward(trace, nn.squared_error(trace.output, y)[1]).as_list()
        v = [-0.1 * gi for gi in g] if v is None else [0.9 * vi - 0.1 * gi for vi, gi in zip(v, g, strict=True)]
        params = [p + vi for p, vi in zip(params, v, strict=True)]
    trained = nn.train(net, X, y, loss="mse", lr=0.1, momentum=0.9, steps=3, rng=rng).net
    for p, q in zip(trained.parameters(), params, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-13)


def test_training_updates_batchnorm_running_stats_every_step():
    rng = np.random.default_rng(3)
    X, y = moons(50, rng)
    net = nn.MLP.create([2, 6, 1], activation="relu", init="he_normal", rng=rng, batchnorm=True)
    batch_mean = net.forward(X).pre_activations[0].mean(axis=0)
    trained = nn.train(net, X, y, loss="bce", lr=0.1, steps=1, rng=rng).net
    np.testing.assert_allclose(trained.running_means[0], 0.1 * batch_mean)
    many = nn.train(net, X, y, loss="bce", lr=1e-9, steps=200, rng=rng).net
    np.testing.assert_allclose(many.running_means[0], batch_mean, rtol=1e-6)


def test_mini_batches_are_reproducible_from_the_seed():
    X, y = moons(100, np.random.default_rng(0))
    net = nn.MLP.create([2, 8, 1], activation="tanh", init="xavier_normal", rng=np.random.default_rng(1))
    runs = [
        nn.train(net, X, y, loss="bce", lr=0.3, steps=20, batch_size=10, rng=np.random.default_rng(5)) for _ in "ab"
    ]
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)


def test_recorded_stats_have_one_row_per_record_and_one_column_per_hidden_layer():
    rng = np.random.default_rng(4)
    X, y = moons(64, rng)
    net = nn.MLP.create([2, 16, 16, 16, 1], activation="relu", init="he_normal", rng=rng)
    net.biases[1][:4] = -100.0  # four dead units in the second hidden layer
    calls = []
    result = nn.train(
        net, X, y, loss="bce", lr=0.1, steps=25, rng=rng, record_stats=True, record_every=5, record_weights=True,
        callback=lambda step, steps: calls.append((step, steps)),
    )  # fmt: skip
    stats = result.stats
    np.testing.assert_array_equal(result.record_steps, [0, 5, 10, 15, 20])
    for a in (stats.pre_mean, stats.pre_var, stats.act_var, stats.grad_var, stats.saturation, stats.dead_fraction):
        assert a.shape == (5, 3)
    assert stats.update_ratio.shape == (5, 4) and np.all(stats.update_ratio > 0)
    assert stats.dead_fraction[0, 1] == 4 / 16 and np.all(stats.dead_fraction[:, 1] >= 4 / 16)
    np.testing.assert_array_equal(stats.saturation, 0.0)
    assert [w.shape for w in result.weight_history] == [(5, 2, 16), (5, 16, 16), (5, 16, 16), (5, 16, 1)]
    np.testing.assert_array_equal(result.weight_history[0][0], net.weights[0])
    assert calls == [(t, 25) for t in range(1, 26)]


def test_first_recorded_stats_describe_the_initial_forward_pass():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 8))
    y = rng.integers(0, 3, size=200)
    net = nn.MLP.create([8, 32, 32, 3], activation="tanh", init="normal", std=1.0, rng=rng)
    result = nn.train(net, X, y, loss="softmax_ce", lr=0.01, steps=1, rng=rng, record_stats=True)
    trace = net.forward(X)
    np.testing.assert_allclose(result.stats.pre_var[0], [z.var() for z in trace.pre_activations[:2]])
    saturated = [np.mean(np.abs(h) > 0.97) for h in trace.activations]
    np.testing.assert_allclose(result.stats.saturation[0], saturated)
    assert saturated[1] > 0.5  # std 1 with fan-in 32 saturates tanh


def test_extra_grad_is_added_to_the_weight_gradients():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(10, 2)), rng.normal(size=10)
    net = nn.MLP.create([2, 3, 1], activation="tanh", init="lecun_normal", rng=rng)
    trace = net.forward(X)
    g = net.backward(trace, nn.squared_error(trace.output, y)[1])
    penalty = lambda n: [n.weights[0], None]  # gradient of 0.5 * ||W_0||^2  # noqa: E731
    trained = nn.train(net, X, y, loss="mse", lr=0.1, steps=1, rng=rng, extra_grad=penalty).net
    np.testing.assert_allclose(trained.weights[0], net.weights[0] - 0.1 * (g.weights[0] + net.weights[0]))
    np.testing.assert_allclose(trained.weights[1], net.weights[1] - 0.1 * g.weights[1])


def test_train_rejects_bad_arguments():
    net = nn.MLP.create([2, 3, 1], activation="tanh", init="lecun_normal", rng=np.random.default_rng(0))
    X, y = np.zeros((5, 2)), np.zeros(5)
    rng = np.random.default_rng(0)
    for kwargs, message in [
        ({"lr": -1.0}, "lr"),
        ({"steps": 2.5}, "steps"),
        ({"batch_size": 6}, "batch_size"),
        ({"momentum": 1.0}, "momentum"),
        ({"loss": "hinge"}, "unknown loss"),
        ({"rng": None}, "rng"),
    ]:
        args = {"loss": "mse", "lr": 0.1, "steps": 3, "rng": rng} | kwargs
        with pytest.raises(ValueError, match=message):
            nn.train(net, X, y, **args)


def test_sigmoid_matches_the_textbook_formula_and_saturates_without_warnings():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(nn.ACTIVATIONS["sigmoid"].f(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = nn.ACTIVATIONS["sigmoid"].f(np.array([-1e308, -800.0, 0.0, 800.0, 1e308, -np.inf, np.inf]))
    np.testing.assert_array_equal(big, [0.0, 0.0, 0.5, 1.0, 1.0, 0.0, 1.0])
    assert nn.ACTIVATIONS["sigmoid"].f(np.float32([1.0])).dtype == np.float32
