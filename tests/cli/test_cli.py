"""The ``xornet`` command line, driven through typer's CliRunner (and once in a subprocess).

Oracles: numbers printed by the CLI are checked against the saved model file read back with
``xornet.load`` and against a forward pass, losses and gradient steps written out by hand
below; the preset settings against the table in PRODUCT.md; the data against truth tables
written here. Every user mistake must give exactly one "error" line and exit code 2.
"""

import itertools
import json
import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app
from xornet.train import config, presets, restarts

# --- oracles written out by hand -------------------------------------------------------

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # truth-table rows
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

ACTIVATIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
}

LOSSES = {  # PRODUCT.md: mse has no ½; sse = ½·Σ over the batch; bce = cross-entropy
    "mse": lambda p, y: np.mean((p - y) ** 2),
    "sse": lambda p, y: 0.5 * np.sum((p - y) ** 2),
    "bce": lambda p, y: -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)),
}

# PRODUCT.md "Presets" table; bias-2-2-1's α and epochs are "chosen by us", so not listed.
PRESET_TABLE = {
    "classic": dict(hidden=[3], activation="sigmoid", output_activation="sigmoid",
                    bias=False, init="uniform01", loss="sse", lr=1.0, batch_size=None,
                    epochs=60000),
    "classic-linear-out": dict(hidden=[3], activation="sigmoid", output_activation="linear",
                               bias=False, init="uniform01", loss="sse", lr=0.1,
                               batch_size=None, epochs=20000),
    "relu-online": dict(hidden=[3], activation="relu", output_activation="linear",
                        bias=False, init="uniform", loss="sse", lr=0.2, batch_size=1,
                        shuffle=False, epochs=60),
    "bias-2-2-1": dict(hidden=[2], activation="sigmoid", output_activation="sigmoid",
                       bias=True, init="uniform01", loss="mse", batch_size=None),
}

DATASET_NAMES = ["and", "or", "nand", "nor", "xor", "xnor", "parity", "sine", "xor-cloud",
                 "circles", "moons", "spiral", "gaussians"]

GATES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "nor": [1, 0, 0, 0],
         "xnor": [1, 0, 0, 1], "0110": [0, 1, 1, 0]}


def forward(doc, X):
    """The forward pass of a model file's JSON document, f(x·W + b) layer by layer."""
    a = np.asarray(X, dtype=float)
    for k, W in enumerate(doc["weights"]):
        z = a @ np.array(W, dtype=float)
        if doc["biases"] is not None:
            z = z + np.array(doc["biases"][k], dtype=float)
        a = ACTIVATIONS[doc["activations"][k]](z)
    return a


def read_doc(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sse_grads(W1, b1, W2, b2, X, y):
    """Gradients of ½·Σ(ŷ − y)² for a tanh → sigmoid net, by the chain rule."""
    h = np.tanh(X @ W1 + b1)  # (n, hidden)
    o = sigmoid(h @ W2 + b2)  # (n, 1)
    d_o = (o - y) * o * (1.0 - o)  # ∂E/∂net_out
    d_h = (d_o @ W2.T) * (1.0 - h * h)  # ∂E/∂net_hidden
    return X.T @ d_h, d_h.sum(axis=0), h.T @ d_o, d_o.sum(axis=0)


# --- running the CLI ---------------------------------------------------------------------

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def run_ok(*args):
    result = run(*args)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def run_json(*args):
    result = run_ok(*args, "--json")
    return json.loads(result.stdout)  # the whole of stdout is one JSON document


def assert_user_error(result, *fragments):
    """Exit 2, one line containing "error" on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0].lower()
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A default XOR model saved by ``xornet train --save``."""
    path = tmp_path_factory.mktemp("model") / "xor.json"
    run_ok("train", "--save", path, "--quiet")
    return path


# --- xornet train: the default run -------------------------------------------------------

TABLE_ROW = re.compile(r"│\s*([01]) ([01])\s*│\s*([01])\s*│\s*([-0-9.]+)\s*│\s*([01])\s*│\s*([✓✗])")


def table_rows(output):
    return [m.groups() for m in TABLE_ROW.finditer(output)]


def test_train_default_prints_truth_table_epochs_loss_and_solved(tmp_path):
    path = tmp_path / "m.json"
    result = run_ok("train", "--save", path)
    rows = table_rows(result.stdout)
    assert [(a, b, t) for a, b, t, *_ in rows] == [
        ("0", "0", "0"), ("0", "1", "1"), ("1", "0", "1"), ("1", "1", "0")]
    outputs = xornet.load(path).predict(X4)[:, 0]
    for (_, _, target, shown, rounded, mark), out in zip(rows, outputs, strict=True):
        assert float(shown) == pytest.approx(out, abs=5.1e-5)  # printed with 4 decimals
        assert rounded == str(round(float(out)))
        assert mark == ("✓" if abs(out - float(target)) <= 0.1 else "✗")
    assert [r[-1] for r in rows] == ["✓"] * 4
    doc = read_doc(path)
    epochs = doc["training"]["epochs"]
    assert re.search(rf"\b{epochs} epochs\b", result.stdout)
    assert "final loss" in result.stdout
    loss = LOSSES["bce"](forward(doc, X4), XOR_Y)
    shown = re.search(r"final loss ([-0-9.e]+)", result.stdout).group(1)
    assert float(shown) == pytest.approx(loss, rel=1e-5)  # printed with 6 digits
    assert "solved" in result.stdout and "not solved" not in result.stdout


def test_train_marks_rows_outside_tolerance_with_a_cross(tmp_path):
    # A perceptron cannot learn XOR: some rows must be ✗, exactly those more than 0.1 off.
    path = tmp_path / "p.json"
    result = run_ok("train", "--hidden", "none", "--epochs", 50, "--save", path)
    outputs = xornet.load(path).predict(X4)[:, 0]
    marks = [r[-1] for r in table_rows(result.stdout)]
    expected = ["✓" if abs(o - t) <= 0.1 else "✗" for o, t in zip(outputs, XOR_Y[:, 0],
                                                                  strict=True)]
    assert marks == expected
    assert "✗" in marks
    assert "not solved" in result.stdout


def test_train_json_is_one_document_checked_against_the_saved_model(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json("train", "--save", path)
    file_doc = read_doc(path)
    net = xornet.load(path)
    by_library = net.predict(X4)
    by_hand = forward(file_doc, X4)

    assert [r["inputs"] for r in doc["rows"]] == X4.tolist()
    assert [r["target"] for r in doc["rows"]] == XOR_Y.tolist()
    outputs = np.array([r["output"] for r in doc["rows"]])
    np.testing.assert_allclose(outputs, by_library, rtol=1e-12, atol=0)
    np.testing.assert_allclose(outputs, by_hand, rtol=1e-9, atol=1e-12)
    assert [r["ok"] for r in doc["rows"]] == [bool(abs(o - t) <= 0.1) for o, t in
                                             zip(outputs[:, 0], XOR_Y[:, 0], strict=True)]
    assert doc["solved"] is True
    assert doc["config"]["loss"] == "bce"
    assert doc["final_loss"] == pytest.approx(LOSSES["bce"](by_hand, XOR_Y), rel=1e-9)
    assert doc["epochs"] == file_doc["training"]["epochs"]
    assert doc["loss_curve"][-1] == [doc["epochs"], doc["final_loss"]]
    assert len(doc["weights"]) == 2  # 2-2-1: two weight matrices
    for shown, saved in zip(doc["weights"], file_doc["weights"], strict=True):
        assert shown == saved


# --- presets -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PRESET_TABLE))
def test_preset_runs_the_settings_of_the_product_table(tmp_path, name):
    path = tmp_path / "m.json"
    doc = run_json("train", "--preset", name, "--save", path)
    expected = PRESET_TABLE[name]
    assert {k: doc["config"][k] for k in expected} == expected
    assert doc["config"]["optimizer"] == "sgd"  # plain gradient descent with α
    assert doc["config"]["momentum"] == 0
    if "epochs" in expected:  # fixed-length runs: no early stop
        assert doc["epochs"] == expected["epochs"]
    file_doc = read_doc(path)
    assert file_doc["sizes"] == [2, *expected["hidden"], 1]
    assert file_doc["activations"] == [expected["activation"], expected["output_activation"]]
    assert (file_doc["biases"] is not None) == expected["bias"]
    recomputed = LOSSES[expected["loss"]](forward(file_doc, X4), XOR_Y)
    assert doc["final_loss"] == pytest.approx(recomputed, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("name", "low"), [("classic", 0.0), ("relu-online", -1.0)])
def test_preset_initial_weights_come_from_its_range(tmp_path, name, low):
    # A step with α = 1e-300 cannot move a weight of this size: the file holds the init.
    path = tmp_path / "m.json"
    run_ok("train", "--preset", name, "--epochs", 1, "--lr", 1e-300, "--save", path, "-q")
    W = np.concatenate([np.ravel(w) for w in read_doc(path)["weights"]])
    assert np.all((low <= W) & (W < 1.0))
    assert (W < 0).any() == (low < 0)


def test_flags_override_a_preset():
    doc = run_json("train", "--preset", "classic", "--epochs", 100)
    assert doc["epochs"] == 100
    assert doc["config"]["epochs"] == 100
    assert {k: doc["config"][k] for k in ("lr", "loss", "bias", "init")} == {
        "lr": 1.0, "loss": "sse", "bias": False, "init": "uniform01"}
    doc = run_json("train", "--preset", "relu-online", "--lr", 0.05, "--bias")
    assert doc["config"]["lr"] == 0.05 and doc["config"]["bias"] is True
    assert doc["config"]["activation"] == "relu" and doc["epochs"] == 60


SHARED_RUN_FLAGS = {  # command → the flags of `xornet train` it takes for its run
    "doctor": ["preset", "hidden", "activation", "output_activation", "bias", "init", "loss",
               "optimizer", "momentum", "lr", "epochs", "batch_size", "shuffle", "tolerance",
               "early_stop", "target_loss"],  # --seed has doctor's own help (with --seeds)
    "animate": ["preset", "hidden", "lr", "seed", "target_loss"],
    "explain": ["preset", "hidden", "activation", "output_activation", "bias", "init", "loss",
                "lr", "seed"],
    "sweep": ["preset", "bias", "momentum", "epochs", "shuffle", "tolerance", "early_stop",
              "target_loss"],  # its grid axes (--hidden, --lr, ...) take lists instead
}


@pytest.mark.parametrize("command", sorted(SHARED_RUN_FLAGS))
def test_commands_that_describe_a_run_share_trains_declarations(command):
    import typer.main

    commands = typer.main.get_command(app).commands
    options = {name: {p.name: p for p in commands[name].params} for name in ("train", command)}
    for name in SHARED_RUN_FLAGS[command]:
        mine, train = options[command][name], options["train"][name]
        assert (mine.opts, mine.secondary_opts, mine.help, mine.default) == (
            train.opts, train.secondary_opts, train.help, train.default), name


# --- architecture and training flags ---------------------------------------------------

def test_hidden_4_4_builds_two_hidden_layers(tmp_path):
    path = tmp_path / "m.json"
    run_ok("train", "--hidden", "4,4", "--save", path, "-q")
    doc = read_doc(path)
    assert doc["sizes"] == [2, 4, 4, 1]
    assert [np.shape(w) for w in doc["weights"]] == [(2, 4), (4, 4), (4, 1)]


def test_hidden_none_builds_a_perceptron(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json("train", "--hidden", "none", "--dataset", "and", "--save", path)
    assert doc["config"]["hidden"] == []
    assert read_doc(path)["sizes"] == [2, 1]
    assert doc["solved"] is True  # AND is linearly separable


def test_no_bias_saves_a_model_without_biases(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json("train", "--no-bias", "--epochs", 20, "--save", path)
    assert doc["config"]["bias"] is False
    assert doc["biases"] is None
    file_doc = read_doc(path)
    assert file_doc["biases"] is None
    assert doc["final_loss"] == pytest.approx(LOSSES["bce"](forward(file_doc, X4), XOR_Y),
                                              rel=1e-9)


def test_activation_relu_is_used_by_the_hidden_layer(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json("train", "--activation", "relu", "--save", path)
    file_doc = read_doc(path)
    assert file_doc["activations"] == ["relu", "sigmoid"]
    outputs = np.array([r["output"] for r in doc["rows"]])
    np.testing.assert_allclose(outputs, forward(file_doc, X4), rtol=1e-9, atol=1e-12)


def test_init_zeros_keeps_hidden_units_identical(tmp_path):
    # The symmetry problem: from all-zero weights every hidden unit gets the same gradient,
    # so after any number of epochs the units are still copies of each other.
    path = tmp_path / "m.json"
    # (AND, not XOR: on XOR the zero net's output gradient sums to exactly 0 and nothing moves)
    doc = run_json("train", "--init", "zeros", "--activation", "sigmoid", "--dataset", "and",
                   "--epochs", 30, "--no-early-stop", "--save", path)
    assert doc["config"]["init"] == "zeros"
    W1, W2 = (np.array(w) for w in read_doc(path)["weights"])
    assert np.all(W1[:, :1] == W1)  # every column (unit) equal
    assert np.all(W2[0] == W2)  # every unit's outgoing weight equal
    assert np.any(W2 != 0.0)  # and yet training did change them


def test_loss_sse_is_half_the_sum_of_squares(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json("train", "--loss", "sse", "--save", path)
    assert doc["config"]["loss"] == "sse"
    p = forward(read_doc(path), X4)
    assert doc["final_loss"] == pytest.approx(0.5 * np.sum((p - XOR_Y) ** 2), rel=1e-9)


def _init_weights(seed):
    net = xornet.Network([2, 3, 1], activation="tanh", output_activation="sigmoid",
                         bias=True, init="uniform", seed=seed)
    return [np.array(a) for a in (net.weights[0], net.biases[0], net.weights[1],
                                  net.biases[1])]


SGD_FLAGS = ("train", "--hidden", 3, "--activation", "tanh", "--output-activation", "sigmoid",
             "--init", "uniform", "--loss", "sse", "--optimizer", "sgd", "--lr", 0.5,
             "--no-early-stop", "--seed", 4)


def _saved_params(path):
    doc = read_doc(path)
    return [np.array(doc["weights"][0]), np.array(doc["biases"][0]),
            np.array(doc["weights"][1]), np.array(doc["biases"][1])]


def test_sgd_momentum_matches_two_hand_computed_steps(tmp_path):
    # v ← μ·v − α·g, θ ← θ + v: after two full-batch steps θ2 = θ1 − α·(g1 + μ·g0).
    path = tmp_path / "m.json"
    doc = run_json(*SGD_FLAGS, "--momentum", 0.9, "--epochs", 2, "--save", path)
    assert (doc["config"]["optimizer"], doc["config"]["momentum"]) == ("sgd", 0.9)
    theta = _init_weights(4)
    velocity = [np.zeros_like(p) for p in theta]
    for _ in range(2):
        grads = sse_grads(*theta, X4, XOR_Y)
        velocity = [0.9 * v - 0.5 * g for v, g in zip(velocity, grads, strict=True)]
        theta = [p + v for p, v in zip(theta, velocity, strict=True)]
    for got, want in zip(_saved_params(path), theta, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


def _online_epoch(theta, order):
    for i in order:
        grads = sse_grads(*theta, X4[[i]], XOR_Y[[i]])
        theta = [p - 0.5 * g for p, g in zip(theta, grads, strict=True)]
    return theta


def _close(a, b):
    return all(np.allclose(x, y, rtol=1e-10, atol=1e-13) for x, y in zip(a, b, strict=True))


def test_batch_size_1_updates_once_per_sample_in_order(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json(*SGD_FLAGS, "--batch-size", 1, "--in-order", "--epochs", 1, "--save", path)
    assert (doc["config"]["batch_size"], doc["config"]["shuffle"]) == (1, False)
    assert _close(_saved_params(path), _online_epoch(_init_weights(4), [0, 1, 2, 3]))


def test_batch_size_1_shuffle_visits_the_samples_in_some_permutation(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json(*SGD_FLAGS, "--batch-size", 1, "--shuffle", "--epochs", 2, "--save", path)
    assert (doc["config"]["batch_size"], doc["config"]["shuffle"]) == (1, True)
    got = _saved_params(path)
    theta0 = _init_weights(4)
    orders = [order for order in itertools.product(itertools.permutations(range(4)), repeat=2)
              if _close(got, _online_epoch(_online_epoch(theta0, order[0]), order[1]))]
    assert orders, "the weights are not the result of two online epochs"


def test_full_batch_makes_one_update_per_epoch(tmp_path):
    path = tmp_path / "m.json"
    run_ok(*SGD_FLAGS, "--epochs", 1, "--save", path, "-q")
    theta = _init_weights(4)
    grads = sse_grads(*theta, X4, XOR_Y)
    assert _close(_saved_params(path), [p - 0.5 * g for p, g in zip(theta, grads, strict=True)])


def test_seed_same_gives_identical_files_different_gives_different_weights(tmp_path):
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    for path, seed in ((a, 7), (b, 7), (c, 8)):
        run_ok("train", "--seed", seed, "--save", path, "-q")
    assert a.read_bytes() == b.read_bytes()
    assert read_doc(a)["weights"] != read_doc(c)["weights"]
    assert read_doc(c)["training"]["seed"] == 8


def test_tolerance_decides_the_check_marks_and_solved():
    # stopping on the tolerance alone (waiting for crisp hidden units would hide it)
    loose = run_json("train", "--tolerance", 0.45, "--no-until-crisp")
    strict = run_json("train", "--tolerance", 0.1, "--no-until-crisp")
    assert loose["config"]["tolerance"] == 0.45
    for doc, tol in ((loose, 0.45), (strict, 0.1)):
        outputs = [r["output"][0] for r in doc["rows"]]
        assert [r["ok"] for r in doc["rows"]] == [abs(o - t) <= tol for o, t in
                                                 zip(outputs, XOR_Y[:, 0], strict=True)]
        assert doc["solved"] is True
    # every epoch solved at 0.1 is solved at 0.45, so the looser run stops no later; for this
    # seed strictly sooner, which shows the flag is not ignored
    assert loose["epochs"] < strict["epochs"]
    tiny = run_json("train", "--tolerance", 1e-9, "--epochs", 30)
    assert tiny["solved"] is False and tiny["epochs"] == 30


def test_no_early_stop_runs_exactly_the_epochs_asked():
    doc = run_json("train", "--no-early-stop", "--epochs", 50)
    assert doc["epochs"] == 50
    assert [e for e, _ in doc["loss_curve"]] == list(range(51))  # losses after 0..50 epochs
    assert doc["config"]["stop_when_solved"] is False


def test_target_loss_stops_at_the_first_epoch_at_or_below_it(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json("train", "--target-loss", 0.3, "--no-early-stop", "--save", path)
    losses = [loss for _, loss in doc["loss_curve"]]
    assert [e for e, _ in doc["loss_curve"]] == list(range(doc["epochs"] + 1))
    assert losses[-1] <= 0.3 < min(losses[:-1])
    assert doc["final_loss"] == pytest.approx(LOSSES["bce"](forward(read_doc(path), X4),
                                                            XOR_Y), rel=1e-9)


def test_quiet_prints_one_summary_line():
    result = run_ok("train", "--quiet")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    assert "epochs" in lines[0] and "final loss" in lines[0] and "solved" in lines[0]


# --- datasets ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(GATES))
def test_gate_datasets_train_on_their_truth_table(tmp_path, name):
    path = tmp_path / "m.json"
    doc = run_json("train", "--dataset", name, "--save", path)
    assert [r["inputs"] for r in doc["rows"]] == X4.tolist()
    assert [r["target"] for r in doc["rows"]] == [[float(t)] for t in GATES[name]]
    outputs = np.array([r["output"] for r in doc["rows"]])
    np.testing.assert_allclose(outputs, xornet.load(path).predict(X4), rtol=1e-12)
    assert doc["solved"] is True


def test_parity_has_every_row_of_n_bits(tmp_path):
    path = tmp_path / "m.json"
    doc = run_json("train", "--dataset", "parity", "--n-bits", 3, "--hidden", 6, "--save", path)
    bits = [list(map(float, row)) for row in itertools.product([0, 1], repeat=3)]
    assert sorted(r["inputs"] for r in doc["rows"]) == bits
    for r in doc["rows"]:
        assert r["target"] == [float(sum(r["inputs"]) % 2)]
    assert read_doc(path)["sizes"][0] == 3
    inputs = np.array([r["inputs"] for r in doc["rows"]])
    outputs = np.array([r["output"] for r in doc["rows"]])
    np.testing.assert_allclose(outputs, xornet.load(path).predict(inputs), rtol=1e-12)


SINE = ("train", "--dataset", "sine", "--hidden", 8, "--activation", "tanh",
        "--output-activation", "linear", "--loss", "mse", "--lr", 0.1)


def test_sine_prints_metrics_instead_of_a_truth_table(tmp_path):
    path = tmp_path / "m.json"
    result = run_ok(*SINE, "--save", path)
    assert "✓" not in result.stdout and "Truth table" not in result.stdout
    x = np.linspace(-np.pi, np.pi, 200)[:, None]  # documented: 200 points over [-π, π]
    p = forward(read_doc(path), x)
    assert "200 samples" in result.stdout
    rmse = float(re.search(r"RMSE ([-0-9.e]+)", result.stdout).group(1))
    assert rmse == pytest.approx(np.sqrt(np.mean((p - np.sin(x)) ** 2)), rel=1e-3)
    doc = run_json(*SINE)
    assert "rows" not in doc
    assert doc["final_loss"] == pytest.approx(LOSSES["mse"](p, np.sin(x)), rel=1e-9)


@pytest.mark.parametrize("name", ["xor-cloud", "circles", "moons", "spiral", "gaussians"])
def test_2d_clouds_train_and_report_accuracy(tmp_path, name):
    path = tmp_path / "m.json"
    doc = run_json("train", "--dataset", name, "--samples", 24, "--epochs", 20, "--save", path)
    inputs = np.array([r["inputs"] for r in doc["rows"]])
    targets = np.array([r["target"] for r in doc["rows"]])
    outputs = np.array([r["output"] for r in doc["rows"]])
    assert inputs.shape == (24, 2)
    assert set(targets.ravel()) == {0.0, 1.0}
    np.testing.assert_allclose(outputs, xornet.load(path).predict(inputs), rtol=1e-12)
    assert doc["accuracy"] == pytest.approx(np.mean((outputs >= 0.5) == (targets == 1.0)))


def test_a_large_cloud_prints_a_metrics_summary():
    result = run_ok("train", "--dataset", "xor-cloud", "--epochs", 20)
    assert "✓" not in result.stdout
    assert "200 samples" in result.stdout and "accuracy" in result.stdout


def test_csv_with_header_trains_on_its_rows(tmp_path):
    csv = tmp_path / "xor.csv"
    csv.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
    doc = run_json("train", "--csv", csv)
    assert "xor.csv" in doc["dataset"]
    assert [r["inputs"] for r in doc["rows"]] == X4.tolist()
    assert [r["target"] for r in doc["rows"]] == XOR_Y.tolist()
    assert doc["solved"] is True


def test_csv_target_picks_the_named_column(tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("a,label,b\n0,0,0\n0,1,1\n1,1,0\n1,0,1\n", encoding="utf-8")
    path = tmp_path / "m.json"
    doc = run_json("train", "--csv", csv, "--target", "label", "--save", path)
    assert [r["inputs"] for r in doc["rows"]] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert [r["target"] for r in doc["rows"]] == [[0], [1], [1], [0]]
    assert read_doc(path)["sizes"][0] == 2


# --- predict, show, datasets -------------------------------------------------------------

def test_predict_prints_the_models_output(model):
    net = xornet.load(model)
    for x in X4:
        result = run_ok("predict", model, *(f"{v:g}" for v in x))
        shown = float(re.search(r"→\s*([-0-9.e]+)", result.stdout).group(1))
        assert shown == pytest.approx(net.predict(x[None, :])[0, 0], abs=5.1e-7)
    by_hand = forward(read_doc(model), X4)
    assert net.predict(X4) == pytest.approx(by_hand, rel=1e-9)


def test_predict_json(model):
    doc = run_json("predict", model, "1", "0")
    assert doc["inputs"] == [[1.0, 0.0]]
    np.testing.assert_allclose(doc["outputs"], xornet.load(model).predict([[1.0, 0.0]]),
                               rtol=1e-15)


def test_predict_csv_of_features_only(model, tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("x1,x2\n0,0\n0,1\n1,0\n1,1\n", encoding="utf-8")
    doc = run_json("predict", model, "--csv", csv)
    assert doc["inputs"] == X4.tolist()
    assert "targets" not in doc
    np.testing.assert_allclose(doc["outputs"], xornet.load(model).predict(X4), rtol=1e-15)
    text = run_ok("predict", model, "--csv", csv).stdout
    assert len(re.findall("→", text)) == 4


def test_predict_csv_with_a_target_column(model, tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("x1,x2,y\n1,1,0\n0,1,1\n", encoding="utf-8")
    doc = run_json("predict", model, "--csv", csv)
    assert doc["inputs"] == [[1.0, 1.0], [0.0, 1.0]]
    assert doc["targets"] == [[0.0], [1.0]]
    np.testing.assert_allclose(doc["outputs"], xornet.load(model).predict(X4[[3, 1]]),
                               rtol=1e-15)


@pytest.mark.parametrize("inputs", [["1"], ["1", "0", "1"]])
def test_predict_with_the_wrong_number_of_inputs_names_both_counts(model, inputs):
    message = assert_user_error(run("predict", model, *inputs))
    numbers = re.findall(r"\d+", message.split("error", 1)[1])
    assert str(len(inputs)) in numbers and "2" in numbers


def test_show_prints_every_weight_of_the_file(model):
    result = run_ok("show", model)
    doc = read_doc(model)
    assert "2-2-1" in result.stdout
    for value in np.concatenate([np.ravel(a) for a in doc["weights"] + doc["biases"]]):
        assert f"{value:.6g}" in result.stdout


def test_show_json_weights_equal_the_files(model):
    shown = run_json("show", model)
    doc = read_doc(model)
    assert shown["weights"] == doc["weights"]
    assert shown["biases"] == doc["biases"]
    assert shown["sizes"] == [2, 2, 1]
    assert shown["activations"] == doc["activations"]
    assert shown["parameters"] == 2 * 2 + 2 + 2 * 1 + 1


def test_datasets_lists_every_name_and_each_one_trains():
    text = run_ok("datasets").stdout
    listed = run_json("datasets")
    names = [d["name"] for d in listed]
    assert set(DATASET_NAMES) <= set(names)
    for name in names:
        assert re.search(rf"(?m)^\W*{re.escape(name)}\s", text), name
    assert all(d["description"] for d in listed)
    for name in names:
        run_ok("train", "--dataset", name, "--samples", 8, "--epochs", 1, "-q")


def test_bare_xornet_shows_help_without_an_empty_error():
    result = run()
    assert "train" in result.output and "predict" in result.output
    assert "xornet: error" not in result.output
    assert "Traceback" not in result.output


# --- mistakes: one line, exit code 2 -----------------------------------------------------

TRAIN_MISTAKES = [
    (["--dataset", "nosuch"], ["nosuch", "xor", "parity", "sine", "circles"]),
    (["--activation", "nosuch"], ["nosuch", "sigmoid", "tanh", "relu"]),
    (["--output-activation", "nosuch"], ["sigmoid"]),
    (["--preset", "nosuch"], ["nosuch", "classic", "relu-online", "bias-2-2-1"]),
    (["--init", "nosuch"], ["xavier"]),
    (["--loss", "nosuch"], ["mse", "sse", "bce"]),
    (["--optimizer", "nosuch"], ["sgd", "adam"]),
    (["--hidden", "0"], ["--hidden"]),
    (["--hidden", "abc"], ["--hidden"]),
    (["--hidden", "4,-1"], ["--hidden"]),
    (["--lr", "-1"], ["--lr"]),
    (["--lr", "0"], ["--lr"]),
    (["--lr", "nan"], ["--lr"]),
    (["--lr", "inf"], ["--lr"]),
    (["--lr", "abc"], ["--lr"]),
    (["--epochs", "0"], ["--epochs"]),
    (["--epochs", "1.5"], ["--epochs"]),
    (["--batch-size", "0"], ["--batch-size"]),
    (["--batch-size", "abc"], ["--batch-size"]),
    (["--momentum", "1.5", "--optimizer", "sgd"], ["momentum"]),
    (["--momentum", "0.5", "--optimizer", "adam"], ["momentum"]),
    (["--tolerance", "0"], ["--tolerance"]),
    (["--target-loss", "nan"], ["--target-loss"]),
    (["--seed", "-1"], ["--seed"]),
    (["--dataset", "parity", "--n-bits", "0"], ["--n-bits"]),
    (["--dataset", "sine", "--samples", "0"], ["--samples"]),
    (["--dataset", "sine", "--noise", "-1"], ["noise"]),
    (["--activation", "step"], ["step"]),
    (["--bogus"], ["--bogus"]),
    (["extra-argument"], []),
]


@pytest.mark.parametrize(("args", "fragments"), TRAIN_MISTAKES,
                         ids=[" ".join(args) for args, _ in TRAIN_MISTAKES])
def test_train_mistakes_give_one_error_line(args, fragments):
    assert_user_error(run("train", *args), *fragments)


def test_unknown_command_gives_one_error_line():
    assert_user_error(run("nosuchcommand"), "nosuchcommand")


def _truncated(model, path):
    path.write_bytes(model.read_bytes()[:120])


def _pickle(model, path):
    path.write_bytes(pickle.dumps({"weights": [[1.0, 2.0]]}))


def _binary(model, path):
    path.write_bytes(bytes(range(256)))


def _empty(model, path):
    path.write_bytes(b"")


def _not_a_model(model, path):
    path.write_text('{"weights": [[1, 2]]}', encoding="utf-8")


@pytest.mark.parametrize("command", ["predict", "show"])
@pytest.mark.parametrize("make", [_truncated, _pickle, _binary, _empty, _not_a_model])
def test_corrupt_model_file_gives_one_error_line(model, tmp_path, command, make):
    path = tmp_path / "bad.json"
    make(model, path)
    extra = ["1", "0"] if command == "predict" else []
    assert_user_error(run(command, path, *extra), "bad.json")


@pytest.mark.parametrize("command", ["predict", "show"])
def test_missing_model_or_directory_gives_one_error_line(tmp_path, command):
    extra = ["1", "0"] if command == "predict" else []
    assert_user_error(run(command, tmp_path / "nope.json", *extra), "nope.json")
    assert_user_error(run(command, tmp_path, *extra), str(tmp_path))


def test_predict_mistakes_give_one_error_line(model, tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("x1,x2\n0,1\n", encoding="utf-8")
    assert_user_error(run("predict", model, "1", "abc"), "abc")
    assert_user_error(run("predict", model))
    assert_user_error(run("predict", model, "1", "0", "--csv", csv))
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b,c,d\n0,1,0,1\n", encoding="utf-8")
    message = assert_user_error(run("predict", model, "--csv", wide))
    assert "4" in message and "2" in message
    assert_user_error(run("predict"), "model")


def test_csv_with_a_non_numeric_cell_names_line_and_column(model, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("x1,x2,y\n0,0,0\n0,oops,1\n", encoding="utf-8")
    for result in (run("train", "--csv", csv), run("predict", model, "--csv", csv)):
        message = assert_user_error(result, "bad.csv", "oops")
        assert re.search(r"line 3\b", message) and "x2" in message


def test_csv_mistakes_give_one_error_line(tmp_path):
    csv = tmp_path / "xor.csv"
    csv.write_text("x1,x2,y\n0,0,0\n0,1,1\n", encoding="utf-8")
    assert_user_error(run("train", "--dataset", "xor", "--csv", csv), "--csv")
    assert_user_error(run("train", "--csv", csv, "--target", "nosuch"), "nosuch", "x1")
    assert_user_error(run("train", "--csv", tmp_path / "none.csv"), "none.csv")
    assert_user_error(run("train", "--csv", tmp_path), str(tmp_path))


# --- divergence and saving -------------------------------------------------------------

DIVERGE = ("train", "--dataset", "sine", "--activation", "linear", "--output-activation",
           "linear", "--loss", "sse", "--optimizer", "sgd", "--lr", 1000, "--no-early-stop")


def test_divergence_says_use_a_smaller_learning_rate_and_writes_no_file(tmp_path):
    path = tmp_path / "m.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = assert_user_error(run(*DIVERGE, "--save", path))
    assert "smaller learning rate" in message and "learning rate (lr)" in message
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
    # a NumPy overflow warning would be printed on stderr besides the one error line
    assert [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)] == []


def test_divergence_leaves_an_existing_model_byte_for_byte(model, tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(model.read_bytes())
    before = path.read_bytes()
    assert_user_error(run(*DIVERGE, "--save", path), "smaller learning rate")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_save_replaces_an_existing_file_atomically_with_a_valid_model(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("an older file\n", encoding="utf-8")
    inode = path.stat().st_ino
    doc = run_json("train", "--save", path)
    assert path.stat().st_ino != inode  # a new file renamed over the old, not a rewrite
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]  # no temporary left
    assert read_doc(path)["weights"] == doc["weights"]
    net = xornet.load(path)
    np.testing.assert_allclose(net.predict(X4), [r["output"] for r in doc["rows"]],
                               rtol=1e-12)


def test_save_onto_a_directory_gives_one_error_line(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    assert_user_error(run("train", "--save", folder), "folder")
    assert folder.is_dir() and list(folder.iterdir()) == []


# --- the installed entry point -----------------------------------------------------------

def _env():
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def test_module_and_script_give_the_same_bits_and_help():
    script = Path(sys.executable).parent / "xornet"
    docs = []
    for command in ([sys.executable, "-m", "xornet"], [str(script)]):
        done = subprocess.run([*command, "train", "--json", "--seed", "3"], capture_output=True,
                              encoding="utf-8", env=_env(), timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        docs.append(json.loads(done.stdout))
    assert docs[0]["weights"] == docs[1]["weights"]
    assert docs[0]["biases"] == docs[1]["biases"]
    assert docs[0]["weights"] == run_json("train", "--seed", 3)["weights"]  # any process
    done = subprocess.run([str(script), "--help"], capture_output=True, encoding="utf-8",
                          env=_env(), timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    for command in ("train", "predict", "show", "datasets"):
        assert command in done.stdout


def test_output_into_a_closed_pipe_gives_no_traceback():
    # `xornet datasets | head -1`: the reader goes away; the writer must exit quietly.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([str(Path(sys.executable).parent / "xornet"), "datasets"],
                              stdout=write_end, stderr=subprocess.PIPE, encoding="utf-8",
                              env=_env(), timeout=120, check=False)
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 1, done.stderr


# --- restarts and the lens story of the default run ----------------------------------------

STALLS = 6  # a seed whose first attempt stalls on the 3-of-4 plateau (tests/train/test_restarts)


def test_train_says_when_a_stalled_seed_was_restarted():
    doc = run_json("train", "--seed", STALLS)
    first, second = doc["attempts"]
    assert first["seed"] == STALLS and first["stop_reason"] == "stalled"
    assert first["trap"] == "on the 3-of-4 plateau"
    assert second["seed"] == restarts.restart_seed(STALLS, 1)
    assert second["stop_reason"] == "solved and crisp" and doc["solved"]
    # oracle: the library's run of the derived seed alone gives the same weights
    alone = presets.get("default").with_(seed=second["seed"], restarts=0)
    net, _ = config.run(alone, X4, XOR_Y)
    assert doc["weights"] == [w.tolist() for w in net.weights]
    text = run_ok("train", "--seed", STALLS).stdout
    assert (f"Seed {STALLS} stalled on the 3-of-4 plateau at epoch {first['epochs']}.\n"
            f"Restart 1 (seed {second['seed']}) solved it at epoch {second['solved_epoch']}."
            ) in text


def test_restarts_0_lets_the_stalled_seed_fail_and_the_doctor_name_the_plateau():
    doc = run_json("train", "--seed", STALLS, "--restarts", 0)
    assert not doc["solved"] and [a["seed"] for a in doc["attempts"]] == [STALLS]
    assert doc["config"]["restarts"] == 0
    assert [d["code"] for d in doc["diagnoses"]] == ["plateau-3-of-4"]
    assert "Restart" not in run_ok("train", "--seed", STALLS, "--restarts", 0).stdout


def test_restarts_must_be_a_whole_number():
    assert_user_error(run("train", "--restarts", -1), "--restarts")


def test_the_default_run_prints_the_lens_story_in_100_columns():
    result = runner.invoke(app, ["train"], env={"COLUMNS": "100"})
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    lens = lines[lines.index("Logic lens (`xornet logic MODEL` shows every number):") + 1:]
    # oracle: the lens read here of the same run (seed 0 needs no restart)
    from xornet.explain.logic import lens as read

    net, _ = config.run(presets.get("default"), X4, XOR_Y)
    h1, h2 = read(net, X4).layers[0]
    out = read(net, X4).outputs[0]
    assert lens[0] == f"  h1 ≈ {h1.function}, h2 ≈ {h2.function}"
    assert lens[1].startswith(f"  ŷ ≈ {out.reads_as} = ") and lens[1].rstrip(".").endswith("= XOR")
    assert h1.crisp and h2.crisp and out.agrees
