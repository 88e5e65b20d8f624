"""Tests for xornet.explain.collapse: the collapsed single layer reproduces the network exactly."""

import numpy as np
import pytest

from xornet import Network
from xornet.core import activations
from xornet.explain.collapse import collapse, collapse_sentence


@pytest.mark.parametrize("hidden", [(3,), (4, 2), (3, 5, 2)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("output", ["sigmoid", "linear", "tanh"])
def test_collapsed_weights_reproduce_the_network_on_random_inputs(hidden, bias, output):
    net = Network([2, *hidden, 1], activation="linear", output_activation=output, bias=bias,
                  init="normal", seed=len(hidden))
    W, b = collapse(net)
    assert W.shape == (2, 1) and (b is None) is (not bias)
    X = np.random.default_rng(7).uniform(-3.0, 3.0, size=(200, 2))
    z = X @ W + (b if b is not None else 0.0)
    # oracle: the network's own forward pass, layer by layer
    np.testing.assert_allclose(net.predict(X), activations.get(output).value(z),
                               rtol=0, atol=1e-12)


def test_collapse_of_a_hand_written_network():
    # by hand: W = W1·W2 = [[1·1 + 2·1], [3·1 + 4·1]] = [[3], [7]],
    #          b = b1·W2 + b2 = (1·1 + (−1)·1) + 0.5 = 0.5
    net = Network.from_weights([[[1, 2], [3, 4]], [[1], [1]]], biases=[[1, -1], [0.5]],
                               activations=["linear", "step"])
    W, b = collapse(net)
    assert W.tolist() == [[3.0], [7.0]] and b.tolist() == [0.5]
    assert collapse_sentence(net) == (
        "Every hidden layer is linear, so this network is one layer in disguise: "
        "W = W1·W2 = [[3], [7]], b = b1·W2 + b2 = [0.5]; the output is step(x·W + b), which a "
        "network with no hidden layer computes as well (for a 0/1 task: one straight boundary, "
        "so never XOR)."
    )


def test_sentence_writes_the_bias_folded_through_three_layers():
    net = Network([2, 3, 3, 3, 1], activation="linear", seed=1)
    text = collapse_sentence(net)
    assert "W = W1·W2·W3·W4 = " in text
    assert "b = ((b1·W2 + b2)·W3 + b3)·W4 + b4 = " in text
    no_bias = collapse_sentence(Network([2, 3, 1], activation="linear", bias=False))
    assert "b =" not in no_bias and "sigmoid(x·W)" in no_bias


def test_multiple_outputs_collapse_to_one_matrix():
    net = Network([3, 4, 2], activation="linear", output_activation="linear", seed=3)
    W, b = collapse(net)
    X = np.random.default_rng(0).normal(size=(50, 3))
    np.testing.assert_allclose(net.predict(X), X @ W + b, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "net",
    [
        Network([2, 1]),  # no hidden layer
        Network([2, 3, 1], activation="tanh"),
        Network([2, 3, 3, 1], activation=["linear", "relu"]),  # one non-linear layer is enough
        Network([2, 3, 1], activation="leaky_relu"),
    ],
    ids=["no-hidden", "tanh", "linear-then-relu", "leaky-relu"],
)
def test_no_collapse_without_hidden_layers_or_with_a_non_linear_one(net):
    assert collapse(net) is None
    assert collapse_sentence(net) is None


def test_collapse_does_not_change_the_network():
    net = Network([2, 3, 1], activation="linear", seed=2)
    before = net.params.copy()
    W, _ = collapse(net)
    W += 1.0
    np.testing.assert_array_equal(net.params, before)
