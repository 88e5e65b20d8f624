"""The logic lens and doctor panels: the library's readings, put into plain sentences.

``xornet.explain.lens.lens`` reads each unit as a boolean function,
``xornet.doctor.diagnose.diagnose`` says why a run failed; this module only chooses when each
applies and words the results for the page (the command line words the same readings for the
terminal).
"""

import itertools

from xornet.doctor import diagnose as doctor
from xornet.explain import collapse, separable
from xornet.explain import lens as logic
from xornet.io import datasets

MAX_LENS_UNITS = 64  # a wider network's unit-by-unit reading is too long for a side panel
MAX_EXPRESSION = 80


def lens_panel(net, X, y):
    """The logic lens for 0/1 data, or a sentence saying why it does not apply."""
    if not (datasets.is_boolean(X) and datasets.is_boolean(y)):
        return {"applies": False, "reason": "The logic lens reads boolean tasks; this data "
                "is not all 0s and 1s."}
    if net.sizes[0] > logic.MAX_INPUTS or sum(net.sizes[1:-1]) > MAX_LENS_UNITS:
        return {"applies": False, "reason": "The network is too wide to read unit by unit "
                f"here (at most {logic.MAX_INPUTS} inputs and {MAX_LENS_UNITS} hidden units)."}
    reading = logic.lens(net)
    units = [{"name": u.name, "function": u.function, "table": u.table, "crisp": u.crisp,
              "layer": u.layer} for layer in reading.layers for u in layer]
    return {"applies": True, "sentences": sentences(reading), "units": units,
            "agrees": reading.agrees}


def sentences(reading):
    """Each hidden unit's function, each later unit over the layer before, and the verdict."""
    lines = []
    for u in reading.layers[0]:
        if len(reading.layers) > 1:
            lines.append(f"{u.name} ≈ {u.function}" + ("" if u.crisp else " (not crisp)"))
    if len(reading.layers) == 1:
        u = reading.layers[0][0]
        lines.append(f"{u.name} = {u.function}: no hidden layer, the output reads the inputs "
                     "directly.")
    for previous, layer in itertools.pairwise(reading.layers):
        for u in layer:
            lines.append(_composition(u, previous))
    for u in reading.outputs:
        if u.agrees:
            lines.append(f"The reading agrees: thresholded, {u.name} is {u.function} on every "
                         "input row.")
        elif u.composed is not None:
            loose = ", ".join(v.name for layer in reading.layers[:-1] for v in layer
                              if not v.crisp) or "none"
            lines.append(f"The reading does not agree: thresholded, {u.name} is {u.function}, "
                         f"not {u.composed_function}; units far from their ends (not crisp: "
                         f"{loose}) do not act as logic gates yet.")
    return lines


def _composition(u, previous):
    if u.over_previous is None:
        return f"{u.name}: the layer before ({len(previous)} units) is too wide to enumerate."
    names = ", ".join(p.name for p in previous)
    parts = [f"{u.name} ≈ {u.reads_as}" if u.reads_as
             else f"{u.name} over ({names}): truth table {u.over_previous}"]
    expr = u.composed_expression
    if expr and expr != u.reads_as and len(expr) <= MAX_EXPRESSION:
        parts.append(expr)
    if u.composed_function and u.composed_function not in parts:
        parts.append(u.composed_function)
    return " = ".join(parts) + ("" if u.crisp else " (not crisp)")


def doctor_panel(stepper, run, data_name):
    """The doctor's findings for a run that is not solved (or diverged), and other notes."""
    net, X, y, history = stepper.net, stepper.X, stepper.y, stepper.history
    notes = []
    folded = collapse.collapse_sentence(net)
    if folded:
        notes.append(folded)
    if stepper.diverged:
        found = doctor.diagnose(None, X, y, history, run, diverged_at=stepper.diverged_epoch)
    elif stepper.solved or stepper.epochs == 0:
        found = []
    else:
        if not run.hidden and len(X) <= 1000:
            note = separable.single_layer_note(X, y, data_name)
            if note:
                notes.append(note)
        found = doctor.diagnose(net, X, y, history, run)
    return {"diagnoses": [d.as_dict() for d in found], "notes": notes,
            "healthy": not found and not stepper.diverged}
