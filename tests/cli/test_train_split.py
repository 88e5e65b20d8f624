"""``xornet train --test-split S --patience P``: the held-out rows on the command line.

Oracles: the saved model read back with ``xornet.load`` and the data split again with the
library function give the test loss (bce written out here) and both accuracies the command
printed and put in its JSON; the curves in the JSON against the restored epoch; every mistake
is one error line and exit code 2; every line fits 80 and 100 columns.
"""

import json

import numpy as np
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import xornet
from xornet.cli import app
from xornet.io import datasets

runner = CliRunner()
MOONS = ["--dataset", "moons", "--noise", "0.2", "--hidden", "8", "--activation", "tanh",
         "--no-early-stop", "--epochs", "3000", "--lr", "0.5"]


def _bce(p, y):
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def _accuracy(p, y):
    return float(np.mean((p >= 0.5) == (y == 1.0)))


@pytest.fixture(scope="module")
def moons_run(tmp_path_factory):
    model = tmp_path_factory.mktemp("split") / "moons.json"
    args = ["train", *MOONS, "--test-split", "0.3", "--patience", "100", "--data-seed", "4",
            "--save", str(model)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    text = runner.invoke(app, args, env={"COLUMNS": "100"})
    assert text.exit_code == 0, text.output
    return json.loads(result.stdout), text.output, xornet.load(model)


def _split_again():
    X, y = datasets.load("moons", noise=0.2, seed=4)
    return datasets.train_test_split(X, y, 0.3, seed=4)


def test_the_json_numbers_are_those_of_the_saved_model_on_the_same_split(moons_run):
    doc, _, net = moons_run
    X_train, y_train, X_test, y_test = _split_again()
    assert doc["test_split"] == 0.3
    assert (doc["train"]["rows"], doc["test"]["rows"]) == (140, 60)
    assert (net.training["test_split"], net.training["data_seed"]) == (0.3, 4)
    for part, (X, y) in (("train", (X_train, y_train)), ("test", (X_test, y_test))):
        p = net.predict(X)
        assert doc[part]["loss"] == pytest.approx(_bce(p, y), rel=1e-9)
        assert doc[part]["accuracy"] == _accuracy(p, y)
        assert doc[part]["max_error"] == pytest.approx(float(np.max(np.abs(p - y))))


def test_the_json_curves_show_where_early_stopping_stopped_and_what_it_restored(moons_run):
    doc, _, _ = moons_run
    assert doc["stop_reason"] == "early stopping" and doc["restored"]
    best, epochs = doc["best_epoch"], doc["epochs"]
    assert epochs - best == 100  # the patience
    test_curve = dict(map(tuple, doc["test_loss_curve"]))
    assert test_curve[best] == pytest.approx(doc["test"]["loss"], rel=1e-9)  # restored
    assert min(test_curve.values()) == test_curve[best]
    assert max(test_curve) == epochs == doc["loss_curve"][-1][0]
    train_curve = dict(map(tuple, doc["loss_curve"]))
    assert train_curve[best] == pytest.approx(doc["train"]["loss"], rel=1e-9)
    accuracy = dict(map(tuple, doc["test_accuracy_curve"]))
    assert accuracy[best] == doc["test"]["accuracy"]
    assert [e for e, _ in doc["accuracy_curve"]] == [e for e, _ in doc["loss_curve"]]


def test_the_summary_prints_both_parts_and_the_restored_epoch(moons_run):
    doc, text, _ = moons_run
    lines = text.splitlines()
    train = next(line for line in lines if line.startswith("train "))
    test = next(line for line in lines if line.startswith("test "))
    assert train.startswith("train 140 rows, loss ") and test.startswith("test   60 rows, ")
    assert f"accuracy {doc['train']['accuracy']:.1%}" in train
    assert f"accuracy {doc['test']['accuracy']:.1%}" in test
    assert f"(epoch {doc['best_epoch']})" in text
    assert f"early stopping: weights of epoch {doc['best_epoch']} restored" in text


@pytest.mark.parametrize("width", [80, 100])
def test_the_split_output_fits_the_terminal(width):
    args = ["train", *MOONS, "--test-split", "0.3", "--patience", "100"]
    result = runner.invoke(app, args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    wide = [line for line in result.output.splitlines() if cell_len(line) > width]
    assert not wide
    summary = next(line for line in result.output.splitlines() if " epochs, " in line)
    assert summary.endswith(" ms")  # the summary line was not wrapped


def test_csv_data_can_be_split(tmp_path):
    rows = "\n".join(f"{a},{b},{int(a > b)}" for a, b in np.random.default_rng(0).random((20, 2)))
    path = tmp_path / "rows.csv"
    path.write_text("a,b,y\n" + rows + "\n", encoding="utf-8")
    result = runner.invoke(app, ["train", "--csv", str(path), "--test-split", "0.25",
                                 "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["train"]["rows"], doc["test"]["rows"]) == (15, 5)
    assert len(doc["test_loss_curve"]) == len(doc["loss_curve"])


def test_a_run_without_a_split_has_accuracy_per_epoch_and_no_test_keys():
    result = runner.invoke(app, ["train", "--json"])
    doc = json.loads(result.stdout)
    assert "test" not in doc and "test_loss_curve" not in doc
    assert doc["accuracy_curve"][-1] == [doc["epochs"], 1.0]  # solved XOR: every row right


@pytest.mark.parametrize(("args", "says"), [
    (["--test-split", "0.3"], "--test-split: xor is a truth table"),
    (["--dataset", "0110", "--test-split", "0.3"], "--test-split: 0110 is a truth table"),
    (["--dataset", "parity", "--test-split", "0.3"], "--test-split: parity is a truth table"),
    (["--dataset", "moons", "--test-split", "1"], "--test-split: received 1.0"),
    (["--dataset", "moons", "--test-split", "nan"], "--test-split: expected a finite number"),
    (["--dataset", "moons", "--patience", "10"], "--patience: early stopping watches"),
    (["--dataset", "moons", "--test-split", "0.3", "--patience", "0"], "--patience"),
    (["--dataset", "moons", "--samples", "1", "--test-split", "0.5"], "leaves no row"),
])
def test_mistakes_are_one_line_and_exit_2(args, says):
    result = runner.invoke(app, ["train", *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("xornet: error: ")
    assert says in result.stderr
