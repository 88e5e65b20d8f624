"""Loss functions: each one's value and its gradient with respect to the prediction ŷ.

Shapes: ``y_hat`` and ``y`` are both (n_samples, n_outputs). Each loss also has a
per-network form for a population of M networks trained side by side (``xornet.population``):
``y_hat`` (n, n_out, M) and ``y`` (n, n_out, 1) give a value per network (M,) and ∂E/∂ŷ
(n, n_out, M), "every element" meaning every element of one network.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from xornet.errors import XornetError

Array = np.ndarray


@dataclass(frozen=True)
class Loss:
    """One loss function.

    Attributes
    ----------
    name : str
        The registry name.
    value : callable
        ``value(y_hat, y) -> float``.
    gradient : callable
        ``gradient(y_hat, y) -> ∂E/∂ŷ``, same shape as ``y_hat``.
    combine : str
        How per-sample errors are combined over a batch: ``"sum"`` or ``"mean"``.
    formula : str
        The formula, for explanations.
    fused : callable, optional
        ``fused(y_hat, y) -> (value, gradient)`` in one pass (the training loop's hot path).
    per_network : callable
        ``per_network(y_hat, y) -> (value (M,), gradient)`` for M networks on the last axis.
    code : int
        A fixed number for compiled code, which branches on numbers, not names
        (``xornet.population.kernel``). Codes are never renumbered: numba's on-disk cache
        keeps the numbers it compiled with and would not notice a change.
    """

    name: str
    value: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    combine: str
    formula: str
    fused: Callable[[Array, Array], tuple[float, Array]] | None = None  # both in one pass
    per_network: Callable[[Array, Array], tuple[Array, Array]] | None = None  # (M,), ∂E/∂ŷ
    code: int = field(kw_only=True)

    def __call__(self, y_hat: Array, y: Array) -> tuple[float, Array]:
        """Return ``(value, gradient)``."""
        if self.fused is not None:
            return self.fused(y_hat, y)
        return self.value(y_hat, y), self.gradient(y_hat, y)


# mse: mean of (ŷ − y)² over every element; no ½, so for one sample it is (ŷ − y)².
def _mse(y_hat, y):
    d = (y_hat - y).ravel()
    return float(d @ d) / d.size


def _mse_gradient(y_hat, y):
    return (2.0 / y_hat.size) * (y_hat - y)


def _mse_per_network(y_hat, y):
    d = y_hat - y  # (n, n_out, M)
    m = d.shape[0] * d.shape[1]
    return np.einsum("nom,nom->m", d, d) / m, (2.0 / m) * d


# sse: ½·Σ(ŷ − y)² over the batch — the classic "delta rule" form whose gradient is ŷ − y.
def _sse(y_hat, y):
    d = (y_hat - y).ravel()
    return 0.5 * float(d @ d)


def _sse_gradient(y_hat, y):
    return y_hat - y


def _sse_per_network(y_hat, y):
    d = y_hat - y  # (n, n_out, M)
    return 0.5 * np.einsum("nom,nom->m", d, d), d


def _sse_fused(y_hat, y):
    # the training loop's hot path: one subtraction serves the value and the gradient
    d = y_hat - y
    flat = d.ravel()
    return 0.5 * float(flat @ flat), d


def _mse_fused(y_hat, y):
    d = y_hat - y
    flat = d.ravel()
    return float(flat @ flat) / d.size, (2.0 / d.size) * d


def _bce_fused(y_hat, y):
    p = _clip(y_hat)  # clip once for both
    value = -float((y * np.log(p) + (1.0 - y) * np.log1p(-p)).mean())
    return value, (p - y) / (p * (1.0 - p)) / y_hat.size


def bce_clip(dtype):
    """How far bce keeps ŷ from 0 and 1: one machine epsilon of ``dtype``.

    log(0) is -inf, so ŷ is clipped to [eps, 1 − eps] and the loss stays finite.
    """
    return np.finfo(dtype).eps


def _clip(y_hat):
    eps = bce_clip(y_hat.dtype)
    return np.clip(y_hat, eps, 1.0 - eps)


# bce: −mean(y·log ŷ + (1 − y)·log(1 − ŷ)) over every element.
def _bce(y_hat, y):
    p = _clip(y_hat)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def _bce_gradient(y_hat, y):
    p = _clip(y_hat)
    return (p - y) / (p * (1.0 - p)) / y_hat.size


def _bce_per_network(y_hat, y):
    p = _clip(y_hat)  # (n, n_out, M)
    m = p.shape[0] * p.shape[1]
    value = -np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p), axis=(0, 1)) / m
    return value, (p - y) / (p * (1.0 - p)) / m


_REGISTRY = {
    loss.name: loss
    for loss in (
        Loss("mse", _mse, _mse_gradient, "mean", "E = mean((ŷ − y)²)", _mse_fused,
             _mse_per_network, code=0),
        Loss("sse", _sse, _sse_gradient, "sum", "E = ½·Σ(ŷ − y)²", _sse_fused,
             _sse_per_network, code=1),
        Loss("bce", _bce, _bce_gradient, "mean", "E = −mean(y·ln ŷ + (1 − y)·ln(1 − ŷ))",
             _bce_fused, _bce_per_network, code=2),
    )
}

NAMES = tuple(_REGISTRY)


def get(name: str) -> Loss:
    """Return the loss called ``name``; raise XornetError listing the valid names."""
    if isinstance(name, Loss):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise XornetError(
            f"loss: unknown name {name!r}; choose one of {', '.join(NAMES)}."
        ) from None
