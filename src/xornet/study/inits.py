"""The initialisation explorer: how often training succeeds, as a function of where it starts.

For each initialiser, each scale r of it (U(−r, r) for ``uniform``, N(0, r²) for ``normal``),
each hidden width and each tolerance, the population trainer trains the same set-up from
seeds 0..S-1 and the doctor examines every network that failed. A ``Point`` holds what one
such population did: its success rate with a 95 % interval, the median epochs to solve and
the failure mix, each failed network counted once under its first diagnosis (the doctor's
order, ``xornet.doctor.diagnose.CHECKS``) or as ``unexplained``, so the mix sums to the
failures.

``CLASSIC`` is the set-up of the classic measurement (issue 13): 2-2-1 sigmoid units with
bias, ½·Σ(ŷ − y)² (the ``sse`` loss), gradient descent with lr 0.5 and momentum 0.9, at most
5000 epochs, solved = every output within 0.5 of its target. ``REFERENCE`` is what a
plain-NumPy loop measured there. Kolen and Pollack (1990, "Back propagation is sensitive to
initial conditions", Complex Systems 4) first described how strongly the outcome of
training depends on the initial weights.
"""

import math
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from xornet.core import initializers, network
from xornet.errors import XornetError
from xornet.io import datasets
from xornet.population.sweep import diagnose_network
from xornet.population.trainer import train_population
from xornet.train.config import RunConfig

CLASSIC = RunConfig(
    hidden=(2,), activation="sigmoid", output_activation="sigmoid", bias=True,
    init="uniform", loss="sse", optimizer="sgd", momentum=0.9, lr=0.5, epochs=5000,
    tolerance=0.5,
    # one attempt per seed, stopped when first solved: the explorer counts how often a
    # start fails, so nothing restarts it, and epochs after "solved" change no outcome
    stop_when_solved=True, until_crisp=False, restarts=0,
)
RANGES = (0.1, 0.3, 1.0, 4.0)  # the scales of the classic measurement
REFERENCE = {0.1: 0.67, 0.3: 0.97, 1.0: 0.83, 4.0: 0.54}  # its success rates, U(±r)
Z95 = 1.959964  # the standard normal's 97.5 % quantile: a two-sided 95 % interval
MAX_SEEDS = 100_000  # per point: ±0.3 points at most, beyond what any curve here needs
MAX_NETWORKS = 2_000_000  # over every point: more is more likely a typo than a plan
MAX_POINTS = 200  # rows of one table, bars of one picture: more no longer read
# The scales r accepted: up to the initialisers' own limit (10^6); from 10^-6, since below it
# every start is all but the zero network (every sigmoid output 0.5 to within 10^-6, which a
# tolerance of 0.5 already counts as solved before any update), and a subnormal r such as
# 1e-320 loses the precision a weight needs.
MIN_SCALE, MAX_SCALE = 1e-6, 1e6
UNEXPLAINED = "unexplained"  # a failed network none of the doctor's checks recognised


def wilson_interval(solved, n, z=Z95):
    """The Wilson score interval (Wilson 1927, JASA 22) for ``solved`` successes out of ``n``:
    unlike p ± z·√(p(1−p)/n) it stays inside [0, 1] and is not empty at 0 or n successes."""
    if n <= 0:
        return (math.nan, math.nan)
    p, z2 = solved / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Point:
    """What one population did: one initialiser at one scale, one width, one tolerance."""

    init: str  # the initialiser's family: uniform, normal, xavier, ...
    scale: float | None  # r of U(−r, r) or σ of N(0, σ²); None for an unscaled initialiser
    hidden: tuple  # hidden layer sizes
    tolerance: float
    networks: int
    solved: int
    diverged: int
    epochs_median: float | None  # epochs to solve, over the solved networks
    epochs_p90: float | None
    failures: dict  # first diagnosis code (or "unexplained") → failed networks, most first
    backend: str
    epochs_to_solve: np.ndarray = field(repr=False, compare=False)  # of the solved networks

    @property
    def name(self):
        """The initialiser as ``Network(init=...)`` takes it: ``uniform:0.3``, ``xavier``."""
        return self.init if self.scale is None else f"{self.init}:{self.scale:g}"

    @property
    def success_rate(self):
        return self.solved / self.networks

    @property
    def failed(self):
        return self.networks - self.solved

    @property
    def interval(self):
        """The success rate's 95 % interval (Wilson)."""
        return wilson_interval(self.solved, self.networks)

    @property
    def reference(self):
        """The classic measurement's success rate at this point, or None where it has none."""
        if self.init != "uniform" or self.hidden != (2,) or self.tolerance != 0.5:
            return None
        return REFERENCE.get(self.scale)

    def as_dict(self):
        low, high = self.interval
        return {"init": self.init, "scale": self.scale, "name": self.name,
                "hidden": list(self.hidden), "tolerance": self.tolerance,
                "networks": self.networks, "solved": self.solved,
                "success_rate": self.success_rate, "interval95": [low, high],
                "diverged": self.diverged, "epochs_to_solve_median": self.epochs_median,
                "epochs_to_solve_p90": self.epochs_p90, "failed": self.failed,
                "failures": dict(self.failures), "backend": self.backend}


@dataclass
class InitStudy:
    """Every point of an exploration, in order: width slowest, then tolerance, initialiser,
    scale fastest."""

    base: RunConfig  # the shared set-up (its hidden, tolerance and init are varied)
    seeds: int
    points: list
    reference_applies: bool  # the classic set-up on XOR: REFERENCE can be compared
    setup_time: float = 0.0
    compile_time: float = 0.0
    train_time: float = 0.0
    diagnose_time: float = 0.0
    backend_note: str = ""  # why the NumPy path ran where the kernel was asked for

    @property
    def backends(self):
        """The backends that trained the points, in order of first use."""
        return tuple(dict.fromkeys(p.backend for p in self.points))

    def comparison(self):
        """The classic measurement beside this one, per point that has a reference value:
        dicts of point, reference, measured, difference and ``margin`` (the 95 % margin of
        the difference of two binomial estimates, each from this many seeds: the
        reference's own number of seeds was not recorded) and ``agrees``."""
        if not self.reference_applies:
            return []
        rows = []
        for p in self.points:
            if p.reference is None:
                continue
            rate = p.success_rate
            margin = Z95 * math.sqrt(2 * rate * (1 - rate) / p.networks)
            diff = rate - p.reference
            rows.append({"name": p.name, "reference": p.reference, "measured": rate,
                         "difference": diff, "margin": margin,
                         "agrees": abs(diff) <= margin})
        return rows

    def as_dict(self):
        return {"base": self.base.as_dict(), "seeds": self.seeds,
                "backends": list(self.backends), "backend_note": self.backend_note,
                "points": [p.as_dict() for p in self.points],
                "reference": self.comparison(),
                "timing": {"setup": self.setup_time, "compile": self.compile_time,
                           "train": self.train_time, "diagnose": self.diagnose_time}}


def plan(ranges=RANGES, inits=("uniform",), hidden=((2,),), tolerances=(0.5,), seeds=2000):
    """The points an exploration trains, checked: a list of (hidden, tolerance, init, scale)
    with scale None for an initialiser that takes none. Raises before anything trains."""
    ranges = [_scale(r) for r in _listed("ranges", ranges)]
    inits = [_family(name) for name in _listed("init", inits)]
    hidden = [_width(h) for h in _listed("hidden", hidden)]
    tolerances = [_tolerance(t) for t in _listed("tolerance", tolerances)]
    for flag, values in (("ranges", ranges), ("init", inits), ("hidden", hidden),
                         ("tolerance", tolerances)):
        twice = next((v for i, v in enumerate(values) if v in values[:i]), None)
        if twice is not None:
            raise XornetError(f"{flag}: {_show(twice)} is listed twice; list each value once.")
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) \
            or not 1 <= seeds <= MAX_SEEDS:
        raise XornetError(f"seeds: expected a whole number from 1 to {MAX_SEEDS:,}; received "
                          f"{seeds!r}.")
    points = [(h, t, name, r if name in initializers.SCALED else None)
              for h in hidden for t in tolerances for name in inits
              for r in (ranges if name in initializers.SCALED else [None])]
    if len(points) > MAX_POINTS:
        raise XornetError(f"ranges: the lists make {len(points)} points (hidden × tolerance × "
                          f"init × ranges), more than {MAX_POINTS} one table can show; list "
                          "fewer values.")
    if len(points) * seeds > MAX_NETWORKS:
        raise XornetError(f"seeds: {len(points)} points × {seeds:,} seeds is "
                          f"{len(points) * seeds:,} networks, more than {MAX_NETWORKS:,}; "
                          "use fewer seeds or shorter lists.")
    return points


def explore(base=None, X=None, y=None, *, ranges=RANGES, inits=("uniform",),
            hidden=((2,),), tolerances=None, seeds=2000, backend="auto", threads=None,
            on_point=None):
    """Train seeds 0..``seeds``-1 from every initialiser, scale, width and tolerance listed;
    return an ``InitStudy``.

    Parameters
    ----------
    base : RunConfig, optional
        The shared set-up (default ``CLASSIC``); its seed, init, hidden and tolerance are
        replaced per point.
    X, y : arrays, optional
        The data (default XOR).
    ranges : sequence of float
        Scales of the scaled initialisers: r of U(−r, r), σ of N(0, σ²).
    inits : sequence of str
        Initialiser families (``xornet.core.initializers.NAMES``); ``uniform`` and ``normal``
        are drawn at every scale of ``ranges``, the others once.
    hidden : sequence of int or tuple
        Hidden widths (an int n is one layer of n units).
    tolerances : sequence of float, optional
        "Solved" = every output within this of its target (default ``base.tolerance``).
    seeds : int
        Networks per point.
    backend, threads
        As ``train_population``.
    on_point : callable, optional
        Called with each ``Point`` as it is done (for a progress bar).
    """
    base = CLASSIC if base is None else base
    if X is None or y is None:
        X, y = datasets.load("xor")
    tolerances = (base.tolerance,) if tolerances is None else tolerances
    points = plan(ranges, inits, hidden, tolerances, seeds)
    base.check()
    study = InitStudy(base, int(seeds), [], _is_classic(base) and _is_xor(X, y))
    for h, tol, name, scale in points:
        config = replace(base, hidden=h, tolerance=tol)
        init = name if scale is None else f"{name}:{scale:g}"
        result = train_population(config, X, y, int(seeds), inits=init, backend=backend,
                                  threads=threads)
        start = time.perf_counter()
        mix = failure_mix(result, X, y)
        study.diagnose_time += time.perf_counter() - start
        study.setup_time += result.setup_time
        study.compile_time += result.compile_time
        study.train_time += result.train_time
        study.backend_note = study.backend_note or result.backend_note
        summary = result.summary()
        point = Point(name, scale, h, tol, result.n, summary["solved"], summary["diverged"],
                      summary["epochs_to_solve_median"], summary["epochs_to_solve_p90"], mix,
                      result.backend, np.asarray(result.epochs_to_solve, dtype=np.int64))
        study.points.append(point)
        if on_point is not None:
            on_point(point)
    return study


def failure_mix(result, X, y):
    """Each failed network of a ``PopulationResult`` counted once, under its first
    diagnosis (or ``unexplained``): code → count, most common first; sums to the failures."""
    counts = Counter()
    for k in np.flatnonzero(~result.solved):
        found = diagnose_network(result, k, X, y)
        counts[found[0].code if found else UNEXPLAINED] += 1
    return dict(counts.most_common())


def _is_classic(base):
    keep = ("hidden", "tolerance", "init", "seed")  # varied per point, or unused
    return replace(base, **{k: getattr(CLASSIC, k) for k in keep}) == CLASSIC


def _is_xor(X, y):
    """The data is XOR's truth table, as the classic measurement trained on."""
    want_X, want_y = datasets.load("xor")
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return X.shape == want_X.shape and y.size == want_y.size and bool(
        np.array_equal(X, want_X) and np.array_equal(y.reshape(want_y.shape), want_y))


def _listed(flag, values):
    vals = [values] if isinstance(values, (str, int, float)) else list(values)
    if not vals:
        raise XornetError(f"{flag}: the list is empty; give at least one value.")
    return vals


def _scale(value):
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not MIN_SCALE <= value <= MAX_SCALE:
        raise XornetError(f"ranges: {value!r} is not a scale; give numbers from 10^-6 to 10^6 "
                          "(r of U(−r, r), σ of N(0, σ²)), such as 0.1,0.3,1,4.")
    return float(value)


def _family(name):
    if not isinstance(name, str) or name not in initializers.NAMES:
        hint = " (the scales go in ranges)" if isinstance(name, str) and ":" in name else ""
        raise XornetError(f"init: unknown initialiser {name!r}{hint}; choose from "
                          f"{', '.join(initializers.NAMES)}.")
    return name


def _width(value):
    sizes = (value,) if isinstance(value, (int, np.integer)) else tuple(value) \
        if isinstance(value, (tuple, list)) else (value,)
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) \
                or not 1 <= n <= network.MAX_UNITS:
            raise XornetError(f"hidden: {n!r} is not a layer size; give whole numbers from 1 "
                              f"to {network.MAX_UNITS}, such as 2,3,4.")
    return tuple(int(n) for n in sizes)


def _tolerance(value):
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise XornetError(f"tolerance: {value!r} is not a tolerance; give numbers > 0, such "
                          "as 0.5,0.1.")
    return float(value)


def _show(value):
    return "x".join(map(str, value)) if isinstance(value, tuple) else f"{value:g}" \
        if isinstance(value, float) else str(value)
