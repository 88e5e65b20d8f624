"""ParamLayout: offsets worked by hand, and views that are the network's own arrays."""

import numpy as np
import pytest

from xornet import Network
from xornet.core.layout import ParamLayout
from xornet.core.naming import flat_numbers
from xornet.errors import XornetError

# (sizes, bias) → (w_at, b_at, n_params), counted by hand:
#   2-2-1 bias:    W1 4 at 0, b1 2 at 4, W2 2 at 6, b2 1 at 8 → 9
#   2-2-1 no bias: W1 4 at 0, W2 2 at 4 → 6
#   2-3-2 bias:    W1 6 at 0, b1 3 at 6, W2 6 at 9, b2 2 at 15 → 17
#   2-3-2 no bias: W1 6 at 0, W2 6 at 6 → 12
HAND = [
    ((2, 2, 1), True, (0, 6), (4, 8), 9),
    ((2, 2, 1), False, (0, 4), (None, None), 6),
    ((2, 3, 2), True, (0, 9), (6, 15), 17),
    ((2, 3, 2), False, (0, 6), (None, None), 12),
]


@pytest.mark.parametrize("sizes, bias, w_at, b_at, n_params", HAND)
def test_offsets_worked_by_hand(sizes, bias, w_at, b_at, n_params):
    layout = ParamLayout(sizes, bias)
    assert layout.w_at == w_at
    assert layout.b_at == b_at
    assert layout.n_params == n_params
    assert layout.shapes == ((sizes[0], sizes[1]), (sizes[1], sizes[2]))


def test_the_docstring_example_index_by_index():
    # 2-2-1 with bias: params[k] holds W1[0,0], W1[0,1], W1[1,0], W1[1,1], b1[0], b1[1],
    # W2[0,0], W2[1,0], b2[0] for k = 0..8
    (W1, b1), (W2, b2) = ParamLayout((2, 2, 1), True).views(np.arange(9))
    np.testing.assert_array_equal(W1, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(b1, [4, 5])
    np.testing.assert_array_equal(W2, [[6], [7]])
    np.testing.assert_array_equal(b2, [8])


def test_textbook_numbers_of_the_docstring_example():
    # net_h1 = 1·w1 + x1·w2 + x2·w3, net_h2 = 1·w4 + x1·w5 + x2·w6, net_ŷ = 1·w7 + h1·w8 + h2·w9
    (W1, W2), (b1, b2) = flat_numbers(ParamLayout((2, 2, 1), True))
    np.testing.assert_array_equal(W1, [[2, 5], [3, 6]])
    np.testing.assert_array_equal(b1, [1, 4])
    np.testing.assert_array_equal(W2, [[8], [9]])
    np.testing.assert_array_equal(b2, [7])
    (W1, W2), biases = flat_numbers(ParamLayout((2, 2, 1), False))
    assert biases is None
    np.testing.assert_array_equal(W1, [[1, 3], [2, 4]])
    np.testing.assert_array_equal(W2, [[5], [6]])


@pytest.mark.parametrize("sizes, bias", [(s, b) for s, b, *_ in HAND] + [((3, 4, 2, 1), True)])
def test_views_are_the_networks_own_arrays(sizes, bias):
    net = Network(list(sizes), bias=bias, seed=3)
    assert net.layout == ParamLayout(sizes, bias)
    views = net.layout.views(net.params)
    for (W, b), weight, layer in zip(views, net.weights, net.layers, strict=True):
        np.testing.assert_array_equal(W, weight)
        assert np.shares_memory(W, net.params) and W.shape == weight.shape
        assert (b is None) == (not bias)
        if bias:
            np.testing.assert_array_equal(b, layer.b)
    views[0][0][0, 0] = 42.0  # writing through a view writes the network's parameter
    assert net.weights[0][0, 0] == 42.0 == net.params[0]
    weights, biases = net.layout.unflatten(net.params)
    assert all(np.array_equal(a, b) for a, b in zip(weights, net.weights, strict=True))
    assert (biases is None) == (net.biases is None)


def test_population_views_are_the_networks_column_by_column():
    nets = [Network([2, 3, 2], seed=s) for s in range(4)]
    P = np.stack([n.params for n in nets], axis=-1)  # (n_params, M), population last
    layout = nets[0].layout
    for k, (W, b) in enumerate(layout.views(P)):
        assert W.shape == (*nets[0].weights[k].shape, 4) and b.shape == (nets[0].sizes[k + 1], 4)
        assert np.shares_memory(W, P)
        for m, net in enumerate(nets):
            np.testing.assert_array_equal(W[..., m], net.weights[k])
            np.testing.assert_array_equal(b[..., m], net.biases[k])


def test_a_vector_of_the_wrong_length_is_refused():
    with pytest.raises(XornetError, match="flat: expected 9 parameter rows for a 2-2-1"):
        ParamLayout((2, 2, 1), True).views(np.zeros(8))
