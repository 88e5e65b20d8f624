"""``xornet predict``, ``xornet show`` and ``xornet datasets``."""

from typing import Annotated

import numpy as np
import typer

from xornet import load
from xornet.cli import app, render, streams
from xornet.core.network import require_finite
from xornet.errors import XornetError
from xornet.io import csvdata, datasets


# "-1" is a number here, not an unknown option: negative inputs need no "--"
@app.command(context_settings={"ignore_unknown_options": True})
def predict(
    model: Annotated[str, typer.Argument(help="A model JSON file ('-': standard input).")],
    inputs: Annotated[list[str] | None, typer.Argument(help="One sample's inputs, e.g. 1 0.")] = None,  # noqa: E501
    csv: Annotated[str | None, typer.Option(help="Predict every row of a CSV file.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
):
    """Run a saved model on one sample or on every row of a CSV file."""
    streams.check(reads=[("MODEL", model), ("--csv", csv)])
    net = load(model)
    n_in = net.sizes[0]
    if csv is not None:
        if inputs:
            raise XornetError("predict: give either inputs or --csv, not both.")
        X, y = _read_predict_csv(csv, n_in)
    else:
        X = np.array([[_number(v, i) for i, v in enumerate(inputs or [], start=1)]])
        if X.size == 0:
            raise XornetError(f"predict: give {n_in} input values (e.g. 1 0) or --csv FILE.")
        csvdata.check_features(X, n_in, "the input")
        y = None
    y_hat = require_finite(net.predict(X), "predict")
    if json_out:
        doc = {"model": model, "inputs": X, "outputs": y_hat}
        if y is not None:
            doc["targets"] = y
        render.print_json(doc)
        return
    con = render.console()
    for k, (xi, oi) in enumerate(zip(X, y_hat, strict=True)):
        target = f"  (target {render.fmt_bits(y[k])})" if y is not None else ""
        outputs = " ".join(f"{v:.6f}" if abs(v) < 1e6 else f"{v:.6g}" for v in oi)  # 1e+300
        con.print(f"{render.fmt_bits(xi)} → {outputs}{target}")


def _read_predict_csv(path, n_in):
    """A CSV of n_in feature columns, or of n_in features and a target column last."""
    X, y, _, _ = csvdata.load_csv(path)
    if X.shape[1] == n_in:
        return X, y
    full = np.hstack([X, y])  # no target column: the last column is a feature too
    csvdata.check_features(full, n_in, path)
    return full, None


def _number(text, position):
    if not csvdata.is_number(text):  # the CSV reader's rule: 0-9 digits, no nan or inf
        raise XornetError(f"input {position}: {text!r} is not a number; write it with the "
                          "digits 0-9, such as -1.5 or 2e-3.")
    value = float(text)
    if not np.isfinite(value):
        raise XornetError(f"input {position}: {text!r} is not a finite number.")
    return value


@app.command()
def show(
    model: Annotated[str, typer.Argument(help="A model JSON file ('-': standard input).")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
):
    """Show a model's layers, weights, biases and how it was trained."""
    from xornet.explain.collapse import collapse_sentence

    net = load(model)
    note = collapse_sentence(net)
    if json_out:
        render.print_json({**render.network_json(net), "collapse": note})
        return
    con = render.console()
    render.print_network(con, net)
    if note:
        con.print(f"[yellow]{note}[/yellow]")


@app.command("datasets")
def list_datasets(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
):
    """List the built-in datasets."""
    rows = datasets.describe()
    if json_out:
        render.print_json([{"name": n, "description": d, "kind": k} for n, d, k in rows])
        return
    from rich.table import Table

    table = Table(title="Datasets (use with --dataset NAME)", title_justify="left")
    for col in ("name", "kind", "description"):
        table.add_column(col)
    for name, description, kind in rows:
        table.add_row(name, kind, description)
    con = render.console()
    con.print(table)
    con.print("Any two-input truth table also works by its output column, e.g. --dataset 0110.")
