"""``xornet train``: build a network, train it, print the truth table (or metrics)."""

import sys
import time
from typing import Annotated

import numpy as np
import typer

from xornet.cli import app, flags, options, render, streams, wording
from xornet.errors import XornetError, require
from xornet.io import datasets, files, modelfile
from xornet.train import config, restarts

Opt = typer.Option

# Show a progress bar only when the run is expected to take this long.
PROGRESS_AFTER_SECONDS = 0.5
# Up to this many hidden units the logic lens is written out in sentences after training;
# wider networks get one line of unit names (their composed truth table is too long to read).
LENS_UNITS_IN_FULL = 4


@app.command()
@flags.run_flags
def train(
    run=None,
    dataset: Annotated[str | None, Opt(help="Dataset name (see `xornet datasets`); XOR if omitted. Regression data (sine) trains 1-16-1 tanh → linear with mse and lr 0.05 unless --preset or your flags say otherwise.")] = None,  # noqa: E501
    csv: flags.Csv = None,
    target: flags.Target = None,
    n_bits: flags.NBits = 3,
    samples: flags.Samples = 200,
    noise: flags.Noise = None,
    data_seed: flags.DataSeed = 0,
    save: Annotated[str | None, Opt(help="Save the trained model to this JSON file ('-': to standard output, with the report on stderr).")] = None,  # noqa: E501
    plot: Annotated[str | None, Opt(help="Write the pictures of the trained model to this folder.")] = None,  # noqa: E501
    animate: Annotated[str | None, Opt(help="Write an animation of the run (.gif, or .mp4 with ffmpeg).")] = None,  # noqa: E501
    quiet: Annotated[bool, Opt("--quiet", "-q", help="Print only the summary line.")] = False,
    json_out: flags.Json = False,
    start_from: Annotated[str | None, Opt("--from", help="Start from this model file's network and weights (or builtin:NAME), e.g. a tutorial's printed starting weights.")] = None,  # noqa: E501
    test_split: Annotated[float | None, Opt(help="Hold out this share of the rows (e.g. 0.3) as a test set, drawn with --data-seed; generated clouds, sine and CSV data.")] = None,  # noqa: E501
    patience: Annotated[int | None, Opt(help="Early stopping: stop when the test loss has not fallen for this many epochs and restore the weights of its lowest epoch (needs --test-split).")] = None,  # noqa: E501
):
    """Train a network (XOR by default) and show how well it learned."""
    options.check_count("--n-bits", n_bits)
    options.check_count("--samples", samples)
    options.check_count("--data-seed", data_seed, low=0)
    options.check_patience(patience, test_split)
    streams.check(reads=[("--csv", csv), ("--from", start_from)], writes=[("--save", save)],
                  json_out=json_out, not_streams=[("--plot", plot, "a folder, such as figures"),
                                                  ("--animate", animate, "a file name, such "
                                                   "as run.gif")])
    if plot is not None or animate is not None:  # say so before training, not after
        require("viz", "--plot" if plot is not None else "--animate")
        _check_pictures(plot, animate, [("--csv", csv), ("--from", start_from)])
    X, y, data_name = options.load_data(dataset, csv, target, n_bits, samples, noise, data_seed)
    cfg = flags.build_config(**run, dataset=dataset)  # sine: a linear output and mse
    cfg, X, y, test = options.held_out(cfg, X, y, test_split, patience, data_seed,
                                       None if csv else dataset or "xor")
    start = None
    if start_from:
        start, cfg = _start_from(start_from, run, cfg)
    if save is not None:  # before training: a path that cannot be saved to is said at once
        _check_save(save, cfg, X, y, start)
    show_progress = not (quiet or json_out)
    with options.errors_as_test_split():
        net, history = _run_with_progress(cfg, X, y, show_progress, start, test)
    net.training = {"dataset": data_name, "preset": run["preset"], **net.training,
                    "hidden": list(cfg.hidden), "init": cfg.init}
    if csv is None and datasets.kind(dataset or "xor") != "truth table":
        # how the rows were made, so that `xornet landscape` can make them again
        net.training.update(samples=samples, noise=noise, data_seed=data_seed)
    if test is not None:  # which rows were held out: --data-seed and the share
        net.training.update(test_split=test_split, data_seed=data_seed)
    if start_from:  # the weights came from a file, not from an initialiser
        net.training.update(init="given", start=start_from)
    y_hat = net.predict(X)
    if save is not None:  # an empty --save '' is refused, not skipped
        net.save(save)
    notes = _insights(cfg, net, history, X, y, data_name)
    pictures = _pictures(cfg, net, history, X, y, data_name, plot, animate, test)
    metrics = _split_metrics(cfg, net, X, y, test) if test is not None else None
    if json_out:
        doc = _result_json(cfg, data_name, net, history, X, y, y_hat, save)
        doc.update(_split_json(history, test_split, metrics))
        doc["logic"] = notes.lens.as_dict() if notes.lens else None
        doc["single_layer_note"] = notes.single_layer_note
        doc["order_note"] = notes.order_note
        doc["diagnoses"] = [wording.diagnosis_json(d) for d in notes.diagnoses]
        doc["pictures"] = pictures
        render.print_json(doc)
        return
    _print_result(cfg, data_name, net, history, X, y, y_hat, save, quiet, metrics)
    if not quiet:
        _print_insights(render.console(), notes)
    for path in pictures["written"]:
        render.console().print(f"wrote {path}", markup=False)


def _split_metrics(cfg, net, X, y, test):
    """How the trained network does on the training rows and on the test rows: rows, loss,
    accuracy (0/1 targets, else None), largest error and RMSE. Measured on the weights the
    user gets (after early stopping, the restored ones)."""
    from xornet.core import losses
    from xornet.core.penalties import Penalty
    from xornet.train.trainer import row_accuracy

    loss = losses.get(cfg.loss)
    # the weight penalty (0 without --l2/--l1): the same for both parts, as the curves add it
    penalty = Penalty(net.layout, cfg.l2, cfg.l1).value(net.params)
    out = {}
    for part, (rows, targets) in (("train", (X, y)), ("test", test)):
        y_hat = net.predict(rows)
        out[part] = {
            "rows": len(rows), "loss": float(loss.value(y_hat, targets)), "penalty": penalty,
            "accuracy": row_accuracy(y_hat, targets == 1.0) if datasets.is_boolean(targets)
            else None,
            "max_error": float(np.max(np.abs(y_hat - targets))),
            "rmse": float(np.sqrt(np.mean((y_hat - targets) ** 2))),
        }
    return out


def _split_json(history, share, metrics):
    """What --json adds for a run: the per-epoch metrics, and with a test set the split and
    the trained network's numbers on both parts."""
    doc = {"accuracy_curve": _thin(history, "train_accuracy")}
    if metrics is None:
        return doc
    return {**doc, "test_split": share, "train": metrics["train"], "test": metrics["test"],
            "test_loss_curve": _thin(history, "test_loss"),
            "test_accuracy_curve": _thin(history, "test_accuracy"),
            "best_epoch": history.best_epoch, "restored": history.restored,
            # final_loss is the kept weights' (best_epoch's after early stopping); the last
            # epoch's, for comparison
            "last_epoch_loss": history.last_loss, "last_epoch_test_loss": history.last_test_loss}


def _pictures(cfg, net, history, X, y, data_name, plot, animate, test=None):
    """Write the figures (--plot DIR) and the animation (--animate FILE) that were asked for."""
    written, skipped = [], []
    if plot or animate:
        from xornet import viz

        if plot:
            written += viz.write_figures(net, X, y, plot, history=history,
                                         dataset_name=data_name)
            skipped += viz.skipped_figures(net, X, history)
        if animate:
            written.append(viz.animate_training(cfg, X, y, animate, dataset_name=data_name,
                                                test_data=test))
    return {"written": written, "skipped": [list(s) for s in skipped]}


def _insights(cfg, net, history, X, y, data_name):
    """What the logic lens, separability and the doctor say about this run (a Report)."""
    from xornet.doctor.report import report

    return report(net, X, y, history, cfg, data_name)


def _print_insights(con, notes):
    """The report as `xornet train` prints it: the lens's sentences (only each hidden unit's
    function for a wide network, whose composition is too long to read), the single-layer
    note, the diagnoses. The collapse note is left to `xornet show`: the doctor's linear-hidden
    finding already says it here."""
    from xornet.cli.doctor import print_diagnoses
    from xornet.cli.logic import print_story
    from xornet.explain import story

    if notes.lens is not None:
        hidden = [u for layer in notes.lens.layers[:-1] for u in layer]
        con.print("[bold]Logic lens[/bold] (`xornet logic MODEL` shows every number):")
        if len(hidden) <= LENS_UNITS_IN_FULL:
            # the hidden units' own functions (print_story leaves them to `xornet logic`'s
            # table), then the output over them
            units = [s.text for s in notes.story if s.kind == story.UNIT]
            if units:
                con.print("  " + ", ".join(units))
            print_story(con, notes.story, indent="  ")
        else:
            con.print("  " + ", ".join(f"{u.name} ≈ {u.function}" for u in hidden))
    if notes.single_layer_note:
        con.print(f"[yellow]{notes.single_layer_note}[/yellow]")
    if notes.order_note:
        con.print(f"[yellow]{notes.order_note}[/yellow]")
    print_diagnoses(con, notes.diagnoses)


# The flags that say which network to build; with --from the network is the file's.
NETWORK_FLAGS = ("hidden", "activation", "output_activation", "bias", "init")


def _check_pictures(plot, animate, reads):
    """Every file --plot and --animate will write, checked before training: the folder can
    be made, no picture's name is taken by a folder, the animation's name and folder are
    right, and none of them is an input."""
    from xornet import viz

    outputs = []
    if plot is not None:
        names = [f"{figure}.png" for figure in viz.FIGURES]
        outputs += [("--plot", path) for path in
                    files.writable_folder(plot, names, "--plot", "the pictures")]
    if animate is not None:
        files.check_path(animate, "--animate")
        viz.animate.check_out_path(animate)
        outputs.append(("--animate", files.writable_target(animate, "--animate")))
    files.refuse_overwriting(reads, outputs)


def _check_save(path, cfg, X, y, start):
    files.writable_target(path, "--save")
    net = start if start is not None else cfg.build(X.shape[1], y.shape[1])
    if modelfile.estimated_bytes(net.n_params) > modelfile.MAX_BYTES:
        raise XornetError(f"--save: a model of {net.n_params:,} parameters takes about "
                          f"{modelfile.estimated_bytes(net.n_params) / 2**20:.0f} MB, more than "
                          f"the {modelfile.MAX_BYTES // 2**20} MB a model file may be (it could "
                          "not be read back); train a smaller network or leave --save out.")


def _start_from(path, run, cfg):
    """The network of the model file ``path`` to train, and ``cfg`` describing it (its
    training settings stay the flags', the preset's or the default run's)."""
    from xornet import load

    for name in NETWORK_FLAGS:
        if run[name] is not None:
            flag = wording.flag(name) if name != "bias" else "--bias/--no-bias"
            raise XornetError(f"{flag}: the network comes from --from {path}, so it cannot "
                              f"be changed; leave {flag} out.")
    net = load(path)
    hidden = net.activations[:-1]
    activation = hidden[0] if len(set(hidden)) == 1 else tuple(hidden) if hidden else \
        cfg.activation
    return net, cfg.with_(hidden=tuple(net.sizes[1:-1]), activation=activation,
                          output_activation=net.activations[-1], bias=net.bias)


def _run_with_progress(cfg, X, y, show_progress, start=None, test=None):
    """Train (``start``: a loaded network to train instead of a new one; ``test``: held-out
    (X_test, y_test)); on long runs show a rich progress bar with the live loss."""
    if not show_progress:
        return config.run(cfg, X, y, start=start, test_data=test)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    started = time.perf_counter()
    state = {"progress": None, "task": None}
    every = max(1, cfg.epochs // 200)

    def on_epoch(net, history):
        if history.epochs % every:
            return False
        if state["progress"] is None:
            elapsed = time.perf_counter() - started
            expected = elapsed / history.epochs * cfg.epochs
            # no bar in a pipe or a log (it would leave a stray blank line there)
            if expected < PROGRESS_AFTER_SECONDS or not sys.stderr.isatty():
                return False
            state["progress"] = Progress(
                TextColumn("training"), BarColumn(), TextColumn("epoch {task.completed:>.0f}"),
                TextColumn("loss {task.fields[loss]}"), TimeRemainingColumn(), transient=True,
                console=render.Console(stderr=True),
            )
            state["progress"].start()
            state["task"] = state["progress"].add_task("train", total=cfg.epochs, loss="")
        state["progress"].update(state["task"], completed=history.epochs,
                                 loss=render.num(history.loss[-1], 6))
        return False

    try:
        return config.run(cfg, X, y, callbacks=[on_epoch], start=start, test_data=test)
    finally:
        if state["progress"] is not None:
            state["progress"].stop()


def _test_line(m):
    """The test rows in a few words, e.g. "test 60 rows: loss 0.1892, accuracy 93.3%"."""
    accuracy = "" if m["accuracy"] is None else f", accuracy {m['accuracy']:.1%}"
    total = f" (+ penalty = {render.num(m['loss'] + m['penalty'])})" if m["penalty"] else ""
    rows = "row" if m["rows"] == 1 else "rows"
    return f"test {m['rows']} {rows}: loss {render.num(m['loss'])}{total}{accuracy}"


def _summary(history):
    if history.solved and history.crisp_epoch is not None:
        state = f"solved at epoch {history.solved_epoch}, hidden units crisp at " \
                f"{history.crisp_epoch}"
    elif history.solved:
        when = history.solved_epoch
        state = f"solved at epoch {when} (all within tolerance)"  # the line fits 100 columns
    else:
        state = f"not solved (largest error {render.num(history.max_error)})"
    loss = f"final loss {render.num(history.final_loss, 6)}"
    if history.restored:  # the weights are those of best_epoch, and so is their loss
        loss = f"loss {render.num(history.final_loss, 6)} (epoch {history.best_epoch})"
    return f"{history.epochs} epochs, {loss}, {state}, {history.wall_time * 1e3:.1f} ms"


def _print_result(cfg, data_name, net, history, X, y, y_hat, save, quiet, metrics=None):
    con = render.console()
    if quiet:  # the summary, and with a test set one short line of its numbers
        con.print(_summary(history))
        if metrics is not None:
            con.print(_test_line(metrics["test"]))
        return
    if cfg.optimizer == "perceptron":
        how = f"perceptron rule lr={cfg.lr:g}, online in order"  # one lr (RunConfig.check)
    else:
        batch = "full batch" if cfg.batch_size is None else f"batch size {cfg.batch_size}"
        momentum = f" momentum={cfg.momentum:g}" if cfg.momentum else ""
        how = f"{cfg.loss} loss, {cfg.optimizer} lr={config.lr_text(cfg.lr)}{momentum}, {batch}"
    con.print(f"[bold]{net!r}[/bold] on [bold]{data_name}[/bold]")  # two lines: fits 80 columns
    con.print(f"  {how}, seed {cfg.seed}")
    extras = wording.schedule_and_penalty(cfg)
    if extras:  # a line of its own: the line above already fills 80 columns
        con.print(f"  {extras}")
    if datasets.is_boolean(y) and len(X) <= render.MAX_TABLE_ROWS:
        con.print(render.truth_table(X, y, y_hat, cfg.tolerance))
    elif metrics is None:
        con.print(_metrics_line(history, y, y_hat))
    for line in _split_lines(metrics) if metrics is not None else ():
        con.print(line)
    colour = "green" if history.solved else "yellow"
    con.print(f"[{colour}]{_summary(history)}[/{colour}]")
    if history.restored:
        con.print(f"early stopping: weights of epoch {history.best_epoch} restored (lowest "
                  f"test loss; patience {cfg.patience})")
    for sentence in restarts.story(history.attempts):
        con.print(sentence)
    if save is not None:
        con.print(f"model saved to {files.label(save, writing=True)}", markup=False)


def _metrics_line(history, y, y_hat):
    parts = [f"{len(y)} samples", f"max |ŷ − y| {render.num(history.max_error)}",
             f"RMSE {render.num(float(np.sqrt(np.mean((y_hat - y) ** 2))))}"]
    if history.accuracy is not None:
        parts.append(f"accuracy {history.accuracy:.1%}")
    return ", ".join(parts)


def _split_lines(metrics):
    """Two lines, the training rows then the test rows, e.g. "train 140 rows, loss 0.1405,
    accuracy 95.7%, max |ŷ − y| 0.9257, RMSE 0.1949" (the losses of the data alone); with a
    weight penalty a third gives each plus the penalty, the loss the curves show."""
    width = len(str(metrics["train"]["rows"]))
    lines = []
    for part in ("train", "test"):
        m = metrics[part]
        accuracy = "" if m["accuracy"] is None else f", accuracy {m['accuracy']:.1%}"
        rows = "row " if m["rows"] == 1 else "rows"
        lines.append(f"{part:<5} {m['rows']:>{width}} {rows.rstrip()}, loss "
                     f"{render.num(m['loss'])}{accuracy}, max |ŷ − y| "
                     f"{render.num(m['max_error'])}, RMSE {render.num(m['rmse'])}")
    penalty = metrics["train"]["penalty"]
    if penalty:  # the losses above are the data's; the curves and the summary add it
        lines.append(f"+ penalty {render.num(penalty)}, as the curves and summary: "
                     f"train {render.num(metrics['train']['loss'] + penalty)}, "
                     f"test {render.num(metrics['test']['loss'] + penalty)}")
    return lines


def _result_json(cfg, data_name, net, history, X, y, y_hat, save):
    doc = {
        "dataset": data_name, "config": cfg.as_dict(), "network": repr(net),
        "epochs": history.epochs, "final_loss": history.final_loss,
        "solved": history.solved, "solved_epoch": history.solved_epoch,
        "stop_reason": history.stop_reason, "accuracy": history.accuracy,
        "max_error": history.max_error, "wall_time": history.wall_time,
        "crisp_epoch": history.crisp_epoch,
        "attempts": [a.as_dict() for a in history.attempts],
        "loss_curve": _thin(history), "saved": save,
        "weights": net.weights, "biases": net.biases,
    }
    if len(X) <= render.MAX_TABLE_ROWS:
        doc["rows"] = render.rows_json(X, y, y_hat, cfg.tolerance)
    return doc


def _thin(history, curve="loss", keep=500):
    """At most ``keep`` [epoch, value] pairs of a per-epoch curve of the History (the loss,
    or e.g. "test_loss"), always including the first and last; [] for a curve not kept."""
    values, epochs = getattr(history, curve), history.loss_epochs
    idx = np.unique(np.linspace(0, len(values) - 1, min(keep, len(values))).astype(int))
    return [[int(epochs[i]), values[i]] for i in idx]
