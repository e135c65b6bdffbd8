import numpy as np
import pytest

from core import datasets as ds


@pytest.mark.parametrize("name", sorted(ds.CLASSIFICATION_2D))
def test_each_2d_set_returns_float_points_and_balanced_binary_labels(name):
    X, y = ds.CLASSIFICATION_2D[name](101, np.random.default_rng(0))
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert abs(int(y.sum()) - 50) <= 10  # xor's classes are balanced only on average


@pytest.mark.parametrize("name", sorted(ds.CLASSIFICATION_2D))
def test_each_2d_set_is_reproducible_from_the_seed_and_changes_with_it(name):
    make = ds.CLASSIFICATION_2D[name]
    X1, y1 = make(50, np.random.default_rng(7))
    X2, y2 = make(50, np.random.default_rng(7))
    X3, _ = make(50, np.random.default_rng(8))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_noiseless_moons_lie_on_two_unit_half_circles():
    X, y = ds.moons(40, np.random.default_rng(0), noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    assert np.all(X[y == 0, 1] >= 0) and np.all(X[y == 1, 1] <= 0.5)


def test_noiseless_circles_have_radius_one_and_factor():
    X, y = ds.circles(40, np.random.default_rng(0), noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1], axis=1), 0.3)


def test_noiseless_xor_labels_are_the_sign_agreement_of_the_coordinates():
    X, y = ds.xor(200, np.random.default_rng(0), noise=0.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) == np.sign(X[:, 1])).astype(int))
    assert np.abs(X).min() >= 0.1


def test_noiseless_spirals_are_point_reflections_of_each_other():
    X, y = ds.spirals(60, np.random.default_rng(0), noise=0.0)
    arm0 = X[y == 0][np.argsort(np.linalg.norm(X[y == 0], axis=1))]
    arm1 = X[y == 1][np.argsort(np.linalg.norm(X[y == 1], axis=1))]
    np.testing.assert_allclose(arm1, -arm0, atol=1e-12)


def test_blobs_are_centred_at_minus_one_and_plus_one():
    X, y = ds.blobs(4000, np.random.default_rng(0), noise=0.5)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-1.0, -1.0], atol=0.05)
    np.testing.assert_allclose(X[y == 1].std(axis=0), [0.5, 0.5], rtol=0.05)


def test_gaussian_clusters_have_balanced_integer_classes_and_the_requested_shape():
    X, y = ds.gaussian_clusters(1003, np.random.default_rng(0), n_classes=10, dim=30)
    assert X.shape == (1003, 30) and X.dtype == np.float64 and y.dtype == np.int64
    counts = np.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1


def test_gaussian_clusters_are_reproducible_from_the_seed():
    a = ds.gaussian_clusters(200, np.random.default_rng(3))
    b = ds.gaussian_clusters(200, np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_feature_scale_spreads_the_raw_feature_sizes_over_the_requested_range():
    rng = np.random.default_rng(4)
    X, _ = ds.gaussian_clusters(2000, rng, dim=20, feature_scale=(1e-2, 1e3))
    X_unscaled, _ = ds.gaussian_clusters(2000, np.random.default_rng(4), dim=20)
    ratio = X.std(axis=0) / X_unscaled.std(axis=0)
    assert ratio.min() >= 1e-2 * (1 - 1e-9) and ratio.max() <= 1e3 * (1 + 1e-9)
    assert ratio.max() / ratio.min() > 1e3


def test_more_sub_clusters_make_classes_overlap_for_a_nearest_class_mean_rule():
    def nearest_mean_accuracy(clusters_per_class):
        X, y = ds.gaussian_clusters(3000, np.random.default_rng(5), clusters_per_class=clusters_per_class)
        means = np.stack([X[y == c].mean(axis=0) for c in range(10)])
        return np.mean(np.argmin(((X[:, None, :] - means) ** 2).sum(axis=2), axis=1) == y)

    assert nearest_mean_accuracy(1) > 0.9
    assert nearest_mean_accuracy(5) < 0.6


def test_train_test_split_partitions_the_rows():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    X_train, X_test, y_train, y_test = ds.train_test_split(X, y, np.random.default_rng(0), test_fraction=0.3)
    assert len(X_test) == 3 and len(X_train) == 7
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), np.arange(10))
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)


def test_harder_data_has_ten_balanced_classes_and_a_held_out_split():
    X_train, X_test, y_train, y_test = ds.harder_data(np.random.default_rng(0))
    assert X_train.shape == (1500, 20) and X_test.shape == (500, 20)
    assert set(np.unique(y_train)) == set(range(10)) and len(y_test) == 500


def test_two_feature_regression_dials_the_population_condition_number():
    X, y = ds.two_feature_regression(20_000, np.random.default_rng(1), scale_ratio=5.0, noise=0.0)
    lam = np.linalg.eigvalsh(X.T @ X / len(X))
    assert lam[-1] / lam[0] == pytest.approx(25.0, rel=0.05)
    np.testing.assert_allclose(y, X @ [1.0, 1.0])


def test_mixed_scale_features_span_the_requested_spread_and_the_target_is_linear_in_their_z_scores():
    X, y = ds.mixed_scale_data(5000, 12, np.random.default_rng(2), spread=1e3, noise=0.0)
    sd = X.std(axis=0)
    assert 1.0 * 0.9 < sd.min() and sd.max() < 1e3 * 1.1 and sd.max() / sd.min() > 10
    assert np.all(X.mean(axis=0) / sd > 0)  # every column has a non-zero (positive) mean
    Z = (X - X.mean(axis=0)) / sd
    D = np.column_stack([Z, np.ones(len(Z))])
    residual = y - D @ np.linalg.lstsq(D, y, rcond=None)[0]
    assert np.abs(residual).max() < 0.05


def test_teacher_data_and_unit_batches_have_the_documented_shapes():
    X, y = ds.teacher_data(2000, 8, np.random.default_rng(3))
    assert X.shape == (2000, 8) and y.shape == (2000, 1)
    linear = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    assert 0.2 < linear.std() < 1.0  # the sine is not linear: a linear fit leaves part of it
    x = ds.unit_batch(10_000, np.random.default_rng(4), mu=3.0, sigma=2.0)
    assert x.shape == (10_000,) and x.mean() == pytest.approx(3.0, abs=0.1) and x.std() == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda rng: ds.moons(1, rng), "n must be"),
        (lambda rng: ds.circles(10, rng, noise=-0.1), "noise"),
        (lambda rng: ds.circles(10, rng, factor=1.5), "factor"),
        (lambda rng: ds.spirals(10, rng, turns=0), "turns"),
        (lambda rng: ds.gaussian_clusters(5, rng, n_classes=10), "n must be"),
        (lambda rng: ds.gaussian_clusters(50, rng, feature_scale=(2.0, 1.0)), "low <= high"),
        (lambda rng: ds.train_test_split(np.zeros((4, 2)), np.zeros(3), rng), "same number"),
        (lambda rng: ds.two_feature_regression(10, rng, correlation=1.0), "correlation"),
        (lambda rng: ds.two_feature_regression(10, rng, scale_ratio=0.0), "scale_ratio"),
        (lambda rng: ds.draw_inputs("cauchy", 3, rng), "input distribution"),
        (lambda rng: ds.unit_batch(0, rng), "batch size"),
        (lambda rng: ds.unit_batch(3, rng, sigma=-1.0), "sigma"),
    ],
)
def test_bad_arguments_raise_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.random.default_rng(0))
