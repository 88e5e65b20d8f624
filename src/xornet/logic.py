"""The logic lens: read a network on boolean inputs as a circuit of boolean functions.

Every unit is read on all 2**n input rows (binary counting order, x1 the most significant
bit) and its activation is thresholded at the middle of its activation's range: above the
middle reads as 1. The string of those bits is the unit's truth table, e.g. "0111" is OR.

Each layer after the first is also read *as a function of the layer before*: it is evaluated
on ideal boolean values of the previous units (the low/high ends of their activation's
range, e.g. 0/1 for sigmoid, -1/1 for tanh) over every combination, which gives e.g.
``ŷ ≈ h1 AND NOT h2``. Substituting the previous units' own functions composes a truth
table over the inputs, e.g. ``= (A OR B) AND NOT (A AND B) = XOR``. The composition agrees
with what the network really outputs when every unit is close to boolean; when a unit sits
near its threshold it may not, and ``agrees`` says so.

How close a unit is to boolean is measured two ways, both in the activation's own units:
``margin`` is the smallest distance from the threshold over the rows (0: some row sits on
the threshold), and ``deviation`` is the largest shortfall from the ideal low/high value on
the side the row reads as (0: exactly boolean; overshoot past the ideal, which ReLU and
linear units can do, does not count). A unit is ``crisp`` when its deviation is at most a
tenth of the range.
"""

from dataclasses import asdict, dataclass

import numpy as np

from .errors import XornetError
from .naming import unit_names

MAX_INPUTS = 12  # 4096 rows, as for the parity dataset
CRISP = 0.1  # a crisp unit is within this fraction of its range of the boolean ideal

# The 16 two-input functions by output column over the rows (0,0), (0,1), (1,0), (1,1), with
# A = x1 and B = x2: the standard name, and a template writing it over any two operands.
GATES = {
    "0000": ("FALSE", "FALSE"),
    "0001": ("AND", "{a} AND {b}"),
    "0010": ("A AND NOT B", "{a} AND NOT {b}"),
    "0011": ("A", "{a}"),
    "0100": ("NOT A AND B", "NOT {a} AND {b}"),
    "0101": ("B", "{b}"),
    "0110": ("XOR", "{a} XOR {b}"),
    "0111": ("OR", "{a} OR {b}"),
    "1000": ("NOR", "{a} NOR {b}"),
    "1001": ("XNOR", "{a} XNOR {b}"),
    "1010": ("NOT B", "NOT {b}"),
    "1011": ("A OR NOT B", "{a} OR NOT {b}"),
    "1100": ("NOT A", "NOT {a}"),
    "1101": ("NOT A OR B", "NOT {a} OR {b}"),
    "1110": ("NAND", "{a} NAND {b}"),
    "1111": ("TRUE", "TRUE"),
}


# --- truth tables -------------------------------------------------------------------------
def all_rows(n):
    """Every row of n boolean inputs in binary counting order, shape (2**n, n), float64."""
    r = np.arange(2**n)[:, None]  # (2**n, 1)
    return ((r >> np.arange(n - 1, -1, -1)) & 1).astype(np.float64)


def input_names(n):
    """A, B for one or two inputs (A = x1, B = x2); x1 … xn for more."""
    return ["A", "B"][:n] if n <= 2 else [f"x{j + 1}" for j in range(n)]


def essential(table):
    """Indices of the variables a truth table really depends on (variable 0 = leftmost bit)."""
    k = len(table).bit_length() - 1
    return [i for i in range(k)
            if any(table[r] != table[r ^ (1 << (k - 1 - i))] for r in range(len(table)))]


def expression(table, operands):
    """Write a truth table over ``operands`` (texts, one per variable) as an expression.

    Functions of at most two of the variables use the templates of :data:`GATES`; AND, OR
    and XOR of three or more (and their negations) are written out; other functions of up
    to :data:`MAX_SPLIT` variables are split on one variable at a time (Shannon expansion),
    keeping the shortest text. Returns None when there is no short form, or when an operand
    the function needs is None.
    """
    text = _express(table, [None if o is None else _paren(o) for o in operands])
    # A function that copies one operand needs no parentheses around it.
    return next((o for o in operands if o is not None and text == _paren(o)), text)


MAX_SPLIT = 5  # the split tries every variable order: k! orders, ~4000 calls at k = 5


def _express(table, ops):
    used = essential(table)
    if any(ops[i] is None for i in used):
        return None
    for i in reversed(range(len(ops))):  # drop the variables the table ignores
        if i not in used:
            table = _cofactors(table, i)[0]
    ops = [ops[i] for i in used]
    if len(ops) == 0:
        return "TRUE" if table == "1" else "FALSE"
    if len(ops) == 1:
        return ops[0] if table == "01" else f"NOT {ops[0]}"
    if len(ops) == 2:
        return GATES[table][1].format(a=ops[0], b=ops[1])
    ones = [bin(c).count("1") for c in range(len(table))]
    for word, test in (("AND", lambda c: c == len(ops)), ("OR", lambda c: c > 0),
                       ("XOR", lambda c: c % 2 == 1)):
        column = "".join("1" if test(c) else "0" for c in ones)
        if table in (column, _flip(column)):
            joined = f" {word} ".join(ops)
            return joined if table == column else f"NOT ({joined})"
    if len(ops) > MAX_SPLIT:
        return None
    texts = []
    for i, v in enumerate(ops):
        f0, f1 = _cofactors(table, i)
        rest = ops[:i] + ops[i + 1:]
        texts.append(_split(v, f0, f1, _express(f0, rest), _express(f1, rest)))
    return min(texts, key=len)


def _cofactors(table, i):
    """The table with variable i held at 0, and at 1 (tables over the other variables)."""
    k = len(table).bit_length() - 1
    bit = 1 << (k - 1 - i)
    f0 = "".join(c for r, c in enumerate(table) if not r & bit)
    f1 = "".join(c for r, c in enumerate(table) if r & bit)
    return f0, f1


def _split(v, f0, f1, e0, e1):
    """f = (v AND f1) OR (NOT v AND f0), in its shortest special form."""
    if set(f0) == {"0"}:
        return f"{v} AND {_paren(e1)}"
    if set(f1) == {"0"}:
        return f"NOT {v} AND {_paren(e0)}"
    if set(f1) == {"1"}:
        return f"{v} OR {_paren(e0)}"
    if set(f0) == {"1"}:
        return f"NOT {v} OR {_paren(e1)}"
    if f1 == _flip(f0):
        return f"{v} XOR {_paren(e0)}"
    return f"({v} AND {_paren(e1)}) OR (NOT {v} AND {_paren(e0)})"


def function_name(table):
    """The name of a truth table over the inputs: one of the 16 names for two inputs (XOR,
    A AND NOT B, …); otherwise its expression over x1 … xn, or the table itself."""
    if len(table) == 4:
        return GATES[table][0]
    n = len(table).bit_length() - 1
    return expression(table, input_names(n)) or table


def _paren(text):
    return text if text is None or " " not in text else f"({text})"


def _flip(table):
    return table.translate(str.maketrans("01", "10"))


def _bits(values, threshold):
    return "".join("1" if v > threshold else "0" for v in values)


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
    read as. ``over_previous`` is its truth table over the previous layer's units on ideal
    values (over the inputs for the first layer) and ``reads_as`` that table written with
    their names (None: no short form, or the previous layer is too wide to enumerate).
    ``composed`` is the table over the inputs obtained by substitution, ``composed_expression``
    and ``composed_function`` its expression and name, and ``agrees`` whether it equals
    ``table``.
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


@dataclass
class Lens:
    """The whole reading: ``inputs`` names, ``rows`` (2**n, n) and one list of units per layer
    (the last list is the output layer)."""

    inputs: list
    rows: np.ndarray
    layers: list

    @property
    def outputs(self):
        return self.layers[-1]

    @property
    def agrees(self):
        """True when every output's composed function equals what the network outputs."""
        return all(u.agrees for u in self.outputs)

    def as_dict(self):
        return {"inputs": self.inputs, "rows": self.rows.tolist(), "agrees": self.agrees,
                "layers": [[asdict(u) for u in layer] for layer in self.layers]}


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
        before = names if previous is None else [u.name for u in previous[1]]
        units = [_read_unit(layer, j, labels[j], k, names, before, previous)
                 for j in range(layer.n_out)]
        layers.append(units)
        previous = (layer, units)
    return Lens(names, rows, layers)


def _read_unit(layer, j, label, k, inputs, before, previous):
    """Unit j of ``layer`` (the k-th); ``before`` names the previous units (or the inputs)."""
    act = layer.activation
    values = layer.a[:, j]  # (2**n,)
    table = _bits(values, act.threshold)
    ideal = np.where(values > act.threshold, act.high, act.low)
    shortfall = np.where(values > act.threshold, ideal - values, values - ideal)
    distance = np.abs(values - act.threshold)
    deviation = float(max(0.0, shortfall.max()))
    if previous is None:
        over, substitution, composed = table, (table, inputs), table
    else:
        over, substitution, composed = _over_previous(layer, j, *previous)
    reads_as = None if over is None else expression(over, before)
    expr = None if substitution is None else expression(*substitution)
    return Unit(
        name=label, layer=k, activation=act.name, low=act.low, high=act.high,
        threshold=act.threshold, values=values.tolist(), table=table,
        function=function_name(table), margin=float(distance.min()),
        weakest_row=int(distance.argmin()), deviation=deviation,
        crisp=deviation <= CRISP * (act.high - act.low), over_previous=over, reads_as=reads_as,
        composed=composed, composed_expression=expr,
        composed_function=None if composed is None else function_name(composed),
        agrees=None if composed is None else composed == table,
    )


def _over_previous(layer, j, prev_layer, prev_units):
    """Unit j of ``layer`` on ideal values of the previous units, and its composition."""
    m = len(prev_units)
    if m > MAX_INPUTS:
        return None, None, None
    act = prev_layer.activation
    H = act.low + (act.high - act.low) * all_rows(m)  # (2**m, m) ideal previous activations
    z = H @ layer.W[:, j] + (layer.b[j] if layer.b is not None else 0.0)  # (2**m,)
    over = _bits(layer.activation.value(z), layer.activation.threshold)
    if any(u.composed is None for u in prev_units):
        return over, None, None
    # On input row r the previous units compose to a combination of bits; look it up.
    rows = zip(*(u.composed for u in prev_units), strict=True)
    composed = "".join(over[int("".join(bits), 2)] for bits in rows)
    # For the substituted expression, fix the units that are constant (TRUE or FALSE on
    # every input row) rather than write "TRUE AND ...".
    table, ops = over, [u.composed_expression for u in prev_units]
    for i in reversed(range(m)):
        if len(set(prev_units[i].composed)) == 1:
            table = _cofactors(table, i)[int(prev_units[i].composed[0])]
            del ops[i]
    return over, (table, ops), composed


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
