"""``xornet plot`` and ``xornet animate``: pictures of a model and animations of a run.

matplotlib is imported only when one of these commands runs, so every other command
starts fast.
"""

import time
from typing import Annotated

import typer

from xornet import load
from xornet.cli import app, flags, options, render, streams, wording
from xornet.errors import XornetError
from xornet.io import csvdata, datasets, files

Opt = typer.Option
JsonOpt = Annotated[bool, Opt("--json", help="Print one JSON document.")]
DatasetOpt = Annotated[str | None, Opt(help="Dataset name (see `xornet datasets`).")]
CsvOpt = Annotated[str | None, Opt(help="Your own CSV file (header, numbers).")]
TargetOpt = Annotated[str | None, Opt(help="CSV target column (default: the last).")]
SamplesOpt = Annotated[int, Opt(help="Points for sine and the 2-D clouds.")]
NoiseOpt = Annotated[float | None, Opt(help="Noise for the 2-D clouds and sine.")]
DataSeedOpt = Annotated[int, Opt(help="Seed of the generated dataset.")]


def _viz():
    from xornet import viz  # without matplotlib: one sentence naming xornet[viz] (MissingExtra)

    return viz


@app.command()
def plot(
    model: Annotated[str, typer.Argument(help="A model JSON file ('-': standard input), or builtin:NAME.")],  # noqa: E501
    out: Annotated[str, Opt("--out", "-o", help="Folder to write the pictures into.")] = "figures",
    fmt: Annotated[str, Opt("--format", help="png, svg or pdf.")] = "png",
    dpi: Annotated[int, Opt(help="Resolution of PNG images (dots per inch).")] = 100,
    dataset: DatasetOpt = None, csv: CsvOpt = None, target: TargetOpt = None,
    n_bits: Annotated[int | None, Opt(help="Bits for parity (default: the model's inputs).")] = None,  # noqa: E501
    samples: SamplesOpt = 200, noise: NoiseOpt = None, data_seed: DataSeedOpt = 0,
    json_out: JsonOpt = False,
):
    """Draw every picture that applies to a model: decision boundary, unit maps, network
    diagram and (1-input models) the fit; say which were skipped and why."""
    streams.check(reads=[("MODEL", model), ("--csv", csv)],
                  not_streams=[("--out", out, "a folder, such as figures")])
    viz = _viz()
    with wording.flags_in_errors("format"):  # the library says "format: ...": --format
        fmt = viz.style.check_format(fmt)
    paths = files.writable_folder(out, [f"{figure}.{fmt}" for figure in viz.FIGURES], "--out",
                                  "the pictures")  # every file it may write, before any work
    files.refuse_overwriting([("MODEL", model), ("--csv", csv)], [("--out", p) for p in paths])
    _check_dpi(dpi)
    net = load(model)
    X, y, name = _plot_data(net, dataset, csv, target, n_bits, samples, noise, data_seed)
    skipped = viz.skipped_figures(net, X)
    if len(skipped) == len(viz.FIGURES):
        why = "; ".join(f"{figure} {reason}" for figure, reason in skipped)
        raise XornetError(f"{model}: no picture applies to this model ({why}).")
    written = viz.write_figures(net, X, y, out, fmt=fmt, dataset_name=name, dpi=dpi)
    if json_out:
        render.print_json({"model": model, "dataset": name, "written": written,
                           "skipped": [{"figure": f, "reason": r} for f, r in skipped]})
        return
    for path in written:
        print(path)
    notes = render.console(stderr=True)  # on stderr: stdout lists only files
    for figure, reason in skipped:
        notes.print(f"skipped {figure}: {reason}", markup=False)


def _check_dpi(dpi):
    if not 10 <= dpi <= 600:
        raise XornetError(f"--dpi: expected a whole number from 10 to 600; received {dpi}.")


def _plot_data(net, dataset, csv, target, n_bits, samples, noise, data_seed):
    """(X, y, name) from the flags; else the dataset the model records; else XOR for a
    2-input model that records none; else (None, None, None): pictures without data."""
    options.check_count("--samples", samples)
    options.check_count("--data-seed", data_seed, low=0)
    options.check_count("--n-bits", n_bits)
    n_bits = min(net.sizes[0], datasets.MAX_BITS) if n_bits is None else n_bits
    if dataset is None and csv is None:
        dataset = _recorded(net, n_bits)
        if dataset is None:
            render.console(stderr=True).print(
                "no data: the pictures show no data points (give --dataset or --csv)")
            return None, None, None
    X, y, name = options.load_data(dataset, csv, target, n_bits, samples, noise, data_seed)
    flag = f"--csv {csv}" if csv is not None else f"--dataset {name}"
    csvdata.check_features(X, net.sizes[0], flag)
    if y.shape[1] != net.sizes[-1]:
        raise XornetError(f"{flag}: the data has {y.shape[1]} target columns but the model has "
                          f"{net.sizes[-1]} outputs; give data with one target per output.")
    return X, y, name


def _recorded(net, n_bits):
    """The dataset the model records, when it loads and fits the model; XOR for a 2-input
    model that records none (a hand-written file, a builtin); else None (e.g. a CSV)."""
    name = net.training.get("dataset")
    if name is None:
        return "xor" if net.sizes[0] == 2 else None
    try:
        X, _ = datasets.load(name, n_bits=n_bits)
    except XornetError:
        return None
    return name if X.shape[1] == net.sizes[0] else None


@app.command()
@flags.run_flags
def animate(
    out: Annotated[str, Opt("--out", "-o", help="The animation: a .gif, or an .mp4 (needs ffmpeg).")] = "training.gif",  # noqa: E501
    frames: Annotated[int, Opt(help="Frames, 30 to 120, at log-spaced epochs.")] = 60,
    fps: Annotated[int, Opt(help="Frames per second.")] = 12,
    dpi: Annotated[int, Opt(help="Resolution (dots per inch; 80 gives 1040×352 pixels).")] = 80,
    run=None,
    dataset: Annotated[str | None, Opt(help="Dataset name (2 inputs, or 1 such as sine); XOR if omitted.")] = None,  # noqa: E501
    csv: CsvOpt = None, target: TargetOpt = None,
    n_bits: flags.NBits = 3,
    samples: SamplesOpt = 200, noise: NoiseOpt = None, data_seed: DataSeedOpt = 0,
    json_out: JsonOpt = False,
    test_split: Annotated[float | None, Opt(help="Hold out this share of the rows as a test set (as for `xornet train`); the loss panel draws its loss too.")] = None,  # noqa: E501
    patience: Annotated[int | None, Opt(help="Early stopping on the test loss (needs --test-split).")] = None,  # noqa: E501
):
    """Train (options as for `xornet train`) and write the run as an animation: boundary,
    weights and loss side by side, frames at log-spaced epochs."""
    streams.check(reads=[("--csv", csv)],
                  not_streams=[("--out", out, "a file name, such as training.gif")])
    viz = _viz()
    files.check_path(out, "--out")
    viz.animate.check_out_path(out)
    files.writable_target(out, "--out")  # its folder exists: said before training
    files.refuse_overwriting([("--csv", csv)], [("--out", out)])
    viz.animate.check_frames(frames)
    _check_dpi(dpi)
    if not 1 <= fps <= 60:
        raise XornetError(f"--fps: expected a whole number from 1 to 60; received {fps}.")
    options.check_count("--n-bits", n_bits)
    options.check_count("--samples", samples)
    options.check_count("--data-seed", data_seed, low=0)
    options.check_patience(patience, test_split)
    X, y, name = options.load_data(dataset, csv, target, n_bits, samples, noise, data_seed)
    viz.animate.check_shape(X.shape[1], y.shape[1])
    cfg = flags.build_config(**run, dataset=dataset)  # sine: as `xornet train` runs it
    cfg, X, y, test = options.held_out(cfg, X, y, test_split, patience, data_seed,
                                       None if csv else dataset or "xor")
    show = not json_out
    with render.progress("training", cfg.epochs, show=show, absolute=True,
                         piped=f"animating: training up to {cfg.epochs} epochs, then drawing "
                         f"{frames} frames…" if show else None) as tick, \
            options.errors_as_test_split():
        recording = viz.record_training(cfg, X, y, frames, progress=lambda done, _: tick(done),
                                        test_data=test)
    started = time.perf_counter()
    with render.progress("drawing frames", len(recording.epochs), show=show,
                         absolute=True) as tick:
        path = viz.write_animation(recording, X, y, out, fps=fps, dpi=dpi, dataset_name=name,
                                   progress=lambda done, _: tick(done))
    seconds = time.perf_counter() - started
    _report_animation(path, recording, frames, seconds, json_out)


def _report_animation(path, recording, frames, seconds, json_out):
    history, epochs = recording.history, recording.epochs
    if json_out:
        render.print_json({"written": path, "frames": len(epochs), "epochs": epochs,
                           "final_loss": history.final_loss, "solved": history.solved,
                           "solved_epoch": history.solved_epoch, "render_seconds": seconds,
                           "final_test_loss": history.final_test_loss,
                           "best_epoch": history.best_epoch, "restored": history.restored,
                           "last_epoch_loss": history.last_loss,
                           "last_epoch_test_loss": history.last_test_loss})
        return
    print(path)
    con = render.console()
    spacing = "log-spaced" if len(epochs) < epochs[-1] + 1 else "every epoch"
    con.print(f"{len(epochs)} frames at epochs 0 … {epochs[-1]} ({spacing}), rendered in "
              f"{seconds:.1f} s")  # two short lines: a longer time never rewraps them
    solved = f"solved at epoch {history.solved_epoch}" if history.solved else "not solved"
    if history.restored:  # the weights kept are best_epoch's: their losses come first
        con.print(f"early stopping: epoch {history.best_epoch} restored, loss "
                  f"{render.num(history.final_loss, 4)}, test loss "
                  f"{render.num(history.final_test_loss, 4)}")
        con.print(f"{solved}; last epoch {history.epochs}: loss "
                  f"{render.num(history.last_loss, 4)}, test loss "
                  f"{render.num(history.last_test_loss, 4)}")
        return _frames_note(history, epochs, frames, con)
    con.print(f"final loss {render.num(history.final_loss, 4)}, {solved}")
    if history.test_loss:
        lowest = history.loss_at(history.best_epoch, "test_loss")
        con.print(f"final test loss {render.num(history.final_test_loss, 4)}, lowest "
                  f"{render.num(lowest, 4)} at epoch {history.best_epoch}")
    _frames_note(history, epochs, frames, con)


def _frames_note(history, epochs, frames, con):
    if len(epochs) < frames:
        con.print(f"[yellow]the run has only {history.epochs} epochs, so every epoch is a "
                  f"frame[/yellow]; train longer with --no-early-stop or --epochs N for "
                  f"{frames} frames.")
