"""``xornet landscape`` of models trained with newer settings, and input refused up front.

Oracles: the training rows rebuilt here with ``datasets.load`` and ``train_test_split`` from
the flags the model was trained with, and ``Network.loss`` on them; the record's own
``final_loss``; the expected one-line error and exit code 2, with the run's trainer never
reached (it is replaced by one that fails).
"""

import json

import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app
from xornet.io import datasets

runner = CliRunner()
SPLIT = ["--dataset", "moons", "--samples", "150", "--noise", "0.2", "--data-seed", "4",
         "--test-split", "0.3", "--restarts", "0"]


@pytest.fixture(scope="module")
def split_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("record") / "split.json"
    result = runner.invoke(app, ["train", "-q", *SPLIT, "--save", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_a_split_model_is_looked_at_on_its_training_rows(split_model):
    result = runner.invoke(app, ["landscape", str(split_model), "--json", "--resolution", "5"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    X, y = datasets.load("moons", n_samples=150, noise=0.2, seed=4)
    X_train, y_train, _, _ = datasets.train_test_split(X, y, 0.3, 4)
    net = xornet.load(split_model)
    assert doc["reproduced"] is True and not doc["notes"]
    assert doc["end_loss"] == pytest.approx(net.loss(X_train, y_train, "bce"), rel=1e-12)
    assert doc["end_loss"] == pytest.approx(net.training["final_loss"], rel=1e-9)
    assert doc["dataset"] == f"the {len(y_train)} training rows of moons"


def test_a_split_model_whose_rows_cannot_be_made_again_says_so(split_model, tmp_path):
    doc = json.loads(split_model.read_text())
    for key in ("samples", "noise"):  # as a file saved before they were recorded
        del doc["training"][key]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    result = runner.invoke(app, ["landscape", str(old)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"xornet: error: {old}: the model was "
                                                   "trained on 0.3 of moons held out")
    assert "cannot be made again" in lines[0]


def test_the_summary_names_the_penalty(tmp_path):
    path = tmp_path / "l2.json"
    assert runner.invoke(app, ["train", "-q", "--l2", "0.001", "--seed", "4", "--save",
                               str(path)]).exit_code == 0
    result = runner.invoke(app, ["landscape", str(path), "--resolution", "5"],
                           env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "(bce loss + l2 0.001 penalty, as trained)" in " ".join(result.stdout.split())
    net = xornet.load(path)
    doc = json.loads(runner.invoke(app, ["landscape", str(path), "--json", "--resolution",
                                         "5"]).stdout)
    assert doc["penalty"] == {"l2": 0.001, "l1": 0.0}
    assert doc["end_loss"] == pytest.approx(net.training["final_loss"], rel=1e-9)


@pytest.mark.parametrize(("args", "start"), [
    (["-", "--csv", "-"], "--csv: standard input is already read by MODEL"),
    (["--span", "1e-300"], "--span: expected a number from 1e-06 to 100"),
    (["--out", "-"], "--out: '-' is not a picture file"),
])
def test_refused_before_any_training(args, start, monkeypatch):
    from xornet.train import config

    def no_training(*_, **__):
        raise AssertionError("trained before the input was checked")

    monkeypatch.setattr(config, "run", no_training)
    result = runner.invoke(app, ["landscape", *args], input="")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"xornet: error: {start}"), result.output
