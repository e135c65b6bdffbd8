"""A small fully connected network engine in NumPy: activations, initializations, losses, SGD.

Shared by the symmetry, initialization and BatchNorm pages. Conventions:

- data is (n_samples, n_features); ``W`` is (fan_in, fan_out); a layer computes ``z = h @ W + b``;
- hidden layer i: ``z_i = h_i @ W_i + b_i``; ``u_i = BN(z_i)`` (or ``u_i = z_i`` without BatchNorm);
  ``a_i = f(u_i)``; ``h_{i+1} = h_i + a_i`` with a residual skip, else ``h_{i+1} = a_i``; ``h_0 = X``;
- the output layer is linear and has no BatchNorm;
- losses are means over samples and return ``(loss, d_output)``, ``d_output = dL/d(output)``.

Every layer is a plain matrix product, ``h @ W``. BLAS may round identical hidden units differently (by about
1e-16: a matrix-vector product such as the output layer's ``h^T dL/dz`` sums its last rows in another order),
so a constant init keeps units identical only up to round-off, which training can then grow;
:func:`core.symmetry.train_units` keeps them bitwise identical. Forward and backward never raise or warn on
overflow (a diverging run is detected by its loss); the warnings are silenced locally with ``np.errstate``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from core import batchnorm as bn
from core.numerics import EXPLODE_FACTOR, QUIET, diverged

LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    """A nonlinearity ``f`` and its derivative ``df`` with respect to its input z (both elementwise)."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]


def _sigmoid(z):
    # With e = exp(-|z|) <= 1 nothing overflows: 1/(1+e) for z >= 0, e/(1+e) for z < 0, one exp per entry.
    e = np.exp(-np.abs(z))
    d = 1.0 / (1.0 + e)
    return np.where(z >= 0, d, e * d)


def _dsigmoid(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


ACTIVATIONS: dict[str, Activation] = {
    "linear": Activation("linear", lambda z: z, np.ones_like),
    "tanh": Activation("tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": Activation("sigmoid", _sigmoid, _dsigmoid),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "leaky_relu": Activation(
        "leaky_relu",
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE),
    ),
}

_GAINS = {
    "linear": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": np.sqrt(2.0),
    "leaky_relu": np.sqrt(2.0 / (1.0 + LEAKY_SLOPE**2)),
}


def _check_activation(activation: str) -> Activation:
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[activation]


def calculate_gain(activation: str) -> float:
    """The recommended gain for an activation, as in ``torch.nn.init.calculate_gain``.

    Notes
    -----
    linear and sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu sqrt(2 / (1 + 0.01^2)). Multiplying the
    weight std by the gain compensates for the variance the nonlinearity removes (He et al. 2015).
    """
    _check_activation(activation)
    return float(_GAINS[activation])


def saturation_fraction(activation: str, a: np.ndarray) -> float:
    """Fraction of activations in the flat tails: tanh ``|a| > 0.97``, sigmoid ``a`` outside [0.03, 0.97].

    Other activations do not saturate: 0.0.
    """
    a = np.asarray(a, dtype=float)
    if activation == "tanh":
        return float(np.mean(np.abs(a) > 0.97))
    if activation == "sigmoid":
        return float(np.mean((a < 0.03) | (a > 0.97)))
    return 0.0


def dead_fraction(activation: str, u: np.ndarray) -> float:
    """Fraction of ReLU units whose input ``u`` (n, units) is <= 0 for every sample: they pass no gradient.

    0.0 for every other activation (leaky ReLU always passes some gradient).
    """
    if activation != "relu":
        return 0.0
    return float(np.mean(np.all(np.asarray(u) <= 0, axis=0)))


# Variance of each named scheme at gain 1, as a function of (fan_in, fan_out).
_SCHEME_VARIANCE = {
    "lecun_normal": lambda fan_in, fan_out: 1.0 / fan_in,
    "xavier_normal": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),
    "xavier_uniform": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),
    "he_normal": lambda fan_in, fan_out: 2.0 / fan_in,
    "he_uniform": lambda fan_in, fan_out: 2.0 / fan_in,
}
_STD_SCHEMES = ("zeros", "constant", "normal", "uniform")
INIT_SCHEMES = (*_STD_SCHEMES, *_SCHEME_VARIANCE, "orthogonal")


def _check_init_args(scheme, fan_in, fan_out, rng, std, gain) -> None:
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"unknown init scheme {scheme!r}; choose one of {list(INIT_SCHEMES)}")
    for name, n in (("fan_in", fan_in), ("fan_out", fan_out)):
        if not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    if scheme in ("constant", "normal", "uniform"):
        if std is None or not np.isfinite(std):
            raise ValueError(f"init scheme {scheme!r} needs a finite std=..., got {std!r}")
        if scheme != "constant" and std < 0:
            raise ValueError(f"std must be >= 0, got {std}")
    if not np.isfinite(gain):
        raise ValueError(f"gain must be finite, got {gain}")
    if scheme not in ("zeros", "constant") and not isinstance(rng, np.random.Generator):
        raise ValueError(f"init scheme {scheme!r} needs rng=np.random.default_rng(seed)")


def _orthogonal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    big, small = max(fan_in, fan_out), min(fan_in, fan_out)
    q, r = np.linalg.qr(rng.normal(size=(big, small)))  # q: (big, small), orthonormal columns
    q *= np.sign(np.diag(r))  # makes the distribution uniform over orthogonal matrices (Mezzadri 2007)
    return q if fan_in >= fan_out else q.T


def init_weights(scheme: str, fan_in: int, fan_out: int, rng, *, std=None, gain: float = 1.0) -> np.ndarray:
    """A (fan_in, fan_out) weight matrix drawn from a named initialization scheme.

    Parameters
    ----------
    scheme : str
        ``"zeros"``; ``"constant"`` (every entry ``std``); ``"normal"`` N(0, std^2); ``"uniform"``
        U(-std*sqrt(3), std*sqrt(3)) (also variance std^2); ``"lecun_normal"``; ``"xavier_normal"``,
        ``"xavier_uniform"``; ``"he_normal"``, ``"he_uniform"``; ``"orthogonal"``.
    fan_in, fan_out : int
        Inputs and outputs of the layer.
    rng : numpy.random.Generator
        Needed by every random scheme.
    std : float, optional
        Required by "constant", "normal" and "uniform"; ignored by the named schemes.
    gain : float
        Multiplies the std of the named schemes and of "orthogonal" (variance by gain^2); ignored by
        "zeros", "constant", "normal" and "uniform", whose std is given explicitly.

    Returns
    -------
    W : ndarray (fan_in, fan_out)

    Raises
    ------
    ValueError
        Unknown scheme, missing or negative std, non-positive sizes, or a missing rng.

    Notes
    -----
    Var(W) = gain^2 / fan_in (LeCun et al. 1998), gain^2 * 2 / (fan_in + fan_out) (Glorot & Bengio 2010),
    gain^2 * 2 / fan_in (He et al. 2015). A uniform draw on (-a, a) has variance a^2 / 3, so a = sqrt(3) std.
    "orthogonal" (Saxe et al. 2014) takes Q from the QR decomposition of a Gaussian matrix, with the signs
    fixed by diag(R); the columns (tall or square W) or rows (wide W) are orthonormal, times ``gain``.
    """
    _check_init_args(scheme, fan_in, fan_out, rng, std, gain)
    shape = (int(fan_in), int(fan_out))
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "constant":
        return np.full(shape, float(std))
    if scheme == "normal":
        return rng.normal(0.0, std, size=shape)
    if scheme == "uniform":
        return rng.uniform(-np.sqrt(3.0) * std, np.sqrt(3.0) * std, size=shape)
    if scheme == "orthogonal":
        return gain * _orthogonal(*shape, rng)
    sigma = gain * np.sqrt(_SCHEME_VARIANCE[scheme](*shape))
    if scheme.endswith("_uniform"):
        return rng.uniform(-np.sqrt(3.0) * sigma, np.sqrt(3.0) * sigma, size=shape)
    return rng.normal(0.0, sigma, size=shape)


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything a forward pass computed, kept for the backward pass and for plotting.

    With L layers (L - 1 hidden) and n samples:
    inputs: (n, n_in) = h_0; output: (n, n_out);
    pre_activations: L arrays z_i (n, sizes[i+1]), before BatchNorm, the last is the output layer's;
    activations: L - 1 arrays h_{i+1} (n, sizes[i+1]), each hidden layer's output (residual sum included);
    activation_inputs: L - 1 arrays u_i, the input of the nonlinearity (BN(z_i), or z_i without BN);
    bn_caches: L - 1 BatchNormCache when the net has BatchNorm, else [];
    dropout_masks: L - 1 arrays (n, width) of 0 or 1/(1-p) (inverted dropout) when dropout was on, else [];
    training: whether BatchNorm used batch statistics (True) or running statistics (False).
    """

    inputs: np.ndarray
    output: np.ndarray
    pre_activations: list[np.ndarray]
    activations: list[np.ndarray]
    activation_inputs: list[np.ndarray]
    bn_caches: list[bn.BatchNormCache]
    dropout_masks: list[np.ndarray]
    training: bool


@dataclass(frozen=True, eq=False)
class Grads:
    """Gradients of the loss, shaped like the parameters.

    weights, biases: L arrays; gammas, betas: L - 1 arrays with BatchNorm, else [];
    pre_activations: L arrays dL/dz_i, shaped like ``Trace.pre_activations``.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    gammas: list[np.ndarray]
    betas: list[np.ndarray]
    pre_activations: list[np.ndarray]

    def as_list(self) -> list[np.ndarray]:
        """Gradients in the order of :meth:`MLP.parameters`."""
        return [*self.weights, *self.biases, *self.gammas, *self.betas]


@dataclass(eq=False)
class MLP:
    """A multilayer perceptron; build it with :meth:`MLP.create`.

    weights[i]: (sizes[i], sizes[i+1]); biases[i]: (sizes[i+1],). With ``batchnorm``, one entry per hidden
    layer in gammas (ones), betas (zeros), running_means (zeros), running_vars (ones); otherwise those
    lists are empty. ``residual`` adds ``h_{i+1} = h_i + f(u_i)`` between hidden layers of equal width (not
    on the first hidden layer, whose input is the data). ``eps`` is BatchNorm's epsilon. The object is
    mutable: :func:`train` works on a :meth:`copy`.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "tanh"
    batchnorm: bool = False
    residual: bool = False
    gammas: list[np.ndarray] = field(default_factory=list)
    betas: list[np.ndarray] = field(default_factory=list)
    running_means: list[np.ndarray] = field(default_factory=list)
    running_vars: list[np.ndarray] = field(default_factory=list)
    eps: float = 1e-5

    def __post_init__(self) -> None:
        _check_activation(self.activation)
        if not self.weights or len(self.biases) != len(self.weights):
            raise ValueError("an MLP needs at least one layer and one bias vector per weight matrix")
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if W.ndim != 2 or b.shape != (W.shape[1],) or (i and W.shape[0] != self.weights[i - 1].shape[1]):
                raise ValueError(f"layer {i}: W {W.shape} and b {b.shape} do not chain")
        n_bn = self.n_hidden if self.batchnorm else 0
        for name in ("gammas", "betas", "running_means", "running_vars"):
            if len(getattr(self, name)) != n_bn:
                raise ValueError(f"{name} must have {n_bn} entries (one per hidden layer with BatchNorm)")

    @classmethod
    def create(
        cls,
        sizes,
        *,
        activation: str,
        init: str,
        rng: np.random.Generator,
        std=None,
        gain: float = 1.0,
        batchnorm: bool = False,
        residual: bool = False,
    ) -> MLP:
        """A fresh network: ``sizes = [n_in, h_1, ..., n_out]``, every W from ``init_weights(init, ...)``.

        All layers (the output layer too) use the same scheme, ``std`` and ``gain``; biases start at 0,
        gamma at 1, beta at 0, running mean 0 and running variance 1 (PyTorch's defaults).
        """
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive layer widths, got {sizes}")
        _check_activation(activation)
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        weights = [init_weights(init, fan_in, fan_out, rng, std=std, gain=gain) for fan_in, fan_out in pairs]
        hidden = sizes[1:-1] if batchnorm else []
        return cls(
            weights=weights,
            biases=[np.zeros(fan_out) for _, fan_out in pairs],
            activation=activation,
            batchnorm=batchnorm,
            residual=residual,
            gammas=[np.ones(h) for h in hidden],
            betas=[np.zeros(h) for h in hidden],
            running_means=[np.zeros(h) for h in hidden],
            running_vars=[np.ones(h) for h in hidden],
        )

    @property
    def sizes(self) -> list[int]:
        return [self.weights[0].shape[0], *(W.shape[1] for W in self.weights)]

    @property
    def n_layers(self) -> int:
        return len(self.weights)

    @property
    def n_hidden(self) -> int:
        return len(self.weights) - 1

    @property
    def skips(self) -> list[bool]:
        """Whether hidden layer i adds its input back (residual); never the first hidden layer."""
        return [self.residual and i > 0 and W.shape[0] == W.shape[1] for i, W in enumerate(self.weights[:-1])]

    def parameters(self) -> list[np.ndarray]:
        """All trainable arrays (weights, biases, gammas, betas), the order of :meth:`Grads.as_list`."""
        return [*self.weights, *self.biases, *self.gammas, *self.betas]

    def copy(self) -> MLP:
        """A deep copy: training the copy leaves this network unchanged."""
        return copy.deepcopy(self)

    def forward(self, X, *, training: bool = True, dropout: float = 0.0, rng=None) -> Trace:
        """Run the network on a batch.

        Parameters
        ----------
        X : ndarray (n, sizes[0])
        training : bool
            BatchNorm uses the batch statistics (True) or the running ones (False). Dropout is only
            applied in training mode. Running statistics are *not* updated here (see
            :meth:`update_running_stats`), so forward has no side effects.
        dropout : float in [0, 1)
            Probability of zeroing each hidden activation (inverted dropout: survivors are scaled by
            1/(1-p), so the expected activation is unchanged; Srivastava et al. 2014).
        rng : numpy.random.Generator
            Needed when dropout > 0.

        Returns
        -------
        Trace
        """
        X = self._check_inputs(X)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if dropout > 0 and training and not isinstance(rng, np.random.Generator):
            raise ValueError("dropout needs rng=np.random.default_rng(seed)")
        return self._forward(X, training, dropout if training else 0.0, rng)

    def predict(self, X) -> np.ndarray:
        """The output in evaluation mode (running BatchNorm statistics, no dropout)."""
        return self.forward(X, training=False).output

    def _check_inputs(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}) with n >= 1, got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values")
        return X

    def _normalize(self, i: int, z: np.ndarray, training: bool):
        if not self.batchnorm:
            return z, None
        gamma, beta = self.gammas[i], self.betas[i]
        if training:
            return bn.batchnorm_forward(z, gamma, beta, eps=self.eps, check_finite=False)
        mu, var = self.running_means[i], self.running_vars[i]
        return bn.batchnorm_inference_forward(z, gamma, beta, mu, var, eps=self.eps, check_finite=False)

    def _forward(self, X: np.ndarray, training: bool, dropout: float, rng) -> Trace:
        f = ACTIVATIONS[self.activation].f
        h, zs, hs, us, caches, masks = X, [], [], [], [], []
        with np.errstate(**QUIET):
            for i, skip in enumerate(self.skips):
                z = h @ self.weights[i] + self.biases[i]  # (n, width)
                u, cache = self._normalize(i, z, training)
                a = f(u)
                if dropout > 0:
                    masks.append((rng.random(a.shape) >= dropout) / (1.0 - dropout))
                    a = a * masks[-1]
                h = h + a if skip else a
                zs.append(z)
                us.append(u)
                hs.append(h)
                if cache is not None:
                    caches.append(cache)
            output = h @ self.weights[-1] + self.biases[-1]  # (n, n_out)
        return Trace(X, output, [*zs, output], hs, us, caches, masks, training)

    def backward(self, trace: Trace, d_output) -> Grads:
        """Backpropagate ``d_output = dL/d(output)`` through the pass recorded in ``trace``.

        Non-finite values propagate without raising or warning (a diverging run shows in its loss).

        Notes
        -----
        Per layer, from the top: ``dW_i = h_i^T dz_i``, ``db_i = sum_n dz_i``,
        ``dh_i = dz_i W_i^T`` (+ dh_{i+1} through a skip); ``du_i = dh_{i+1} * mask_i * f'(u_i)``;
        ``dz_i`` from ``du_i`` through BatchNorm.
        """
        d_output = np.asarray(d_output, dtype=float)
        if d_output.shape != trace.output.shape:
            raise ValueError(f"d_output must have the output's shape {trace.output.shape}, got {d_output.shape}")
        L, skips = self.n_layers, self.skips
        gW, gb, dzs = [None] * L, [None] * L, [None] * L
        n_bn = self.n_hidden if self.batchnorm else 0
        ggamma, gbeta = [None] * n_bn, [None] * n_bn
        dz, carry = d_output, 0.0
        with np.errstate(**QUIET):
            for i in reversed(range(L)):
                h_in = trace.inputs if i == 0 else trace.activations[i - 1]
                dzs[i], gW[i], gb[i] = dz, h_in.T @ dz, dz.sum(axis=0)  # (fan_in, fan_out), (fan_out,)
                if i == 0:
                    break
                dh = dz @ self.weights[i].T + carry  # dL/dh_i, h_i the output of hidden layer i - 1
                dz = self._hidden_backward(i - 1, dh, trace, ggamma, gbeta)
                carry = dh if skips[i - 1] else 0.0
        return Grads(gW, gb, ggamma, gbeta, dzs)

    def _hidden_backward(self, j: int, dh: np.ndarray, trace: Trace, ggamma: list, gbeta: list) -> np.ndarray:
        d_a = dh * trace.dropout_masks[j] if trace.dropout_masks else dh
        d_u = d_a * ACTIVATIONS[self.activation].df(trace.activation_inputs[j])
        if not self.batchnorm:
            return d_u
        backward = bn.batchnorm_backward if trace.training else bn.batchnorm_inference_backward
        dz, ggamma[j], gbeta[j] = backward(d_u, trace.bn_caches[j])
        return dz

    def update_running_stats(self, trace: Trace, *, momentum: float = 0.1) -> None:
        """Fold the batch statistics of a training-mode ``trace`` into the running estimates (in place).

        Uses :func:`core.batchnorm.update_running_stats` (PyTorch: unbiased batch variance). No-op
        without BatchNorm.
        """
        if not self.batchnorm:
            return
        if not trace.training:
            raise ValueError("running statistics come from training-mode passes (forward(..., training=True))")
        for i in range(self.n_hidden):
            self.running_means[i], self.running_vars[i] = bn.update_running_stats(
                self.running_means[i], self.running_vars[i], trace.pre_activations[i],
                momentum=momentum, check_finite=False,
            )  # fmt: skip


def _as_targets(output, y, *, integer: bool = False):
    output = np.asarray(output, dtype=float)
    if output.ndim not in (1, 2) or output.shape[0] == 0:
        raise ValueError(f"output must be a non-empty (n,) or (n, k) array, got shape {output.shape}")
    out2 = output.reshape(len(output), -1)  # (n, k)
    y = np.asarray(y, dtype=float)
    if integer:
        if y.shape != (len(out2),):
            raise ValueError(f"labels must have shape ({len(out2)},), got {y.shape}")
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)) or np.any((y < 0) | (y >= out2.shape[1])):
            raise ValueError(f"labels must be integers in [0, {out2.shape[1]})")
        return output, out2, y.astype(int)
    if y.shape != out2.shape:
        y = y.reshape(out2.shape) if y.size == out2.size and y.ndim == 1 else y
    if y.shape != out2.shape:
        raise ValueError(f"targets must match the output's shape {output.shape}, got {np.shape(y)}")
    if not np.all(np.isfinite(y)):
        raise ValueError("targets contain NaN or infinite values")
    return output, out2, y


def squared_error(output, y) -> tuple[float, np.ndarray]:
    """Half mean squared error of the network's output and its gradient (``LOSSES["mse"]``).

    Not :func:`core.loss_surface.mse_loss`, which takes linear weights ``(w, X, y)``; the convention is the same.

    Parameters
    ----------
    output : ndarray (n, k) or (n,)
    y : ndarray, same size (an (n,) target is accepted for an (n, 1) output)

    Returns
    -------
    loss : float
        ``L = 1/(2n) * sum_{samples, outputs} (output - y)^2`` -- the same convention as
        ``core.loss_surface`` (sum over outputs, mean over samples).
    d_output : ndarray, shaped like ``output``
        ``(output - y) / n``.

    Notes
    -----
    Non-finite outputs give a non-finite loss, without a warning, so training can detect divergence.
    """
    output, out2, y = _as_targets(output, y)
    n = len(out2)
    with np.errstate(**QUIET):
        r = out2 - y  # (n, k)
        return float((r**2).sum() / (2 * n)), (r / n).reshape(output.shape)


def bce_with_logits(logits, y) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on logits, mean over samples, and its gradient.

    Parameters
    ----------
    logits : ndarray (n, 1), (n, k) or (n,)
        Pre-sigmoid outputs z.
    y : ndarray of targets in [0, 1], same size.

    Returns
    -------
    loss : float
        ``L = 1/n * sum [max(z, 0) - z*y + log(1 + exp(-|z|))]``, equal to
        ``-[y log sigmoid(z) + (1-y) log(1 - sigmoid(z))]`` but without overflow for any finite z.
    d_output : ndarray, shaped like ``logits``
        ``(sigmoid(z) - y) / n``.
    """
    logits, z, y = _as_targets(logits, y)
    if np.any((y < 0) | (y > 1)):
        raise ValueError("bce targets must lie in [0, 1]")
    loss, d = bce_unchecked(z, y)
    return loss, d.reshape(logits.shape)


def bce_unchecked(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`bce_with_logits` on an (n, k) array of logits and targets of the same shape, without checking them
    (for training loops that check their inputs once): the loss and ``(sigmoid(z) - y) / n``."""
    n = len(z)
    with np.errstate(**QUIET):
        loss = (np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))).sum() / n
        return float(loss), (_sigmoid(z) - y) / n


def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy with integer labels, mean over samples, and its gradient.

    Parameters
    ----------
    logits : ndarray (n, k)
    labels : ndarray (n,) of integers in [0, k)

    Returns
    -------
    loss : float
        ``L = 1/n * sum_n [logsumexp(z_n) - z_{n, label_n}]``, computed after subtracting each row's max.
    d_output : ndarray (n, k)
        ``(softmax(z) - onehot(label)) / n``.
    """
    logits, z, labels = _as_targets(logits, labels, integer=True)
    n = len(z)
    with np.errstate(**QUIET):
        shifted = z - z.max(axis=1, keepdims=True)  # (n, k), max entry 0
        lse = np.log(np.exp(shifted).sum(axis=1))  # (n,)
        loss = (lse - shifted[np.arange(n), labels]).sum() / n
        p = np.exp(shifted - lse[:, None])  # (n, k) softmax
        p[np.arange(n), labels] -= 1.0
    return float(loss), (p / n).reshape(logits.shape)


LOSSES: dict[str, Callable] = {"mse": squared_error, "bce": bce_with_logits, "softmax_ce": softmax_cross_entropy}


def accuracy(output, y, *, loss) -> float | None:
    """Fraction classified correctly: ``logit > 0`` for "bce", argmax for "softmax_ce"; None for "mse"."""
    loss_fn = _resolve_loss(loss)
    output = np.asarray(output, dtype=float)
    if loss_fn is bce_with_logits:
        return float(np.mean((output.reshape(len(output), -1) > 0) == np.asarray(y).reshape(len(output), -1)))
    if loss_fn is softmax_cross_entropy:
        return float(np.mean(output.argmax(axis=1) == np.asarray(y)))
    return None


def _resolve_loss(loss) -> Callable:
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)} or pass a function")
    return LOSSES[loss]


@dataclass(frozen=True, eq=False)
class LayerStats:
    """Per-layer health statistics, one row per recorded step (see ``TrainResult.record_steps``).

    Each is (n_records, n_hidden) except update_ratio, (n_records, n_layers) (every weight matrix):
    pre_mean, pre_var: mean and variance of z_i over the batch and the layer's units (before BN);
    act_var: variance of h_{i+1}; grad_var: variance of dL/dz_i (L is a mean over the batch);
    saturation: :func:`saturation_fraction` of f(u_i); dead_fraction: :func:`dead_fraction` of u_i;
    update_ratio: std(update of W_i) / std(W_i) before the update (inf or NaN when W_i is constant).
    """

    pre_mean: np.ndarray
    pre_var: np.ndarray
    act_var: np.ndarray
    grad_var: np.ndarray
    saturation: np.ndarray
    dead_fraction: np.ndarray
    update_ratio: np.ndarray


@dataclass(frozen=True, eq=False)
class TrainResult:
    """A training run.

    net: the trained copy (the network passed to :func:`train` is not modified);
    losses: (steps,) mini-batch loss at each step, before that step's update; the diverged step keeps its
    (non-finite or huge) loss and later entries are NaN;
    accuracy: (steps,) mini-batch accuracy before each update, for "bce"/"softmax_ce"; else None;
    diverged, diverged_step (the step whose loss or gradient broke, else None), diverged_reason ("" if not);
    record_steps: (n_records,) steps at which stats/weights were recorded (every ``record_every``);
    stats: LayerStats when ``record_stats``, else None;
    weight_history, bias_history: per layer, arrays (n_records, fan_in, fan_out) and (n_records, fan_out)
    of the parameters before the update at each recorded step, when ``record_weights``; else None.
    """

    net: MLP
    losses: np.ndarray
    accuracy: np.ndarray | None
    diverged: bool
    diverged_step: int | None
    diverged_reason: str
    record_steps: np.ndarray
    stats: LayerStats | None = None
    weight_history: list[np.ndarray] | None = None
    bias_history: list[np.ndarray] | None = None


def _check_train_args(net, X, y, *, lr, steps, batch_size, momentum, rng, record_every, dropout, bn_momentum):
    X = net._check_inputs(X)
    if np.shape(y)[:1] != (len(X),):
        raise ValueError(f"y must have {len(X)} rows like X, got shape {np.shape(y)}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    if batch_size is not None and not 1 <= int(batch_size) <= len(X):
        raise ValueError(f"batch_size must be None or in [1, {len(X)}], got {batch_size}")
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("train needs rng=np.random.default_rng(seed) (mini-batches, dropout)")
    if int(record_every) != record_every or record_every < 1:
        raise ValueError(f"record_every must be a positive integer, got {record_every}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if not 0.0 <= bn_momentum <= 1.0:
        raise ValueError(f"bn_momentum must be in [0, 1], got {bn_momentum}")
    return X


def _stats_row(net: MLP, trace: Trace, grads: Grads, updates: list[np.ndarray]) -> tuple:
    f = ACTIVATIONS[net.activation].f
    hidden = range(net.n_hidden)
    with np.errstate(**QUIET):
        return (
            [trace.pre_activations[i].mean() for i in hidden],
            [trace.pre_activations[i].var() for i in hidden],
            [trace.activations[i].var() for i in hidden],
            [grads.pre_activations[i].var() for i in hidden],
            [saturation_fraction(net.activation, f(trace.activation_inputs[i])) for i in hidden],
            [dead_fraction(net.activation, trace.activation_inputs[i]) for i in hidden],
            [np.std(v) / np.std(W) for v, W in zip(updates[: net.n_layers], net.weights, strict=True)],
        )


def _divergence(loss_value: float, first_loss: float, grads: list[np.ndarray]) -> str:
    if not np.isfinite(loss_value):
        return f"loss became {loss_value}"
    if diverged(loss_value, first_loss):
        return f"loss exploded to {loss_value:.3g} (over {EXPLODE_FACTOR:.0e} times max(starting loss, 1))"
    if not all(np.all(np.isfinite(g)) for g in grads):
        return "gradient overflowed (non-finite)"
    return ""


def train(
    net: MLP,
    X,
    y,
    *,
    loss,
    lr: float,
    steps: int,
    batch_size: int | None = None,
    momentum: float = 0.0,
    rng: np.random.Generator,
    record_stats: bool = False,
    record_every: int = 1,
    record_weights: bool = False,
    callback: Callable[[int, int], None] | None = None,
    dropout: float = 0.0,
    extra_grad: Callable[[MLP], list] | None = None,
    bn_momentum: float = 0.1,
) -> TrainResult:
    """Train a copy of ``net`` with (mini-batch) SGD and heavy-ball momentum.

    Parameters
    ----------
    net : MLP
        Not modified; the trained copy is ``result.net``.
    X : ndarray (n, n_in)
    y : targets for ``loss`` (values (n,) or (n, n_out); integer labels (n,) for "softmax_ce").
    loss : str or callable
        A key of :data:`LOSSES` or a function ``(output, y) -> (loss, d_output)``.
    lr : float
        Learning rate eta > 0.
    steps : int
    batch_size : int, optional
        None: full batch. Otherwise each step draws a mini-batch without replacement from ``rng``.
    momentum : float in [0, 1)
        ``v = momentum * v - lr * grad; p = p + v`` for every parameter (0 is plain SGD).
    rng : numpy.random.Generator
        Mini-batches and dropout masks.
    record_stats, record_every, record_weights : see :class:`TrainResult` and :class:`LayerStats`.
    callback : callable, optional
        ``callback(step, steps)`` after each completed step (a progress bar); not called after divergence.
    dropout : float
        Inverted dropout on every hidden layer during training.
    extra_grad : callable, optional
        ``extra_grad(net) -> list`` with one array (or None) per weight matrix, added to the weight
        gradients before the update: the gradient of an extra penalty on the weights. The recorded loss does
        not include the penalty.
    bn_momentum : float
        Momentum of the BatchNorm running statistics, updated every step (PyTorch's 0.1).

    Returns
    -------
    TrainResult

    Notes
    -----
    The run stops, with ``diverged=True``, at the first step whose mini-batch loss has diverged
    (:func:`core.numerics.diverged`) or whose gradient is non-finite; that step's update is not
    applied, so ``result.net`` keeps the last finite parameters. Nothing raises or warns on overflow.
    """
    X = _check_train_args(
        net, X, y, lr=lr, steps=steps, batch_size=batch_size, momentum=momentum, rng=rng,
        record_every=record_every, dropout=dropout, bn_momentum=bn_momentum,
    )  # fmt: skip
    loss_fn, y, steps, net = _resolve_loss(loss), np.asarray(y), int(steps), net.copy()
    params = net.parameters()
    velocities = [np.zeros_like(p) for p in params]
    losses = np.full(steps, np.nan)
    acc = np.full(steps, np.nan) if loss_fn in (bce_with_logits, softmax_cross_entropy) else None
    recorder = _Recorder(record_stats, record_weights)
    reason, t = "", 0
    for t in range(steps):
        idx = None if batch_size is None else rng.choice(len(X), size=int(batch_size), replace=False)
        Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        trace = net._forward(Xb, True, dropout, rng)
        losses[t], d_output = loss_fn(trace.output, yb)
        grads = net.backward(trace, d_output)
        g = _add_extra_grad(grads.as_list(), extra_grad, net)
        reason = _divergence(losses[t], losses[0], g)
        if reason:
            break
        if acc is not None:
            acc[t] = accuracy(trace.output, yb, loss=loss_fn)
        net.update_running_stats(trace, momentum=bn_momentum)
        _momentum_step(velocities, g, lr, momentum)
        if t % record_every == 0:
            recorder.add(t, net, trace, grads, velocities)
        _apply(params, velocities)
        if callback is not None:
            callback(t + 1, steps)
    return TrainResult(
        net, losses, acc, bool(reason), t if reason else None, reason, **recorder.finish(net)
    )  # fmt: skip


def _momentum_step(velocities: list[np.ndarray], grads: list[np.ndarray], lr: float, momentum: float) -> None:
    """Heavy ball in place: ``v = momentum * v - lr * grad``."""
    with np.errstate(**QUIET):
        for v, g in zip(velocities, grads, strict=True):
            v *= momentum
            v -= lr * g


def _apply(params: list[np.ndarray], updates: list[np.ndarray]) -> None:
    with np.errstate(**QUIET):
        for p, v in zip(params, updates, strict=True):
            p += v


class _Recorder:
    """Collects the rows of LayerStats and the weight snapshots at the recorded steps."""

    def __init__(self, record_stats: bool, record_weights: bool) -> None:
        self.record_stats, self.record_weights = record_stats, record_weights
        self.steps, self.rows, self.weights, self.biases = [], [], [], []

    def add(self, t: int, net: MLP, trace: Trace, grads: Grads, updates: list[np.ndarray]) -> None:
        self.steps.append(t)
        if self.record_stats:
            self.rows.append(_stats_row(net, trace, grads, updates))
        if self.record_weights:
            self.weights.append([W.copy() for W in net.weights])
            self.biases.append([b.copy() for b in net.biases])

    def finish(self, net: MLP) -> dict:
        return {
            "record_steps": np.array(self.steps, dtype=int),
            "stats": _stack_stats(self.rows, net) if self.record_stats else None,
            "weight_history": _stack_history(self.weights, net.weights) if self.record_weights else None,
            "bias_history": _stack_history(self.biases, net.biases) if self.record_weights else None,
        }


def _add_extra_grad(g: list[np.ndarray], extra_grad, net: MLP) -> list[np.ndarray]:
    if extra_grad is None:
        return g
    extra = list(extra_grad(net))
    if len(extra) != net.n_layers:
        raise ValueError(f"extra_grad must return {net.n_layers} entries (one per weight matrix)")
    extra += [None] * (len(g) - len(extra))  # nothing extra for biases, gammas, betas
    return [gi if e is None else gi + e for gi, e in zip(g, extra, strict=True)]


def _stack_stats(rows: list[tuple], net: MLP) -> LayerStats:
    if not rows:
        empty = np.empty((0, net.n_hidden))
        return LayerStats(*[empty] * 6, np.empty((0, net.n_layers)))
    return LayerStats(*(np.array([row[k] for row in rows], dtype=float) for k in range(7)))


def _stack_history(history: list[list[np.ndarray]], like: list[np.ndarray]) -> list[np.ndarray]:
    if not history:
        return [np.empty((0, *p.shape)) for p in like]
    return [np.stack([snapshot[i] for snapshot in history]) for i in range(len(like))]
