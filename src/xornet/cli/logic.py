"""``xornet check``, ``xornet logic`` and ``xornet builtins``: networks read as logic."""

from typing import Annotated

import typer
from rich.table import Table

from xornet import load
from xornet.cli import app, options, render
from xornet.errors import XornetError
from xornet.explain import logic, story
from xornet.io import builtin, datasets

Opt = typer.Option
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
    print_story(con, story.sentences(reading))


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


# How the terminal highlights a sentence's opening words, by its kind; the first-layer units
# (story.UNIT) are left out because the unit table (or the composition) names them.
COLOURS = {story.NOT_CRISP: "yellow", story.AGREES: "green", story.DISAGREES: "red"}


def print_story(con, told, indent=""):
    """Print the lens's sentences (``xornet.explain.story.sentences``), one per line."""
    for s in told:
        if s.kind == story.UNIT:
            continue
        colour = COLOURS.get(s.kind)
        lead = f"[{colour}]{s.lead}[/{colour}]" if colour else s.lead
        con.print(f"{indent}{lead}{s.rest}")
