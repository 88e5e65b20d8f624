"""A finding of the doctor, and the small helpers that write its numbers into sentences.

``Diagnosis`` is what ``xornet.doctor.diagnose.diagnose`` returns; ``finding`` builds one
from a check's sentence, suggestion and evidence. The wording helpers (numbers to 4 significant
digits, percentages, "a, b and c") are shared by every check in ``xornet.doctor.symptoms``. They
sit in this leaf module so that both the checks and the doctor can import them without importing
each other.

Advice is data. A suggestion names the settings to change as ``RunConfig`` fields, e.g.
``{"lr": 0.05}``, one dict per alternative (``changes``), and its wording (``template``) has a
``{0}``, ``{1}``, … where each change is written. The library writes a change as Python
(``lr=0.05``, in ``suggestion``); each edge writes it in its own words with
:meth:`Diagnosis.advice`: the command line as the flags a person types, the playground with
the names of its controls (``learning rate 0.05``).
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Diagnosis:
    """One finding: what is wrong, the evidence, and what to try."""

    code: str  # short id, e.g. "dead-relu"
    sentence: str  # one sentence naming the evidence (units, numbers)
    suggestion: str  # a concrete fix, each setting written as Python: "(lr=0.05)"
    evidence: dict = field(default_factory=dict)  # the numbers behind it, plain JSON data
    changes: tuple = ()  # the fix as settings: one dict of RunConfig fields per alternative
    template: str = ""  # the suggestion with {0}, {1}, … where each change is written

    def advice(self, write):
        """The suggestion with each change written by ``write(change) -> str``."""
        return self.template.format(*(write(change) for change in self.changes))

    def as_dict(self):
        """Plain JSON data: code, sentence, suggestion, evidence and changes (lists, not tuples)."""
        return {"code": self.code, "sentence": self.sentence, "suggestion": self.suggestion,
                "evidence": plain(self.evidence), "changes": plain(self.changes)}


def finding(code, sentence, suggestion, evidence):
    """A Diagnosis whose sentence and suggestion read as sentences: capital, full stop.

    ``suggestion`` is a list of pieces: text, and dicts of settings to change written where
    they stand, e.g. ``["use a smaller learning rate (", {"lr": 0.05}, ")"]``.
    """
    changes = tuple(dict(p) for p in suggestion if isinstance(p, dict))
    numbers = iter(range(len(changes)))
    template = "".join(f"{{{next(numbers)}}}" if isinstance(p, dict)
                       else p.replace("{", "{{").replace("}", "}}") for p in suggestion)
    template = template[0].upper() + template[1:] + "."
    return Diagnosis(code, sentence[0].upper() + sentence[1:] + ".",
                     template.format(*map(as_python, changes)), plain(evidence), changes,
                     template)


def as_python(change):
    """A change as keyword arguments of ``RunConfig.with_``: ``lr=0.05, init='xavier'``."""
    return ", ".join(f"{name}={value!r}" for name, value in change.items())


def shown(x):
    """``x`` rounded to what ``{x:g}`` shows (6 digits), so the advice applies what it says."""
    return float(f"{x:g}")


def plain(value):
    """Arrays and NumPy scalars → lists and Python numbers, so evidence is plain JSON data."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return plain(value.tolist()) if isinstance(value, np.ndarray) else value.item()
    return value


def joined(items):
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def num(x, digits=4):
    """``x`` to ``digits`` significant digits."""
    return f"{x:.{digits}g}"


def percent(fraction):
    """A fraction as a percentage, e.g. "12 %"; tiny but non-zero is "< 0.01 %"."""
    return "< 0.01 %" if 0 < abs(fraction) < 1e-4 else f"{100 * fraction:.2g} %"


def epochs_word(n):
    """"epoch" for one, else "n epochs"."""
    return "epoch" if n == 1 else f"{n} epochs"


def point(x):
    """An input row as "(0, 1)"."""
    return "(" + ", ".join(f"{v:g}" for v in x) + ")"
