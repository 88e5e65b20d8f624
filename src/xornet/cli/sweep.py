"""``xornet sweep``: train a grid of set-ups, each for many seeds, and compare them."""

import csv
import io
import os
import time
from typing import Annotated

import typer

from xornet.cli import app, flags, options, render, streams, wording
from xornet.core import numbers
from xornet.doctor import diagnose as doctor
from xornet.errors import XornetError, require
from xornet.io import files
from xornet.population import sweep

Opt = typer.Option
STARTED = time.perf_counter()  # fallback clock for the start-up time (not on Linux)
MAX_TABLE_ROWS = 200  # a bigger grid prints its first cells; --csv and --json have them all
FIXED = ("bias", "momentum", "epochs", "shuffle", "tolerance", "stop_when_solved", "target_loss")

HELP = (
    "Train every combination of the listed settings (a grid of cells), each for --seeds "
    "networks, and report per cell: success rate, epochs to solve (median, 90th percentile), "
    "diverged networks and the doctor's diagnoses of the failed networks."
    "\n\n"
    "Each grid flag takes a comma-separated list; cells are numbered with --hidden varying "
    "slowest, then --activation, --output-activation, --init, --loss, --optimizer, "
    "--batch-size and --lr fastest. Settings not listed come from --preset (default: the "
    "default run, with plain gradient descent unless --momentum is given)."
    "\n\n"
    "Cells run on every local core. For a cluster: run `dask scheduler` on one machine and "
    "`dask worker tcp://HOST:8786` on each of the others (every machine with the same xornet "
    "installed), then add --dask tcp://HOST:8786. Each cell becomes one task; the results "
    "are identical to a local run (compare the cells' params_sha256)."
)


@app.command("sweep", help=HELP)
@wording.flags_in_errors(*sweep.AXES, "backend", "dask")  # the library says "lr: ...": --lr
@flags.run_flags(only=flags.SETTINGS)
def sweep_command(
    dataset: Annotated[str | None, Opt(help="Dataset name (see `xornet datasets`); XOR if omitted.")] = None,  # noqa: E501
    data_csv: Annotated[str | None, Opt("--data-csv", help="Your own data: a CSV file (header, numbers).")] = None,  # noqa: E501
    target: flags.Target = None,
    n_bits: flags.NBits = 3,
    samples: flags.Samples = 200,
    noise: flags.Noise = None,
    data_seed: flags.DataSeed = 0,
    run=None,
    hidden: Annotated[str | None, Opt(help="Hidden layers per cell: 2,3,4 is three cells of one layer; 4x4 is two layers of 4; none is no hidden layer. With ';' cells are split by ';' and layers by ',': '4,4;8'.")] = None,  # noqa: E501
    activation: Annotated[str | None, Opt(help="Hidden activations: sigmoid,tanh,relu,leaky_relu,linear.")] = None,  # noqa: E501
    output_activation: Annotated[str | None, Opt(help="Output activations.")] = None,
    init: Annotated[str | None, Opt(help="Initialisations: uniform01,uniform,normal,xavier,he,zeros.")] = None,  # noqa: E501
    loss: Annotated[str | None, Opt(help="Losses: mse,sse,bce.")] = None,
    optimizer: Annotated[str | None, Opt(help="Optimizers: sgd,adam.")] = None,
    batch_size: Annotated[str | None, Opt(help="Update modes: full (one update per epoch), 1 (online) or a mini-batch size, e.g. full,1,2.")] = None,  # noqa: E501
    lr: Annotated[str | None, Opt(help="Learning rates, e.g. 0.1,0.5,1,2.")] = None,
    seeds: Annotated[int, Opt(help="Networks per cell, seeds 0..S-1.")] = 1000,
    diagnose: Annotated[int, Opt(help="Failed networks per cell the doctor examines (first by seed).")] = sweep.DIAGNOSE_CAP,  # noqa: E501
    yes: Annotated[bool, Opt("--yes", help=f"Allow a grid of more than {sweep.MAX_CELLS:,} cells.")] = False,  # noqa: E501
    backend: Annotated[str, Opt(help="auto (the compiled kernel when it applies), numba or numpy.")] = "auto",  # noqa: E501
    workers: Annotated[int | None, Opt(help="Local cores to use (default: all).")] = None,
    dask: Annotated[str | None, Opt(help="Run the cells on the Dask cluster whose scheduler is at this address, e.g. tcp://host:8786.")] = None,  # noqa: E501
    csv_out: Annotated[str | None, Opt("--csv", help="Write one row per cell to this CSV file ('-': to standard output, the table on stderr).")] = None,  # noqa: E501
    plot: Annotated[str | None, Opt(help="Write the success-rate heatmap and the epochs-to-solve histogram to this folder.")] = None,  # noqa: E501
    heatmap: Annotated[str | None, Opt(help="Heatmap axes ROWS,COLUMNS, e.g. hidden,lr (default: the first and last axes that vary).")] = None,  # noqa: E501
    json_out: flags.Json = False,
):
    """Train a grid of set-ups, each for many seeds (see HELP)."""
    started = _process_age()
    lists = parse_lists({"hidden": hidden, "activation": activation,
                         "output_activation": output_activation, "init": init, "loss": loss,
                         "optimizer": optimizer, "batch_size": batch_size, "lr": lr}, yes)
    for flag, value, low in (("--seeds", seeds, 1), ("--diagnose", diagnose, 0),
                             ("--workers", workers, 1), ("--n-bits", n_bits, 1),
                             ("--samples", samples, 1), ("--data-seed", data_seed, 0)):
        options.check_count(flag, value, low)
    axes = _heatmap_axes(heatmap)
    streams.check(reads=[("--data-csv", data_csv)], writes=[("--csv", csv_out)],
                  json_out=json_out,
                  not_streams=[("--plot", plot, "a folder, such as figures")])
    _check_outputs(csv_out, plot)
    if plot:  # the extras a run needs are named before it starts
        require("viz", "--plot")
    if dask:
        require("dask", "--dask")
    if dataset is not None and data_csv is not None:
        raise XornetError("--data-csv: give either --dataset or --data-csv, not both.")
    X, y, data_name = options.load_data(dataset, data_csv, target, n_bits, samples, noise,
                                        data_seed)
    base = _base_config(run, dataset)
    grid = sweep.make_grid(base, allow_large=yes, **lists)
    run_start = time.perf_counter()
    plan = None if dask else sweep.plan_local(grid, X, y, seeds, backend, workers)
    if not json_out and plan is not None and plan.compiles:
        _say_compiling()
    with render.progress("cells", grid.n_cells, show=not json_out,
                         piped=f"training {grid.n_cells} cells × {seeds} seeds…") as tick:
        if dask:
            results, n_workers = sweep.run_dask(grid, X, y, seeds, dask, backend=backend,
                                                diagnose_cap=diagnose, on_cell=tick)
            runner = {"kind": "dask", "address": dask, "workers": n_workers}
        else:
            results = sweep.run_local(grid, X, y, seeds, backend=backend, workers=workers,
                                      diagnose_cap=diagnose, on_cell=tick, plan=plan)
            runner = {"kind": "local", "workers": workers or _cores()}
    run_time = time.perf_counter() - run_start
    written = []
    if csv_out:
        written.append(write_csv(results, csv_out))
    if plot:
        from xornet.viz.sweep import write_sweep_figures

        written += write_sweep_figures(results, plot, *axes)
    doc = _document(grid, results, data_name, seeds, diagnose, runner, started, run_time,
                    written)
    choice = plan.choice if plan is not None else None  # auto's choice for the whole grid
    doc["backend_choice"] = choice.backend if choice else None
    doc["backend_note"] = choice.reason if choice else ""
    if json_out:
        render.print_json(doc)
    else:
        _print(render.console(), grid, results, doc)


# --- parsing ------------------------------------------------------------------------------

def parse_lists(texts, allow_large=False):
    """Axis → list of values from the flags' texts (axes left out when not given).

    Every list is split first, so an oversized grid is refused before any value is read.
    """
    items = {axis: _split(axis, text) for axis, text in texts.items() if text is not None}
    try:
        sweep.check_size({a: len(v) for a, v in items.items()}, allow_large)
    except XornetError as e:  # the library's allow_large=True is the flag --yes here
        raise XornetError(str(e).replace("allow_large=True", "--yes")) from None
    return {axis: [_PARSE.get(axis, str.strip)(item) for item in v] for axis, v in items.items()}


def _split(axis, text):
    flag = "--" + axis.replace("_", "-")
    sep = ";" if axis == "hidden" and ";" in text else ","
    items = [item.strip() for item in text.split(sep)]
    if not text.strip():
        raise XornetError(f"{flag}: the list is empty; give one or more values separated by "
                          "commas.")
    if "" in items:
        raise XornetError(f"{flag}: {text!r} has an empty item; separate the values by single "
                          f"{'semicolons' if sep == ';' else 'commas'}.")
    # the ';' form writes a cell's layers as `xornet train` does (4,4); the ',' form as 4x4
    return [item.replace(",", "x") for item in items] if sep == ";" else items


def _number(kind):
    def parse(item):
        value = (numbers.to_int if kind is int else numbers.to_float)(item)  # ASCII digits
        return item if value is None else value  # sweep.make_grid names a non-number
    return parse


def _hidden(item):
    """'3' → (3,), '4x4' → (4, 4), 'none' → () (no hidden layer)."""
    if item.lower() == "none":
        return ()
    sizes = tuple(numbers.to_int(part) for part in item.lower().split("x"))
    return item if None in sizes else sizes  # sweep.make_grid names a non-number


_PARSE = {
    "hidden": _hidden,
    "batch_size": lambda item: None if item.lower() == "full" else _number(int)(item),
    "lr": _number(float),
}


def _heatmap_axes(text):
    if text is None:
        return None, None
    names = [t.strip().replace("-", "_") for t in text.split(",")]
    if len(names) != 2 or any(n not in sweep.AXES for n in names) or names[0] == names[1]:
        raise XornetError(f"--heatmap: {text!r} is not two different axes ROWS,COLUMNS; choose "
                          f"from {', '.join(sweep.AXES)}, such as hidden,lr.")
    return tuple(names)


def _say_compiling():
    """One line on stderr when the compiled kernel is about to be built for the first time."""
    from xornet.population import costs

    render.console(stderr=True).print(
        f"compiling the population kernel (first run on this machine only, about "
        f"{costs.COMPILE_S:.0f} s; later runs load it from numba's cache)…")


def _check_outputs(csv_out, plot):
    """Fail before training, not after, when an output cannot be written."""
    if csv_out is not None:
        files.writable_target(csv_out, "--csv")  # the rules every file xornet writes follows
    if plot and os.path.exists(plot) and not os.path.isdir(plot):
        raise XornetError(f"--plot: {plot} is a file, not a folder; give a folder to write the "
                          "pictures into.")


def _base_config(run, dataset=None):
    """The settings every cell shares: the preset (or the default run) with the flags over
    it, built as `xornet train` builds its run (flags.build_config)."""
    if run["momentum"] is None and run["preset"] is None:
        # a sweep of learning rates means plain gradient descent (HELP says so), so without
        # a preset the default run's momentum is set to 0 unless --momentum is given
        run = {**run, "momentum": 0.0}
    return flags.build_config(**run, dataset=dataset)  # sine: linear output and mse


# --- running ------------------------------------------------------------------------------

def _cores():
    from xornet.population.kernel import default_threads

    return default_threads()


def _process_age():
    """Seconds since this process started (Linux: from /proc), else since this import."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - STARTED


# --- reporting ----------------------------------------------------------------------------

def _document(grid, results, data_name, seeds, cap, runner, started, run_time, written):
    keys = ("networks", "solved", "diverged", "network_epochs", "setup_time", "compile_time",
            "train_time", "diagnose_time")
    total = {k: sum(getattr(r, k) for r in results) for k in keys}
    wall = _process_age()
    return {
        "dataset": data_name, "seeds": seeds, "diagnose_cap": cap,
        "grid": {"cells": grid.n_cells, "order": list(sweep.AXES), "varying": list(grid.varying),
                 "axes": {a: [sweep.label(a, v) for v in vals] for a, vals in grid.axes}},
        "fixed": {k: getattr(grid.base, k) for k in FIXED}, "runner": runner,
        "networks": total["networks"], "solved": total["solved"],
        "diverged": total["diverged"], "network_epochs": total["network_epochs"],
        "network_epochs_per_s": total["network_epochs"] / max(total["train_time"], 1e-12),
        "network_epochs_per_s_total": total["network_epochs"] / max(wall, 1e-12),
        # setup, compile, train and diagnose are summed over the cells; run is the wall time
        # of the whole grid; total is what the user waited, interpreter start-up included
        "timing": {"startup": started, "setup": total["setup_time"],
                   "compile": total["compile_time"], "train": total["train_time"],
                   "diagnose": total["diagnose_time"], "run": run_time, "total": wall},
        "cells": [r.as_dict() for r in results], "written": written,
    }


CSV_STATS = ("networks", "solved", "success_rate", "diverged", "epochs_to_solve_median",
             "epochs_to_solve_p90", "failed", "diagnosed", "unexplained")
CSV_RUN = ("backend", "network_epochs", "setup_time", "compile_time", "train_time",
           "diagnose_time", "params_sha256")


def write_csv(results, path):
    """One row per cell (axes, statistics, one column per diagnosis code); written whole or
    not at all."""
    header = ["index", *sweep.AXES, *CSV_STATS, *(f"diagnosis_{c}" for c in doctor.CODES),
              *CSV_RUN]
    def write(f):
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        out = csv.writer(text)
        out.writerow(header)
        for r in results:
            d = r.as_dict()
            out.writerow([r.index, *(sweep.label(a, r.values[a]) for a in sweep.AXES),
                          *(_cell_text(d[k]) for k in CSV_STATS),
                          *(r.diagnoses.get(c, 0) for c in doctor.CODES),
                          *(_cell_text(d[k]) for k in CSV_RUN)])
        text.flush()
        text.detach()  # the binary file stays open for write_atomic to sync and close

    files.write_atomic(path, write, field="csv")
    return path


def _cell_text(value):
    return "" if value is None else value


def _print(con, grid, results, doc):
    fixed = [f"{a} {sweep.label(a, vals[0])}" for a, vals in grid.axes if len(vals) == 1]
    con.print(f"[bold]Sweep[/bold] on [bold]{doc['dataset']}[/bold]: {grid.n_cells} cell"
              f"{'s' if grid.n_cells > 1 else ''} × {doc['seeds']} seeds; "
              + ", ".join(fixed + _describe(grid.base)))
    con.print(_table(grid, results[:MAX_TABLE_ROWS]))
    if len(results) > MAX_TABLE_ROWS:
        con.print(f"(the first {MAX_TABLE_ROWS} of {len(results)} cells; --csv or --json has "
                  "them all)")
    con.print(f"diagnoses: the doctor examined up to {doc['diagnose_cap']} failed networks per "
              "cell (the first by seed); a cell with more failures says how many it examined.")
    t = doc["timing"]
    con.print(f"trained {doc['network_epochs']:,} network-epochs in {t['train']:.2f} s "
              f"({doc['network_epochs_per_s'] / 1e6:.1f} M network-epochs/s); setup "
              f"{t['setup']:.2f} s, compile {t['compile']:.2f} s, diagnose {t['diagnose']:.2f} "
              f"s; {t['total']:.2f} s in all, start-up included.")
    if doc.get("backend_note"):
        con.print(f"backend: {doc['backend_choice']}, as {doc['backend_note']}.")
    for path in doc["written"]:
        con.print(f"wrote {files.label(path, writing=True)}", markup=False)


def _describe(base):
    return [
        "bias" if base.bias else "no bias", f"momentum {base.momentum:g} (sgd cells)",
        f"≤ {base.epochs} epochs", "shuffled" if base.shuffle else "in order",
        f"tolerance {base.tolerance:g}",
        "stop when solved" if base.stop_when_solved else "no early stop",
        *([f"target loss {base.target_loss:g}"] if base.target_loss is not None else []),
    ]


def _table(grid, results):
    from rich.table import Table

    table = Table(title_justify="left")
    table.add_column("cell", justify="right")
    for axis in grid.varying:
        table.add_column(axis.replace("_", " "), justify="right")
    for name in ("solved", "success", "epochs median", "p90", "diverged"):
        table.add_column(name, justify="right")
    table.add_column("diagnoses of the failures")
    for r in results:
        colour = "green" if r.solved == r.networks else "yellow" if r.solved else "red"
        table.add_row(
            str(r.index), *(sweep.label(a, r.values[a]) for a in grid.varying),
            f"{r.solved}/{r.networks}", f"[{colour}]{100 * r.success_rate:.1f} %[/{colour}]",
            _epochs(r.epochs_to_solve_median), _epochs(r.epochs_to_solve_p90), str(r.diverged),
            _diagnoses(r))
    return table


def _epochs(value):
    return "—" if value is None else f"{value:g}"


def _diagnoses(r):
    if not r.failed:
        return "—"
    parts = [f"{code} {n}" for code, n in r.diagnoses.items()]
    if r.unexplained:
        parts.append(f"unrecognised {r.unexplained}")
    examined = f" ({r.diagnosed} of {r.failed} examined)" if r.diagnosed < r.failed else ""
    return (", ".join(parts) or "none examined") + examined
