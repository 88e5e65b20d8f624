"""What a valid model document is: its fields, its limits, and the checks that enforce them.

``modelfile`` reads and writes files; this module holds the other half of the format, the
field-by-field validation of a parsed JSON document (types, shapes against ``sizes``, known
activations, finite numbers, size limits checked before any array is built). It is separate
so that the file handling reads on its own and the rules of the format sit in one place; the
writer runs the same checks, so whatever is saved always loads again.
"""

import difflib
import itertools
import json
import math
from dataclasses import dataclass, field

import numpy as np

from xornet.core.activations import NAMES, SPEC_KEYS
from xornet.core.network import MAX_PARAMETERS as NETWORK_MAX_PARAMETERS
from xornet.core.network import MAX_UNITS
from xornet.errors import XornetError

FORMAT = "xornet-model"
VERSION = 1
SUPPORTED_VERSIONS = (1,)
MAX_SIZES = 64  # entries of "sizes", i.e. at most 63 weight layers
MAX_WIDTH = MAX_UNITS  # the network's own limits: whatever can be built can be read
MAX_PARAMETERS = NETWORK_MAX_PARAMETERS  # checked from "sizes" alone, before any allocation
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
    activations : list of str or dict
        One activation per weight layer: its name, or a step with its own threshold as
        ``{"name": "step", "theta": 0.5, "strict": True}`` (fires when z > 0.5).
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


def check_document(doc, source):
    """Check a parsed JSON document field by field; return its :class:`ModelSpec`.

    Raises
    ------
    XornetError
        For the first problem found, naming ``source``, the field and the fix.
    """
    if not isinstance(doc, dict):
        _fail(source, f"the top level is {_kind(doc)}, but a model file is one JSON object "
                      f'{{...}} with "format": "{FORMAT}"')
    if doc.get("format") != FORMAT:
        found = show(doc["format"]) if "format" in doc else "missing"
        _fail(source, f'format is {found}; a model file starts with "format": "{FORMAT}"')
    version = doc.get("version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        found = show(version) if "version" in doc else "missing"
        supported = " or ".join(map(str, SUPPORTED_VERSIONS))
        _fail(source, f"version is {found}, but this xornet reads only version {supported}; "
                      f'write "version": {VERSION}, or upgrade xornet for a newer file')
    unknown = [k for k in doc if k not in KNOWN_KEYS and not k.startswith(("_", "comment"))]
    if unknown:
        close = difflib.get_close_matches(unknown[0], KNOWN_KEYS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        _fail(source, f"unknown field {show(unknown[0])}; {hint}the known fields are "
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
    return ModelSpec(sizes, names, weights, biases, plain(training or {}, source))


def _read_sizes(doc, source):
    sizes = _require(doc, "sizes", source, "the layer widths, input first, like [2, 3, 1]")
    if not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_SIZES:
        _fail(source, f"sizes must be a list of 2 to {MAX_SIZES} layer widths like [2, 3, 1], "
                      f"found {_describe(sizes)}")
    for k, n in enumerate(sizes, 1):
        if type(n) is not int or not 1 <= n <= MAX_WIDTH:  # type() check: true is not a width
            _fail(source, f"sizes entry {k} is {show(n)}; a layer width is a whole number "
                          f"from 1 to {MAX_WIDTH}")
    return sizes


def _read_activations(doc, source, n_layers):
    names = _require(doc, "activations", source, 'one name per layer, like ["tanh", "sigmoid"]')
    _check_count(names, n_layers, "activations", "names", source)
    for k, name in enumerate(names, 1):
        if isinstance(name, dict):
            _check_step(name, k, source)
        elif type(name) is not str or name not in NAMES:
            _fail(source, f"layer {k} activation {show(name)} is unknown; choose one of "
                          f"{', '.join(NAMES)}, or a step with a threshold such as "
                          '{"name": "step", "theta": 0.5, "strict": true}')
    return names


def _check_step(spec, k, source):
    """A step unit with its own threshold: ``{"name": "step", "theta": θ, "strict": bool}``,
    firing when z > θ (strict) or z ≥ θ; theta and strict may be left out (0, false)."""
    what = f"layer {k} activation"
    unknown = [key for key in spec if key not in SPEC_KEYS]
    if unknown:
        _fail(source, f"{what} has an unknown field {show(unknown[0])}; a step with a "
                      f"threshold has the fields {', '.join(SPEC_KEYS)}")
    if spec.get("name") != "step":
        _fail(source, f"{what} is an object with name {show(spec.get('name'))}; only the "
                      'step takes a threshold, written {"name": "step", "theta": 0.5}')
    theta = spec.get("theta", 0.0)
    if type(theta) not in (int, float):  # json's exact types: true is not a number
        _fail(source, f"{what} theta is {show(theta)}; write the firing threshold as a "
                      "number like 0.5")
    if type(spec.get("strict", False)) is not bool:
        _fail(source, f"{what} strict is {show(spec['strict'])}; write true (fire when z > "
                      "theta) or false (fire when z ≥ theta)")


def _bias_flag(doc, source):
    flag = doc.get("bias")
    if "bias" in doc and type(flag) is not bool:
        _fail(source, f"bias is {show(flag)}; write true or false")
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
        _fail(source, f"{what} entry {j} is {show(bad)}; every entry must be a number like 0.5")


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


def plain(value, source, depth=0):
    """Python values (NumPy scalars, tuples, a diverged loss) as JSON values the loader accepts.

    The nesting is capped so that a record always survives a save-load-save cycle.
    """
    if depth > MAX_TRAINING_DEPTH:
        _fail(source, f"training is nested more than {MAX_TRAINING_DEPTH} levels; flatten it")
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): plain(v, source, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, source, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # "nan", "inf", "-inf": readable, and legal JSON
    if value is None or isinstance(value, bool | int | float | str):
        return value
    _fail(source, f"training holds a {type(value).__name__}, which JSON cannot store; use "
                  "numbers, strings, lists and dicts")


def _kind(value):
    return _KINDS.get(type(value), type(value).__name__)


def _describe(value):
    return f"a list of {len(value)}" if isinstance(value, list) else _kind(value)


def show(value):
    """A short JSON rendering of ``value`` for an error message."""
    if isinstance(value, str | int | float | bool) or value is None:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:39] + "…"
    return _kind(value)


def _fail(source, message):
    raise XornetError(f"{source}: {message}.")
