"""Hand-built networks that ship with xornet, addressed as ``builtin:NAME``.

Each one is an ordinary model file (``src/xornet/io/handbuilt/NAME.json``) with a
``training.description`` saying how it was built:

- ``*-step`` and ``xor-or-nand``: weights chosen by hand for step units with a bias,
  ``step(z) = 1 if z ≥ 0 else 0``; every bias sits half a unit away from the nearest net
  input, so no row ever lands on the step's edge.
- ``*-drawn``: the networks as the tutorials draw them, units with no bias that fire when
  their input *exceeds* 0.5 (``{"name": "step", "theta": 0.5, "strict": true}``); the drawn
  AND needs the strict comparison, since one input alone gives it exactly 0.5.

``xornet check`` verifies all of these against their truth table and ``xornet logic`` reads
the same functions back out. ``worked-2-2-2`` is different: the starting weights of the
well-known step-by-step backpropagation example, for ``xornet explain`` and ``xornet train``.
"""

import json
import os
from importlib import resources

from xornet.errors import XornetError

PREFIX = "builtin:"

# Single threshold units first, then the two-layer networks; the drawn ones; the worked example.
NAMES = (
    "and-step", "or-step", "nand-step", "nor-step", "not-a-step",
    "xor-step", "xor-or-nand", "xnor-step",
    "and-drawn", "or-drawn", "xor-drawn",
    "worked-2-2-2",
)


def is_builtin(path):
    """True when ``path`` is a ``builtin:NAME`` reference rather than a file path."""
    return isinstance(path, str) and path.startswith(PREFIX)


def resolve(name_or_path):
    """Turn ``builtin:NAME`` into the path of its JSON file; return any other path unchanged.

    Raises
    ------
    XornetError
        For ``builtin:`` followed by a name that is not in :data:`NAMES`.
    """
    if not is_builtin(name_or_path):
        return name_or_path
    name = name_or_path[len(PREFIX):].strip().lower()
    if name not in NAMES:
        raise XornetError(
            f"model: {name_or_path!r} is not a built-in network; choose one of "
            f"{', '.join(PREFIX + n for n in NAMES)}."
        )
    # Installed as plain package data, so the resource is a real file on disk.
    return os.fspath(resources.files(__package__) / "handbuilt" / f"{name}.json")


def describe():
    """List the built-in networks.

    Returns
    -------
    list of (str, str)
        ``(reference, description)`` with reference ``builtin:NAME`` for every name in
        :data:`NAMES`, the description taken from the file's ``training.description``.
    """
    rows = []
    for name in NAMES:
        with open(resolve(PREFIX + name), encoding="utf-8") as f:
            doc = json.load(f)
        rows.append((PREFIX + name, doc.get("training", {}).get("description", "")))
    return rows
