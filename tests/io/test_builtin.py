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
}


def test_every_name_has_an_oracle_and_a_file():
    assert set(builtin.NAMES) == set(ORACLE)
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


@pytest.mark.parametrize("name", list(ORACLE))
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
