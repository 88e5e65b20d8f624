"""Train a population of N networks at once: one architecture, one seed per network (and, if
asked, a learning rate and an initialiser per network), trained side by side.

Each network follows exactly the run ``xornet.config.run`` would give it alone: the same
initial draws (``np.random.default_rng(seed)``, W then b, layer by layer), the same loss, the
same update order and shuffling, the same stop conditions (a stopped network stops changing)
and the same divergence checks — except that a diverging network is marked, not raised.

Layout: the population is on the LAST axis. With M networks still training:

    P                (n_params, M)      column c is one network's ``Network.params``
    W of a layer     (n_in, n_out, M)   a view into rows of P
    b of a layer     (n_out, M)
    x, z, a          (n, units, M)      n samples; the shared input X is (n, n_in, 1)

Finished networks are copied out and their columns dropped (compaction), so the work per
epoch shrinks as networks stop. Memory is a few copies of P plus the activations of one
forward pass: it grows as N × parameters and never across epochs (no per-epoch history).

This file is the plain NumPy reference. ``xornet.kernels`` is the compiled fast path for the
configurations it supports; ``backend="auto"`` uses it when numba is installed, and the tests
check the two against each other and against ``Network.fit``.
"""

import importlib.util
import math
import time
from dataclasses import dataclass, replace

import numpy as np

from . import activations, initializers, optimizers
from .errors import XornetError

BACKENDS = ("auto", "numpy", "numba")


@dataclass(frozen=True)
class Slot:
    """Where one layer's parameters sit in the flat vector (``Network._build``'s layout)."""

    n_in: int
    n_out: int
    w: int  # first row of W (row-major, n_in × n_out) in the flat vector
    b: int | None  # first row of b, or None without bias
    activation: str


@dataclass(frozen=True)
class Setup:
    """A validated population run: everything both backends read."""

    config: object  # RunConfig; seed, lr and init are replaced per network
    X: np.ndarray  # (n, n_in)
    y: np.ndarray  # (n, n_out)
    seeds: np.ndarray  # (N,) int64
    lrs: np.ndarray  # (N,) float64
    inits: tuple  # (N,) initialiser names
    sizes: tuple
    slots: tuple  # one Slot per layer
    n_params: int

    @property
    def full_batch(self):
        """The same test as ``training.train``: one update per epoch on every row."""
        bs = self.config.batch_size
        return bs is None or bs >= len(self.X)


@dataclass
class PopulationResult:
    """What each of N networks did; arrays are indexed by network (the k-th seed).

    ``solved`` is the final state (every output within tolerance, ``History.solved``);
    ``solved_epoch`` the first epoch count at which it was (``History.solved_epoch``, -1 for
    never); ``epochs`` the epochs of updates run (``History.epochs``); ``loss`` the final
    loss (NaN for a diverged network); ``diverged_epoch`` the epoch a DivergenceError would
    have named (-1 for none). Times are seconds: ``setup_time`` (checks and initial draws),
    ``compile_time`` (loading or compiling the kernel; 0 for numpy) and ``train_time``.
    """

    setup: Setup
    params: np.ndarray  # (N, n_params), the layout of Network.params
    solved: np.ndarray  # (N,) bool
    solved_epoch: np.ndarray  # (N,) int64
    epochs: np.ndarray  # (N,) int64
    loss: np.ndarray  # (N,) float64
    diverged_epoch: np.ndarray  # (N,) int64
    backend: str
    setup_time: float = 0.0
    compile_time: float = 0.0
    train_time: float = 0.0

    @property
    def n(self):
        return len(self.params)

    @property
    def diverged(self):
        return self.diverged_epoch >= 0

    @property
    def success_rate(self):
        return float(np.mean(self.solved))

    @property
    def epochs_to_solve(self):
        """``solved_epoch`` of the networks that ended solved, in network order."""
        return self.solved_epoch[self.solved]

    @property
    def wall_time(self):
        return self.setup_time + self.compile_time + self.train_time

    def summary(self):
        """The numbers a sweep reports for this population, as plain JSON data."""
        solved_at = self.epochs_to_solve
        return {
            "networks": self.n, "solved": int(self.solved.sum()),
            "success_rate": self.success_rate, "diverged": int(self.diverged.sum()),
            "epochs_to_solve_median": float(np.median(solved_at)) if solved_at.size else None,
            "epochs_to_solve_p90": float(np.percentile(solved_at, 90)) if solved_at.size
            else None,
            "backend": self.backend, "setup_time": self.setup_time,
            "compile_time": self.compile_time, "train_time": self.train_time,
        }

    def config_for(self, k):
        """The RunConfig that trains network ``k`` alone (``xornet.config.run``)."""
        return _config_for(self.setup, k)

    def network(self, k):
        """Network ``k`` with its final weights (e.g. for ``xornet.doctor.diagnose``)."""
        cfg = self.config_for(k)
        net = cfg.build(self.setup.X.shape[1], self.setup.y.shape[1])
        net.params[...] = self.params[k]
        net.training = {
            "loss": cfg.loss, "optimizer": cfg.optimizer, "lr": cfg.lr,
            "momentum": cfg.momentum, "batch_size": cfg.batch_size, "shuffle": cfg.shuffle,
            "seed": cfg.seed, "epochs": int(self.epochs[k]),
            "final_loss": float(self.loss[k]), "solved": bool(self.solved[k]),
        }
        return net


def train_population(config, X, y, seeds, *, lrs=None, inits=None, backend="auto",
                     threads=None):
    """Train one network per seed, all at once; return a ``PopulationResult``.

    Parameters
    ----------
    config : RunConfig
        Architecture and training settings shared by every network (its ``seed`` is unused).
    X, y : arrays (n, n_in), (n, n_out)
    seeds : int or sequence of int
        A count N (seeds 0..N-1) or the seeds themselves.
    lrs : float or sequence of float, optional
        One learning rate for all, or one per network (default ``config.lr``).
    inits : str or sequence of str, optional
        One initialiser for all, or one per network (default ``config.init``).
    backend : {"auto", "numpy", "numba"}
        ``auto`` uses the compiled kernel when numba is installed and supports the
        configuration, else the NumPy path.
    threads : int, optional
        Threads for the kernel (default: every CPU this process may use).
    """
    start = time.perf_counter()
    setup = make_setup(config, X, y, seeds, lrs, inits)
    chosen = _choose_backend(setup, backend)
    P = initial_params(setup)  # (n_params, N)
    setup_time = time.perf_counter() - start
    chosen, compile_time = _load_kernel(chosen, backend)
    start = time.perf_counter()
    if chosen == "numba":
        from . import kernels

        stats = kernels.train(setup, P, threads)
    else:
        stats = train_numpy(setup, P)
    result = _finish(setup, P, stats, chosen)
    result.train_time = time.perf_counter() - start
    result.setup_time, result.compile_time = setup_time, compile_time
    return result


# --- setting up ---------------------------------------------------------------------------

def make_setup(config, X, y, seeds, lrs=None, inits=None):
    """Check every input once and lay out the parameters; return a ``Setup``."""
    if config.optimizer == optimizers.PERCEPTRON:
        raise XornetError("optimizer: the population trainer trains by backpropagation; "
                          "choose sgd or adam (the perceptron rule trains one network).")
    config.settings()  # validates every training field
    n_in = np.shape(X)[-1] if np.ndim(X) else 1  # X and y are checked below, by the network
    template = config.build(n_in, np.shape(y)[-1] if np.ndim(y) == 2 else 1)
    for layer in template.layers:
        if not layer.activation.differentiable:
            raise XornetError(
                f"layer {layer.index}: the {layer.activation.name} activation has no useful "
                "derivative, so it cannot be trained by backpropagation; use sigmoid, tanh or "
                "relu."
            )
    X = template._check_X(X)
    y = template._check_y(y, len(X))
    seeds = _check_seeds(seeds)
    n = len(seeds)
    return Setup(config, X, y, seeds, _check_lrs(lrs, config.lr, n),
                 _check_inits(inits, config.init, n), tuple(template.sizes),
                 _slots(template), template.n_params)


def _slots(net):
    slots, start = [], 0
    for layer in net.layers:
        size = layer.n_in * layer.n_out
        b = start + size if net.bias else None
        slots.append(Slot(layer.n_in, layer.n_out, start, b, layer.activation.name))
        start += size + (layer.n_out if net.bias else 0)
    return tuple(slots)


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
    P = np.empty((len(setup.seeds), setup.n_params))  # one row per network while drawing
    for row, seed, init in zip(P, setup.seeds, setup.inits, strict=True):
        rng = np.random.default_rng(int(seed))
        draw = initializers.get(init)
        for slot in setup.slots:
            W, b = draw(rng, slot.n_in, slot.n_out, np.float64)  # W then b, layer by layer
            row[slot.w:slot.w + W.size] = W.ravel()
            if slot.b is not None:
                row[slot.b:slot.b + slot.n_out] = b
    return np.ascontiguousarray(P.T)


def _choose_backend(setup, backend):
    if backend not in BACKENDS:
        raise XornetError(f"backend: unknown name {backend!r}; choose one of "
                          f"{', '.join(BACKENDS)}.")
    if backend == "numpy":
        return "numpy"
    from . import kernels

    reason = kernels.unsupported(setup)
    if reason is None and importlib.util.find_spec("numba") is None:
        reason = "numba is not installed (pip install numba)"
    if reason is None:
        return "numba"
    if backend == "numba":
        raise XornetError(f"backend: the numba kernel cannot run this: {reason}; use "
                          "backend 'numpy' or 'auto'.")
    return "numpy"


def _load_kernel(chosen, backend):
    """(backend that runs, seconds spent compiling or loading the kernel)."""
    if chosen != "numba":
        return chosen, 0.0
    from . import kernels

    try:
        return "numba", kernels.load()
    except ImportError as e:  # numba is installed but does not load (e.g. with this NumPy)
        if backend == "numba":
            raise XornetError(f"backend: numba does not load ({e}); use backend 'numpy' or "
                              "'auto'.") from None
        return "numpy", 0.0


def _config_for(setup, k):
    return replace(setup.config, seed=int(setup.seeds[k]), lr=float(setup.lrs[k]),
                   init=setup.inits[k])


# --- the NumPy path -----------------------------------------------------------------------

@dataclass
class Stats:
    """Per-network outcome of a training run, filled by either backend."""

    solved_epoch: np.ndarray  # (N,) int64, -1 = never within tolerance
    epochs: np.ndarray  # (N,) int64
    diverged_epoch: np.ndarray  # (N,) int64, -1 = did not diverge

    @classmethod
    def empty(cls, n):
        return cls(np.full(n, -1, np.int64), np.zeros(n, np.int64), np.full(n, -1, np.int64))


def views(slots, P):
    """Per layer (W (n_in, n_out, M), b (n_out, M) or None), views into P (n_params, M)."""
    M = P.shape[1]
    return [(P[s.w:s.w + s.n_in * s.n_out].reshape(s.n_in, s.n_out, M),
             None if s.b is None else P[s.b:s.b + s.n_out]) for s in slots]


def forward(slots, P, x):
    """x (n, n_in, 1 or M) → per layer (z, a), each (n, n_out, M)."""
    cache, a = [], x
    for slot, (W, b) in zip(slots, views(slots, P), strict=True):
        z = a[:, 0, None, :] * W[0]  # (n, n_out, M): Σ_i x_i·W_i, in the order i = 0, 1, ...
        for i in range(1, slot.n_in):
            z += a[:, i, None, :] * W[i]
        if b is not None:
            z += b
        a = activations.get(slot.activation).value(z)
        cache.append((z, a))
    return cache


def backward(slots, P, G, x, cache, grad_out):
    """Fill G (n_params, M) with ∂E/∂θ from ∂E/∂ŷ (n, n_out, M); the rules of ``Dense``."""
    g = grad_out
    for k in range(len(slots) - 1, -1, -1):
        slot, (z, a), (W, _) = slots[k], cache[k], views(slots, P)[k]
        dW, db = views(slots, G)[k]
        delta = g * activations.get(slot.activation).derivative(z, a)  # (n, n_out, M)
        inp = cache[k - 1][1] if k else x  # (n, n_in, M or 1)
        for i in range(slot.n_in):
            np.add.reduce(inp[:, i, None, :] * delta, axis=0, out=dW[i])  # xᵀ·δ
        if db is not None:
            np.add.reduce(delta, axis=0, out=db)
        if k:
            g = np.empty(inp.shape)  # (n, n_in, M): δ·Wᵀ
            for i in range(slot.n_in):
                np.add.reduce(delta * W[i], axis=1, out=g[:, i, :])


# Each loss per network: (y_hat (n, n_out, M), y (n, n_out, 1)) → (value (M,), ∂E/∂ŷ).
# The formulas of xornet.losses, with "every element" meaning every element of one network.
def _sse(y_hat, y):
    d = y_hat - y
    return 0.5 * np.einsum("nom,nom->m", d, d), d


def _mse(y_hat, y):
    d = y_hat - y
    m = d.shape[0] * d.shape[1]
    return np.einsum("nom,nom->m", d, d) / m, (2.0 / m) * d


def _bce(y_hat, y):
    eps = np.finfo(y_hat.dtype).eps
    p = np.clip(y_hat, eps, 1.0 - eps)
    m = p.shape[0] * p.shape[1]
    value = -np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p), axis=(0, 1)) / m
    return value, (p - y) / (p * (1.0 - p)) / m


LOSSES = {"sse": _sse, "mse": _mse, "bce": _bce}  # one per name in xornet.losses (tested)


def train_numpy(setup, P):
    """Train the population P (n_params, N) with NumPy; P ends holding the final params."""
    run = _Active(setup, P)
    cfg = setup.config
    X, y = setup.X[:, :, None], setup.y[:, :, None]  # (n, n_in, 1), (n, n_out, 1)
    loss = LOSSES[cfg.loss]
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, cfg.epochs + 2):
            cache = forward(setup.slots, run.P, X)
            value, grad = loss(cache[-1][1], y)
            keep = run.record(epoch - 1, value, cache[-1][1], y)
            if not keep.any():
                break
            if not keep.all():
                cache = [(z[..., keep], a[..., keep]) for z, a in cache]
                grad = grad[..., keep]
                run.drop(keep)
            if setup.full_batch:
                backward(setup.slots, run.P, run.G, X, cache, grad)
                run.opt.step([run.P], [run.G])
            else:
                _minibatch_epoch(setup, run, loss)
            finite = np.isfinite(run.P).all(axis=0)
            if not finite.all():
                run.diverged(epoch, ~finite)
    run.close()
    return run.stats


def _minibatch_epoch(setup, run, loss):
    X, y, bs = setup.X, setup.y, setup.config.batch_size
    if setup.config.shuffle:  # each network its own order, from its own generator
        order = np.stack([rng.permutation(len(X)) for rng in run.rngs], axis=-1)  # (n, M)
    for first in range(0, len(X), bs):
        if setup.config.shuffle:
            rows = order[first:first + bs]  # (b, M)
            xb = np.moveaxis(X[rows], 1, 2)  # (b, n_in, M)
            yb = np.moveaxis(y[rows], 1, 2)  # (b, n_out, M)
        else:
            xb, yb = X[first:first + bs, :, None], y[first:first + bs, :, None]
        cache = forward(setup.slots, run.P, xb)
        _, grad = loss(cache[-1][1], yb)
        backward(setup.slots, run.P, run.G, xb, cache, grad)
        run.opt.step([run.P], [run.G])


class _Active:
    """The networks still training: column c of ``P`` is network ``idx[c]``."""

    def __init__(self, setup, P):
        cfg = setup.config
        self.setup, self.out, self.P = setup, P, P.copy()
        self.G = np.zeros_like(P)
        self.idx = np.arange(P.shape[1])
        self.opt = optimizers.make(cfg.optimizer, setup.lrs.copy(), cfg.momentum)
        self.rngs = [np.random.default_rng(int(s)) for s in setup.seeds] \
            if cfg.shuffle and not setup.full_batch else None
        self.stats = Stats.empty(P.shape[1])

    def record(self, done, value, y_hat, y):
        """The checks ``training._record`` and ``_should_stop`` make after ``done`` epochs;
        returns which columns train on."""
        cfg, stats = self.setup.config, self.stats
        bad = ~np.isfinite(value)
        within = ~bad & (np.max(np.abs(y_hat - y), axis=(0, 1)) <= cfg.tolerance)
        first = within & (stats.solved_epoch[self.idx] < 0)
        stats.solved_epoch[self.idx[first]] = done
        stop = bad | (done >= cfg.epochs)
        if cfg.stop_when_solved:
            stop |= stats.solved_epoch[self.idx] >= 0
        if cfg.target_loss is not None:
            stop |= value <= cfg.target_loss
        stats.diverged_epoch[self.idx[bad]] = done
        stats.epochs[self.idx] = done
        self._save(stop)
        return ~stop

    def diverged(self, epoch, bad):
        """Columns ``bad`` hold a non-finite weight after the update of ``epoch``."""
        self.stats.diverged_epoch[self.idx[bad]] = epoch
        self._save(bad)
        self.drop(~bad)

    def _save(self, which):
        self.out[:, self.idx[which]] = self.P[:, which]

    def drop(self, keep):
        """Forget every column but ``keep`` (bool (M,)): parameters, optimizer state, rngs."""
        self.P, self.G, self.idx = self.P[:, keep], self.G[:, keep], self.idx[keep]
        self.opt.lr = self.opt.lr[keep]
        for name in ("_velocity", "_m", "_v"):  # the optimizers' per-parameter state
            state = getattr(self.opt, name, None)
            if state is not None:
                setattr(self.opt, name, [s[:, keep] for s in state])
        if self.rngs is not None:
            self.rngs = [r for r, k in zip(self.rngs, keep, strict=True) if k]

    def close(self):
        self._save(np.ones(len(self.idx), bool))


# --- results ------------------------------------------------------------------------------

def evaluate(setup, P):
    """Final loss (M,) and whether each network is within tolerance, for P (n_params, M)."""
    with np.errstate(over="ignore", invalid="ignore"):
        y_hat = forward(setup.slots, P, setup.X[:, :, None])[-1][1]
        y = setup.y[:, :, None]
        value, _ = LOSSES[setup.config.loss](y_hat, y)
        within = np.max(np.abs(y_hat - y), axis=(0, 1)) <= setup.config.tolerance
    return value, within


def _finish(setup, P, stats, backend):
    value, within = evaluate(setup, P)
    diverged = stats.diverged_epoch >= 0
    value[diverged] = math.nan
    return PopulationResult(
        setup, np.ascontiguousarray(P.T), within & ~diverged, stats.solved_epoch,
        stats.epochs, value, stats.diverged_epoch, backend,
    )


__all__ = ["PopulationResult", "Setup", "make_setup", "train_population"]

