"""The JSON model file: a strict loader that never executes anything, and an atomic writer.

A model file is plain JSON that a person can also write by hand, e.g. XOR from step units
(h1 = OR, h2 = AND, output = h1 AND NOT h2)::

    {"format": "xornet-model", "version": 1, "sizes": [2, 2, 1],
     "activations": ["step", "step"], "weights": [[[1, 1], [1, 1]], [[1], [-2]]],
     "biases": [[-0.5, -1.5], [-0.5]]}

or AND drawn as the tutorials draw it, one unit with no bias that fires when its input
exceeds 0.5::

    {"format": "xornet-model", "version": 1, "sizes": [2, 1], "bias": false,
     "activations": [{"name": "step", "theta": 0.5, "strict": true}],
     "weights": [[[0.5], [0.5]]], "biases": null}

Weights are written with ``repr`` precision, so a load gives back the same float64 bits.
The loader checks every field against the declared ``sizes`` before it builds an array, and
reports any problem as one ``XornetError`` sentence naming the file, the field and the fix.
This module handles the files and the JSON text; the fields, their limits and the checks
live in ``xornet.io.modeldoc``.
"""

import json
import math

import numpy as np

from xornet.core.activations import Activation
from xornet.errors import XornetError
from xornet.io import files
from xornet.io.modeldoc import (
    FORMAT,
    VERSION,
    check_document,
    plain,
    show,
)

MAX_BYTES = 20 * 2**20  # a 2-3-1 model is ~1 kB; 20 MB already holds about a million weights



def to_document(sizes, activations, weights, biases, training=None):
    """Build the JSON document for a network; fields as in :class:`ModelSpec`.

    Parameters
    ----------
    sizes, activations, weights, biases
        As in :class:`ModelSpec` (``biases`` None for a network without bias); an
        activation may also be an ``Activation``, written as its ``spec`` (a name, or a step
        with its threshold).
    training : dict or None
        How the model was trained. NumPy scalars become plain numbers; a non-finite number
        (a diverged loss) becomes the string "nan", "inf" or "-inf".

    Returns
    -------
    dict
        Plain JSON values, ready for :func:`write`.

    Raises
    ------
    XornetError
        If the result would not load back, e.g. a weight is NaN or a shape is wrong.
    """
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": plain(list(sizes), "model to save"),
        "activations": [a.spec if isinstance(a, Activation) else a for a in activations],
        "bias": biases is not None,
        # tolist() gives Python floats, which json writes with repr: the shortest exact text.
        "weights": [np.asarray(w, dtype=np.float64).tolist() for w in weights],
        "biases": None if biases is None
        else [np.asarray(b, dtype=np.float64).tolist() for b in biases],
        "training": plain(training or {}, "model to save"),
    }
    # The loader's own checks, so that whatever write() saves always loads again.
    check_document(doc, "model to save")
    return doc


def write(path, doc):
    """Save a document from :func:`to_document` as readable JSON, atomically.

    Written through ``xornet.io.files.write_atomic``: only to a regular file (or a new one),
    through symlinks, and an interrupted save leaves the old file intact. A document that
    could not be read back — over the size limit of :func:`read` — is refused before
    anything is written.

    Raises
    ------
    XornetError
        If the document is not JSON-able, too large to read back, or cannot be written.
    """
    name = files.label(files.check_path(path, "save"), writing=True)
    check_document(doc, name)  # never replace a file with one that would not load back
    try:
        data = (_pretty(doc) + "\n").encode("utf-8")
    except (TypeError, ValueError) as e:
        raise XornetError(f"{name}: the model cannot be written as JSON ({e}); "
                          "build the document with modelfile.to_document().") from None
    if len(data) > MAX_BYTES:
        raise XornetError(f"{name}: the model would take {len(data) / 2**20:.0f} MB, more than "
                          f"the {MAX_BYTES // 2**20} MB a model file may be, so it could not "
                          "be read back; it was not saved (use fewer or smaller layers).")
    files.write_atomic(path, lambda f: f.write(data), field="save")


def estimated_bytes(n_params):
    """About how large a model file with ``n_params`` trained weights is: each is written in
    full precision, about 24 characters and a separator (a guide for refusing early; the
    writer checks the exact size before it writes)."""
    return 1024 + 26 * n_params


def read(path):
    """Load and validate the model file at ``path``; nothing in it is ever executed.

    Returns
    -------
    ModelSpec

    Raises
    ------
    XornetError
        For a missing, unreadable, oversized or invalid file (or a folder, FIFO or device),
        naming the field and the fix.
    """
    name = files.check_path(path, "model")
    return parse(files.read_bytes(name, MAX_BYTES, kind="model file", field="model"),
                 source=files.label(name))


def parse(text, source="model.json"):
    """Validate the text of a model file (e.g. uploaded to the playground).

    Parameters
    ----------
    text : str or bytes
        The file's content; bytes must be UTF-8.
    source : str
        The name used in error messages.

    Returns
    -------
    ModelSpec

    Raises
    ------
    XornetError
        For anything but a valid model, naming the field and the fix.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise XornetError(f"{source}: is not UTF-8 text (bad byte at offset {e.start}); a "
                              "model file is JSON, and xornet never loads pickles.") from None
    if not isinstance(text, str):
        raise XornetError(f"{source}: expected the model's text, got {type(text).__name__}.")
    if len(text) > MAX_BYTES:  # characters, not bytes: close enough for a sanity limit
        files.raise_too_large(source, len(text), MAX_BYTES, "model file")
    text = text.removeprefix("\ufeff")  # harmless: some Windows editors start files with a BOM
    if not text.strip():
        raise XornetError(f"{source}: is empty; a model file is a JSON object saved by xornet.")
    return check_document(_loads(text, source), source)


def _loads(text, source):
    def reject_constant(name):
        raise XornetError(f"{source}: {name} is not allowed; every number must be finite.")

    def finite_float(token):
        value = float(token)
        if not math.isfinite(value):
            raise XornetError(f"{source}: the number {token[:40]} is too large for a float64; "
                              "every number must be finite.")
        return value

    def no_duplicates(pairs):
        obj = {}
        for key, value in pairs:
            if key in obj:
                raise XornetError(f"{source}: the field {show(key)} appears twice in one "
                                  "object; keep only one of them.")
            obj[key] = value
        return obj

    try:
        return json.loads(text, object_pairs_hook=no_duplicates,
                          parse_constant=reject_constant, parse_float=finite_float)
    except XornetError:
        raise
    except json.JSONDecodeError as e:
        raise XornetError(f"{source}: not valid JSON at line {e.lineno}, column {e.colno} "
                          f"({e.msg}); check for a missing comma, bracket or quote.") from None
    except RecursionError:
        raise XornetError(f"{source}: the JSON is nested too deeply; a model needs only "
                          "three levels of lists.") from None
    except ValueError:  # an integer with thousands of digits, refused by int()
        raise XornetError(f"{source}: a number has thousands of digits; shorten it.") from None


def _pretty(value, indent=0):
    # Like json.dumps(indent=2), but a list of plain numbers stays on one line, so a weight
    # matrix reads row by row instead of one number per line.
    pad = "  " * (indent + 1)
    if isinstance(value, dict) and value:
        if not all(isinstance(k, str) for k in value):
            raise TypeError("object keys must be strings")
        items = [f"{pad}{json.dumps(k)}: {_pretty(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list) and any(isinstance(v, list | dict) for v in value):
        items = [pad + _pretty(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    if any("\ud800" <= c <= "\udfff" for c in text):  # a lone surrogate: no UTF-8 for it
        return json.dumps(value, allow_nan=False)  # written as \ud800, as it was read
    return text
