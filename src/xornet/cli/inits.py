"""``xornet inits``: the initialisation explorer (``xornet.study.inits``) in the terminal."""

import sys
from typing import Annotated

import typer

from xornet.cli import app, options, render, wording
from xornet.core import numbers
from xornet.errors import XornetError, require
from xornet.io import datasets

Opt = typer.Option
# The defaults of --lr, --momentum, --epochs and --loss are CLASSIC's (xornet.study.inits),
# written out so that `xornet --help` does not import the study (a test checks they agree).

HELP = (
    "How often training succeeds, against where it starts: for each initial scale r "
    "(U(−r, r) for uniform, N(0, r²) for normal), each initialiser, hidden width and "
    "tolerance, train --seeds networks with the population trainer and report the success "
    "rate with its 95 % interval, the median epochs to solve and why the failures failed "
    "(the doctor's first diagnosis of every failed network)."
    "\n\n"
    "The defaults are the classic set-up: 2-2-1 sigmoid units with bias, the sse loss "
    "½·Σ(ŷ − y)², gradient descent with lr 0.5 and momentum 0.9, at most 5000 epochs, solved = "
    "every output within 0.5 of its target; there the table also shows the success rates a "
    "plain-NumPy loop measured (67 %, 97 %, 83 %, 54 % at r = 0.1, 0.3, 1, 4)."
)
# Networks one run trains without --yes: the default is 4 points × 2000 seeds = 8,000
# networks, some seconds; 100,000 take minutes on two cores (the library allows up to
# study_inits.MAX_NETWORKS).
ASK_ABOVE = 100_000


def _floats(flag, text):
    items = [t.strip() for t in text.split(",")]
    if not text.strip() or "" in items:
        raise XornetError(f"{flag}: {text!r} has an empty item; give numbers separated by "
                          "single commas, such as 0.1,0.3,1,4.")
    out = []
    for item in items:
        value = numbers.to_float(item)  # ASCII digits, as every number xornet reads
        if value is None:
            raise XornetError(f"{flag}: {item!r} is not a number; give numbers separated by "
                              "commas, such as 0.1,0.3,1,4.")
        out.append(value)
    return out


def _widths(text):
    """'2,3,4' → [(2,), (3,), (4,)]; '4x4' is two layers of 4."""
    out = []
    for item in text.split(","):
        try:
            sizes = tuple(numbers.to_int(part) for part in item.strip().lower().split("x"))
            if None in sizes:
                raise ValueError(item)
            out.append(sizes)
        except ValueError:
            raise XornetError(f"--hidden: {item.strip()!r} is not a hidden width; give whole "
                              "numbers separated by commas, such as 2,3,4 (4x4 for two "
                              "layers of 4).") from None
    return out


@app.command("inits", help=HELP)
@wording.flags_in_errors("ranges", "init", "hidden", "tolerance", "seeds", "backend", "lr",
                         "momentum", "epochs", "loss")
def inits_command(
    ranges: Annotated[str, Opt(help="Initial scales r, comma-separated: U(−r, r) for uniform, N(0, r²) for normal.")] = "0.1,0.3,1,4",  # noqa: E501
    init: Annotated[str, Opt(help="Initialisers, comma-separated: uniform and normal are drawn at every scale; xavier, he, uniform01, zeros once.")] = "uniform",  # noqa: E501
    hidden: Annotated[str, Opt(help="Hidden widths, comma-separated, such as 2,3,4 (4x4: two layers of 4).")] = "2",  # noqa: E501
    tolerance: Annotated[str, Opt(help="Solved = every output within this of its target; comma-separated, such as 0.5,0.1.")] = "0.5",  # noqa: E501
    seeds: Annotated[int, Opt(help="Networks per point, seeds 0..S-1 (±2 points of success rate at 2000).")] = 2000,  # noqa: E501
    lr: Annotated[float, Opt(help="Learning rate.")] = 0.5,
    momentum: Annotated[float, Opt(help="Momentum (0 = plain gradient descent).")] = 0.9,
    epochs: Annotated[int, Opt(help="Epochs at most per network.")] = 5000,
    loss: Annotated[str, Opt(help="Loss: sse (½·Σ(ŷ − y)²), mse or bce.")] = "sse",
    dataset: Annotated[str | None, Opt(help="Dataset name (see `xornet datasets`); XOR if omitted.")] = None,  # noqa: E501
    backend: Annotated[str, Opt(help="auto (the compiled kernel when it applies), numba or numpy.")] = "auto",  # noqa: E501
    out: Annotated[str | None, Opt(help="Write the picture (success rate, epochs, failure mix) to this PNG, SVG or PDF file.")] = None,  # noqa: E501
    json_out: Annotated[bool, Opt("--json", help="Print one JSON document instead.")] = False,
    yes: Annotated[bool, Opt("--yes", help=f"Allow more than {ASK_ABOVE:,} networks in all (points × seeds).")] = False,  # noqa: E501
):
    """Success rate against the initial weights (see HELP)."""
    from xornet.study import inits as study_inits  # at the call: `xornet --help` stays quick

    options.check_count("--seeds", seeds, 1)
    options.check_count("--epochs", epochs, 1)
    options.check_number("--lr", lr, 0.0, open_low=True)
    options.check_number("--momentum", momentum, 0.0)
    plan_args = {"ranges": _floats("--ranges", ranges),
                 "inits": [t.strip() for t in init.split(",")],
                 "hidden": _widths(hidden), "tolerances": _floats("--tolerance", tolerance),
                 "seeds": seeds}
    points = study_inits.plan(**plan_args)  # every list checked before anything trains
    if len(points) * seeds > ASK_ABOVE and not yes:
        raise XornetError(f"--seeds: {len(points)} points × {seeds:,} seeds is "
                          f"{len(points) * seeds:,} networks, more than {ASK_ABOVE:,} (minutes "
                          "of training); use fewer seeds or shorter lists, or add --yes.")
    if out is not None:  # the picture's checks before any training: format, path, series
        require("viz", "--out")
        from xornet.viz.inits import MAX_SERIES

        options.check_picture_out(out)
        n_series = len({(h, t, name) for h, t, name, _ in points})
        if n_series > MAX_SERIES:
            raise XornetError(f"--out: {n_series} series (--init × --hidden × --tolerance) are "
                              f"more than the {MAX_SERIES} one picture can tell apart; list "
                              "fewer, or leave --out out for the table alone.")
    if dataset is not None and datasets.kind(dataset) == "regression":
        raise XornetError(f"--dataset: {dataset} has a real-valued target, and the explorer "
                          "counts sigmoid networks whose every output lands within a tolerance "
                          "of a 0/1 target; choose a classification dataset (`xornet "
                          "datasets`), or study sine with `xornet train`.")
    base = study_inits.CLASSIC.with_(lr=lr, momentum=momentum, epochs=epochs, loss=loss,
                                     optimizer="sgd")
    base.check()
    X, y, data_name = options.load_data(dataset, None, None, 3, 200, None, 0)
    if not json_out and backend == "numba" and sys.stderr.isatty():
        # a person watching is told why the first run waits; a log or a pipe gets the
        # "training ..." line only, so what this command prints never depends on numba's cache
        # (on auto, a cold cache trains small points on the NumPy path instead of compiling)
        from xornet.cli.sweep import _say_compiling
        from xornet.population import kernel

        if kernel.cache_state() == "cold":
            _say_compiling()
    with render.progress("points", len(points), show=not json_out,
                         piped=f"training {len(points)} point{'s' if len(points) > 1 else ''} × "
                         f"{seeds} seeds…") as tick:
        study = study_inits.explore(base, X, y, backend=backend, on_point=tick, **plan_args)
    written = []
    if out is not None:
        from xornet.viz import style
        from xornet.viz.inits import plot_inits

        written.append(style.save_figure(plot_inits(study), out))
    if json_out:
        render.print_json({"dataset": data_name, **study.as_dict(), "written": written})
        return
    _print(render.console(), study, data_name, (X.shape[1], y.shape[1]), written)


def _print(con, study, data_name, sizes, written):
    b = study.base
    loss = "sse loss ½·Σ(ŷ − y)²" if b.loss == "sse" else f"{b.loss} loss"
    widths = list(dict.fromkeys(p.hidden for p in study.points))
    shape = "-".join(map(str, (sizes[0], *widths[0], sizes[1]))) + " " \
        if len(widths) == 1 else ""
    con.print(f"[bold]Initialisation explorer[/bold] on [bold]{data_name}[/bold]: "
              f"{study.seeds:,} seeds per point (0..{study.seeds - 1}); {shape}{b.activation} "
              f"units with bias, {loss}, sgd lr {b.lr:g}"
              f"{f' momentum {b.momentum:g}' if b.momentum else ''}, ≤ {b.epochs} epochs, "
              "one attempt per seed, stopped when solved.")
    con.print(_table(study))
    tols = sorted({p.tolerance for p in study.points})
    con.print("solved = every output within the tolerance "
              f"({', '.join(f'{t:g}' for t in tols)}) of its target; 95 % = the Wilson "
              "interval of the success rate; failures: each failed network under the doctor's "
              "first diagnosis.")
    at_start = [(p, int((p.epochs_to_solve == 0).sum())) for p in study.points]
    for p, n in at_start:
        if n:  # e.g. zeros: every output is exactly 0.5, within a tolerance of 0.5
            con.print(f"note: {n} of {p.networks} networks of {p.name} count as solved before "
                      f"any update: every output starts within {p.tolerance:g} of its target"
                      f"{' (0.5 is within 0.5 of 0 and of 1)' if p.tolerance >= 0.5 else ''}.")
    rows = study.comparison()
    if rows:
        agree = sum(r["agrees"] for r in rows)
        diffs = ", ".join(f"{100 * r['difference']:+.1f}" for r in rows)
        con.print(f"Against the classic plain-NumPy measurement: differences {diffs} points; "
                  f"{agree} of {len(rows)} within the 95 % margin of two estimates of "
                  f"{study.seeds:,} seeds each (±{100 * max(r['margin'] for r in rows):.1f} "
                  "points at most).")
    backends = " and ".join(study.backends)
    # why the NumPy path ran when the kernel could have (a cold cache, small work); when the
    # kernel ran, the timing says enough
    why = (f" ({study.backend_note})" if study.backend_note and "numba" not in study.backends
           else "")
    kernel = (f", the compiled kernel loaded in {study.compile_time:.1f} s"
              if "numba" in study.backends else "")
    con.print(f"backend {backends}{why}: trained in {study.train_time:.1f} s{kernel}; the "
              f"doctor took {study.diagnose_time:.1f} s.")
    for path in written:
        con.print(f"wrote {path}")


def _table(study):
    """One row per point, in columns that fit 80 characters (no rules; the interval beside
    the rate); the counts per point are in --json."""
    from rich.table import Table

    from xornet.viz.inits import series

    vary = {name: len({getattr(p, name) for p in study.points}) > 1
            for name in ("init", "hidden", "tolerance")}
    vary["init"] = vary["init"] or len(series(study)) == 1
    columns = [("init", vary["init"]), ("hidden", vary["hidden"]), ("tol", vary["tolerance"])]
    has_ref = bool(study.comparison())
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for name, shown in columns:
        if shown:
            table.add_column(name, no_wrap=True)
    table.add_column("r", justify="right", no_wrap=True)
    table.add_column("success (95 %)", justify="right", no_wrap=True)
    if has_ref:
        table.add_column("classic", justify="right", no_wrap=True)
    table.add_column("epochs", justify="right", no_wrap=True)
    table.add_column("failures (first diagnosis)", min_width=18, overflow="fold")
    for p in study.points:
        low, high = p.interval
        rate = p.success_rate
        colour = "green" if rate >= 0.9 else "yellow" if rate >= 0.5 else "red"
        cells = [c for c, (_, shown) in zip(
            (p.init, "x".join(map(str, p.hidden)), f"{p.tolerance:g}"), columns, strict=True)
            if shown]
        cells += ["—" if p.scale is None else f"{p.scale:g}",
                  f"[{colour}]{100 * rate:.1f} %[/{colour}] ({100 * low:.0f}–{100 * high:.0f})"]
        if has_ref:
            cells.append("" if p.reference is None else f"{100 * p.reference:.0f} %")
        cells.append("—" if p.epochs_median is None else f"{p.epochs_median:g}")
        cells.append(", ".join(f"{code} {n}" for code, n in p.failures.items()) or "—")
        table.add_row(*cells)
    return table
