"""Formatting for the terminal (rich) and for ``--json``. Pure formatting: no training."""

import json
import math
import sys

import numpy as np
from rich.console import Console
from rich.table import Table

PIPE_WIDTH = 250  # columns used when stdout is not a terminal
MAX_TABLE_ROWS = 32  # a truth table longer than this is summarised instead of printed


def console():
    # soft_wrap: long lines stay whole when the output is a pipe (rich would cut them at 80);
    # a pipe has no width, so give wide tables room instead of squeezing their numbers
    con = Console(highlight=False, soft_wrap=True)
    if not con.is_terminal:
        con.width = PIPE_WIDTH
    return con


class progress:
    """``with progress("seeds", n) as tick:`` — a rich progress bar on stderr, shown only when
    a person is watching (stderr is a terminal, ``show`` is true and there is more than one
    step); ``tick(anything)`` advances it by one."""

    def __init__(self, label, total, show=True):
        self.label, self.total = label, total
        self.show = show and sys.stderr.isatty() and total > 1
        self.bar = None

    def __enter__(self):
        if not self.show:
            return lambda _done: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(self.label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TimeRemainingColumn(), transient=True,
                            console=Console(stderr=True))
        self.bar.start()
        task = self.bar.add_task(self.label, total=self.total)
        return lambda _done: self.bar.advance(task)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


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


def network_json(net):
    return {
        "sizes": net.sizes, "activations": net.activations, "bias": net.bias,
        "parameters": net.n_params, "weights": net.weights, "biases": net.biases,
        "training": net.training,
    }


def print_network(con, net):
    """Each layer as a table: one row per unit, its bias and its incoming weights."""
    from xornet.core.naming import unit_names

    con.print(f"[bold]{net!r}[/bold]")
    for k, layer in enumerate(net.layers, start=1):
        inputs = unit_names(net.sizes, k - 1)
        table = Table(title=f"layer {k}: W{k} ({layer.n_in}×{layer.n_out}) "
                      f"{'and b' + str(k) + ' ' if layer.b is not None else ''}"
                      f"→ {layer.activation.name}", title_justify="left")
        table.add_column("unit")
        if layer.b is not None:
            table.add_column("bias", justify="right")
        for name in inputs:
            table.add_column(f"from {name}", justify="right")
        for j, unit in enumerate(unit_names(net.sizes, k)):
            bias = [f"{layer.b[j]:.6g}"] if layer.b is not None else []
            table.add_row(unit, *bias, *(f"{layer.W[i, j]:.6g}" for i in range(layer.n_in)))
        con.print(table)
    if net.training:
        items = ", ".join(f"{k}={v}" for k, v in net.training.items() if v is not None)
        con.print(f"trained with: {items}")
