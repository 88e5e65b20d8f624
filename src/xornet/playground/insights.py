"""The logic lens and doctor panels: the library's report on a run, in the page's words.

``xornet.doctor.report`` says what the logic lens, the separability check and the doctor
find, and ``xornet.explain.story`` tells the lens's reading in sentences; the command line
prints the same. This module only shapes them for the page and writes each suggested change
with the names of the page's controls (``learning rate 0.05``, not ``--lr 0.05``), keeping
the change itself as data (``changes``) that the page can apply with one click.
"""

from xornet.doctor import report as reports
from xornet.explain import story

MAX_LENS_UNITS = 64  # a wider network's unit-by-unit reading is too long for a side panel
MAX_NOTE_ROWS = 1000  # the single-layer note solves a linear program; keep a pause quick

# The page's control of each setting, by its label in static/index.html (the tests read
# them from there). The hidden layers have no label: each is a row of the "layers" panel.
LABELS = {"lr": "learning rate", "init": "init", "seed": "seed", "momentum": "momentum",
          "loss": "loss", "optimizer": "optimizer", "output_activation": "output",
          "batch_size": "batch size", "tolerance": "tolerance", "bias": "bias",
          "shuffle": "shuffle", "stop_when_solved": "pause when solved"}


def lens_panel(net, X, y):
    """The logic lens for 0/1 data, or a sentence saying why it does not apply."""
    reading, reason = reports.read_lens(net, X, y, MAX_LENS_UNITS)
    if reading is None:
        return {"applies": False, "reason": reason}
    carrying = reading.carriers()  # the units the outputs depend on; the rest are set aside
    units = [{"name": u.name, "function": u.function, "table": u.table, "crisp": u.crisp,
              "layer": u.layer, "carries": u.name in carrying}
             for layer in reading.layers for u in layer]
    return {"applies": True, "sentences": [s.text for s in story.sentences(reading)],
            "units": units, "agrees": reading.agrees}


def doctor_panel(stepper, run, data_name):
    """The doctor's findings for a run that is not solved (or diverged), and other notes."""
    found = reports.report(stepper.net, stepper.X, stepper.y, stepper.history, run, data_name,
                           diverged_at=stepper.diverged_epoch if stepper.diverged else None,
                           with_lens=False, max_note_rows=MAX_NOTE_ROWS)
    return {"diagnoses": [diagnosis_json(d, run) for d in found.diagnoses],
            "notes": found.notes, "healthy": not found.diagnoses and not stepper.diverged}


def diagnosis_json(diagnosis, run):
    """``Diagnosis.as_dict()`` with the suggestion in the page's words, and per change what
    its "apply" button sends: ``apply`` (fields of the page's configuration) and ``label``."""
    return {**diagnosis.as_dict(), "suggestion": diagnosis.advice(in_controls),
            "apply": [{"label": in_controls(c), "config": page_fields(c, run)}
                      for c in diagnosis.changes]}


def page_fields(change, run):
    """A change as the fields of the page's configuration (``spec.Spec.as_dict``), or None
    when the page has no control for it (epochs: the page trains for as long as it plays)."""
    if "epochs" in change:
        return None
    fields = {k: v for k, v in change.items() if k not in ("hidden", "activation")}
    if "hidden" in change or "activation" in change:
        hidden = tuple(change.get("hidden", run.hidden))
        now = (run.activation,) if isinstance(run.activation, str) else tuple(run.activation)
        now = now or ("tanh",)
        # a new activation goes to every hidden layer; a new layer keeps the last one's
        fields["hidden"] = list(hidden)
        fields["activations"] = [change.get("activation", now[min(k, len(now) - 1)])
                                 for k in range(len(hidden))]
    return fields


def in_controls(change):
    """A change of settings named by the page's controls: ``{"lr": 0.05}`` →
    ``"learning rate 0.05"``, ``{"hidden": (4,)}`` → ``"4 hidden units"``."""
    return ", ".join(_one_control(field, value) for field, value in change.items())


def _one_control(field, value):
    if field == "hidden":
        if not value:
            return "no hidden layer"
        if len(value) == 1:
            return f"{value[0]} hidden unit{'s' if value[0] != 1 else ''}"
        return "hidden layers of " + " and ".join(map(str, value)) + " units"
    if field == "activation":
        return f"hidden activation {value}"  # the select in each hidden layer's row
    if field == "epochs":
        return f"up to epoch {value}"  # the page has no epoch limit: it trains on when played
    if isinstance(value, bool):
        return f"{LABELS[field]} {'on' if value else 'off'}"
    if field == "batch_size":
        return "full batch" if value is None else f"batch size {value}"
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{LABELS.get(field, field)} {shown}"
