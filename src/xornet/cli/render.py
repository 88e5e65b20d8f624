"""Formatting for the terminal (rich) and for ``--json``. Pure formatting: no training."""

import json
import math

import numpy as np
from rich.console import Console
from rich.table import Table

MAX_TABLE_ROWS = 32  # a truth table longer than this is summarised instead of printed


def console():
    # soft_wrap: long lines stay whole when the output is a pipe (rich would cut them at 80)
    return Console(highlight=False, soft_wrap=True)


def num(x, digits=4):
    """A float as text with ``digits`` significant digits."""
    return f"{x:.{digits}g}"


def jsonable(obj):
    """Arrays → nested lists and non-finite floats → None, so the JSON is always valid."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (np.floating, float)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def print_json(doc):
    print(json.dumps(jsonable(doc), indent=2, allow_nan=False))


def fmt_bits(row):
    return " ".join(f"{v:g}" for v in row)


def truth_table(X, y, y_hat, tolerance, title="Truth table"):
    """Inputs, target, output, rounded output and ✓/✗ (within tolerance) per row."""
    table = Table(title=title, title_justify="left")
    table.add_column("inputs", justify="center")
    table.add_column("target", justify="right")
    table.add_column("output", justify="right")
    table.add_column("rounded", justify="right")
    table.add_column("", justify="center")
    for xi, yi, oi in zip(X, y, y_hat, strict=True):
        ok = bool(np.all(np.abs(oi - yi) <= tolerance))
        table.add_row(
            fmt_bits(xi), fmt_bits(yi), " ".join(f"{v:.4f}" for v in oi),
            " ".join(f"{round(v):g}" for v in oi),
            "[green]✓[/green]" if ok else "[red]✗[/red]",
        )
    return table


def rows_json(X, y, y_hat, tolerance):
    return [
        {"inputs": xi.tolist(), "target": yi.tolist(), "output": oi.tolist(),
         "ok": bool(np.all(np.abs(oi - yi) <= tolerance))}
        for xi, yi, oi in zip(X, y, y_hat, strict=True)
    ]


def matrix_table(title, M, row_label, col_label):
    """A weight matrix with its rows (inputs) and columns (units) labelled."""
    M = np.atleast_2d(M)
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for j in range(M.shape[1]):
        table.add_column(f"{col_label}{j + 1}", justify="right")
    for i, row in enumerate(M):
        table.add_row(f"{row_label}{i + 1}" if row_label else "", *(f"{v:.6g}" for v in row))
    return table


def network_json(net):
    return {
        "sizes": net.sizes, "activations": net.activations, "bias": net.bias,
        "parameters": net.n_params, "weights": net.weights, "biases": net.biases,
        "training": net.training,
    }


def print_network(con, net):
    con.print(f"[bold]{net!r}[/bold]")
    for k, layer in enumerate(net.layers, start=1):
        into = "x" if k == 1 else f"h{k - 1}_"
        unit = "y" if k == len(net.layers) else f"h{k}_"
        con.print(matrix_table(f"layer {k}: W{k} ({layer.n_in}×{layer.n_out}), "
                               f"{layer.activation.name}", layer.W, into, unit))
        if layer.b is not None:
            con.print(matrix_table(f"layer {k}: b{k}", layer.b[None, :], "", unit))
    if net.training:
        t = net.training
        items = ", ".join(f"{k}={v}" for k, v in t.items() if v is not None)
        con.print(f"trained with: {items}")
