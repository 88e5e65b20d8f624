"""The doctor's checks: each recognises one classic way training fails.

A check reads the numbers ``xornet.doctor.diagnose`` gathers once for a run (the network, its net
inputs and outputs on the data, the loss curve, the settings) and returns a ``Diagnosis`` or
None. The thresholds they judge by sit at the top, each with its reason. The checks live
apart from ``diagnose`` so that the doctor itself reads as a short list of them
(``xornet.doctor.diagnose.CHECKS``), and each check can be read on its own.
"""

import math
from itertools import pairwise

import numpy as np

from xornet.core.naming import unit_names
from xornet.doctor.findings import epochs_word, finding, joined, num, percent, point, shown
from xornet.explain.collapse import collapse
from xornet.train.config import lr_text

# What "failed" means. Every run has failed when some output misses its target by more than
# the tolerance (``History.solved`` is False); a run within tolerance gets no diagnosis. For
# regression (targets other than 0 and 1) a failed run may still be *well fitted*: its squared
# error is under 1 % of the targets' variance (R² ≥ WELL_FITTED), so the curve is right and only
# the last digits are missing (more epochs or a looser tolerance finish it). Its units are not
# blamed: a tanh unit flat on most of the x-range is a step, and steps summed by the output are
# how a network draws a curve. Saturation is a cause of failure only for a poor fit.

# Each threshold is a judgement; the reason sits beside it.
WELL_FITTED = 0.99  # R² = 1 − mean((ŷ − y)²) / var(y): the fit explains 99 % of the variance
STUCK_SPREAD = 0.1  # outputs spread < 10 % of the targets' spread: the inputs barely matter
SAME_WEIGHTS = 1e-6  # relative: units this close started identical and stayed so
FLAT_SLOPE = 0.01  # f′ below 1 % of its peak (sigmoid |z| > 6, tanh |z| > 3.0): no gradient
SATURATED_ROWS = 0.95  # "every or almost every row": all 4 of XOR's rows, 190 of 200
UNDECIDED = 0.05  # an output this close to 0.5 is a tie between 0 and 1
SAME_CODE = 0.05  # hidden codes closer than this (× their scale) cannot be told apart
WINDOW = 0.1  # the "last part of training": the final 10 % of epochs (at least one)
FALLING = 0.01  # a loss that fell ≥ 1 % over that window is still learning; less is flat
FLAT_GRADIENT = 0.01  # without a loss curve: |∇E| below 1 % of E counts as flat
EXPLODED = 100.0  # a loss that grew 100-fold from its start has blown up

# The advice's usual fix for weights that start alike or too large: small random ones.
RANDOM_INIT = {"init": "xavier"}


def diverged(run):
    """The loss or a weight stopped being finite, or the loss grew a hundredfold."""
    curve = list(run.history.loss) if run.history is not None else []
    finite = [v for v in curve if math.isfinite(v)]
    fix = [*_aside("use a smaller learning rate", _lr_times(run, 0.1),
                   f", a tenth of {lr_text(run.lr)}" if run.lr else ""),
           " so each step stays inside the valley"]
    facts = {"initial_loss": _first(finite), "last_finite_loss": finite[-1] if finite else None,
             "lr": run.lr}
    if run.diverged_at is not None or len(finite) < len(curve):
        epoch = run.diverged_at if run.diverged_at is not None else len(finite)
        grew = (f" after the loss grew from {num(finite[0])} to {num(finite[-1])}"
                if len(finite) >= 2 and finite[-1] > finite[0] else "")
        return finding("diverged", f"training diverged in epoch {epoch}: the loss or a weight "
                       f"stopped being finite{grew}", fix, {"epoch": epoch, **facts})
    if run.broken:
        return finding("diverged", "the network's weights are not all finite numbers, so "
                       "training diverged", fix, {"epoch": None, **facts})
    if len(finite) >= 2 and finite[0] > 0 and max(finite) >= EXPLODED * finite[0]:
        peak = int(np.argmax(finite))
        return finding("diverged", f"the loss exploded: it grew from {num(finite[0])} to "
                       f"{num(finite[peak])} (×{num(finite[peak] / finite[0], 2)}) by epoch {peak}",
                       fix, {"epoch": peak, "peak_loss": finite[peak], **facts})
    return None


def symmetric_units(run):
    """Hidden units with identical weights, which compute and learn as one."""
    if run.net is None:
        return None
    groups, largest = [], 0.0
    layers = run.net.layers
    for k, (layer, after) in enumerate(pairwise(layers), start=1):
        parts = [layer.W, after.W.T] + ([layer.b[None, :]] if layer.b is not None else [])
        unit_weights = np.vstack(parts).T  # (n_units, incoming + outgoing + bias)
        scale = max(1.0, float(np.max(np.abs(unit_weights))))
        names = unit_names(run.net.sizes, k)
        for members in _same_rows(unit_weights, SAME_WEIGHTS * scale):
            groups.append([names[j] for j in members])
            spread = np.ptp(unit_weights[members], axis=0)
            largest = max(largest, float(np.max(spread)))
    if not groups:
        return None
    listed = "; ".join(joined(g) for g in groups)
    why = (", the symmetry the zeros init starts with and gradient descent never breaks"
           if run.init == "zeros" else "")
    acts = "each group computes one function and learns" if len(groups) > 1 else \
        "they compute one function and learn"
    return finding(
        "symmetric-units",
        f"hidden units {listed} have identical incoming and outgoing weights (they differ by at "
        f"most {num(largest)}), so {acts} as one unit{why}",
        ["start from random weights (", RANDOM_INIT, ") so the units differ from the first step"]
        if run.init in (None, "zeros", "given") else ["try ", *_aside("another seed", _seed(run))],
        {"groups": groups, "max_difference": largest})


def saturated(run):
    """Sigmoid or tanh units whose net input sits where f′ is almost 0 on nearly every row
    (not in a well-fitted regression: see WELL_FITTED)."""
    if run.y_hat is not None and not _boolean(run.y) and _r_squared(run) >= WELL_FITTED:
        return None
    found = []
    for layer, names, z, slope in _units(run, ("sigmoid", "tanh")):
        if layer is run.net.layers[-1] and layer.activation.name == "sigmoid" \
                and run.loss == "bce":
            continue  # bce's gradient ŷ − y cancels the output's slope: it cannot stall
        zero = np.zeros(1)
        peak = float(layer.activation.derivative(zero, layer.activation.value(zero))[0])
        flat = slope < FLAT_SLOPE * peak  # (n, units)
        for j in np.flatnonzero(flat.mean(axis=0) >= SATURATED_ROWS):
            found.append({"unit": names[j], "activation": layer.activation.name,
                          "rows": int(flat[:, j].sum()), "min_abs_net_input":
                          float(np.min(np.abs(z[:, j]))), "largest_slope":
                          float(np.max(slope[:, j])), "smallest_slope": float(np.min(slope[:, j]))})
    if not found:
        return None
    units = ("unit " if len(found) == 1 else "units ") + joined([u["unit"] for u in found])
    rows = min(u["rows"] for u in found)
    on = f"all {len(run.X)}" if rows == len(run.X) else f"{rows} of {len(run.X)}"
    z_min = min(u["min_abs_net_input"] for u in found)
    top = max(u["largest_slope"] for u in found)
    low = min(u["smallest_slope"] for u in found)
    return finding(
        "saturated",
        f"{units} {'is' if len(found) == 1 else 'are'} saturated: |net input| ≥ {num(z_min)} on "
        f"{on} rows, so f′ is at most {num(top)} (smallest {num(low)}) and almost no gradient "
        "flows through",
        ["start from smaller weights (", RANDOM_INIT, ") or ",
         *_aside("use a smaller learning rate", _lr_times(run, 0.1)),
         " so the net inputs stay in the steep middle"], {"units": found})


def dead_relu(run):
    """ReLU units whose net input is ≤ 0 on every row, so they pass no gradient."""
    found = [{"unit": names[j], "largest_net_input": float(np.max(z[:, j]))}
             for _, names, z, _ in _units(run, ("relu",))
             for j in np.flatnonzero(np.all(z <= 0.0, axis=0))]
    if not found:
        return None
    largest = max(u["largest_net_input"] for u in found)
    smaller = _lr_times(run, 0.1)
    return finding(
        "dead-relu",
        f"ReLU {'unit' if len(found) == 1 else 'units'} {joined([u['unit'] for u in found])} "
        f"{'is' if len(found) == 1 else 'are'} dead: the net input is ≤ 0 on all {len(run.X)} rows "
        f"(largest {num(largest)}), so the output is always 0 and no gradient reaches the weights",
        ["use leaky_relu (", {"activation": "leaky_relu"}, "), which keeps a small slope below "
         "0; or try ", *_aside("another seed", _seed(run)),
         *([" or ", *_aside("a smaller learning rate", smaller)] if smaller else [])],
        {"units": found})


def plateau(run):
    """XOR stalled with 3 of 4 rows right on a flat loss: the 75 % local minimum."""
    if run.net is None or run.solved or run.y.shape != (4, 1) or not _boolean(run.y):
        return None
    err = np.abs(run.y_hat - run.y).ravel()
    undecided = np.abs(run.y_hat.ravel() - 0.5) < UNDECIDED
    right = ~undecided & (err < 0.5)
    n_right, n_undecided = int(right.sum()), int(undecided.sum())
    if not 3 <= n_right + 0.5 * n_undecided < 4:
        return None
    flat = _flatness(run)
    if flat is None or not flat["flat"]:
        return None
    rows = [point(x) for x in run.X]
    state = f"{n_right} of 4 rows are right"
    if n_undecided:
        stuck = ", ".join(f"{rows[i]} → {num(run.y_hat[i, 0])}" for i in np.flatnonzero(undecided))
        state += f" and {n_undecided} sit at the middle ({stuck}), 3 of 4 at best when rounded"
    merged = _merged_rows(run)
    why = (f"; the hidden layer gives {joined([rows[i] for i in merged])} almost the same code, so "
           "the output cannot tell them apart" if merged else "")
    hidden = run.net.sizes[1:-1]
    more = {"hidden": tuple(2 * n for n in hidden) if hidden else (2,)}
    return finding(
        "plateau-3-of-4",
        f"{state}, and {flat['text']}: the run sits on the 75 % plateau, a local minimum{why}",
        ["try ", *_aside("another seed", _seed(run)), " or more hidden units (", more,
         "), which rarely stall here"],
        {"rows_right": n_right, "rows_undecided": n_undecided, "outputs": run.y_hat.ravel(),
         "merged_rows": [run.X[i] for i in merged], **{k: v for k, v in flat.items()
                                                       if k not in ("flat", "text")}})


def stuck_output(run):
    """An output that barely changes with the input."""
    if run.net is None or run.solved:
        return None
    out_spread, y_spread = np.ptp(run.y_hat, axis=0), np.ptp(run.y, axis=0)  # (n_out,)
    stuck = np.flatnonzero((y_spread > 0) & (out_spread < STUCK_SPREAD * y_spread))
    if stuck.size == 0:
        return None
    names = unit_names(run.net.sizes, len(run.net.sizes) - 1)
    c = int(stuck[0])
    lo, hi, mean = (float(f(run.y_hat[:, c])) for f in (np.min, np.max, np.mean))
    falling = still_learning(run)
    if run.init == "zeros":
        fix = ["start from random weights (", RANDOM_INIT, "): from all zeros every input looks "
               "alike"]
    elif len(run.net.sizes) > 2 and collapse(run.net) is not None:
        fix = ["add a hidden layer with a non-linear activation (",
               {"hidden": (2,), "activation": "tanh"}, ")"]
    elif len(run.net.sizes) == 2:
        fix = ["add a hidden layer (", {"hidden": (2,)}, " or more): without one the network "
               "draws a single line, which cannot separate XOR-like data"]
    elif falling is not None:
        fix = ["keep training (", {"epochs": 10 * run.history.epochs}, "): the outputs spread "
               "apart once the loss leaves its flat start"]
    else:
        fix = ["try ", *_aside("another seed", _seed(run)), ", a random init (", RANDOM_INIT,
               ") or ", *_aside("a larger learning rate", _lr_times(run, 2)),
               " to leave the flat start"]
    return finding(
        "stuck-output",
        f"the output {joined([names[i] for i in stuck])} is stuck near {num(mean, 3)} for every "
        f"input: it only ranges from {num(lo)} to {num(hi)} (spread {num(hi - lo, 2)}, "
        f"{percent((hi - lo) / y_spread[c])} of the targets' spread {num(y_spread[c])})", fix,
        {"units": [names[i] for i in stuck], "min": lo, "max": hi, "mean": mean,
         "output_spread": out_spread[stuck], "target_spread": y_spread[stuck]})


def linear_hidden(run):
    """Every hidden layer linear: the network is one layer in disguise (see collapse.py)."""
    if run.net is None or run.solved or len(run.net.sizes) < 3 or collapse(run.net) is None:
        return None
    kinds = sorted({layer.activation.name for layer in run.net.layers[:-1]})
    return finding(
        "linear-hidden",
        f"every hidden layer is {'/'.join(kinds)}, so the network collapses to a single layer "
        "(W = W1·W2·…): it can only draw one straight boundary, whatever its weights",
        ["use a non-linear hidden activation (", {"activation": "tanh"}, ", ",
         {"activation": "sigmoid"}, " or ", {"activation": "relu"}, "); another seed or "
         "learning rate cannot help"],
        {"hidden_activations": kinds})


def still_learning(run):
    """The epochs ran out while the loss was still falling."""
    h = run.history
    if run.solved or h is None or run.diverged_at is not None or h.stop_reason != "max epochs":
        return None
    change = _last_drop(h.loss)
    if change is None or change["drop"] < FALLING:
        return None
    bigger = _lr_times(run, 2)
    return finding(
        "still-learning",
        f"the loss was still falling when the {h.epochs} epochs ran out: it fell "
        f"{percent(change['drop'])} ({num(change['before'])} → {num(change['after'])}) over the "
        f"last {epochs_word(change['window'])}",
        ["train longer (", {"epochs": 10 * h.epochs}, ")",
         *([" or ", *_aside("with a larger learning rate", bigger)] if bigger else [])],
        {"epochs": h.epochs, **change})


# --- helpers --------------------------------------------------------------------------------

def _units(run, activation_names):
    """(layer, unit names, z (n, units), f′(z) (n, units)) of each layer with these activations."""
    if run.net is None:
        return
    for k, layer in enumerate(run.net.layers, start=1):
        if layer.activation.name in activation_names:
            slope = layer.activation.derivative(layer.z, layer.a)
            yield layer, unit_names(run.net.sizes, k), layer.z, slope


def _same_rows(M, tol):
    """Groups (of ≥ 2 row indices) of rows of M within ``tol`` of the group's first row.

    Rows are taken in order; each joins the first group whose first row it is close to, or
    starts a new one. A row with no other row within ``tol`` in its first column can neither
    join nor be joined, so only the rest — found with one sort — are compared, each with
    every group's first row at once: 4096 units take milliseconds, not a pair-by-pair loop.
    """
    first = np.sort(M[:, 0])
    near = (np.searchsorted(first, M[:, 0] + tol, "right")
            - np.searchsorted(first, M[:, 0] - tol, "left")) > 1  # (n,): some other row close
    groups, leaders = [], np.empty_like(M)  # leaders[:len(groups)]: each group's first row
    for j in np.flatnonzero(near):
        close = np.flatnonzero(np.max(np.abs(leaders[:len(groups)] - M[j]), axis=1) <= tol)
        if close.size:
            groups[close[0]].append(int(j))
        else:
            leaders[len(groups)] = M[j]
            groups.append([int(j)])
    return [g for g in groups if len(g) > 1]


def _last_drop(curve):
    """How much the loss fell over the last WINDOW of epochs, as a fraction."""
    if len(curve) < 2:
        return None
    window = max(1, round(WINDOW * (len(curve) - 1)))
    before, after = curve[-1 - window], curve[-1]
    drop = (before - after) / before if before > 0 else 0.0
    return {"window": window, "before": before, "after": after, "drop": drop}


def _flatness(run):
    """Is the loss flat? From the curve when there is one, else from the gradient's size."""
    if run.history is not None and len(run.history.loss) >= 2:
        c = _last_drop(run.history.loss)
        return {**c, "flat": c["drop"] < FALLING, "text": f"the loss has stopped falling "
                f"({num(c['before'])} → {num(c['after'])}, {percent(c['drop'])} over the last "
                f"{epochs_word(c['window'])})"}
    if not all(layer.activation.differentiable for layer in run.net.layers):
        return None  # a step network has no gradient to measure
    value = run.net.loss(run.X, run.y, run.loss)
    dW, db = run.net.gradients(run.X, run.y, run.loss)
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in dW + (db or [])))
    return {"gradient_norm": norm, "loss": value, "flat": norm < FLAT_GRADIENT * value,
            "text": f"the loss is flat here (gradient norm {num(norm)} at loss {num(value)})"}


def _merged_rows(run):
    """Rows with different targets whose last hidden codes are nearly the same."""
    if len(run.net.layers) < 2:
        return []
    code = run.net.layers[-2].a  # (n, hidden)
    scale = max(1.0, float(np.max(np.abs(code))))
    rows = set()
    for i in range(len(code)):
        for j in range(i + 1, len(code)):
            if run.y[i, 0] != run.y[j, 0] and np.max(np.abs(code[i] - code[j])) < SAME_CODE * scale:
                rows.update((i, j))
    return sorted(rows)


def _boolean(y):
    return bool(np.all((y == 0.0) | (y == 1.0)))


def _r_squared(run):
    """The share of the targets' variance the outputs explain: 1 − mean((ŷ − y)²) / var(y)
    (1 for a perfect fit; constant targets count as fitted when ŷ hits them)."""
    residual = float(np.mean((run.y_hat - run.y) ** 2))
    variance = float(np.mean(np.var(run.y, axis=0)))
    return 1.0 - residual / variance if variance > 0 else float(residual == 0.0)


def _seed(run):
    """The next seed as a change, or None when the run's seed is unknown."""
    return {"seed": run.seed + 1} if isinstance(run.seed, int) else None


def _lr_times(run, factor):
    """The learning rate times ``factor`` as a change, or None when the run's rate is unknown."""
    if isinstance(run.lr, (tuple, list)):  # one per layer: each times the factor
        return {"lr": tuple(shown(factor * v) for v in run.lr)}
    return {"lr": shown(factor * run.lr)} if run.lr else None


def _aside(words, change, more=""):
    """Suggestion pieces: ``words (change more)``, or just ``words`` without a change."""
    return [words, " (", change, f"{more})"] if change else [words]


def _first(values):
    return values[0] if values else None
