"""`xornet train --from MODEL`: training starts from a model file's network and weights.

The oracle is ``Network.fit`` on the same weights, loaded from the same file in Python.
"""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app


def invoke(*args):
    return CliRunner().invoke(app, ["train", *args])


@pytest.fixture
def start(tmp_path):
    """A 2-2-1 network trained a little (not solved), saved: the weights to start from."""
    path = tmp_path / "start.json"
    result = invoke("--preset", "bias-2-2-1", "--epochs", "50", "--save", str(path), "-q")
    assert result.exit_code == 0, result.output
    return path


def test_train_from_a_model_is_network_fit_from_its_weights(start, xor):
    X, y = xor
    result = invoke("--from", str(start), "--loss", "mse", "--lr", "2", "--momentum", "0",
                    "--epochs", "300", "--no-early-stop", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    net = xornet.load(start)
    history = net.fit(X, y, epochs=300, lr=2.0, loss="mse")
    assert doc["epochs"] == 300 and doc["final_loss"] == history.final_loss
    for got, want in zip(doc["weights"] + doc["biases"], net.weights + net.biases, strict=True):
        assert np.asarray(got).tobytes() == want.tobytes()  # the same bits
    assert doc["config"]["hidden"] == [2] and doc["network"] == repr(net)


def test_train_from_with_a_preset_trains_with_its_settings(tmp_path, xor):
    # the preset's training settings (here: the script's update order), the file's network
    X, y = xor
    path = tmp_path / "linear.json"
    xornet.Network([2, 3, 1], activation="sigmoid", output_activation="linear", bias=False,
                   init="uniform01", seed=5).save(path)
    result = invoke("--from", str(path), "--preset", "classic-linear-out", "--epochs", "200",
                    "--json")
    assert result.exit_code == 0, result.output
    net = xornet.load(path)
    net.fit(X, y, epochs=200, lr=0.1, loss="sse", update_order="script")
    assert np.asarray(json.loads(result.stdout)["weights"][0]).tobytes() == \
        net.weights[0].tobytes()


def test_the_saved_model_says_where_training_started(start, tmp_path):
    out = tmp_path / "out.json"
    assert invoke("--from", str(start), "--epochs", "5", "--save", str(out), "-q").exit_code == 0
    training = json.loads(out.read_text())["training"]
    assert training["start"] == str(start) and training["init"] == "given"


@pytest.mark.parametrize("flag", [["--hidden", "3"], ["--activation", "tanh"],
                                  ["--output-activation", "linear"], ["--no-bias"],
                                  ["--init", "he"]])
def test_a_flag_that_changes_the_network_conflicts_with_from(start, flag):
    result = invoke("--from", str(start), *flag)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "--from" in message and "leave" in message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


def test_from_a_file_whose_inputs_do_not_fit_the_data_says_so(start):
    result = invoke("--from", "builtin:worked-2-2-2")  # 2 outputs, XOR has 1 target
    assert result.exit_code == 2 and "y: targets have shape (4, 1)" in result.stderr
