"""explain_step with a weight penalty, per-layer learning rates and a schedule.

Oracles: ``Network.gradients`` plus the penalty's λ2·w + λ1·sign(w) written out here, finite
differences of the total loss, and one step of the plain update w − α_k·∂E/∂w by hand.
"""

import math

import numpy as np
import pytest

from xornet import Network
from xornet.core.naming import flat_numbers
from xornet.errors import XornetError
from xornet.explain.trace import explain_step
from xornet.io import datasets

X, Y = datasets.load("xor")


def _net():
    return Network([2, 2, 1], seed=3, init="normal")


def test_every_weight_shows_its_penalty_term_and_the_total_gradient():
    net = _net()
    step = explain_step(net, X, Y, loss="mse", lr=[0.5, 2.0], l2=0.1, l1=0.05)
    dW, db = net.gradients(X, Y, loss="mse")
    by_matrix = {p["matrix"]: p for p in step["parameters"]}
    for k in range(2):
        for i in range(net.sizes[k]):
            for j in range(net.sizes[k + 1]):
                p = by_matrix[f"W{k + 1}[{i},{j}]"]
                w = net.weights[k][i, j]
                term = 0.1 * w + 0.05 * np.sign(w)
                assert p["data_gradient"] == pytest.approx(dW[k][i, j], abs=1e-15)
                assert p["penalty"] == pytest.approx(term, abs=1e-15)
                assert p["gradient"] == pytest.approx(dW[k][i, j] + term, abs=1e-15)
                assert p["lr"] == [0.5, 2.0][k]
                assert p["new"] == pytest.approx(w - [0.5, 2.0][k] * (dW[k][i, j] + term),
                                                 abs=1e-15)
        for j in range(net.sizes[k + 1]):
            p = by_matrix[f"b{k + 1}[{j}]"]
            assert p["penalty"] == 0.0  # biases are not penalised
            assert p["gradient"] == pytest.approx(db[k][j], abs=1e-15)
    np.testing.assert_allclose(step["new_weights"][1],
                               net.weights[1] - 2.0 * (dW[1] + 0.1 * net.weights[1]
                                                       + 0.05 * np.sign(net.weights[1])))


def test_the_trace_gradient_is_the_slope_of_the_total_loss():
    net = _net()
    step = explain_step(net, X, Y, loss="bce", lr=1.0, l2=0.2, l1=0.1)
    flat_by_name = {p["name"]: p["gradient"] for p in step["parameters"]}
    h = 1e-6

    def total():  # E_data + (0.2/2)·Σw² + 0.1·Σ|w|, the weights only
        w = np.concatenate([W.ravel() for W in net.weights])
        return net.loss(X, Y, "bce") + 0.1 * np.dot(w, w) + 0.1 * np.sum(np.abs(w))

    w_num, b_num = flat_numbers(net.layout)
    names = []
    for k in range(2):
        names += [f"w{n}" for n in np.asarray(w_num[k]).ravel()]
        names += [f"w{n}" for n in np.asarray(b_num[k]).ravel()]
    assert len(names) == net.n_params  # the flat order: W1, b1, W2, b2
    for i, name in enumerate(names):
        old = net.params[i]
        net.params[i] = old + h
        up = total()
        net.params[i] = old - h
        down = total()
        net.params[i] = old
        assert flat_by_name[name] == pytest.approx((up - down) / (2 * h), abs=1e-7)
    data = net.loss(X, Y, "bce")
    assert step["loss"]["value"] == pytest.approx(data, abs=1e-15)
    assert step["loss"]["total"] == pytest.approx(total(), abs=1e-14)


def test_the_trace_states_the_scheduled_lr_of_its_step():
    net = _net()
    step = explain_step(net, X, Y, lr=[0.5, 2.0], lr_schedule="step:10:0.5", epoch=25,
                        epochs=100)
    assert step["lr_factor"] == 0.25
    assert step["layer_lrs"] == [0.125, 0.5]
    cos = explain_step(net, X, Y, lr=4.0, lr_schedule="cosine", epoch=50, epochs=100)
    assert cos["layer_lrs"] == pytest.approx([4.0 * 0.5 * (1 + math.cos(math.pi / 2))] * 2)
    plain = explain_step(net, X, Y, lr=[0.5, 2.0])
    assert plain["lr_factor"] == 1.0 and plain["layer_lrs"] == [0.5, 2.0]


def test_no_penalty_gives_the_trace_of_before():
    """With λ = 0 the gradient is the data gradient and the update w − α·∂E/∂w, unchanged."""
    net = _net()
    step = explain_step(net, X, Y, loss="mse", lr=0.7)
    dW, db = net.gradients(X, Y, loss="mse")
    assert step["loss"]["penalty"] == 0.0
    np.testing.assert_array_equal(step["new_weights"][0], net.weights[0] - 0.7 * dW[0])
    np.testing.assert_array_equal(step["new_biases"][1], net.biases[1] - 0.7 * db[1])


def test_script_order_with_per_layer_rates_and_penalty():
    net = _net()
    step = explain_step(net, X, Y, loss="mse", lr=[0.3, 1.5], l2=0.1, update_order="script")
    W1, b1, W2, b2 = (net.weights[0], net.biases[0], net.weights[1], net.biases[1])
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = sig(X @ W1 + b1)
    out = sig(h @ W2 + b2)
    d_out = 2 * (out - Y) / Y.size * out * (1 - out)
    W2n = W2 - 1.5 * (h.T @ d_out + 0.1 * W2)
    d_h = (d_out @ W2n.T) * h * (1 - h)
    W1n = W1 - 0.3 * (X.T @ d_h + 0.1 * W1)
    np.testing.assert_allclose(step["new_weights"][1], W2n, atol=1e-14)
    np.testing.assert_allclose(step["new_weights"][0], W1n, atol=1e-14)
    np.testing.assert_allclose(step["new_biases"][0], b1 - 0.3 * d_h.sum(axis=0), atol=1e-14)


@pytest.mark.parametrize("kw, match", [
    (dict(l2=-1.0), "^l2: "), (dict(l1=math.nan), "^l1: "),
    (dict(lr=[1.0, 2.0, 3.0]), "^lr: 3 learning rates"),
    (dict(lr_schedule="weekly"), "^lr_schedule: "), (dict(epoch=-1), "^epoch: "),
])
def test_bad_step_settings_are_refused(kw, match):
    with pytest.raises(XornetError, match=match):
        explain_step(_net(), X, Y, **kw)


def test_the_matrix_form_adds_the_penalty_to_each_weight_matrix():
    net = _net()
    step = explain_step(net, X, Y, loss="mse", l2=0.1, l1=0.05)
    dW, _ = net.gradients(X, Y, loss="mse")
    for k, m in enumerate(step["matrix"]):
        W = net.weights[k]
        np.testing.assert_allclose(m["dW_total"], dW[k] + 0.1 * W + 0.05 * np.sign(W),
                                   atol=1e-15)
