"""After a run: what the logic lens, the separability check and the doctor say about it.

``report`` gathers it once, as data, and both edges show the same report: ``xornet train``
prints it after training, the playground's side panels show it whenever the page pauses.
``read_lens`` is the logic lens when it applies to the data, else the sentence saying why not
(the playground shows the lens live, while the network trains, so it also calls it alone).
"""

from dataclasses import dataclass

from xornet.core import optimizers
from xornet.doctor.diagnose import diagnose
from xornet.explain import collapse, logic, separable, story, trace
from xornet.io import datasets


@dataclass(frozen=True)
class Report:
    """What the library says about a run, for an edge to print or show."""

    lens: object  # the logic lens reading (xornet.explain.logic.Lens) of a solved boolean task
    story: tuple  # that reading in sentences (xornet.explain.story.Sentence); () without one
    single_layer_note: str | None  # why no single layer can learn this data (failed, no hidden)
    collapse_note: str | None  # every hidden layer is linear: one layer in disguise
    diagnoses: tuple  # the doctor's findings (Diagnosis) for a run that failed or diverged
    order_note: str | None = None  # the run updated in the scripts' order: what that changes

    @property
    def notes(self):
        """The notes that apply, as sentences (collapse first: it explains the rest)."""
        return [n for n in (self.collapse_note, self.single_layer_note, self.order_note) if n]


def report(net, X, y, history, config, data_name="this data", *, diverged_at=None,
           with_lens=True, max_note_rows=None):
    """The report on a run of ``config`` that trained ``net`` on (X, y).

    Parameters
    ----------
    net : Network
        The trained network (its weights may be non-finite when training diverged).
    X, y : arrays (n, n_in), (n, n_out)
        The training data; ``data_name`` names it in the single-layer note.
    history : History
        The run's record; a run of 0 epochs is not judged (nothing was tried yet).
    config : RunConfig
    diverged_at : int or None
        The epoch in which a number stopped being finite, if one did.
    with_lens : bool
        Read the logic lens of a solved run with a hidden layer (a failed run's units are
        not gates yet; with no hidden layer the truth table says it all).
    max_note_rows : int or None
        Skip the single-layer note on more rows than this: it solves a linear program, and
        the playground reports every time the page pauses.
    """
    solved = history.solved and diverged_at is None
    tried = history.epochs > 0
    reading = None
    if with_lens and solved and config.hidden:
        reading, _ = read_lens(net, X, y)
    note = None
    if tried and not solved and diverged_at is None and not config.hidden \
            and (max_note_rows is None or len(X) <= max_note_rows):
        note = separable.single_layer_note(X, y, data_name)
    if diverged_at is not None:
        found = diagnose(None, X, y, history, config, diverged_at=diverged_at)
    elif solved or not tried or config.optimizer == optimizers.PERCEPTRON:
        found = []  # the doctor's checks are about gradient descent
    else:
        found = diagnose(net, X, y, history, config)
    order = trace.SCRIPT_ORDER_NOTE if config.update_order == "script" else None
    return Report(reading, tuple(story.sentences(reading)) if reading else (), note,
                  collapse.collapse_sentence(net), tuple(found), order)


def read_lens(net, X, y, max_hidden_units=None):
    """``(reading, None)``: the logic lens of ``net`` on 0/1 data, or ``(None, reason)``, one
    sentence saying why it does not apply (``max_hidden_units``: a limit for a side panel)."""
    if not (datasets.is_boolean(X) and datasets.is_boolean(y)):
        return None, "The logic lens reads boolean tasks; this data is not all 0s and 1s."
    wide = max_hidden_units is not None and sum(net.sizes[1:-1]) > max_hidden_units
    if net.sizes[0] > logic.MAX_INPUTS or wide:
        limit = "" if max_hidden_units is None else f" and {max_hidden_units} hidden units"
        return None, ("The network is too wide to read unit by unit here (at most "
                      f"{logic.MAX_INPUTS} inputs{limit}).")
    return logic.lens(net), None
