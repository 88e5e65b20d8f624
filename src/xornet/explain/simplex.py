"""The simplex method for small linear programmes, in floats or in exact rationals.

``xornet.explain.separable`` decides linear separability as a linear programme; this is
the solver it uses, kept apart because it is a general algorithm: nothing in it knows about data or
hyperplanes. With ``fractions.Fraction`` entries it runs in exact arithmetic, so the answer
has no rounding at all.
"""

import itertools
from fractions import Fraction

import numpy as np

FLOAT_PIVOT_LIMIT = 20  # pivots per row and column before the float simplex gives up


def maximise(D, beta, c, eps):
    """Maximise c·x subject to D·x ≤ beta, x ≥ 0, where beta ≥ 0 (so x = 0 is feasible).

    Works on floats (``eps`` a small tolerance) or on Fractions (``eps = 0``: exact).
    Dictionary form: basic = beta − D·nonbasic, objective = const + c·nonbasic. Bland's rule
    (always the lowest-numbered candidate) guarantees termination on degenerate problems.
    Returns the optimal x and the dual value of each row; in floats, (None, None) if rounding
    makes it wander (exact arithmetic never does).
    """
    D, beta, c = D.copy(), beta.copy(), c.copy()
    m, k = D.shape
    nonbasic, basic = list(range(k)), list(range(k, k + m))  # variable k + i is row i's slack
    for pivots in itertools.count():
        entering = [j for j in range(k) if c[j] > eps]
        if not entering:
            break
        if eps and pivots > FLOAT_PIVOT_LIMIT * (m + k):
            return None, None
        j = min(entering, key=lambda col: nonbasic[col])
        # a bounded programme always has a row limiting the entering variable
        rows = np.flatnonzero(D[:, j] > eps)
        ratios = [beta[r] / D[r, j] for r in rows]
        low = min(ratios)
        i = min((r for r, q in zip(rows, ratios, strict=True) if q <= low + eps),
                key=lambda r: basic[r])
        p, col = D[i, j], D[:, j].copy()
        pivot_row = D[i] / p
        pivot_row[j] = 1 / p
        col[i] = 0
        D -= np.outer(col, pivot_row)
        D[:, j] = -col / p
        D[i] = pivot_row
        beta_i = beta[i] / p
        beta -= col * beta_i
        beta[i] = beta_i
        cj = c[j]
        c -= cj * pivot_row
        c[j] = -cj / p
        nonbasic[j], basic[i] = basic[i], nonbasic[j]
    x = np.array([Fraction(0)] * k, dtype=object) if D.dtype == object else np.zeros(k)
    duals = np.zeros(m)
    for i, var in ((i, v) for i, v in enumerate(basic) if v < k):
        x[var] = beta[i]
    for j, var in ((j, v) for j, v in enumerate(nonbasic) if v >= k):
        duals[var - k] = -float(c[j])  # the reduced cost of row (var − k)'s slack
    return x, duals
