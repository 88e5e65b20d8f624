"""``xornet check``, ``xornet logic`` and ``xornet builtins``: networks read as logic."""

import textwrap
from typing import Annotated

import typer
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from xornet import load
from xornet.cli import app, options, render, streams
from xornet.errors import XornetError
from xornet.explain import logic, story
from xornet.io import builtin, datasets, files

Opt = typer.Option
ModelArg = Annotated[str, typer.Argument(help="A model JSON file ('-': standard input), or builtin:NAME.")]  # noqa: E501
JsonOpt = Annotated[bool, Opt("--json", help="Print one JSON document.")]
DatasetOpt = Annotated[str | None, Opt(help="Truth table: a dataset name (xor, parity, ...) or a column such as 0110.")]  # noqa: E501
CsvOpt = Annotated[str | None, Opt(help="A truth table from your own CSV file.")]
TargetOpt = Annotated[str | None, Opt(help="CSV target column (default: the last).")]
BitsOpt = Annotated[int | None, Opt(help="Bits for parity (default: the model's inputs).")]


@app.command()
def check(model: ModelArg, dataset: DatasetOpt = None, csv: CsvOpt = None,
          target: TargetOpt = None, n_bits: BitsOpt = None, json_out: JsonOpt = False):
    """Run a model on every row of a truth table; exit code 1 if any row is wrong."""
    streams.check(reads=[("MODEL", model), ("--csv", csv)])
    net = load(model)
    X, y, name = _truth_table(net, dataset, csv, target, n_bits)
    result = logic.check(net, X, y, source=f"--csv {csv}" if csv else f"--dataset {name}")
    if json_out:
        render.print_json({"model": model, "dataset": name, **result})
    else:
        print_check(render.console(), files.label(model), name, result)
    if not result["ok"]:
        raise typer.Exit(1)


@app.command("logic")
def logic_command(model: ModelArg, dataset: DatasetOpt = None, csv: CsvOpt = None,
                  target: TargetOpt = None, n_bits: BitsOpt = None, json_out: JsonOpt = False):
    """Read each unit as a boolean function and compose them into the network's logic."""
    streams.check(reads=[("MODEL", model), ("--csv", csv)])
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
    print_wrapped(con, "Logic lens", f" of {files.label(model)}: {net!r}", "bold", width_of(con))
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
    con = render.console()
    con.print(table, width=width_of(con))


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
        con.print(table, width=width_of(con))
    width = width_of(con)
    if len(shown) < len(rows):
        print_wrapped(con, f"({len(rows)} rows; only the failing ones are shown, at most "
                      f"{render.MAX_TABLE_ROWS})" if shown else f"({len(rows)} rows, not printed)",
                      "", None, width)
    if result["ok"]:
        print_wrapped(con, "PASS", f": {model} computes {name} on all {result['total']} rows.",
                      "green", width)
    else:
        print_wrapped(con, "FAIL", f": {result['failed']} of {result['total']} rows differ "
                      f"from {name}.", "red", width)


MAX_WIDTH = 100  # the lens fits this many columns even when the terminal is wider


def width_of(con):
    """The columns the lens lays itself out in: the terminal's, at most MAX_WIDTH."""
    return min(con.width, MAX_WIDTH)


def print_lens(con, reading):
    """Activations on every row, each unit's function and margin, then the composition.

    Only the units that carry the next layer (and the outputs) are shown in full; the units
    the circuits set aside are summarised on one wrapped line with their means."""
    width = width_of(con)
    con.print("inputs: " + ", ".join(f"{v} = x{j + 1}" for j, v in enumerate(reading.inputs))
              if reading.inputs[0] == "A" else f"inputs: {', '.join(reading.inputs)}")
    carrying = reading.carriers()
    units = [u for layer in reading.layers for u in layer if u.name in carrying]
    if len(reading.rows) <= render.MAX_TABLE_ROWS:
        con.print(_activation_table(con, reading, units, width), width=width)
    con.print(_unit_table(units), width=width)
    for line in _set_aside(reading, width):
        con.print(line)
    print_story(con, story.sentences(reading), width=width)


def _activation_table(con, reading, units, width):
    """One column per unit, or one row per unit when that is too wide, or as many columns
    as fit (the caption counts the rest)."""
    table = _activations_by_column(reading, units)
    if _natural_width(con, table) <= width:
        return table
    table = _activations_by_row(reading, units)
    if _natural_width(con, table) <= width:
        return table
    fit = max(1, (width - 4 * len(reading.inputs) - 1) // 13)  # a column is ~13 wide
    table = _activations_by_column(reading, units[:fit])
    table.caption = f"{len(units) - fit} more units: xornet logic MODEL --json"
    table.caption_justify = "left"
    return table


def _natural_width(con, table):
    return Measurement.get(con, con.options.update(width=10_000), table).maximum


def _activations_by_column(reading, units):
    table = Table(title="Activations (→ 1 above mid-range)", title_justify="left")
    for name in reading.inputs:
        table.add_column(name, justify="center")
    for u in units:
        table.add_column(u.name, justify="right")
    for r, row in enumerate(reading.rows):
        cells = [f"{v:g}" for v in row]
        cells += [_cell(u, r) for u in units]
        table.add_row(*cells)
    return table


def _activations_by_row(reading, units):
    table = Table(title="Activations (→ 1 above mid-range), one row per unit",
                  title_justify="left")
    table.add_column("unit")
    for row in reading.rows:
        table.add_column(" ".join(f"{v:g}" for v in row), justify="right")
    for u in units:
        table.add_row(u.name, *[_cell(u, r) for r in range(len(reading.rows))])
    return table


def _cell(u, r):
    """``0.5 → ?`` for a bit on the threshold (undecided), else ``0.91 → 1``."""
    bit = "?" if r in u.undecided else u.table[r]
    return f"{u.values[r]:.3g} [dim]→[/dim] {bit}"


def _unit_table(units):
    deep = units[-1].layer > 1  # a column for "as a function of the layer before"
    table = Table(title="Each unit as a boolean function", title_justify="left")
    for col in ("unit", "of the inputs", *(["of the layer before"] if deep else []),
                "margin", "deviation", "crisp"):
        table.add_column(col, justify="right" if col in ("margin", "deviation") else "left")
    for u in units:
        before = "" if u.layer == 1 else u.reads_as or f"table {u.circuit['table'] or '?'}"
        table.add_row(u.name, u.function, *([before] if deep else []),
                      render.num(u.margin), render.num(u.deviation),
                      "[green]yes[/green]" if u.crisp else "[yellow]no[/yellow]")
    return table


MAX_MEANS = 16  # set-aside units listed with their means; more are summarised


def _set_aside(reading, width):
    """Wrapped lines, per unit the outputs depend on that set units aside: which, and at what
    mean (a long list is summarised as name ranges and the span of the means)."""
    carrying, lines = reading.carriers(), []
    for previous, layer in zip(reading.layers, reading.layers[1:]):
        order = {u.name: i for i, u in enumerate(previous)}
        for u in (u for u in layer if u.name in carrying and u.circuit["set_aside"]):
            aside = u.circuit["set_aside"]
            if len(aside) <= MAX_MEANS:
                # a no-break space keeps each name beside its mean when the line wraps
                what = ", ".join(f"{n}\u00a0{v:.3g}" for n, v in aside.items())
            else:
                what = (f"{len(aside)} units ({_runs([order[n] for n in aside], previous)}), "
                        f"means from {min(aside.values()):.3g} to {max(aside.values()):.3g}")
            lines += textwrap.wrap(f"Set aside for {u.name} (held at their means): {what}",
                                   width=width, subsequent_indent="  ")
    return lines


def _runs(positions, units):
    """Positions 0, 2, 3, 4 of units h1 … → "h1, h3–h5"."""
    runs, start = [], positions[0]
    for a, b in zip(positions, [*positions[1:], None]):
        if b != a + 1:
            runs.append(units[start].name if start == a else f"{units[start].name}–{units[a].name}")
            start = b
    return ", ".join(runs)


# How the terminal highlights a sentence's opening words, by its kind; the first-layer units
# (story.UNIT) are left out because the unit table (or the composition) names them.
COLOURS = {story.NOT_CRISP: "yellow", story.AGREES: "green", story.DISAGREES: "red"}


def print_story(con, told, indent="", width=None):
    """Print the lens's sentences (``xornet.explain.story.sentences``), one per paragraph,
    wrapped at ``width`` (default: the terminal's, at most MAX_WIDTH) with the lead coloured."""
    width = width_of(con) if width is None else width
    for s in told:
        if s.kind != story.UNIT:
            print_wrapped(con, s.lead, s.rest, COLOURS.get(s.kind), width, indent)


def print_wrapped(con, lead, rest, style, width, indent=""):
    """``lead + rest`` wrapped at ``width`` (continuation lines indented two more), with the
    lead in ``style`` (None: plain). Plain text, so brackets in it are never markup."""
    lines = textwrap.wrap(lead + rest, width=width, initial_indent=indent,
                          subsequent_indent=indent + "  ", break_on_hyphens=False)
    left = len(lead)  # characters of the lead still to style
    for n, line in enumerate(lines):
        start = len(indent) + (2 if n else 0)
        text = Text(line)
        if style and left > 0:
            text.stylize(style, start, start + left)
        left -= len(line) - start + 1  # the wrap ate one space between lines
        con.print(text)
