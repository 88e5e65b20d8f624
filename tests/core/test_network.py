"""Tests for xornet.Network, its initialisers and xornet.core.gradcheck.

Oracles: numbers worked by hand beside each assertion, a published worked example (Matt
Mazur, "A Step by Step Backpropagation Example", 2015), central finite differences computed
here (not by the library), and the distributions' defining properties.
"""

import dataclasses
import itertools
import math
import re

import numpy as np
import pytest

import xornet
from xornet.core import activations, initializers, losses
from xornet.errors import XornetError

# ================================================================= initialisers

RANDOM_INITS = ["uniform01", "uniform", "normal", "xavier", "he"]


@pytest.fixture
def global_rng_restored():
    """Seed the legacy global RNG for a test and put its state back afterwards."""
    saved = np.random.get_state()
    np.random.seed(1234)
    yield
    np.random.set_state(saved)


def test_uniform01_lies_in_zero_one():
    W, b = initializers.uniform01(np.random.default_rng(0), 200, 300)
    assert W.shape == (200, 300) and b.shape == (300,)
    for a in (W, b):
        assert a.dtype == np.float64
        assert a.min() >= 0.0 and a.max() < 1.0
    assert W.min() < 0.001 and W.max() > 0.999  # fills the interval
    assert abs(W.mean() - 0.5) < 0.01  # mean of U[0, 1) is ½


def test_uniform_lies_in_minus_one_one():
    W, b = initializers.uniform(np.random.default_rng(0), 200, 300)
    for a in (W, b):
        assert a.min() >= -1.0 and a.max() < 1.0
    assert W.min() < -0.999 and W.max() > 0.999
    assert abs(W.mean()) < 0.01


def test_xavier_bound_is_sqrt_six_over_fan_in_plus_fan_out():
    # n_in = 2, n_out = 3: r = √(6/5) = 1.0954451150103321
    W, b = initializers.xavier(np.random.default_rng(1), 2, 3)
    assert np.abs(W).max() <= 1.0954451150103321
    # a big draw reaches the bound: n_in = 50, n_out = 40, r = √(6/90) = 0.2581988897471611
    W, b = initializers.xavier(np.random.default_rng(2), 50, 40)
    assert np.abs(W).max() <= 0.2581988897471611
    assert np.abs(W).max() > 0.99 * 0.2581988897471611
    assert np.all(b == 0.0)


def test_he_standard_deviation_is_sqrt_two_over_fan_in():
    # n_in = 50: σ = √(2/50) = 0.2; 200 000 draws estimate σ to about 0.2 %
    W, b = initializers.he(np.random.default_rng(3), 50, 4000)
    assert W.std() == pytest.approx(0.2, rel=0.01)
    assert abs(W.mean()) < 0.005
    assert np.all(b == 0.0)


def test_normal_is_standard():
    W, _ = initializers.normal(np.random.default_rng(4), 200, 1000)
    assert W.std() == pytest.approx(1.0, rel=0.01)
    assert abs(W.mean()) < 0.01


def test_zeros_is_all_zero():
    W, b = initializers.zeros(np.random.default_rng(5), 3, 4)
    assert W.shape == (3, 4) and b.shape == (4,)
    assert not W.any() and not b.any()


@pytest.mark.parametrize("name", RANDOM_INITS)
def test_same_seed_same_bits_and_another_seed_other_bits(name):
    init = initializers.get(name)
    W1, b1 = init(np.random.default_rng(42), 5, 7)
    W2, b2 = init(np.random.default_rng(42), 5, 7)
    W3, _ = init(np.random.default_rng(43), 5, 7)
    assert W1.tobytes() == W2.tobytes() and b1.tobytes() == b2.tobytes()
    assert W1.tobytes() != W3.tobytes()


@pytest.mark.parametrize("name", [*RANDOM_INITS, "zeros"])
def test_initialisers_draw_from_the_given_generator_only(name, global_rng_restored):
    rng = np.random.default_rng(9)
    initializers.get(name)(rng, 4, 6)
    after_init = np.random.random(3)  # the global stream, had the initialiser touched it
    np.random.seed(1234)
    assert np.random.random(3).tobytes() == after_init.tobytes()
    # ... and it did draw from the Generator it was given (zeros needs no randomness)
    moved = rng.random() != np.random.default_rng(9).random()
    assert moved == (name != "zeros")


def test_network_construction_leaves_the_global_rng_alone(global_rng_restored):
    xornet.Network([2, 5, 1], init="normal", seed=3)
    after = np.random.random(3)
    np.random.seed(1234)
    assert np.random.random(3).tobytes() == after.tobytes()


def test_network_draws_w_then_b_layer_by_layer_from_its_seed():
    net = xornet.Network([2, 3, 1], init="uniform01", seed=7)
    rng = np.random.default_rng(7)
    W1, b1, W2, b2 = rng.random((2, 3)), rng.random(3), rng.random((3, 1)), rng.random(1)
    np.testing.assert_array_equal(net.weights[0], W1)
    np.testing.assert_array_equal(net.biases[0], b1)
    np.testing.assert_array_equal(net.weights[1], W2)
    np.testing.assert_array_equal(net.biases[1], b2)


def test_same_seed_gives_the_same_network_and_another_seed_another():
    a = xornet.Network([2, 4, 1], init="xavier", seed=11)
    b = xornet.Network([2, 4, 1], init="xavier", seed=11)
    c = xornet.Network([2, 4, 1], init="xavier", seed=12)
    assert a.params.tobytes() == b.params.tobytes()
    assert a.params.tobytes() != c.params.tobytes()


def test_unknown_initialiser_lists_the_valid_names():
    with pytest.raises(XornetError) as info:
        xornet.Network([2, 2, 1], init="glorot")
    for name in [*RANDOM_INITS, "zeros"]:
        assert name in str(info.value)


# ================================================================= shapes, repr, copies


def test_weights_and_biases_have_the_documented_shapes_and_dtype():
    net = xornet.Network([3, 5, 4, 2], seed=0)
    assert [w.shape for w in net.weights] == [(3, 5), (5, 4), (4, 2)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (2,)]
    assert all(w.dtype == np.float64 for w in net.weights)
    assert xornet.Network([3, 5, 2], bias=False).biases is None
    assert net.predict(np.zeros((7, 3))).shape == (7, 2)


@pytest.mark.parametrize(
    "sizes, bias, count",
    [
        ([2, 3, 1], True, 13),  # 2·3 + 3 + 3·1 + 1
        ([2, 3, 1], False, 9),  # 2·3 + 3·1
        ([2, 4, 4, 1], True, 37),  # 2·4 + 4 + 4·4 + 4 + 4·1 + 1
        ([3, 5, 2], False, 25),  # 3·5 + 5·2
    ],
)
def test_repr_names_sizes_activations_and_parameter_count(sizes, bias, count):
    net = xornet.Network(sizes, activation="tanh", output_activation="sigmoid", bias=bias)
    formula = sum(i * o + (o if bias else 0) for i, o in itertools.pairwise(sizes))
    assert count == formula == net.n_params
    text = repr(net)
    assert re.search(r"\D+".join(str(s) for s in sizes), text)  # sizes, in order
    assert "tanh" in text and "sigmoid" in text
    assert re.search(rf"(?<!\d){count}(?!\d)", text)


def test_gradients_are_copies_in_the_shapes_of_the_parameters(xor):
    X, y = xor
    net = xornet.Network([2, 3, 1], seed=1)
    dW, db = net.gradients(X, y, loss="mse")
    assert [d.shape for d in dW] == [w.shape for w in net.weights]
    assert [d.shape for d in db] == [b.shape for b in net.biases]
    kept = [d.copy() for d in dW + db]
    for d in dW + db:
        d[...] = 99.0  # writing into the result must not reach the network
    assert not np.any(net.grads == 99.0)
    net.gradients(X[:1], y[:1] + 5.0, loss="sse")  # a different gradient ...
    dW2, db2 = net.gradients(X, y, loss="mse")  # ... and back: the same numbers
    for a, b in zip(dW2 + db2, kept):
        np.testing.assert_array_equal(a, b)


def test_gradients_have_no_bias_part_without_bias(xor):
    X, y = xor
    dW, db = xornet.Network([2, 3, 1], bias=False).gradients(X, y)
    assert db is None
    assert [d.shape for d in dW] == [(2, 3), (3, 1)]


def test_from_weights_copies_the_callers_arrays(xor):
    X, y = xor
    W1, W2 = np.full((2, 2), 0.5), np.array([[1.0], [-1.0]])
    b1, b2 = np.array([0.1, -0.1]), np.array([0.2])
    originals = [a.copy() for a in (W1, W2, b1, b2)]
    net = xornet.Network.from_weights([W1, W2], biases=[b1, b2])
    net.fit(X, y, epochs=3, lr=1.0)
    assert not np.array_equal(net.weights[0], W1)  # the network did change ...
    for a, orig in zip((W1, W2, b1, b2), originals):
        np.testing.assert_array_equal(a, orig)  # ... the caller's arrays did not


def test_predict_returns_a_fresh_array():
    net = xornet.Network([2, 2, 1], seed=0)
    X = np.array([[0.0, 1.0]])
    out = net.predict(X)
    out[...] = 42.0
    assert net.predict(X)[0, 0] != 42.0


# ================================================================= worked by hand


def test_forward_and_backward_of_a_2_2_1_network_worked_by_hand():
    # one sample x = (1, 0.5), target 1, mse (= (ŷ − y)² for one sample)
    net = xornet.Network.from_weights(
        [[[0.1, 0.4], [0.2, -0.3]], [[0.5], [-0.6]]],
        biases=[[0.3, 0.1], [0.2]],
        activations=["sigmoid", "sigmoid"],
    )
    X, y = np.array([[1.0, 0.5]]), np.array([[1.0]])
    y_hat = net.predict(X)
    hidden, out = net.layers
    # net inputs of the hidden units: 1·0.1 + 0.5·0.2 + 0.3 = 0.5;  1·0.4 + 0.5·(−0.3) + 0.1 = 0.35
    np.testing.assert_allclose(hidden.z, [[0.5, 0.35]], rtol=1e-15)
    # h = σ(0.5) = 0.6224593312018546, σ(0.35) = 0.5866175789173301
    np.testing.assert_allclose(hidden.a, [[0.6224593312018546, 0.5866175789173301]], rtol=1e-14)
    # output net input: 0.5·0.62245933 − 0.6·0.58661758 + 0.2 = 0.15925911825052924
    np.testing.assert_allclose(out.z, [[0.15925911825052924]], rtol=1e-13)
    # ŷ = σ(0.15925912) = 0.5397308390553127
    np.testing.assert_allclose(y_hat, [[0.5397308390553127]], rtol=1e-14)
    # E = (0.53973084 − 1)² = 0.21184770051672644
    assert net.loss(X, y, loss="mse") == pytest.approx(0.21184770051672644, rel=1e-13)

    dW, db = net.gradients(X, y, loss="mse")
    # ∂E/∂ŷ = 2(ŷ − y) = −0.9205383218893746;  σ′ = ŷ(1 − ŷ) = 0.24842146042796084
    # δ₂ = −0.92053832 · 0.24842146 = −0.22868147430366276 = ∂E/∂b₂ (one sample)
    np.testing.assert_allclose(db[1], [-0.22868147430366276], rtol=1e-12)
    # ∂E/∂W₂ = h · δ₂ = (0.62245933, 0.58661758) · −0.22868147
    np.testing.assert_allclose(
        dW[1], [[-0.14234491755331202], [-0.1341485727992603]], rtol=1e-12
    )
    # back to the hidden units: δ₂·W₂ = (−0.11434073715183138, 0.13720888458219765),
    # times σ′(z₁) = h(1 − h) = (0.2350037122015945, 0.2424973950225001):
    # δ₁ = (−0.026870497686547146, 0.03327279708512581) = ∂E/∂b₁
    np.testing.assert_allclose(db[0], [-0.026870497686547146, 0.03327279708512581], rtol=1e-12)
    # ∂E/∂W₁ = xᵀ · δ₁: row 1 is 1·δ₁, row 2 is 0.5·δ₁
    np.testing.assert_allclose(
        dW[0],
        [[-0.026870497686547146, 0.03327279708512581],
         [-0.013435248843273573, 0.016636398542562904]],
        rtol=1e-12,
    )


def test_mazur_step_by_step_backpropagation_example():
    # Matt Mazur (2015): 2-2-2 sigmoid, inputs 0.05, 0.10, targets 0.01, 0.99,
    # E = Σ ½(target − out)² (our sse for one sample), one shared bias per layer, α = 0.5.
    # His w1..w8 in our (n_in, n_out) layout: W1 = [[w1, w3], [w2, w4]], W2 = [[w5, w7], [w6, w8]]
    net = xornet.Network.from_weights(
        [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
        biases=[[0.35, 0.35], [0.60, 0.60]],
    )
    X, y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    np.testing.assert_allclose(net.layers[0].forward(X), [[0.593269992, 0.596884378]], atol=1e-9)
    np.testing.assert_allclose(net.predict(X), [[0.75136507, 0.772928465]], atol=1e-8)
    assert net.loss(X, y, loss="sse") == pytest.approx(0.298371109, abs=1e-9)
    dW, _ = net.gradients(X, y, loss="sse")
    assert dW[1][0, 0] == pytest.approx(0.082167041, abs=1e-9)  # ∂E/∂w5
    # his updated weights w⁺ = w − 0.5·∂E/∂w (he leaves the biases alone)
    W1_new = net.weights[0] - 0.5 * dW[0]
    W2_new = net.weights[1] - 0.5 * dW[1]
    np.testing.assert_allclose(W2_new, [[0.35891648, 0.511301270], [0.408666186, 0.561370121]],
                               atol=1e-8)
    np.testing.assert_allclose(W1_new, [[0.149780716, 0.24975114], [0.19956143, 0.29950229]],
                               atol=1e-8)


def test_hand_built_xor_network_with_step_units():
    # h1 = OR (x1 + x2 − 0.5 ≥ 0), h2 = AND (x1 + x2 − 1.5 ≥ 0), out = h1 AND NOT h2
    net = xornet.Network.from_weights(
        [[[1.0, 1.0], [1.0, 1.0]], [[1.0], [-1.0]]],
        biases=[[-0.5, -1.5], [-0.5]],
        activations=["step", "step"],
    )
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    assert net.predict(X).ravel().tolist() == [0.0, 1.0, 1.0, 0.0]


# ================================================================= finite differences

ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
ARCHS = [[2, 3, 1], [2, 4, 4, 1], [3, 5, 2]]
KINKED = {"relu", "leaky_relu"}
CASES = [
    (hidden, output, loss, sizes, bias)
    for hidden, output, sizes, bias in itertools.product(ACTS, ACTS, ARCHS, [True, False])
    for loss in ["mse", "sse", *(["bce"] if output == "sigmoid" else [])]
]


def _case(hidden, output, sizes, bias):
    """A float64 network and data (X, y) with no ReLU unit's net input within 1e-3 of the
    kink, every ReLU unit active on some sample and some unit below its kink, so the finite
    differences see a smooth function and every branch of the derivative is exercised."""
    for seed in range(100):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(5, sizes[0]))
        net = xornet.Network(sizes, activation=hidden, output_activation=output, bias=bias,
                             init="uniform", seed=seed)
        net.forward(X)
        smooth = all(
            np.abs(layer.z).min() > 1e-3 and (layer.z > 0).any(axis=0).all()
            and (layer.z < 0).any()
            for layer in net.layers if layer.activation.name in KINKED
        )
        if smooth:
            y = rng.uniform(size=(5, sizes[-1]))  # in [0, 1): valid targets for bce too
            return net, X, y
    raise AssertionError("no seed keeps every ReLU away from its kink")


def _central_differences(net, X, y, loss, h=1e-6):
    """∂E/∂θ for every parameter by (E(θ + h) − E(θ − h)) / 2h, computed here, not by xornet."""
    loss_fn = losses.get(loss)
    numeric = np.empty_like(net.params)
    for i in range(net.params.size):
        old = net.params[i]
        net.params[i] = old + h
        up = loss_fn.value(net.predict(X), y)
        net.params[i] = old - h
        down = loss_fn.value(net.predict(X), y)
        net.params[i] = old
        numeric[i] = (up - down) / (2 * h)
    return numeric


def _ids(case):
    hidden, output, loss, sizes, bias = case
    return f"{hidden}-{output}-{loss}-{'x'.join(map(str, sizes))}-{'bias' if bias else 'nobias'}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_backprop_agrees_with_central_differences(case):
    hidden, output, loss, sizes, bias = case
    net, X, y = _case(hidden, output, sizes, bias)
    assert net.params.dtype == np.float64
    dW, db = net.gradients(X, y, loss=loss)
    analytic = np.concatenate([np.concatenate([w.ravel(), b.ravel()]) if bias else w.ravel()
                               for w, b in zip(dW, db or [None] * len(dW))])
    numeric = _central_differences(net, X, y, loss)
    assert np.abs(numeric).max() > 1e-3  # a real slope, not a flat (dead) network
    # float64 differences with h = 1e-6 resolve a slope to ~1e-9 of the loss's scale
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_gradcheck_is_below_1e_7(case):
    hidden, output, loss, sizes, bias = case
    net, X, y = _case(hidden, output, sizes, bias)
    before = net.params.tobytes()
    assert xornet.gradcheck(net, X, y, loss) < 1e-7
    assert net.params.tobytes() == before  # gradcheck leaves the weights as they were


def _corrupt_registry(monkeypatch, module, name, **changes):
    broken = dataclasses.replace(module.get(name), **changes)
    monkeypatch.setitem(module._REGISTRY, name, broken)


def test_gradcheck_catches_a_wrong_activation_derivative(monkeypatch):
    net, X, y = _case("sigmoid", "sigmoid", [2, 3, 1], True)
    assert xornet.gradcheck(net, X, y, "mse") < 1e-6
    # σ′ off by 10 %: backprop now disagrees with the finite differences of σ itself
    _corrupt_registry(monkeypatch, activations, "sigmoid",
                      derivative=lambda z, a: 1.1 * a * (1.0 - a))
    broken = xornet.Network.from_weights(net.weights, net.biases, ["sigmoid", "sigmoid"])
    assert xornet.gradcheck(broken, X, y, "mse") > 1e-2


def test_gradcheck_catches_a_wrong_loss_gradient(monkeypatch):
    net, X, y = _case("tanh", "sigmoid", [2, 4, 4, 1], False)
    assert xornet.gradcheck(net, X, y, "sse") < 1e-6
    _corrupt_registry(monkeypatch, losses, "sse", fused=None,
                      gradient=lambda y_hat, y: 2.0 * (y_hat - y))
    # every analytic slope doubles: relative error |2g − g| / (|2g| + |g|) = 1/3
    assert xornet.gradcheck(net, X, y, "sse") == pytest.approx(1 / 3, rel=1e-3)


def test_gradcheck_catches_a_missing_bias_gradient(monkeypatch):
    net, X, y = _case("tanh", "linear", [2, 3, 1], True)
    original_backward = net.layers[0].backward

    def backward_without_bias_gradient(grad_a, need_input_grad=True):
        out = original_backward(grad_a, need_input_grad)
        net.layers[0].db[...] = 0.0
        return out

    monkeypatch.setattr(net.layers[0], "backward", backward_without_bias_gradient)
    assert xornet.gradcheck(net, X, y, "mse") > 1e-2  # three slopes read 0 instead of n


def test_finite_difference_oracle_is_not_vacuous():
    # the helper above measures real slopes: for E = mse of a 1-1 linear net w·x vs y,
    # ∂E/∂w = 2(w·x − y)·x = 2(3·2 − 1)·2 = 20
    net = xornet.Network.from_weights([[[3.0]]], activations=["linear"])
    numeric = _central_differences(net, np.array([[2.0]]), np.array([[1.0]]), "mse")
    assert numeric[0] == pytest.approx(20.0, rel=1e-8)
    assert math.isfinite(numeric[0])



def test_check_data_is_the_one_data_boundary():
    net = xornet.Network([2, 3, 2], seed=0)
    X, y = net.check_data([[0, 1], [1, 1]], [[1, 0], [0, 1]])
    assert X.dtype == y.dtype == np.float64 and X.shape == y.shape == (2, 2)
    X, y = net.check_data([0, 1])  # X alone (for predictions): a 1-D X is one sample
    assert X.shape == (1, 2) and y is None
    with pytest.raises(XornetError, match=r"^y: expected a non-empty 2-D array"):
        net.check_data([[0, 1]], None)  # None is a wrong y, not "no targets"
    with pytest.raises(XornetError, match=r"^y: targets have shape \(2, 1\) but the network "
                                          r"needs \(1, 2\)"):
        net.check_data([0, 1], [1, 0])  # a 1-D y is one target per sample
    with pytest.raises(XornetError, match=r"^X: the data has 3 feature columns"):
        net.check_data([[0, 1, 1]])
