"""A sweep: one set-up varied over a grid, every cell trained for many seeds at once.

A grid lists values for any of the axes in ``AXES``; the cells are every combination of
them, numbered in the order of ``itertools.product`` over ``AXES``: the first axis
(``hidden``) varies slowest, the last (``lr``) fastest. Each cell is a ``RunConfig`` trained
for S seeds by ``xornet.population.trainer.train_population``; its failed networks are rebuilt and
examined by ``xornet.doctor.diagnose`` (at most ``diagnose_cap`` of them, in seed order).

Cells run here (``run_local``: the compiled kernel uses every core, cells on the NumPy path
share a process pool) or on a Dask cluster (``run_dask``: one task per cell). Every number
of a network is fixed by its seed, so both give identical results; ``params_sha256`` (a
digest of every network's final weights) lets anyone check that bit for bit.
"""

import concurrent.futures
import contextlib
import hashlib
import importlib.util
import itertools
import math
import multiprocessing
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from xornet.core import activations, initializers, losses, network
from xornet.errors import XornetError, require
from xornet.population.setup import make_setup
from xornet.population.trainer import BACKENDS, train_population
from xornet.train.config import RunConfig

AXES = ("hidden", "activation", "output_activation", "init", "loss", "optimizer", "batch_size",
        "lr")
OPTIMIZERS = ("sgd", "adam")  # the perceptron rule trains one network, not a population
MAX_CELLS = 1_000_000  # a larger grid is more likely a typo than a plan: it needs allow_large
MAX_UNITS = network.MAX_UNITS  # per hidden layer, as for one network
DIAGNOSE_CAP = 200  # failed networks examined per cell: enough to rank the causes, and quick
CONNECT_TIMEOUT = 10  # seconds to reach a Dask scheduler before giving up
WORKER_TIMEOUT = 60  # seconds to wait for the cluster's first worker
LOST_TIMEOUT = 60  # seconds with no worker (or no scheduler) mid-sweep before giving up
POLL = 1.0  # seconds between looks at the cluster while cells are running
PREFLIGHT_CELLS = 1000  # cells whose set-up is checked before anything trains


# --- the grid -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One point of the grid: its number, its value on every axis, and the run it trains."""

    index: int
    values: dict  # axis → value, every axis of AXES
    config: RunConfig


@dataclass(frozen=True)
class Grid:
    """Values per axis (every axis of ``AXES``, in that order) over a shared base run."""

    base: RunConfig  # the settings every cell shares; its momentum applies to sgd cells
    axes: tuple  # ((axis, (value, ...)), ...)

    def values(self, axis):
        return dict(self.axes)[axis]

    @property
    def n_cells(self):
        return math.prod(len(v) for _, v in self.axes)

    @property
    def varying(self):
        """The axes with more than one value, in ``AXES`` order."""
        return tuple(a for a, v in self.axes if len(v) > 1)

    def cell(self, index):
        """Cell ``index``: the last axis varies fastest (``itertools.product`` order)."""
        if not 0 <= index < self.n_cells:
            raise XornetError(f"cell: expected an index from 0 to {self.n_cells - 1}; "
                              f"received {index}.")
        picked, rest = {}, index
        for axis, vals in reversed(self.axes):
            rest, i = divmod(rest, len(vals))
            picked[axis] = vals[i]
        return self._cell(index, picked)

    def cells(self):
        """Every cell, in index order (a generator: a big grid is never held in memory)."""
        names = [a for a, _ in self.axes]
        for index, combo in enumerate(itertools.product(*(v for _, v in self.axes))):
            yield self._cell(index, dict(zip(names, combo, strict=True)))

    def _cell(self, index, picked):
        values = {a: picked[a] for a in AXES}
        momentum = self.base.momentum if values["optimizer"] == "sgd" else 0.0
        return Cell(index, values, replace(self.base, **values, momentum=momentum))


def make_grid(base=None, *, allow_large=False, **lists):
    """The grid of every combination of the values listed per axis.

    Parameters
    ----------
    base : RunConfig, optional
        Every setting not listed (default ``RunConfig()``); its ``momentum`` applies to the
        ``sgd`` cells (``adam`` has its own).
    allow_large : bool
        Allow more than ``MAX_CELLS`` cells.
    **lists
        For any axis of ``AXES``, a list of values: ``hidden=[2, 3, (4, 4)]`` (an int n is
        one layer of n units), ``activation=["sigmoid", "tanh"]``, ``lr=[0.1, 1.0]``,
        ``batch_size=[None, 1]`` (None = full batch), ... An unlisted axis keeps its base
        value.
    """
    base = RunConfig() if base is None else base
    unknown = sorted(set(lists) - set(AXES))
    if unknown:
        raise XornetError(f"grid: unknown axis {unknown[0]!r}; choose from {', '.join(AXES)}.")
    given = {a: _as_list(a, lists[a]) for a in AXES if lists.get(a) is not None}
    check_size({a: len(v) for a, v in given.items()}, allow_large)
    axes = []
    for axis in AXES:
        vals = tuple(_CHECKS[axis](v) for v in given.get(axis, [getattr(base, axis)]))
        twice = next((v for i, v in enumerate(vals) if v in vals[:i]), None)
        if twice is not None:
            raise XornetError(f"{axis}: {label(axis, twice)} is listed twice; list each "
                              "value once.")
        axes.append((axis, vals))
    return Grid(base, tuple(axes))


def check_size(lengths, allow_large=False):
    """Raise unless the grid of these list lengths (axis → count) is ≤ ``MAX_CELLS`` cells
    or ``allow_large``; return the count. Called before any value is parsed."""
    n = math.prod(lengths.values())
    if n > MAX_CELLS and not allow_large:
        shape = " × ".join(f"{k} {a}" for a, k in lengths.items() if k > 1)
        raise XornetError(f"grid: {n:,} cells ({shape}) is more than {MAX_CELLS:,}; shorten "
                          "the lists, or pass allow_large=True to run it anyway.")
    return n


def _as_list(axis, value):
    vals = [value] if isinstance(value, (str, int, float)) else list(value)
    if not vals:
        raise XornetError(f"{axis}: the list is empty; give at least one value.")
    return vals


def label(axis, value):
    """A value as the command line writes it: 4x4 for two hidden layers, full, 0.1."""
    if axis == "hidden":
        return "x".join(map(str, value)) or "none"
    if axis == "batch_size":
        return "full" if value is None else str(value)
    return f"{value:g}" if axis == "lr" else str(value)


def _check_hidden(value):
    if isinstance(value, str):
        raise XornetError(f"hidden: {value!r} is not a list of layer sizes; give whole numbers "
                          f"from 1 to {MAX_UNITS}, such as 2,3,4 (or 4x4 for two layers).")
    sizes = (value,) if isinstance(value, (int, np.integer)) else tuple(value)
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_UNITS:
            raise XornetError(f"hidden: {n!r} is not a layer size; give whole numbers from 1 "
                              f"to {MAX_UNITS}, such as 2,3,4 (or 4x4 for two layers).")
    return tuple(int(n) for n in sizes)


def _check_name(axis, names, why_not=None):
    def check(value):
        if value not in names:
            reason = (why_not or {}).get(value, f"unknown name {value!r}")
            raise XornetError(f"{axis}: {reason}; choose from {', '.join(names)}.")
        return value
    return check


def _check_batch(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise XornetError(f"batch_size: {value!r} is not a batch size; give whole numbers "
                          "≥ 1 (1 = online) or full, such as full,1,2.")
    return int(value)


def _check_lr(value):
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise XornetError(f"lr: {value!r} is not a learning rate; give finite numbers > 0, "
                          "such as 0.1,1,10.")
    return float(value)


_TRAINABLE = tuple(n for n in activations.NAMES if activations.get(n).differentiable)
_NOT_TRAINABLE = {n: f"{n} has no useful derivative, so backpropagation cannot train it"
                  for n in activations.NAMES if n not in _TRAINABLE}
_CHECKS = {
    "hidden": _check_hidden,
    "activation": _check_name("activation", _TRAINABLE, _NOT_TRAINABLE),
    "output_activation": _check_name("output_activation", _TRAINABLE, _NOT_TRAINABLE),
    "init": lambda value: initializers.get(value).__name__,  # also uniform:0.3
    "loss": _check_name("loss", losses.NAMES),
    "optimizer": _check_name("optimizer", OPTIMIZERS, {
        "perceptron": "the perceptron rule trains one network, not a population"}),
    "batch_size": _check_batch,
    "lr": _check_lr,
}


# --- running cells ------------------------------------------------------------------------

@dataclass
class CellResult:
    """What one cell's S networks did: plain numbers, cheap to pickle and to send home."""

    index: int
    values: dict  # axis → this cell's value
    networks: int
    solved: int
    diverged: int
    epochs_to_solve_median: float | None
    epochs_to_solve_p90: float | None
    failed: int  # networks that did not end solved (the diverged ones included)
    diagnosed: int  # failed networks the doctor examined (at most the cap)
    diagnoses: dict  # doctor code → diagnosed networks with it, most common first
    unexplained: int  # diagnosed networks no check recognised
    network_epochs: int  # Σ epochs of updates run, over the networks
    backend: str
    setup_time: float
    compile_time: float
    train_time: float
    diagnose_time: float
    params_sha256: str  # digest of every network's final weights, in seed order
    epochs_to_solve: np.ndarray = field(repr=False)  # (solved,) of the solved networks
    backend_note: str = ""  # why auto ran this backend (PopulationResult.backend_note)

    @property
    def success_rate(self):
        return self.solved / self.networks

    def as_dict(self):
        """Plain JSON data (without the per-network ``epochs_to_solve``)."""
        values = dict(self.values)
        values["hidden"] = list(values["hidden"])
        out = {"index": self.index, **values, "success_rate": self.success_rate}
        out.update({k: v for k, v in vars(self).items()
                    if k not in ("index", "values", "epochs_to_solve")})
        return out


def run_cell(cell, X, y, seeds, *, backend="auto", threads=None, diagnose_cap=DIAGNOSE_CAP,
             load_kernel=False):
    """Train one cell for every seed and diagnose its failures; return a ``CellResult``.

    A top-level function of plain arguments, so a process pool or a Dask worker can run it.
    ``load_kernel``: compile or load the kernel first (the grid chose it), so that ``auto``
    finds it loaded and runs it; its seconds count as this cell's compile time (0 once
    loaded in this process).
    """
    startup = _load_kernel() if load_kernel else 0.0
    result = train_population(cell.config, X, y, seeds, backend=backend, threads=threads)
    result.compile_time += startup
    start = time.perf_counter()
    failed = np.flatnonzero(~result.solved)
    counts, unexplained = Counter(), 0
    for k in failed[:diagnose_cap]:
        found = diagnose_network(result, k, X, y)
        counts.update(d.code for d in found)
        unexplained += not found
    summary = result.summary()
    return CellResult(
        cell.index, dict(cell.values), summary["networks"], summary["solved"],
        summary["diverged"], summary["epochs_to_solve_median"], summary["epochs_to_solve_p90"],
        len(failed), min(len(failed), diagnose_cap), dict(counts.most_common()), unexplained,
        int(result.epochs.sum()), result.backend, result.setup_time, result.compile_time,
        result.train_time, time.perf_counter() - start,
        hashlib.sha256(np.ascontiguousarray(result.params).tobytes()).hexdigest(),
        np.asarray(result.epochs_to_solve, dtype=np.int64), result.backend_note,
    )


def diagnose_network(result, k, X, y):
    """The doctor's diagnoses (a list, in ``xornet.doctor.diagnose.CHECKS`` order) of network
    ``k`` of a ``PopulationResult`` trained on (X, y); empty for a solved network."""
    from xornet.doctor import diagnose as doctor

    cfg = result.config_for(k)
    if result.diverged[k]:  # as doctor.run_and_diagnose treats a DivergenceError
        return doctor.diagnose(None, X, y, None, cfg, diverged_at=int(result.diverged_epoch[k]))
    return doctor.diagnose(result.network(k), X, y, None, cfg)


@dataclass(frozen=True)
class Plan:
    """How ``run_local`` runs a grid: the cells that train on the NumPy path, and on
    ``auto`` the ``costs.Choice`` for the others (None when none could use the kernel)."""

    numpy_cells: frozenset
    choice: object = None  # costs.Choice
    unsupported: frozenset = frozenset()  # cells the kernel cannot train (of those checked)
    cold_kernel: bool = False  # backend "numba" asked for, and the kernel is not compiled yet

    @property
    def compiles(self):
        """Whether the run compiles the kernel first (worth one line to the user)."""
        return self.cold_kernel or (self.choice is not None and self.choice.compiles)

    def cell_args(self, index, backend):
        """``run_cell``'s backend and load_kernel for cell ``index``: the grid's choice made
        the same way for every cell, here or on a cluster, so the digests compare."""
        if self.choice is None or index in self.unsupported:
            return backend, False  # auto says for itself why NumPy trains this cell
        if self.choice.backend == "numpy":
            return "numpy", False
        return backend, True  # auto, with the kernel loaded first: it runs (or falls back)

    def noted(self, result):
        """``result`` with the grid's reason when it ran the backend the grid chose."""
        if (self.choice is not None and result.index not in self.unsupported
                and result.backend == self.choice.backend):
            result.backend_note = self.choice.reason
        return result


def plan_local(grid, X, y, seeds, backend="auto", workers=None):
    """Check the grid (``preflight``) and, on ``auto``, choose once for the whole grid
    between the kernel and the NumPy path (``xornet.population.costs``): the kernel is
    compiled or loaded once for every cell, so the choice weighs all of them together."""
    from xornet.population import costs, kernel

    numpy_cells, works = _preflight(grid, X, y, seeds, backend)
    if backend != "auto" or not works:
        cold = backend == "numba" and bool(works) and kernel.cache_state() == "cold"
        return Plan(frozenset(numpy_cells), cold_kernel=cold)
    unsupported = frozenset(numpy_cells)  # on auto, the cells the kernel cannot train
    workers = max(1, int(workers or kernel.default_threads()))
    checked = min(grid.n_cells, PREFLIGHT_CELLS)
    choice = costs.choose(works, kernel.cache_state(), workers=workers, threads=workers,
                          scale=grid.n_cells / checked)  # unchecked cells: like the checked
    if choice.backend == "numpy":
        numpy_cells = set(range(grid.n_cells))
    return Plan(frozenset(numpy_cells), choice, unsupported)


def _load_kernel():
    """Seconds compiling or loading the kernel; 0 when it cannot (``auto`` then falls back
    to the NumPy path and says why)."""
    from xornet.population import kernel

    try:
        return kernel.load()
    except kernel.KernelUnavailable:
        return 0.0


def preflight(grid, X, y, seeds, backend="auto"):
    """Check the data, the seeds and the set-up of (up to ``PREFLIGHT_CELLS``) cells before
    anything trains; return which cells need the NumPy path (a set of indices)."""
    return _preflight(grid, X, y, seeds, backend)[0]


def _preflight(grid, X, y, seeds, backend):
    """``preflight``, and the ``costs.Work`` of each checked cell the kernel could train."""
    from xornet.population import costs

    works = []
    if backend not in BACKENDS:
        raise XornetError(f"backend: unknown name {backend!r}; choose one of "
                          f"{', '.join(BACKENDS)}.")
    numba_missing = importlib.util.find_spec("numba") is None
    numpy_cells = set()
    for cell in itertools.islice(grid.cells(), PREFLIGHT_CELLS):
        setup = make_setup(cell.config, X, y, seeds)
        reason = None
        if backend != "numpy":
            from xornet.population import kernel

            if numba_missing and backend == "numba":
                require("fast", "backend")  # says which extra brings numba
            reason = kernel.unsupported(setup) or ("numba is not installed (pip install "
                                                    "'xornet[fast]')" if numba_missing else None)
        if reason and backend == "numba":
            raise XornetError(f"backend: the numba kernel cannot run cell {cell.index} "
                              f"({reason}); use backend auto or numpy.")
        if backend == "numpy" or reason:
            numpy_cells.add(cell.index)
        else:
            works.append(costs.work(setup))
    if grid.n_cells > PREFLIGHT_CELLS and (backend == "numpy" or numba_missing):
        numpy_cells.update(range(PREFLIGHT_CELLS, grid.n_cells))
    return numpy_cells, works


def run_local(grid, X, y, seeds, *, backend="auto", workers=None, diagnose_cap=DIAGNOSE_CAP,
              on_cell=None, plan=None):
    """Run every cell on this machine; return the ``CellResult`` list in cell order.

    The compiled kernel trains a cell on ``workers`` threads (default: every CPU), one cell
    after another. Cells on the NumPy path (one core each) go to a pool of ``workers``
    processes when there are several. ``on_cell(result)`` is called as each cell finishes.
    ``plan``: the grid's ``plan_local`` if already made (default: made here).
    """
    from xornet.population import kernel

    workers = max(1, int(workers or kernel.default_threads()))
    plan = plan or plan_local(grid, X, y, seeds, backend, workers)
    numpy_cells = plan.numpy_cells
    results = [None] * grid.n_cells
    done = on_cell or (lambda result: None)

    def keep(result):
        results[result.index] = plan.noted(result)
        done(result)

    pooled = numpy_cells if len(numpy_cells) > 1 and workers > 1 else set()
    pool = None
    try:
        if pooled:
            # the platform's way to start processes (fork on Linux), before any kernel thread
            pool = concurrent.futures.ProcessPoolExecutor(min(workers, len(pooled)))
            futures = [pool.submit(run_cell, grid.cell(i), X, y, seeds,
                                   backend=plan.cell_args(i, backend)[0], threads=1,
                                   diagnose_cap=diagnose_cap) for i in sorted(pooled)]
        for cell in grid.cells():
            if cell.index not in pooled:
                cell_backend, load = plan.cell_args(cell.index, backend)
                keep(run_cell(cell, X, y, seeds, backend=cell_backend, threads=workers,
                              diagnose_cap=diagnose_cap, load_kernel=load))
        if pooled:
            for future in concurrent.futures.as_completed(futures):
                keep(future.result())
    except KeyboardInterrupt:  # Ctrl+C: stop the cells running in the pool now, not later
        if pool is not None:
            for child in multiprocessing.active_children():
                child.terminate()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return results


def run_dask(grid, X, y, seeds, address, *, backend="auto", diagnose_cap=DIAGNOSE_CAP,
             on_cell=None, lost_timeout=LOST_TIMEOUT):
    """Run every cell as one task on the Dask cluster at ``address``; return
    ``(results in cell order, number of workers)``.

    The workers need xornet installed (the same version). Each cell uses every core of the
    worker it lands on through the compiled kernel. Every way the cluster can fail ends in
    one XornetError within a bounded time: a server that is not a Dask scheduler, a cluster
    whose workers (or whose scheduler) are gone for ``lost_timeout`` seconds, a worker that
    cannot run a cell. An interruption (Ctrl+C) cancels the sweep's tasks on the cluster.
    """
    plan = plan_local(grid, X, y, seeds, backend)  # as a local run would: same backends
    require("dask", "dask")
    from dask.distributed import Client
    client = _connect(Client, address)
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except (TimeoutError, OSError):
            raise XornetError(f"dask: the scheduler at {address} has no workers; start one "
                              f"on each machine with `dask worker {address}`.") from None
        n_workers = len(client.scheduler_info().get("workers", {}))
        futures = [client.submit(run_cell, cell, X, y, seeds,
                                 backend=plan.cell_args(cell.index, backend)[0],
                                 load_kernel=plan.cell_args(cell.index, backend)[1],
                                 diagnose_cap=diagnose_cap, pure=False,
                                 key=f"xornet-sweep-cell-{cell.index}-{os.urandom(4).hex()}")
                   for cell in grid.cells()]
        try:
            results = _collect(client, futures, grid.n_cells, address, on_cell, lost_timeout,
                               plan.noted)
        except BaseException:  # a fault, or Ctrl+C: the cluster stops working for us
            with contextlib.suppress(Exception):
                client.cancel(futures)
            raise
    return results, n_workers


def _connect(Client, address):
    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as e:
        raise XornetError(f"dask: cannot reach a Dask scheduler at {address!r} ({e}); start "
                          "one with `dask scheduler` and give its address, such as "
                          "tcp://host:8786.") from None
    except Exception as e:  # e.g. a web server's reply read as a 3-EiB message length
        raise XornetError(f"dask: the server at {address!r} did not answer as a Dask "
                          f"scheduler ({type(e).__name__}); give the address `dask scheduler` "
                          "prints, such as tcp://host:8786.") from None


def _collect(client, futures, n_cells, address, on_cell, lost_timeout, noted=None):
    """Results in cell order as the cells finish; gives up once the cluster has had no
    worker, or the client no scheduler, for ``lost_timeout`` seconds."""
    from dask.distributed import wait

    results, pending, trouble_since = [None] * n_cells, list(futures), None
    while pending:
        try:
            done, not_done = wait(pending, timeout=POLL, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done, not_done = (), pending
        except Exception as e:  # the client gave up on the futures: the scheduler is gone
            raise _lost(address, e) from None
        pending = list(not_done)
        for future in done:
            result = _gather(future, address)
            results[result.index] = result = noted(result) if noted else result
            if on_cell is not None:
                on_cell(result)
        problem = None if done else _cluster_problem(client, address)
        if problem is None:
            trouble_since = None
            continue
        trouble_since = trouble_since or time.monotonic()
        if time.monotonic() - trouble_since >= lost_timeout:
            finished = n_cells - len(pending)
            raise XornetError(f"dask: {problem} for {lost_timeout:g} s, with {finished} of "
                              f"{n_cells} cells done; start the cluster again and rerun the "
                              "sweep.")
    return results


def _cluster_problem(client, address):
    """What keeps the cells from running, or None when the cluster looks able to."""
    if client.status != "running":
        return f"the connection to the scheduler at {address} is lost"
    try:
        workers = client.scheduler_info().get("workers", {})
    except Exception:  # the scheduler went away between the two looks
        return f"the connection to the scheduler at {address} is lost"
    return None if workers else f"the scheduler at {address} has had no worker"


def _gather(future, address):
    try:
        return future.result()
    except XornetError:
        raise
    except Exception as e:
        name = type(e).__name__
        if "Cancelled" in name or name in ("CommClosedError", "StreamClosedError") \
                or isinstance(e, OSError):
            raise _lost(address, e) from None
        if name == "KilledWorker":
            raise XornetError(f"dask: workers kept dying while running a cell ({e}); check "
                              "their memory and the `dask worker` logs.") from None
        if isinstance(e, ImportError):
            raise XornetError(f"dask: a worker could not import xornet ({e}); install the "
                              "same xornet on every worker.") from None
        raise XornetError(f"dask: a worker could not run a cell ({name}: {e}); check the "
                          "`dask worker` logs.") from None


def _lost(address, error):
    return XornetError(f"dask: the connection to the scheduler at {address} was lost while "
                       f"cells were running ({type(error).__name__}); start it again and "
                       "rerun the sweep.")
