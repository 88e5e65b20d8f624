"""Tests for xornet.train.presets: each preset is the table in PRODUCT.md, and each reproduces what
its tutorial printed (outputs near 0.01 / 0.99, XOR solved, online updates in order)."""

import dataclasses
import math

import numpy as np
import pytest

import xornet
from xornet.errors import XornetError
from xornet.train import config, presets

# Every field of RunConfig, as PRODUCT.md's table fixes it. Fields the table leaves open
# ("chosen by us") are None here and checked for sanity below; seed, shuffle, momentum,
# tolerance and target_loss are the defaults the table implies (one seed, in order, plain
# gradient descent, "solved" = within 0.1, no loss target); only the default run stops
# when solved.
TABLE = {
    "classic": dict(
        hidden=(3,), activation="sigmoid", output_activation="sigmoid", bias=False,
        init="uniform01", loss="sse", optimizer="sgd", momentum=0.0, lr=1.0, epochs=60000,
        batch_size=None, shuffle=False, seed=0, tolerance=0.1, stop_when_solved=False,
        target_loss=None,
    ),
    "classic-linear-out": dict(
        hidden=(3,), activation="sigmoid", output_activation="linear", bias=False,
        init="uniform01", loss="sse", optimizer="sgd", momentum=0.0, lr=0.1, epochs=20000,
        batch_size=None, shuffle=False, seed=0, tolerance=0.1, stop_when_solved=False,
        target_loss=None,
    ),
    "relu-online": dict(
        hidden=(3,), activation="relu", output_activation="linear", bias=False,
        init="uniform", loss="sse", optimizer="sgd", momentum=0.0, lr=0.2, epochs=60,
        batch_size=1, shuffle=False, seed=0, tolerance=0.1, stop_when_solved=False,
        target_loss=None,
    ),
    "bias-2-2-1": dict(
        hidden=(2,), activation="sigmoid", output_activation="sigmoid", bias=True,
        init="uniform01", loss="mse", optimizer="sgd", momentum=0.0, lr=None, epochs=None,
        batch_size=None, shuffle=False, seed=0, tolerance=0.1, stop_when_solved=False,
        target_loss=None,
    ),
}


def test_the_presets_are_the_four_tutorials_and_the_default():
    assert set(presets.NAMES) == {*TABLE, "default"}


@pytest.mark.parametrize("name", list(TABLE))
def test_preset_settings_are_the_table_in_product_md(name):
    preset = presets.get(name)
    actual = dataclasses.asdict(preset)
    actual["hidden"] = tuple(actual["hidden"])
    expected = TABLE[name]
    assert set(actual) == set(expected), "RunConfig gained a field: add it to TABLE"
    for field, want in expected.items():
        if want is None and field in ("lr", "epochs"):
            continue  # chosen by us: checked below
        assert actual[field] == want, field
        assert type(actual[field]) is type(want), field  # 1.0 not 1, 60000 not 60000.0


def test_bias_2_2_1_chosen_settings_are_sane():
    preset = presets.get("bias-2-2-1")
    assert isinstance(preset.lr, float) and math.isfinite(preset.lr) and preset.lr > 0
    assert isinstance(preset.epochs, int) and preset.epochs >= 1


def test_the_default_run_stops_when_solved_within_0_1():
    preset = presets.get("default")
    assert preset.stop_when_solved is True
    assert preset.tolerance == 0.1
    assert preset == config.RunConfig()  # "(default)" is the RunConfig defaults


@pytest.mark.parametrize(
    "name, sizes, activations, n_params",
    [
        ("classic", [2, 3, 1], ["sigmoid", "sigmoid"], 9),  # 2·3 + 3·1, no bias
        ("classic-linear-out", [2, 3, 1], ["sigmoid", "linear"], 9),
        ("relu-online", [2, 3, 1], ["relu", "linear"], 9),
        ("bias-2-2-1", [2, 2, 1], ["sigmoid", "sigmoid"], 9),  # 2·2 + 2 + 2·1 + 1
    ],
)
def test_preset_builds_the_network_of_the_table(name, sizes, activations, n_params):
    net = presets.get(name).build(2, 1)
    assert net.sizes == sizes
    assert net.activations == activations
    assert net.n_params == n_params


def test_unknown_preset_lists_the_valid_names():
    with pytest.raises(XornetError) as info:
        presets.get("tutorial")
    for name in presets.NAMES:
        assert name in str(info.value)


# ================================================================= what each preset prints


def test_classic_ends_near_one_hundredth_and_ninety_nine_hundredths(xor):
    X, y = xor
    net, history = config.run(presets.get("classic"), X, y)
    out = net.predict(X).ravel()
    assert history.epochs == 60000 and history.stop_reason == "max epochs"
    assert out[0] < 0.03 and out[3] < 0.03  # targets 0
    assert out[1] > 0.97 and out[2] > 0.97  # targets 1


def test_classic_linear_out_solves_xor(xor):
    X, y = xor
    net, history = config.run(presets.get("classic-linear-out"), X, y)
    assert history.epochs == 20000
    assert np.abs(net.predict(X) - y).max() < 0.1


def _online_by_hand(net, X, y, lr, epochs):
    """One sse update per row, rows in order: θ ← θ − α·∂E/∂θ, four updates per epoch."""
    for _ in range(epochs):
        for i in range(len(X)):
            dW, _ = net.gradients(X[i:i + 1], y[i:i + 1], loss="sse")  # no bias in this preset
            for W, g in zip(net.weights, dW):
                W -= lr * g
    return net


def test_relu_online_is_sixty_epochs_of_in_order_online_updates(xor):
    X, y = xor
    preset = presets.get("relu-online")
    for epochs in (1, 3):
        net, history = config.run(preset.with_(epochs=epochs), X, y)
        hand = _online_by_hand(preset.build(2, 1), X, y, lr=0.2, epochs=epochs)
        assert history.epochs == epochs
        assert net.params.tobytes() == hand.params.tobytes()
    net, history = config.run(preset, X, y)
    hand = _online_by_hand(preset.build(2, 1), X, y, lr=0.2, epochs=60)
    assert history.epochs == 60 and len(history.loss) == 61
    assert net.params.tobytes() == hand.params.tobytes()


def test_relu_online_runs_more_epochs_on_request(xor):
    X, y = xor
    _, history = config.run(presets.get("relu-online").with_(epochs=150), X, y)
    assert history.epochs == 150


def test_bias_2_2_1_solves_xor_for_its_seed(xor):
    X, y = xor
    preset = presets.get("bias-2-2-1")
    assert preset.seed == 0
    net, _ = config.run(preset, X, y)
    assert np.abs(net.predict(X) - y).max() < 0.1


def test_the_default_preset_solves_xor_for_every_one_of_200_seeds(xor):
    X, y = xor
    unsolved = {}
    for seed in range(200):
        net, _ = config.run(presets.get("default").with_(seed=seed), X, y)
        error = float(np.abs(net.predict(X) - y).max())
        if not error <= 0.1:
            unsolved[seed] = round(error, 3)
    assert unsolved == {}, f"seeds whose outputs are not all within 0.1: {unsolved}"


def test_a_preset_run_is_the_same_as_network_fit(xor):
    # config.run is only a shortcut: the same network trained by Network.fit gives the same bits
    X, y = xor
    preset = presets.get("bias-2-2-1").with_(epochs=200)
    net, _ = config.run(preset, X, y)
    by_hand = xornet.Network([2, 2, 1], activation="sigmoid", output_activation="sigmoid",
                             bias=True, init="uniform01", seed=0)
    by_hand.fit(X, y, epochs=200, lr=preset.lr, loss="mse")
    assert net.params.tobytes() == by_hand.params.tobytes()
