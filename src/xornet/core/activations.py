"""Activation functions: each one's value and derivative side by side, looked up by name.

A derivative is written in terms of the layer's net input ``z`` and its output ``a = f(z)``,
because several are cheapest from the output (sigmoid' = a·(1 − a), tanh' = 1 − a²).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from xornet.errors import XornetError

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """One activation function.

    Attributes
    ----------
    name : str
        The registry name.
    value : callable
        ``value(z) -> a``, elementwise.
    derivative : callable or None
        ``derivative(z, a) -> f'(z)``, elementwise; None when the function has no useful
        derivative (``step``), so a network using it cannot be trained by backpropagation.
    low, high : float
        The range of the function's values used to threshold a unit's output into a boolean:
        a unit reads as "on" above the middle of this range. For unbounded functions this is
        the range of outputs that boolean tasks use (0 to 1).
    formula : str
        The formula, for explanations.
    code : int
        A fixed number for compiled code, which branches on numbers, not names
        (``xornet.population.kernel``). Codes are never renumbered: numba's on-disk cache
        keeps the numbers it compiled with and would not notice a change.
    """

    name: str
    value: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None
    low: float
    high: float
    formula: str
    code: int

    @property
    def differentiable(self) -> bool:
        return self.derivative is not None

    @property
    def threshold(self) -> float:
        """The middle of the range: the boundary between "off" and "on"."""
        return 0.5 * (self.low + self.high)

    def __call__(self, z: Array) -> Array:
        return self.value(z)


def _sigmoid(z):
    # 1 / (1 + e^-z) written as 0.5·(1 + tanh(z/2)): the same function, but it never
    # overflows, so sigmoid(±1000) is 0 or 1 without a warning.
    a = np.tanh(0.5 * z)
    a += 1.0  # in place: no temporary arrays on the hot path
    a *= 0.5
    return a


def _sigmoid_derivative(z, a):
    return a * (1.0 - a)


def _tanh_derivative(z, a):
    return 1.0 - a * a


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_derivative(z, a):
    # The derivative at exactly 0 is taken as 0 (the usual convention).
    return (z > 0.0).astype(z.dtype)


# Slope for z < 0: small enough to keep ReLU's shape, non-zero so units never die.
LEAKY_SLOPE = 0.01


def _leaky_relu(z):
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def _leaky_relu_derivative(z, a):
    return np.where(z > 0.0, 1.0, LEAKY_SLOPE).astype(z.dtype)


def _linear(z):
    return z


def _linear_derivative(z, a):
    return np.ones_like(z)


def _step(z):
    # Heaviside step: 1 when the net input is at least 0 (the classic threshold unit).
    return (z >= 0.0).astype(z.dtype)


_REGISTRY = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, _sigmoid_derivative, 0.0, 1.0, "1 / (1 + e^-z)",
                   code=0),
        Activation("tanh", np.tanh, _tanh_derivative, -1.0, 1.0, "tanh(z)", code=1),
        Activation("relu", _relu, _relu_derivative, 0.0, 1.0, "max(0, z)", code=2),
        Activation(
            "leaky_relu", _leaky_relu, _leaky_relu_derivative, 0.0, 1.0,
            f"z if z > 0 else {LEAKY_SLOPE}·z", code=3,
        ),
        Activation("linear", _linear, _linear_derivative, 0.0, 1.0, "z", code=4),
        Activation("step", _step, None, 0.0, 1.0, "1 if z ≥ 0 else 0", code=5),
    )
}

NAMES = tuple(_REGISTRY)


def get(name: str) -> Activation:
    """Return the activation called ``name``; raise XornetError listing the valid names."""
    if isinstance(name, Activation):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise XornetError(
            f"activation: unknown name {name!r}; choose one of {', '.join(NAMES)}."
        ) from None
