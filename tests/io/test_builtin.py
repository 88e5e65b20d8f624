"""Tests for the hand-built networks shipped as builtin:NAME.

The oracle is Python's own boolean arithmetic on 0/1 ints (``a & b``, ``a | b``, ``a ^ b``),
evaluated on every row written out with itertools, never xornet's datasets.
"""

import itertools
import json
from importlib import resources

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
import xornet.cli.logic  # registers check/logic/builtins on the app
from xornet.cli import app
from xornet.io import builtin

ROWS = list(itertools.product([0, 1], repeat=2))  # (0,0), (0,1), (1,0), (1,1)

ORACLE = {
    "and-step": lambda a, b: a & b,
    "or-step": lambda a, b: a | b,
    "nand-step": lambda a, b: 1 - (a & b),
    "nor-step": lambda a, b: 1 - (a | b),
    "not-a-step": lambda a, b: 1 - a,
    "xor-step": lambda a, b: a ^ b,
    "xor-or-nand": lambda a, b: a ^ b,
    "xnor-step": lambda a, b: 1 - (a ^ b),
    "and-drawn": lambda a, b: a & b,
    "or-drawn": lambda a, b: a | b,
    "xor-drawn": lambda a, b: a ^ b,
}
# The networks drawn as the tutorials draw them: no bias, units that fire above 0.5.
DRAWN = ("and-drawn", "or-drawn", "xor-drawn")
# Not a truth table: the starting weights of a worked example (tests/explain/test_explain.py).
WORKED = ("worked-2-2-2",)


def test_every_name_has_an_oracle_and_a_file():
    assert set(builtin.NAMES) == set(ORACLE) | set(WORKED)
    shipped = {p.name.removesuffix(".json")
               for p in (resources.files("xornet.io") / "handbuilt").iterdir()
               if p.name.endswith(".json")}
    assert shipped == set(builtin.NAMES)


@pytest.mark.parametrize("name", list(ORACLE))
def test_builtin_network_computes_its_truth_table_on_every_row(name):
    net = xornet.load(f"builtin:{name}")
    assert set(net.activations) == {"step"}
    got = net.predict(np.array(ROWS, dtype=float))[:, 0]
    assert got.tolist() == [float(ORACLE[name](a, b)) for a, b in ROWS]


@pytest.mark.parametrize("name", [n for n in ORACLE if n not in DRAWN])
def test_no_net_input_sits_on_the_step_edge(name):
    # step(0) = 1 is a convention; a hand-built network should never depend on it, so every
    # net input of every unit is at least half a unit away from 0 (worked out by hand).
    net = xornet.load(f"builtin:{name}")
    a = np.array(ROWS, dtype=float)
    for W, b in zip(net.weights, net.biases, strict=True):
        z = a @ W + b
        assert np.all(np.abs(z) >= 0.5)
        a = (z >= 0).astype(float)


@pytest.mark.parametrize("name", list(ORACLE))
def test_recorded_dataset_is_the_same_truth_table(name):
    net = xornet.load(f"builtin:{name}")
    X, y = xornet.datasets.load(net.training["dataset"])
    assert X.tolist() == [[float(a), float(b)] for a, b in ROWS]
    assert y[:, 0].tolist() == [float(ORACLE[name](a, b)) for a, b in ROWS]


@pytest.mark.parametrize("name", DRAWN)
def test_a_drawn_network_is_as_drawn_no_bias_and_units_that_fire_above_one_half(name):
    net = xornet.load(f"builtin:{name}")
    assert net.biases is None
    for layer in net.layers:
        assert (layer.activation.theta, layer.activation.strict) == (0.5, True)
    # the oracle for one unit: fires exactly when Σ x·w > 0.5, computed here by hand
    a = np.array(ROWS, dtype=float)
    for W in net.weights:
        a = (a @ W > 0.5).astype(float)
    assert a[:, 0].tolist() == [float(ORACLE[name](x1, x2)) for x1, x2 in ROWS]


def test_the_drawn_and_needs_the_strict_comparison():
    # one input alone gives the drawn AND exactly 0.5: "fires from 0.5" would make it OR, and
    # so does the direct translation into the step with a bias (fires at z ≥ 0, bias −0.5)
    drawn = xornet.load("builtin:and-drawn")
    X = np.array(ROWS, dtype=float)
    assert (X @ drawn.weights[0])[:, 0].tolist() == [0.0, 0.5, 0.5, 1.0]
    as_step = xornet.Network.from_weights(drawn.weights, [[-0.5]], ["step"])
    assert as_step.predict(X)[:, 0].tolist() == [0.0, 1.0, 1.0, 1.0]  # OR, not AND
    from_half = xornet.Network.from_weights(
        drawn.weights, None, [{"name": "step", "theta": 0.5, "strict": False}])
    assert from_half.predict(X)[:, 0].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert drawn.predict(X)[:, 0].tolist() == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("name", DRAWN)
def test_xornet_check_passes_every_drawn_network(name):
    result = CliRunner().invoke(app, ["check", f"builtin:{name}", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


def test_a_drawn_network_saves_and_loads_with_its_threshold(tmp_path):
    net = xornet.load("builtin:xor-drawn")
    net.save(tmp_path / "xor.json")
    doc = json.loads((tmp_path / "xor.json").read_text())
    assert doc["activations"] == [{"name": "step", "theta": 0.5, "strict": True}] * 2
    again = xornet.load(tmp_path / "xor.json")
    X = np.array(ROWS, dtype=float)
    assert again.predict(X).tolist() == net.predict(X).tolist()


def test_the_worked_example_is_the_published_start():
    # Mazur's figure: w1..w4 = .15 .20 .25 .30, w5..w8 = .40 .45 .50 .55, b1 = .35, b2 = .60
    net = xornet.load("builtin:worked-2-2-2")
    (W1, W2), (b1, b2) = net.weights, net.biases
    w = [W1[0, 0], W1[1, 0], W1[0, 1], W1[1, 1], W2[0, 0], W2[1, 0], W2[0, 1], W2[1, 1]]
    assert w == [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    assert b1.tolist() == [0.35, 0.35] and b2.tolist() == [0.60, 0.60]
    assert net.activations == ["sigmoid", "sigmoid"]


def test_the_two_xor_networks_are_built_differently():
    classic, or_nand = xornet.load("builtin:xor-step"), xornet.load("builtin:xor-or-nand")
    assert not np.array_equal(classic.params, or_nand.params)


def test_describe_gives_every_network_a_description():
    rows = builtin.describe()
    assert [name for name, _ in rows] == [f"builtin:{n}" for n in builtin.NAMES]
    assert all(len(text) > 20 for _, text in rows)


def test_resolve_leaves_ordinary_paths_alone(tmp_path):
    path = str(tmp_path / "model.json")
    assert builtin.resolve(path) == path
    assert builtin.resolve("xor-step") == "xor-step"  # only the prefix selects a builtin


def test_unknown_builtin_lists_the_names():
    with pytest.raises(xornet.XornetError) as info:
        xornet.load("builtin:xor-magic")
    message = str(info.value)
    assert "xor-magic" in message
    assert all(f"builtin:{n}" in message for n in builtin.NAMES)


def test_builtins_command_lists_every_network_as_json():
    result = CliRunner().invoke(app, ["builtins", "--json"])
    assert result.exit_code == 0
    assert [r["name"] for r in json.loads(result.stdout)] == [
        f"builtin:{n}" for n in builtin.NAMES]


def test_unknown_builtin_on_the_command_line_is_one_line_and_exit_2():
    result = CliRunner().invoke(app, ["logic", "builtin:nope"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "builtin:xor-step" in result.stderr
