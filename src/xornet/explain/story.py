"""The logic lens in words: one list of sentences that every edge shows.

``xornet.explain.logic.lens`` reads each unit as a boolean function; :func:`sentences` says
what that reading means: each first-layer unit's function, each later unit over the layer
before and composed over the inputs, the units that are not crisp, and whether the
composition is what the network really outputs. Each ``Sentence`` carries its kind, so an
edge can choose which to show (the command line leaves out the first-layer units, which its
tables already list) and highlight its opening words (``lead``: "The reading agrees") as it
likes, in colour on a terminal or with a class on the page.
"""

import itertools
from dataclasses import dataclass

# The kinds of sentence, in the order they are told.
UNIT = "unit"  # a first-layer unit as a function of the inputs: "h1 ≈ OR"
SINGLE_LAYER = "single-layer"  # no hidden layer: the output reads the inputs directly
COMPOSITION = "composition"  # a later unit over the layer before, composed over the inputs
NOT_CRISP = "not-crisp"  # a unit whose weakest row sits near its threshold
MORE_NOT_CRISP = "more-not-crisp"  # how many more such units there are
AGREES = "agrees"  # thresholded, the output is the composed function on every row
DISAGREES = "disagrees"  # it is not: some unit does not act as a logic gate

MAX_LISTED = 4  # units named in "not crisp" sentences; the rest are counted
MAX_EXPRESSION = 80  # a longer substituted expression is left to the reading's data


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
    told = [Sentence(UNIT, f"{u.name} ≈ {u.function}") for u in layers[0]]
    for previous, layer in itertools.pairwise(layers):
        told += [Sentence(COMPOSITION, _composition(u, previous)) for u in layer]
    loose = [u for layer in layers for u in layer if not u.crisp]
    for u in loose[:MAX_LISTED]:
        row = " ".join(f"{v:g}" for v in reading.rows[u.weakest_row])
        where = "sits exactly on" if u.margin == 0 else f"is only {_num(u.margin)} from"
        told.append(Sentence(NOT_CRISP, f"{u.name} is not crisp",
                             f": on row {row} its activation {_num(u.values[u.weakest_row])} "
                             f"{where} the threshold {u.threshold:g}."))
    if len(loose) > MAX_LISTED:
        told.append(Sentence(MORE_NOT_CRISP,
                             f"… and {len(loose) - MAX_LISTED} more units are not crisp."))
    hidden = ", ".join(u.name for u in loose if u not in reading.outputs) or "none"
    for u in reading.outputs:
        if u.agrees:
            told.append(Sentence(AGREES, "The reading agrees", f": thresholded, {u.name} is "
                                 f"{u.function} on every input row."))
        elif u.composed is not None:
            told.append(Sentence(DISAGREES, "The reading does not agree",
                                 f": thresholded, {u.name} is {u.function} ({u.table}), not "
                                 f"{u.composed_function} ({u.composed}): hidden units far from "
                                 f"0/1 (not crisp: {hidden}) do not act as logic gates."))
    return told


def _composition(u, previous):
    """``ŷ ≈ h1 AND NOT h2 = (A OR B) AND NOT (A AND B) = XOR``: over the layer before, the
    expression with the previous units substituted (when short), and its name."""
    if u.over_previous is None:
        return f"{u.name}: the layer before ({len(previous)} units) is too wide to enumerate."
    names = ", ".join(p.name for p in previous)
    parts = [f"{u.name} ≈ {u.reads_as}" if u.reads_as else
             f"{u.name} as a function of ({names}): truth table {u.over_previous}"]
    expr = u.composed_expression
    if expr and expr != u.reads_as and len(expr) <= MAX_EXPRESSION:
        parts.append(expr)
    if u.composed_function and u.composed_function not in parts:
        parts.append(u.composed_function)
    return " = ".join(parts)


def _num(x):
    return f"{x:.4g}"
