"""Weight penalties (l2, l1), learning-rate schedules and per-layer learning rates.

Oracles: a plain-NumPy re-implementation of training written out in this file, finite
differences, hand-worked numbers, and the bits the trainer produced before these options
existed.
"""

import math

import numpy as np
import pytest

from xornet import Network, gradcheck
from xornet.core.layout import ParamLayout
from xornet.core.penalties import Penalty, weight_mask
from xornet.errors import XornetError
from xornet.io import datasets
from xornet.train import schedules
from xornet.train.config import RunConfig, run

X, Y = datasets.load("xor")


# --- a plain-NumPy 2-2-1 trainer, written without xornet ----------------------------------

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _plain_run(W1, b1, W2, b2, epochs, lrs, l2, l1, factor, momentum=0.0):
    """Full-batch gradient descent on the MSE (mean over the 4 rows) of a sigmoid 2-2-1,
    with E = mse + (l2/2)·Σw² + l1·Σ|w| over W1, W2, layer k stepping with lrs[k]·factor(t)
    in epoch t; momentum v ← μv − α·g. Returns the final (W1, b1, W2, b2) and the losses."""
    params = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]
    velocity = [np.zeros_like(p) for p in params]

    def loss_of(W1, b1, W2, b2):
        out = _sigmoid(_sigmoid(X @ W1 + b1) @ W2 + b2)
        data = np.mean((out - Y) ** 2)
        return data + 0.5 * l2 * (np.sum(W1**2) + np.sum(W2**2)) + l1 * (
            np.sum(np.abs(W1)) + np.sum(np.abs(W2)))

    losses = [loss_of(*params)]
    for t in range(epochs):
        W1, b1, W2, b2 = params
        h = _sigmoid(X @ W1 + b1)
        out = _sigmoid(h @ W2 + b2)
        d_out = 2.0 * (out - Y) / Y.size * out * (1.0 - out)
        d_h = (d_out @ W2.T) * h * (1.0 - h)
        grads = [X.T @ d_h + l2 * W1 + l1 * np.sign(W1), d_h.sum(axis=0),
                 h.T @ d_out + l2 * W2 + l1 * np.sign(W2), d_out.sum(axis=0)]
        step = [lrs[0], lrs[0], lrs[1], lrs[1]]
        for p, g, v, a in zip(params, grads, velocity, step, strict=True):
            v *= momentum
            v -= a * factor(t) * g
            p += v
        losses.append(loss_of(*params))
    return params, losses


def _start():
    net = Network([2, 2, 1], seed=4, init="uniform")
    return net, [a.copy() for a in (net.weights[0], net.biases[0], net.weights[1],
                                    net.biases[1])]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("spec, factor", [
    ("step:3:0.5", lambda t: 0.5 ** (t // 3)),
    ("exp:0.97", lambda t: 0.97 ** t),
    ("cosine", lambda t: 0.5 * (1 + math.cos(math.pi * t / 12))),
    ("constant", lambda t: 1.0),
])
def test_fit_with_l2_l1_per_layer_lr_and_a_schedule_is_the_plain_numpy_run(spec, factor,
                                                                            momentum):
    net, start = _start()
    history = net.fit(X, Y, epochs=12, lr=[0.7, 2.5], loss="mse", l2=0.03, l1=0.01,
                      lr_schedule=spec, momentum=momentum)
    params, losses = _plain_run(*start, 12, (0.7, 2.5), 0.03, 0.01, factor, momentum)
    for ours, theirs in zip((net.weights[0], net.biases[0], net.weights[1], net.biases[1]),
                            params, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    # History's loss is the total the optimizer minimises, penalty included
    np.testing.assert_allclose(history.loss, losses, rtol=0, atol=1e-12)


def test_adam_with_per_layer_rates_and_l2_is_the_plain_numpy_adam():
    net, (W1, b1, W2, b2) = _start()
    net.fit(X, Y, epochs=10, lr=[0.01, 0.05], loss="mse", optimizer="adam", l2=0.02)
    params = [W1, b1, W2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, 11):  # Kingma & Ba (2015), Algorithm 1, with β1 0.9, β2 0.999, ε 1e-8
        W1, b1, W2, b2 = params
        h = _sigmoid(X @ W1 + b1)
        out = _sigmoid(h @ W2 + b2)
        d_out = 2.0 * (out - Y) / Y.size * out * (1.0 - out)
        d_h = (d_out @ W2.T) * h * (1.0 - h)
        grads = [X.T @ d_h + 0.02 * W1, d_h.sum(axis=0), h.T @ d_out + 0.02 * W2,
                 d_out.sum(axis=0)]
        for k, (g, a) in enumerate(zip(grads, [0.01, 0.01, 0.05, 0.05], strict=True)):
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            params[k] = params[k] - a * (m[k] / (1 - 0.9**t)) / (
                np.sqrt(v[k] / (1 - 0.999**t)) + 1e-8)
    for ours, theirs in zip((net.weights[0], net.biases[0], net.weights[1], net.biases[1]),
                            params, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_online_training_adds_the_penalty_once_per_update():
    net, (W1, b1, W2, b2) = _start()
    history = net.fit(X, Y, epochs=3, lr=[0.5, 1.5], loss="sse", batch_size=1, l1=0.01,
                      lr_schedule="exp:0.5")
    for t in range(3):
        for row in range(4):  # in order: one update per row, each with the whole penalty
            x, y = X[row:row + 1], Y[row:row + 1]
            h = _sigmoid(x @ W1 + b1)
            out = _sigmoid(h @ W2 + b2)
            d_out = (out - y) * out * (1.0 - out)  # sse = ½·Σ(ŷ − y)²
            d_h = (d_out @ W2.T) * h * (1.0 - h)
            a1, a2 = 0.5 * 0.5**t, 1.5 * 0.5**t
            W1, b1, W2, b2 = (W1 - a1 * (x.T @ d_h + 0.01 * np.sign(W1)),
                              b1 - a1 * d_h.sum(axis=0),
                              W2 - a2 * (h.T @ d_out + 0.01 * np.sign(W2)),
                              b2 - a2 * d_out.sum(axis=0))
    for ours, theirs in zip((net.weights[0], net.biases[0], net.weights[1], net.biases[1]),
                            (W1, b1, W2, b2), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    out = _sigmoid(_sigmoid(X @ W1 + b1) @ W2 + b2)
    total = 0.5 * np.sum((out - Y) ** 2) + 0.01 * (np.abs(W1).sum() + np.abs(W2).sum())
    assert history.loss[-1] == pytest.approx(total, abs=1e-12)


def test_the_penalty_moves_the_weights_and_not_the_biases():
    """With a zero data gradient (targets equal to the outputs) only the weights shrink."""
    net = Network([2, 2, 1], seed=2, init="uniform")
    target = net.predict(X)
    before = net.params.copy()
    net.fit(X, target, epochs=1, lr=0.5, loss="mse", l2=0.2)
    mask = weight_mask(net.layout).astype(bool)
    np.testing.assert_allclose(net.params[mask], before[mask] * (1 - 0.5 * 0.2), atol=1e-15)
    np.testing.assert_array_equal(net.params[~mask], before[~mask])


# --- the same bits as before --------------------------------------------------------------

# The runs these keywords must leave alone (each also checked against a plain-NumPy
# trainer elsewhere in the suite): with l2 = l1 = 0 and a constant schedule, not one bit moves.
FITS = {"sgd": dict(lr=0.5), "momentum": dict(lr=0.5, momentum=0.9),
        "adam": dict(lr=0.05, optimizer="adam"), "script": dict(lr=0.5, update_order="script"),
        "online": dict(lr=0.5, batch_size=1, shuffle=True, seed=3)}


def test_no_penalty_and_no_schedule_give_the_bits_of_a_plain_run():
    plain, plain_history = run(RunConfig(), X, Y)
    net, history = run(RunConfig(l2=0.0, l1=0.0, lr_schedule="constant"), X, Y)
    np.testing.assert_array_equal(net.params, plain.params)
    np.testing.assert_array_equal(history.loss, plain_history.loss)
    for name, kw in FITS.items():
        a, b = Network([2, 3, 1], seed=1), Network([2, 3, 1], seed=1)
        ha = a.fit(X, Y, epochs=300, **kw)
        hb = b.fit(X, Y, epochs=300, l2=0.0, l1=0.0, lr_schedule="constant", **kw)
        np.testing.assert_array_equal(a.params, b.params, err_msg=name)
        np.testing.assert_array_equal(ha.loss, hb.loss, err_msg=name)
        assert not np.array_equal(a.params, Network([2, 3, 1], seed=1).params), name


@pytest.mark.parametrize("name", list(FITS))
def test_one_lr_per_layer_all_equal_gives_the_bits_of_one_lr(name):
    kw = dict(FITS[name])
    a = kw.pop("lr")
    one, per_layer = Network([2, 3, 1], seed=1), Network([2, 3, 1], seed=1)
    h1 = one.fit(X, Y, epochs=300, lr=a, l2=0.01, lr_schedule="exp:0.999", **kw)
    h2 = per_layer.fit(X, Y, epochs=300, lr=[a, a], l2=0.01, lr_schedule="exp:0.999", **kw)
    np.testing.assert_array_equal(one.params, per_layer.params)
    np.testing.assert_array_equal(h1.loss, h2.loss)


def test_per_layer_rates_change_the_run():
    """A test of the test above: different rates do give different weights."""
    one, per_layer = Network([2, 3, 1], seed=1), Network([2, 3, 1], seed=1)
    one.fit(X, Y, epochs=50, lr=0.5)
    per_layer.fit(X, Y, epochs=50, lr=[0.5, 0.6])
    assert not np.array_equal(one.params, per_layer.params)


# --- the script order with per-layer rates and a penalty ----------------------------------

def test_script_order_steps_each_layer_with_its_own_lr():
    net, (W1, b1, W2, b2) = _start()
    net.fit(X, Y, epochs=5, lr=[0.4, 3.0], loss="mse", l2=0.05, update_order="script",
            lr_schedule="step:2:0.5")
    for t in range(5):
        f = 0.5 ** (t // 2)
        h = _sigmoid(X @ W1 + b1)
        out = _sigmoid(h @ W2 + b2)
        d_out = 2.0 * (out - Y) / Y.size * out * (1.0 - out)
        W2 = W2 - 3.0 * f * (h.T @ d_out + 0.05 * W2)  # the output layer moves first ...
        b2 = b2 - 3.0 * f * d_out.sum(axis=0)
        d_h = (d_out @ W2.T) * h * (1.0 - h)  # ... and the delta goes down through the new W2
        W1 = W1 - 0.4 * f * (X.T @ d_h + 0.05 * W1)
        b1 = b1 - 0.4 * f * d_h.sum(axis=0)
    for ours, theirs in zip((net.weights[0], net.biases[0], net.weights[1], net.biases[1]),
                            (W1, b1, W2, b2), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


# --- the penalty itself: hand-worked numbers and finite differences -----------------------

def test_penalty_value_and_gradient_by_hand():
    net = Network.from_weights([[[1.0, -2.0], [0.0, 3.0]], [[-1.0], [0.5]]],
                               biases=[[10.0, -10.0], [7.0]])
    p = Penalty(net.layout, l2=0.1, l1=0.2)
    # Σw² = 1 + 4 + 0 + 9 + 1 + 0.25 = 15.25; Σ|w| = 1 + 2 + 0 + 3 + 1 + 0.5 = 7.5
    assert p.value(net.params) == pytest.approx(0.05 * 15.25 + 0.2 * 7.5, abs=1e-15)
    grad_W, grad_b = net.layout.unflatten(p.gradient(net.params))
    # λ2·w + λ1·sign(w), sign(0) = 0; the biases get nothing
    np.testing.assert_allclose(grad_W[0], [[0.1 + 0.2, -0.2 - 0.2], [0.0, 0.3 + 0.2]])
    np.testing.assert_allclose(grad_W[1], [[-0.1 - 0.2], [0.05 + 0.2]])
    assert all(np.all(b == 0.0) for b in grad_b)


def test_weight_mask_and_per_layer_follow_the_layout():
    layout = ParamLayout((2, 2, 1), bias=True)  # W1 0..3, b1 4..5, W2 6..7, b2 8
    np.testing.assert_array_equal(weight_mask(layout), [1, 1, 1, 1, 0, 0, 1, 1, 0])
    np.testing.assert_array_equal(layout.per_layer([0.5, 2.0]), [0.5] * 6 + [2.0] * 3)
    no_bias = ParamLayout((2, 3, 1), bias=False)
    np.testing.assert_array_equal(weight_mask(no_bias), np.ones(9))
    np.testing.assert_array_equal(no_bias.per_layer([1.0, 4.0]), [1.0] * 6 + [4.0] * 3)
    with pytest.raises(XornetError, match="one per weight layer"):
        layout.per_layer([1.0])


@pytest.mark.parametrize("loss", ["mse", "bce", "sse"])
def test_gradcheck_with_penalties(loss):
    net = Network([2, 3, 1], seed=5, init="normal")  # no weight within h of the |w| kink
    assert np.min(np.abs(net.params[weight_mask(net.layout) == 1])) > 1e-3
    assert gradcheck(net, X, Y, loss=loss, l2=0.3, l1=0.2) < 1e-7


def test_gradcheck_sees_the_penalty():
    """The numeric slope of the total loss differs from the data gradient by λ2·w + λ1·sign(w):
    computed here by hand, the check would fail without the penalty's analytic term."""
    net = Network([2, 3, 1], seed=5, init="normal")
    h = 1e-6
    numeric = np.empty(net.n_params)
    for i in range(net.n_params):
        old = net.params[i]
        net.params[i] = old + h
        up = net.loss(X, Y) + Penalty(net.layout, 0.3, 0.2).value(net.params)
        net.params[i] = old - h
        down = net.loss(X, Y) + Penalty(net.layout, 0.3, 0.2).value(net.params)
        net.params[i] = old
        numeric[i] = (up - down) / (2 * h)
    dW, db = net.gradients(X, Y)
    data = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(dW, db, strict=True)])
    mask = weight_mask(net.layout)
    expected = data + mask * (0.3 * net.params + 0.2 * np.sign(net.params))
    np.testing.assert_allclose(numeric, expected, atol=1e-8)
    assert np.max(np.abs(numeric - data)) > 0.1  # the penalty is far from negligible here


# --- schedules: hand-worked factors -------------------------------------------------------

@pytest.mark.parametrize("spec, epochs, expected", [
    ("constant", 5, [1, 1, 1, 1, 1]),
    ("step:2:0.5", 5, [1, 1, 0.5, 0.5, 0.25]),
    ("step:3", 7, [1, 1, 1, 0.5, 0.5, 0.5, 0.25]),
    ("exp:0.5", 4, [1, 0.5, 0.25, 0.125]),
    ("cosine", 4, [1, (1 + math.sqrt(0.5)) / 2, 0.5, (1 - math.sqrt(0.5)) / 2]),
    ("cosine:0.2", 2, [1.0, 0.2 + 0.8 * 0.5]),
    (" Step:1:0.1 ", 3, [1, 0.1, 0.01]),
    ("cosine", 2, [1.0, 0.5]),
    ("step:1", 2, [1.0, 0.5]),
])
def test_schedule_factors(spec, epochs, expected):
    f = schedules.parse(spec, epochs)
    np.testing.assert_allclose([f(t) for t in range(epochs)], expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("spec", ["", "linear", "step", "step:0", "step:2.5:0.5", "step:2:0",
                                  "step:2:nan", "exp", "exp:1.5", "exp:0", "exp:-0.1",
                                  "cosine:2", "cosine:-1", "constant:1", "step:1:2:3", 3,
                                  "step:1:2", "step:10:1.0001", "step:1:1e308"])
def test_bad_schedules_are_refused_naming_the_field(spec):
    with pytest.raises(XornetError, match=r"^lr_schedule: "):
        schedules.parse(spec, 100)
    with pytest.raises(XornetError, match=r"^lr_schedule: "):
        RunConfig(lr_schedule=spec).check()


# --- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("l2", -0.1), ("l2", math.nan), ("l2", math.inf), ("l1", -1), ("l1", "0.1"), ("l2", True),
])
def test_bad_penalties_are_refused(field, value):
    with pytest.raises(XornetError, match=rf"^{field}: expected a finite number ≥ 0"):
        RunConfig(**{field: value}).check()
    with pytest.raises(XornetError, match=rf"^{field}: "):
        Network([2, 2, 1]).fit(X, Y, epochs=1, **{field: value})


@pytest.mark.parametrize("lr, match", [
    ([0.5, 2.0, 1.0], "3 learning rates given for a network of 2 weight layers"),
    ([0.5], "1 learning rates given for a network of 2 weight layers"),
    ([], "the list of learning rates is empty"),
    ([0.5, -1.0], "expected a finite number > 0"),
    ([0.5, math.nan], "expected a finite number > 0"),
])
def test_bad_per_layer_rates_are_refused(lr, match):
    with pytest.raises(XornetError, match=rf"^lr: {match}"):
        Network([2, 2, 1]).fit(X, Y, epochs=1, lr=lr)


def test_per_layer_rates_are_counted_against_the_config_network():
    RunConfig(hidden=(3, 3), lr=(1.0, 2.0, 3.0)).check()
    with pytest.raises(XornetError, match=r"^lr: 2 learning rates given for a network of 3"):
        RunConfig(hidden=(3, 3), lr=(1.0, 2.0)).check()
    assert RunConfig(lr=[1.0, 2.0]).lr == (1.0, 2.0)  # a list is kept as a tuple


@pytest.mark.parametrize("change", [dict(l2=0.1), dict(l1=0.1), dict(lr_schedule="exp:0.9"),
                                    dict(lr=(1.0,))])
def test_the_perceptron_rule_takes_no_penalty_schedule_or_per_layer_lr(change):
    cfg = RunConfig(optimizer="perceptron", momentum=0.0, hidden=(), output_activation="step",
                    batch_size=1, **change)
    with pytest.raises(XornetError, match=rf"^{next(iter(change))}: the perceptron rule"):
        cfg.check()


def test_the_training_record_keeps_the_rates_the_penalty_and_the_schedule(tmp_path):
    from xornet import load

    net = Network([2, 2, 1], seed=1)
    net.fit(X, Y, epochs=20, lr=[0.5, 2.0], l2=0.01, lr_schedule="step:10:0.5")
    assert net.training["lr"] == [0.5, 2.0]
    assert (net.training["l2"], net.training["lr_schedule"]) == (0.01, "step:10:0.5")
    assert "l1" not in net.training  # only what was used
    net.save(tmp_path / "m.json")
    again = load(tmp_path / "m.json")
    assert again.training["lr"] == [0.5, 2.0]
    assert again.training["l2"] == 0.01
    plain = Network([2, 2, 1], seed=1)
    plain.fit(X, Y, epochs=5)
    assert not {"l1", "l2", "lr_schedule"} & set(plain.training)


def test_run_config_as_dict_is_json_ready():
    import json

    d = RunConfig(lr=(0.5, 2.0), l2=0.1, lr_schedule="cosine").as_dict()
    assert json.loads(json.dumps(d))["lr"] == [0.5, 2.0]
    assert (d["l2"], d["l1"], d["lr_schedule"]) == (0.1, 0.0, "cosine")


def test_the_population_trainer_refuses_what_it_does_not_have():
    from xornet.population.setup import make_setup

    for change in (dict(l2=0.1), dict(l1=0.1), dict(lr_schedule="step:10:0.5")):
        name = next(iter(change))
        with pytest.raises(XornetError, match=rf"^{name}: the population trainer has no"):
            make_setup(RunConfig(**change), X, Y, 4)
    make_setup(RunConfig(l2=0.0, lr_schedule="constant"), X, Y, 4)  # the defaults pass
