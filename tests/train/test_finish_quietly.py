"""A run whose forward pass overflows float64 says so in numbers, never in a NumPy warning:
the summary after the last epoch (``Learner.finish``) runs under the same ``np.errstate``
as the epochs (a RuntimeWarning escaped from there on `xornet train --csv` with 1e308s).

Oracle, worked by hand: with every first-layer weight 1 and no bias, the input (1e308, 1e308)
gives the hidden sums 2e308, beyond float64's largest number (about 1.8e308), so they are
inf; a sigmoid of inf is 1 and its slope 0, so the hidden units read 1 and W1 never moves."""

import warnings

import numpy as np

import xornet


def test_an_overflowing_forward_pass_trains_without_a_warning():
    net = xornet.Network.from_weights([[[1.0, 1.0], [1.0, 1.0]], [[0.5], [-0.25]]],
                                      activations=["sigmoid", "sigmoid"])
    X, y = np.array([[1e308, 1e308], [0.0, 0.0]]), np.array([[1.0], [0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked RuntimeWarning fails the test
        history = net.fit(X, y, epochs=3, lr=0.5)
        y_hat = net.predict(X)
    assert np.array_equal(net.weights[0], np.ones((2, 2)))  # the saturated layer: no slope
    assert history.max_error == np.max(np.abs(y_hat - y))
    # row 2: hidden = sigmoid(0) = 0.5 each, so the output is sigmoid(0.5·(w1 + w2)), finite
    w = net.weights[1][:, 0]
    assert np.isclose(y_hat[1, 0], 1 / (1 + np.exp(-0.5 * (w[0] + w[1]))), rtol=1e-12, atol=0)
