"""Numbers that are not results: an output that overflows float64 is reported in one
sentence (exit 2), never printed as inf or nan, and NumPy's warnings never leak.

Oracle: a relu → linear network whose output is worked by hand (1e300 · 1e300 overflows
float64, whose largest number is about 1.8e308)."""

import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app
from xornet.core.network import require_finite
from xornet.errors import XornetError


@pytest.fixture
def huge(tmp_path):
    net = xornet.Network.from_weights([[[1e300, 1.0], [1.0, 1.0]], [[1e300], [1.0]]],
                                      biases=[[0.0, 0.0], [0.0]], activations=["relu", "linear"])
    path = tmp_path / "huge.json"
    net.save(path)
    return net, str(path)


def test_predict_overflows_to_inf_without_a_warning(huge):
    net, _ = huge
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked RuntimeWarning fails the test
        out = net.predict([[1.0, 0.0], [0.0, 1.0]])
    # row (1, 0): h1 = relu(1e300) = 1e300, ŷ = 1e300 · 1e300 = inf; row (0, 1): h1 = 1, h2 = 1,
    # ŷ = 1 · 1e300 + 1 · 1 = 1e300 (finite)
    assert out[0, 0] == np.inf and out[1, 0] == 1e300


@pytest.mark.parametrize("args", [["predict", "{model}", "1", "0"], ["explain", "{model}"],
                                  ["explain", "{model}", "--input", "1,0", "--target", "1"]])
def test_the_commands_say_overflow_instead_of_printing_inf(huge, args):
    _, model = huge
    result = CliRunner().invoke(app, [a.format(model=model) for a in args])
    assert result.exit_code == 2, result.output
    assert "overflow" in result.output and result.output.count("\n") == 1
    assert "inf" not in result.output.replace("float64 (they reach inf or nan)", "")


def test_a_finite_row_still_predicts(huge):
    _, model = huge
    result = CliRunner().invoke(app, ["predict", model, "0", "1"])
    assert result.exit_code == 0 and "1e+300" in result.output


def test_require_finite():
    values = np.array([1.0, -2.0])
    assert require_finite(values, "x") is values
    for bad in (np.inf, -np.inf, np.nan):
        with pytest.raises(XornetError, match=r"^x: the numbers overflow"):
            require_finite(np.array([1.0, bad]), "x")
