"""Which backend trains a population sooner: a small cost model behind ``backend="auto"``.

The compiled kernel trains about ten times faster than the NumPy path, but the first time it
is used on a machine numba must compile it (about 20 s), and later processes still load it
from numba's cache (a fraction of a second). For a small run the NumPy path is done before
the compiler would be. ``choose`` weighs the two from an estimate of the work, made before
anything trains, and the state of the kernel's cache:

    NumPy path   Σ over runs of  epochs · layers · NUMPY_LAYER_EPOCH_S  +  ops · NUMPY_OP_S
                 shared among the worker processes (a sweep's cells run side by side)
    kernel       start-up (COMPILE_S cold, LOAD_S cached, 0 loaded)
                 +  Σ ops · KERNEL_OP_S / threads

where ops = networks · epochs · parameters · rows, the multiply-adds of the forward pass up
to a constant. The epochs are the configured bound: with early stopping most networks stop
sooner, so the bound overstates both ``ops`` terms by the same factor; the NumPy path's is
the larger, so a wrong guess leans towards the kernel (and never towards a compile that a
run with no early stop would not repay).

The constants were measured on the machine of the README's "Speed" section (an AMD EPYC,
2 shared cores, NumPy 2.4, numba 0.68): the fixed cost is NumPy's Python and dispatch time
per layer and epoch, ``NUMPY_OP_S`` and ``KERNEL_OP_S`` a least-squares fit per core over
2-2-1 to 2-8-1 and 2-4-4-1 networks of 10 to 10⁴ networks. They are estimates: the choice
matters only when one side is clearly cheaper, and a close call costs little either way.

Everything here is arithmetic on numbers: ``choose`` is a pure function, tested with
hand-worked cases; ``work`` reads a ``Setup``.
"""

from dataclasses import dataclass

COMPILE_S = 20.0  # numba compiling the kernel, first use on a machine (18.7 s measured, quiet)
LOAD_S = 0.4  # importing numba and loading the kernel from numba's cache
NUMPY_LAYER_EPOCH_S = 1.0e-4  # the NumPy path's fixed cost per layer and epoch
NUMPY_OP_S = 1.2e-8  # the NumPy path, per network · epoch · parameter · row, one core
KERNEL_OP_S = 1.0e-9  # the kernel, the same unit of work, one core

CACHE_STATES = ("loaded", "warm", "cold")  # in this process already; on disk; neither


@dataclass(frozen=True)
class Work:
    """One population run, as the cost model sees it (``epochs`` is the configured bound)."""

    networks: int
    epochs: int
    params: int  # per network
    rows: int  # samples of the data
    layers: int

    @property
    def ops(self):
        return self.networks * self.epochs * self.params * self.rows


@dataclass(frozen=True)
class Choice:
    """The backend to run and why, with the estimates (seconds) it was chosen by."""

    backend: str  # "numpy" or "numba"
    reason: str  # one clause, for ``PopulationResult.backend_note`` and the sweep's output
    numpy_s: float  # the NumPy path, all runs
    kernel_s: float  # the kernel's training, all runs
    startup_s: float  # compiling or loading the kernel first
    cache: str  # the kernel's cache state it was chosen with (one of CACHE_STATES)

    @property
    def compiles(self):
        """Whether this choice compiles the kernel (a first use on this machine)."""
        return self.backend == "numba" and self.cache == "cold"


def work(setup):
    """The ``Work`` of a ``population.setup.Setup``."""
    return Work(len(setup.seeds), int(setup.config.epochs), setup.layout.n_params,
                len(setup.X), len(setup.activations))


def numpy_seconds(works, workers=1):
    """The NumPy path's estimated time for ``works``: one process per run, ``workers`` of
    them side by side (never sooner than the longest run alone)."""
    each = [w.epochs * w.layers * NUMPY_LAYER_EPOCH_S + w.ops * NUMPY_OP_S for w in works]
    if not each:
        return 0.0
    return max(sum(each) / max(1, min(workers, len(each))), max(each))


def kernel_seconds(works, threads=1):
    """The kernel's estimated training time for ``works``, one after another on ``threads``."""
    return sum(w.ops for w in works) * KERNEL_OP_S / max(1, threads)


def choose(works, cache, workers=1, threads=1, scale=1.0):
    """``Choice`` between the NumPy path and the kernel for ``works`` (the runs to come, each
    a ``Work``), given the kernel's ``cache`` state (one of ``CACHE_STATES``): the kernel
    when its start-up plus training is estimated below the NumPy path's time, else NumPy.
    ``workers``: NumPy processes side by side; ``threads``: the kernel's threads; ``scale``:
    runs not listed, as a multiple of those listed (a grid larger than the cells checked)."""
    if cache not in CACHE_STATES:
        raise ValueError(f"cache: expected one of {', '.join(CACHE_STATES)}; got {cache!r}")
    numpy_s = scale * numpy_seconds(works, workers)
    kernel_s = scale * kernel_seconds(works, threads)
    startup_s = {"loaded": 0.0, "warm": LOAD_S, "cold": COMPILE_S}[cache]
    if kernel_s + startup_s < numpy_s:
        first = {"loaded": "", "warm": f" + {startup_s:.1f} s loading it",
                 "cold": f" + about {startup_s:.0f} s compiling it, once on this machine"}
        return Choice("numba", f"the compiled kernel (estimated {_s(kernel_s)}{first[cache]}) "
                      f"is quicker than the NumPy path (estimated {_s(numpy_s)})",
                      numpy_s, kernel_s, startup_s, cache)
    if cache == "cold":
        why = (f"the NumPy path (estimated {_s(numpy_s)}) is quicker than compiling the kernel "
               f"first (about {startup_s:.0f} s, once on this machine; backend 'numba' compiles "
               "it for later runs)")
    else:
        why = (f"the NumPy path (estimated {_s(numpy_s)}) is quicker than the kernel "
               f"({_s(startup_s)} to load it + {_s(kernel_s)})")
    return Choice("numpy", why, numpy_s, kernel_s, startup_s, cache)


def _s(seconds):
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.0f} s"
