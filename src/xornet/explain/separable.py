"""Is a dataset linearly separable? An exact answer, a separating line, or the best a line can do.

Data with 0/1 targets is *linearly separable* when some hyperplane ``w·x + b = 0`` has every 1
strictly on its positive side and every 0 strictly on its negative side: exactly the data a
network with no hidden layer (a perceptron) can classify.

The test is a linear programme: with s = +1 for a 1 and −1 for a 0, maximise the margin t
subject to ``s·(w·x + b) ≥ t`` and ``|w_j| ≤ 1``; the data is separable exactly when the best t
is above 0. Small data is solved by the simplex method in rational arithmetic
(``fractions.Fraction``; every float is a rational number), so there is no rounding at all.
Larger data is solved in floats first and the answer is then *proved* exactly: a line by
checking every point (with a rigorous bound on the float rounding), "not separable" by a
handful of points that no line separates, re-solved in rationals. If a proof fails, an exact
working set decides: solve on a few points, add the points that line gets wrong, repeat.
The simplex method itself, which knows nothing of data, is in ``xornet.explain.simplex``.
"""

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from xornet.errors import XornetError
from xornet.explain.simplex import FLOAT_PIVOT_LIMIT, maximise

FULL_SOLVE_ROWS = 40  # up to this many points, solve on all of them at once
BEST_ACCURACY_ROWS = 16  # the best accuracy of a line is searched for data this small ...
BEST_ACCURACY_BUDGET = 100  # ... spending at most this many linear programmes
LIST_POINTS_UP_TO = 8  # sentences name the points of data this small

__all__ = ["BEST_ACCURACY_BUDGET", "BEST_ACCURACY_ROWS", "FLOAT_PIVOT_LIMIT", "FULL_SOLVE_ROWS",
           "LIST_POINTS_UP_TO", "Separability", "boundary_word", "decide", "equation"]


@dataclass(frozen=True)
class Separability:
    """The answer of :func:`decide`.

    ``w`` (n_features,) and ``b`` are a separating hyperplane scaled so the largest |w_j| is 1
    (w all zeros when every target is the same; the 1s are where w·x + b > 0), and ``margin``
    its Euclidean distance to the nearest point; all None when not separable. ``best_correct``
    is, for data that is not separable, the most rows one hyperplane gets right (None when the
    data is too large to search). ``reason`` is a clause saying why ("no line puts (0,1),(1,0)
    on one side and (0,0),(1,1) on the other"); ``explanation`` the whole sentence.
    """

    linearly_separable: bool
    w: np.ndarray | None
    b: float | None
    margin: float | None
    best_correct: int | None
    n_samples: int
    n_features: int
    reason: str
    explanation: str

    @property
    def best_accuracy(self):
        """Fraction of rows the best hyperplane gets right (1.0 when separable), or None."""
        if self.linearly_separable:
            return 1.0
        return None if self.best_correct is None else self.best_correct / self.n_samples


def decide(X, y, name="the data"):
    """Decide exactly whether the 0/1 targets ``y`` are linearly separable over inputs ``X``.

    Parameters
    ----------
    X : array (n_samples, n_features)
    y : array (n_samples, 1) or (n_samples,) of 0s and 1s
    name : str
        What the data is called in the explanation, e.g. "XOR".

    Returns
    -------
    Separability
    """
    X, s = _check(X, y)
    n, d = X.shape
    found = _separator(X, s)
    if found is None:
        best = _best_correct(X, s)
        reason = _obstruction(X, s)
        word = boundary_word(d)
        tail = "" if best is None else f"; the best a single {word} can do is {best} of {n}"
        text = f"{_capital(name)} is not linearly separable: {reason}{tail}."
        return Separability(False, None, None, None, best, n, d, reason, text)
    w, b = found
    scale = max((abs(v) for v in w), default=Fraction(0)) or Fraction(1)
    w = np.array([float(v / scale) for v in w])
    b = float(b / scale)
    norm = float(np.linalg.norm(w))
    margin = float(np.min(s * (X @ w + b))) / norm if norm > 0 else None
    if norm == 0:
        reason = f"every target is {int(b > 0)}, so no boundary is needed"
    else:
        reason = (f"the {boundary_word(d)} {equation(w, b)} puts every 1 on its positive side "
                  "and every 0 on its negative side")
    text = f"{_capital(name)} is linearly separable: {reason}."
    return Separability(True, w, b, margin, None, n, d, reason, text)


def boundary_word(n_features):
    """What a hyperplane is called in ``n_features`` dimensions: threshold, line, plane."""
    return {1: "threshold", 2: "line", 3: "plane"}.get(n_features, "hyperplane")


def equation(w, b, digits=4):
    """``w·x + b = 0`` written out, e.g. "1·x1 + 1·x2 − 1.5 = 0" (zero terms left out)."""
    terms = [(c, f"·x{j + 1}") for j, c in enumerate(w) if c != 0]
    if b != 0 or not terms:
        terms.append((b, ""))
    text = ""
    for k, (c, var) in enumerate(terms):
        sign = ("−" if c < 0 else "") if k == 0 else (" − " if c < 0 else " + ")
        text += f"{sign}{abs(c):.{digits}g}{var}"
    return f"{text} = 0"


# --- checking the input ------------------------------------------------------------------
def _check(X, y):
    """Float inputs (n, d) and signs s (n,): +1 for a target of 1, −1 for a 0."""
    try:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise XornetError("X, y: expected arrays of numbers.") from None
    X = X[:, None] if X.ndim == 1 else X
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise XornetError("X: expected a non-empty 2-D array (samples × features).")
    y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    if y.shape != (X.shape[0],):
        raise XornetError(
            f"y: separability needs one target column with one row per sample; received shape "
            f"{y.shape} for {X.shape[0]} samples."
        )
    if not np.all(np.isfinite(X)):
        raise XornetError("X: the data contains NaN or infinite values; remove them.")
    if not np.all((y == 0.0) | (y == 1.0)):
        bad = y[np.argmax(np.minimum(np.abs(y), np.abs(y - 1.0)))]  # the least 0/1-like
        raise XornetError(
            f"y: separability is about two classes, so every target must be 0 or 1 (found "
            f"{bad:g}); use a classification dataset such as xor, and, or gaussians."
        )
    return X, np.where(y == 1.0, 1.0, -1.0)


# --- the linear programme ------------------------------------------------------------------
def _separator(X, s):
    """An exactly separating (w, b) as Fractions, or None when no hyperplane separates.

    Small data is solved exactly at once. Larger data is first solved in floats, which is fast
    and nearly always right; the float answer is then proved exactly (a line checked against
    every point, or a handful of points that no line separates), and only when that proof
    fails does the exact working-set solve run.
    """
    if np.all(s == s[0]):
        return [Fraction(0)] * X.shape[1], Fraction(int(s[0]))
    if len(X) <= FULL_SOLVE_ROWS:
        return _max_margin(X, s)
    line, support = _float_max_margin(X, s)
    if line is not None and _violators(X, s, *line).size == 0:
        return line
    if support is not None and _max_margin(X[support], s[support]) is None:
        return None
    return _working_set(X, s)


def _working_set(X, s):
    """Solve exactly on a few rows, add the rows that line gets wrong, repeat."""
    rows = _initial_rows(X, s)
    while True:
        found = _max_margin(X[rows], s[rows])
        if found is None:
            return None  # a subset no hyperplane separates: neither does the whole set
        bad = _violators(X, s, *found)
        if bad.size == 0:
            return found
        bad = bad[~np.isin(bad, rows)]  # never empty: the rows themselves are separated
        rows = np.concatenate([rows, bad[:max(FULL_SOLVE_ROWS // 2, rows.size)]])


def _initial_rows(X, s):
    """From each class, the rows nearest the other class's mean."""
    picked = []
    for sign in (1.0, -1.0):
        mine = np.flatnonzero(s == sign)
        other_mean = X[s != sign].mean(axis=0)
        near = np.argsort(np.linalg.norm(X[mine] - other_mean, axis=1), kind="stable")
        picked.append(mine[near[:FULL_SOLVE_ROWS // 2]])
    return np.concatenate(picked)


def _programme(sx, sb, zero, one):
    """The margin programme in standard form (max c·x, D·x ≤ beta, x ≥ 0).

    x = (t, p, q, b⁺, b⁻) with w = p − q, b = b⁺ − b⁻. Rows: t − s_i·(x_i·(p − q) + b⁺ − b⁻)
    ≤ 0 for each point, then p_j ≤ 1 and q_j ≤ 1. With both classes present t is bounded.
    """
    n, d = sx.shape
    margin_rows = np.hstack([np.full((n, 1), one, dtype=sx.dtype), -sx, sx, -sb, sb])
    box = np.full((2 * d, 2 * d + 3), zero, dtype=sx.dtype)
    box[np.arange(2 * d), 1 + np.arange(2 * d)] = one
    D = np.vstack([margin_rows, box])  # (n + 2d, 2d + 3)
    beta = np.array([zero] * n + [one] * (2 * d), dtype=sx.dtype)
    c = np.array([one] + [zero] * (2 * d + 2), dtype=sx.dtype)
    return D, beta, c


def _max_margin(X, s):
    """Solve the margin programme exactly; (w, b) as Fractions when the best t > 0."""
    n, d = X.shape
    sx = np.array([Fraction(v) * int(si) for row, si in zip(X, s, strict=True) for v in row],
                  dtype=object).reshape(n, d)  # (n, d) exact s_i·x_i
    sb = np.array([Fraction(int(si)) for si in s], dtype=object)[:, None]  # (n, 1)
    x, _ = maximise(*_programme(sx, sb, Fraction(0), Fraction(1)), eps=0)
    if x[0] <= 0:
        return None
    return [x[1 + j] - x[1 + d + j] for j in range(d)], x[2 * d + 1] - x[2 * d + 2]


def _float_max_margin(X, s):
    """The same programme in floats on standardised inputs: a candidate (w, b) as Fractions
    when t > 0, else the rows carrying the dual certificate (Σ y_i·s_i·(x_i, 1) = 0, y ≥ 0)."""
    n, d = X.shape
    mean, std = X.mean(axis=0), X.std(axis=0)
    std[std == 0] = 1.0
    Z = (X - mean) / std  # separable exactly when X is: an affine change of coordinates
    x, duals = maximise(*_programme(s[:, None] * Z, s[:, None], 0.0, 1.0), eps=1e-9)
    if x is None:
        return None, None
    if x[0] > 1e-9:
        w = (x[1:d + 1] - x[d + 1:2 * d + 1]) / std
        b = x[2 * d + 1] - x[2 * d + 2] - float(w @ mean)
        return ([Fraction(v) for v in w], Fraction(b)), None
    support = np.flatnonzero(duals[:n] > 1e-9)
    return None, support if np.unique(s[support]).size == 2 else None


def _violators(X, s, w, b):
    """Rows the exact (w, b) does not put strictly on their side, most violated first.

    Margins are computed in floats with a rigorous bound on their rounding error; only rows
    within the bound of 0 are recomputed exactly.
    """
    wf = np.array([float(v) for v in w])
    bf = float(b)
    m = s * (X @ wf + bf)  # (n,)
    bound = (X.shape[1] + 3) * 2.0**-52 * (np.abs(X) @ np.abs(wf) + abs(bf))
    bad = m < -bound
    for i in np.flatnonzero(np.abs(m) <= bound):
        exact = sum((Fraction(v) * wj for v, wj in zip(X[i], w, strict=True)), b)
        bad[i] = exact * int(s[i]) <= 0
    idx = np.flatnonzero(bad)
    return idx[np.argsort(m[idx], kind="stable")]


# --- how far from separable ----------------------------------------------------------------
def _best_correct(X, s):
    """Most rows one hyperplane gets right: drop 1, 2, ... rows until the rest separate.

    Exact, and cheap for small data; None when it would take more than
    BEST_ACCURACY_BUDGET linear programmes.
    """
    n = len(X)
    if n > BEST_ACCURACY_ROWS:
        return None
    spent = 0
    for k in range(1, n):
        spent += math.comb(n, k)
        if spent > BEST_ACCURACY_BUDGET:
            return None
        for dropped in itertools.combinations(range(n), k):
            keep = np.setdiff1d(np.arange(n), dropped)
            if _separator(X[keep], s[keep]) is not None:
                return n - k
    return None  # unreachable: a single row is always separable


def _obstruction(X, s):
    word = boundary_word(X.shape[1])
    if len(X) > LIST_POINTS_UP_TO:
        return f"no {word} puts every 1 on one side and every 0 on the other"
    ones = ",".join(_point(x) for x in X[s > 0])
    zeros = ",".join(_point(x) for x in X[s < 0])
    return f"no {word} puts {ones} on one side and {zeros} on the other"


def _point(x):
    return "(" + ",".join(f"{v:g}" for v in x) + ")"


def _capital(text):
    return text[:1].upper() + text[1:]


def single_layer_note(X, y, name="this data"):
    """Why a network with no hidden layer cannot learn ``(X, y)``, or None when it could.

    One sentence for 0/1 single-column targets that are not linearly separable, e.g. for XOR:
    no single layer can learn it, no line separates its classes, the best is 3 of 4 rows.
    None when the data is separable (a failure there is the training's, not the
    architecture's) or when the targets are not one 0/1 column.
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] != 1:
        return None
    if y.size == 0 or not np.all((y == 0.0) | (y == 1.0)):
        return None
    result = decide(X, y)
    if result.linearly_separable:
        return None
    word = boundary_word(result.n_features)
    best = (f", so a single layer gets at most {result.best_correct} of {result.n_samples} "
            "rows right" if result.best_correct is not None else "")
    return (f"No network without a hidden layer can learn {name}: a single layer's boundary is "
            f"one {word}, and {result.reason}{best}; add a hidden layer with a non-linear "
            "activation (sigmoid, tanh or relu).")
