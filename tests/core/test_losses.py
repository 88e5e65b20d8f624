"""Tests for xornet.core.losses: values worked by hand, gradients against finite differences."""

import math
import warnings

import numpy as np
import pytest

from xornet.core import activations, losses
from xornet.errors import XornetError


def _numeric_gradient(value, y_hat, y, h=1e-6):
    """Central finite differences of value(ŷ, y) with respect to every element of ŷ."""
    grad = np.empty_like(y_hat)
    for idx in np.ndindex(y_hat.shape):
        up, down = y_hat.copy(), y_hat.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (value(up, y) - value(down, y)) / (2 * h)
    return grad


# ---------------------------------------------------------------- values worked by hand

Y_HAT = np.array([[0.8], [0.3], [0.5]])
Y = np.array([[1.0], [0.0], [1.0]])
# ŷ − y = −0.2, 0.3, −0.5;  squares 0.04, 0.09, 0.25;  sum 0.38


def test_mse_is_the_mean_square_without_a_half():
    assert losses.get("mse").value(Y_HAT, Y) == pytest.approx(0.38 / 3, rel=1e-15)  # 0.12666…


def test_mse_of_one_sample_is_the_plain_square():
    # (0.7 − 1)² = 0.09: no ½ in front
    assert losses.get("mse").value(np.array([[0.7]]), np.array([[1.0]])) == pytest.approx(
        0.09, rel=1e-14
    )


def test_mse_means_over_every_element_of_a_multi_output_batch():
    y_hat = np.array([[0.0, 1.0], [2.0, 3.0]])
    y = np.zeros((2, 2))
    assert losses.get("mse").value(y_hat, y) == 3.5  # (0 + 1 + 4 + 9) / 4


def test_sse_is_half_the_sum_of_squares_over_the_batch():
    assert losses.get("sse").value(Y_HAT, Y) == pytest.approx(0.19, rel=1e-15)  # ½ · 0.38


def test_bce_worked_by_hand():
    y_hat = np.array([[0.8], [0.3]])
    y = np.array([[1.0], [0.0]])
    # −(ln 0.8 + ln 0.7) / 2 = (0.2231435513142098 + 0.35667494393873245) / 2
    expected = 0.28990924762647110
    assert losses.get("bce").value(y_hat, y) == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2, rel=1e-15)


def test_bce_of_a_perfect_prediction_is_zero_and_of_a_coin_is_ln2():
    y = np.array([[0.0], [1.0]])
    assert losses.get("bce").value(np.array([[0.5], [0.5]]), y) == pytest.approx(math.log(2))
    assert losses.get("bce").value(y.copy(), y) < 1e-15


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("name", ["mse", "sse", "bce"])
def test_gradient_matches_central_finite_differences(name):
    rng = np.random.default_rng(11)
    y_hat = rng.uniform(0.05, 0.95, size=(4, 2))
    y = rng.integers(0, 2, size=(4, 2)).astype(float)
    loss = losses.get(name)
    np.testing.assert_allclose(
        loss.gradient(y_hat, y), _numeric_gradient(loss.value, y_hat, y), rtol=1e-6, atol=1e-9
    )


@pytest.mark.parametrize("name", ["mse", "sse"])
def test_gradient_matches_finite_differences_for_real_valued_targets(name):
    rng = np.random.default_rng(12)
    y_hat = rng.normal(size=(5, 3))
    y = rng.normal(size=(5, 3))
    loss = losses.get(name)
    np.testing.assert_allclose(
        loss.gradient(y_hat, y), _numeric_gradient(loss.value, y_hat, y), rtol=1e-6, atol=1e-9
    )


def test_sse_gradient_is_exactly_the_error():
    rng = np.random.default_rng(3)
    y_hat, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    np.testing.assert_array_equal(losses.get("sse").gradient(y_hat, y), y_hat - y)


def test_mse_gradient_worked_by_hand():
    # 2/n · (ŷ − y) with n = 3: (2/3)·(−0.2, 0.3, −0.5)
    expected = np.array([[-0.4 / 3], [0.2], [-1.0 / 3]])
    np.testing.assert_allclose(losses.get("mse").gradient(Y_HAT, Y), expected, rtol=1e-14)


def test_bce_through_a_sigmoid_gives_the_error_over_n():
    # Known result: for ŷ = σ(z), ∂bce/∂z = (ŷ − y)/n, because σ′ = ŷ(1 − ŷ) cancels.
    rng = np.random.default_rng(5)
    y_hat = rng.uniform(0.01, 0.99, size=(4, 1))
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    dz = losses.get("bce").gradient(y_hat, y) * y_hat * (1 - y_hat)
    np.testing.assert_allclose(dz, (y_hat - y) / 4, rtol=1e-12)


def test_call_returns_value_and_gradient():
    loss = losses.get("sse")
    value, grad = loss(Y_HAT, Y)
    assert value == loss.value(Y_HAT, Y)
    np.testing.assert_array_equal(grad, Y_HAT - Y)


@pytest.mark.parametrize("name", ["mse", "sse", "bce"])
def test_fast_path_agrees_with_the_plain_value_and_gradient(name):
    # a loss may compute value and gradient in one pass for the training loop; it must give
    # the same numbers as the two plain functions
    rng = np.random.default_rng(21)
    y_hat = rng.uniform(0.05, 0.95, size=(7, 3))
    y = rng.integers(0, 2, size=(7, 3)).astype(float)
    loss = losses.get(name)
    value, grad = loss(y_hat, y)
    assert value == pytest.approx(loss.value(y_hat, y), rel=1e-14)
    np.testing.assert_allclose(grad, loss.gradient(y_hat, y), rtol=1e-14, atol=0)


# ---------------------------------------------------------------- bce at the edges


def test_bce_is_finite_when_predictions_are_exactly_zero_or_one():
    y_hat = np.array([[0.0], [1.0], [0.0], [1.0]])
    y = np.array([[1.0], [0.0], [0.0], [1.0]])
    loss = losses.get("bce")
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        value, grad = loss(y_hat, y)
    assert math.isfinite(value)
    assert np.all(np.isfinite(grad))
    # ŷ is kept ε = 2⁻⁵² from the edge, so a confidently wrong row costs −ln ε = 52·ln 2
    # = 36.04365338911715 and a confidently right one ~ε: mean ≈ 2·36.04365 / 4
    assert value == pytest.approx(2 * 52 * math.log(2) / 4, rel=1e-12)
    assert np.sign(grad).ravel().tolist() == [-1.0, 1.0, 1.0, -1.0]  # pushes ŷ towards y


def test_bce_of_saturated_sigmoid_outputs_is_finite():
    sigmoid = activations.get("sigmoid")
    y_hat = sigmoid(np.array([[-1000.0], [1000.0]]))  # exactly 0 and 1
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        value = losses.get("bce").value(y_hat, np.array([[1.0], [0.0]]))
    assert value == pytest.approx(52 * math.log(2), rel=1e-12)


# ---------------------------------------------------------------- registry


def test_registry_holds_the_three_losses_of_the_spec():
    assert set(losses.NAMES) == {"mse", "sse", "bce"}
    assert losses.get("mse").combine == "mean"
    assert losses.get("sse").combine == "sum"


@pytest.mark.parametrize("bad", ["mae", "MSE", None, ["mse"]])
def test_unknown_name_raises_xornet_error_listing_every_valid_name(bad):
    with pytest.raises(XornetError) as info:
        losses.get(bad)
    for name in ("mse", "sse", "bce"):
        assert name in str(info.value)
