"""Tests for xornet.train.perceptron, its wiring in config.run and optimizers, and single-layer
notes."""

import numpy as np
import pytest

from xornet import Network
from xornet.core import optimizers
from xornet.errors import XornetError
from xornet.explain.separable import single_layer_note
from xornet.io import datasets
from xornet.train import config, presets
from xornet.train.config import RunConfig
from xornet.train.perceptron import train_perceptron
from xornet.train.trainer import train

GATES = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "nand": lambda a, b: 1 - (a & b),
    "nor": lambda a, b: 1 - (a | b),
}


def _rule(lr=0.5, **fields):
    """The run configuration of the perceptron rule (lr 0.5 unless given)."""
    return RunConfig(optimizer="perceptron", momentum=0.0, lr=lr, **fields)


def _step_net(n_in=2, n_out=1, init="zeros", seed=0, bias=True):
    return Network([n_in, n_out], output_activation="step", init=init, seed=seed, bias=bias)


def _plain_perceptron(X, y, epochs, lr=1):
    """The textbook loop in plain Python on integer data (so every number is exact): returns
    the weights (w1, ..., b) at the end of each epoch."""
    w = [0] * (len(X[0]) + 1)
    ends = [tuple(w)]
    for _ in range(epochs):
        for x, t in zip(X, y, strict=True):
            z = sum(wi * xi for wi, xi in zip(w, x, strict=False)) + w[-1]
            error = t - (1 if z >= 0 else 0)
            w = [wi + lr * error * xi for wi, xi in zip(w, [*x, 1], strict=True)]
        ends.append(tuple(w))
    return ends


# ------------------------------------------------------------------ the rule


def _weights(net):
    """(w1, w2, b) of a 2-input, 1-output step network."""
    return (*net.weights[0][:, 0].tolist(), float(net.biases[0][0]))


def _trace(gate, epochs=100):
    """Train from zero weights with α = 1; the weights after each epoch (epoch 0 = the start)."""
    X, y = datasets.load(gate)
    net = _step_net()
    ends = [_weights(net)]
    history = train_perceptron(net, X, y, _rule(lr=1.0, epochs=epochs),
                               callbacks=[lambda n, h: ends.append(_weights(n)) and False])
    if len(ends) == history.epochs:  # the last epoch ended the run before any callback
        ends.append(_weights(net))
    return history, net, ends


def test_and_from_zero_weights_follows_the_hand_worked_trace():
    # α = 1, zero start, step(z) = 1 for z ≥ 0, rows (0,0) (0,1) (1,0) (1,1) → 0 0 0 1.
    # Worked by hand, row by row (w1, w2, b):
    #   epoch 1: (0,0) z=0 → 1, wrong: b −= 1 → (0,0,−1); (0,1), (1,0) right; (1,1) z=−1 → 0,
    #            wrong: += (1,1,1) → (1,1,0)
    #   epoch 2: (0,0) z=0 wrong → (1,1,−1); (0,1) z=0 wrong → (1,0,−2); (1,0) z=−1 right;
    #            (1,1) z=−1 wrong → (2,1,−1)
    #   epoch 3: (0,0) right; (0,1) z=0 wrong → (2,0,−2); (1,0) z=0 wrong → (1,0,−3);
    #            (1,1) z=−2 wrong → (2,1,−2)
    #   epoch 4: (0,0), (0,1) right; (1,0) z=0 wrong → (1,1,−3); (1,1) z=−1 wrong → (2,2,−2)
    #   epoch 5: (0,1) z=0 wrong → (2,1,−3); the rest right: z = −3, −2, −1, 0 → 0 0 0 1.
    # Rows wrong after each epoch (z of the four rows under that epoch's weights):
    #   start 3 (all z = 0 → 1), 3, 2, 1, 2, 0 of 4.
    history, net, ends = _trace("and")
    assert ends == [(0, 0, 0), (1, 1, 0), (2, 1, -1), (2, 1, -2), (2, 2, -2), (2, 1, -3)]
    assert history.loss == [0.75, 0.75, 0.5, 0.25, 0.5, 0.0]
    assert history.epochs == 5 and history.stop_reason == "solved" and history.solved
    assert history.solved_epoch == 5 and history.accuracy == 1.0
    assert net.weights[0][:, 0].tolist() == [2.0, 1.0] and net.biases[0].tolist() == [-3.0]


def test_or_from_zero_weights_follows_the_hand_worked_trace():
    # rows → 0 1 1 1. epoch 1: (0,0) z=0 wrong → (0,0,−1); (0,1) z=−1 wrong → (0,1,0);
    # (1,0) z=0 right; (1,1) z=1 right.  epoch 2: (0,0) z=0 wrong → (0,1,−1); (0,1) z=0 right;
    # (1,0) z=−1 wrong → (1,1,0); (1,1) right.  epoch 3: (0,0) z=0 wrong → (1,1,−1); the rest
    # right (z = 0, 0, 1), and now z = −1, 0, 0, 1 → 0 1 1 1: solved. Only (0,0) is wrong after
    # epochs 0, 1 and 2 (its z is 0 each time).
    history, _, ends = _trace("or")
    assert ends == [(0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 1, -1)]
    assert history.loss == [0.25, 0.25, 0.25, 0.0]
    assert history.epochs == 3 and history.stop_reason == "solved"


def test_xor_from_zero_weights_repeats_after_epoch_three_as_worked_by_hand():
    # rows → 0 1 1 0. epoch 1: (0,0) wrong → (0,0,−1); (0,1) z=−1 wrong → (0,1,0); (1,0) z=0
    # right; (1,1) z=1 wrong → (−1,0,−1).  epoch 2: (0,0) z=−1 right; (0,1) z=−1 wrong →
    # (−1,1,0); (1,0) z=−1 wrong → (0,1,1); (1,1) z=2 wrong → (−1,0,0).  epoch 3: (0,0) z=0
    # wrong → (−1,0,−1), then the same three updates as epoch 2 → (−1,0,0) again: the weights
    # after epoch 3 equal those after epoch 2, so the rule cycles. Two rows are wrong after
    # every epoch.
    history, net, ends = _trace("xor")
    assert ends == [(0, 0, 0), (-1, 0, -1), (-1, 0, 0), (-1, 0, 0)]
    assert history.loss == [0.5, 0.5, 0.5, 0.5]
    assert history.epochs == 3 and history.stop_reason == "not linearly separable"
    assert net.training["cycle"] == [2, 3]


@pytest.mark.parametrize("gate", list(GATES))
@pytest.mark.parametrize("seed", range(5))
def test_converges_on_separable_gates_and_the_weights_compute_the_gate(gate, seed):
    X, y = datasets.load(gate)
    net = _step_net(init="uniform", seed=seed)
    history = train_perceptron(net, X, y, _rule(lr=0.1, epochs=1000))
    assert history.stop_reason == "solved" and history.epochs <= 30
    w1, w2 = net.weights[0][:, 0].tolist()
    b = float(net.biases[0][0])
    for a in (0, 1):
        for c in (0, 1):  # oracle: Python's bit operators
            assert int(a * w1 + c * w2 + b >= 0) == GATES[gate](a, c)


@pytest.mark.parametrize("gate", list(GATES))
def test_trajectory_matches_a_plain_python_perceptron(gate):
    X, y = datasets.load(gate)
    rows = [tuple(int(v) for v in r) for r in X]
    targets = [int(v) for v in y[:, 0]]
    net = _step_net()
    history = train_perceptron(net, X, y, _rule(lr=1.0, epochs=1000))
    expected = _plain_perceptron(rows, targets, history.epochs)[-1]
    assert (*net.weights[0][:, 0].tolist(), float(net.biases[0][0])) == expected


@pytest.mark.parametrize("gate", ["xor", "xnor"])
@pytest.mark.parametrize("lr, init", [(1.0, "zeros"), (0.1, "uniform"), (0.3, "normal")])
def test_on_xor_it_stops_at_a_repeat_of_the_weights(gate, lr, init):
    X, y = datasets.load(gate)
    net = _step_net(init=init, seed=3)
    history = train_perceptron(net, X, y, _rule(lr=lr, epochs=10_000))
    assert history.stop_reason == "not linearly separable"
    assert not history.solved and history.epochs < 100
    first, last = net.training["cycle"]
    assert first < last == history.epochs


def test_the_xor_cycle_is_real_in_exact_integer_arithmetic():
    # oracle: the plain loop, in exact integers, reaches the same weights at the same epochs
    # and never classifies every row in a thousand epochs
    X, y = datasets.load("xor")
    net = _step_net()
    train_perceptron(net, X, y, _rule(lr=1.0, epochs=1000))
    first, last = net.training["cycle"]
    rows = [tuple(int(v) for v in r) for r in X]
    targets = [int(v) for v in y[:, 0]]
    ends = _plain_perceptron(rows, targets, 1000)
    assert ends[first] == ends[last]
    assert ends[last] == (*net.weights[0][:, 0].tolist(), float(net.biases[0][0]))
    for w1, w2, b in ends:
        outputs = [int(w1 * a + w2 * c + b >= 0) for a, c in rows]
        assert outputs != targets


def test_two_outputs_learn_and_and_or_at_once():
    X, y_and = datasets.load("and")
    _, y_or = datasets.load("or")
    y = np.hstack([y_and, y_or])
    net = _step_net(n_out=2, init="uniform", seed=1)
    history = train_perceptron(net, X, y, _rule(lr=0.5, epochs=200))
    assert history.solved
    np.testing.assert_array_equal(net.predict(X), y)


def test_separable_cloud_converges_and_the_net_predicts_every_point():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-2.0, 0.3, (50, 2)), rng.normal(2.0, 0.3, (50, 2))])
    y = np.r_[np.zeros(50), np.ones(50)][:, None]
    net = _step_net(init="normal", seed=0)
    history = train_perceptron(net, X, y, _rule(lr=0.1, epochs=200))
    assert history.solved
    np.testing.assert_array_equal(net.predict(X), y)


def test_runs_out_of_epochs_honestly():
    X, y = datasets.load("xor-cloud", n_samples=60)
    history = train_perceptron(_step_net(init="normal"), X, y, _rule(lr=0.1, epochs=3))
    assert history.epochs == 3 and history.stop_reason == "max epochs"
    assert len(history.loss) == 4


def test_callbacks_can_stop_the_run():
    X, y = datasets.load("xor")
    seen = []
    history = train_perceptron(_step_net(init="normal"), X, y, _rule(lr=0.1),
                               callbacks=[lambda net, h: seen.append(h.epochs) or True])
    assert seen == [1] and history.stop_reason == "callback"


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "net, field",
    [
        (Network([2, 2, 1], activation="sigmoid", output_activation="step"), "hidden:"),
        (Network([2, 1], output_activation="sigmoid"), "output_activation:"),
    ],
)
def test_refuses_networks_it_cannot_train(net, field):
    X, y = datasets.load("and")
    with pytest.raises(XornetError, match=f"^{field}"):
        train_perceptron(net, X, y, _rule())


@pytest.mark.parametrize(
    "settings, field",
    [(_rule(shuffle=True), "shuffle:"), (_rule(batch_size=2), "batch_size:")],
)
def test_refuses_settings_it_cannot_honour(settings, field):
    X, y = datasets.load("and")
    with pytest.raises(XornetError, match=f"^{field}"):
        train_perceptron(_step_net(), X, y, settings)


def test_refuses_targets_that_are_not_zero_or_one():
    X, y = datasets.load("sine", n_samples=20)
    with pytest.raises(XornetError, match=r"^y:"):
        train_perceptron(_step_net(n_in=1), X, y, _rule())


# ------------------------------------------------------------------ wiring


PERCEPTRON_RUN = presets.get("default").with_(hidden=(), optimizer="perceptron",
                                              output_activation="step")


@pytest.mark.parametrize("gate", list(GATES))
def test_config_run_dispatches_to_the_perceptron_rule(gate):
    X, y = datasets.load(gate)
    net, history = config.run(PERCEPTRON_RUN, X, y)
    assert history.stop_reason == "solved"
    assert net.training["optimizer"] == "perceptron"
    np.testing.assert_array_equal(net.predict(X), y)


def test_config_run_stops_on_xor_with_the_explanation():
    X, y = datasets.load("xor")
    _, history = config.run(PERCEPTRON_RUN, X, y)
    assert history.stop_reason == "not linearly separable"
    assert "3 of 4" in single_layer_note(X, y, "XOR")


@pytest.mark.parametrize(
    "changes, field",
    [({"hidden": (2,)}, "hidden:"), ({"output_activation": "sigmoid"}, "output_activation:")],
)
def test_config_run_refuses_what_the_perceptron_cannot_train(changes, field):
    X, y = datasets.load("and")
    with pytest.raises(XornetError, match=f"^{field}"):
        config.run(PERCEPTRON_RUN.with_(**changes), X, y)


def test_perceptron_passes_settings_validation_but_not_backpropagation():
    _rule().check()  # accepted as a name
    X, y = datasets.load("and")
    net = Network([2, 2, 1], seed=0)
    before = net.params.copy()
    with pytest.raises(XornetError, match=r"^optimizer: perceptron"):
        train(net, X, y, _rule(epochs=10))
    np.testing.assert_array_equal(net.params, before)  # refused before any update
    with pytest.raises(XornetError, match=r"^momentum:"):
        RunConfig(optimizer="perceptron", momentum=0.9).check()


def test_sgd_and_adam_still_step_as_their_formulas():
    # worked by hand with g = (0.5, −2), then g = (1, 1), from θ = (1, 1):
    # sgd, α = 0.1, μ = 0.5: v1 = −0.1·g = (−0.05, 0.2), θ1 = (0.95, 1.2);
    #   v2 = 0.5·v1 − 0.1·(1, 1) = (−0.125, 0.0), θ2 = (0.825, 1.2)
    # adam, α = 0.1: m̂1 = g, v̂1 = g², so θ1 = θ − 0.1·g/(|g| + 1e-8) ≈ (0.9, 1.1)
    grads = [np.array([0.5, -2.0]), np.array([1.0, 1.0])]
    theta = np.array([1.0, 1.0])
    sgd = optimizers.make("sgd", 0.1, 0.5)
    sgd.step([theta], [grads[0]])
    np.testing.assert_allclose(theta, [0.95, 1.2], rtol=0, atol=1e-15)
    sgd.step([theta], [grads[1]])
    np.testing.assert_allclose(theta, [0.825, 1.2], rtol=0, atol=1e-15)
    theta = np.array([1.0, 1.0])
    optimizers.make("adam", 0.1).step([theta], [grads[0]])
    np.testing.assert_allclose(theta, [1.0 - 0.1 * 0.5 / (0.5 + 1e-8),
                                       1.0 + 0.1 * 2.0 / (2.0 + 1e-8)], rtol=0, atol=1e-15)
    with pytest.raises(XornetError, match="perceptron"):  # the list of names includes it
        optimizers.make("rmsprop", 0.1)


# ------------------------------------------------------------------ no hidden layer at all


@pytest.mark.parametrize("gate, solvable", [("and", True), ("or", True), ("xor", False)])
def test_default_run_without_hidden_layer_learns_and_and_or_but_not_xor(gate, solvable):
    X, y = datasets.load(gate)
    _, history = config.run(presets.get("default").with_(hidden=()), X, y)
    assert history.solved is solvable
    if not solvable:  # sigmoid(x·w + b) thresholded at 0.5 is a line: at most 3 of 4
        assert history.accuracy <= 0.75


def test_single_layer_note_for_xor_and_not_for_separable_or_real_valued_data():
    X, y = datasets.load("xor")
    note = single_layer_note(X, y, "XOR")
    assert note.startswith("No network without a hidden layer can learn XOR")
    assert "no line puts (0,1),(1,0) on one side and (0,0),(1,1) on the other" in note
    assert "3 of 4" in note and note.endswith(".") and "\n" not in note
    assert single_layer_note(*datasets.load("and")) is None
    assert single_layer_note(*datasets.load("sine", n_samples=10)) is None
    assert single_layer_note(X, np.hstack([y, y])) is None
