"""Circuits: the few units of a layer that carry a unit of the next one, and their formula.

A unit of a later layer (the *consumer*, e.g. ŷ) reads every unit of the layer before, but
often only a few of them matter. A set S of those units **carries** the consumer when,
holding every other unit at its mean over the input rows, the consumer still lands on the
same side of its threshold on every row. The lens reads the consumer's formula over S only
(``ŷ ≈ h3 AND h7``) and says how many units it set aside.

The formula is read on two-valued *stand-ins* for the units in S, and S must reproduce the
consumer's output that way too, so the formula composes to what the network does. Two
readings are tried for each carrying set, in order:

1. ``"middle"``: each unit is on above the middle of its activation's range (its own table)
   and stands in as the low or high end of that range (0/1 for sigmoid, -1/1 for tanh). A
   unit sitting exactly on its threshold on some row (a network without bias pins every
   unit at f(0) on the all-zero row) keeps its real value on that row: the bit is undecided.
2. ``"cut"``: each unit is cut in two at one of the widest gaps between its values and
   stands in as its mean on each side. This is how a network reads units that never reach
   0 or 1 (without a bias a unit cannot move its own threshold, so the next layer sets it):
   the lens reports each cut, e.g. "h2 above 0.761".

The search is smallest first: the sets of 0, 1, 2, … units, while a size has at most
:data:`MAX_WORK` subset × unit × row additions to evaluate (every set of a 16-unit layer on
4 rows; sets of up to 3 of 64 units). The first size with a set that carries and reads wins
(the widest margin among them; the middle reading before cuts). Past that bound a greedy
search adds, one at a time, the unit that puts the most rows on the right side, then drops
any it can do without: the set is small but not proven smallest (``smallest`` says which).
If no set reads either way, the smallest carrying set is read at the middle, and the
formula does not agree with the network (the lens says so).
"""

import itertools
import math

import numpy as np

from xornet.explain.boolfn import all_rows

MAX_WORK = 600_000  # subset × unit × row additions per size tried exhaustively
MAX_FORMULA = 12  # carriers whose formula is read over every combination (4096 rows)
MAX_CUTS = 3  # cuts tried per unit: at the widest gaps between its values
MAX_CUT_SETS = 50  # carrying sets of one size whose cuts are searched (widest margin first)
PINNED = 1e-12  # a unit within this (× its range) of its threshold sits on it


def undecided_rows(values, act):
    """Rows (indices) where a unit with activation ``act`` sits exactly on its threshold."""
    return np.flatnonzero(np.abs(values - act.threshold) <= PINNED * (act.high - act.low))


def switch_point(act):
    """The net input z where ``act`` crosses its threshold (bisection: activations rise)."""
    lo, hi = -1e3, 1e3
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if act.value(np.array([mid]))[0] > act.threshold:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def read(layer, j, prev_layer, names, composed_prev):
    """The circuit of unit j of ``layer`` over the previous layer's cached activations.

    Parameters
    ----------
    layer, prev_layer : Dense
        After ``net.forward`` on every input row: ``prev_layer.a`` is H (R, m).
    j : int
        The consumer's column in ``layer``.
    names : list of str
        The previous units' names.
    composed_prev : array (R, m)
        0/1: each previous unit composed over the inputs (its own table in the first layer);
        the middle reading composes through these, so a formula chains layer by layer.

    Returns
    -------
    dict
        ``carriers`` (indices into the previous layer), ``reading`` ("middle" or "cut"),
        ``bits`` (R, k) 0/1 of each carrier per row as the cut reads it (None: middle),
        ``table`` over the carriers (None past :data:`MAX_FORMULA`), ``composed`` (R,) 0/1
        through the stand-ins, ``held`` {name: mean}, ``thresholds`` {name: cut} (None:
        middle), ``searched`` (every set up to this size was tried), ``smallest`` (False:
        greedy), ``tried_middle`` (the middle reading's composed bits over the carriers when
        cuts replaced it, else None).
    """
    H, act = prev_layer.a, prev_layer.activation  # (R, m)
    w = layer.W[:, j]  # (m,)
    consumer = Consumer(layer.activation, layer.a[:, j], H.mean(axis=0), w,
                        0.0 if layer.b is None else float(layer.b[j]))
    pinned = np.abs(H - act.threshold) <= PINNED * (act.high - act.low)  # (R, m)
    ends = np.where(act.threshold < H, act.high, act.low)
    middle = consumer.contributions(np.where(pinned, H, ends))  # (m, R)
    cuts = Cuts(H, consumer)
    carriers, cut, searched, smallest = search(consumer, consumer.contributions(H), middle, cuts)
    # compose the middle reading through the previous units' own compositions
    composed_ends = np.where(composed_prev == 1, act.high, act.low)
    through = consumer.ideal_bits(consumer.contributions(np.where(pinned, H, composed_ends)),
                                  carriers)
    m = len(w)
    doc = {"carriers": carriers, "searched": searched, "smallest": smallest,
           "held": {names[i]: float(consumer.means[i]) for i in range(m) if i not in carriers}}
    if cut is None:
        return {**doc, "reading": "middle", "bits": None, "thresholds": None,
                "table": consumer.table(carriers, np.full(m, act.low), np.full(m, act.high)),
                "composed": through, "tried_middle": None}
    lo, hi = np.full(m, act.low), np.full(m, act.high)
    lo[carriers], hi[carriers] = cuts.lo[carriers, cut], cuts.hi[carriers, cut]
    t = cuts.t[carriers, cut]  # (k,)
    return {**doc, "reading": "cut", "bits": (H[:, carriers] > t).astype(int),
            "thresholds": {names[i]: float(v) for i, v in zip(carriers, t)},
            "table": consumer.table(carriers, lo, hi),
            "composed": consumer.target.astype(int), "tried_middle": through}


class Consumer:
    """A unit of the next layer as a threshold on z = base + Σ w_i (h_i − mean_i).

    ``base`` is its net input with every previous unit at its mean; ``target`` (R,) the 0/1
    side it lands on with the real activations.
    """

    def __init__(self, act, values, means, w, b):
        self.act, self.means, self.w, self.b = act, means, w, b
        self.base = b + float(means @ w)
        self.target = values > act.threshold  # (R,)
        self.theta = switch_point(act)

    def contributions(self, H):
        """(m, R): w_i (h_ir − mean_i), what unit i adds to the base on row r."""
        return (self.w * (H - self.means)).T

    def sides(self, Z):
        """Z (..., R) net inputs → (..., R) bool: on (above the threshold) or not."""
        return self.act.value(Z) > self.act.threshold

    def ideal_bits(self, D, carriers):
        """(R,) 0/1: the consumer with ``carriers`` at D's values and the rest at their means."""
        return self.sides(self.base + D[list(carriers)].sum(axis=0)).astype(int)

    def table(self, carriers, low, high):
        """The consumer over every combination of the carriers' stand-in values, or None."""
        k = len(carriers)
        if k > MAX_FORMULA:
            return None
        idx, rest = list(carriers), [i for i in range(len(self.w)) if i not in carriers]
        V = low[idx] + (high[idx] - low[idx]) * all_rows(k)  # (2**k, k)
        # summed directly (not base ± means) so a corner with net input exactly 0 stays 0
        z = self.b + V @ self.w[idx] + self.means[rest] @ self.w[rest]
        return "".join("1" if s else "0" for s in self.sides(z))


def search(consumer, actual, middle, cuts):
    """(carriers, cut, searched, smallest): the smallest set that carries the consumer and
    reads (``cut`` None: at the middle; else each carrier's cut index), per the module's
    docstring. ``searched`` is the largest size tried exhaustively."""
    m, R = actual.shape
    fallback = None  # the smallest carrying set, should none read
    for k in range(m + 1):
        if math.comb(m, k) * max(k, 1) * R > MAX_WORK:
            if fallback is not None:
                return fallback[0], None, k - 1, True
            return (*_read_greedy(consumer, actual, middle, cuts), k - 1, False)
        combos = np.array(list(itertools.combinations(range(m), k)), dtype=np.intp)
        combos = combos.reshape(math.comb(m, k), k)  # (N, k); one empty set for k = 0
        carry = _margins(consumer, actual, combos)
        order = [i for i in np.argsort(-carry, kind="stable") if carry[i] > 0]
        if not order:
            continue
        fallback = fallback or ([int(i) for i in combos[order[0]]],)
        ok = _margins(consumer, middle, combos[order])
        if ok.max() > 0:
            return [int(i) for i in combos[order[int(ok.argmax())]]], None, k, True
        for i in order[:MAX_CUT_SETS]:
            cut = cuts.search(consumer, combos[i])
            if cut is not None:
                return [int(c) for c in combos[i]], cut, k, True
    return fallback[0], None, m, True


def _read_greedy(consumer, actual, middle, cuts):
    """(carriers, cut) for a greedy carrying set: at the middle if it reads, else cut."""
    chosen = _greedy(consumer, actual)
    if _margins(consumer, middle, np.array([chosen], dtype=np.intp).reshape(1, -1))[0] > 0:
        return chosen, None
    return chosen, cuts.search(consumer, np.array(chosen, dtype=np.intp))


def _margins(consumer, D, combos):
    """(N,) the smallest distance of z from the switch point over the rows, per set, when
    the set puts the consumer on its side on every row; else -(rows missed), nudged up (by
    less than 0.5) by the set's mean signed margin."""
    Z = consumer.base + D[combos].sum(axis=1)  # (N, R)
    return _score(consumer, Z)


def _score(consumer, Z):
    right = consumer.sides(Z) == consumer.target
    distance = np.abs(Z - consumer.theta)
    near = -(~right).sum(axis=1) + 0.25 * (1 + np.tanh(np.where(right, distance,
                                                                 -distance).mean(axis=1)))
    return np.where(right.all(axis=1), distance.min(axis=1) + 1e-300, near)


def _greedy(consumer, actual):
    """Add the unit that puts most rows right (then the widest margin) until the set
    carries, then drop, one at a time, the units it carries without."""
    m, _ = actual.shape
    chosen = []
    while len(chosen) < m:
        rest = [i for i in range(m) if i not in chosen]
        score = _margins(consumer, actual, np.array([[*chosen, i] for i in rest], dtype=np.intp))
        chosen.append(rest[int(np.argmax(score))])
        if score.max() > 0:
            break
    for i in list(chosen):
        trial = np.array([[c for c in chosen if c != i]], dtype=np.intp).reshape(1, -1)
        if _margins(consumer, actual, trial)[0] > 0:
            chosen = [c for c in chosen if c != i]
    return sorted(chosen)


class Cuts:
    """Per unit, up to :data:`MAX_CUTS` ways to cut its values in two (at the widest gaps
    between them): the cut ``t`` (m, C), the two stand-in values ``lo``/``hi`` (m, C), the
    mean of its values below and above the cut, and what each adds to the consumer ``D``
    (m, C, R). ``n`` (m,) counts each unit's cuts (0 for a constant unit)."""

    def __init__(self, H, consumer):
        R, m = H.shape
        self.t, self.lo, self.hi = (np.zeros((m, MAX_CUTS)) for _ in range(3))
        self.D = np.zeros((m, MAX_CUTS, R))
        self.n = np.zeros(m, dtype=int)
        for i in range(m):
            v = np.unique(H[:, i])  # sorted distinct values
            for c, g in enumerate(np.argsort(-np.diff(v), kind="stable")[:MAX_CUTS]):
                t = 0.5 * (v[g] + v[g + 1])
                on = H[:, i] > t
                self.t[i, c], self.lo[i, c], self.hi[i, c] = t, H[~on, i].mean(), H[on, i].mean()
                self.D[i, c] = consumer.w[i] * (np.where(on, self.hi[i, c], self.lo[i, c])
                                                - consumer.means[i])
                self.n[i] = c + 1

    def search(self, consumer, S):
        """(k,) the cut of each unit in S whose stand-ins reproduce the consumer (widest
        margin first), or None (none does, or too many combinations to try)."""
        k, R = len(S), self.D.shape[2]
        sizes = [int(self.n[i]) for i in S]
        if k == 0 or math.prod(sizes) * k * R > MAX_WORK:
            return None
        choice = np.array(list(itertools.product(*map(range, sizes))), dtype=np.intp)  # (C, k)
        Z = consumer.base + sum(self.D[S[p], choice[:, p]] for p in range(k))  # (C, R)
        score = _score(consumer, Z)
        return None if score.max() <= 0 else choice[int(score.argmax())]
