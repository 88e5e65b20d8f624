"""The logic lens in words: one list of sentences that every edge shows.

``xornet.explain.logic.lens`` reads each unit as a boolean function; :func:`sentences` says
what that reading means, about the units the outputs depend on (the circuit; units set
aside are counted, not told): each first-layer carrier's function, why a row is undecided
(without bias the all-zero row pins every unit at f(0)), the threshold used for units with
no top (ReLU, linear), each later unit over its carriers and composed over the inputs (and
the cuts it reads them at, when the middle of their range does not work), the carriers that
are not crisp, and whether the composition is what the network really outputs. Each
``Sentence`` carries its kind, so an edge can choose which to show (the command line leaves
out the first-layer units, which its tables already list) and highlight its opening words
(``lead``: "The reading agrees") as it likes, in colour on a terminal or with a class on
the page.
"""

from dataclasses import dataclass

from xornet.explain.boolfn import function_name
from xornet.explain.logic import CRISP

# The kinds of sentence, in the order they are told.
UNIT = "unit"  # a first-layer unit that carries the next layer: "h1 ≈ OR"
SINGLE_LAYER = "single-layer"  # no hidden layer: the output reads the inputs directly
PINNED = "pinned"  # without bias, the all-zero row pins every unit at f(0) on its threshold
UNBOUNDED = "unbounded"  # ReLU/linear units have no top: the threshold used, and why
CUT = "cut"  # a unit reads the layer before at cuts in their values, not at mid-range
COMPOSITION = "composition"  # a later unit over the units that carry it, composed
NOT_CRISP = "not-crisp"  # a carrying unit whose weakest row sits near its threshold
MORE_NOT_CRISP = "more-not-crisp"  # how many more such units there are
AGREES = "agrees"  # thresholded, the output is the composed function on every row
DISAGREES = "disagrees"  # it is not: some unit does not act as a logic gate

MAX_LISTED = 4  # units named in "not crisp" sentences; the rest are counted
MAX_EXPRESSION = 80  # a longer expression is left to the reading's data
UNBOUNDED_NAMES = ("relu", "leaky_relu", "linear")  # no top of their own: read on 0..1


@dataclass(frozen=True)
class Sentence:
    """One sentence of the story: ``lead + rest``, and what kind of sentence it is."""

    kind: str
    lead: str  # the opening words an edge may highlight (the whole sentence when rest is "")
    rest: str = ""

    @property
    def text(self):
        return self.lead + self.rest


def sentences(reading):
    """The lens ``reading`` (a ``Lens``) told as a list of ``Sentence``."""
    layers = reading.layers
    if len(layers) == 1:
        return [Sentence(SINGLE_LAYER, f"{u.name} = {u.function} (no hidden layer: the output "
                                       "reads the inputs directly).") for u in layers[0]]
    carrying = reading.carriers()
    told = [Sentence(UNIT, f"{u.name} ≈ {u.function}") for u in layers[0] if u.name in carrying]
    told += _pinned(reading) + _unbounded(reading, carrying)
    for layer in layers[1:]:
        for u in (u for u in layer if u.name in carrying):
            if u.circuit["reading"] == "cut":
                told.append(Sentence(CUT, _cut(u)))
            told.append(Sentence(COMPOSITION, *_composition(u)))
    loose = [u for layer in layers for u in layer if not u.crisp and u.name in carrying]
    told += [_not_crisp(reading, u) for u in loose[:MAX_LISTED]]
    if len(loose) > MAX_LISTED:
        told.append(Sentence(MORE_NOT_CRISP,
                             f"… and {len(loose) - MAX_LISTED} more units are not crisp."))
    hidden = ", ".join(u.name for u in loose if u not in reading.outputs) or "none"
    for u in reading.outputs:
        if u.agrees:
            told.append(Sentence(AGREES, "The reading agrees", f": thresholded, {u.name} is "
                                 f"{u.function} on every input row."))
        else:
            told.append(Sentence(DISAGREES, "The reading does not agree",
                                 f": thresholded, {u.name} is {u.function} ({u.table}), not "
                                 f"{u.composed_function} ({u.composed}): hidden units far from "
                                 f"0/1 (not crisp: {hidden}) do not act as logic gates."))
    return told


def _not_crisp(reading, u):
    """Where ``u`` is furthest from boolean: its weakest row when it sits near the threshold,
    else the row it falls furthest short of its ideal 0/1 value (its range's ends)."""
    if u.margin < CRISP * (u.high - u.low):
        r = u.weakest_row
        where = ("sits exactly on" if u.margin == 0 else f"is only {_num(u.margin)} from") + \
            f" the threshold {u.threshold:g}"
    else:
        on = [u.table[r] == "1" for r in range(len(u.values))]
        short = [(u.high - v if b else v - u.low) if r not in u.undecided else -1.0
                 for r, (v, b) in enumerate(zip(u.values, on))]
        r = max(range(len(short)), key=short.__getitem__)
        ideal = u.high if on[r] else u.low
        where = f"is {_num(short[r])} short of {ideal:g}"
    row = " ".join(f"{v:g}" for v in reading.rows[r])
    return Sentence(NOT_CRISP, f"{u.name} is not crisp",
                    f": on row {row} its activation {_num(u.values[r])} {where}.")


def _pinned(reading):
    """Units sitting exactly on their threshold: without bias, a whole layer on one row."""
    told = []
    for k, layer in enumerate(reading.layers[:-1]):
        rows = sorted({r for u in layer for r in u.undecided})
        for r in rows:
            units = [u for u in layer if r in u.undecided]
            row = " ".join(f"{v:g}" for v in reading.rows[r])
            if len(units) == len(layer) and not reading.bias[k]:
                u = units[0]
                told.append(Sentence(PINNED, f"With no bias, every {_layer_name(reading, k)} "
                                     f"gets net input 0 on row {row}",
                                     f" and sits at f(0) = {u.values[r]:g}, exactly on its "
                                     "threshold: that bit is undecided, so the lens reads that "
                                     "row from the units' real values."))
            else:
                names = ", ".join(u.name for u in units)
                told.append(Sentence(PINNED, f"{names} sit{'s' if len(units) == 1 else ''} "
                                     f"exactly on the threshold on row {row}",
                                     ": that bit is undecided."))
    return told


def _layer_name(reading, k):
    return "hidden unit" if len(reading.layers) == 2 else f"unit of hidden layer {k + 1}"


def _unbounded(reading, carrying):
    """One sentence naming the threshold of the ReLU/linear units the reading uses."""
    used = [u for layer in reading.layers for u in layer if u.name in carrying
            and u.activation in UNBOUNDED_NAMES]
    if not used:
        return []
    kinds = " and ".join(dict.fromkeys(u.activation.replace("_", " ") for u in used))
    return [Sentence(UNBOUNDED, f"{kinds[0].upper()}{kinds[1:]} units have no top of their own",
                     f": the lens reads them as on above {used[0].threshold:g}, the middle of "
                     "the 0/1 targets.")]


def _cut(u):
    """Why ``u`` reads its units at cuts of their own, and what each becomes there."""
    c = u.circuit
    points = ", ".join(f"{n} above {_num(c['thresholds'][n])} ({c['read_as'][n]})"
                       for n in c["carriers"])
    middle = function_name(c["middle_composed"])
    return (f"Read at the middle of their range, the units that carry {u.name} compose to "
            f"{middle}, not {u.function}; {u.name} needs them cut elsewhere: {points}.")


def _composition(u):
    """(lead, rest): ``ŷ ≈ h1 AND NOT h2 = (A OR B) AND NOT (A AND B) = XOR`` over the units
    that carry it, and how many units were set aside (held at their means)."""
    c = u.circuit
    if u.reads_as and len(u.reads_as) <= MAX_EXPRESSION:
        parts = [f"{u.name} ≈ {u.reads_as}"]
        expr = u.composed_expression
        if expr and expr != u.reads_as and len(expr) <= MAX_EXPRESSION:
            parts.append(expr)
        if u.composed_function not in parts:
            parts.append(u.composed_function)
        lead = " = ".join(parts)
    else:
        names = ", ".join(c["carriers"])
        lead = (f"{u.name} depends on {names} ({len(c['carriers'])} units, no short formula) "
                f"and composes to {u.composed_function}")
    aside = len(c["set_aside"])
    if not aside:
        return lead + ".", ""
    rest = (f"; the other {aside} units of the layer before, held at their means, change no "
            "output" if aside > 1 else "; the other unit of the layer before, held at its mean, "
            "changes no output")
    if not c["smallest"]:
        rest += (f" (a greedy search: no set of {c['searched']} or fewer units carries "
                 f"{u.name})")
    return lead, rest + "."


def _num(x):
    return f"{x:.4g}"
