"""`--lr 0.5,2`, `--l2`, `--l1` and `--lr-schedule` on the command line.

Oracles: the library run of the RunConfig the flags describe (its own numbers are checked
against a plain-NumPy trainer in tests/train/test_regularise.py), the penalty of the printed
weights computed here, and the saved model file read back.
"""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app
from xornet.io import datasets
from xornet.train.config import RunConfig, run

runner = CliRunner()
X, Y = datasets.load("xor")
FLAGS = ["--lr", "0.5,4", "--l2", "0.001", "--l1", "0.0002", "--lr-schedule", "step:40:0.5",
         "--epochs", "300"]


def _ok(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _user_error(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and result.stdout == ""
    return lines[0]


def test_train_flags_make_the_run_the_library_makes(tmp_path):
    path = tmp_path / "m.json"
    doc = json.loads(_ok("train", *FLAGS, "--json", "--save", path).stdout)
    cfg = doc["config"]
    assert (cfg["lr"], cfg["l2"], cfg["l1"], cfg["lr_schedule"]) == \
        ([0.5, 4.0], 0.001, 0.0002, "step:40:0.5")
    net, history = run(RunConfig(lr=(0.5, 4.0), l2=0.001, l1=0.0002,
                                 lr_schedule="step:40:0.5", epochs=300), X, Y)
    assert doc["final_loss"] == history.final_loss
    np.testing.assert_array_equal(np.array(doc["weights"][1]), net.weights[1])
    saved = xornet.load(path)
    assert saved.training["lr"] == [0.5, 4.0]
    assert (saved.training["l2"], saved.training["l1"], saved.training["lr_schedule"]) == \
        (0.001, 0.0002, "step:40:0.5")
    # the final loss includes the penalty of the final weights
    w = np.concatenate([W.ravel() for W in saved.weights])
    penalty = 0.0005 * w @ w + 0.0002 * np.abs(w).sum()
    assert doc["final_loss"] == pytest.approx(saved.loss(X, Y, "bce") + penalty, rel=1e-12)


def test_train_says_which_schedule_and_penalty_it_used():
    out = _ok("train", *FLAGS).stdout
    assert "lr=0.5,4" in out
    assert "lr schedule step:40:0.5; penalty l2=0.001 l1=0.0002 on the weights (in the loss)" \
        in out
    plain = _ok("train").stdout
    assert "penalty" not in plain and "schedule" not in plain


def test_explain_of_a_saved_model_uses_its_rates_and_penalty(tmp_path):
    path = tmp_path / "m.json"
    _ok("train", *FLAGS, "--quiet", "--save", path)
    step = json.loads(_ok("explain", path, "--input", "1,1", "--target", "0",
                          "--json").stdout)
    assert step["layer_lrs"] == [0.5, 4.0] and (step["l2"], step["l1"]) == (0.001, 0.0002)
    net = xornet.load(path)
    w = np.concatenate([W.ravel() for W in net.weights])
    assert step["loss"]["penalty"] == pytest.approx(0.0005 * w @ w + 0.0002 * np.abs(w).sum(),
                                                    rel=1e-12)
    text = _ok("explain", path, "--input", "1,1", "--target", "0").stdout
    assert "α1 = 0.5, α2 = 4" in text
    assert "∂E_total/∂w2 = ∂E/∂w2 + λ2·w + λ1·sign(w)" in text
    assert "E_total = E + penalty" in text
    # a flag wins over the file
    again = json.loads(_ok("explain", path, "--input", "1,1", "--target", "0", "--lr", "2",
                           "--l2", "0", "--json").stdout)
    assert again["layer_lrs"] == [2.0, 2.0] and again["l2"] == 0.0 and again["l1"] == 0.0002


def test_explain_states_the_scheduled_lr():
    step = json.loads(_ok("explain", "--lr", "2", "--lr-schedule", "exp:0.5", "--at-epoch",
                          "3", "--json").stdout)
    assert step["lr_factor"] == 0.125 and step["layer_lrs"] == [0.25, 0.25]
    text = _ok("explain", "--lr", "2", "--lr-schedule", "exp:0.5", "--at-epoch", "3").stdout
    assert "the lr schedule exp:0.5 at epoch 3: lr × 0.125" in text  # one lr, not per layer
    assert "each layer" not in text
    assert "with α = 0.25" in text
    text = _ok("explain", "--lr", "2,4", "--lr-schedule", "exp:0.5", "--at-epoch", "3").stdout
    assert "the lr schedule exp:0.5 at epoch 3: each layer's lr × 0.125" in text
    assert "α1 = 0.25, α2 = 0.5" in text


@pytest.mark.parametrize("args, fragment", [
    (["train", "--lr", "0.5,2,3"], "--lr: 3 learning rates given for a network of 2 weight"),
    (["train", "--lr", "0.5,"], "--lr: '' is not a learning rate"),
    (["train", "--lr", "0,2"], "--lr: '0' is not a learning rate"),
    (["train", "--l2", "-1"], "--l2: expected a finite number ≥ 0"),
    (["train", "--l1", "nan"], "--l1: expected a finite number ≥ 0"),
    (["train", "--lr-schedule", "weekly"], "--lr-schedule: 'weekly' is not a schedule"),
    (["train", "--lr-schedule", "exp:2"], "--lr-schedule: in 'exp:2' G = '2' must be"),
    (["train", "--optimizer", "perceptron", "--l2", "0.1"], "--l2: the perceptron rule"),
    (["explain", "--lr", "1,2,3"], "--lr: 3 learning rates"),
    (["explain", "--at-epoch", "-1"], "--at-epoch"),
    (["doctor", "--seeds", "3", "--lr-schedule", "nope"], "--lr-schedule: 'nope'"),
])
def test_bad_values_are_one_line(args, fragment):
    assert fragment in _user_error(*args)


def test_help_says_what_the_comma_list_means():
    out = " ".join(_ok("train", "--help").stdout.replace("│", " ").split())  # unwrap the box
    assert "gives each weight layer its own" in out
    for flag in ("--l2", "--l1", "--lr-schedule"):
        assert flag in out


def test_the_doctor_advises_a_tenth_of_each_layers_rate():
    doc = json.loads(_ok("doctor", "--lr", "500,800", "--momentum", "0.99", "--loss", "mse",
                         "--output-activation", "linear", "--json").stdout)
    diverged = next(d for d in doc["diagnoses"] if d["code"] == "diverged")
    assert diverged["changes"] == [{"lr": [50.0, 80.0]}]
    assert "--lr 50,80, a tenth of 500,800" in diverged["suggestion"]
