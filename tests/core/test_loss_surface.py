"""core.loss_surface: the gradient, the curvature, GD/SGD/momentum, and every curve the page draws."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import datasets
from core import loss_surface as ls
from tests.core.gradcheck import numeric_grad, rel_err


def data(seed=0, n=80, scale_ratio=3.0, correlation=0.5, noise=0.5):
    return datasets.two_feature_regression(n, np.random.default_rng(seed), scale_ratio=scale_ratio,
                                     correlation=correlation, noise=noise)


def test_mse_grad_matches_central_finite_differences():
    X, y = data()
    w = np.array([-1.3, 2.7])
    assert rel_err(ls.mse_grad(w, X, y), numeric_grad(lambda: ls.mse_loss(w, X, y), w)) < 1e-6


def test_mse_hessian_matches_finite_differences_of_the_gradient():
    X, y = data(seed=3, correlation=-0.7)
    w = np.array([0.2, -0.4])
    fd = np.stack([numeric_grad(lambda i=i: ls.mse_grad(w, X, y)[i], w) for i in range(2)])  # row i: d grad_i / dw
    assert rel_err(ls.mse_hessian(X), fd) < 1e-6


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 10_000), s=st.floats(0.1, 20), rho=st.floats(-0.95, 0.95))
def test_curvature_agrees_with_numpy_eigvalsh(seed, s, rho):
    X, _ = data(seed, scale_ratio=s, correlation=rho)
    c = ls.curvature(X)
    lam = np.linalg.eigvalsh(X.T @ X / len(X))
    np.testing.assert_allclose(c.eigenvalues, lam, rtol=1e-10)
    assert c.condition_number == pytest.approx(lam[-1] / lam[0], rel=1e-10)
    assert c.max_stable_lr == pytest.approx(2 / lam[-1], rel=1e-12)
    H = ls.mse_hessian(X)
    np.testing.assert_allclose(H @ c.eigenvectors, c.eigenvectors * c.eigenvalues, atol=1e-10 * lam[-1])


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 10_000), s=st.floats(0.2, 10), rho=st.floats(-0.9, 0.9),
       frac=st.floats(0.01, 0.999), start=st.tuples(st.floats(-5, 5), st.floats(-5, 5)))
def test_full_batch_gd_below_two_over_lambda_max_never_increases_the_loss(seed, s, rho, frac, start):
    X, y = data(seed, scale_ratio=s, correlation=rho)
    lr = frac * ls.curvature(X).max_stable_lr
    tr = ls.gradient_descent(X, y, np.array(start), lr, 60)
    assert not tr.diverged
    assert np.all(np.diff(tr.losses) <= 1e-12 * max(1.0, tr.losses[0]))
    assert ls.escape_step(tr.losses) is None


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 10_000), s=st.floats(0.2, 10), rho=st.floats(-0.9, 0.9),
       frac=st.floats(1.05, 3.0), a=st.floats(0.1, 5), b=st.floats(-5, 5))
def test_full_batch_gd_above_two_over_lambda_max_diverges_from_any_start_off_the_top_axis(seed, s, rho,
                                                                                            frac, a, b):
    X, y = data(seed, scale_ratio=s, correlation=rho)
    c = ls.curvature(X)
    w_star, _ = ls.minimizer(X, y)
    w0 = w_star + a * c.eigenvectors[:, -1] + b * c.eigenvectors[:, 0]
    tr = ls.gradient_descent(X, y, w0, frac * c.max_stable_lr, 3000)
    assert tr.diverged and tr.diverged_step is not None
    assert np.all(np.isnan(tr.losses[tr.diverged_step:]))
    assert ls.escape_step(tr.losses) is not None


@pytest.mark.parametrize("start_gap", [0.0, 1e-9, 1e-3])
def test_a_tiny_loss_run_is_flagged_when_it_diverges_and_not_when_it_converges(start_gap):
    """Targets of size 1e-6 and a start at or next to the minimum: first losses from 0 to ~1e-7."""
    X, _ = data(seed=5)
    w_star = np.array([2e-6, -1e-6])
    y = X @ w_star
    c = ls.curvature(X)
    w0 = w_star + start_gap * c.eigenvectors[:, -1]
    for frac in (0.5, 0.99):
        calm = ls.gradient_descent(X, y, w0, frac * c.max_stable_lr, 300)
        assert not calm.diverged and np.all(np.isfinite(calm.losses))
    if start_gap > 0:
        wild = ls.gradient_descent(X, y, w0, 1.5 * c.max_stable_lr, 300)
        assert wild.diverged and wild.diverged_step > 1
        assert np.nanmax(wild.losses) > 1e6 * wild.losses[0]


@pytest.mark.parametrize("frac", [0.3, 0.9, 1.1])
def test_measured_error_along_each_eigenvector_is_one_minus_eta_lambda_to_the_t(frac):
    X, y = data(seed=7)
    c = ls.curvature(X)
    w_star, _ = ls.minimizer(X, y)
    lr = frac * c.max_stable_lr
    tr = ls.gradient_descent(X, y, np.array([-2.0, 3.5]), lr, 40)
    measured = ls.eigen_errors(tr.weights, w_star, c)
    t = np.arange(41)[:, None]
    theory = (1 - lr * c.eigenvalues) ** t * measured[0]
    np.testing.assert_allclose(measured, theory, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ls.predicted_eigen_errors(measured[0], c, lr, 40), theory, rtol=1e-12)


def test_momentum_follows_the_heavy_ball_update_exactly():
    X, y = data(seed=2)
    lr, beta, w0 = 0.05, 0.8, np.array([3.0, -1.0])
    tr = ls.gradient_descent(X, y, w0, lr, 25, momentum=beta)
    w, v = w0.copy(), np.zeros(2)
    for t in range(1, 26):
        v = beta * v - lr * (X.T @ (X @ w - y) / len(y))
        w = w + v
        np.testing.assert_allclose(tr.weights[t], w, rtol=1e-13, atol=1e-13)


def test_momentum_per_direction_theory_matches_the_run():
    X, y = data(seed=4)
    c = ls.curvature(X)
    w_star, _ = ls.minimizer(X, y)
    lr, beta = 0.7 * c.max_stable_lr, 0.6
    tr = ls.gradient_descent(X, y, np.array([-1.0, 2.0]), lr, 50, momentum=beta)
    measured = ls.eigen_errors(tr.weights, w_star, c)
    np.testing.assert_allclose(ls.predicted_eigen_errors(measured[0], c, lr, 50, beta), measured,
                               atol=1e-9)


def test_heavy_ball_rates_and_limit():
    X, _ = data(seed=5)
    c = ls.curvature(X)
    assert ls.stable_lr_limit(c, 0.5) == pytest.approx(3 / c.eigenvalues[-1])
    assert np.all(ls.convergence_rates(c, 0.99 * ls.stable_lr_limit(c, 0.5), 0.5) < 1)
    assert np.max(ls.convergence_rates(c, 1.01 * ls.stable_lr_limit(c, 0.5), 0.5)) > 1
    np.testing.assert_allclose(ls.convergence_rates(c, 0.1), np.abs(1 - 0.1 * c.eigenvalues))


def test_sgd_is_reproducible_for_a_seed_and_differs_across_seeds():
    X, y = data()
    run = lambda seed: ls.gradient_descent(X, y, np.zeros(2), 0.05, 30, batch_size=8,  # noqa: E731
                                           rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(run(1).weights, run(1).weights)
    assert not np.allclose(run(1).weights[1:], run(2).weights[1:])


def test_sgd_averages_to_the_gd_prediction():
    X, y = data(seed=9)
    c = ls.curvature(X)
    w_star, _ = ls.minimizer(X, y)
    lr, w0 = 0.5 * c.max_stable_lr, np.array([-2.0, 3.0])
    runs = [ls.gradient_descent(X, y, w0, lr, 10, batch_size=10, rng=np.random.default_rng(k)).weights
            for k in range(400)]
    mean_err = ls.eigen_errors(np.mean(runs, axis=0), w_star, c)
    theory = ls.predicted_eigen_errors(mean_err[0], c, lr, 10)
    assert np.max(np.abs(mean_err - theory)) < 0.05 * np.max(np.abs(theory[0]))


def test_minibatch_gradients_are_unbiased_and_shrink_with_batch_size():
    X, y = data(seed=11, n=100)
    w = np.array([2.0, -1.0])
    g = ls.mse_grad(w, X, y)
    small = ls.minibatch_gradients(X, y, w, 4, 3000, np.random.default_rng(0))
    big = ls.minibatch_gradients(X, y, w, 50, 3000, np.random.default_rng(0))
    assert np.linalg.norm(big.mean(axis=0) - g) < 0.03 * np.linalg.norm(g)
    np.testing.assert_allclose(ls.minibatch_gradients(X, y, w, 100, 2, np.random.default_rng(0))[0], g,
                               rtol=1e-12)
    assert np.trace(np.cov(big.T)) < np.trace(np.cov(small.T)) / 5


def test_contour_ellipse_points_lie_exactly_on_their_loss_level():
    X, y = data(seed=6, correlation=-0.8)
    c = ls.curvature(X)
    w_star, L_star = ls.minimizer(X, y)
    for gap in ls.contour_levels(c, radius=3.0):
        pts = ls.contour_ellipse(w_star, c, gap)
        losses = np.array([ls.mse_loss(p, X, y) for p in pts])
        np.testing.assert_allclose(losses - L_star, gap, rtol=1e-9, atol=1e-12)
    widest = ls.contour_ellipse(w_star, c, ls.contour_levels(c, 3.0)[0])
    assert np.max(np.linalg.norm(widest - w_star, axis=1)) == pytest.approx(3.0, rel=1e-3)


def test_loss_grid_and_gradient_field_agree_with_mse_loss_and_mse_grad():
    X, y = data(seed=8)
    center = np.array([1.0, -2.0])
    w1, w2, L = ls.loss_grid(X, y, center, 2.5, n=6)
    for i in range(0, 36, 7):
        assert L[i] == pytest.approx(ls.mse_loss(np.array([w1[i], w2[i]]), X, y), rel=1e-12)
    assert w1.min() == pytest.approx(center[0] - 2.5 + 2.5 / 6)
    W, G = ls.gradient_field(X, y, center, 2.5, n=3)
    for p, g in zip(W, G, strict=True):
        np.testing.assert_allclose(g, ls.mse_grad(p, X, y), rtol=1e-10, atol=1e-12)


def test_gradient_is_perpendicular_to_the_contour_through_the_point():
    X, y = data(seed=12, correlation=0.7)
    c = ls.curvature(X)
    w_star, _ = ls.minimizer(X, y)
    pts = ls.contour_ellipse(w_star, c, 0.8, n_points=2001)
    k = 500
    tangent = pts[k + 1] - pts[k - 1]
    g = ls.mse_grad(pts[k], X, y)
    assert abs(tangent @ g) / (np.linalg.norm(tangent) * np.linalg.norm(g)) < 1e-5


def test_steps_to_tolerance_predicted_by_the_slowest_direction_matches_the_run():
    X, y = data(seed=13, scale_ratio=4.0, correlation=0.3)
    c = ls.curvature(X)
    w_star, L_star = ls.minimizer(X, y)
    w0 = np.array([-2.0, 3.0])
    e0 = (w0 - w_star) @ c.eigenvectors
    for frac in (0.3, 0.6, 0.9):
        lr = frac * c.max_stable_lr
        tr = ls.gradient_descent(X, y, w0, lr, 3000)
        measured = ls.steps_to_tolerance(tr.losses, L_star, 1e-4)
        predicted = ls.predicted_steps_to_tolerance(e0, c, lr, 1e-4)
        assert measured is not None
        assert abs(measured - predicted) <= 0.15 * predicted + 3
        assert ls.exact_steps_to_tolerance(e0, c, lr, 1e-4) == measured
    assert ls.predicted_steps_to_tolerance(e0, c, 1.1 * c.max_stable_lr, 1e-4) == float("inf")
    assert ls.exact_steps_to_tolerance(e0, c, 1.1 * c.max_stable_lr, 1e-4) == float("inf")


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 10_000), s=st.floats(0.2, 10), rho=st.floats(-0.9, 0.9), frac=st.floats(0.05, 0.99),
       tol=st.sampled_from([1e-1, 1e-3, 1e-6]))
def test_exact_steps_to_tolerance_equal_the_measured_steps_of_full_batch_gd(seed, s, rho, frac, tol):
    X, y = data(seed, scale_ratio=s, correlation=rho)
    c = ls.curvature(X)
    w_star, L_star = ls.minimizer(X, y)
    w0 = w_star + np.random.default_rng(seed).normal(size=2) * 3
    lr = frac * c.max_stable_lr
    exact = ls.exact_steps_to_tolerance((w0 - w_star) @ c.eigenvectors, c, lr, tol)
    gap = ls.gradient_descent(X, y, w0, lr, 5).losses[[0, 1, 5]] - L_star
    np.testing.assert_allclose(ls.predicted_excess((w0 - w_star) @ c.eigenvectors, c, lr, [0, 1, 5]), gap,
                               rtol=1e-6, atol=1e-12 * gap[0])  # L - L* of the run cancels digits near L*
    if exact <= 2000:
        measured = ls.steps_to_tolerance(ls.gradient_descent(X, y, w0, lr, int(exact) + 5).losses, L_star, tol)
        assert measured is not None and abs(measured - exact) <= 1


@settings(deadline=None, max_examples=40)
@given(seed=st.integers(0, 10_000), frac=st.sampled_from([0.05, 0.3, 0.9, 0.99, 1.02, 1.5]),
       opt=st.sampled_from(["GD", "SGD", "Momentum"]), tol=st.sampled_from([1e-1, 1e-3, 1e-6]),
       max_steps=st.integers(0, 400))
def test_the_measured_steps_to_tolerance_stop_early_at_the_full_runs_count(seed, frac, opt, tol, max_steps):
    """The run that stops at the tolerance gives the count of the whole run, step for step the same (SGD draws
    the same mini-batches; a diverging run reaches nothing), for converging, slow and diverging runs."""
    rng = np.random.default_rng(seed)
    X, y = datasets.two_feature_regression(60, rng, scale_ratio=float(rng.uniform(1, 8)),
                                     correlation=float(rng.uniform(-0.9, 0.9)))
    c = ls.curvature(X)
    w_star, L_star = ls.minimizer(X, y)
    w0 = w_star + rng.normal(size=2) * 4
    kw = {"GD": {}, "SGD": {"batch_size": 8}, "Momentum": {"momentum": 0.7}}[opt]

    def run(fn, *args):
        extra = {"rng": np.random.default_rng(seed).spawn(1)[0]} if opt == "SGD" else {}
        return fn(X, y, w0, frac * c.max_stable_lr, max_steps, *args, **kw, **extra)

    full = ls.steps_to_tolerance(run(ls.gradient_descent).losses, L_star, tol)
    assert run(ls.measured_steps_to_tolerance, L_star, tol) == full


def test_escape_step_finds_the_first_step_above_the_start():
    assert ls.escape_step(np.array([5.0, 4.0, 3.0, 6.0, np.nan])) == 3
    assert ls.escape_step(np.array([5.0, 4.0, np.nan])) == 2
    assert ls.escape_step(np.array([5.0, 4.0, 3.0])) is None


def test_bad_inputs_raise_clear_errors():
    X, y = data()
    with pytest.raises(ValueError, match="batch_size"):
        ls.minibatch_gradients(X, y, np.zeros(2), 0, 3, np.random.default_rng(0))
