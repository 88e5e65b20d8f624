"""Weight initialisers. Each draws from the ``np.random.Generator`` it is given, never the
global RNG, so the same seed gives the same bits in any process.

An initialiser returns ``(W, b)`` for one layer: ``W`` (n_in, n_out) and ``b`` (n_out,).
The plain distributions draw the bias from the same distribution as the weights (the classic
tutorials do); the scaled ones (Xavier, He) start biases at zero, as their papers do.
Draw order is fixed: W then b, layer by layer, so a network's bits depend only on the seed.
"""

import numpy as np

from xornet.core import numbers
from xornet.errors import XornetError


def uniform01(rng, n_in, n_out, dtype=np.float64):
    """Uniform in [0, 1) — the classic tutorials' ``np.random.random``."""
    return rng.random((n_in, n_out), dtype=dtype), rng.random(n_out, dtype=dtype)


def uniform(rng, n_in, n_out, dtype=np.float64):
    """Uniform in [-1, 1)."""
    W = 2.0 * rng.random((n_in, n_out), dtype=dtype) - 1.0
    b = 2.0 * rng.random(n_out, dtype=dtype) - 1.0
    return W, b


def normal(rng, n_in, n_out, dtype=np.float64):
    """Standard normal, mean 0 and standard deviation 1."""
    return (rng.standard_normal((n_in, n_out), dtype=dtype),
            rng.standard_normal(n_out, dtype=dtype))


def xavier(rng, n_in, n_out, dtype=np.float64):
    """Glorot/Xavier uniform: U(−r, r) with r = √(6 / (n_in + n_out)); keeps the variance of
    signals roughly constant through sigmoid/tanh layers."""
    r = np.sqrt(6.0 / (n_in + n_out))
    W = r * (2.0 * rng.random((n_in, n_out), dtype=dtype) - 1.0)
    return W, np.zeros(n_out, dtype=dtype)


def he(rng, n_in, n_out, dtype=np.float64):
    """He normal: N(0, 2 / n_in); made for ReLU layers, which zero half their inputs."""
    W = np.sqrt(2.0 / n_in) * rng.standard_normal((n_in, n_out), dtype=dtype)
    return W, np.zeros(n_out, dtype=dtype)


def zeros(rng, n_in, n_out, dtype=np.float64):
    """All zeros: every hidden unit starts identical and stays so (the symmetry problem)."""
    return np.zeros((n_in, n_out), dtype=dtype), np.zeros(n_out, dtype=dtype)


_REGISTRY = {f.__name__: f for f in (uniform01, uniform, normal, xavier, he, zeros)}
NAMES = tuple(_REGISTRY)


def get(name):
    """Return the initialiser called ``name``; raise XornetError listing the valid names.

    ``uniform`` and ``normal`` take a scale after a colon: ``"uniform:0.3"`` draws weights and
    biases from U(−0.3, 0.3) and ``"normal:0.5"`` from N(0, 0.5²) (``"uniform:1"`` draws the
    same bits as ``"uniform"``). The initial weight range is the axis of ``xornet inits``.
    """
    if callable(name):
        return name
    if isinstance(name, str) and ":" in name:
        return _scaled(name)
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise XornetError(
            f"init: unknown name {name!r}; choose one of {', '.join(NAMES)} "
            "(uniform and normal also take a scale, e.g. uniform:0.3)."
        ) from None


SCALED = ("uniform", "normal")  # the initialisers that take a scale: "uniform:0.3"


def _scaled(name):
    base, _, text = name.partition(":")
    scale = numbers.to_float(text)  # ASCII digits, as every number xornet reads
    if scale is None:
        scale = float("nan")
    if base not in SCALED or not np.isfinite(scale) or scale <= 0.0 or scale > 1e6:
        raise XornetError(f"init: {name!r} is not a scaled initialiser; write uniform:R for "
                          "U(−R, R) or normal:S for N(0, S²), with R or S a number > 0 and "
                          "≤ 10^6.")
    unit = _REGISTRY[base]

    def draw(rng, n_in, n_out, dtype=np.float64):
        W, b = unit(rng, n_in, n_out, dtype)
        if scale != 1.0:
            W *= scale
            b *= scale
        return W, b

    draw.__name__ = draw.__qualname__ = f"{base}:{text}"
    draw.__doc__ = f"{unit.__doc__.split(';')[0].rstrip('.')}, scaled by {scale:g}."
    return draw
