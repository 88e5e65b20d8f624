"""``xornet landscape``: the loss surface of a model, or of a run trained here."""

from typing import Annotated

import typer

from xornet import load
from xornet.cli import app, flags, options, render, streams, wording
from xornet.cli.plot import _plot_data
from xornet.errors import XornetError, require
from xornet.train import config

Opt = typer.Option

# With a MODEL the network and its training come from the file: of the run flags only --seed
# (the random directions' seed) and --tolerance (what counts as solved) apply.
NOT_WITH_MODEL = tuple(name for name in flags.RUN if name not in ("seed", "tolerance"))


@app.command("landscape")
@flags.run_flags
def landscape_command(
    model: Annotated[str | None, typer.Argument(help="A saved model (from `xornet train --save`); omit it to train the run the flags describe.")] = None,  # noqa: E501
    dataset: Annotated[str | None, Opt(help="Dataset name (see `xornet datasets`); default: the model's own, else XOR.")] = None,  # noqa: E501
    csv: flags.Csv = None,
    target: flags.Target = None,
    n_bits: Annotated[int | None, Opt(help="Bits for parity (default: the model's inputs).")] = None,  # noqa: E501
    samples: flags.Samples = 200,
    noise: flags.Noise = None,
    data_seed: flags.DataSeed = 0,
    run=None,
    seed: Annotated[int | None, Opt(help="Seed of the random directions (and, without MODEL, of the run).")] = None,  # noqa: E501
    resolution: Annotated[int, Opt(help="Points per axis of each plane (3–401; the line has at least 61).")] = 41,  # noqa: E501
    span: Annotated[float, Opt(help="The random plane reaches ±SPAN (1 = each unit's own weight length).")] = 1.0,  # noqa: E501
    biases: Annotated[bool, Opt("--biases/--no-biases", help="Whether the random directions move the biases too.")] = True,  # noqa: E501
    out: Annotated[str | None, Opt("--out", "-o", help="Write the picture to this PNG (or .svg, .pdf).")] = None,  # noqa: E501
    json_out: flags.Json = False,
):
    """The loss along the line from the initial to the final weights, over a random
    filter-normalised plane and over the plane of the training path: is the way down
    monotone, and where does a stalled run sit?"""
    from xornet.study import landscape as study  # at the call: `xornet --help` stays quick

    options.check_count("--samples", samples)
    options.check_count("--data-seed", data_seed, low=0)
    options.check_count("--seed", seed, low=0)
    streams.check(reads=[("MODEL", model), ("--csv", csv)])
    with wording.flags_in_errors("resolution", "span"):
        study.check_grid(resolution, span)  # before a run is trained or a file read
    if out is not None:  # said before any work: the extra, the format, the path
        require("viz", "--out")
        from xornet.io import files

        options.check_picture_out(out)
        files.refuse_overwriting([("MODEL", model), ("--csv", csv)], [("--out", out)])
    if model is not None:
        net, X, y, data_name = _model(model, run, dataset, csv, target, n_bits, samples, noise,
                                      data_seed)
        where, tolerance = model, run["tolerance"] or config.RunConfig().tolerance
    else:
        X, y, data_name = options.load_data(dataset, csv, target, n_bits or 3, samples, noise,
                                            data_seed)
        cfg = flags.build_config(**run, dataset=dataset)
        net, history = config.run(cfg, X, y)
        net.training = {"dataset": data_name, **net.training, "init": cfg.init}
        last = net.training["seed"]
        again = f", restarted as seed {last}" if last != cfg.seed else ""
        where = f"trained here (seed {cfg.seed}{again}, {history.epochs} epochs)"
        tolerance, seed = cfg.tolerance, cfg.seed if seed is None else seed
    seed = seed or 0
    with wording.flags_in_errors("resolution", "span"):
        ls = study.landscape(net, X, y, seed=seed, resolution=resolution, span=span,
                             biases=biases, tolerance=tolerance)
    written = None
    if out is not None:
        from xornet.viz import landscape as picture
        from xornet.viz import style

        written = style.save_figure(picture.plot_landscape(ls), out)
    if json_out:
        render.print_json({"model": model, "network": repr(net), "dataset": data_name,
                           "seed": seed, "span": span, "resolution": resolution,
                           **ls.as_dict(), "written": written})
        return
    _print_summary(render.console(), net, where, data_name, ls, span, seed)
    if written:
        typer.echo(f"wrote {written}")


def _model(path, run, dataset, csv, target, n_bits, samples, noise, data_seed):
    """The saved model and its data (the flags', else the one its record names)."""
    for name in NOT_WITH_MODEL:
        if run[name] is not None:
            flag = "--" + name.replace("_", "-")
            raise XornetError(f"{flag}: describes a run to train, but MODEL is a saved model "
                              f"whose training is in its file; drop {flag} or drop MODEL.")
    net = load(path)
    record = net.training
    recorded = dataset is None and csv is None and record.get("dataset") is not None
    if recorded and "samples" in record:  # the rows the model was trained on, made again
        samples, noise = record["samples"], record.get("noise")
        data_seed = record.get("data_seed", data_seed)
    elif recorded and "test_split" in record:
        raise XornetError(f"{path}: the model was trained on {record['test_split']:g} of "
                          f"{record['dataset']} held out, and its file does not record the "
                          "samples and noise its rows were made with, so they cannot be made "
                          "again; give --dataset or --csv to look at other data.")
    X, y, data_name = _plot_data(net, dataset, csv, target, n_bits, samples, noise, data_seed)
    if X is None:
        raise XornetError(f"{path}: the model records no dataset that fits it; give --dataset "
                          "or --csv.")
    if recorded and "test_split" in record:  # the training rows only, as `train` split them
        X, y, _ = options.split_data(X, y, record["test_split"], record["data_seed"],
                                     record["dataset"])
        data_name = f"the {len(y)} training rows of {data_name}"
    return net, X, y, data_name


def _print_summary(con, net, where, data_name, ls, span, seed):
    from xornet.study.landscape import FLAT

    hang = render.print_hanging
    penalty = ls.objective.removeprefix(ls.loss)  # " + l2 0.001 penalty", or ""
    what = f"{ls.loss} loss{penalty}{', as trained' if penalty else ''}"
    con.print(f"[bold]Loss landscape[/bold] of {net!r}, {where}, on {data_name} ({what})")
    state = "solved" if ls.solved else "[yellow]not solved[/yellow]"
    line = ls.line
    start = f"start {render.num(line.start_loss)}, " if line else ""
    slope = (f"; gradient length at the end {ls.gradient:.2g}" if ls.gradient is not None
             else "")
    hang(con, f"  loss: {start}end {render.num(ls.end_loss)} ({state}){slope}")
    if line is None:
        hang(con, f"  line: {ls.notes[0]}")
    else:
        if line.monotone:
            shape = "falls monotonically from start to end (no barrier)"
        else:
            shape = (f"not monotone: it climbs {render.num(line.barrier, 3)} on the way, "
                     f"peaking at α = {line.barrier_alpha:.2f}")
        if not ls.solved and line.flat_from is not None:
            shape += f"; flat (within 1 % of the end) from α ≈ {line.flat_from:.2f}"
        hang(con, f"  line start → end: {shape}")
    p = ls.random
    a, b, low = p.lowest
    moved = {True: "biases moved", False: "biases fixed", None: "no biases"}[p.biases]
    where_low = (f"{render.num(low)} at ({a:.2g}, {b:.2g})"
                 if low < (1 - FLAT) * ls.end_loss else "the end (nothing lower)")
    hang(con, f"  random plane (±{span:g}, filter-normalised, {moved}, seed {seed}): "
         f"lowest {where_low}")
    if ls.pca is not None and ls.pca.explained is not None:
        e = ls.pca.explained
        hang(con, f"  path plane: the path's first two principal directions explain "
             f"{e[0]:.1%} and {e[1]:.1%} of its variance")
    for note in ls.notes[1 if line is None else 0:]:
        hang(con, f"  [yellow]{note}[/yellow]")
    flat = ls.flat
    if flat is not None and not ls.solved and flat.start < flat.epochs:
        trap = f": stalled {flat.trap}" if flat.trap else ""
        hang(con, f"  [yellow]flat: from epoch {flat.start} on, {flat.epochs - flat.start} "
             f"epochs moved the loss by less than 1 % (it stays near "
             f"{render.num(flat.loss)}){trap}. The gradient there is almost 0, so gradient "
             "descent cannot leave it (`xornet doctor` says what to change).[/yellow]")
