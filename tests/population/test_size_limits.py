"""Work too large for this tool is refused before anything is allocated, with one sentence
that says how much it would need (oracles: the counts worked by hand)."""

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import xornet
from xornet.core import network
from xornet.errors import XornetError
from xornet.io import modeldoc
from xornet.population import setup
from xornet.population.trainer import train_population
from xornet.train.config import RunConfig

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_the_memory_estimate_worked_by_hand():
    # 10 networks of 9 parameters on 4 samples with 3 + 1 units:
    # 8 bytes × 10 × (6·9 + 4·4·4) + 64 × 10 = 80 × (54 + 64) + 640 = 10,080
    assert setup.estimated_bytes(10, 9, 4, 4) == 10_080


def test_a_billion_networks_are_refused_before_any_allocation():
    tracemalloc.start()
    with pytest.raises(XornetError) as e:
        train_population(RunConfig(hidden=(3,)), X, Y, 10**9)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20  # not the 8 GB of a seed list, nor the 4 TB of the networks
    # 2-3-1 with bias has 13 parameters: 8·10⁹·(6·13 + 4·4·4) + 64·10⁹ bytes ≈ 1,118 GB
    assert "1,000,000,000 networks of 13 parameters" in str(e.value)
    assert f"{setup.estimated_bytes(10**9, 13, 4, 4) / 2**30:,.1f} GB" in str(e.value)


def test_the_sweep_command_says_it_in_one_line():
    out = subprocess.run([sys.executable, "-m", "xornet", "sweep", "--seeds", "1000000000"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "GB" in out.stderr and "at most about" in out.stderr


def test_a_network_over_the_parameter_limit_is_refused_before_allocating():
    # 2-4096-4096-1 with biases: (2·4096 + 4096) + (4096·4096 + 4096) + (4096·1 + 1) = 16,797,697
    with pytest.raises(XornetError, match="16,797,697 parameters"):
        xornet.Network([2, 4096, 4096, 1])
    out = subprocess.run([sys.executable, "-m", "xornet", "train", "--hidden", "4096,4096"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "16,797,697 parameters" in out.stderr


def test_the_model_file_limits_are_the_networks():
    # whatever the network allows can be read, and nothing larger
    assert modeldoc.MAX_PARAMETERS == network.MAX_PARAMETERS
    assert modeldoc.MAX_WIDTH == network.MAX_UNITS


def test_show_summarises_a_layer_too_large_to_list(tmp_path):
    from typer.testing import CliRunner

    from xornet.cli import app

    net = xornet.Network([2, 60, 60, 1], seed=0)  # layer 2 has 3,600 weights: summarised
    path = tmp_path / "m.json"
    net.save(path)
    result = CliRunner().invoke(app, ["show", str(path)], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    W2 = net.weights[1]
    assert "3,600 weights, too many to list" in result.output
    assert f"min {W2.min():.4g}" in result.output and f"max {W2.max():.4g}" in result.output
    assert "from h1_1" not in result.output  # layer 2 is not listed ...
    assert "from x1" in result.output and "h1_60" in result.output  # ... layer 1 is
