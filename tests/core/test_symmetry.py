"""Symmetry breaking: identical units stay identical, frozen parameters stay frozen, tiny differences grow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import symmetry as sy
from tests.core.gradcheck import numeric_grad, rel_err

ACTS = ("tanh", "sigmoid", "relu")


@pytest.fixture(scope="module")
def moons():
    return sy.make_data("moons", 120, np.random.default_rng(0))


def _train(init, moons, *, activation="tanh", H=8, steps=150, seed=1, **kw):
    X, y = moons
    init_rng, train_rng = np.random.default_rng(seed).spawn(2)
    net = sy.init_network(init, H, activation, init_rng, sigma=kw.pop("sigma", 1.0), c=kw.pop("c", 0.5))
    return net, sy.train_units(net, X, y, lr=kw.pop("lr", 1.0), steps=steps, rng=train_rng, **kw)


def _all_units_equal(net) -> bool:
    theta = sy.unit_params(net.weights[0], net.biases[0], net.weights[1])
    return bool(np.all(theta == theta[:1]))


@settings(deadline=None, max_examples=20)
@given(activation=st.sampled_from(ACTS), c=st.floats(-1.5, 1.5), H=st.integers(2, 16),
       init=st.sampled_from(["constant", "identical_rows"]))
def test_constant_and_identical_rows_keep_hidden_units_exactly_equal_under_gd(moons, activation, c, H, init):
    _, run = _train(init, moons, activation=activation, H=H, c=c, steps=60)
    assert _all_units_equal(run.net)
    assert np.all(run.spread == 0.0) and np.all(run.distinct == 1)


@pytest.mark.parametrize("init", ["constant", "identical_rows"])
@pytest.mark.parametrize("activation", ACTS)
def test_the_push_apart_penalty_cannot_split_identical_units(moons, init, activation):
    _, run = _train(init, moons, activation=activation, lam=0.5, tau=1.0)
    assert _all_units_equal(run.net)
    assert run.spread[-1] == 0.0


def test_sgd_minibatches_do_not_split_identical_units_either(moons):
    _, run = _train("constant", moons, batch_size=16)
    assert _all_units_equal(run.net)


@pytest.mark.parametrize("init", ["constant", "identical_rows"])
def test_dropout_splits_identical_units(moons, init):
    _, run = _train(init, moons, dropout=0.2)
    assert run.spread[0] == 0.0
    assert run.distinct[-1] == 8 and run.spread[-1] > 1e-2


def test_tiny_random_weights_become_distinct_units(moons):
    _, run = _train("normal", moons, sigma=1e-6, steps=300)
    assert run.distinct[0] == 1  # all within 1e-3 of each other: one point on the page
    assert run.distinct[-1] == 8
    assert run.spread[-1] > 1e4 * run.spread[0]


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_all_zero_init_freezes_everything_but_the_output_bias(moons, activation):
    net, run = _train("zeros", moons, activation=activation)
    g = sy.first_gradients(net, *moons)
    for name in ("W1", "b1", "W2"):
        assert np.all(g[name] == 0.0), name
    change = sy.parameter_change(net, run.net)
    assert change["W1"] == 0.0 and change["b1"] == 0.0 and change["W2"] == 0.0


def test_all_zero_init_with_sigmoid_gives_w1_exactly_zero_gradient_but_not_w2(moons):
    X, y = moons
    y = y.copy()
    y[:10] = 1.0  # unbalanced classes, so dL/dout does not sum to zero
    net = sy.init_network("zeros", 4, "sigmoid", np.random.default_rng(0))
    g = sy.first_gradients(net, X, y)
    assert np.all(g["W1"] == 0.0) and np.all(g["b1"] == 0.0)
    assert np.all(g["W2"] != 0.0) and np.all(g["W2"] == g["W2"][0])  # h = sigmoid(0) = 1/2 for every unit


@pytest.mark.parametrize("activation", ACTS)
def test_zero_w_random_bias_gives_first_layer_exactly_zero_gradient_at_the_start(moons, activation):
    net, _ = _train("zero_w_random_b", moons, activation=activation, steps=0)
    g = sy.first_gradients(net, *moons)
    assert np.all(g["W1"] == 0.0) and np.all(g["b1"] == 0.0)
    assert np.all(g["W2"] != 0.0) or activation == "relu"
    _, one = _train("zero_w_random_b", moons, activation=activation, steps=1)
    change = sy.parameter_change(net, one.net)
    assert change["W1"] == 0.0 and change["b1"] == 0.0 and change["W2"] > 0.0


def test_zero_w_random_bias_relu_units_with_negative_bias_are_frozen_forever(moons):
    net, run = _train("zero_w_random_b", moons, activation="relu", H=16, steps=200)
    dead = net.biases[0] < 0
    assert 0 < dead.sum() < 16
    assert np.all(run.net.weights[0][:, dead] == 0.0)
    assert np.all(run.net.biases[0][dead] == net.biases[0][dead])
    assert np.all(run.net.weights[1][dead] == 0.0)
    assert np.all(run.net.weights[0][:, ~dead] != 0.0)


def test_zero_w_random_bias_tanh_units_all_learn_and_stay_distinct(moons):
    net, run = _train("zero_w_random_b", moons, H=8, steps=200)
    assert np.all(run.net.weights[0] != 0.0)
    assert run.distinct[-1] == 8


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 10_000), H=st.integers(2, 16), lam=st.floats(0.01, 5.0), tau=st.floats(0.1, 5.0))
def test_penalty_gradient_matches_central_finite_differences(seed, H, lam, tau):
    W = np.random.default_rng(seed).normal(size=(2, H))
    _, grad = sy.repulsion(W, lam, tau)
    assert rel_err(grad, numeric_grad(lambda: sy.repulsion(W, lam, tau)[0], W)) < 1e-6


@pytest.mark.parametrize("activation", ACTS)
def test_elementwise_gradients_match_central_finite_differences(moons, activation):
    X, y = moons
    net = sy.init_network("normal", 5, activation, np.random.default_rng(4), sigma=0.7)
    net.biases = [np.random.default_rng(5).normal(size=b.shape) for b in net.biases]

    def loss():
        return sy.nn.bce_with_logits(net.forward(X).output, y)[0]

    trace = net.forward(X)
    analytic = sy.gradients(net, trace, sy.nn.bce_with_logits(trace.output, y)[1])
    for g, p in zip(analytic, net.parameters(), strict=True):
        assert rel_err(g, numeric_grad(loss, p)) < 1e-6


def test_penalty_value_counts_each_pair_once_and_its_gradient_vanishes_at_identical_units():
    W = np.tile([[0.3], [-1.2]], 5)  # five identical units: every pair contributes exp(0) = 1
    P, grad = sy.repulsion(W, 2.0, 1.0)
    assert P == 2.0 * 10
    assert np.all(grad == 0.0)


def test_direction_similarity_by_hand():
    W = np.array([[1.0, 0.0, -2.0, 0.0, 0.0], [0.0, 3.0, 0.0, 0.0, 0.0]])  # units: x, y, -x, zero, zero
    S = sy.direction_similarity(W)
    expected = np.array([[1, 0, 1, 0, 0], [0, 1, 0, 0, 0], [1, 0, 1, 0, 0], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(S, expected)
    np.testing.assert_allclose(sy.direction_similarity(np.full((2, 4), 0.5)), 1.0, rtol=1e-15)  # a constant init
    with pytest.raises(ValueError, match="NaN"):
        sy.direction_similarity(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="2-D"):
        sy.direction_similarity(np.ones(3))


@settings(deadline=None, max_examples=50)
@given(W=arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 8)),
                elements=st.floats(-1e3, 1e3).filter(lambda v: v == 0 or abs(v) > 1e-100)),
       scale=st.floats(1e-100, 1e100), seed=st.integers(0, 1000))
def test_direction_similarity_ignores_each_units_scale_and_sign_and_is_never_nan(W, scale, seed):
    S = sy.direction_similarity(W)
    assert S.shape == (W.shape[1], W.shape[1]) and not np.any(np.isnan(S))
    assert np.all(np.diag(S) == 1.0) and np.all((S >= 0) & (S <= 1)) and np.array_equal(S, S.T)
    factors = scale * np.random.default_rng(seed).choice([-1.0, 1.0], size=W.shape[1])
    np.testing.assert_allclose(sy.direction_similarity(W * factors), S, atol=1e-12)


def test_spread_is_exactly_zero_for_identical_units_and_permutation_invariant():
    theta = np.random.default_rng(3).normal(size=(6, 4))
    assert sy.spread(np.tile(theta[:1], (6, 1))) == 0.0
    assert sy.spread(theta) == sy.spread(theta[::-1])
    d = np.linalg.norm(theta[:, None] - theta[None], axis=-1).max()
    assert sy.spread(theta) == pytest.approx(d, rel=1e-12)


def test_distinct_units_counts_groups_within_the_tolerance():
    theta = np.zeros((5, 4))
    theta[3:, 0] = 1.0  # two groups: units 0-2 and units 3-4
    theta[1, 1] = 1e-5  # within 1e-3 of unit 0
    assert sy.distinct_units(theta) == 2
    assert sy.distinct_units(theta, tol=1e-6) == 3
    assert np.array_equal(sy.distinct_units(np.stack([theta, theta])), [2, 2])


def test_break_out_in_chunks_is_the_same_run_as_one_call(moons):
    X, y = moons
    net = sy.init_network("normal", 8, "tanh", np.random.default_rng(5), sigma=1e-7)
    hit = sy.break_out_step(net, X, y, lr=1.0, delta=0.1, max_steps=400, rng=np.random.default_rng(6), chunk=7)
    run = sy.train_units(net, X, y, lr=1.0, steps=400, rng=np.random.default_rng(6))
    assert hit == int(np.flatnonzero(run.spread >= 0.1)[0])


@pytest.mark.parametrize(("dataset", "activation"), [("moons", "tanh"), ("moons", "sigmoid"), ("blobs", "tanh")])
def test_break_out_steps_grow_linearly_in_log_one_over_eps_at_the_predicted_slope(dataset, activation):
    X, y = sy.make_data(dataset, 120, np.random.default_rng(0))
    lab = sy.epsilon_lab(X, y, eps_values=10.0 ** -np.arange(2, 13, 2), H=8, activation=activation, lr=1.0,
                         rng=np.random.default_rng(0), max_steps=2000)
    assert np.all(np.isfinite(lab.steps))
    assert np.all(np.diff(lab.steps) > 0)
    assert lab.slope > 0 and lab.r2 > 0.9
    assert lab.slope == pytest.approx(lab.slope_predicted, rel=0.05)


def test_each_lab_point_is_eps_break_out_from_a_generator_in_the_seeds_state(moons):
    X, y = moons
    eps, kw = [1e-2, 1e-5], {"H": 4, "activation": "tanh", "lr": 1.0, "max_steps": 500}
    lab = sy.epsilon_lab(X, y, eps_values=eps, rng=np.random.default_rng(3), **kw)
    alone = [sy.eps_break_out(X, y, e, rng=np.random.default_rng(3), **kw) for e in eps]
    np.testing.assert_array_equal(lab.steps, alone)
    assert np.all(np.isfinite(lab.steps))


def test_relu_break_out_is_linear_too_without_a_prediction(moons):
    lab = sy.epsilon_lab(*moons, eps_values=10.0 ** -np.arange(2, 13, 2), H=8, activation="relu", lr=1.0,
                         rng=np.random.default_rng(0), max_steps=2000)
    assert lab.slope > 0 and lab.r2 > 0.9
    assert np.isnan(lab.slope_predicted)


def test_fit_log_line_recovers_an_exact_line_and_skips_runs_that_never_broke_out():
    eps = 10.0 ** -np.arange(1, 8)
    steps = 3.0 + 5.0 * np.arange(1, 8)
    steps[-1] = np.nan
    slope, intercept, r2 = sy.fit_log_line(eps, steps)
    assert slope == pytest.approx(5.0) and intercept == pytest.approx(3.0) and r2 == pytest.approx(1.0)


def test_training_records_every_unit_at_every_step_and_the_final_point(moons):
    _, run = _train("normal", moons, H=5, steps=30, record_every=4)
    assert run.theta.shape == (len(run.steps), 5, 4)
    assert run.steps[0] == 0 and run.steps[-1] == 30 and len(run.losses) == 30


def test_init_network_shapes_and_bad_names():
    rng = np.random.default_rng(0)
    for init in sy.INITS:
        net = sy.init_network(init, 6, "tanh", rng, sigma=1e-3)
        assert net.sizes == [2, 6, 1]
    with pytest.raises(ValueError, match="unknown init"):
        sy.init_network("he", 4, "tanh", rng)
    with pytest.raises(ValueError, match="unknown dataset"):
        sy.make_data("iris", 10, rng)


def test_decision_grid_covers_the_data_with_probabilities(moons):
    X, _ = moons
    net = sy.init_network("normal", 4, "tanh", np.random.default_rng(0))
    x1, x2, p = sy.decision_grid(net, X, n=10)
    assert x1.shape == x2.shape == p.shape == (100,)
    assert x1.min() < X[:, 0].min() and x2.max() > X[:, 1].max()
    assert np.all((p >= 0) & (p <= 1))


def test_point_groups_count_units_on_one_point():
    pts = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1e-5]])
    leaders, counts = sy.point_groups(pts)
    assert leaders.tolist() == [0, 2] and counts.tolist() == [3, 1]


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_elementwise_gradients_equal_the_engines_backward(moons, dropout):
    X, y = moons
    net = sy.init_network("normal", 7, "tanh", np.random.default_rng(2))
    trace = net.forward(X, dropout=dropout, rng=np.random.default_rng(3))
    _, d_out = sy.nn.bce_with_logits(trace.output, y)
    for a, b in zip(sy.gradients(net, trace, d_out), sy.gradients(net, trace, d_out, blas=True), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_training_refuses_a_bad_learning_rate_or_step_count(moons):
    net = sy.init_network("normal", 3, "tanh", np.random.default_rng(0))
    for kw in ({"lr": 0.0, "steps": 5}, {"lr": np.nan, "steps": 5}, {"lr": 0.1, "steps": -1}):
        with pytest.raises(ValueError, match="lr > 0"):
            sy.train_units(net, *moons, rng=np.random.default_rng(0), **kw)


def test_a_diverging_run_stops_and_reports_the_step(moons):
    net = sy.init_network("normal", 4, "relu", np.random.default_rng(0), sigma=1e150)
    run = sy.train_units(net, *moons, lr=1e10, steps=50, rng=np.random.default_rng(0))
    assert run.diverged_step is not None and "non-finite" in run.diverged_reason
    assert np.all(np.isfinite(run.theta))


def _engine_run(net, X, y, *, lr, steps, rng, batch_size, dropout, lam):
    """train_units written with the engine's own calls (net.forward, nn.bce_with_logits, gradients)."""
    net, thetas, losses = net.copy(), [], []
    for _ in range(steps):
        idx = slice(None) if batch_size is None else rng.choice(len(X), size=batch_size, replace=False)
        trace = net.forward(X[idx], dropout=dropout, rng=rng)
        loss, d_out = sy.nn.bce_with_logits(trace.output, y[idx])
        g = sy.gradients(net, trace, d_out)
        if lam > 0:
            g[0] = g[0] + sy.repulsion(net.weights[0], lam, 1.0)[1]
        thetas.append(sy.unit_params(net.weights[0], net.biases[0], net.weights[1]))
        losses.append(loss)
        for p, gi in zip(net.parameters(), g, strict=True):
            p -= lr * gi
    thetas.append(sy.unit_params(net.weights[0], net.biases[0], net.weights[1]))
    return np.stack(thetas), np.array(losses)


@settings(deadline=None, max_examples=50)
@given(a=arrays(np.float64, st.tuples(st.integers(1, 300), st.integers(1, 20)), elements=st.floats(-1e3, 1e3)),
       column=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=20), H=st.integers(2, 17))
def test_symmetric_product_keeps_identical_columns_bitwise_identical(a, column, H):
    k = a.shape[1]
    w = np.resize(np.array(column), k)[:, None]  # (k, 1)
    out = sy.symmetric_matmul(a, np.repeat(w, H, axis=1))
    assert out.shape == (len(a), H) and np.all(out == out[:, :1])
    np.testing.assert_allclose(out, a @ np.repeat(w, H, axis=1), rtol=1e-12, atol=1e-9)


def test_symmetric_product_is_plain_matmul_when_columns_differ():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(50, 2)), rng.normal(size=(2, 7))
    assert np.array_equal(sy.symmetric_matmul(a, b), a @ b)
    assert np.array_equal(sy.symmetric_matmul(a, b[:, :1]), a @ b[:, :1])


@settings(deadline=None, max_examples=25)
@given(init=st.sampled_from(sy.INITS), activation=st.sampled_from(ACTS), H=st.integers(2, 9),
       batch=st.sampled_from([None, 16]), dropout=st.sampled_from([0.0, 0.3]), lam=st.sampled_from([0.0, 0.1]),
       seed=st.integers(0, 1000))
def test_the_training_loop_is_the_engines_forward_loss_and_gradients(
        moons, init, activation, H, batch, dropout, lam, seed):
    """Bit for bit while the first layer's units differ (there symmetric_matmul is plain @); identical units get
    their shared column from one matrix-vector product, which BLAS may round differently from the engine's
    matrix product."""
    X, y = moons
    net = sy.init_network(init, H, activation, np.random.default_rng(seed).spawn(2)[0], sigma=0.5, c=0.3)
    kw = {"lr": 0.5, "steps": 12, "batch_size": batch, "dropout": dropout, "lam": lam}
    run = sy.train_units(net, X, y, rng=np.random.default_rng(seed).spawn(2)[1], tau=1.0, **kw)
    theta, losses = _engine_run(net, X, y, rng=np.random.default_rng(seed).spawn(2)[1], **kw)
    if init in ("normal", "zero_w_random_b"):
        assert np.array_equal(run.theta, theta) and np.array_equal(run.losses, losses)
    else:
        np.testing.assert_allclose(run.theta, theta, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(run.losses, losses, rtol=1e-12)


def test_training_refuses_bad_inputs_and_networks_it_does_not_train(moons):
    """The loop checks its inputs once, before the first step, as net.forward and nn.bce_with_logits would."""
    X, y = moons
    net = sy.init_network("normal", 3, "tanh", np.random.default_rng(0))
    for bad, match in (((X[:, :1], y), "shape"), ((X, y[:-1]), "targets"), ((X, y * 3), r"\[0, 1\]")):
        with pytest.raises(ValueError, match=match):
            sy.train_units(net, *bad, lr=0.1, steps=2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="dropout"):
        sy.train_units(net, X, y, lr=0.1, steps=2, rng=np.random.default_rng(0), dropout=1.0)
    make = sy.nn.MLP.create
    kw = {"activation": "tanh", "init": "normal", "std": 0.1, "rng": np.random.default_rng(0)}
    for other in (make([2, 3, 3, 1], **kw), make([2, 3, 1], batchnorm=True, **kw)):
        with pytest.raises(ValueError, match="without BatchNorm"):
            sy.train_units(other, X, y, lr=0.1, steps=2, rng=np.random.default_rng(0))


@settings(deadline=None, max_examples=50)
@given(W=arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 8)), elements=st.floats(-1e3, 1e3)))
def test_direction_similarity_equals_the_direct_cosine_for_nonzero_units(W):
    norms = np.linalg.norm(W, axis=0)
    if np.any(norms < 1e-6):
        return
    direct = np.abs(W.T @ W) / np.outer(norms, norms)
    np.testing.assert_allclose(sy.direction_similarity(W), np.minimum(direct, 1.0), atol=1e-12)


def test_effective_directions_counts_tight_groups_whatever_their_sizes_order_scale_and_sign():
    rng = np.random.default_rng(0)
    angles = np.repeat([0.0, 0.7, 1.9], [10, 1, 5]) + rng.normal(0, 1e-3, 16)   # three groups of 10, 1 and 5
    W = np.stack([np.cos(angles), np.sin(angles)]) * rng.uniform(1e-6, 10, 16) * rng.choice([-1, 1], 16)
    assert sy.effective_directions(W) == pytest.approx(3.0)
    assert sy.effective_directions(W[:, rng.permutation(16)]) == pytest.approx(3.0)
    assert sy.effective_directions(np.full((2, 16), 0.5)) == pytest.approx(1.0)          # constant init: one
    spread_out = np.stack([np.cos(np.arange(16) * np.pi / 16), np.sin(np.arange(16) * np.pi / 16)])
    assert sy.effective_directions(spread_out) == 16.0                                 # 11.25° apart: all distinct
    assert sy.median_similarity(np.full((2, 5), 0.5)) == pytest.approx(1.0)
    assert sy.median_similarity(np.ones((2, 1))) == 1.0
    with pytest.raises(ValueError, match="angle"):
        sy.effective_directions(W, angle=90)


def test_direction_history_measures_every_record_and_gives_nan_after_an_overflow():
    theta = np.random.default_rng(1).normal(size=(3, 6, 4))
    theta[2, 0, 0] = np.inf
    median, dirs = sy.direction_history(theta)
    assert median[0] == sy.median_similarity(theta[0, :, :2].T)
    assert dirs[1] == sy.effective_directions(theta[1, :, :2].T)
    assert np.isnan(median[2]) and np.isnan(dirs[2])


def test_train_curve_is_the_same_run_as_one_call(moons):
    X, y = moons
    net = sy.init_network("normal", 6, "tanh", np.random.default_rng(2), sigma=0.3)
    curve = sy.train_curve(net, X, y, lr=0.5, checkpoints=[0, 7, 30], rng=np.random.default_rng(3), dropout=0.2)
    run = sy.train_units(net, X, y, lr=0.5, steps=30, rng=np.random.default_rng(3), dropout=0.2)
    assert all(np.array_equal(a, b) for a, b in zip(curve.net.parameters(), run.net.parameters(), strict=True))
    assert curve.accuracy[-1] == sy.accuracy(run.net, X, y)
    assert curve.median[0] == sy.median_similarity(net.weights[0])
    with pytest.raises(ValueError, match="increasing"):
        sy.train_curve(net, X, y, lr=0.5, checkpoints=[5, 5], rng=np.random.default_rng(3))


def _page_run(sigma, seed, *, init="normal", lam=0.0, steps=300, dropout=0.0):
    """The page's default experiment (moons, 200 points, tanh, H = 16, GD with eta = 1) from one seed."""
    data_rng, init_rng, train_rng = np.random.default_rng(seed).spawn(3)
    X, y = sy.make_data("moons", 200, data_rng)
    net = sy.init_network(init, 16, "tanh", init_rng, sigma=sigma)
    run = sy.train_units(net, X, y, lr=1.0, steps=steps, rng=train_rng, lam=lam, tau=1.0, dropout=dropout)
    W = run.net.weights[0]
    return sy.median_similarity(W), sy.effective_directions(W), sy.accuracy(run.net, X, y), run


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_small_random_init_condenses_onto_one_direction_and_sigma_one_does_not(seed):
    for sigma in (1e-6, 1e-2):
        median, dirs, acc, run = _page_run(sigma, seed)
        assert median > 0.998 and dirs <= 3.5 and acc < 0.9
        assert sy.median_similarity(run.theta[0][:, :2].T) < 0.9     # they start in random directions
        assert run.distinct[-1] == 16                                # yet by distance every unit is distinct
    median, dirs, acc, _ = _page_run(1.0, seed)
    assert median < 0.95 and dirs > 5 and acc > 0.98


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_push_apart_penalty_on_small_random_init_splits_the_directions_and_lifts_accuracy(seed):
    median0, _, acc0, _ = _page_run(0.01, seed)
    median, dirs, acc, _ = _page_run(0.01, seed, lam=0.1)
    assert median < 0.8 < 0.999 < median0
    assert dirs > 8 and acc > acc0 + 0.05 and acc > 0.95


def test_on_exact_copies_dropout_always_splits_the_points_and_only_sometimes_the_directions():
    runs = [_page_run(1.0, seed, init="identical_rows", dropout=0.1) for seed in range(6)]
    assert all(run.distinct[-1] == 16 and run.spread[-1] > 0.1 for *_, run in runs)
    dirs = [d for _, d, _, _ in runs]
    assert min(dirs) < 1.1 and max(dirs) > 4


def test_blas_rounding_splits_constant_init_units_by_no_more_than_rounding_and_not_their_direction(moons):
    X, y = moons
    init_rng, train_rng = np.random.default_rng(0).spawn(2)
    for H in (5, 7, 16):
        net = sy.init_network("constant", H, "tanh", init_rng, c=0.5)
        run = sy.train_units(net, X, y, lr=1.0, steps=2000, rng=train_rng, blas=True, record_every=500)
        assert run.spread.max() < 1e-12
        assert sy.direction_similarity(run.net.weights[0]).min() > 1 - 1e-12


def test_at_the_eps_labs_break_out_the_units_still_point_one_way(moons):
    X, y = moons
    init_rng, train_rng = np.random.default_rng(0).spawn(2)
    net = sy.init_network("normal", 8, "tanh", init_rng, sigma=1e-8)
    hit = sy.break_out_step(net, X, y, lr=1.0, delta=0.1, max_steps=3000, rng=train_rng)
    run = sy.train_units(net, X, y, lr=1.0, steps=hit, rng=np.random.default_rng(0).spawn(2)[1])
    assert run.spread[-1] >= 0.1 and sy.median_similarity(run.net.weights[0]) > 0.9999


@pytest.mark.parametrize(("H", "lam", "eta", "tau"), [(16, 0.1, 1.0, 1.0), (5, 1.0, 0.5, 2.0), (8, 0.001, 1.0, 1.0)])
def test_the_penalty_step_multiplies_each_units_offset_from_the_mean_by_one_plus_two_eta_lambda_h_over_tau(
        H, lam, eta, tau):
    """The page's law: while units are much closer than sqrt(tau), w_i - mean <- (1 + 2 eta lam H / tau)(w_i - mean)."""
    W = 1e-5 * np.random.default_rng(H).normal(size=(2, H))
    after = W - eta * sy.repulsion(W, lam, tau)[1]
    before_dev, after_dev = W - W.mean(axis=1, keepdims=True), after - after.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(after.mean(axis=1), W.mean(axis=1), atol=1e-18)
    np.testing.assert_allclose(after_dev, (1 + 2 * eta * lam * H / tau) * before_dev, rtol=1e-8)
