"""Review fixes in the training core: every schedule stays finite, a cosine never climbs
back past its horizon, the model records that horizon, a test loss carries the same weight
penalty as the training loss, and a History's final loss is that of the weights it ends with.

Oracles: the schedule formulas written out here; the test loss recomputed in plain NumPy
(bce of a forward pass written here, plus (λ2/2)·Σw² over the weight matrices).
"""

import math

import numpy as np
import pytest

import xornet
from xornet.errors import XornetError
from xornet.io import datasets
from xornet.train import schedules
from xornet.train.config import run
from xornet.train.history import History


@pytest.mark.parametrize("spec", ["step:1", "step:1:0.5", "step:7:1", "exp:0.001", "exp:1",
                                  "cosine", "cosine:0.3"])
def test_every_schedule_is_a_finite_factor_in_0_1_at_any_epoch(spec):
    f = schedules.parse(spec, 300)
    for t in (0, 1, 299, 300, 301, 10**6, 10**12, 2**62):
        value = f(t)
        assert math.isfinite(value) and 0.0 <= value <= 1.0, (spec, t, value)


@pytest.mark.parametrize("spec", ["step:10:2", "step:1:1e308", "step:3:1.5"])
def test_a_growing_step_is_refused_as_a_growing_exp_is(spec):
    with pytest.raises(XornetError, match=r"^lr_schedule: .*F = .* ≤ 1"):
        schedules.parse(spec, 100)


@pytest.mark.parametrize("low", [0.0, 0.2])
def test_past_its_horizon_a_cosine_stays_at_its_end_value(low):
    f = schedules.parse("cosine" if low == 0.0 else f"cosine:{low}", 300)
    # within the horizon: M + (1 − M)·½·(1 + cos(π·t/E))
    assert f(150) == pytest.approx(low + (1 - low) * 0.5, abs=1e-15)
    # at and past it the end value M; unclamped, t = 600 would give cos(2π): back to 1
    for t in (300, 301, 450, 600, 10**9):
        assert f(t) == pytest.approx(low, abs=1e-15)


def test_the_model_records_the_horizon_its_schedule_spread_over():
    X, y = datasets.load("xor")
    cfg = xornet.RunConfig(lr_schedule="cosine", epochs=3000, seed=0)
    net, h = run(cfg, X, y)
    assert h.epochs < 3000  # stopped when solved, long before the horizon
    assert net.training["epochs"] == h.epochs
    assert net.training["schedule_epochs"] == 3000 and net.training["lr_schedule"] == "cosine"


def _bce(p, y):
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def _forward(net, X):
    a = X
    for k, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = a @ W + b
        a = np.tanh(z) if k < len(net.weights) - 1 else 1 / (1 + np.exp(-z))
    return a


def test_the_test_loss_carries_the_same_penalty_as_the_training_loss():
    X, y = datasets.load("moons", n_samples=80, noise=0.2, seed=3)
    X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, 0.25, seed=3)
    net = xornet.Network([2, 6, 1], activation="tanh", seed=2)
    h = net.fit(X_train, y_train, epochs=60, lr=0.5, loss="bce", l2=0.05, l1=0.01,
                test_data=(X_test, y_test), stop_when_solved=False)
    assert not h.restored
    penalty = (0.5 * 0.05 * sum(float(np.sum(W * W)) for W in net.weights)
               + 0.01 * sum(float(np.sum(np.abs(W))) for W in net.weights))
    assert penalty > 0.05  # far from negligible
    assert h.loss[-1] == pytest.approx(_bce(_forward(net, X_train), y_train) + penalty,
                                       rel=1e-10)
    assert h.test_loss[-1] == pytest.approx(_bce(_forward(net, X_test), y_test) + penalty,
                                            rel=1e-10)


def test_final_loss_is_the_kept_weights_and_last_loss_the_last_epochs():
    h = History(loss=[1.0, 0.5, 0.4, 0.3], test_loss=[1.0, 0.6, 0.7, 0.8], epochs=3,
                best_epoch=1, restored=True)
    assert (h.final_loss, h.last_loss) == (0.5, 0.3)
    assert (h.final_test_loss, h.last_test_loss) == (0.6, 0.8)
    assert "final loss 0.5," in h.summary() and "test loss 0.6," in h.summary()
    h.restored = False  # no early stopping: the last epoch's weights are kept
    assert (h.final_loss, h.final_test_loss) == (0.3, 0.8)
