"""``xornet check``, ``xornet logic`` and ``xornet builtins``: networks read as logic."""

import itertools
from typing import Annotated

import typer
from rich.table import Table

from xornet import load
from xornet.cli import app, options, render
from xornet.errors import XornetError
from xornet.explain import lens as logic
from xornet.io import builtin, datasets

Opt = typer.Option
MAX_LISTED = 4  # units named in "not crisp" sentences; the rest are counted
MAX_EXPRESSION = 80  # a longer substituted expression is left to --json; its name is shown
ModelArg = Annotated[str, typer.Argument(help="A model JSON file, or builtin:NAME.")]
JsonOpt = Annotated[bool, Opt("--json", help="Print one JSON document.")]
DatasetOpt = Annotated[str | None, Opt(help="Truth table: a dataset name (xor, parity, ...) or a column such as 0110.")]  # noqa: E501
CsvOpt = Annotated[str | None, Opt(help="A truth table from your own CSV file.")]
TargetOpt = Annotated[str | None, Opt(help="CSV target column (default: the last).")]
BitsOpt = Annotated[int | None, Opt(help="Bits for parity (default: the model's inputs).")]


@app.command()
def check(model: ModelArg, dataset: DatasetOpt = None, csv: CsvOpt = None,
          target: TargetOpt = None, n_bits: BitsOpt = None, json_out: JsonOpt = False):
    """Run a model on every row of a truth table; exit code 1 if any row is wrong."""
    net = load(model)
    X, y, name = _truth_table(net, dataset, csv, target, n_bits)
    result = logic.check(net, X, y, source=f"--csv {csv}" if csv else f"--dataset {name}")
    if json_out:
        render.print_json({"model": model, "dataset": name, **result})
    else:
        print_check(render.console(), model, name, result)
    if not result["ok"]:
        raise typer.Exit(1)


@app.command("logic")
def logic_command(model: ModelArg, dataset: DatasetOpt = None, csv: CsvOpt = None,
                  target: TargetOpt = None, n_bits: BitsOpt = None, json_out: JsonOpt = False):
    """Read each unit as a boolean function and compose them into the network's logic."""
    net = load(model)
    X = None
    if dataset is not None or csv is not None:
        X, _, _ = _truth_table(net, dataset, csv, target, n_bits)
    source = f"--csv {csv}" if csv is not None else f"--dataset {dataset}"
    reading = logic.lens(net, X, source=source)
    if json_out:
        render.print_json({"model": model, **reading.as_dict()})
        return
    con = render.console()
    con.print(f"[bold]Logic lens[/bold] of {model}: {net!r}")
    print_lens(con, reading)


@app.command("builtins")
def builtins_command(json_out: JsonOpt = False):
    """List the hand-built networks that ship with xornet (use them as builtin:NAME)."""
    rows = builtin.describe()
    if json_out:
        render.print_json([{"name": n, "description": d} for n, d in rows])
        return
    table = Table(title="Hand-built networks (step units)", title_justify="left")
    table.add_column("model")
    table.add_column("how it is built")
    for name, description in rows:
        table.add_row(name, description)
    render.console().print(table)


def _truth_table(net, dataset, csv, target, n_bits):
    """(X, y, name) from the flags; without them, the truth table the model records."""
    options.check_count("--n-bits", n_bits)
    n_bits = min(net.sizes[0], datasets.MAX_BITS) if n_bits is None else n_bits
    if dataset is None and csv is None:
        dataset = _recorded_dataset(net, n_bits)
    return options.load_data(dataset, csv, target, n_bits, 200, None, 0)


def _recorded_dataset(net, n_bits):
    name = net.training.get("dataset")
    try:
        datasets.load(name, n_bits=n_bits)
    except XornetError:
        raise XornetError("--dataset: the model records no truth table to check against; "
                          "give --dataset NAME (e.g. xor or 0110) or --csv FILE.") from None
    return name


# --- formatting (also used by `xornet train` after a boolean task) ------------------------
def print_check(con, model, name, result):
    """The truth table with the model's output, its reading and pass/fail, then a verdict."""
    rows = result["rows"]
    shown = rows if len(rows) <= render.MAX_TABLE_ROWS else [r for r in rows if not r["ok"]]
    table = Table(title=f"{model} on {name}", title_justify="left", caption_justify="left",
                  caption=f"outputs above {result['threshold']:g} read as 1")
    for col in ("inputs", "target", "output", "read as", ""):
        table.add_column(col, justify="center" if col in ("inputs", "") else "right")
    for r in shown[:render.MAX_TABLE_ROWS]:
        table.add_row(render.fmt_bits(r["inputs"]), render.fmt_bits(r["target"]),
                      " ".join(f"{v:.4g}" for v in r["output"]), render.fmt_bits(r["predicted"]),
                      "[green]✓ pass[/green]" if r["ok"] else "[red]✗ fail[/red]")
    if shown:
        con.print(table)
    if len(shown) < len(rows):
        con.print(f"({len(rows)} rows; only the failing ones are shown, at most "
                  f"{render.MAX_TABLE_ROWS})" if shown else f"({len(rows)} rows, not printed)")
    if result["ok"]:
        con.print(f"[green]PASS[/green]: {model} computes {name} on all {result['total']} rows.")
    else:
        con.print(f"[red]FAIL[/red]: {result['failed']} of {result['total']} rows differ "
                  f"from {name}.")


def print_lens(con, reading):
    """Activations on every row, each unit's function and margin, then the composition."""
    con.print("inputs: " + ", ".join(f"{v} = x{j + 1}" for j, v in enumerate(reading.inputs))
              if reading.inputs[0] == "A" else f"inputs: {', '.join(reading.inputs)}")
    units = [u for layer in reading.layers for u in layer]
    if len(reading.rows) <= render.MAX_TABLE_ROWS:
        con.print(_activation_table(reading, units))
    con.print(_unit_table(units))
    for sentence in lens_sentences(reading):
        con.print(sentence)


def _activation_table(reading, units):
    table = Table(title="Activations (→ 1 above mid-range)", title_justify="left")
    for name in reading.inputs:
        table.add_column(name, justify="center")
    for u in units:
        table.add_column(u.name, justify="right")
    for r, row in enumerate(reading.rows):
        cells = [f"{v:g}" for v in row]
        cells += [f"{u.values[r]:.3g} [dim]→[/dim] {u.table[r]}" for u in units]
        table.add_row(*cells)
    return table


def _unit_table(units):
    deep = units[-1].layer > 1  # a column for "as a function of the layer before"
    table = Table(title="Each unit as a boolean function", title_justify="left")
    for col in ("unit", "of the inputs", *(["of the layer before"] if deep else []),
                "margin", "deviation", "crisp"):
        table.add_column(col, justify="right" if col in ("margin", "deviation") else "left")
    for u in units:
        before = "" if u.layer == 1 else u.reads_as or f"table {u.over_previous or '?'}"
        table.add_row(u.name, u.function, *([before] if deep else []),
                      render.num(u.margin), render.num(u.deviation),
                      "[green]yes[/green]" if u.crisp else "[yellow]no[/yellow]")
    return table


def lens_sentences(reading):
    """The reading in words: each later layer over the one before, composed over the inputs,
    and whether that composition is what the network really outputs."""
    lines = []
    layers = reading.layers
    if len(layers) == 1:
        for u in layers[0]:
            lines.append(f"{u.name} = {u.function} (no hidden layer: the output reads the "
                         "inputs directly).")
        return lines
    for previous, layer in itertools.pairwise(layers):
        for u in layer:
            lines.append(_composition(u, previous))
    loose = [u for layer in layers for u in layer if not u.crisp]
    for u in loose[:MAX_LISTED]:
        row = render.fmt_bits(reading.rows[u.weakest_row])
        where = "sits exactly on" if u.margin == 0 else f"is only {render.num(u.margin)} from"
        lines.append(f"[yellow]{u.name} is not crisp[/yellow]: on row {row} its activation "
                     f"{render.num(u.values[u.weakest_row])} {where} the threshold "
                     f"{u.threshold:g}.")
    if len(loose) > MAX_LISTED:
        lines.append(f"… and {len(loose) - MAX_LISTED} more units are not crisp.")
    hidden = ", ".join(u.name for u in loose if u not in reading.outputs) or "none"
    for u in reading.outputs:
        if u.agrees:
            lines.append(f"[green]The reading agrees[/green]: thresholded, {u.name} is "
                         f"{u.function} on every input row.")
        elif u.composed is not None:
            lines.append(f"[red]The reading does not agree[/red]: thresholded, {u.name} is "
                         f"{u.function} ({u.table}), not {u.composed_function} "
                         f"({u.composed}): hidden units far from 0/1 (not crisp: "
                         f"{hidden}) do not act as logic gates.")
    return lines


def _composition(u, previous):
    names = ", ".join(p.name for p in previous)
    if u.over_previous is None:
        return f"{u.name}: the layer before ({len(previous)} units) is too wide to enumerate."
    head = f"{u.name} ≈ {u.reads_as}" if u.reads_as else \
        f"{u.name} as a function of ({names}): truth table {u.over_previous}"
    parts = [head]
    if u.composed_expression and u.composed_expression != u.reads_as and \
            len(u.composed_expression) <= MAX_EXPRESSION:
        parts.append(u.composed_expression)
    if u.composed_function and u.composed_function not in parts:
        parts.append(u.composed_function)
    return " = ".join(parts)
