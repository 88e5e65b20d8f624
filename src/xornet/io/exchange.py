"""Taking a network to other tools, and back: ONNX, safetensors (PyTorch) and npz (NumPy).

xornet's own format stays the JSON model file (:mod:`xornet.io.modelfile`), the one that
``xornet.load`` reads. The formats here are for other tools:

- **onnx** — for onnxruntime, Netron and the converters: the forward pass as a graph of
  MatMul, Add and activation nodes in float64, opset 17 (:mod:`xornet.io.onnx_graph`).
  Export only: a graph is a program, not a list of weights.
- **safetensors** — for PyTorch: the tensors of ``nn.Sequential(Linear, activation, Linear,
  activation, …)``, named as its ``state_dict`` names them — ``"0.weight"`` of shape
  (n_out, n_in) = W1ᵀ, ``"0.bias"``, ``"2.weight"``, … (the activations, which hold no
  tensors, take the odd indices) — with the activation names in the header's metadata.
- **npz** — for NumPy: ``np.load(path)`` gives ``W1`` (n_in, n_out), ``b1``, ``W2``, …, plus
  ``sizes`` and ``activations`` (text).

Neither format is a pickle, and nothing read is ever executed. The way back
(:func:`read`, :func:`convert`) makes a model file with the same checks as a model file:
the limits are checked from the file's headers before any array is made, then the tensors
must chain into layers, hold finite numbers and come with known activations.
"""

import json
import os

import numpy as np

from xornet.core.activations import LEAKY_SLOPE
from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.io import files, modelfile, npz_file, onnx_graph, safetensors_file, tensorlayout
from xornet.io.modeldoc import FORMAT, VERSION, ModelSpec, check_document

FORMATS = ("onnx", "safetensors", "npz")
IMPORTABLE = ("safetensors", "npz")
TORCH_MODULES = {"sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()",
                 "leaky_relu": f"nn.LeakyReLU({LEAKY_SLOPE})", "linear": "nn.Identity()"}


def format_of(path: str | None, fmt: str | None = None, allowed: tuple = FORMATS) -> str:
    """``fmt`` checked, or (when None) the format named by the suffix of ``path``."""
    if fmt is None and files.is_stdio(path):
        raise XornetError(f"format: '-' (a standard stream) has no file name to tell the format "
                          f"from; give the format, {', '.join(allowed[:-1])} or {allowed[-1]}.")
    if fmt is None:
        fmt = os.path.splitext(str(path))[1].lower().removeprefix(".")
        if fmt not in allowed:
            raise XornetError(f"{path}: cannot tell the format from the file name; name it "
                              f"{' or '.join('.' + f for f in allowed)}, or give the format.")
    if fmt not in allowed:
        raise XornetError(f"format: {fmt!r} is not one of {', '.join(allowed)}; choose one.")
    return fmt


# --- export ------------------------------------------------------------------------------
def to_bytes(net: Network, fmt: str) -> bytes:
    """The file ``net`` exports to in format ``fmt`` ("onnx", "safetensors" or "npz").

    Raises
    ------
    XornetError
        For an unknown format, a network with non-finite weights, or (ONNX) a missing
        ``onnx`` package.
    """
    fmt = format_of(None, fmt)
    if not np.isfinite(net.params).all():
        raise XornetError("export: the network has non-finite weights (training diverged), so "
                          "it was not exported; train again with a smaller learning rate.")
    if fmt == "onnx":
        return onnx_graph.build(net).SerializeToString()
    if fmt == "safetensors":
        specs = [layer.activation.spec for layer in net.layers]
        metadata = {"format": "pt", "producer": "xornet", "activations": json.dumps(specs)}
        return safetensors_file.encode(state_dict(net), metadata)
    return npz_file.encode(npz_arrays(net))


def export(net: Network, path: str | os.PathLike, fmt: str | None = None) -> str:
    """Write ``net`` to ``path`` in ``fmt`` (default: from the suffix), atomically.

    Returns
    -------
    str
        The format written.
    """
    fmt = format_of(files.check_path(path, "out"), fmt)
    data = to_bytes(net, fmt)
    files.write_atomic(path, lambda f: f.write(data), field="out", binary=True)
    return fmt


def state_dict(net: Network) -> dict[str, np.ndarray]:
    """The tensors of the matching ``nn.Sequential``, by its ``state_dict`` names.

    Linear layer j sits at index 2j, its activation at 2j + 1; ``nn.Linear`` keeps its
    weight as (out_features, in_features), so it is xornet's W transposed.
    """
    tensors = {}
    for j, layer in enumerate(net.layers):
        tensors[f"{2 * j}.weight"] = layer.W.T  # (n_out, n_in)
        if layer.b is not None:
            tensors[f"{2 * j}.bias"] = layer.b  # (n_out,)
    return tensors


def npz_arrays(net: Network) -> dict[str, np.ndarray]:
    """W1, b1, W2, … as xornet holds them, and ``sizes`` and ``activations`` (text)."""
    arrays = {}
    for k, layer in enumerate(net.layers, start=1):
        arrays[f"W{k}"] = layer.W  # (n_in, n_out)
        if layer.b is not None:
            arrays[f"b{k}"] = layer.b
    arrays["sizes"] = np.array(net.sizes, dtype=np.int64)
    # A name, or a step with its own threshold as the JSON text of its model-file object.
    specs = [layer.activation.spec for layer in net.layers]
    arrays["activations"] = np.array([s if isinstance(s, str) else json.dumps(s)
                                      for s in specs])
    return arrays


def torch_sequential(net: Network) -> str | None:
    """The PyTorch code of the matching ``nn.Sequential``, or None when a layer has no torch
    module (a step)."""
    parts = []
    for layer in net.layers:
        if layer.activation.spec not in TORCH_MODULES:
            return None
        bias = "" if layer.b is not None else ", bias=False"
        parts += [f"nn.Linear({layer.n_in}, {layer.n_out}{bias})",
                  TORCH_MODULES[layer.activation.spec]]
    return f"nn.Sequential({', '.join(parts)})"


# --- import ------------------------------------------------------------------------------
def read(path: str | os.PathLike, activations: list | None = None,
         fmt: str | None = None) -> ModelSpec:
    """Read a safetensors or npz file as a validated model.

    Parameters
    ----------
    path : str
    activations : list of str, optional
        One per layer; needed when the file names none (safetensors saved by PyTorch), and
        used instead of the file's when given.
    fmt : {"safetensors", "npz"}, optional
        Default: from the suffix of ``path``.

    Returns
    -------
    ModelSpec

    Raises
    ------
    XornetError
        For anything but a valid model within the limits, naming the file and the field.
    """
    name = files.check_path(path, "model")
    fmt = format_of(name, fmt, IMPORTABLE)
    data = files.read_bytes(name, tensorlayout.MAX_BYTES, kind="file to import", field="model")
    return parse(data, files.label(name), fmt, activations)


def parse(data: bytes, source: str, fmt: str | None,
          activations: list | None = None) -> ModelSpec:
    """:func:`read` for a file's bytes; ``source`` names it in messages."""
    fmt = format_of(source, fmt, IMPORTABLE)
    reader = tensorlayout.from_safetensors if fmt == "safetensors" else tensorlayout.from_npz
    weights, biases, stored = reader(data, source)
    names = list(activations) if activations is not None else stored
    if names is None:
        example = ", ".join(["tanh"] * (len(weights) - 1) + ["sigmoid"])
        raise XornetError(f"{source}: names no activations (a file saved by PyTorch carries "
                          f"none); give one per layer, {len(weights)} here, such as {example}.")
    doc = {"format": FORMAT, "version": VERSION,
           "sizes": [weights[0].shape[0]] + [w.shape[1] for w in weights],
           "activations": names, "bias": biases is not None,
           "weights": [w.tolist() for w in weights],
           "biases": None if biases is None else [b.tolist() for b in biases],
           "training": {"imported_from": os.path.basename(source)}}
    return check_document(doc, source)  # exactly the checks a model file passes


def convert(path: str | os.PathLike, out: str | os.PathLike, activations: list | None = None,
            fmt: str | None = None) -> ModelSpec:
    """Read ``path`` (:func:`read`) and save it as the JSON model file ``out``.

    Returns
    -------
    ModelSpec
        The model written.
    """
    spec = read(path, activations, fmt)
    modelfile.write(out, modelfile.to_document(spec.sizes, spec.activations, spec.weights,
                                               spec.biases, spec.training))
    return spec
