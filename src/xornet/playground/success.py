"""The live success-rate panel: how often the configuration on screen learns, over 1,000 seeds.

One seed's run says little: the same network and learning rate solve XOR in 49 epochs from
one draw of the initial weights and stall for ever from another (Kolen and Pollack, 1990,
"Back propagation is sensitive to initial conditions"). So for the page's configuration the
server trains seeds 0..999 side by side with the population trainer
(``xornet.population.trainer.train_population``) and the panel shows the share that solve,
the histogram of their epochs to solve, and where the page's own seed falls in it.

With a test share the population trains on the page's training rows only (``session.X``);
the held-out rows are never given to it, and the panel says so.

This module holds the numbers only: ``job_for`` turns a session into a ``Job`` (or refuses,
before anything is allocated, with one sentence), ``train`` runs it, and ``panel`` writes the
message the page draws. ``live.py`` runs the jobs off the event loop, one per page.

Each network of the population follows exactly the run the page's stepper gives that seed
(one attempt, the same stop rules), capped at ``EPOCHS`` epochs: a seed that has not solved
by then "stalls". The tests check the panel against ``train_population`` and the stepper.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from xornet.errors import XornetError
from xornet.population import kernel
from xornet.population.trainer import train_population
from xornet.train.config import RunConfig

# seeds 0..999: a share of 74 % is then known to about ±1.4 points (one standard error,
# √(p(1 − p)/1000)), and a seed's place in the histogram to a tenth of a per cent
SEEDS = 1000
EPOCHS = RunConfig().epochs  # the cap of one attempt of `xornet train` (5,000)
# The work one panel may ask for, in network-epochs × data rows × parameters, checked before
# training (an upper bound: networks stop when solved). Measured on this 2-core laptop, one
# thread: the default XOR run is 1.8·10⁸ (4 s on the NumPy path, 1 s compiled); 4-bit parity
# with 4 hidden units 2·10⁹ (4 s either way); moons (200 points, 4 hidden units) 1.7·10¹⁰
# (14 s compiled). The cap keeps the worst allowed job to some seconds compiled.
MAX_WORK = 1e10
BINS = 24  # bars of the epochs-to-solve histogram
QUIET = 0.5  # seconds without a new configuration before a job starts (typing a number)
THREADS = 1  # the compiled kernel's threads: the other core keeps the page's own run playing

# One job trains at a time on the whole server, in this worker thread of its own: a population
# takes every cycle it is given, and the pages' live runs (which run in asyncio's shared
# threads) need the rest; jobs waiting here never hold one of those threads.
WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xornet-success")


@dataclass
class Job:
    """What one panel trains: ``config`` (capped at ``EPOCHS``) on (X, y) for ``seeds``."""

    key: tuple  # what the population's numbers depend on: equal keys, equal results
    config: RunConfig
    X: np.ndarray
    y: np.ndarray
    seeds: list  # 0..SEEDS-1, and the page's seed when it is not among them
    seed: int  # the page's seed
    origin: str | None  # None: the page's weights are the seed's; else why they are not
    held_out: int = 0  # rows of the page's test share: never given to the population
    cancelled: threading.Event = field(default_factory=threading.Event)


def work(n_rows, n_params, n_networks=None, epochs=None):
    """The cost measure limited by ``MAX_WORK``: network-epochs × rows × parameters (by
    default for ``SEEDS`` networks and ``EPOCHS`` epochs)."""
    n_networks = SEEDS if n_networks is None else n_networks
    return float(n_networks) * (EPOCHS if epochs is None else epochs) * n_rows * n_params


def job_for(session):
    """The job for the session's configuration, or XornetError with the panel's sentence."""
    run = session.spec.run
    config = replace(run, epochs=EPOCHS)
    X, y, net = session.X, session.y, session.net
    cost = work(len(X), net.n_params)
    if cost > MAX_WORK:
        rows = int(MAX_WORK // work(1, net.n_params))
        raise XornetError(
            f"success rate: {SEEDS:,} seeds × {EPOCHS:,} epochs × {len(X):,} rows × "
            f"{net.n_params} parameters is {cost:.1e}, more than the {MAX_WORK:.0e} the panel "
            f"trains in the background; use at most {rows:,} points with this network, or "
            "fewer hidden units.")
    for layer in net.layers:
        if not layer.activation.differentiable:
            raise XornetError(
                f"success rate: layer {layer.index} uses the {layer.activation.name} "
                "activation, which backpropagation cannot train, so no seed learns; choose "
                "sigmoid, tanh or relu.")
    seeds = list(range(SEEDS))
    if run.seed >= SEEDS:
        seeds.append(run.seed)
    key = (SEEDS, repr(replace(config, seed=0)), session.data_name, _digest(X), _digest(y),
           run.seed if run.seed >= SEEDS else None)
    held_out = 0 if session.test is None else len(session.test[0])
    return Job(key, config, X, y, seeds, run.seed, _origin(session), held_out)


def _digest(a):
    """A fingerprint of an array (an upload may keep its name and change its rows)."""
    return (a.shape, hashlib.blake2b(np.ascontiguousarray(a).tobytes(), digest_size=16).hexdigest())


def _origin(session):
    if session.loaded:
        return (f"the page's starting weights come from {session.loaded}, not from a seed, "
                "so they have no place in this histogram")
    if session.edited:
        return ("the page's starting weights were edited by hand, so they are no longer the "
                "seed's and have no place in this histogram")
    return None


def backend_for():
    """``auto`` (the compiled kernel where it can run) when its cache is warm; otherwise the
    NumPy path, which answers the default run in about 4 s, sooner than a first compile
    (about 35 s on this laptop) would."""
    try:
        warm = kernel.cache_is_warm()
    except OSError:
        warm = False
    return "auto" if warm else "numpy"


@dataclass(frozen=True)
class Outcome:
    """A finished job: what each network did (indexed like ``Job.seeds``), and how it was
    trained. Only these few arrays are kept, not the weights, so outcomes are cheap to keep."""

    key: tuple
    seeds: tuple
    solved: np.ndarray  # (N,) bool: solved at the end (``PopulationResult.solved``)
    solved_epoch: np.ndarray  # (N,) int: first epoch within tolerance, -1 for never
    diverged: np.ndarray  # (N,) bool
    backend: str
    seconds: float
    note: str  # why the NumPy path trained, or ""


# Finished outcomes by key, shared by every page of the server: a page reloaded, or a second
# tab with the same set-up, shows its panel at once. Small: a few hundred bytes a seed.
CACHED = 32
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def cached(key):
    """The finished outcome for ``key``, or None."""
    with _cache_lock:
        outcome = _cache.get(key)
        if outcome is not None:
            _cache.move_to_end(key)
        return outcome


def train(job, backend=None):
    """Train the job's population (in ``WORKER``, from ``live.py``); None if cancelled."""
    if job.cancelled.is_set():
        return None
    known = cached(job.key)  # trained for another page while this one waited
    if known is not None:
        return known
    start = time.perf_counter()
    chosen = backend or backend_for()
    result = train_population(job.config, job.X, job.y, job.seeds, backend=chosen,
                              threads=THREADS)
    seconds = time.perf_counter() - start
    note = result.backend_note
    if result.backend == "numpy" and chosen == "auto" and not note:
        note = kernel.unsupported(result.setup) or ""
    outcome = Outcome(job.key, tuple(job.seeds), result.solved.copy(),
                      result.solved_epoch.copy(), result.diverged.copy(), result.backend,
                      seconds, note)
    with _cache_lock:
        _cache[job.key] = outcome
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return outcome


def panel(outcome, job):
    """The panel's message for ``job`` from a finished population (``outcome.key`` must be
    ``job.key``): the shares, the histogram and the page's seed among the seeds."""
    r = outcome
    solved, first = r.solved[:SEEDS], r.solved_epoch[:SEEDS]
    diverged = r.diverged[:SEEDS]
    stalled = ~solved & ~diverged
    epochs = first[solved]
    edges, counts = histogram(epochs)
    message = {
        "type": "success", "state": "done", "seeds": SEEDS, "epochs": EPOCHS,
        "solved": int(solved.sum()), "success_rate": float(solved.mean()),
        "stalled": int(stalled.sum()), "diverged": int(diverged.sum()),
        "median": float(np.median(epochs)) if epochs.size else None,
        "edges": edges, "counts": counts,
        "backend": r.backend, "note": outcome.note, "seconds": outcome.seconds,
        "seed": seed_place(r, job),
    }
    message["headline"] = headline(message)
    message["rows"] = rows_sentence(len(job.X), job.held_out)
    return message


def rows_sentence(n_train, held_out):
    """Which rows the population trained on: with a test share, the training rows only."""
    if not held_out:
        return ""
    return (f"Each seed trains on the {n_train:,} training rows only; the {held_out:,} "
            "held-out rows are never used, so \"solve\" means solving the training rows.")


def histogram(epochs):
    """Log-spaced bins over the epochs to solve: ([edges], [counts]); bin i holds the seeds
    with edges[i] ≤ epochs < edges[i + 1] (the last bin includes its right edge)."""
    if epochs.size == 0:
        return [], []
    low, high = int(epochs.min()), int(epochs.max())
    low = max(low, 1)  # epoch 0 (solved before any update) shares the first bar
    edges = np.unique(np.round(np.geomspace(low, high + 1, BINS + 1)))
    if edges.size < 2:
        edges = np.array([low, low + 1.0])
    counts, _ = np.histogram(np.maximum(epochs, low), bins=edges)
    return [int(e) for e in edges], [int(c) for c in counts]


def seed_place(r, job):
    """Where the page's seed falls: its epochs (or that it stalls or diverges), the share of
    the 1,000 seeds it beats, and the sentence the panel shows."""
    k = r.seeds.index(job.seed)
    place = {"seed": job.seed, "solved": bool(r.solved[k]), "diverged": bool(r.diverged[k]),
             "solved_epoch": int(r.solved_epoch[k]) if r.solved[k] else None,
             "faster_than": None, "origin": job.origin}
    solved, first = r.solved[:SEEDS], r.solved_epoch[:SEEDS]
    if r.solved[k]:
        e = int(r.solved_epoch[k])
        slower = ~solved | (first > e)  # a seed that never solves is slower than any that does
        place["faster_than"] = float(slower.mean())
        place["sentence"] = (f"seed {job.seed} solves in {e:,} epochs: faster than "
                             f"{percent(place['faster_than'])} of seeds")
    elif r.diverged[k]:
        share = float(r.diverged[:SEEDS].mean())
        place["sentence"] = f"seed {job.seed} diverges; {percent(share)} of seeds do"
    else:
        share = float((~solved & ~r.diverged[:SEEDS]).mean())
        place["sentence"] = (f"seed {job.seed} stalls (not solved in {EPOCHS:,} epochs); "
                             f"{percent(share)} of seeds do")
    if job.origin:
        place["sentence"] = f"{job.origin[0].upper()}{job.origin[1:]}."
    return place


def headline(message):
    rate = percent(message["success_rate"])
    return f"{rate} of {message['seeds']:,} seeds solve within {message['epochs']:,} epochs"


def percent(share):
    """A share as the panel writes it: whole per cents, or one decimal near 0 and 100."""
    value = 100 * share
    return f"{value:.1f} %" if 0 < value < 1 or 99 < value < 100 else f"{value:.0f} %"


def running(job):
    """The message while a job trains (the page dims the last histogram)."""
    return {"type": "success", "state": "running", "seeds": SEEDS, "epochs": EPOCHS,
            "seed": job.seed}


def refused(sentence):
    return {"type": "success", "state": "refused", "message": sentence}
