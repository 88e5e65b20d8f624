"""The landscape of a model trained with a weight penalty, a learning-rate schedule, one
learning rate per layer or the script's update order: its record is repeated exactly, and
every loss it draws is the total that training minimised.

Oracles, computed here: the penalty (λ2/2)·Σw² + λ1·Σ|w| summed by hand over the weight
matrices (not the biases) plus ``Network.loss``; the record's own ``final_loss`` (what
History measured while training); the gradient's length by central finite differences of
that hand-written total.
"""

import math

import numpy as np
import pytest

from xornet import Network
from xornet.errors import XornetError
from xornet.study import landscape as L
from xornet.train.config import RunConfig, run

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def total(net, theta, l2=0.0, l1=0.0, loss="bce"):
    """E_data + the penalty at the flat parameters theta, from the weight matrices."""
    weights, biases = net.layout.unflatten(np.asarray(theta, dtype=float))
    other = Network.from_weights(weights, biases, net.activations)
    pen = sum(0.5 * l2 * np.sum(W**2) + l1 * np.sum(np.abs(W)) for W in weights)
    return other.loss(X, Y, loss) + pen


def trained(**settings):
    cfg = RunConfig(**settings)
    net, history = run(cfg, X, Y)
    net.training = {**net.training, "init": cfg.init, "dataset": "xor"}
    return net, history


SETTINGS = [
    {"l2": 1e-3, "seed": 4},
    {"l1": 1e-3, "lr_schedule": "cosine", "seed": 4},  # stops when solved, long before E
    {"lr_schedule": "step:20:0.5", "seed": 1},
    {"lr": (1.0, 4.0), "l2": 5e-4, "seed": 2},
    {"update_order": "script", "momentum": 0.0, "loss": "mse", "lr": 2.0, "seed": 3},
]


@pytest.mark.parametrize("settings", SETTINGS)
def test_the_record_is_repeated_and_the_end_is_its_final_loss(settings):
    net, history = trained(**settings)
    ls = L.landscape(net, X, Y, resolution=5)
    assert ls.reproduced is True and not ls.notes
    l2, l1 = settings.get("l2", 0.0), settings.get("l1", 0.0)
    loss = settings.get("loss", "bce")
    want = total(net, net.params, l2, l1, loss)
    assert ls.end_loss == pytest.approx(want, rel=1e-12)
    assert ls.end_loss == pytest.approx(net.training["final_loss"], rel=1e-9)
    assert ls.end_loss == pytest.approx(history.loss[-1], rel=1e-9)
    assert ls.penalty == (l2, l1)
    # the path's last point is the end, its first the start, both under the same total
    assert ls.pca.path_losses[-1] == pytest.approx(want, rel=1e-12)
    assert ls.line.start_loss == pytest.approx(ls.pca.path_losses[0], rel=1e-12)


def test_every_plane_point_is_the_penalised_loss():
    net, _ = trained(l2=1e-2, l1=2e-3, seed=4)
    ls = L.landscape(net, X, Y, resolution=5, seed=1)
    d1, d2 = ls.random.directions
    for i, b in enumerate(ls.random.b):
        for j, a in enumerate(ls.random.a):
            want = total(net, net.params + a * d1 + b * d2, 1e-2, 2e-3)
            assert ls.random.losses[i, j] == pytest.approx(want, rel=1e-12)
    start = Network([2, 2, 1], init="xavier", seed=net.training["seed"]).params
    for alpha, value in zip(ls.line.alphas, ls.line.losses, strict=True):
        theta = start + alpha * (net.params - start)
        assert value == pytest.approx(total(net, theta, 1e-2, 2e-3), rel=1e-12)
    assert ls.objective == "bce + l2 0.01 + l1 0.002 penalty"


def test_the_gradient_is_the_penalised_slope():
    net, _ = trained(l2=1e-2, seed=4)
    ls = L.landscape(net, X, Y, resolution=5)
    h, theta = 1e-6, net.params
    grad = np.array([(total(net, theta + h * e, 1e-2) - total(net, theta - h * e, 1e-2))
                     / (2 * h) for e in np.eye(len(theta))])
    assert ls.gradient == pytest.approx(float(np.linalg.norm(grad)), rel=1e-5)


def test_the_penalty_can_be_left_out_or_given():
    net, _ = trained(l2=1e-3, seed=4)
    plain = L.landscape(net, X, Y, resolution=5, l2=0.0)
    assert plain.end_loss == pytest.approx(net.loss(X, Y, "bce"), rel=1e-12)
    assert plain.objective == "bce" and plain.penalty == (0.0, 0.0)
    with pytest.raises(XornetError, match=r"^l2: expected a finite number ≥ 0"):
        L.landscape(net, X, Y, resolution=5, l2=-1.0)


@pytest.mark.parametrize("span", [1e-300, 5e-7])
def test_a_span_too_small_to_show_anything_is_refused(span):
    with pytest.raises(XornetError, match=r"^span: expected a number from 1e-06 to 100"):
        L.landscape(Network([2, 2, 1]), X, Y, span=span)
    assert math.isfinite(L.landscape(Network([2, 2, 1]), X, Y, span=L.MIN_SPAN,
                                     resolution=5).end_loss)
