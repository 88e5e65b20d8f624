"""The compiled fast path of the population trainer: the maths of
``xornet.population.numpy_path`` written as loops that numba compiles to machine code.

Layout: the population is on the last axis, as in population_numpy.py. The networks are cut
into blocks of B; a block is trained side by side, epoch after epoch, until all its networks
have stopped. Inside a block every quantity of a network (a weight, a unit's output for one
sample, a gradient) is a row of B numbers, one per network, so each step of the maths is an
inner loop over the block that the compiler turns into SIMD instructions:

    Pb, G, S1, S2   (n_params + 1, B)    parameters, gradients, optimizer state of the block
                                         (the extra last row of Pb is 0: layers without bias)
    A, D            (rows, B)            unit outputs a and δ = ∂E/∂z, every layer and sample;
                                         layer l, sample s, unit j is row at[l] + s·size + j

Threads take whole blocks: the compiled code releases the GIL and a thread pool hands each
thread a run of blocks.

The arithmetic follows population_numpy.py operation by operation (Σ_i x_i·W_ij summed in
order i = 0, 1, ..., then + b; gradients summed over samples in order; the optimizers' update
formulas as written in optimizers.py; no fused multiply-adds). Only the exponentials differ:
``_expm1`` below is a vectorisable polynomial version, accurate to about a unit in the last
place, so results agree with the NumPy path to ~1e-13, not bit for bit.

Every maths constant comes from the core: Adam's β1, β2 and ε (``xornet.core.optimizers``),
bce's clip (``xornet.core.losses``) and leaky ReLU's slope (``xornet.core.activations``) are
passed to the compiled code as one ``Constants`` argument; the numbers that pick a loss or an
activation are the registries' fixed ``code`` fields.

This module imports numba only when ``load`` is first called, so ``import xornet`` never
does. The functions below are plain Python until then; ``load`` compiles them with
``cache=True`` (numba keeps the machine code on disk, so later processes only load it).
The compiled code stays in this one file on purpose: numba invalidates a cached function
only when its own source file changes, so helpers moved to another file could be served
stale from the cache after an edit.
"""

import hashlib
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

from xornet.core import activations, losses, optimizers
from xornet.train.trainer import CRISP, waits_for_crisp

# Networks per block. Bigger blocks spread each inner loop's fixed cost over more networks
# (measured on this machine: 64 → 24 M, 256 → 32 M network-epochs/s per core); with early
# stopping a block runs until its slowest network stops, so there blocks are smaller.
BLOCK, BLOCK_EARLY_STOP = 256, 64

# The activations written out below (every differentiable one; every loss is written out too).
COMPILED_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")

# The numbers the compiled code branches on, read from the core's registries. numba freezes
# module globals into the machine code it caches, and the cache would not notice a changed
# value; that is safe only because the core fixes these codes forever (Activation.code,
# Loss.code; a test pins them). Everything else is passed in as an argument (``Constants``).
SIGMOID, TANH, RELU, LEAKY_RELU, LINEAR = (activations.get(n).code
                                           for n in COMPILED_ACTIVATIONS)
MSE, SSE, BCE = (losses.get(n).code for n in ("mse", "sse", "bce"))
SGD, MOMENTUM, ADAM = 0, 1, 2  # the kernel's own: plain sgd and sgd with momentum differ


class Constants(NamedTuple):
    """The core's maths constants, one argument of the compiled code (not module globals:
    numba would freeze those at compile time and its cache would not see them change)."""

    beta1: float  # Adam's decay of the mean of g
    beta2: float  # Adam's decay of the mean of g²
    adam_eps: float  # Adam's ε
    clip: float  # bce keeps ŷ in [clip, 1 − clip]
    leaky_slope: float  # leaky ReLU's slope for z < 0
    crisp: float  # trainer.CRISP: a crisp unit's largest shortfall, as a fraction of its range


def constants():
    """The ``Constants`` of the core, for float64."""
    return Constants(float(optimizers.ADAM_BETA1), float(optimizers.ADAM_BETA2),
                     float(optimizers.ADAM_EPS), float(losses.bce_clip(np.float64)),
                     float(activations.LEAKY_SLOPE), float(CRISP))


_compiled = None  # the compiled entry point, once load() has run
_failed = None  # why load() could not compile, once it has failed
_loading = threading.Lock()


def unsupported(setup):
    """Why the kernel cannot train ``setup``, or None when it can."""
    cfg = setup.config
    for name in setup.activations:
        if name not in COMPILED_ACTIVATIONS:
            return f"the {name} activation is not compiled"
    if cfg.shuffle and not setup.full_batch:
        return "shuffled batches follow NumPy's generators, which only the NumPy path draws"
    if cfg.optimizer not in ("sgd", "adam"):
        return f"the {cfg.optimizer} optimizer is not compiled"
    return None


def cache_is_warm():
    """Whether numba's cache already holds the compiled kernel (so ``load`` takes a moment,
    not the many seconds of a first compile). Looks for the entry point's cache index where numba
    keeps it (in ``NUMBA_CACHE_DIR`` when that is set, which numba then uses alone; else
    beside this file) and reads it as bytes, never unpickling it: numba stamps the index with
    the SHA-256 of this file's bytes and with its own version, and recompiles when either
    differs, so both must be in it. (Older numba stamped the file's time instead: an index
    newer than this file counts too.)"""
    here = os.path.abspath(__file__)
    root = os.environ.get("NUMBA_CACHE_DIR")
    folders = ([os.path.join(root, dirpath) for dirpath, _, _ in os.walk(root)] if root
               else [os.path.join(os.path.dirname(here), "__pycache__")])
    with open(here, "rb") as f:
        digest = hashlib.sha256(f.read()).digest()
    version = _numba_version()
    source_time = os.path.getmtime(here)
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name.startswith("kernel._train_block-") and name.endswith(".nbi"):
                index = os.path.join(folder, name)
                with open(index, "rb") as f:
                    data = f.read()
                if version is not None and version not in data:
                    continue  # written by another numba, which this one does not load
                if digest in data or os.path.getmtime(index) >= source_time:
                    return True
    return False


def _numba_version():
    """numba's version as the bytes its cache index holds, without importing numba (None
    when not installed)."""
    from importlib import metadata

    try:
        return metadata.version("numba").encode()
    except metadata.PackageNotFoundError:
        return None


def cache_state():
    """The kernel's state for ``xornet.population.costs``: "loaded" in this process already,
    "warm" in numba's cache on disk, or "cold" (the next ``load`` compiles it)."""
    if _compiled is not None:
        return "loaded"
    return "warm" if cache_is_warm() else "cold"


class KernelUnavailable(Exception):
    """The kernel could not be compiled or loaded here; ``str(e)`` says why in a clause."""


def load():
    """Compile the kernel, or load it from numba's on-disk cache; return the seconds taken
    (0 after the first call in a process).

    When numba cannot keep its cache beside this file (a read-only installation with no
    writable cache folder), the kernel is compiled into a temporary cache instead. Any other
    failure raises ``KernelUnavailable`` and leaves this module exactly as it was (plain
    Python functions), so the caller can fall back to the NumPy path.
    """
    global _compiled, _failed
    with _loading:
        if _compiled is not None:
            return 0.0
        if _failed is not None:
            raise KernelUnavailable(_failed)
        try:
            return _load()
        except KernelUnavailable as e:
            _failed = str(e)  # remembered: the next call does not try (and wait) again
            raise


def _load():
    """``load`` without the lock: compile (or load from the cache), falling back to a
    temporary cache folder when numba cannot write its cache beside this file."""
    global _compiled
    start = time.perf_counter()
    try:
        import numba  # only here: the fast path is optional
    except Exception as e:  # installed but broken, e.g. built for another NumPy
        raise KernelUnavailable(f"numba does not load ({type(e).__name__}: {e})") from None
    try:
        kernel = _compile(numba)
    except Exception as first:  # numba raises many kinds; each means "no kernel here"
        if "cache" not in str(first):
            raise KernelUnavailable(_why(first)) from None
        import tempfile

        numba.config.CACHE_DIR = tempfile.mkdtemp(prefix="xornet-numba-cache-")
        try:
            kernel = _compile(numba)
        except Exception as e:
            raise KernelUnavailable(_why(e)) from None
    _compiled = kernel
    return time.perf_counter() - start


def _why(error):
    return f"compiling it failed ({type(error).__name__}: {str(error).splitlines()[0]})"


_PLAIN: dict[str, Any] = {}  # the plain Python functions, to put back after a failed compile


def _compile(numba):
    """Decorate every helper (the compiled code calls the compiled helpers through this
    module's globals), compile the entry point and warm it up; on any failure put the plain
    functions back before re-raising, so the module is never left half-replaced."""
    g = globals()
    names = (*_HELPERS, *_STEPS, "_expm1_parts")
    _PLAIN.update({name: g[name] for name in names if name not in _PLAIN})
    jit = {name: numba.njit(cache=True, inline="always", error_model="numpy")
           for name in _HELPERS}
    jit.update({name: numba.njit(cache=True, error_model="numpy") for name in _STEPS})
    # the polynomial alone may fuse multiply and add (faster, and no less accurate);
    # LLVM still inlines it into the loops, which stay vectorised
    jit["_expm1_parts"] = numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
    try:
        for name, decorate in jit.items():
            g[name] = decorate(_PLAIN[name])
        kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(_train_block)
        _warm_up(kernel)
    except BaseException:
        g.update(_PLAIN)
        raise
    return kernel


def default_threads():
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def train(setup, P, threads=None):
    """Train the population P (n_params, N) in place; return a ``population.Stats``."""
    from xornet.population.numpy_path import Stats

    load()
    cfg, n = setup.config, P.shape[1]
    stats = Stats.empty(n)
    threads = max(1, int(threads or default_threads()))
    early = cfg.stop_when_solved or cfg.target_loss is not None
    block = min(BLOCK_EARLY_STOP if early else BLOCK, -(-n // threads))
    n_blocks = -(-n // block)
    opt = ADAM if cfg.optimizer == "adam" else MOMENTUM if cfg.momentum else SGD
    layout = setup.layout
    ranges = [activations.get(a) for a in setup.activations]
    args = (
        np.ascontiguousarray(setup.lrs.T), setup.row_layers(),
        np.ascontiguousarray(setup.X),
        np.ascontiguousarray(setup.y),
        np.array(layout.sizes, dtype=np.int64),
        np.array(layout.w_at, dtype=np.int64),  # where each layer's W starts in P
        np.array([-1 if b is None else b for b in layout.b_at], dtype=np.int64),  # -1: no b
        np.array([activations.get(a).code for a in setup.activations], dtype=np.int64),
        losses.get(cfg.loss).code, opt, float(cfg.momentum), int(cfg.epochs),
        len(setup.X) if setup.full_batch else int(cfg.batch_size), float(cfg.tolerance),
        bool(cfg.stop_when_solved), int(cfg.crisp_epochs) if waits_for_crisp(cfg) else -1,
        np.array([f.low for f in ranges]), np.array([f.high for f in ranges]),
        math.nan if cfg.target_loss is None else
        float(cfg.target_loss), stats.solved_epoch, stats.epochs, stats.diverged_epoch,
        constants(),
    )
    # runs of blocks: a few per thread, so a thread that finishes early takes another
    cuts = np.linspace(0, n_blocks, min(n_blocks, 4 * threads) + 1).round().astype(int)
    runs = list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True))
    stop = threading.Event()  # set on an interruption: every thread ends after its block

    def train_run(run):
        for k in range(*run):  # block by block, so Ctrl+C waits for one block at most
            if stop.is_set():
                return
            _compiled(P, k * block, min(k * block + block, n), *args)

    if threads == 1 or len(runs) == 1:
        train_run((0, n_blocks))
        return stats
    pool = ThreadPoolExecutor(threads)
    try:
        for future in [pool.submit(train_run, run) for run in runs]:
            future.result()  # this thread waits where a KeyboardInterrupt can reach it
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True)
    return stats


def _warm_up(kernel):
    """One tiny call with the real argument types: compiles or loads the machine code."""
    i64 = np.zeros(1, dtype=np.int64)
    kernel(np.zeros((3, 1)), 0, 1, np.ones((1, 1)), np.zeros(3, np.int64),
           np.zeros((1, 2)), np.zeros((1, 1)),
           np.array([2, 1], np.int64), np.zeros(1, np.int64), np.array([2], np.int64),
           np.zeros(1, np.int64), MSE, SGD, 0.0, 1, 1, 0.1, False, -1, np.zeros(1), np.ones(1),
           math.nan, i64.copy(),
           i64.copy(), i64.copy(), constants())


# --- the compiled code: plain Python until load() ------------------------------------------

def _train_block(P, first, last, lrs, row_layer, X, Y, sizes, w_at, b_at, acts, loss, opt, momentum,
                 epochs, batch, tol, stop_solved, crisp_wait, lows, highs, target, solved_epoch,
                 epochs_run, diverged_epoch, c):
    """Networks first..last-1 (columns of P, one block): the loop of ``training._loop``;
    lrs is (L, N), one learning rate per weight layer and network, row_layer the layer of
    each row of P, and c holds the core's constants. With ``crisp_wait`` ≥ 0 a solved
    network trains on until its hidden units are crisp (at most ``crisp_wait`` epochs);
    lows/highs are each layer's activation range."""
    B, n, n_layers, n_params = last - first, X.shape[0], len(acts), P.shape[0]
    Pb = np.zeros((n_params + 1, B))  # + a row of zeros: the bias of layers without one
    Pb[:n_params] = P[:, first:last]
    G = np.zeros_like(Pb)
    S1 = np.zeros_like(Pb) if opt != SGD else G  # velocity, or Adam's m
    S2 = np.zeros_like(Pb) if opt == ADAM else G  # Adam's v
    at = np.zeros(n_layers + 1, dtype=np.int64)  # first row of each layer in A and D
    for layer in range(n_layers):
        at[layer + 1] = at[layer] + n * sizes[layer + 1]
    A = np.empty((at[n_layers], B))
    D = np.empty((at[n_layers], B))
    lr = np.ascontiguousarray(lrs[:, first:last])  # (L, B)
    live = np.ones(B, dtype=np.bool_)
    value, worst, check = np.empty(B), np.empty(B), np.empty(B)
    top = at[n_layers - 1]  # the output layer's first row
    t = 0  # Adam's step count: every live network of the block steps together
    for epoch in range(1, epochs + 2):
        _forward(Pb, X, np.int64(0), n, sizes, w_at, b_at, acts, at, A, c)  # (see _STEPS)
        _loss_value(A, Y, top, loss, value, worst)
        if _record(epoch - 1, value, worst, live, first, loss, epochs, tol, stop_solved,
                   crisp_wait, lows, highs, target, A, at, Y, top, solved_epoch, epochs_run,
                   diverged_epoch, c) == 0:
            break
        for r0 in range(0, n, batch):
            r1 = min(r0 + batch, n)
            if batch < n:
                _forward(Pb, X, r0, r1, sizes, w_at, b_at, acts, at, A, c)
            _backward(Pb, G, X, Y, r0, r1, sizes, w_at, b_at, acts, at, A, D, loss, c)
            t += 1
            _update(Pb, G, S1, S2, lr, row_layer, live, opt, momentum, t, check, c)
        for q in range(B):
            if live[q] and check[q] != check[q]:
                live[q] = False
                diverged_epoch[first + q] = epoch
    P[:, first:last] = Pb[:n_params]


def _forward(Pb, X, r0, r1, sizes, w_at, b_at, acts, at, A, c):
    """Rows r0..r1-1 of every layer's output: a = f(Σ_i x_i·W_ij + b_j)."""
    no_bias = Pb.shape[0] - 1
    for layer in range(len(acts)):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        for s in range(r0, r1):
            for j in range(n_out):
                out = at[layer] + s * n_out + j
                for i in range(n_in):
                    w = w_at[layer] + i * n_out + j
                    if layer == 0:
                        _axpy_scalar(A, out, X[s, i], Pb, w, i == 0)
                    else:
                        _axpy(A, out, A, at[layer - 1] + s * n_in + i, Pb, w, i == 0)
                b = b_at[layer] + j if b_at[layer] >= 0 else no_bias
                _activate(A, out, Pb, b, acts[layer], c.leaky_slope)


def _loss_value(A, Y, top, loss, value, worst):
    """Per network: the loss on every row and max |ŷ − y|. For bce only whether it is finite:
    with ŷ clipped it is, unless some ŷ is NaN (value is then NaN, else 0)."""
    n, n_out = Y.shape
    B = A.shape[1]
    value[:] = 0.0
    worst[:] = 0.0
    for s in range(n):
        for o in range(n_out):
            row, y = top + s * n_out + o, Y[s, o]
            if loss == BCE:
                for q in range(B):
                    a = A[row, q]
                    ad = abs(a - y)
                    worst[q] = ad if ad > worst[q] else worst[q]
                    value[q] += 0.0 if a == a else a
            else:
                for q in range(B):
                    d = A[row, q] - y
                    ad = abs(d)
                    worst[q] = ad if ad > worst[q] else worst[q]
                    value[q] += d * d
    if loss == SSE:
        for q in range(B):
            value[q] = 0.5 * value[q]
    elif loss == MSE:
        for q in range(B):
            value[q] = value[q] / (n * n_out)


def _bce_value(A, Y, top, q, clip):
    """The bce loss of network q (scalar; only needed when a target loss is set)."""
    n, n_out = Y.shape
    total = 0.0
    for s in range(n):
        for o in range(n_out):
            p = min(max(A[top + s * n_out + o, q], clip), 1.0 - clip)
            total += Y[s, o] * math.log(p) + (1.0 - Y[s, o]) * math.log1p(-p)
    return -total / (n * n_out)


def _record(done, value, worst, live, first, loss, epochs, tol, stop_solved, crisp_wait, lows,
            highs, target, A, at, Y, top, solved_epoch, epochs_run, diverged_epoch, c):
    """``training._record`` and ``_should_stop`` for each live network; returns how many
    still train."""
    n_live = 0
    for q in range(live.size):
        if not live[q]:
            continue
        k = first + q
        epochs_run[k] = done
        if not math.isfinite(value[q]):
            live[q] = False
            diverged_epoch[k] = done
            continue
        if solved_epoch[k] < 0 and worst[q] <= tol:
            solved_epoch[k] = done
        stop = done >= epochs
        if stop_solved and solved_epoch[k] >= 0:  # the stop rules of trainer.stop_rules
            stop = stop or crisp_wait < 0 or done >= solved_epoch[k] + crisp_wait or (
                worst[q] <= tol and _crisp(A, at, q, lows, highs, c.crisp))
        if not stop and target == target:
            v = _bce_value(A, Y, top, q, c.clip) if loss == BCE else value[q]
            stop = v <= target
        if stop:
            live[q] = False
        else:
            n_live += 1
    return n_live


def _crisp(A, at, q, lows, highs, crisp):
    """``trainer.all_crisp`` for every hidden layer of network q: each row of each unit within
    ``crisp`` × range of the end it reads as."""
    for layer in range(len(at) - 2):  # the hidden layers: all but the output
        low, high = lows[layer], highs[layer]
        middle, bound = 0.5 * (low + high), crisp * (high - low)
        for row in range(at[layer], at[layer + 1]):
            a = A[row, q]
            if (high - a if a > middle else a - low) > bound:
                return False
    return True


def _backward(Pb, G, X, Y, r0, r1, sizes, w_at, b_at, acts, at, A, D, loss, c):
    """Fill G with ∂E/∂θ on rows r0..r1-1 (the batch); D holds δ = ∂E/∂z of every unit."""
    n_layers, n_out = len(acts), Y.shape[1]
    m = (r1 - r0) * n_out  # elements of one network's output on this batch
    top = at[n_layers - 1]
    for s in range(r0, r1):
        for o in range(n_out):
            _output_delta(D, A, top + s * n_out + o, Y[s, o], loss, m, acts[n_layers - 1], c)
    for layer in range(n_layers - 1, -1, -1):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        for i in range(n_in):  # ∂E/∂W_ij = Σ_s x_si·δ_sj, summed in sample order
            for j in range(n_out):
                g = w_at[layer] + i * n_out + j
                for s in range(r0, r1):
                    delta = at[layer] + s * n_out + j
                    if layer == 0:
                        _axpy_scalar(G, g, X[s, i], D, delta, s == r0)
                    else:
                        _axpy(G, g, A, at[layer - 1] + s * n_in + i, D, delta, s == r0)
        if b_at[layer] >= 0:
            for j in range(n_out):
                for s in range(r0, r1):
                    _axpy_scalar(G, b_at[layer] + j, 1.0, D, at[layer] + s * n_out + j,
                                 s == r0)
        if layer > 0:  # δ_si of the layer below = (Σ_j δ_sj·W_ij, in unit order)·f′
            for s in range(r0, r1):
                for i in range(n_in):
                    row = at[layer - 1] + s * n_in + i
                    for j in range(n_out - 1):
                        _axpy(D, row, D, at[layer] + s * n_out + j, Pb,
                              w_at[layer] + i * n_out + j, j == 0)
                    _axpy_slope(D, row, D, at[layer] + s * n_out + n_out - 1, Pb,
                                w_at[layer] + i * n_out + n_out - 1, n_out == 1, A,
                                acts[layer - 1], c.leaky_slope)


def _output_delta(D, A, row, y, loss, m, code, c):
    """δ = ∂E/∂ŷ · f′ for one output element of every network (xornet.core.losses' gradients)."""
    B = A.shape[1]
    leaky = c.leaky_slope
    if loss == SSE:
        for q in range(B):
            a = A[row, q]
            D[row, q] = (a - y) * _slope(a, code, leaky)
    elif loss == MSE:
        scale = 2.0 / m
        for q in range(B):
            a = A[row, q]
            D[row, q] = (scale * (a - y)) * _slope(a, code, leaky)
    else:
        lo, hi = c.clip, 1.0 - c.clip
        for q in range(B):
            a = A[row, q]
            p = lo if a < lo else a  # np.clip, keeping NaN
            p = hi if p > hi else p
            D[row, q] = ((p - y) / (p * (1.0 - p)) / m) * _slope(a, code, leaky)


def _update(Pb, G, S1, S2, lrs, row_layer, live, opt, momentum, t, check, c):
    """One optimizer step for the live networks (the formulas of xornet.core.optimizers); check
    becomes NaN for a network with a weight that is not finite. lrs (L, B): row k of the
    parameters steps with the rates of its layer, ``lrs[row_layer[k]]``."""
    B = lrs.shape[1]
    beta1, beta2, eps = c.beta1, c.beta2, c.adam_eps  # optimizers.Adam's defaults
    c1 = 1.0 - beta1 ** float(t)
    c2 = 1.0 - beta2 ** float(t)
    check[:] = 0.0
    for k in range(Pb.shape[0] - 1):
        lr = lrs[row_layer[k]]
        if opt == SGD:
            for q in range(B):
                p = Pb[k, q] - lr[q] * G[k, q] if live[q] else Pb[k, q]
                Pb[k, q] = p
                check[q] += p * 0.0
        elif opt == MOMENTUM:
            for q in range(B):
                v = S1[k, q] * momentum - lr[q] * G[k, q]
                S1[k, q] = v if live[q] else S1[k, q]
                p = Pb[k, q] + v if live[q] else Pb[k, q]
                Pb[k, q] = p
                check[q] += p * 0.0
        else:
            for q in range(B):
                g = G[k, q]
                m1 = S1[k, q] * beta1 + (1.0 - beta1) * g
                m2 = S2[k, q] * beta2 + (1.0 - beta2) * (g * g)
                step = lr[q] * (m1 / c1) / (math.sqrt(m2 / c2) + eps)
                S1[k, q] = m1 if live[q] else S1[k, q]
                S2[k, q] = m2 if live[q] else S2[k, q]
                p = Pb[k, q] - step if live[q] else Pb[k, q]
                Pb[k, q] = p
                check[q] += p * 0.0


# --- same-init grids: one initial network, a learning rate per layer and network ----------
# The trainability map (``xornet.study.fractal``) trains one initial network with a grid of
# per-layer learning rates by plain full-batch gradient descent for a fixed number of steps,
# and keeps three numbers per network instead of its loss curve (``population.grid``).

_grid_compiled = None  # the compiled grid entry point, once load_grid() has run


def load_grid():
    """``load`` and then compile (or load from numba's cache) the grid entry point; return
    the seconds taken. Raises ``KernelUnavailable`` as ``load`` does."""
    global _grid_compiled
    seconds = load()
    with _loading:
        if _grid_compiled is not None:
            return seconds
        start = time.perf_counter()
        try:
            import numba

            g = globals()
            for name in ("_log_product", "_bce_values"):
                _PLAIN.setdefault(name, g[name])
                g[name] = numba.njit(cache=True, inline="always",
                                     error_model="numpy")(_PLAIN[name])
            grid = numba.njit(cache=True, nogil=True, error_model="numpy")(_grid_blocks)
            _warm_up_grid(grid)
        except Exception as e:  # numba raises many kinds; each means "no grid kernel here"
            globals().update({k: _PLAIN[k] for k in ("_log_product", "_bce_values")
                              if k in _PLAIN})
            raise KernelUnavailable(_why(e)) from None
        _grid_compiled = grid
    return seconds + time.perf_counter() - start


def train_grid(setup, p0, steps, first_loss, cap, tail, threads=None):
    """Train ``len(setup.lrs)`` copies of the initial parameters ``p0`` (n_params,), network
    k with the per-layer learning rates ``setup.lrs[k]``; return a ``population.grid.GridStats``
    (the rules are written there, beside the NumPy path this follows)."""
    from xornet.population.grid import GridStats

    load_grid()
    n = len(setup.lrs)
    stats = GridStats.empty(n)
    threads = max(1, int(threads or default_threads()))
    block = min(BLOCK, -(-n // threads))
    n_blocks = -(-n // block)
    layout = setup.layout
    args = (
        np.ascontiguousarray(p0, dtype=np.float64), np.ascontiguousarray(setup.lrs.T),
        setup.row_layers(), block, np.ascontiguousarray(setup.X),
        np.ascontiguousarray(setup.y), np.array(layout.sizes, dtype=np.int64),
        np.array(layout.w_at, dtype=np.int64),
        np.array([-1 if b is None else b for b in layout.b_at], dtype=np.int64),
        np.array([activations.get(a).code for a in setup.activations], dtype=np.int64),
        losses.get(setup.config.loss).code, int(steps), float(first_loss), float(cap),
        int(steps - tail), stats.loss_sum, stats.inverse_sum, stats.tail_mean,
        stats.diverged_step, constants(),
    )
    cuts = np.linspace(0, n_blocks, min(n_blocks, 4 * threads) + 1).round().astype(int)
    runs = list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True))
    stop = threading.Event()

    def train_run(run):
        for k in range(*run):  # block by block, so Ctrl+C waits for one block at most
            if stop.is_set():
                return
            _grid_compiled(k, k + 1, *args)

    if threads == 1 or len(runs) == 1:
        train_run((0, n_blocks))
    else:
        pool = ThreadPoolExecutor(threads)
        try:
            for future in [pool.submit(train_run, run) for run in runs]:
                future.result()
        except BaseException:
            stop.set()
            raise
        finally:
            pool.shutdown(wait=True)
    stats.tail_mean /= tail
    return stats


def _warm_up_grid(kernel):
    """One tiny call with the real argument types: compiles or loads the machine code."""
    kernel(0, 1, np.zeros(2), np.ones((1, 1)), np.zeros(2, np.int64), 1, np.zeros((1, 2)),
           np.zeros((1, 1)), np.array([2, 1], np.int64), np.zeros(1, np.int64),
           np.array([-1], np.int64), np.array([LINEAR], np.int64), BCE, 2, 1.0, 1e6, 1,
           np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, np.int64), constants())


def _grid_blocks(b0, b1, p0, lrs, row_layer, block, X, Y, sizes, w_at, b_at, acts, loss,
                 steps, first_loss, cap, tail_from, loss_sum, inverse_sum, tail_sum,
                 diverged_step, c):
    """Blocks b0..b1-1 of ``block`` networks, all starting from p0, network k stepping with
    the rates lrs[:, k] (L, N). Per step t = 0..steps-1, ℓ = loss / first_loss (at most cap)
    is added to loss_sum, 1/ℓ to inverse_sum and, from step tail_from on, ℓ to tail_sum. A
    network whose loss or weights stop being finite stops, and each of its remaining steps
    counts as cap; diverged_step keeps the step (-1: never)."""
    n, n_layers, n_params = X.shape[0], len(acts), p0.shape[0]
    at = np.zeros(n_layers + 1, dtype=np.int64)
    for layer in range(n_layers):
        at[layer + 1] = at[layer] + n * sizes[layer + 1]
    top = at[n_layers - 1]
    for k in range(b0, b1):
        first = k * block
        last = min(first + block, lrs.shape[1])
        B = last - first
        Pb = np.zeros((n_params + 1, B))
        for row in range(n_params):
            for q in range(B):
                Pb[row, q] = p0[row]
        G = np.zeros_like(Pb)
        A = np.empty((at[n_layers], B))
        D = np.empty((at[n_layers], B))
        lr = np.ascontiguousarray(lrs[:, first:last])
        live = np.ones(B, dtype=np.bool_)
        value, prod, compl, check = np.empty(B), np.empty(B), np.empty(B), np.zeros(B)
        for t in range(steps):
            _forward(Pb, X, np.int64(0), n, sizes, w_at, b_at, acts, at, A, c)
            if loss == BCE:
                _bce_values(A, Y, top, value, prod, compl, c.clip)
            else:
                _loss_value(A, Y, top, loss, value, prod)  # prod: max |ŷ − y|, unused
            n_live = 0
            for q in range(B):
                if not live[q]:
                    continue
                j = first + q
                v = value[q] / first_loss
                if check[q] != check[q] or not math.isfinite(v):  # weights or loss blew up
                    live[q] = False
                    diverged_step[j] = t
                    left = steps - t
                    loss_sum[j] += left * cap
                    inverse_sum[j] += left / cap
                    tail_sum[j] += (steps - max(t, tail_from)) * cap
                    continue
                v = cap if v > cap else v
                loss_sum[j] += v
                inverse_sum[j] += 1.0 / v
                if t >= tail_from:
                    tail_sum[j] += v
                n_live += 1
            if n_live == 0:
                break
            if t + 1 < steps:
                _backward(Pb, G, X, Y, np.int64(0), n, sizes, w_at, b_at, acts, at, A, D,
                          loss, c)
                _update(Pb, G, G, G, lr, row_layer, live, np.int64(SGD), 0.0, np.int64(1),
                        check, c)


def _bce_values(A, Y, top, value, prod, rest, clip):
    """Per network the bce loss on every row (xornet.core.losses: −mean(y·ln p + (1 − y)·
    ln(1 − p)), p = ŷ clipped), with few logarithms: for targets 0 and 1 each term is the log
    of a factor f (p or 1 − p), and the factors of a run of rows are multiplied first. The
    product is kept twice, as P = Πf and as R = 1 − Πf (R ← R + u − R·u for f = 1 − u), so
    ln Πf is ln P while P < ¾ and ln(1 − R) = log1p(−R) near 1, both to a few units in the
    last place. Other targets take their two logs row by row. ``prod`` and ``rest`` are
    scratch rows (B,)."""
    n, n_out = Y.shape
    B = A.shape[1]
    lo, hi = clip, 1.0 - clip
    run = max(1, int(690.0 / -math.log(clip)))  # rows per run: Πf stays above 1e-300
    value[:] = 0.0
    prod[:] = 1.0
    rest[:] = 0.0
    count = 0
    for s in range(n):
        for o in range(n_out):
            row, y = top + s * n_out + o, Y[s, o]
            if y == 1.0 or y == 0.0:
                for q in range(B):
                    p = A[row, q]
                    p = lo if p < lo else p  # np.clip, keeping NaN
                    p = hi if p > hi else p
                    f = p if y == 1.0 else 1.0 - p
                    u = 1.0 - p if y == 1.0 else p
                    prod[q] = prod[q] * f
                    rest[q] = rest[q] + u - rest[q] * u
                count += 1
            else:
                for q in range(B):
                    p = A[row, q]
                    p = lo if p < lo else p
                    p = hi if p > hi else p
                    value[q] += y * math.log(p) + (1.0 - y) * math.log1p(-p)
            if count == run or (s == n - 1 and o == n_out - 1):
                for q in range(B):
                    value[q] += _log_product(prod[q], rest[q])
                    prod[q] = 1.0
                    rest[q] = 0.0
                count = 0
    for q in range(B):
        value[q] = -value[q] / (n * n_out)


def _log_product(prod, rest):
    """ln(Πf) from P = Πf and R = 1 − Πf (see ``_bce_values``), vectorisable: ln x =
    k·ln 2 + 2·atanh(s) with s = (m − 1)/(m + 1), x = 2^k·m and m in [√½, √2), by the odd
    series of atanh to s^21 (|s| ≤ 0.172: the next term is below 1e-17). Near 1, where P has
    lost the digits of R, s = −R/(2 − R) (m = 1 − R, k = 0). A NaN P gives NaN."""
    near = prod >= 0.75  # then |s| ≤ 1/7
    bits = np.float64(prod).view(np.int64)
    k = ((bits >> 52) & 0x7FF) - 1023
    m = np.int64((bits & 0xFFFFFFFFFFFFF) | 0x3FF0000000000000).view(np.float64)  # [1, 2)
    big = m > 1.4142135623730951
    m = 0.5 * m if big else m
    k = k + 1 if big else k
    s = -rest / (2.0 - rest) if near else (m - 1.0) / (m + 1.0)
    kf = 0.0 if near else float(k)
    s2 = s * s
    p = 1.0 / 21.0
    p = p * s2 + 1.0 / 19.0
    p = p * s2 + 1.0 / 17.0
    p = p * s2 + 1.0 / 15.0
    p = p * s2 + 1.0 / 13.0
    p = p * s2 + 1.0 / 11.0
    p = p * s2 + 1.0 / 9.0
    p = p * s2 + 1.0 / 7.0
    p = p * s2 + 1.0 / 5.0
    p = p * s2 + 1.0 / 3.0
    atanh = s + s * (s2 * p)
    return (kf * _LN2_HI + (kf * _LN2_LO + 2.0 * atanh)) + prod * 0.0


# --- row operations: each an inner loop over the block, compiled to SIMD -------------------
# A row is named by its array and row index (no views: a view would cost reference counting).

def _axpy(out, ro, x, rx, w, rw, first):
    """out[ro] = x[rx]·w[rw] (first term) or out[ro] += x[rx]·w[rw], over the block."""
    if first:
        for q in range(out.shape[1]):
            out[ro, q] = x[rx, q] * w[rw, q]
    else:
        for q in range(out.shape[1]):
            out[ro, q] = out[ro, q] + x[rx, q] * w[rw, q]


def _axpy_scalar(out, ro, x, w, rw, first):
    """As ``_axpy`` with one number x for the whole block (an input feature, or 1 for b)."""
    if first:
        for q in range(out.shape[1]):
            out[ro, q] = x * w[rw, q]
    else:
        for q in range(out.shape[1]):
            out[ro, q] = out[ro, q] + x * w[rw, q]


def _axpy_slope(out, ro, x, rx, w, rw, first, A, code, leaky):
    """As ``_axpy``, then times f′ at the unit's output A[ro] (the last term of ∂E/∂z)."""
    if first:
        for q in range(out.shape[1]):
            out[ro, q] = (x[rx, q] * w[rw, q]) * _slope(A[ro, q], code, leaky)
    else:
        for q in range(out.shape[1]):
            out[ro, q] = (out[ro, q] + x[rx, q] * w[rw, q]) * _slope(A[ro, q], code, leaky)


def _slope(a, code, leaky):
    """f′(z), written from a = f(z) (for ReLU and leaky ReLU, a > 0 exactly when z > 0);
    leaky is leaky ReLU's slope for z < 0."""
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if a > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if a > 0.0 else leaky
    return 1.0  # LINEAR


def _activate(Z, row, Pb, b, code, leaky):
    """a = f(z + b) in place on Z[row], b a row of Pb (xornet.core.activations); leaky is
    leaky ReLU's slope for z < 0."""
    B = Z.shape[1]
    if code == SIGMOID:  # sigmoid as ½·(1 + tanh(z/2)), the formula of xornet.core.activations, so
        # it saturates to exactly 0 and 1 where NumPy's does; tanh(±20) is ±1 in float64
        for q in range(B):
            x = Z[row, q] + Pb[b, q]
            x = -40.0 if x < -40.0 else x  # comparisons keep NaN
            x = 40.0 if x > 40.0 else x
            e = _expm1(x)  # tanh(x/2) = e / (e + 2) with e = e^x − 1
            Z[row, q] = 0.5 * (1.0 + e / (e + 2.0))
    elif code == TANH:  # tanh(z) = e / (e + 2) with e = e^2z − 1; tanh(±20) is ±1 in float64
        for q in range(B):
            x = Z[row, q] + Pb[b, q]
            x = -20.0 if x < -20.0 else x
            x = 20.0 if x > 20.0 else x
            e = _expm1(2.0 * x)
            Z[row, q] = e / (e + 2.0)
    elif code == RELU:
        for q in range(B):
            x = Z[row, q] + Pb[b, q]
            Z[row, q] = x if x > 0.0 else (0.0 if x == x else x)
    elif code == LEAKY_RELU:
        for q in range(B):
            x = Z[row, q] + Pb[b, q]
            Z[row, q] = x if x > 0.0 else leaky * x
    else:  # LINEAR
        for q in range(B):
            Z[row, q] = Z[row, q] + Pb[b, q]


# e^x = 2^k·e^r with x = k·ln 2 + r, |r| ≤ ½ ln 2 (ln 2 split in two so k·ln2_hi is exact);
# e^r − 1 by its Taylor series to r^13/13! (the next term is below 2e-17 for |r| ≤ ½ ln 2).
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00


def _expm1_parts(x):
    """(2^k, e^r − 1) with e^x = 2^k·(1 + (e^r − 1)), for |x| ≤ 700."""
    k = math.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = (p * r + 1.0) * r
    scale = np.int64((np.int64(k) + 1023) << 52).view(np.float64)  # 2^k from its bits
    return scale, p


def _expm1(x):
    """e^x − 1 without cancellation near 0 (tanh of small z keeps its relative accuracy)."""
    scale, p = _expm1_parts(x)
    return scale * p + (scale - 1.0)


# The steps of an epoch are compiled once each, as functions of their own, and called from
# both entry points (``_train_block`` and ``_grid_blocks``); the small helpers they use are
# inlined into them, so the loops over a block stay vectorised. Inlining the steps too would
# make numba type one huge function (and the grid's copy of it again): a cold compile took
# about twice the CPU time, for the same machine code speed. Each step must be called with
# the same argument types everywhere, or numba compiles it again: a literal 0 or 1 passed
# where a variable goes elsewhere is typed as its own type, hence ``np.int64(0)`` there.
_STEPS = ("_forward", "_loss_value", "_record", "_backward", "_update")
_HELPERS = ("_bce_value", "_crisp", "_output_delta", "_axpy", "_axpy_scalar", "_axpy_slope",
            "_slope", "_activate", "_expm1")
