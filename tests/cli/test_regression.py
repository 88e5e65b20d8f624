"""Regression from the command line: ``--dataset sine`` runs a regression set-up that fits,
the user's flags still win, and bce on targets outside [0, 1] is one error line.

Oracles: the saved model's own forward pass (``xornet.load``) against sin(x) for the fit;
the README's recipe run as written; the CSV's targets (5, −3, 0.5) for the range the error
names.
"""

import json

import numpy as np
from typer.testing import CliRunner

import xornet
from xornet.cli import app

runner = CliRunner()


def test_sine_defaults_to_a_linear_output_and_mse_and_fits(tmp_path):
    path = tmp_path / "sine.json"
    result = runner.invoke(app, ["train", "--dataset", "sine", "--json", "--save", str(path)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["config"]["output_activation"] == "linear" and doc["config"]["loss"] == "mse"
    assert doc["solved"]
    net = xornet.load(path)
    x = np.linspace(-np.pi, np.pi, 200)[:, None]  # the sine dataset's points
    assert np.max(np.abs(net.predict(x) - np.sin(x))) <= 0.1  # the fit, by the model itself
    assert min(v for _, v in doc["loss_curve"]) >= 0  # a squared error is never negative


def test_flags_and_presets_override_the_regression_defaults():
    result = runner.invoke(app, ["train", "--dataset", "sine", "--json", "--lr", "0.1",
                                 "--hidden", "8", "--epochs", "10"])
    config = json.loads(result.stdout)["config"]
    assert (config["lr"], config["hidden"], config["epochs"]) == (0.1, [8], 10)
    assert config["loss"] == "mse"  # not given: still the regression run's
    preset = runner.invoke(app, ["train", "--dataset", "sine", "--json", "--preset",
                                 "classic-linear-out", "--epochs", "10"])
    assert json.loads(preset.stdout)["config"]["loss"] == "sse"  # the preset's, as named
    xor = runner.invoke(app, ["train", "--json"])
    assert json.loads(xor.stdout)["config"]["output_activation"] == "sigmoid"  # XOR unchanged


def test_the_readme_sine_recipe_solves(tmp_path):
    result = runner.invoke(app, ["train", "--dataset", "sine", "--plot", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert ", solved at epoch " in result.output
    assert (tmp_path / "loss.png").stat().st_size > 0 and (tmp_path / "fit.png").exists()


def test_bce_on_regression_targets_is_one_error_line_naming_the_fix(tmp_path):
    csv = tmp_path / "reg.csv"
    csv.write_text("x,y\n0,5\n1,-3\n2,0.5\n", encoding="utf-8")
    for args in (["--csv", str(csv)], ["--dataset", "sine", "--loss", "bce"]):
        result = runner.invoke(app, ["train", *args])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("xornet: error: loss: bce needs targets")
        assert "mse" in lines[0]
        assert result.stdout == ""
    assert "from -3 to 5" in runner.invoke(app, ["train", "--csv", str(csv)]).stderr
