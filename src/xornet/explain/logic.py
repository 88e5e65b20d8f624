"""The logic lens: read a network on boolean inputs as a circuit of boolean functions.

Every unit is read on all 2**n input rows (binary counting order, x1 the most significant
bit) and its activation is thresholded at the middle of its activation's range: above the
middle reads as 1. The string of those bits is the unit's truth table, e.g. "0111" is OR.
For ReLU, leaky ReLU and linear units, which have no top, the range is 0..1, the range of
the 0/1 targets, so they read as on above 0.5. A unit sitting exactly on its threshold on a
row has an *undecided* bit there (``undecided``): without a bias every first-layer unit sits
at f(0) on the all-zero row, which is 0.5 for sigmoid. Its margin and deviation are measured
on the other rows.

Each layer after the first is read *over the few units of the layer before that carry it*
(``xornet.explain.circuit``): the others are held at their means and set aside, and the
formula is read over the carriers on two-valued stand-ins, e.g. ``ŷ ≈ h1 AND NOT h2``.
Substituting the carriers' own functions composes a truth table over the inputs, e.g.
``= (A OR B) AND NOT (A AND B) = XOR``; ``agrees`` says whether it is what the network
outputs. ``over_previous`` keeps the table over *all* previous units on the ends of their
range (None for more than :data:`MAX_INPUTS` of them).

How close a unit is to boolean is measured two ways, both in the activation's own units:
``margin`` is the smallest distance from the threshold over the rows (0: some row sits on
the threshold), and ``deviation`` is the largest shortfall from the ideal low/high value on
the side the row reads as (0: exactly boolean; overshoot past the ideal, which ReLU and
linear units can do, does not count). A unit is ``crisp`` when its deviation is at most a
tenth of the range.

Naming a truth table ("0110" is XOR) and writing it as an expression is boolean algebra with
no network in it; that lives in ``xornet.explain.boolfn``.
"""

from dataclasses import asdict, dataclass

import numpy as np

from xornet.core.naming import unit_names
from xornet.errors import XornetError
from xornet.explain import circuit
from xornet.explain.boolfn import (
    all_rows,
    cofactors,
    expression,
    function_name,
    input_names,
)

MAX_INPUTS = 12  # 4096 rows, as for the parity dataset
CRISP = 0.1  # a crisp unit is within this fraction of its range of the boolean ideal



# --- check: a model against a truth table -------------------------------------------------
def check(net, X, y, source="dataset"):
    """Evaluate ``net`` on every row of a truth table and compare with the targets.

    Each output is thresholded at the middle of its activation's range (above → 1).

    Returns
    -------
    dict
        ``rows``: one ``{"inputs", "target", "output", "predicted", "ok"}`` per row;
        ``threshold``, ``passed``, ``failed``, ``total`` and ``ok`` (every row passes).
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.sizes[0]:
        cols = X.shape[1] if X.ndim == 2 else X.ndim
        raise XornetError(f"{source}: the truth table has {cols} input columns but the model "
                          f"takes {net.sizes[0]}; give a truth table with {net.sizes[0]} inputs.")
    if y.ndim != 2 or y.shape != (len(X), net.sizes[-1]):
        raise XornetError(f"{source}: the truth table has {y.shape[-1]} target columns but the "
                          f"model has {net.sizes[-1]} outputs; give one target per output.")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise XornetError(f"{source}: the targets must be 0 or 1 to compare with thresholded "
                          "outputs; give a truth table such as xor or 0110.")
    out = net.predict(X)  # (n, n_out)
    threshold = net.layers[-1].activation.threshold
    predicted = (out > threshold).astype(np.float64)
    ok = np.all(predicted == y, axis=1)  # (n,)
    rows = [{"inputs": xi, "target": yi, "output": oi, "predicted": pi, "ok": bool(k)}
            for xi, yi, oi, pi, k in zip(X.tolist(), y.tolist(), out.tolist(),
                                         predicted.tolist(), ok)]
    passed = int(ok.sum())
    return {"rows": rows, "threshold": threshold, "passed": passed,
            "failed": len(rows) - passed, "total": len(rows), "ok": bool(ok.all())}


# --- the lens -----------------------------------------------------------------------------
@dataclass
class Unit:
    """One unit read as a boolean function (see the module docstring for each measure).

    ``values`` are its activations on the input rows and ``table``/``function`` what they
    read as; ``undecided`` the rows where it sits exactly on its threshold. ``over_previous``
    is its truth table over all the previous layer's units on ideal values (over the inputs
    for the first layer; None past MAX_INPUTS units). ``circuit`` (None in the first layer)
    names the units that carry it, the ones set aside with their means, and how they were
    read (``xornet.explain.circuit``); ``reads_as`` is its formula over those carriers (None:
    no short form). ``composed`` is the table over the inputs obtained by substitution,
    ``composed_expression`` and ``composed_function`` its expression and name, and
    ``agrees`` whether it equals ``table``.
    """

    name: str
    layer: int
    activation: str
    low: float
    high: float
    threshold: float
    values: list
    table: str
    function: str
    margin: float
    weakest_row: int
    deviation: float
    crisp: bool
    over_previous: str | None
    reads_as: str | None
    composed: str | None
    composed_expression: str | None
    composed_function: str | None
    agrees: bool | None
    undecided: list
    circuit: dict | None


@dataclass
class Lens:
    """The whole reading: ``inputs`` names, ``rows`` (2**n, n) and one list of units per layer
    (the last list is the output layer)."""

    inputs: list
    rows: np.ndarray
    layers: list
    bias: list  # per layer: whether it has a bias

    @property
    def outputs(self):
        return self.layers[-1]

    @property
    def agrees(self):
        """True when every output's composed function equals what the network outputs."""
        return all(u.agrees for u in self.outputs)

    def as_dict(self):
        return {"inputs": self.inputs, "rows": self.rows.tolist(), "agrees": self.agrees,
                "layers": [[asdict(u) for u in layer] for layer in self.layers],
                "circuit": [{"unit": u.name, **u.circuit} for u in self.outputs if u.circuit]}

    def carriers(self):
        """Names of the units the outputs depend on: the outputs, the units that carry them,
        the units that carry those, and so on back to the first layer."""
        named = {u.name for u in self.outputs}
        for layer in reversed(self.layers[1:]):
            named.update(n for u in layer if u.name in named for n in u.circuit["carriers"])
        return named


def lens(net, X=None, source="data"):
    """Read every unit of ``net`` as a boolean function of its boolean inputs.

    Parameters
    ----------
    net : Network
        Any network with at most :data:`MAX_INPUTS` inputs.
    X : array or None
        Data the network is meant for; when given it must be boolean (every value 0 or 1),
        which is checked. The lens always reads all 2**n input rows.
    source : str
        Names ``X`` in error messages.

    Returns
    -------
    Lens
    """
    n = net.sizes[0]
    if n > MAX_INPUTS:
        raise XornetError(f"model: the logic lens reads every input row, so it takes at most "
                          f"{MAX_INPUTS} inputs; this model has {n}.")
    if X is not None:
        _check_boolean(X, n, source)
    rows = all_rows(n)  # (2**n, n)
    net.forward(rows)  # every layer caches its activations a: (2**n, n_out)
    names = input_names(n)
    previous = None  # (Dense, [Unit]) of the layer before
    layers = []
    for k, layer in enumerate(net.layers, start=1):
        labels = unit_names(net.sizes, k)
        units = [_read_unit(layer, j, labels[j], k, names, previous)
                 for j in range(layer.n_out)]
        layers.append(units)
        previous = (layer, units)
    return Lens(names, rows, layers, [layer.b is not None for layer in net.layers])


def _read_unit(layer, j, label, k, inputs, previous):
    """Unit j of ``layer`` (the k-th), read over the inputs and over the layer before."""
    act = layer.activation
    values = layer.a[:, j]  # (2**n,)
    table = _bits(values, act.threshold)
    undecided = circuit.undecided_rows(values, act)
    decided = np.setdiff1d(np.arange(len(values)), undecided)  # rows read as 0 or 1
    ideal = np.where(values > act.threshold, act.high, act.low)
    shortfall = np.where(values > act.threshold, ideal - values, values - ideal)[decided]
    distance = np.abs(values - act.threshold)[decided]
    deviation = float(max(0.0, shortfall.max())) if len(decided) else 0.0
    if previous is None:
        expr = expression(table, inputs)
        over, reads_as, composed, circ = table, expr, table, None
    else:
        over, reads_as, expr, composed, circ = _over_previous(layer, j, inputs, *previous)
    return Unit(
        name=label, layer=k, activation=act.name, low=act.low, high=act.high,
        threshold=act.threshold, values=values.tolist(), table=table,
        function=function_name(table), margin=float(distance.min()) if len(decided) else 0.0,
        weakest_row=int(decided[distance.argmin()]) if len(decided) else 0,
        deviation=deviation, crisp=deviation <= CRISP * (act.high - act.low),
        over_previous=over, reads_as=reads_as, composed=composed, composed_expression=expr,
        composed_function=function_name(composed), agrees=composed == table,
        undecided=undecided.tolist(), circuit=circ,
    )


def _over_previous(layer, j, inputs, prev_layer, prev_units):
    """Unit j of ``layer`` over the previous units: the table over all of them on ideal
    values (None past MAX_INPUTS), and its circuit: the formula over the units that carry it,
    that formula with their own expressions substituted, and the composition."""
    act, m = prev_layer.activation, len(prev_units)
    over = None
    if m <= MAX_INPUTS:
        H = act.low + (act.high - act.low) * all_rows(m)  # (2**m, m) ideal activations
        z = H @ layer.W[:, j] + (layer.b[j] if layer.b is not None else 0.0)  # (2**m,)
        over = _bits(layer.activation.value(z), layer.activation.threshold)
    names = [u.name for u in prev_units]
    composed_prev = np.array([[int(c) for c in u.composed] for u in prev_units]).T  # (R, m)
    c = circuit.read(layer, j, prev_layer, names, composed_prev)
    carriers = c["carriers"]
    if c["reading"] == "middle":
        columns = [prev_units[i].composed for i in carriers]
        ops = [prev_units[i].composed_expression for i in carriers]
    else:  # each carrier cut where the consumer needs it: a new function of the inputs
        columns = ["".join(str(int(b)) for b in c["bits"][:, i]) for i in range(len(carriers))]
        ops = [expression(col, inputs) for col in columns]
    table = c["table"]
    reads_as = None if table is None else expression(table, [names[i] for i in carriers])
    expr = None if table is None else expression(*_fix_constants(table, ops, columns))
    composed = "".join(str(int(b)) for b in c["composed"])
    doc = {"carriers": [names[i] for i in carriers], "set_aside": c["held"],
           "reading": c["reading"], "thresholds": c["thresholds"],
           "read_as": {names[i]: function_name(col) for i, col in zip(carriers, columns)},
           "formula": reads_as, "table": table, "searched": c["searched"],
           "smallest": c["smallest"], "middle_composed": None if c["tried_middle"] is None
           else "".join(str(int(b)) for b in c["tried_middle"])}
    return over, reads_as, expr, composed, doc


def _fix_constants(table, ops, columns):
    """For the substituted expression, fix the carriers that are constant (TRUE or FALSE on
    every input row) rather than write "TRUE AND ..."."""
    ops = list(ops)
    for i in reversed(range(len(ops))):
        if len(set(columns[i])) == 1:
            table = cofactors(table, i)[int(columns[i][0])]
            del ops[i]
    return table, ops


def _check_boolean(X, n, source):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != n:
        cols = X.shape[1] if X.ndim == 2 else X.ndim
        raise XornetError(f"{source}: the data has {cols} input columns but the model takes "
                          f"{n}; give data with {n} inputs.")
    odd = X[(X != 0.0) & (X != 1.0)]
    if odd.size:
        raise XornetError(f"{source}: the logic lens needs boolean inputs (every value 0 or 1) "
                          f"but the data holds {odd[0]:g}; use a truth table such as xor or "
                          "parity.")


def _bits(values, threshold):
    return "".join("1" if v > threshold else "0" for v in values)
