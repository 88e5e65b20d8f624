"""Setting up a population run: checking every input once, and the initial draws.

``make_setup`` validates the configuration, the data, the seeds, learning rates and
initialisers and keeps the network's ``ParamLayout`` (where each layer's parameters sit in
the flat vector); ``initial_params`` draws every network's starting weights exactly as
``Network(seed=...)`` would. Both backends of ``xornet.population.trainer`` (the NumPy path and
``xornet.population.kernel``) read the resulting ``Setup``; it is kept apart from the training so
that the checks and the draws, which decide *what* is trained, read on their own.
"""

from dataclasses import dataclass, replace

import numpy as np

from xornet.core import initializers, optimizers
from xornet.core.layout import ParamLayout
from xornet.errors import XornetError

# Memory one population run may take, checked before anything is allocated: a quarter of a
# small laptop, and far more than the 10^5 networks the population trainer is made for need.
MAX_BYTES = 4 * 2**30


@dataclass(frozen=True)
class Setup:
    """A validated population run: everything both backends read."""

    config: object  # RunConfig; seed, lr and init are replaced per network
    X: np.ndarray  # (n, n_in)
    y: np.ndarray  # (n, n_out)
    seeds: np.ndarray  # (N,) int64
    lrs: np.ndarray  # (N,) float64
    inits: tuple  # (N,) initialiser names
    layout: ParamLayout  # where each layer's W and b sit in a network's flat vector
    activations: tuple  # one activation name per layer

    @property
    def full_batch(self):
        """The same test as ``training.train``: one update per epoch on every row."""
        bs = self.config.batch_size
        return bs is None or bs >= len(self.X)


def make_setup(config, X, y, seeds, lrs=None, inits=None):
    """Check every input once and lay out the parameters; return a ``Setup``."""
    if config.optimizer == optimizers.PERCEPTRON:
        raise XornetError("optimizer: the population trainer trains by backpropagation; "
                          "choose sgd or adam (the perceptron rule trains one network).")
    config.check()  # validates every training field
    if config.update_order != "textbook":
        raise XornetError('update_order: the population trainer computes every gradient before '
                          'any update (the "textbook" order); train the "script" order one '
                          "network at a time.")
    n_in = np.shape(X)[-1] if np.ndim(X) else 1  # X and y are checked below, by the network
    template = config.build(n_in, np.shape(y)[-1] if np.ndim(y) == 2 else 1)
    for layer in template.layers:
        if not layer.activation.differentiable:
            raise XornetError(
                f"layer {layer.index}: the {layer.activation.name} activation has no useful "
                "derivative, so it cannot be trained by backpropagation; use sigmoid, tanh or "
                "relu."
            )
    X, y = template.check_data(X, y)
    check_memory(_count(seeds), template.layout.n_params, len(X), sum(template.sizes[1:]))
    config.check_targets(y)  # as NetworkLearner does: bce needs targets in [0, 1]
    seeds = _check_seeds(seeds)
    n = len(seeds)
    return Setup(config, X, y, seeds, _check_lrs(lrs, config.lr, n),
                 _check_inits(inits, config.init, n), template.layout,
                 tuple(template.activations))


def estimated_bytes(n_networks, n_params, n_samples, n_units):
    """An upper bound on the memory of training ``n_networks`` side by side: about six
    copies of every parameter (the parameters, gradients, optimizer state, the result) and
    four of every unit's value on every sample (z, a, δ and a temporary)."""
    return 8 * n_networks * (6 * n_params + 4 * n_samples * n_units) + 64 * n_networks


def check_memory(n_networks, n_params, n_samples, n_units):
    """Refuse, before allocating anything, a population that would need more than
    ``MAX_BYTES``, saying how much it would need."""
    need = estimated_bytes(n_networks, n_params, n_samples, n_units)
    if need > MAX_BYTES:
        fits = max(1, n_networks * MAX_BYTES // need)
        raise XornetError(f"seeds: {n_networks:,} networks of {n_params:,} parameters on "
                          f"{n_samples:,} samples would need about {need / 2**30:,.1f} GB, more "
                          f"than the {MAX_BYTES // 2**30} GB one population run may use; train "
                          f"at most about {fits:,} at once (or a smaller network).")


def _count(seeds):
    """How many networks ``seeds`` asks for, without building the list."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return max(int(seeds), 0)
    return len(seeds) if hasattr(seeds, "__len__") else 0


def _check_seeds(seeds):
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise XornetError(f"seeds: expected a whole number ≥ 1; received {seeds}.")
        return np.arange(int(seeds), dtype=np.int64)
    try:
        out = np.asarray(seeds if isinstance(seeds, np.ndarray) else list(seeds))
    except TypeError:
        out = np.zeros(0)
    if out.ndim != 1 or out.size == 0 or out.dtype.kind not in "iu" or np.any(out < 0):
        raise XornetError("seeds: expected a count ≥ 1 or a non-empty list of whole numbers ≥ 0; "
                          f"received {seeds!r}.")
    return out.astype(np.int64)


def _check_lrs(lrs, default, n):
    try:
        out = np.full(n, float(default)) if lrs is None else np.asarray(lrs, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.full(n, np.nan)
    if out.ndim == 0:
        out = np.full(n, float(out))
    if out.shape != (n,) or not np.all(np.isfinite(out)) or np.any(out <= 0.0):
        raise XornetError(f"lrs: expected one finite learning rate > 0, or {n} of them (one "
                          "per seed).")
    return out


def _check_inits(inits, default, n):
    if inits is None or isinstance(inits, str) or callable(inits):
        names = [default if inits is None else inits] * n
    else:
        try:
            names = list(inits)
        except TypeError:
            names = []
    if len(names) != n:
        raise XornetError(f"inits: expected one initialiser name, or {n} of them (one per "
                          f"seed); received {len(names)}.")
    for name in set(names):
        initializers.get(name)  # raises with the list of valid names
    return tuple(names)


def initial_params(setup):
    """Every network's initial ``Network.params``, drawn as ``Network(seed=...)`` draws them.

    Returns P (n_params, N): population on the last axis.
    """
    layout = setup.layout
    P = np.empty((len(setup.seeds), layout.n_params))  # one row per network, drawing
    draws = {name: initializers.get(name) for name in set(setup.inits)}  # looked up once
    # per layer: W's shape, where W starts and ends in the row, where b starts (or None)
    layers = [(n_in, n_out, w, w + n_in * n_out, b) for (n_in, n_out), w, b
              in zip(layout.shapes, layout.w_at, layout.b_at, strict=True)]
    for row, seed, init in zip(P, setup.seeds.tolist(), setup.inits, strict=True):
        rng, draw = np.random.default_rng(seed), draws[init]
        for n_in, n_out, w0, w1, b0 in layers:
            W, b = draw(rng, n_in, n_out, np.float64)  # W then b, layer by layer
            row[w0:w1] = W.reshape(-1)  # row-major, as ParamLayout.views lays W out
            if b0 is not None:
                row[b0:b0 + n_out] = b
    return np.ascontiguousarray(P.T)


def config_for(setup, k):
    """The RunConfig that trains network ``k`` of ``setup`` alone."""
    return replace(setup.config, seed=int(setup.seeds[k]), lr=float(setup.lrs[k]),
                   init=setup.inits[k])
