"""``xornet export`` and ``xornet import``: a model to ONNX, safetensors or npz, and back."""

import os
from typing import Annotated

import typer

from xornet import load
from xornet.cli import app, render, streams, wording
from xornet.errors import XornetError
from xornet.io import exchange, files, onnx_graph


@app.command()
def export(
    model: Annotated[str, typer.Argument(help="A model JSON file ('-': standard input), or builtin:NAME.")],  # noqa: E501
    out: Annotated[str, typer.Option("--out", "-o", help="The file to write ('-': standard output, when it is not a terminal).")],  # noqa: E501
    fmt: Annotated[str | None, typer.Option(
        "--format", help="onnx, safetensors or npz (default: from the --out suffix).")] = None,
):
    """Export a model for other tools: ONNX, safetensors (PyTorch) or npz (NumPy)."""
    streams.check(reads=[("MODEL", model)], writes=[("--out", out)])
    _check_suffix(out, fmt)
    net = load(model)
    with wording.flags_in_errors("format", "out"):  # the library says "out: ...": --out
        fmt = exchange.export(net, out, fmt)
    con = render.console()
    shape = "-".join(map(str, net.sizes))
    con.print(f"wrote {files.label(out, writing=True)}: {fmt}, {shape}, "
              f"{' → '.join(net.activations)}, float64", markup=False)
    name = "FILE" if files.is_stdio(out) else out  # a stream has no name to put in the code
    con.print(_how_to_use(net, fmt, name), soft_wrap=True, markup=False)  # code: copy as is


# The suffixes that name a format: a file called m.safetensors must hold safetensors.
NAMED_BY_SUFFIX = (*exchange.FORMATS, "json")


def _check_suffix(out, fmt):
    """Refuse a --format that the --out file name contradicts (m.safetensors --format npz
    would write a zip under a safetensors name); an unknown suffix (m.bin) is the user's."""
    if fmt is None or files.is_stdio(out):
        return
    suffix = os.path.splitext(out)[1].lower().removeprefix(".")
    wanted = fmt.strip().lower()
    if suffix in NAMED_BY_SUFFIX and suffix != wanted:
        raise XornetError(f"--format: {fmt} contradicts the --out name {out}, whose suffix "
                          f".{suffix} says {suffix}; give a matching name (such as "
                          f"{os.path.splitext(out)[0]}.{wanted}) or leave --format out.")


def _how_to_use(net, fmt, out):
    if fmt == "onnx":
        return (f"ONNX opset {onnx_graph.OPSET}: input x of shape [N, {net.sizes[0]}], output y "
                f"of shape [N, {net.sizes[-1]}]; run it with onnxruntime or open it in Netron.")
    if fmt == "npz":
        n = len(net.layers)
        layers = [f"W{k}, b{k}" if net.bias else f"W{k}" for k in range(1, n + 1)]
        if n > 3:
            layers = [layers[0], "…", layers[-1]]
        return (f"for NumPy: np.load({out!r}) holds {', '.join(layers)} (W1 is "
                f"{net.sizes[0]}×{net.sizes[1]}: inputs × units), sizes and activations.")
    sequential = exchange.torch_sequential(net)
    if sequential is None:
        return ("for PyTorch: the step units have no torch module, so write their layers "
                "yourself; the tensors load as they are.")
    return (f"for PyTorch: model = {sequential}.double(); "
            f"model.load_state_dict(safetensors.torch.load_file({out!r}))")


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="A .safetensors or .npz file.")],
    out: Annotated[str, typer.Option("--out", "-o", help="The model JSON file to write.")],
    activations: Annotated[str | None, typer.Option(
        help="One activation per layer, e.g. tanh,sigmoid; needed when the file names none "
             "(safetensors saved by PyTorch), and used instead of the file's.")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="safetensors or npz (default: from the file's suffix).")] = None,
):
    """Turn a safetensors or npz file into a model JSON file, checked like one."""
    streams.check(reads=[("FILE", file)], writes=[("--out", out)])
    names = None if activations is None else [a.strip() for a in activations.split(",")]
    with wording.flags_in_errors("format", "out"):
        spec = exchange.convert(file, out, names, fmt)
    shape = "-".join(map(str, spec.sizes))
    acts = " → ".join(a if isinstance(a, str) else a["name"] for a in spec.activations)
    bias = "bias" if spec.biases is not None else "no bias"
    render.console().print(f"wrote {files.label(out, writing=True)} from {files.label(file)}: "
                           f"{shape}, {acts}, {bias}", markup=False)
