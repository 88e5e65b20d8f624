"""Tests for the training loop (Network.fit / xornet.train.trainer).

Oracle: the same run written out by hand — ``net.gradients`` for the gradients and the
textbook update rules (gradient descent, momentum, Adam as in Kingma & Ba 2015, Algorithm 1)
applied in a plain loop on a copy of the network.
"""

import itertools
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import xornet
from xornet.core import optimizers
from xornet.errors import DivergenceError, XornetError


def _clone(net):
    return xornet.Network.from_weights(net.weights, net.biases, net.activations)


def _params_and_grads(net, X, y, loss):
    """[W1, b1, W2, b2, ...] (views: edits stick) and the matching gradients."""
    dW, db = net.gradients(X, y, loss=loss)
    if net.biases is None:
        return list(net.weights), dW
    params = [p for pair in zip(net.weights, net.biases) for p in pair]
    return params, [g for pair in zip(dW, db) for g in pair]


def _sgd_by_hand(net, X, y, loss, lr, epochs, batches):
    """Plain gradient descent: for each batch of rows, θ ← θ − α·∂E/∂θ."""
    for _ in range(epochs):
        for rows in batches:
            params, grads = _params_and_grads(net, X[rows], y[rows], loss)
            for p, g in zip(params, grads):
                p -= lr * g
    return net


def _net(seed=2, **kw):
    kw = {"activation": "sigmoid", "output_activation": "sigmoid", "init": "uniform", **kw}
    return xornet.Network([2, 3, 1], seed=seed, **kw)


ALL = [slice(0, 4)]
ONLINE = [[0], [1], [2], [3]]

# ================================================================= update modes


@pytest.mark.parametrize("loss", ["mse", "sse", "bce"])
def test_full_batch_sgd_is_the_hand_loop(xor, loss):
    X, y = xor
    net = _net()
    hand = _clone(net)
    losses_by_hand = []
    for _ in range(6):
        losses_by_hand.append(hand.loss(X, y, loss=loss))
        _sgd_by_hand(hand, X, y, loss, lr=0.7, epochs=1, batches=ALL)
    losses_by_hand.append(hand.loss(X, y, loss=loss))
    history = net.fit(X, y, epochs=6, lr=0.7, loss=loss)
    assert net.params.tobytes() == hand.params.tobytes()
    np.testing.assert_allclose(history.loss, losses_by_hand, rtol=1e-15)


def test_full_batch_without_bias_is_the_hand_loop(xor):
    X, y = xor
    net = _net(bias=False, init="uniform01")
    hand = _sgd_by_hand(_clone(net), X, y, "sse", lr=1.0, epochs=5, batches=ALL)
    net.fit(X, y, epochs=5, lr=1.0, loss="sse")
    assert net.params.tobytes() == hand.params.tobytes()


def test_online_updates_once_per_sample_in_data_order(xor):
    X, y = xor
    net = _net(activation="relu", output_activation="linear", bias=False)
    hand = _sgd_by_hand(_clone(net), X, y, "sse", lr=0.2, epochs=4, batches=ONLINE)
    backwards = _sgd_by_hand(_clone(net), X, y, "sse", lr=0.2, epochs=4, batches=ONLINE[::-1])
    once = _sgd_by_hand(_clone(net), X, y, "sse", lr=0.2, epochs=4, batches=ALL)
    net.fit(X, y, epochs=4, lr=0.2, loss="sse", batch_size=1)
    assert net.params.tobytes() == hand.params.tobytes()
    # the order and the number of updates both show in the bits
    assert net.params.tobytes() != backwards.params.tobytes()
    assert net.params.tobytes() != once.params.tobytes()


@pytest.mark.parametrize("batch_size, batches", [(2, [[0, 1], [2, 3]]), (3, [[0, 1, 2], [3]])])
def test_mini_batches_are_consecutive_rows(xor, batch_size, batches):
    X, y = xor
    net = _net(seed=5)
    hand = _sgd_by_hand(_clone(net), X, y, "mse", lr=0.5, epochs=5, batches=batches)
    net.fit(X, y, epochs=5, lr=0.5, loss="mse", batch_size=batch_size)
    assert net.params.tobytes() == hand.params.tobytes()


@pytest.mark.parametrize("batch_size", [4, 10])
def test_a_batch_as_big_as_the_data_is_full_batch(xor, batch_size):
    X, y = xor
    net = _net(seed=6)
    hand = _sgd_by_hand(_clone(net), X, y, "mse", lr=0.5, epochs=3, batches=ALL)
    net.fit(X, y, epochs=3, lr=0.5, loss="mse", batch_size=batch_size)
    assert net.params.tobytes() == hand.params.tobytes()


def test_every_gradient_of_a_step_is_computed_before_any_weight_changes(xor):
    X, y = xor
    net = _net(seed=8, activation="tanh")
    lr = 2.0
    # the right step: all gradients from a frozen copy, then every update
    frozen = _clone(net)
    dW, db = frozen.gradients(X, y, loss="mse")
    expected_W = [W - lr * g for W, g in zip(frozen.weights, dW)]
    expected_b = [b - lr * g for b, g in zip(frozen.biases, db)]
    # the wrong step: update the output layer, then backpropagate through the new weights
    wrong = _clone(net)
    dW_first, db_first = wrong.gradients(X, y, loss="mse")
    wrong.weights[1][...] -= lr * dW_first[1]
    wrong.biases[1][...] -= lr * db_first[1]
    dW_late, db_late = wrong.gradients(X, y, loss="mse")
    wrong.weights[0][...] -= lr * dW_late[0]
    wrong.biases[0][...] -= lr * db_late[0]

    net.fit(X, y, epochs=1, lr=lr, loss="mse")
    for got, want in zip(net.weights + net.biases, expected_W + expected_b):
        np.testing.assert_array_equal(got, want)
    assert not np.allclose(net.weights[0], wrong.weights[0], rtol=1e-6, atol=0)


# ================================================================= shuffling


def _find_online_order(start_params, template, X, y, target, lr):
    """Every order of the 4 rows whose online epoch turns start_params into target."""
    found = []
    for order in itertools.permutations(range(4)):
        net = _clone(template)
        net.params[...] = start_params
        _sgd_by_hand(net, X, y, "mse", lr, epochs=1, batches=[[i] for i in order])
        if net.params.tobytes() == target.tobytes():
            found.append(order)
    return found


def test_shuffling_visits_every_sample_once_per_epoch_in_a_seeded_order(xor):
    X, y = xor
    template = _net(seed=3)
    orders = []
    for seed in range(5):
        net = _clone(template)
        snapshots = [net.params.copy()]
        net.fit(X, y, epochs=3, lr=0.5, loss="mse", batch_size=1, shuffle=True, seed=seed,
                callbacks=[lambda n, h, kept=snapshots: kept.append(n.params.copy())])
        assert len(snapshots) == 4
        for before, after in itertools.pairwise(snapshots):
            found = _find_online_order(before, template, X, y, after, lr=0.5)
            assert len(found) == 1  # exactly one order of the four rows explains the epoch
            orders.append(found[0])
    assert len(set(orders)) > 3  # the order changes between seeds and epochs


def test_shuffle_same_seed_same_bits_other_seed_other_bits(xor):
    X, y = xor
    template = _net(seed=4)
    runs = {}
    for key, seed in [("a", 11), ("b", 11), ("c", 12)]:
        net = _clone(template)
        net.fit(X, y, epochs=20, lr=0.5, batch_size=1, shuffle=True, seed=seed)
        runs[key] = net.params.tobytes()
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_training_leaves_the_global_rng_and_the_data_alone(xor):
    X, y = xor
    X0, y0 = X.copy(), y.copy()
    saved = np.random.get_state()
    try:
        np.random.seed(99)
        _net().fit(X, y, epochs=5, batch_size=1, shuffle=True, seed=1, optimizer="adam", lr=0.1)
        after = np.random.random(3)
        np.random.seed(99)
        assert np.random.random(3).tobytes() == after.tobytes()
    finally:
        np.random.set_state(saved)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# ================================================================= optimizers


def test_momentum_steps_worked_by_hand():
    opt = optimizers.make("sgd", 0.1, momentum=0.9)
    p = np.array([1.0])
    opt.step([p], [np.array([2.0])])  # v = −0.1·2 = −0.2;          θ = 1 − 0.2 = 0.8
    assert p[0] == pytest.approx(0.8, abs=1e-15)
    opt.step([p], [np.array([1.0])])  # v = 0.9·(−0.2) − 0.1·1 = −0.28; θ = 0.8 − 0.28 = 0.52
    assert p[0] == pytest.approx(0.52, abs=1e-15)


def test_adam_steps_worked_by_hand():
    opt = optimizers.make("adam", 0.1)
    p = np.array([1.0])
    # t = 1: m = 0.1·2 = 0.2, v = 0.001·4 = 0.004; m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4
    # θ = 1 − 0.1·2/(√4 + 1e-8) = 0.9000000005
    opt.step([p], [np.array([2.0])])
    assert p[0] == pytest.approx(0.9000000005, abs=1e-15)
    # t = 2, same gradient: m̂ = 0.38/0.19 = 2, v̂ = 0.007996/0.001999 = 4: the same step again
    opt.step([p], [np.array([2.0])])
    assert p[0] == pytest.approx(0.800000001, abs=1e-14)


def test_momentum_training_is_the_reference_rule(xor):
    X, y = xor
    lr, mu = 0.5, 0.9
    net = _net(seed=9)
    hand = _clone(net)
    velocity = None
    for _ in range(15):
        params, grads = _params_and_grads(hand, X, y, "mse")
        velocity = velocity or [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, velocity):
            v[...] = mu * v - lr * g  # v ← μ·v − α·g
            p += v  # θ ← θ + v
    plain = _sgd_by_hand(_clone(net), X, y, "mse", lr, epochs=15, batches=ALL)
    net.fit(X, y, epochs=15, lr=lr, loss="mse", momentum=mu)
    np.testing.assert_allclose(net.params, hand.params, rtol=1e-14, atol=1e-15)
    assert not np.allclose(net.params, plain.params, rtol=1e-3)  # momentum did something


def test_adam_training_is_the_reference_rule(xor):
    X, y = xor
    lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    net = _net(seed=10, activation="tanh", init="xavier")
    hand = _clone(net)
    m = v = None
    for t in range(1, 21):
        params, grads = _params_and_grads(hand, X, y, "bce")
        m = m or [np.zeros_like(p) for p in params]
        v = v or [np.zeros_like(p) for p in params]
        for p, g, m_i, v_i in zip(params, grads, m, v):
            m_i[...] = beta1 * m_i + (1 - beta1) * g
            v_i[...] = beta2 * v_i + (1 - beta2) * g**2
            m_hat = m_i / (1 - beta1**t)
            v_hat = v_i / (1 - beta2**t)
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)
    net.fit(X, y, epochs=20, lr=lr, loss="bce", optimizer="adam")
    np.testing.assert_allclose(net.params, hand.params, rtol=1e-12, atol=1e-14)


# ================================================================= stop conditions


def _solvable_net():
    return xornet.Network([2, 4, 1], activation="tanh", output_activation="sigmoid",
                          init="xavier", seed=0)


def test_stop_when_solved_stops_at_the_first_solved_epoch(xor):
    X, y = xor
    net = _solvable_net()
    start = _clone(net)
    initial_loss = start.loss(X, y, loss="bce")
    history = net.fit(X, y, epochs=5000, lr=0.1, loss="bce", optimizer="adam",
                      stop_when_solved=True)
    assert history.stop_reason == "solved"
    assert history.solved and history.solved_epoch == history.epochs
    assert 1 < history.epochs < 5000
    assert np.abs(net.predict(X) - y).max() <= 0.1
    assert len(history.loss) == history.epochs + 1
    assert history.loss[0] == pytest.approx(initial_loss, rel=1e-15)
    # one epoch fewer was not yet solved
    shorter = _clone(start)
    shorter.fit(X, y, epochs=history.epochs - 1, lr=0.1, loss="bce", optimizer="adam")
    assert np.abs(shorter.predict(X) - y).max() > 0.1


def test_tolerance_sets_what_solved_means(xor):
    X, y = xor
    loose = _solvable_net().fit(X, y, epochs=5000, lr=0.1, loss="bce", optimizer="adam",
                                stop_when_solved=True, tolerance=0.4)
    tight = _solvable_net().fit(X, y, epochs=5000, lr=0.1, loss="bce", optimizer="adam",
                                stop_when_solved=True, tolerance=0.05)
    assert loose.stop_reason == tight.stop_reason == "solved"
    assert loose.epochs < tight.epochs
    assert loose.max_error <= 0.4 and tight.max_error <= 0.05


def test_a_network_that_is_already_solved_takes_no_step(xor):
    X, y = xor
    # sigmoid XOR by hand: h1 ≈ OR, h2 ≈ AND, out ≈ h1 AND NOT h2 (all within 0.01 of 0/1)
    net = xornet.Network.from_weights(
        [[[20.0, 20.0], [20.0, 20.0]], [[20.0], [-20.0]]],
        biases=[[-10.0, -30.0], [-10.0]],
    )
    before = net.params.tobytes()
    history = net.fit(X, y, epochs=100, lr=1.0, stop_when_solved=True)
    assert history.stop_reason == "solved"
    assert history.epochs == 0 and history.solved_epoch == 0
    assert len(history.loss) == 1
    assert net.params.tobytes() == before


def test_target_loss_stops_once_the_loss_is_low_enough(xor):
    X, y = xor
    net = _solvable_net()
    history = net.fit(X, y, epochs=5000, lr=0.1, loss="mse", optimizer="adam", target_loss=0.02)
    assert history.stop_reason == "target loss"
    assert history.loss[-1] <= 0.02 < history.loss[-2]
    assert history.loss[-1] == pytest.approx(net.loss(X, y, loss="mse"), rel=1e-15)
    assert len(history.loss) == history.epochs + 1


def test_max_epochs_runs_exactly_that_many(xor):
    X, y = xor
    history = _net().fit(X, y, epochs=7, lr=0.5)
    assert history.stop_reason == "max epochs"
    assert history.epochs == 7
    assert len(history.loss) == 8


# ================================================================= callbacks and History


def test_callbacks_are_called_once_per_epoch_after_the_update(xor):
    X, y = xor
    net = _net()
    calls = []

    def record(n, history):
        calls.append((n is net, history.epochs, n.loss(X, y)))

    net.fit(X, y, epochs=5, lr=0.5, callbacks=[record])
    assert [c[:2] for c in calls] == [(True, e) for e in range(1, 6)]
    hand = _net()
    for call in calls:
        _sgd_by_hand(hand, X, y, "mse", 0.5, epochs=1, batches=ALL)
        assert call[2] == pytest.approx(hand.loss(X, y), rel=1e-15)  # weights after the epoch


def test_a_callback_can_stop_the_run(xor):
    X, y = xor
    net = _net()
    seen = []
    history = net.fit(X, y, epochs=100, lr=0.5,
                      callbacks=[lambda n, h: seen.append(h.epochs),
                                 lambda n, h: h.epochs == 3])
    assert history.stop_reason == "callback"
    assert history.epochs == 3 and seen == [1, 2, 3]
    assert len(history.loss) == 4
    assert history.loss[-1] == pytest.approx(net.loss(X, y), rel=1e-15)
    hand = _sgd_by_hand(_net(), X, y, "mse", 0.5, epochs=3, batches=ALL)
    assert net.params.tobytes() == hand.params.tobytes()


def test_history_fields_agree_with_the_trained_network(xor):
    X, y = xor
    net = _net(seed=1)
    history = net.fit(X, y, epochs=50, lr=0.5, loss="mse")
    out = net.predict(X)
    assert history.epochs == 50
    assert all(isinstance(v, float) for v in history.loss)
    assert history.final_loss == history.loss[-1]
    assert history.final_loss == pytest.approx(float(np.mean((out - y) ** 2)), rel=1e-14)
    assert history.max_error == pytest.approx(np.abs(out - y).max(), rel=1e-15)
    assert history.solved == (history.max_error <= 0.1)
    right = [int(o >= 0.5) == t for o, t in zip(out.ravel(), y.ravel())]
    assert history.accuracy == sum(right) / 4
    assert history.wall_time >= 0.0
    assert net.training["loss"] == "mse" and net.training["epochs"] == 50


def test_accuracy_is_none_for_real_valued_targets():
    X = np.array([[0.0, 0.5], [1.0, 0.2]])
    y = np.array([[0.3], [0.7]])
    history = _net().fit(X, y, epochs=2, lr=0.1)
    assert history.accuracy is None


# ================================================================= failures


def _first_non_finite_epoch(net, X, y, loss, lr):
    """The epoch in which a weight or the loss first stops being finite, by hand."""
    with np.errstate(all="ignore"):
        for epoch in range(1, 1000):
            _sgd_by_hand(net, X, y, loss, lr, epochs=1, batches=ALL)
            if not np.isfinite(net.params).all() or not math.isfinite(net.loss(X, y, loss)):
                return epoch
    raise AssertionError("the hand loop never diverged")


def test_a_huge_learning_rate_raises_divergence_error_naming_the_epoch(xor):
    X, y = xor
    net = _net(output_activation="linear", bias=False, init="uniform01")
    expected_epoch = _first_non_finite_epoch(_clone(net), X, y, "sse", 1e6)
    with pytest.raises(DivergenceError) as info:
        net.fit(X, y, epochs=1000, lr=1e6, loss="sse")
    error = info.value
    assert isinstance(error, XornetError)
    assert error.epoch == expected_epoch
    message = str(error)
    assert f"epoch {expected_epoch}" in message
    assert "smaller learning rate" in message
    assert all(math.isfinite(v) for v in error.history.loss)


def test_saving_a_network_with_non_finite_weights_fails_and_writes_nothing(tmp_path):
    net = _net()
    net.params[3] = np.inf
    fresh = tmp_path / "model.json"
    with pytest.raises(XornetError, match="non-finite"):
        net.save(fresh)
    assert not fresh.exists()
    kept = tmp_path / "old.json"
    kept.write_text("an earlier model")
    net.params[3] = np.nan
    with pytest.raises(XornetError):
        net.save(kept)
    assert kept.read_text() == "an earlier model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]


@pytest.mark.parametrize("hidden, output, layer", [("step", "sigmoid", 1), ("sigmoid", "step", 2)])
def test_training_a_step_layer_names_the_layer(xor, hidden, output, layer):
    X, y = xor
    net = _net(activation=hidden, output_activation=output)
    before = net.params.tobytes()
    with pytest.raises(XornetError) as info:
        net.fit(X, y, epochs=5)
    assert f"layer {layer}" in str(info.value)
    assert "step" in str(info.value)
    assert net.params.tobytes() == before


@pytest.mark.parametrize(
    "field, settings",
    [
        ("epochs", {"epochs": 0}),
        ("epochs", {"epochs": -3}),
        ("epochs", {"epochs": 2.5}),
        ("lr", {"lr": -1}),
        ("lr", {"lr": 0.0}),
        ("lr", {"lr": math.nan}),
        ("lr", {"lr": math.inf}),
        ("optimizer", {"optimizer": "rmsprop"}),
        ("loss", {"loss": "hinge"}),
        ("batch_size", {"batch_size": 0}),
        ("momentum", {"momentum": 1.0}),
        ("momentum", {"momentum": -0.5}),
        ("momentum", {"optimizer": "adam", "momentum": 0.9}),
        ("seed", {"seed": -1}),
        ("tolerance", {"tolerance": 0.0}),
    ],
)
def test_bad_settings_raise_xornet_error_naming_the_field(xor, field, settings):
    X, y = xor
    net = _net()
    before = net.params.tobytes()
    with pytest.raises(XornetError) as info:
        net.fit(X, y, **settings)
    assert field in str(info.value)
    assert net.params.tobytes() == before


# ================================================================= determinism

_RUN = """
import numpy as np, xornet
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = np.array([[0.0], [1.0], [1.0], [0.0]])
net = xornet.Network([2, 4, 1], activation="tanh", output_activation="sigmoid",
                     init="xavier", seed=7)
net.fit(X, y, epochs=300, lr=0.05, loss="bce", batch_size=1, shuffle=True, seed=7,
        optimizer="adam")
print(net.params.tobytes().hex())
"""


def test_same_seed_gives_the_same_bits_in_this_process_and_in_two_others(tmp_path):
    namespace = {}
    exec(compile(_RUN.replace("print(", "result = ("), "<run>", "exec"), namespace)
    here = namespace["result"]
    again = {}
    exec(compile(_RUN.replace("print(", "result = ("), "<run>", "exec"), again)
    assert again["result"] == here

    outputs = []
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", _RUN], capture_output=True, text=True,
                              env=env, cwd=tmp_path, check=True, timeout=120)
        outputs.append(done.stdout.strip())
    assert outputs[0] == outputs[1] == here
    assert len(here) == 2 * 8 * 17  # 17 float64 parameters: 2·4 + 4 + 4·1 + 1


@pytest.mark.parametrize("name, momentum", [("sgd", 0.9), ("adam", 0.0)])
def test_an_optimizer_keeping_some_columns_continues_as_if_trained_on_those_alone(name, momentum):
    # Three models side by side on the last axis, one lr each; after two steps the middle one
    # is dropped. The other two must go on exactly as optimizers that only ever saw them.
    rng = np.random.default_rng(0)
    p0, grads = rng.normal(size=(5, 3)), [rng.normal(size=(5, 3)) for _ in range(4)]
    lrs = np.array([0.1, 0.2, 0.3])
    keep = np.array([True, False, True])
    together = p0.copy()
    opt = optimizers.make(name, lrs.copy(), momentum)
    for g in grads[:2]:
        opt.step([together], [g])
    together = together[:, keep]
    opt.keep_columns(keep)
    for g in grads[2:]:
        opt.step([together], [g[:, keep]])
    for c, column in zip(np.flatnonzero(keep), together.T, strict=True):
        alone = p0[:, c:c + 1].copy()
        one = optimizers.make(name, lrs[c], momentum)
        for g in grads:
            one.step([alone], [g[:, c:c + 1]])
        np.testing.assert_array_equal(column, alone[:, 0])


def test_stop_reasons_are_the_words_of_the_json_output():
    from xornet.train.trainer import StopReason

    assert [str(r) for r in StopReason] == [
        "solved", "solved and crisp", "solved, not crisp", "target loss", "max epochs",
        "callback", "not linearly separable", "diverged", "stalled", "early stopping"]
    assert json.dumps({"stop_reason": StopReason.MAX_EPOCHS}) == '{"stop_reason": "max epochs"}'


# --- bce needs targets in [0, 1] ---------------------------------------------------------------

# Targets 5, −3, 0.5: −(y·ln ŷ + (1 − y)·ln(1 − ŷ)) with y = 5 is 4·ln(1 − ŷ) − ... → −∞ as
# ŷ → 1, so "training" on them drives the loss negative without end. Every surface refuses.
REGRESSION_X = np.array([[0.0], [1.0], [2.0]])
REGRESSION_Y = np.array([[5.0], [-3.0], [0.5]])


def _refusals():
    from xornet.playground.stepper import Stepper
    from xornet.population.trainer import train_population
    from xornet.train.config import RunConfig, run

    cfg = RunConfig(hidden=(3,), loss="bce", epochs=10)
    X, y = REGRESSION_X, REGRESSION_Y
    return {
        "Network.fit": lambda: xornet.Network([1, 3, 1], seed=0).fit(X, y, loss="bce"),
        "config.run": lambda: run(cfg, X, y),
        "playground stepper": lambda: Stepper(cfg.build(1, 1), X, y, cfg),
        "population": lambda: train_population(cfg, X, y, 4, backend="numpy"),
    }


@pytest.mark.parametrize("surface", ["Network.fit", "config.run", "playground stepper",
                                     "population"])
def test_bce_on_targets_outside_0_1_is_refused_with_the_fix(surface):
    with pytest.raises(XornetError) as e:
        _refusals()[surface]()
    message = str(e.value)
    assert message.startswith("loss: bce needs targets between 0 and 1")
    assert "from -3 to 5" in message  # the data's own range
    assert "mse" in message and "linear" in message  # the fix
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


def test_bce_on_targets_inside_0_1_still_trains():
    # soft targets 0.2 and 0.7 are probabilities: bce is a loss there (≥ 0, least at ŷ = y)
    X, y = np.array([[0.0], [1.0]]), np.array([[0.2], [0.7]])
    history = xornet.Network([1, 3, 1], seed=0).fit(X, y, loss="bce", epochs=50)
    expected_floor = -np.mean(y * np.log(y) + (1 - y) * np.log(1 - y))  # bce at ŷ = y
    assert min(history.loss) >= expected_floor - 1e-12


def test_mse_on_targets_outside_0_1_trains():
    history = xornet.Network([1, 3, 1], output_activation="linear", seed=0).fit(
        REGRESSION_X, REGRESSION_Y, loss="mse", lr=0.01, epochs=20)
    assert all(value >= 0 for value in history.loss)
    assert history.loss[-1] < history.loss[0]
