"""Weight initialisers. Each draws from the ``np.random.Generator`` it is given, never the
global RNG, so the same seed gives the same bits in any process.

An initialiser returns ``(W, b)`` for one layer: ``W`` (n_in, n_out) and ``b`` (n_out,).
The plain distributions draw the bias from the same distribution as the weights (the classic
tutorials do); the scaled ones (Xavier, He) start biases at zero, as their papers do.
Draw order is fixed: W then b, layer by layer, so a network's bits depend only on the seed.
"""

import numpy as np

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
    """Return the initialiser called ``name``; raise XornetError listing the valid names."""
    if callable(name):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise XornetError(
            f"init: unknown name {name!r}; choose one of {', '.join(NAMES)}."
        ) from None
