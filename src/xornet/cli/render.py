"""Formatting for the terminal (rich) and for ``--json``. Pure formatting: no training."""

import json
import math
import os
import sys

import numpy as np
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from xornet.cli import streams

# Every table and trace fits this many columns when stdout is not a terminal and COLUMNS is
# not set (a pipe has no width); on a terminal, or with COLUMNS set, that width is used.
PIPE_WIDTH = 100
MAX_TABLE_ROWS = 32  # a truth table longer than this is summarised instead of printed


def console(stderr=False):
    """The console every command prints with (on stderr if asked, or when standard output
    carries data: ``--save -`` and the like, see ``cli.streams``): rich wraps long sentences
    at the terminal's width (COLUMNS when set, as a shell sets it; else the terminal's; else
    PIPE_WIDTH)."""
    con = Console(highlight=False, stderr=stderr or streams.stdout_is_data())
    if not con.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        con.width = PIPE_WIDTH
    return con


class progress:
    """``with progress("seeds", n) as tick:`` — a rich progress bar on stderr, shown only when
    a person is watching (stderr is a terminal, ``show`` is true and there is more than one
    step); ``tick(anything)`` advances it by one, or, with ``absolute=True``, ``tick(done)``
    sets it to ``done``. When stderr is not a terminal (a pipe, a log file) the bar is
    replaced by one line, ``piped``, saying what is going on (nothing when it is None),
    printed at the first tick: a mistake found before any work is still one error line."""

    def __init__(self, label, total, show=True, piped=None, absolute=False):
        self.label, self.total, self.absolute = label, total, absolute
        watching = sys.stderr.isatty()
        self.piped = piped if show and not watching else None
        self.show = show and watching and total > 1
        self.bar = None

    def __enter__(self):
        if self.piped:
            return self._say_once
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
        if self.absolute:
            return lambda done: self.bar.update(task, completed=done)
        return lambda _done: self.bar.advance(task)

    def _say_once(self, _done):
        if self.piped:
            print(self.piped, file=sys.stderr, flush=True)
            self.piped = None

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def print_hanging(con, markup, hang=None):
    """Print one line of ``markup``, wrapped at the terminal's width with every continuation
    line indented by ``hang`` columns (default: the line's own indent + 4), so a long sum or
    chain-rule product reads as one formula."""
    text = Text.from_markup(markup)
    if hang is None:
        hang = len(text.plain) - len(text.plain.lstrip(" ")) + 4
    lines = text.wrap(con, max(20, con.width - hang))
    for k, line in enumerate(lines):
        if k:
            line = Text(" " * hang) + line
        con.print(line)


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
    """Inputs, target, output, rounded output and ok (✓/✗: within tolerance) per row, and
    a note below the table (a rich Group of both) saying what ok means: rounding is not the
    test (0.5000 rounds to 1 and is still 0.5 away from a target of 1); "solved" is every
    row within ``tolerance``.
    """
    within = np.all(np.abs(y_hat - y) <= tolerance, axis=1)  # (n,): the ok column
    rounds_right = np.all(np.round(y_hat) == y, axis=1)
    note = f"ok: |output − target| ≤ {tolerance:g}, the tolerance"
    if np.any(rounds_right & ~within):
        note += f"; a ✗ that rounds right is close, but not yet within {tolerance:g}"
    table = Table(title=title, title_justify="left")
    table.add_column("inputs", justify="center")
    table.add_column("target", justify="right")
    table.add_column("output", justify="right")
    table.add_column("rounded", justify="right")
    table.add_column("ok", justify="center")
    for xi, yi, oi, ok in zip(X, y, y_hat, within, strict=True):
        table.add_row(
            fmt_bits(xi), fmt_bits(yi), " ".join(f"{v:.4f}" for v in oi),
            " ".join(f"{round(v):g}" for v in oi),
            "[green]✓[/green]" if ok else "[red]✗[/red]",
        )
    return Group(table, Text(note, style="dim"))  # the note below, wrapped at the terminal


def rows_json(X, y, y_hat, tolerance):
    return [
        {"inputs": xi.tolist(), "target": yi.tolist(), "output": oi.tolist(),
         "ok": bool(np.all(np.abs(oi - yi) <= tolerance))}
        for xi, yi, oi in zip(X, y, y_hat, strict=True)
    ]


def _fitting_tables(width, corner, rows, columns, cells):
    """Tables of ``rows`` × ``columns`` (cells: one list of texts per row), the columns
    split into as few tables as fit ``width`` terminal columns (each keeps the row names)."""
    def cell_width(c):  # a column's text plus rich's padding and border
        return max(len(columns[c]), *(len(row[c]) for row in cells)) + 3

    first = max(len(corner), *(len(r) for r in rows)) + 4  # the row names and the outer border
    groups, group, used = [], [], first
    for c in range(len(columns)):
        if group and used + cell_width(c) > width:
            groups.append(group)
            group, used = [], first
        group.append(c)
        used += cell_width(c)
    groups.append(group)
    tables = []
    for group in groups:
        table = Table()
        table.add_column(corner)
        for c in group:
            table.add_column(columns[c], justify="right")
        for name, row in zip(rows, cells, strict=True):
            table.add_row(name, *(row[c] for c in group))
        tables.append(table)
    return tables


def network_json(net):
    return {
        "sizes": net.sizes, "activations": net.activations, "bias": net.bias,
        "parameters": net.n_params, "weights": net.weights, "biases": net.biases,
        "training": net.training,
    }


MAX_SHOWN = 2048  # weights of one layer written out one by one; larger layers are summarised


def _summary(layer):
    W = layer.W
    text = (f"{W.size:,} weights, too many to list: min {W.min():.4g}, mean {W.mean():.4g}, "
            f"max {W.max():.4g}, std {W.std():.4g}")
    if layer.b is not None:
        text += f"; biases from {layer.b.min():.4g} to {layer.b.max():.4g}"
    return text + " (xornet show MODEL --json lists them all)"


def print_network(con, net):
    """Each layer as a table of its weights and biases that fits the terminal.

    A layer is drawn with one row per unit of its wider side: one row per unit it feeds
    (columns: bias, then one per input) when it has more outputs than inputs, else one row
    per input (columns: one per unit it feeds; the bias is the first row) — so the 1×16 row
    of a 2-16-1 network's output layer becomes a column of 16. A side still too wide for the
    terminal is split into several tables of the columns that fit.
    """
    from xornet.core.naming import unit_names

    con.print(f"[bold]{net!r}[/bold]")
    for k, layer in enumerate(net.layers, start=1):
        inputs, units = unit_names(net.sizes, k - 1), unit_names(net.sizes, k)
        bias = layer.b is not None
        title = (f"layer {k}: W{k} ({layer.n_in}×{layer.n_out}) "
                 f"{'and b' + str(k) + ' ' if bias else ''}→ {layer.activation.name}")
        if layer.W.size > MAX_SHOWN:  # a table nobody can read, and minutes to draw
            con.print(f"{title}: {_summary(layer)}")
            continue
        if layer.n_out >= layer.n_in:  # a row per unit: its bias and its incoming weights
            corner, rows, columns = "unit", units, (["bias"] if bias else []) + \
                [f"from {name}" for name in inputs]
            cells = [([f"{layer.b[j]:.6g}"] if bias else []) +
                     [f"{layer.W[i, j]:.6g}" for i in range(layer.n_in)]
                     for j in range(layer.n_out)]
        else:  # a row per input (the bias first): W as written, one column per unit
            corner, rows = "from", (["bias"] if bias else []) + inputs
            columns = [f"to {name}" for name in units]
            cells = ([[f"{v:.6g}" for v in layer.b]] if bias else []) + \
                [[f"{v:.6g}" for v in layer.W[i]] for i in range(layer.n_in)]
        for part, table in enumerate(_fitting_tables(con.width, corner, rows, columns, cells)):
            con.print(title if part == 0 else f"{title} (continued)")  # a line: never squeezed
            con.print(table)
    if net.training:
        items = ", ".join(f"{k}={v}" for k, v in net.training.items() if v is not None)
        con.print(f"trained with: {items}")
