"""What `xornet train` adds after a run: the logic lens, the single-layer note, the doctor;
and `xornet show` on a network whose hidden layers are all linear."""

import json

import numpy as np
from typer.testing import CliRunner

import xornet
from xornet.cli import app


def train_json(*args):
    result = CliRunner().invoke(app, ["train", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_single_layer_on_xor_explains_why_and_is_diagnosed():
    doc = train_json("--hidden", "none", "--dataset", "xor", "--epochs", "300")
    assert doc["solved"] is False
    assert "3 of 4" in doc["single_layer_note"]  # the best a single line can do on XOR
    assert "stuck-output" in {d["code"] for d in doc["diagnoses"]}


def test_single_layer_learns_and_without_a_note():
    doc = train_json("--hidden", "none", "--dataset", "and")
    assert doc["solved"] is True
    assert doc["single_layer_note"] is None and doc["diagnoses"] == []
    # an independent check: every row's output is on the right side of 0.5
    assert all((r["output"][0] > 0.5) == (r["target"][0] == 1.0) for r in doc["rows"])


def test_perceptron_sets_up_a_step_layer_and_stops_on_xor():
    doc = train_json("--optimizer", "perceptron", "--dataset", "xor")
    assert doc["config"]["hidden"] == [] and doc["config"]["output_activation"] == "step"
    assert doc["solved"] is False and "no line" in doc["single_layer_note"]
    doc = train_json("--optimizer", "perceptron", "--dataset", "or")
    assert doc["solved"] is True
    assert [r["output"][0] for r in doc["rows"]] == [0.0, 1.0, 1.0, 1.0]  # OR, row by row


def test_lens_after_a_solved_2_2_1_run_composes_to_xor():
    doc = train_json("--hidden", "2", "--seed", "0")
    assert doc["solved"] is True
    out = doc["logic"]["layers"][-1][0]
    assert out["composed_function"] == "XOR" and out["composed"] == "0110"
    # compose by hand: apply the output's table over (h1, h2) to the hidden units' tables
    h1, h2 = (u["table"] for u in doc["logic"]["layers"][0])
    over = out["over_previous"]  # rows (h1, h2) = 00, 01, 10, 11
    composed = "".join(over[2 * int(a) + int(b)] for a, b in zip(h1, h2, strict=True))
    assert composed == "0110"


def test_plateau_run_gets_a_diagnosis_with_a_suggestion():
    doc = train_json("--hidden", "2", "--activation", "sigmoid", "--init", "uniform01",
                     "--loss", "mse", "--optimizer", "sgd", "--lr", "2", "--epochs", "3000",
                     "--seed", "3", "--no-early-stop")
    assert doc["solved"] is False
    codes = {d["code"]: d for d in doc["diagnoses"]}
    assert "plateau-3-of-4" in codes and "seed" in codes["plateau-3-of-4"]["suggestion"]


def test_show_says_a_linear_network_collapses(tmp_path):
    W1, b1 = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([0.5, 0.0])
    W2, b2 = np.array([[2.0], [1.0]]), np.array([-1.0])
    net = xornet.Network.from_weights([W1, W2], [b1, b2], ["linear", "sigmoid"])
    path = tmp_path / "linear.json"
    net.save(str(path))
    result = CliRunner().invoke(app, ["show", str(path), "--json"])
    note = json.loads(result.stdout)["collapse"]
    # worked by hand: W = W1·W2 = [[1·2 + 2·1], [3·2 − 1·1]] = [[4], [5]],
    # b = b1·W2 + b2 = 0.5·2 + 0·1 − 1 = 0
    assert "[[4], [5]]" in note.replace(".0", "") and "in disguise" in note
