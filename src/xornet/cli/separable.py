"""``xornet separable``: decide whether a dataset is linearly separable and say so."""

from typing import Annotated

import typer

from xornet.cli import app, options, render
from xornet.explain import separable
from xornet.io import datasets

Opt = typer.Option


@app.command("separable")
def separable_command(
    dataset: Annotated[str | None, Opt(help="Dataset name (see `xornet datasets`); XOR if omitted.")] = None,  # noqa: E501
    csv: Annotated[str | None, Opt(help="Your own CSV file (header, numbers, 0/1 target).")] = None,
    target: Annotated[str | None, Opt(help="CSV target column (default: the last).")] = None,
    n_bits: Annotated[int, Opt(help="Bits for the parity dataset.")] = 3,
    samples: Annotated[int, Opt(help="Points for the 2-D clouds.")] = 200,
    noise: Annotated[float | None, Opt(help="Noise for the 2-D clouds.")] = None,
    data_seed: Annotated[int, Opt(help="Seed of the generated dataset.")] = 0,
    json_out: Annotated[bool, Opt("--json", help="Print one JSON document instead.")] = False,
):
    """Decide exactly whether a line (hyperplane) separates the 1s from the 0s."""
    options.check_count("--n-bits", n_bits)
    options.check_count("--samples", samples)
    options.check_count("--data-seed", data_seed, low=0)
    X, y, data_name = options.load_data(dataset, csv, target, n_bits, samples, noise, data_seed)
    result = separable.decide(X, y, name=_display_name(data_name, dataset, n_bits))
    if json_out:
        render.print_json({
            "dataset": data_name,
            "linearly_separable": result.linearly_separable,
            "w": result.w, "b": result.b, "margin": result.margin,
            "equation": separable.equation(result.w, result.b) if result.w is not None else None,
            "best_correct": result.best_correct, "best_accuracy": result.best_accuracy,
            "n_samples": result.n_samples, "n_features": result.n_features,
            "explanation": result.explanation,
        })
        return
    render.console().print(result.explanation, markup=False)


def _display_name(data_name, dataset, n_bits):
    """How the sentence names the data: "AND", "XOR", "3-bit parity", "the moons data"."""
    if dataset is None:
        return "XOR" if data_name == "xor" else f"the data in {data_name}"  # --csv
    key = data_name.strip().lower().replace("_", "-")
    by_column = {column: gate for gate, column in datasets.GATE_COLUMNS.items()}
    if key in datasets.GATE_COLUMNS or key in by_column:
        return by_column.get(key, key).upper()
    if len(key) == 4 and set(key) <= {"0", "1"}:
        return f'the function "{key}"'
    if key == "parity":
        return f"{n_bits}-bit parity"
    return f"the {key} data"
