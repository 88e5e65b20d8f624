"""Which tensors make a network: the PyTorch and the NumPy layout, checked on the way in.

A network of n layers travels as 2n arrays in one of two layouts:

- **PyTorch** (safetensors): ``"0.weight"``, ``"0.bias"``, ``"2.weight"``, … as
  ``nn.Sequential(Linear, activation, …)`` names them, each weight (n_out, n_in);
- **NumPy** (npz): ``W1``, ``b1``, ``W2``, … as xornet holds them, each weight (n_in, n_out),
  with ``sizes`` and ``activations`` beside them.

The names and shapes are checked from the file's headers, against the model limits of
:mod:`xornet.io.modeldoc`, before any array is made; then every number must be finite. The
rest of a model's checks (the activations above all) is the model document's own.
"""

import json
import re

import numpy as np

from xornet.errors import XornetError
from xornet.io import npz_file, safetensors_file
from xornet.io.modeldoc import MAX_PARAMETERS, MAX_SIZES, MAX_WIDTH

MAX_BYTES = 8 * MAX_PARAMETERS + 2**20  # every parameter as float64, and room for headers


def from_safetensors(data: bytes, source: str) -> tuple[list, list | None, list | None]:
    """The weights (n_in, n_out), biases (or None) and stored activation specs (or None) of a
    safetensors file in the PyTorch layout."""
    tensors, metadata = safetensors_file.decode(data, source, MAX_PARAMETERS,
                                                lambda headers: _torch_layers(headers, source))
    n = sum(name.endswith(".weight") for name in tensors)
    _check_finite(tensors, source)
    weights = [tensors[f"{2 * j}.weight"].T for j in range(n)]  # back to (n_in, n_out)
    biases = [tensors[f"{2 * j}.bias"] for j in range(n)] if "0.bias" in tensors else None
    text = metadata.get("activations")
    return weights, biases, None if text is None else _json(text, "metadata activations",
                                                            source)


def _torch_layers(headers, source):
    """Check the tensors' names and shapes against ``nn.Sequential(Linear, activation, …)``."""
    layers = {}
    for name, (_, shape) in headers.items():
        match = re.fullmatch(r"(0|[1-9][0-9]{0,3})\.(weight|bias)", name)
        if match is None or int(match[1]) % 2:
            _fail(source, f"tensor {name!r} is not a layer of nn.Sequential(Linear, "
                          "activation, …), whose tensors are 0.weight, 0.bias, 2.weight, …")
        layers.setdefault(int(match[1]) // 2, {})[match[2]] = shape
    rows = []
    for j in range(len(layers)):
        w = layers.get(j, {}).get("weight")
        if w is None or len(w) != 2:
            found = "is missing" if w is None else f"has shape {list(w)}"
            _fail(source, f"tensor '{2 * j}.weight' {found}; each Linear needs a weight of "
                          "shape (out_features, in_features)")
        rows.append((f"{2 * j}.weight", (w[1], w[0]), f"{2 * j}.bias", layers[j].get("bias")))
    _check_layers(rows, source)


def from_npz(data: bytes, source: str) -> tuple[list, list | None, list | None]:
    """The weights (n_in, n_out), biases (or None) and stored activation specs (or None) of an
    npz file in the NumPy layout."""
    arrays = npz_file.decode(data, source, MAX_BYTES,
                             lambda headers: _npz_layers(headers, source))
    n = sum(name.startswith("W") for name in arrays)
    _check_finite({k: v for k, v in arrays.items() if k[0] in "Wb"}, source)
    weights = [arrays[f"W{k}"].astype(np.float64) for k in range(1, n + 1)]
    biases = [arrays[f"b{k}"].astype(np.float64) for k in range(1, n + 1)] \
        if "b1" in arrays else None
    sizes = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    if "sizes" in arrays and arrays["sizes"].tolist() != sizes:
        _fail(source, f"array 'sizes' is {arrays['sizes'].tolist()} but the weights have "
                      f"sizes {sizes}; fix or drop it")
    names = None
    if "activations" in arrays:  # a name, or a step with its threshold as JSON text
        names = [_json(s, "array 'activations'", source) if s.startswith("{") else s
                 for s in arrays["activations"].tolist()]
    return weights, biases, names


def _npz_layers(headers, source):
    """Check the arrays' names, types and shapes, from their headers alone."""
    for name, (dtype, shape) in headers.items():
        if name in ("sizes", "activations"):
            kinds, rank = ("iu", 1) if name == "sizes" else ("U", 1)
            if dtype.kind not in kinds or len(shape) != rank:
                _fail(source, f"array {name!r} is {dtype} of shape {shape}; it must be a list "
                              f"of {'whole numbers' if name == 'sizes' else 'text'}")
        elif re.fullmatch(r"[Wb][1-9][0-9]{0,3}", name) is None:
            _fail(source, f"array {name!r} is not part of a model; an npz model holds W1, b1, "
                          "W2, …, sizes and activations")
        elif dtype.kind != "f" or dtype.itemsize not in (4, 8):
            _fail(source, f"array {name!r} is {dtype}; weights and biases are float64 (or "
                          "float32)")
    n = sum(name.startswith("W") for name in headers)
    for name in [f"W{k}" for k in range(1, n + 1)] + [m for m in headers if m[0] == "b"]:
        if f"W{name[1:]}" not in headers:
            _fail(source, f"array {name!r} has no weight matrix W{name[1:]}; number the layers "
                          f"W1, W2, … from 1" if name[0] == "b" else
                          f"array {name!r} is missing; number the layers W1, W2, … from 1")
    if not n:
        _fail(source, "holds no weight matrix W1; an npz model holds W1, b1, W2, …")
    rows = [(f"W{k}", headers[f"W{k}"][1], f"b{k}", headers.get(f"b{k}", (None, None))[1])
            for k in range(1, n + 1)]
    if any(len(shape) != 2 for _, shape, _, _ in rows):
        name, shape = next((w, s) for w, s, _, _ in rows if len(s) != 2)
        _fail(source, f"array {name!r} has shape {shape}; a weight matrix is (n_in, n_out)")
    _check_layers(rows, source)
    for name, length in (("sizes", n + 1), ("activations", n)):
        if name in headers and headers[name][1] != (length,):
            _fail(source, f"array {name!r} has shape {headers[name][1]}; the {n} layers need "
                          f"{length} entries")


def _check_layers(rows, source):
    """Shapes against the model limits: ``rows`` of (weight name, (n_in, n_out), bias name,
    bias shape or None), one per layer; checked before any array is made."""
    if not rows:
        _fail(source, "holds no layers; export a model from xornet to see the layout")
    if len(rows) > MAX_SIZES - 1:
        _fail(source, f"holds {len(rows)} layers, more than the {MAX_SIZES - 1} a model may have")
    has_bias, count = rows[0][3] is not None, 0
    for k, (w_name, (n_in, n_out), b_name, b_shape) in enumerate(rows):
        if not (1 <= n_in <= MAX_WIDTH and 1 <= n_out <= MAX_WIDTH):
            _fail(source, f"tensor {w_name!r} is {n_in} inputs × {n_out} units; a layer width "
                          f"is 1 to {MAX_WIDTH}")
        if k and n_in != rows[k - 1][1][1]:
            _fail(source, f"tensor {w_name!r} takes {n_in} inputs but the layer before has "
                          f"{rows[k - 1][1][1]} units; the layers must chain")
        if (b_shape is not None) != has_bias:
            _fail(source, f"tensor {b_name!r} is {'missing' if b_shape is None else 'there'} "
                          f"but the first layer {'has' if has_bias else 'has no'} bias; give "
                          "every layer a bias, or none")
        if has_bias and tuple(b_shape) != (n_out,):
            _fail(source, f"tensor {b_name!r} has shape {list(b_shape)} but the layer has "
                          f"{n_out} units")
        count += n_in * n_out + (n_out if has_bias else 0)
    if count > MAX_PARAMETERS:
        _fail(source, f"holds {count:,} parameters, more than the limit of {MAX_PARAMETERS:,}")


def _check_finite(tensors, source):
    for name, array in tensors.items():
        if not np.isfinite(array).all():
            _fail(source, f"tensor {name!r} holds NaN or infinity; every weight must be finite")


def _json(text, what, source):
    def no_constant(name):
        raise ValueError(f"{name} is not allowed")

    try:
        return json.loads(text, parse_constant=no_constant)
    except (ValueError, RecursionError) as e:
        _fail(source, f"{what} is not valid JSON ({e})")


def _fail(source, message):
    raise XornetError(f"{source}: {message}.")
