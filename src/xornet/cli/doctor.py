"""``xornet doctor``: why a run failed — for a saved model, a configuration, or many seeds."""

import sys
from typing import Annotated

import numpy as np
import typer

from xornet import load
from xornet.cli import app, flags, options, render, streams, wording
from xornet.doctor import diagnose as doctor
from xornet.doctor import seedstudy
from xornet.errors import XornetError
from xornet.io import datasets, files
from xornet.train.config import lr_text

Opt = typer.Option

HISTOGRAM_BINS = 8  # enough to see the shape of epochs-to-solve on one screen
BAR_WIDTH = 30

# Flags that describe a configuration to train; with a MODEL file only the data flags and
# --loss, --lr and --tolerance (which say how the model was trained) make sense.
CONFIG_ONLY = ("--preset", "--hidden", "--activation", "--output-activation", "--bias", "--init",
               "--optimizer", "--momentum", "--epochs", "--batch-size", "--shuffle", "--seed",
               "--early-stop", "--target-loss", "--seeds")


@app.command("doctor")
@flags.run_flags
def doctor_command(
    model: Annotated[str | None, typer.Argument(help="A saved model to examine; omit it to train the configuration the flags describe.")] = None,  # noqa: E501
    dataset: Annotated[str | None, Opt(help="Dataset name (see `xornet datasets`); XOR if omitted.")] = None,  # noqa: E501
    csv: flags.Csv = None,
    target: flags.Target = None,
    n_bits: flags.NBits = 3,
    samples: flags.Samples = 200,
    noise: flags.Noise = None,
    data_seed: flags.DataSeed = 0,
    run=None,
    seed: Annotated[int | None, Opt(help="Seed of the run (with --seeds: the first seed).")] = None,
    seeds: Annotated[int | None, Opt(help="Train N seeds and count successes, epochs to solve and diagnoses.")] = None,  # noqa: E501
    json_out: flags.Json = False,
):
    """Say why a run failed (stuck outputs, symmetric, saturated or dead units, the 75 %
    plateau, divergence, too few epochs) and what to try instead."""
    options.check_count("--n-bits", n_bits)
    options.check_count("--samples", samples)
    options.check_count("--data-seed", data_seed, low=0)
    options.check_count("--seeds", seeds)
    streams.check(reads=[("MODEL", model), ("--csv", csv)])
    if model is not None:
        given = {**run, "seeds": seeds}
        for flag in CONFIG_ONLY:
            if given[flag[2:].replace("-", "_")] is not None:
                raise XornetError(
                    f"{flag}: describes a run to train, but MODEL is a saved model; drop {flag} "
                    "or drop MODEL (with a model only --dataset/--csv, --loss, --lr and "
                    "--tolerance apply)."
                )
    cfg = flags.build_config(**run, dataset=dataset)  # sine: as `xornet train` runs it
    X, y, data_name = options.load_data(dataset, csv, target, n_bits, samples, noise, data_seed)
    if model is not None:
        _doctor_model(model, X, y, data_name, run["loss"], run["lr"] and cfg.lr, cfg.tolerance,
                      json_out)
    elif seeds is not None:
        _doctor_seeds(cfg, X, y, data_name, seeds, json_out)
    else:
        _doctor_config(cfg, X, y, data_name, json_out)


# --- the three modes ----------------------------------------------------------------------

def _doctor_model(path, X, y, data_name, loss, lr, tolerance, json_out):
    net = load(path)
    net.training = {**net.training, "tolerance": tolerance,
                    **({"loss": loss} if loss else {}), **({"lr": lr} if lr else {})}
    found = doctor.diagnose(net, X, y)
    y_hat = net.predict(X)
    if json_out:
        render.print_json({"mode": "model", "model": path, "dataset": data_name,
                           "network": repr(net), "training": net.training,
                           **_verdict(found, y, y_hat, tolerance),
                           "rows": _rows(X, y, y_hat, tolerance)})
        return
    con = render.console()
    con.print(f"[bold]{net!r}[/bold] from [bold]{files.label(path)}[/bold] on "
              f"[bold]{data_name}[/bold]")
    _print_table(con, X, y, y_hat, tolerance)
    solved = bool(np.max(np.abs(y_hat - y)) <= tolerance)
    state = (f"solved: every output within {tolerance:g} of its target" if solved else
             f"not solved: largest error {render.num(float(np.max(np.abs(y_hat - y))))}")
    _print_findings(con, found, solved, state)


def _doctor_config(cfg, X, y, data_name, json_out):
    with _status(json_out, "training"):
        net, history, found = doctor.run_and_diagnose(cfg, X, y)
    diverged = next((d.evidence["epoch"] for d in found if d.code == "diverged"), None)
    y_hat = net.predict(X) if net is not None else None
    if json_out:
        render.print_json({
            "mode": "config", "dataset": data_name, "config": cfg.as_dict(),
            "network": repr(net) if net is not None else None, "epochs": history.epochs,
            "stop_reason": history.stop_reason, "final_loss": history.final_loss,
            "solved_epoch": history.solved_epoch, "diverged_at": diverged,
            **_verdict(found, y, y_hat, cfg.tolerance),
            "rows": _rows(X, y, y_hat, cfg.tolerance) if y_hat is not None else None})
        return
    con = render.console()
    con.print(f"[bold]{_describe(cfg, X, y)}[/bold] on [bold]{data_name}[/bold]")
    if net is None:
        _print_findings(con, found, False, f"training stopped in epoch {diverged}")
        return
    _print_table(con, X, y, y_hat, cfg.tolerance)
    loss = f"final loss {render.num(history.final_loss, 6)}"
    state = (f"solved in {history.solved_epoch} epochs ({loss})" if history.solved else
             f"not solved after {history.epochs} epochs ({loss}, largest error "
             f"{render.num(history.max_error)})")
    _print_findings(con, found, history.solved, state)


def _doctor_seeds(cfg, X, y, data_name, n, json_out):
    seeds = range(cfg.seed, cfg.seed + n)
    with render.progress("seeds", n, show=not json_out,
                         piped=f"training {n} seeds ({seeds[0]}–{seeds[-1]})…") as tick:
        study = seedstudy.seed_study(cfg, X, y, seeds, on_run=tick)
    if json_out:
        render.print_json({"mode": "seeds", "dataset": data_name, "config": cfg.as_dict(),
                           "first_seed": cfg.seed, **study.as_dict()})
        return
    con = render.console()
    con.print(f"[bold]Seed study[/bold]: {_describe(cfg, X, y, False)} on [bold]{data_name}[/bold],"
              f" seeds {seeds[0]}–{seeds[-1]}")
    colour = "green" if study.success_rate == 1 else "yellow"
    con.print(f"success rate: [{colour}]{study.n_solved}/{n} "
              f"({100 * study.success_rate:.1f} %)[/{colour}]")
    s = study.epochs_summary()
    if s["min"] is not None:
        con.print(f"epochs to solve: min {s['min']}, median {s['median']:g}, p90 {s['p90']}, "
                  f"max {s['max']}")
        for line in _histogram(study.epochs_to_solve):
            con.print(line, highlight=False)
    if study.n_solved < n:
        counts = ", ".join(f"{code} ×{k}" for code, k in study.diagnosis_counts.items())
        unexplained = f", no cause recognised ×{study.unexplained}" if study.unexplained else ""
        con.print(f"failures by diagnosis: {counts or '—'}{unexplained}")
        failed = [r.seed for r in study.runs if not r.solved]
        shown = ", ".join(map(str, failed[:10])) + (", …" if len(failed) > 10 else "")
        con.print(f"failed seeds: {shown} (run `xornet doctor --seed S ...` for one of them)")


# --- formatting ---------------------------------------------------------------------------

def _verdict(found, y, y_hat, tolerance):
    solved = y_hat is not None and bool(np.max(np.abs(y_hat - y)) <= tolerance)
    return {"solved": solved, "healthy": solved and not found,
            "diagnoses": [wording.diagnosis_json(d) for d in found]}


def _rows(X, y, y_hat, tolerance):
    return render.rows_json(X, y, y_hat, tolerance) if len(X) <= render.MAX_TABLE_ROWS else None


def _print_table(con, X, y, y_hat, tolerance):
    if datasets.is_boolean(y) and len(X) <= render.MAX_TABLE_ROWS:
        con.print(render.truth_table(X, y, y_hat, tolerance))


def _print_findings(con, found, solved, state):
    if not found:
        if solved:
            con.print(f"[green]healthy: {state} — nothing to diagnose.[/green]")
        else:
            con.print(f"[yellow]{state}; none of the doctor's checks recognise why — try more "
                      "epochs or another seed.[/yellow]")
        return
    con.print(f"[yellow]{state}[/yellow]")
    print_diagnoses(con, found)


def print_diagnoses(con, found):
    """Print each Diagnosis as its code and sentence, then "→ suggestion" with its changes
    as flags (nothing if empty).

    For other commands too: ``xornet train`` can call it after a run that did not solve.
    """
    if not found:
        return
    con.print(f"[bold]Diagnosis[/bold] ({len(found)} finding{'s' if len(found) > 1 else ''}):")
    for d in found:  # long sentences wrap under themselves
        render.print_hanging(con, f"  [bold red]{d.code}[/bold red]: {d.sentence}", hang=4)
        render.print_hanging(con, f"    [cyan]→ {wording.advice(d)}[/cyan]", hang=6)


def _describe(cfg, X, y, with_seed=True):
    sizes = "-".join(map(str, [X.shape[1], *cfg.hidden, y.shape[1]]))
    batch = "full batch" if cfg.batch_size is None else f"batch size {cfg.batch_size}"
    return (f"{sizes} {cfg.activation} → {cfg.output_activation}, "
            f"{'bias' if cfg.bias else 'no bias'}, {cfg.init} init, {cfg.loss} loss, "
            f"{cfg.optimizer} lr={lr_text(cfg.lr)}, {batch}, ≤ {cfg.epochs} epochs"
            + "".join(f", {extra}" for extra in [wording.schedule_and_penalty(cfg)] if extra)
            + (f", seed {cfg.seed}" if with_seed else ""))


def _histogram(values):
    """Text bars of the epochs-to-solve distribution."""
    if len(values) < 2 or min(values) == max(values):
        return []
    counts, edges = np.histogram(values, bins=min(HISTOGRAM_BINS, len(set(values))))
    top = counts.max()
    return [f"  {edges[i]:>8.0f}–{edges[i + 1]:<8.0f} {'█' * round(BAR_WIDTH * c / top):<{BAR_WIDTH}} {c}"  # noqa: E501
            for i, c in enumerate(counts)]


class _status:
    """A spinner on stderr while training, only when a person is watching."""

    def __init__(self, quiet, text):
        self.show = not quiet and sys.stderr.isatty()
        self.text = text

    def __enter__(self):
        if self.show:
            self.status = render.Console(stderr=True).status(self.text)
            self.status.start()

    def __exit__(self, *exc):
        if self.show:
            self.status.stop()
