"""A finding of the doctor, and the small helpers that write its numbers into sentences.

``Diagnosis`` is what ``xornet.doctor.diagnose.diagnose`` returns; ``finding`` builds one
from a check's sentence, suggestion and evidence. The wording helpers (numbers to 4 significant
digits, percentages, "a, b and c") are shared by every check in ``xornet.doctor.symptoms``. They
sit in this leaf module so that both the checks and the doctor can import them without importing
each other.
"""

from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class Diagnosis:
    """One finding: what is wrong, the evidence, and what to try."""

    code: str  # short id, e.g. "dead-relu"
    sentence: str  # one sentence naming the evidence (units, numbers)
    suggestion: str  # a concrete fix
    evidence: dict = field(default_factory=dict)  # the numbers behind it, plain JSON data

    def as_dict(self):
        return asdict(self)


def finding(code, sentence, suggestion, evidence):
    """A Diagnosis whose sentence and suggestion read as sentences: capital, full stop."""
    return Diagnosis(code, sentence[0].upper() + sentence[1:] + ".",
                     suggestion[0].upper() + suggestion[1:] + ".", plain(evidence))


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
