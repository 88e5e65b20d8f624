"""Train a population of N networks at once: one architecture, one seed per network (and, if
asked, a learning rate and an initialiser per network), trained side by side.

Each network follows exactly the run ``xornet.train.config.run`` would give it alone: the same
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

This module is the entry point: ``train_population`` sets up (``xornet.population.setup``:
the checks and the initial draws), picks a backend, trains and collects the result.
``xornet.population.numpy_path`` is the plain NumPy reference and
``xornet.population.kernel`` the compiled fast path for the configurations it supports;
``backend="auto"`` uses it when numba is installed and ``xornet.population.costs`` expects it
to finish sooner (its compiling included), and the tests check the two against each other
and against ``Network.fit``.
"""

import importlib.util
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from xornet.errors import XornetError, require
from xornet.population.numpy_path import (
    evaluate,
    train_numpy,
)
from xornet.population.setup import Setup, config_for, initial_params, make_setup
from xornet.train.config import RunConfig
from xornet.train.trainer import training_record

BACKENDS = ("auto", "numpy", "numba")


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
    backend_note: str = ""  # why ``auto`` ran this backend ("" when it was asked for by name)

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
        """The RunConfig that trains network ``k`` alone (``xornet.train.config.run``)."""
        return config_for(self.setup, k)

    def network(self, k):
        """Network ``k`` with its final weights (e.g. for ``xornet.doctor.diagnose.diagnose``)."""
        cfg = self.config_for(k)
        net = cfg.build(self.setup.X.shape[1], self.setup.y.shape[1])
        net.params[...] = self.params[k]
        net.training = training_record(cfg, int(self.epochs[k]), float(self.loss[k]),
                                       bool(self.solved[k]))
        return net


def train_population(config: RunConfig, X: npt.ArrayLike, y: npt.ArrayLike,
                     seeds: int | Sequence[int], *, lrs: npt.ArrayLike | None = None,
                     inits: str | Sequence[str] | None = None, backend: str = "auto",
                     threads: int | None = None) -> PopulationResult:
    """Train one network per seed, all at once; return a ``PopulationResult``.

    Parameters
    ----------
    config : RunConfig
        Architecture and training settings shared by every network (its ``seed`` is unused).
    X, y : arrays (n, n_in), (n, n_out)
    seeds : int or sequence of int
        A count N (seeds 0..N-1) or the seeds themselves.
    lrs : float, sequence of float or (N, L) table, optional
        One learning rate for all, one per network (N,), one per weight layer for every
        network (L,), or one per network and layer (N, L) (default ``config.lr``). When N
        equals L a flat list is one per network; write ``[[a, b]]`` for one per layer.
    inits : str or sequence of str, optional
        One initialiser for all, or one per network (default ``config.init``).
    backend : {"auto", "numpy", "numba"}
        ``auto`` uses the compiled kernel when numba is installed, supports the
        configuration and is expected to finish sooner, compiling it included (a small
        run on a machine where it was never compiled trains on NumPy:
        ``xornet.population.costs``); ``backend_note`` says why.
    threads : int, optional
        Threads for the kernel (default: every CPU this process may use).
    """
    start = time.perf_counter()
    setup = make_setup(config, X, y, seeds, lrs, inits)
    chosen, note = choose_backend(setup, backend, threads)
    P = initial_params(setup)  # (n_params, N)
    setup_time = time.perf_counter() - start
    chosen, compile_time, note = load_kernel(chosen, backend, note)
    start = time.perf_counter()
    if chosen == "numba":
        from xornet.population import kernel

        stats = kernel.train(setup, P, threads)
    else:
        stats = train_numpy(setup, P)
    result = _finish(setup, P, stats, chosen)
    result.train_time = time.perf_counter() - start
    result.setup_time, result.compile_time = setup_time, compile_time
    result.backend_note = note
    return result


# --- choosing the backend -----------------------------------------------------------------

def choose_backend(setup, backend, threads=None, work=None):
    """(the backend to try, why: "" when asked for by name). On ``auto`` the kernel is tried
    when it can train this and ``costs.choose`` expects it to finish sooner, its compiling
    or loading included (``kernel.cache_state``). ``work``: the ``costs.Work`` to weigh
    (default: ``setup``'s run; the same-init grid passes its own steps)."""
    if backend not in BACKENDS:
        raise XornetError(f"backend: unknown name {backend!r}; choose one of "
                          f"{', '.join(BACKENDS)}.")
    if backend == "numpy":
        return "numpy", ""
    from xornet.population import costs, kernel

    reason = kernel.unsupported(setup)
    if reason is None and importlib.util.find_spec("numba") is None:
        if backend == "numba":
            require("fast", "backend")  # says which extra brings numba
        reason = "numba is not installed (pip install 'xornet[fast]')"
    if reason is None and backend == "numba":
        return "numba", ""
    if reason is None:
        choice = costs.choose([work or costs.work(setup)], kernel.cache_state(),
                              threads=threads or kernel.default_threads())
        return choice.backend, choice.reason
    if backend == "numba":
        raise XornetError(f"backend: the numba kernel cannot run this: {reason}; use "
                          "backend 'numpy' or 'auto'.")
    return "numpy", reason


def load_kernel(chosen, backend, note="", grid=False):
    """(backend that runs, seconds spent compiling or loading the kernel, why that one);
    ``grid``: also the same-init grid's entry point (``kernel.load_grid``).

    A kernel that cannot be compiled or loaded here (numba broken, no cache folder that
    works) never fails a run on ``auto``: the NumPy path trains instead and the reason is
    kept on the result."""
    if chosen != "numba":
        return chosen, 0.0, note
    from xornet.population import kernel

    try:
        return "numba", kernel.load_grid() if grid else kernel.load(), note
    except kernel.KernelUnavailable as e:
        if backend == "numba":
            raise XornetError(f"backend: the numba kernel is not available here ({e}); use "
                              "backend 'numpy' or 'auto'.") from None
        return "numpy", 0.0, f"the compiled kernel is not available here ({e})"


# --- results ------------------------------------------------------------------------------

def _finish(setup, P, stats, backend):
    value, within = evaluate(setup, P)
    diverged = stats.diverged_epoch >= 0
    value[diverged] = math.nan
    return PopulationResult(
        setup, np.ascontiguousarray(P.T), within & ~diverged, stats.solved_epoch,
        stats.epochs, value, stats.diverged_epoch, backend,
    )

