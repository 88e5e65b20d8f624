"""Tests for xornet.core.activations: each value against a direct formula, each derivative against
central finite differences of the value."""

import math
import warnings

import numpy as np
import pytest

from xornet.core import activations
from xornet.errors import XornetError

DIFFERENTIABLE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]

# moderate net inputs, none near 0 so the ReLU kink is never straddled by a finite difference
Z = np.array([-6.0, -3.7, -2.0, -1.25, -0.5, -0.1, 0.1, 0.3, 0.9, 1.6, 2.5, 4.2, 6.0])


def _direct(name, z):
    """The textbook formula, one Python float at a time (no NumPy in the maths)."""
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    if name == "tanh":
        return (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z))
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z > 0 else 0.01 * z
    if name == "linear":
        return z
    if name == "step":
        return 1.0 if z >= 0 else 0.0
    raise AssertionError(name)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("name", [*DIFFERENTIABLE, "step"])
def test_value_matches_the_direct_formula(name):
    f = activations.get(name)
    expected = np.array([_direct(name, float(z)) for z in Z])
    np.testing.assert_allclose(f(Z), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", [*DIFFERENTIABLE, "step"])
def test_value_is_elementwise_and_keeps_the_shape(name):
    f = activations.get(name)
    z = Z[:12].reshape(4, 3)
    out = f(z)
    assert out.shape == (4, 3)
    np.testing.assert_array_equal(out.ravel(), f(Z[:12]))


def test_values_worked_by_hand():
    assert activations.get("sigmoid")(np.array(0.0)) == 0.5  # 1 / (1 + e^0) = 1/2
    assert activations.get("tanh")(np.array(0.0)) == 0.0
    # 1 / (1 + e^-2) = 0.8807970779778823
    assert activations.get("sigmoid")(np.array(2.0)) == pytest.approx(0.8807970779778823, 1e-15)
    assert activations.get("relu")(np.array([-3.0, 0.0, 2.5])).tolist() == [0.0, 0.0, 2.5]
    leaky = activations.get("leaky_relu")(np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_allclose(leaky, [-0.02, 0.0, 3.0], rtol=1e-15)  # 0.01 · −2 = −0.02
    assert activations.get("linear")(np.array([-1.5, 4.0])).tolist() == [-1.5, 4.0]


def test_step_is_one_at_zero_and_zero_just_below():
    step = activations.get("step")
    assert step(np.array([0.0, -0.0, 1e-300, -1e-300, -5.0, 5.0])).tolist() == [
        1.0, 1.0, 1.0, 0.0, 0.0, 1.0,
    ]


@pytest.mark.parametrize("z, expected", [(1000.0, 1.0), (-1000.0, 0.0), (800.0, 1.0),
                                         (-800.0, 0.0)])
def test_sigmoid_saturates_exactly_without_any_warning(z, expected):
    sigmoid = activations.get("sigmoid")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = sigmoid(np.array([z]))
        d = sigmoid.derivative(np.array([z]), a)
    assert a[0] == expected
    assert d[0] == 0.0  # a·(1 − a) with a exactly 0 or 1


def test_tanh_saturates_exactly_without_any_warning():
    tanh = activations.get("tanh")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = tanh(np.array([-1000.0, 1000.0]))
    assert a.tolist() == [-1.0, 1.0]


# ---------------------------------------------------------------- derivatives


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_derivative_matches_central_finite_differences(name):
    f = activations.get(name)
    h = 1e-6
    numeric = (f(Z + h) - f(Z - h)) / (2 * h)
    analytic = f.derivative(Z, f(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_derivatives_worked_by_hand():
    sig = activations.get("sigmoid")
    assert sig.derivative(np.array(0.0), sig(np.array(0.0))) == 0.25  # ½ · (1 − ½)
    tanh = activations.get("tanh")
    assert tanh.derivative(np.array(0.0), tanh(np.array(0.0))) == 1.0  # 1 − 0²
    z = np.array([-2.0, 3.0])
    leaky = activations.get("leaky_relu")
    np.testing.assert_array_equal(leaky.derivative(z, leaky(z)), [0.01, 1.0])
    lin = activations.get("linear")
    np.testing.assert_array_equal(lin.derivative(z, lin(z)), [1.0, 1.0])


def test_relu_derivative_is_exactly_zero_at_zero():
    relu = activations.get("relu")
    z = np.array([-1.0, 0.0, -0.0, 1e-300, 2.0])
    assert relu.derivative(z, relu(z)).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_step_has_no_derivative_and_the_others_do():
    assert not activations.get("step").differentiable
    assert activations.get("step").derivative is None
    for name in DIFFERENTIABLE:
        assert activations.get(name).differentiable, name


# ---------------------------------------------------------------- registry


def test_registry_holds_exactly_the_six_activations_of_the_spec():
    assert set(activations.NAMES) == {*DIFFERENTIABLE, "step"}
    for name in activations.NAMES:
        assert activations.get(name).name == name


@pytest.mark.parametrize("bad", ["softmax", "Sigmoid", "", None, 3, ["relu"]])
def test_unknown_name_raises_xornet_error_listing_every_valid_name(bad):
    with pytest.raises(XornetError) as info:
        activations.get(bad)
    message = str(info.value)
    assert repr(bad) in message
    for name in [*DIFFERENTIABLE, "step"]:
        assert name in message


def test_threshold_is_the_middle_of_the_range():
    assert activations.get("sigmoid").threshold == 0.5  # (0 + 1) / 2
    assert activations.get("tanh").threshold == 0.0  # (−1 + 1) / 2
