"""How xornet reads a number written as text: one rule for CSV cells and for every number
a command-line option takes (a learning rate, an initialiser's scale, a layer width, ...).

A number is written with the ASCII digits 0-9, an optional sign, a decimal point and an
exponent: ``-1.5``, ``.5``, ``2e-3``. Python's ``float()`` alone would also take ``1_000``,
``nan``, ``infinity`` and the digits of other scripts (``float("١")`` is 1.0); in a data
file or on a command line those are far more likely slips than intent, and the same text
must never be a number in one place and refused in another.
"""

import re

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
WHOLE = re.compile(r"[+-]?\d+", re.ASCII)


def is_number(text):
    """Whether ``text`` (surrounding spaces aside) is a number by the rule above."""
    return isinstance(text, str) and NUMBER.fullmatch(text.strip()) is not None


def to_float(text):
    """``text`` as a float when it is a number by the rule above (it may still be too large
    for float64: then ±inf), else None."""
    return float(text) if is_number(text) else None


def to_int(text):
    """``text`` as an int when it is a whole number written in ASCII digits, else None."""
    if not isinstance(text, str) or WHOLE.fullmatch(text.strip()) is None:
        return None
    return int(text)
