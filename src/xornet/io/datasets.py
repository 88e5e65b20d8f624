"""Datasets by name: logic-gate truth tables, n-bit parity, a sine curve and 2-D point clouds.

Every loader returns float64 arrays ``X`` of shape (n_samples, n_features) and ``y`` of shape
(n_samples, 1), fresh copies the caller may change. Random datasets draw only from
``np.random.default_rng(seed)``, so the same options give the same bits in any process.
Reading the user's own CSV lives in :mod:`xornet.io.csvdata`.
"""

from __future__ import annotations  # hints stay text: `np.random.Generator` would load numpy.random

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from xornet.errors import XornetError

Points = npt.NDArray[np.float64]  # float64, (n, columns)
Data = tuple[Points, Points]  # (X (n, n_features), y (n, 1))

__all__ = [
    "GATE_COLUMNS",
    "NAMES",
    "TRUTH_TABLE_INPUTS",
    "describe",
    "is_boolean",
    "kind",
    "load",
    "train_test_split",
]

# The four rows of every two-input truth table, in binary counting order; read-only so no
# caller can change the table every gate shares.
TRUTH_TABLE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TRUTH_TABLE_INPUTS.setflags(write=False)

# A gate is its output column over the rows above, e.g. XOR is "0110".
GATE_COLUMNS = {
    "and": "0001",
    "or": "0111",
    "nand": "1110",
    "nor": "1000",
    "xor": "0110",
    "xnor": "1001",
}

MAX_BITS = 12  # 4096 rows: big enough to be hard, small enough to train in seconds
MAX_SAMPLES = 100_000  # keeps a generated cloud well under a second and a few MB


@dataclass(frozen=True)
class _Dataset:
    name: str
    description: str
    kind: str  # "truth table", "regression" or "classification"
    make: Callable[[int, int, float, np.random.Generator], Data]  # make(n_bits, n, noise, rng)
    default_noise: float = 0.0


def _gate(column: str) -> Data:
    y = np.array([[float(c)] for c in column])  # (4, 1)
    return TRUTH_TABLE_INPUTS.copy(), y


def _parity(n_bits: int, n: int, noise: float, rng: np.random.Generator) -> Data:
    rows = np.arange(2**n_bits)[:, None]  # (2**n, 1)
    shifts = np.arange(n_bits - 1, -1, -1)  # most significant bit first
    bits = (rows >> shifts) & 1  # (2**n, n_bits)
    y = bits.sum(axis=1, keepdims=True) % 2
    return bits.astype(np.float64), y.astype(np.float64)


def _sine(n_bits: int, n: int, noise: float, rng: np.random.Generator) -> Data:
    x = np.linspace(-np.pi, np.pi, n)[:, None]  # (n, 1), both ends included
    y = np.sin(x)
    if noise > 0:
        y = y + rng.normal(0.0, noise, size=y.shape)
    return x, y


# Each cloud builder returns the clean points of one class, (count, 2); _cloud adds the noise,
# the labels and one shuffle so that online training does not see all of one class first.


def _xor_corners(label: int, count: int, rng: np.random.Generator) -> Points:
    # Class 0 sits on corners (0,0) and (1,1), class 1 on (0,1) and (1,0): XOR of the corner.
    # Alternating corners splits each class evenly, so all four corners are populated.
    corners = np.array([[0.0, 0.0], [1.0, 1.0]] if label == 0 else [[0.0, 1.0], [1.0, 0.0]])
    return corners[np.arange(count) % 2]


def _circle(label: int, count: int, rng: np.random.Generator) -> Points:
    # Class 1 is the inner circle (radius 0.5), class 0 the outer ring (radius 1).
    radius = 0.5 if label == 1 else 1.0
    angle = rng.uniform(0.0, 2 * np.pi, count)
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])


def _moon(label: int, count: int, rng: np.random.Generator) -> Points:
    # Two unit half-circles: class 0 arches up from (0, 0); class 1 arches down, shifted to
    # (1, 0.5) so each moon's tip reaches into the other's hollow.
    angle = rng.uniform(0.0, np.pi, count)
    if label == 0:
        return np.column_stack([np.cos(angle), np.sin(angle)])
    return np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])


SPIRAL_TURNS = 1.5  # enough turns that no straight or gently curved line separates the arms


def _spiral(label: int, count: int, rng: np.random.Generator) -> Points:
    # Radius grows linearly with the angle; class 1 is class 0 rotated by half a turn.
    t = rng.uniform(0.0, 1.0, count)
    angle = 2 * np.pi * SPIRAL_TURNS * t + np.pi * label
    return t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])


BLOB_SPREAD = 0.35  # each blob's own standard deviation; the noise option adds to it


def _blob(label: int, count: int, rng: np.random.Generator) -> Points:
    centre = 0.5 if label == 1 else -0.5
    return rng.normal(centre, BLOB_SPREAD, size=(count, 2))


def _cloud(shape: Callable[[int, int, np.random.Generator], Points]
           ) -> Callable[[int, int, float, np.random.Generator], Data]:
    def make(n_bits: int, n: int, noise: float, rng: np.random.Generator) -> Data:
        n0 = n // 2  # balanced classes; an odd sample goes to class 1
        parts = [shape(0, n0, rng), shape(1, n - n0, rng)]
        X = np.concatenate(parts) + rng.normal(0.0, noise, size=(n, 2))  # (n, 2)
        y = np.concatenate([np.zeros(n0), np.ones(n - n0)])[:, None]  # (n, 1)
        order = rng.permutation(n)
        return X[order], y[order]

    return make


_GATE_NAMES = {"and": "AND", "or": "OR", "nand": "NAND", "nor": "NOR", "xor": "XOR",
               "xnor": "XNOR"}

_REGISTRY = {
    d.name: d
    for d in (
        *(
            _Dataset(
                name, f'{label} gate truth table, 4 rows (column "{GATE_COLUMNS[name]}")',
                "truth table", lambda *_, c=GATE_COLUMNS[name]: _gate(c),
            )
            for name, label in _GATE_NAMES.items()
        ),
        _Dataset("parity", "all 2**n_bits rows of n bits, target = XOR of the bits",
                 "truth table", _parity),
        _Dataset("sine", "y = sin(x) at n_samples points evenly spaced over [-π, π]",
                 "regression", _sine, 0.0),
        _Dataset("xor-cloud", "noisy points around the unit square's corners, label = XOR",
                 "classification", _cloud(_xor_corners), 0.1),
        _Dataset("circles", "inner circle (class 1) inside an outer ring (class 0)",
                 "classification", _cloud(_circle), 0.1),
        _Dataset("moons", "two interleaving half-circles", "classification", _cloud(_moon), 0.1),
        _Dataset("spiral", "two interleaved spirals", "classification", _cloud(_spiral), 0.1),
        _Dataset("gaussians", "two Gaussian blobs, nearly linearly separable",
                 "classification", _cloud(_blob), 0.1),
    )
}

NAMES = tuple(_REGISTRY)


def describe() -> list[tuple[str, str, str]]:
    """List the named datasets for ``xornet datasets``.

    Returns
    -------
    list of (str, str, str)
        ``(name, one-line description, kind)`` for every name :func:`load` accepts, where
        kind is ``"truth table"``, ``"regression"`` or ``"classification"``. Any 4-character
        column of 0/1 such as ``"0110"`` is accepted too and is not listed.
    """
    return [(d.name, d.description, d.kind) for d in _REGISTRY.values()]


def kind(name: str) -> str | None:
    """The kind of the dataset ``name`` as :func:`describe` says it ("truth table" for a
    4-character column such as "0110"), or None for a name :func:`load` does not know."""
    key = name.strip().lower().replace("_", "-") if isinstance(name, str) else None
    if key is not None and len(key) == 4 and set(key) <= {"0", "1"}:
        return "truth table"
    dataset = _REGISTRY.get(key)
    return None if dataset is None else dataset.kind


def load(name: str, *, n_bits: int = 3, n_samples: int = 200, noise: float | None = None,
         seed: int = 0) -> Data:
    """Return the dataset called ``name`` as float64 arrays ``(X, y)``.

    Parameters
    ----------
    name : str
        A name from :func:`describe` (case-insensitive, ``_`` may stand for ``-``), or a
        two-input gate given by its 4-character output column over the rows (0,0), (0,1),
        (1,0), (1,1): ``"0110"`` is XOR, ``"0001"`` is AND.
    n_bits : int
        Number of input bits for ``parity``, 1 to 12.
    n_samples : int
        Number of points for ``sine`` and the clouds, 1 to 100000.
    noise : float or None
        Standard deviation of the Gaussian noise added to the targets (``sine``) or to the
        points (clouds); None means the dataset's default (0 for ``sine``, 0.1 for clouds).
    seed : int
        Seed for ``np.random.default_rng``; the only source of randomness.

    Returns
    -------
    X : ndarray, shape (n, n_features)
    y : ndarray, shape (n, 1)

    Options that do not apply to a dataset are still validated, then ignored.
    """
    n_bits = _check_int("n_bits", n_bits, 1, MAX_BITS)
    n_samples = _check_int("n_samples", n_samples, 1, MAX_SAMPLES)
    seed = _check_int("seed", seed, 0, None)
    noise = _check_noise(noise)
    key = name.strip().lower().replace("_", "-") if isinstance(name, str) else None
    if key is not None and len(key) == 4 and set(key) <= {"0", "1"}:
        return _gate(key)
    dataset = _REGISTRY.get(key)
    if dataset is None:
        raise XornetError(
            f"dataset: unknown name {name!r}; choose one of {', '.join(NAMES)} "
            'or a 4-character truth-table column of 0s and 1s such as "0110".'
        )
    noise = dataset.default_noise if noise is None else noise
    X, y = dataset.make(n_bits, n_samples, noise, np.random.default_rng(seed))
    return X.astype(np.float64, copy=False), y.astype(np.float64, copy=False)


# The split's generator is seeded with (seed, SPLIT_STREAM), not with the seed alone: a cloud
# drawn from default_rng(seed) and a permutation drawn from default_rng(seed) would read the
# same random bits, so which rows are held out would echo where the points were drawn.
SPLIT_STREAM = 1


def train_test_split(X: npt.ArrayLike, y: npt.ArrayLike, test_split: float, seed: int = 0
                     ) -> tuple[Points, Points, Points, Points]:
    """Hold out a seeded share of the rows as a test set the network never trains on.

    Parameters
    ----------
    X : array-like, shape (n, n_features)
    y : array-like, shape (n, n_targets)
    test_split : float
        The fraction of rows held out, strictly between 0 and 1 (TF Playground's "ratio of
        training to test data" of 70 % is ``test_split=0.3``). The test set has
        ``round(test_split · n)`` rows (Python's round: halves go to the even count), at
        least one; the training set must keep one too.
    seed : int
        Seeds the one ``np.random.Generator`` that draws the permutation,
        ``np.random.default_rng([seed, SPLIT_STREAM])``. The command line passes
        the data's seed, so the split belongs to the data: changing the network's seed
        keeps the same rows held out.

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarrays (copies)
        Every row of (X, y) is in exactly one of the two sets; within each set the rows
        keep the order of the permutation.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 2 or len(X) != len(y):
        raise XornetError(f"data: X and y must be 2-D with one row per sample; received "
                          f"shapes {X.shape} and {y.shape}.")
    ok = isinstance(test_split, numbers.Real) and not isinstance(test_split, bool)
    if not ok or not math.isfinite(test_split) or not 0.0 < test_split < 1.0:
        raise XornetError(f"test_split: received {test_split!r}; give the share of rows to "
                          "hold out as a number strictly between 0 and 1, such as 0.3.")
    seed = _check_int("seed", seed, 0, None)
    n = len(X)
    n_test = max(1, round(test_split * n))
    if n_test >= n:
        raise XornetError(f"test_split: holding out {test_split:g} of {n} rows leaves no row "
                          "to train on; give a smaller share or more rows.")
    order = np.random.default_rng([seed, SPLIT_STREAM]).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def split_refusal(name: str) -> str | None:
    """Why the rows of dataset ``name`` are not split into training and test rows (a
    clause naming it), or None when they may be. A truth table holds each input once, so a
    held-out row is not a fresh example of what was learned but a part of the function left
    unsaid; the command line and the playground both refuse it so."""
    if kind(name) != "truth table":
        return None
    return (f"{name} is a truth table with each input once, so a held-out row is not another "
            "example of what the network learned but a part of the function it was never shown")


def is_boolean(y: npt.ArrayLike) -> bool:
    """Return True when every target is exactly 0 or 1 (False for empty or non-numeric ``y``)."""
    try:
        values = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return bool(values.size > 0 and np.all((values == 0.0) | (values == 1.0)))


def _check_int(field: str, value: Any, low: int, high: int | None) -> int:
    # bool is an int in Python, but seed=True is a mistake, never an intent.
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise XornetError(f"{field}: received {value!r}; give a whole number {span}.")
    return int(value)


def _check_noise(noise: Any) -> float | None:
    if noise is None:
        return None
    ok = isinstance(noise, numbers.Real) and not isinstance(noise, bool)
    if not ok or not math.isfinite(noise) or noise < 0:
        raise XornetError(
            f"noise: received {noise!r}; give a finite number of at least 0 "
            "(or None for the dataset's default)."
        )
    return float(noise)
