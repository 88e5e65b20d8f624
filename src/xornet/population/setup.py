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
from xornet.train import schedules

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
    lrs: np.ndarray  # (N, L) float64: one learning rate per network and weight layer
    inits: tuple  # (N,) initialiser names
    layout: ParamLayout  # where each layer's W and b sit in a network's flat vector
    activations: tuple  # one activation name per layer

    @property
    def n_layers(self):
        """L, the weight layers (the columns of ``lrs``)."""
        return len(self.layout.shapes)

    def row_layers(self):
        """(n_params,) int64: the weight layer each row of P belongs to (its W or its b), so
        a row's learning rate is ``lrs[:, row_layers()[row]]``."""
        return layer_of_rows(self.layout)

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
    refuse_one_network_only(config)
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
    return Setup(config, X, y, seeds,
                 _check_lrs(lrs, config.lr, n, len(template.layout.shapes)),
                 _check_inits(inits, config.init, n), template.layout,
                 tuple(template.activations))


def refuse_one_network_only(config):
    """Refuse, in one sentence, the settings only the one-network trainer has: the weight
    penalties (l2, l1), a learning-rate schedule, and early stopping on a test loss (the
    population trains on every row and records no test loss)."""
    for name, used in (("l2", config.l2 != 0.0), ("l1", config.l1 != 0.0),
                       ("lr_schedule", not schedules.is_constant(config.lr_schedule))):
        if used:
            raise XornetError(f"{name}: the population trainer has no weight penalty or "
                              "learning-rate schedule yet; leave it out, or train one network "
                              "at a time.")
    if config.patience is not None:
        raise XornetError("patience: the population trainer records no test loss to stop "
                          "early on; train one network at a time with a test set, or leave "
                          "patience out.")


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


def _check_lrs(lrs, default, n, n_layers):
    """The learning rates as (N, L): ``lrs`` may be one number, one per network (N,), one per
    weight layer for every network (L,) or one per network and layer (N, L); None means
    ``default`` (``RunConfig.lr``: a number, or one per layer). When N equals L a flat list is
    read as one per network; write [[a, b]] for one per layer."""
    shape = (n, n_layers)
    try:
        out = np.asarray(default if lrs is None else lrs, dtype=np.float64)
        if out.ndim == 1 and out.shape[0] == n and (lrs is not None or n_layers != n):
            out = out[:, None]  # one per network
        elif out.ndim == 1 and out.shape[0] == n_layers:
            out = out[None, :]  # one per layer, the same for every network
        out = np.array(np.broadcast_to(out, shape)) if out.ndim <= 2 else np.full(shape, np.nan)
    except (TypeError, ValueError):
        out = np.full(shape, np.nan)
    if not np.all(np.isfinite(out)) or np.any(out <= 0.0):
        raise XornetError(f"lrs: expected finite learning rates > 0: one for all, {n} (one per "
                          f"seed), {n_layers} (one per weight layer) or an {n} × {n_layers} "
                          "table (per seed and layer).")
    return out


def layer_of_rows(layout):
    """(n_params,) int64: for each row of a flat parameter vector, its weight layer."""
    rows = np.empty(layout.n_params, dtype=np.int64)
    ends = [*layout.w_at[1:], layout.n_params]
    for layer, (start, end) in enumerate(zip(layout.w_at, ends, strict=True)):
        rows[start:end] = layer  # W then b of the layer: b sits before the next layer's W
    return rows


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
    row = setup.lrs[k]
    lr = float(row[0]) if np.all(row == row[0]) else tuple(float(v) for v in row)
    return replace(setup.config, seed=int(setup.seeds[k]), lr=lr, init=setup.inits[k])
