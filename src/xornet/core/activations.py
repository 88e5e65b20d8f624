"""Activation functions: each one's value and derivative side by side, looked up by name.

A derivative is written in terms of the layer's net input ``z`` and its output ``a = f(z)``,
because several are cheapest from the output (sigmoid' = a·(1 − a), tanh' = 1 − a²).

The step is the one activation with parameters: ``step_unit(theta, strict)`` is the threshold
unit of the drawn networks, firing when z > θ (strict) or z ≥ θ; the registry's "step" is
``step_unit(0.0, False)``. A model file writes a step with its own threshold as
``{"name": "step", "theta": 0.5, "strict": true}`` (``Activation.spec``).
"""

import functools
import math
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
    theta, strict : float, bool
        A step's firing threshold θ on the net input, and whether it fires only above it
        (z > θ) rather than from it (z ≥ θ); 0 and False for every other function. Named θ,
        not "threshold", because ``threshold`` is the *output* boundary between off and on.
    """

    name: str
    value: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array] | None
    low: float
    high: float
    formula: str
    code: int
    theta: float = 0.0
    strict: bool = False

    @property
    def differentiable(self) -> bool:
        return self.derivative is not None

    @property
    def threshold(self) -> float:
        """The middle of the range: the boundary between "off" and "on"."""
        return 0.5 * (self.low + self.high)

    @property
    def spec(self):
        """How a model file writes it: the name, or for a step with its own threshold
        ``{"name": "step", "theta": θ, "strict": bool}``."""
        if self.theta == 0.0 and not self.strict:
            return self.name
        return {"name": self.name, "theta": self.theta, "strict": self.strict}

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


STEP_CODE = 5  # every step shares the code: none is compiled (a step is not trained by backprop)


def step_unit(theta=0.0, strict=False):
    """The threshold unit that fires (outputs 1) when z > θ if ``strict``, else when z ≥ θ.

    The drawn networks of the tutorials use units with no bias that fire when their input
    exceeds 0.5: ``step_unit(0.5, strict=True)``. With θ = 0, not strict, it is "step".
    """
    if isinstance(theta, bool) or not isinstance(theta, (int, float)) \
            or not math.isfinite(theta):
        raise XornetError(f"activation: a step's theta must be a finite number; received "
                          f"{theta!r}.")
    if not isinstance(strict, bool):
        raise XornetError(f"activation: a step's strict must be true or false; received "
                          f"{strict!r}.")
    theta = float(theta)
    if theta == 0.0 and not strict:
        return _REGISTRY["step"]
    return _make_step(theta, strict)


@functools.lru_cache(maxsize=64)  # one object per (θ, strict): equal units compare equal
def _make_step(theta, strict):
    def value(z):
        return ((z > theta) if strict else (z >= theta)).astype(z.dtype)

    formula = f"1 if z {'>' if strict else '≥'} {theta:g} else 0"
    return Activation("step", value, None, 0.0, 1.0, formula, STEP_CODE, theta, strict)


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
        Activation("step", _step, None, 0.0, 1.0, "1 if z ≥ 0 else 0", code=STEP_CODE),
    )
}

NAMES = tuple(_REGISTRY)


SPEC_KEYS = ("name", "theta", "strict")  # the keys of an activation written as an object


def get(name) -> Activation:
    """Return the activation called ``name`` (a name, an Activation, or a step written as
    ``{"name": "step", "theta": 0.5, "strict": True}``); raise XornetError listing the valid
    names."""
    if isinstance(name, Activation):
        return name
    if isinstance(name, dict):
        unknown = [k for k in name if k not in SPEC_KEYS]
        if name.get("name") != "step" or unknown:
            raise XornetError(f"activation: {name!r} is not a step with a threshold; write "
                              '{"name": "step", "theta": 0.5, "strict": true}.')
        return step_unit(name.get("theta", 0.0), name.get("strict", False))
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise XornetError(
            f"activation: unknown name {name!r}; choose one of {', '.join(NAMES)}."
        ) from None
