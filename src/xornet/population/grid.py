"""Same-init populations: one initial network trained N times, each copy with its own
learning rate per weight layer, by plain full-batch gradient descent for a fixed number of
steps; the instrument behind the trainability map (``xornet.study.fractal``).

The initial weights are drawn once (not N times), and nothing stops a network early but
divergence. Instead of N loss curves (an (N, steps) array) each network keeps three numbers,
summed inside the loop, after Sohl-Dickstein (2024, "The boundary of neural network
trainability is fractal"). With ℓ_t the loss after t steps (t = 0 .. steps − 1) divided by
the initial loss ℓ_0, and capped at ``CAP`` (a non-finite loss counts as ``CAP``):

    loss_sum      Σ_t ℓ_t          small for a network that converged fast
    inverse_sum   Σ_t 1/ℓ_t        small for a network that diverged fast
    tail_mean     the mean of the last ``TAIL`` ℓ_t: below 1 means "converged"

A network whose loss or weights stop being finite has diverged: it stops training, and each
of its remaining steps counts as ``CAP``. ``train_grid_numpy`` is the reference written with
the NumPy path's ``forward`` and ``backward``; ``xornet.population.kernel.train_grid`` is the
compiled one, and the tests check the two against each other pixel by pixel.
"""

import time
from dataclasses import dataclass, replace

import numpy as np

from xornet.core import losses
from xornet.errors import XornetError
from xornet.population.numpy_path import backward, forward
from xornet.population.setup import initial_params, make_setup

CAP = 1e6  # a normalised loss above this (or not finite) counts as this, as in the paper
TAIL = 20  # steps averaged for "converged": the mean of the last 20 ℓ_t is below 1
MAX_STEPS = 100_000


@dataclass
class GridStats:
    """Per network (indexed as the rows of ``Setup.lrs``) the three sums and the step it
    diverged at (-1: never)."""

    loss_sum: np.ndarray  # (N,) Σ ℓ_t
    inverse_sum: np.ndarray  # (N,) Σ 1/ℓ_t
    tail_mean: np.ndarray  # (N,) mean of the last TAIL ℓ_t
    diverged_step: np.ndarray  # (N,) int64

    @classmethod
    def empty(cls, n):
        return cls(np.zeros(n), np.zeros(n), np.zeros(n), np.full(n, -1, np.int64))

    @property
    def converged(self):
        """Sohl-Dickstein's rule: the mean of the last 20 normalised losses is below 1."""
        return self.tail_mean < 1.0

    @classmethod
    def concatenate(cls, parts):
        return cls(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("loss_sum", "inverse_sum", "tail_mean", "diverged_step")))


@dataclass
class GridRun:
    """What ``train_grid`` did: the stats, the initial loss and where the time went."""

    stats: GridStats
    first_loss: float
    backend: str
    compile_time: float
    train_time: float
    backend_note: str = ""


def check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) \
            or not TAIL <= steps <= MAX_STEPS:
        raise XornetError(f"steps: expected a whole number from {TAIL} (the last {TAIL} steps "
                          f"decide convergence) to {MAX_STEPS:,}; received {steps!r}.")
    return int(steps)


def grid_setup(config, X, y, lrs, seed=None):
    """The ``Setup`` of a same-init grid: plain gradient descent (no momentum), full batch,
    ``len(lrs)`` copies of network ``seed`` (default ``config.seed``); lrs as (N, L)."""
    seed = config.seed if seed is None else seed
    config = replace(config, optimizer="sgd", momentum=0.0, batch_size=None, shuffle=False,
                     seed=seed)
    n = len(np.atleast_1d(np.asarray(lrs, dtype=object)))
    return make_setup(config, X, y, np.full(n, seed, dtype=np.int64), lrs)


def initial_network(setup):
    """The shared initial parameters (n_params,), drawn once as ``Network(seed=...)`` does."""
    one = replace(setup, seeds=setup.seeds[:1], inits=setup.inits[:1], lrs=setup.lrs[:1])
    return initial_params(one)[:, 0]


def first_loss(setup, p0):
    """ℓ_0, the loss of the initial network, which every ℓ_t is divided by."""
    with np.errstate(over="ignore", invalid="ignore"):
        y_hat = forward(setup, p0[:, None], setup.X[:, :, None])[-1][1]
        value = float(losses.get(setup.config.loss).per_network(y_hat, setup.y[:, :, None])[0][0])
    if not np.isfinite(value) or value <= 0.0:
        raise XornetError(f"data: the initial network's loss is {value:g}; the trainability "
                          "map divides every loss by it, so it must be finite and above 0 "
                          "(choose another seed or dataset).")
    return value


def train_grid(setup, p0, steps, *, backend="auto", threads=None):
    """Train the same-init grid ``setup`` from ``p0`` for ``steps`` steps; return a
    ``GridRun``. ``backend`` as in ``train_population``."""
    steps = check_steps(steps)
    ell0 = first_loss(setup, p0)
    chosen, compile_time, note = _backend(setup, backend, steps)
    start = time.perf_counter()
    if chosen == "numba":
        from xornet.population import kernel

        stats = kernel.train_grid(setup, p0, steps, ell0, CAP, TAIL, threads)
    else:
        stats = train_grid_numpy(setup, p0, steps, ell0)
    return GridRun(stats, ell0, chosen, compile_time, time.perf_counter() - start, note)


def _backend(setup, backend, steps):
    """(backend that runs, seconds to load the kernel, why not the kernel): chosen as for
    ``train_population`` (``trainer.choose_backend``, the cost model weighing ``steps``
    steps per pixel), then the grid's entry point compiled or loaded."""
    from xornet.population import costs
    from xornet.population.trainer import choose_backend, load_kernel

    work = costs.Work(len(setup.seeds), int(steps), setup.layout.n_params, len(setup.X),
                      len(setup.activations))
    chosen, note = choose_backend(setup, backend, work=work)
    return load_kernel(chosen, backend, note, grid=True)


def train_grid_numpy(setup, p0, steps, first_loss):
    """The reference: every network side by side with the NumPy path (population on the last
    axis, diverged networks dropped), the rules of this module's docstring."""
    n = len(setup.lrs)
    stats = GridStats.empty(n)
    lr = setup.lrs.T[setup.row_layers()]  # (n_params, N): each row's rate, per network
    P = np.repeat(np.asarray(p0, dtype=np.float64)[:, None], n, axis=1)
    G = np.zeros_like(P)
    idx = np.arange(n)
    X, y = setup.X[:, :, None], setup.y[:, :, None]
    loss_fn = losses.get(setup.config.loss).per_network
    blown = np.zeros(n, dtype=bool)  # a weight not finite after the last update
    tail_from = steps - TAIL
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(steps):
            cache = forward(setup, P, X)
            value, grad = loss_fn(cache[-1][1], y)
            ell = value / first_loss
            stop = blown | ~np.isfinite(ell)
            if stop.any():
                gone, rest = idx[stop], steps - t
                stats.diverged_step[gone] = t
                stats.loss_sum[gone] += rest * CAP
                stats.inverse_sum[gone] += rest / CAP
                stats.tail_mean[gone] += (steps - max(t, tail_from)) * CAP
                keep = ~stop
                P, G, lr, idx, ell = P[:, keep], G[:, keep], lr[:, keep], idx[keep], ell[keep]
                cache = [(z[..., keep], a[..., keep]) for z, a in cache]
                grad = grad[..., keep]
                if not idx.size:
                    break
            ell = np.minimum(ell, CAP)
            stats.loss_sum[idx] += ell
            stats.inverse_sum[idx] += 1.0 / ell
            if t >= tail_from:
                stats.tail_mean[idx] += ell
            if t + 1 < steps:
                backward(setup, P, G, X, cache, grad)
                P -= lr * G
                blown = ~np.isfinite(P).all(axis=0)
    stats.tail_mean /= TAIL
    return stats
