"""The JSON model file: a strict loader that never executes anything, and an atomic writer.

A model file is plain JSON that a person can also write by hand, e.g. XOR from step units
(h1 = OR, h2 = AND, output = h1 AND NOT h2)::

    {"format": "xornet-model", "version": 1, "sizes": [2, 2, 1],
     "activations": ["step", "step"], "weights": [[[1, 1], [1, 1]], [[1], [-2]]],
     "biases": [[-0.5, -1.5], [-0.5]]}

Weights are written with ``repr`` precision, so a load gives back the same float64 bits.
The loader checks every field against the declared ``sizes`` before it builds an array, and
reports any problem as one ``XornetError`` sentence naming the file, the field and the fix.
"""

import contextlib
import difflib
import itertools
import json
import math
import os
import stat
import tempfile
from dataclasses import dataclass, field

import numpy as np

from .activations import NAMES
from .errors import XornetError

FORMAT = "xornet-model"
VERSION = 1
SUPPORTED_VERSIONS = (1,)
MAX_BYTES = 20 * 2**20  # a 2-3-1 model is ~1 kB; 20 MB already holds about a million weights
MAX_SIZES = 64  # entries of "sizes", i.e. at most 63 weight layers
MAX_WIDTH = 4096
MAX_PARAMETERS = 10_000_000  # checked from "sizes" alone, before any array is allocated
MAX_TRAINING_DEPTH = 32  # nesting of the free-form "training" record
KNOWN_KEYS = ("format", "version", "sizes", "activations", "bias", "weights", "biases", "training")

_KINDS = {dict: "an object", list: "a list", str: "a string", bool: "true/false",
          int: "a number", float: "a number", type(None): "null"}


@dataclass
class ModelSpec:
    """A validated model, as read from a file.

    Attributes
    ----------
    sizes : list of int
        Layer widths, input first, e.g. ``[2, 3, 1]``.
    activations : list of str
        One activation name per weight layer.
    weights, biases : list of ndarray
        float64, layer k of shape ``(sizes[k], sizes[k + 1])`` and ``(sizes[k + 1],)``;
        ``biases`` is None for a network without bias.
    training : dict
        How the model was trained (free-form JSON); empty when unknown.
    """

    sizes: list[int]
    activations: list[str]
    weights: list[np.ndarray]
    biases: list[np.ndarray] | None
    training: dict = field(default_factory=dict)


def to_document(sizes, activations, weights, biases, training=None):
    """Build the JSON document for a network; fields as in :class:`ModelSpec`.

    Parameters
    ----------
    sizes, activations, weights, biases
        As in :class:`ModelSpec` (``biases`` None for a network without bias).
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
        "sizes": _plain(list(sizes), "model to save"),
        "activations": list(activations),
        "bias": biases is not None,
        # tolist() gives Python floats, which json writes with repr: the shortest exact text.
        "weights": [np.asarray(w, dtype=np.float64).tolist() for w in weights],
        "biases": None if biases is None
        else [np.asarray(b, dtype=np.float64).tolist() for b in biases],
        "training": _plain(training or {}, "model to save"),
    }
    # The loader's own checks, so that whatever write() saves always loads again.
    _check_document(doc, "model to save")
    return doc


def write(path, doc):
    """Save a document from :func:`to_document` as readable JSON, atomically.

    The text goes to a temporary file in the same folder, is flushed to disk, then replaces
    ``path`` in one step; on any failure the old file is intact and the temporary file gone.

    Raises
    ------
    XornetError
        If the document is not JSON-able or the file cannot be written.
    """
    path = os.fspath(path)
    _check_document(doc, path)  # never replace a file with one that would not load back
    try:
        text = _pretty(doc) + "\n"
    except (TypeError, ValueError) as e:
        raise XornetError(f"{path}: the model cannot be written as JSON ({e}); "
                          "build the document with modelfile.to_document().") from None
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)  # keep an existing file's permissions
    except OSError:
        mode = 0o644  # mkstemp would leave 0600; a model is an ordinary file others may read
    try:
        fd, tmp = tempfile.mkstemp(prefix=".xornet-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise XornetError(f"{path}: cannot create a file in {folder} ({e.strerror}); "
                          "check that the folder exists and is writable.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise XornetError(f"{path}: could not be saved ({e.strerror or e}); the previous "
                              "file, if any, is unchanged.") from None
        raise
    _sync_folder(folder)


def read(path):
    """Load and validate the model file at ``path``; nothing in it is ever executed.

    Returns
    -------
    ModelSpec

    Raises
    ------
    XornetError
        For a missing, unreadable, oversized or invalid file, naming the field and the fix.
    """
    name = os.fspath(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise XornetError(f"{name}: no such model file; check the path.") from None
    except OSError as e:
        raise XornetError(f"{name}: cannot be read ({e.strerror}); check the path.") from None
    if stat.S_ISDIR(info.st_mode):
        raise XornetError(f"{name}: is a folder, not a model file; give the path of a .json file.")
    if info.st_size > MAX_BYTES:
        _too_large(name, info.st_size)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)  # bounded anyway: pipes and devices stat as size 0
    except OSError as e:
        raise XornetError(f"{name}: cannot be read ({e.strerror}); check permissions.") from None
    if len(data) > MAX_BYTES:
        _too_large(name, len(data))
    return parse(data, source=name)


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
        _too_large(source, len(text))
    text = text.removeprefix("\ufeff")  # harmless: some Windows editors start files with a BOM
    if not text.strip():
        raise XornetError(f"{source}: is empty; a model file is a JSON object saved by xornet.")
    return _check_document(_loads(text, source), source)


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
                raise XornetError(f"{source}: the field {_show(key)} appears twice in one "
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


def _check_document(doc, source):
    if not isinstance(doc, dict):
        _fail(source, f"the top level is {_kind(doc)}, but a model file is one JSON object "
                      f'{{...}} with "format": "{FORMAT}"')
    if doc.get("format") != FORMAT:
        found = _show(doc["format"]) if "format" in doc else "missing"
        _fail(source, f'format is {found}; a model file starts with "format": "{FORMAT}"')
    version = doc.get("version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        found = _show(version) if "version" in doc else "missing"
        supported = " or ".join(map(str, SUPPORTED_VERSIONS))
        _fail(source, f"version is {found}, but this xornet reads only version {supported}; "
                      f'write "version": {VERSION}, or upgrade xornet for a newer file')
    unknown = [k for k in doc if k not in KNOWN_KEYS and not k.startswith(("_", "comment"))]
    if unknown:
        close = difflib.get_close_matches(unknown[0], KNOWN_KEYS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        _fail(source, f"unknown field {_show(unknown[0])}; {hint}the known fields are "
                      f"{', '.join(KNOWN_KEYS)} (start a note's name with '_' or 'comment')")
    sizes = _read_sizes(doc, source)
    shapes = list(itertools.pairwise(sizes))  # (n_in, n_out) per layer
    names = _read_activations(doc, source, len(shapes))
    has_bias = _bias_flag(doc, source)
    count = sum(n_in * n_out + (n_out if has_bias else 0) for n_in, n_out in shapes)
    if count > MAX_PARAMETERS:
        _fail(source, f"sizes declare {count:,} parameters, more than the limit of "
                      f"{MAX_PARAMETERS:,}; use fewer or narrower layers")
    weights = _require(doc, "weights", source, "one matrix per layer")
    _check_count(weights, len(shapes), "weights", "matrices", source)
    weights = [_matrix(w, shape, f"layer {k} weights", source)
               for k, (w, shape) in enumerate(zip(weights, shapes, strict=True), 1)]
    biases = None
    if has_bias:
        biases = doc["biases"]
        _check_count(biases, len(shapes), "biases", "vectors", source)
        biases = [_vector(b, n_out, f"layer {k} biases", source)
                  for k, (b, (_, n_out)) in enumerate(zip(biases, shapes, strict=True), 1)]
    training = doc.get("training")
    if training is not None and not isinstance(training, dict):
        _fail(source, f"training is {_kind(training)}; write an object {{...}} or leave it out")
    return ModelSpec(sizes, names, weights, biases, _plain(training or {}, source))


def _read_sizes(doc, source):
    sizes = _require(doc, "sizes", source, "the layer widths, input first, like [2, 3, 1]")
    if not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_SIZES:
        _fail(source, f"sizes must be a list of 2 to {MAX_SIZES} layer widths like [2, 3, 1], "
                      f"found {_describe(sizes)}")
    for k, n in enumerate(sizes, 1):
        if type(n) is not int or not 1 <= n <= MAX_WIDTH:  # type() check: true is not a width
            _fail(source, f"sizes entry {k} is {_show(n)}; a layer width is a whole number "
                          f"from 1 to {MAX_WIDTH}")
    return sizes


def _read_activations(doc, source, n_layers):
    names = _require(doc, "activations", source, 'one name per layer, like ["tanh", "sigmoid"]')
    _check_count(names, n_layers, "activations", "names", source)
    for k, name in enumerate(names, 1):
        if type(name) is not str or name not in NAMES:
            _fail(source, f"layer {k} activation {_show(name)} is unknown; choose one of "
                          f"{', '.join(NAMES)}")
    return names


def _bias_flag(doc, source):
    flag = doc.get("bias")
    if "bias" in doc and type(flag) is not bool:
        _fail(source, f"bias is {_show(flag)}; write true or false")
    if "biases" not in doc:
        if flag is False:
            return False
        _fail(source, 'biases is missing; give one vector per layer, or "biases": null for a '
                      "network without bias")
    given = doc["biases"] is not None
    if flag is not None and flag != given:
        _fail(source, f"bias is {json.dumps(flag)} but biases is {'given' if given else 'null'}; "
                      "make them agree")
    return given


def _matrix(value, shape, what, source):
    n_in, n_out = shape
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        _fail(source, f"{what} must be a list of {n_in} rows of {n_out} numbers, "
                      f"found {_describe(value)}")
    widths = sorted({len(row) for row in value})
    if len(widths) > 1:
        _fail(source, f"{what} are ragged (rows of {widths[0]} and {widths[-1]} numbers); "
                      f"give {n_in} rows of {n_out} numbers as sizes say")
    found = (len(value), widths[0] if widths else 0)
    if found != shape:
        _fail(source, f"{what} have shape {found[0]}×{found[1]} but sizes say {n_in}×{n_out}; "
                      "fix the matrix or sizes")
    for i, row in enumerate(value, 1):
        _check_numbers(row, f"{what} row {i}", source)
    return _array(value, what, source)


def _vector(value, n, what, source):
    if not isinstance(value, list) or len(value) != n:
        _fail(source, f"{what} must be a list of {n} numbers as sizes say, "
                      f"found {_describe(value)}")
    _check_numbers(value, what, source)
    return _array(value, what, source)


def _check_numbers(values, what, source):
    # json gives exact int/float types; comparing type() also refuses bool (a subclass of int).
    if not {type(x) for x in values} <= {int, float}:
        j, bad = next((j, x) for j, x in enumerate(values, 1) if type(x) not in (int, float))
        _fail(source, f"{what} entry {j} is {_show(bad)}; every entry must be a number like 0.5")


def _array(value, what, source):
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:  # an integer literal beyond the float64 range
        _fail(source, f"{what} hold a number too large for a float64; use a smaller one")
    if not np.isfinite(array).all():
        _fail(source, f"{what} contain NaN or infinity; every entry must be a finite number")
    return array


def _require(doc, key, source, hint):
    if key not in doc:
        _fail(source, f"{key} is missing; add it: {hint}")
    return doc[key]


def _check_count(value, n, key, items, source):
    if not isinstance(value, list) or len(value) != n:
        _fail(source, f"{key} must be a list of {n} {items}, one per layer as sizes say, "
                      f"found {_describe(value)}")


def _plain(value, source, depth=0):
    # Turns Python values (NumPy scalars, tuples, a diverged loss) into JSON values the loader
    # accepts, and caps the nesting so a record always survives a save-load-save cycle.
    if depth > MAX_TRAINING_DEPTH:
        _fail(source, f"training is nested more than {MAX_TRAINING_DEPTH} levels; flatten it")
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v, source, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, source, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # "nan", "inf", "-inf": readable, and legal JSON
    if value is None or isinstance(value, bool | int | float | str):
        return value
    _fail(source, f"training holds a {type(value).__name__}, which JSON cannot store; use "
                  "numbers, strings, lists and dicts")


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
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def _sync_folder(folder):
    # The rename is durable only once the folder entry is on disk (POSIX); best effort.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _too_large(source, n_bytes):
    raise XornetError(f"{source}: is {n_bytes:,} bytes, more than the {MAX_BYTES // 2**20} MB a "
                      "model file may be; check that this is a model file.")


def _kind(value):
    return _KINDS.get(type(value), type(value).__name__)


def _describe(value):
    return f"a list of {len(value)}" if isinstance(value, list) else _kind(value)


def _show(value):
    if isinstance(value, str | int | float | bool) or value is None:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:39] + "…"
    return _kind(value)


def _fail(source, message):
    raise XornetError(f"{source}: {message}.")
