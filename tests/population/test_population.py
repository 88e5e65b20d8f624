"""Tests for the population trainer (xornet.population.trainer) and its compiled kernel
(xornet.population.kernel).

Oracle: each network trained alone, seed for seed, by the plain path — ``config.build`` and
``trainer.train``, which is what ``xornet.train.config.run`` does (the network is kept even when
training raises DivergenceError, so a diverged run can be compared too). Both backends must
give every network's final weights to 1e-12 relative (|Δθ| ≤ 1e-12·max|θ| per network), and
the same solved flag, first solved epoch, epoch count, final loss and divergence epoch.
"""

import itertools
import random
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from xornet.core import activations, initializers, losses
from xornet.errors import DivergenceError, XornetError
from xornet.io import datasets
from xornet.population import kernel
from xornet.population import setup as population_setup
from xornet.population.trainer import train_population
from xornet.train.config import RunConfig
from xornet.train.trainer import train

# numba is a dependency of xornet: the compiled path is always tested, never skipped
BACKENDS = ["numpy", "numba"]
RTOL = 1e-12

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2)
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])  # (4, 1)
XOR_AND_Y = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # two outputs


def _cfg(**kw):
    base = dict(hidden=(3,), activation="sigmoid", output_activation="sigmoid", bias=True,
                init="uniform", loss="sse", optimizer="sgd", momentum=0.0, lr=1.0, epochs=200,
                batch_size=None, shuffle=False, stop_when_solved=False)
    return RunConfig(**{**base, **kw})


# name → (config, targets, extra keyword arguments of train_population)
CASES = {
    "2-3-1 sigmoid sse sgd full batch": (_cfg(epochs=300), XOR_Y, {}),
    "tanh/sigmoid bce momentum": (
        _cfg(activation="tanh", loss="bce", momentum=0.9, init="he"), XOR_Y, {}),
    "relu/linear mse": (
        _cfg(activation="relu", output_activation="linear", loss="mse", lr=0.1), XOR_Y, {}),
    "leaky relu, two outputs": (
        _cfg(hidden=(4,), activation="leaky_relu", output_activation="sigmoid", lr=0.5),
        XOR_AND_Y, {}),
    "adam": (_cfg(optimizer="adam", loss="mse", lr=0.05), XOR_Y, {}),
    "online in order": (
        _cfg(activation="relu", output_activation="linear", bias=False, lr=0.2, epochs=60,
             batch_size=1), XOR_Y, {}),
    "mini-batch of 3 in order, momentum": (
        _cfg(activation="tanh", batch_size=3, momentum=0.5, lr=0.5), XOR_Y, {}),
    "mini-batch shuffled": (
        _cfg(activation="tanh", batch_size=2, shuffle=True, lr=0.5), XOR_Y, {}),
    "no bias (classic)": (_cfg(bias=False, init="uniform01", epochs=400), XOR_Y, {}),
    "two hidden layers": (
        _cfg(hidden=(4, 3), activation="tanh", loss="bce", init="xavier", lr=0.5), XOR_Y, {}),
    "early stop on": (_cfg(hidden=(16,), activation="tanh", init="he", loss="bce",
                           momentum=0.9, stop_when_solved=True, until_crisp=False, epochs=100),
                      XOR_Y, {}),
    "early stop off": (_cfg(hidden=(16,), activation="tanh", init="he", loss="bce",
                            momentum=0.9, stop_when_solved=False, epochs=100), XOR_Y, {}),
    "target loss": (_cfg(loss="bce", lr=2.0, target_loss=0.05, epochs=400), XOR_Y, {}),
    "solved and crisp (the default run's attempt)": (
        RunConfig(epochs=300, restarts=0), XOR_Y, {}),
    "crisp bound": (RunConfig(epochs=300, crisp_epochs=2, restarts=0), XOR_Y, {}),
    "per-network lrs and inits": (
        _cfg(epochs=150), XOR_Y,
        {"lrs": np.linspace(0.2, 4.0, 12),
         "inits": ["uniform", "uniform01", "normal", "xavier", "he", "zeros"] * 2}),
}
SEEDS = list(range(12))


def _alone(cfg, X, y, nudge=False):
    """Train one network the plain way; return (params, history, divergence epoch or -1).
    ``nudge`` first moves every initial weight by about one unit in the last place."""
    net = cfg.build(X.shape[1], y.shape[1])
    if nudge:
        net.params *= 1.0 + 2.0**-52
    try:
        history = train(net, X, y, cfg.check())
    except DivergenceError as e:
        return net.params.copy(), e.history, e.epoch
    return net.params.copy(), history, -1


def _assert_close(got, want, what):
    scale = np.max(np.abs(want[np.isfinite(want)]), initial=1.0)
    both_finite = np.isfinite(got) & np.isfinite(want)
    assert np.array_equal(np.isfinite(got), np.isfinite(want)), what
    err = np.max(np.abs(got[both_finite] - want[both_finite]), initial=0.0)
    assert err <= RTOL * scale, f"{what}: differs by {err:.3g} (scale {scale:.3g})"


def _check_against_alone(result, X, y):
    assert result.n == len(SEEDS)  # every caller trains SEEDS: no network may go missing
    for k in range(result.n):
        params, history, diverged_at = _alone(result.config_for(k), X, y)
        name = f"network {k} (seed {result.setup.seeds[k]})"
        _assert_close(result.params[k], params, name)
        assert result.diverged_epoch[k] == diverged_at, name
        assert result.epochs[k] == history.epochs, name
        solved_epoch = -1 if history.solved_epoch is None else history.solved_epoch
        assert result.solved_epoch[k] == solved_epoch, name
        if diverged_at < 0:
            assert result.solved[k] == history.solved, name
            assert abs(result.loss[k] - history.final_loss) <= RTOL * abs(history.final_loss)
        else:
            assert not result.solved[k] and np.isnan(result.loss[k])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", list(CASES))
def test_every_network_equals_training_it_alone(case, backend):
    cfg, y, extra = CASES[case]
    setup = population_setup.make_setup(cfg, XOR_X, y, SEEDS, **extra)
    if backend == "numba" and kernel.unsupported(setup):
        with pytest.raises(XornetError, match="numba kernel cannot run this"):
            train_population(cfg, XOR_X, y, SEEDS, backend="numba", **extra)
        result = train_population(cfg, XOR_X, y, SEEDS, backend="auto", **extra)
        assert result.backend == "numpy"  # auto falls back
    else:
        result = train_population(cfg, XOR_X, y, SEEDS, backend=backend, **extra)
        assert result.backend == backend
    _check_against_alone(result, XOR_X, y)


PARITY_X = np.array(list(itertools.product([0.0, 1.0], repeat=3)))  # (8, 3)
PARITY_AND_Y = np.stack([PARITY_X.sum(axis=1) % 2, PARITY_X[:, 0] * PARITY_X[:, 1]], axis=1)


def _random_cases(count, seed=5):
    """Configurations drawn at random (fixed seed) over everything the trainer supports."""
    rng = random.Random(seed)
    for _ in range(count):
        optimizer = rng.choice(["sgd", "momentum", "adam"])
        loss = rng.choice(["mse", "sse", "bce"])
        cfg = _cfg(
            hidden=rng.choice([(2,), (5,), (4, 3), (3, 2, 2)]),
            activation=rng.choice(["sigmoid", "tanh", "relu", "leaky_relu", "linear"]),
            output_activation="sigmoid" if loss == "bce" else rng.choice(
                ["sigmoid", "tanh", "linear", "relu"]),
            bias=rng.random() < 0.7, init=rng.choice(initializers.NAMES), loss=loss,
            optimizer="adam" if optimizer == "adam" else "sgd",
            momentum=0.9 if optimizer == "momentum" else 0.0,
            lr=rng.choice([0.001, 0.01, 0.1]) if optimizer == "adam" else rng.choice(
                [0.01, 0.1, 0.5, 1.0, 3.0]),
            epochs=rng.choice([1, 7, 40]), batch_size=rng.choice([None, 1, 3, 5, 8]),
            shuffle=rng.random() < 0.2, stop_when_solved=rng.random() < 0.4,
            tolerance=rng.choice([0.1, 0.3]), target_loss=rng.choice([None, None, 0.05]))
        yield cfg, PARITY_AND_Y[:, :rng.choice([1, 2])]


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_random_configurations_agree_as_closely_as_the_plain_path_with_itself(backend):
    """Some runs amplify rounding (Adam on vanishing gradients, large online steps, ReLU
    kinks): there even the plain path, started one unit in the last place away, ends far
    away. Each network must agree with the plain path to 1e-12, or to 1000 times that
    wobble — and its epochs, first solved epoch and divergence exactly."""
    for case, (cfg, y) in enumerate(_random_cases(16)):
        result = train_population(cfg, PARITY_X, y, [3, 14, 15], backend=backend)
        assert result.n == 3
        for k in range(result.n):
            params, history, diverged_at = _alone(result.config_for(k), PARITY_X, y)
            nudged, *_ = _alone(result.config_for(k), PARITY_X, y, nudge=True)
            scale = np.max(np.abs(params[np.isfinite(params)]), initial=1.0)
            wobble = np.nanmax(np.abs(nudged - params), initial=0.0) / scale
            err = np.nanmax(np.abs(result.params[k] - params), initial=0.0) / scale
            name = f"case {case}, network {k}: {cfg}"
            assert err <= max(RTOL, 1e3 * wobble), name
            assert result.epochs[k] == history.epochs, name
            assert result.diverged_epoch[k] == diverged_at, name
            solved_epoch = -1 if history.solved_epoch is None else history.solved_epoch
            assert result.solved_epoch[k] == solved_epoch, name


def test_the_cases_cover_what_they_claim():
    """Early stopping stops some networks early, targets stop some, and fallback happens
    only for shuffled batches — else the cases above test less than their names say."""
    r = train_population(CASES["early stop on"][0], XOR_X, XOR_Y, SEEDS, backend="numpy")
    assert np.all(r.epochs == r.solved_epoch) and r.epochs.max() < 100
    r = train_population(CASES["target loss"][0], XOR_X, XOR_Y, SEEDS, backend="numpy")
    assert np.sum(r.epochs < 400) > 0
    unsupported = [c for c, (cfg, y, kw) in CASES.items()
                   if kernel.unsupported(population_setup.make_setup(cfg, XOR_X, y, SEEDS, **kw))]
    assert unsupported == ["mini-batch shuffled"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_diverging_lr_is_marked_not_raised(backend):
    cfg = _cfg(activation="relu", output_activation="linear", lr=3.0, epochs=100)
    lrs = [0.05] * 4 + [3.0] * 4 + [50.0] * 4
    result = train_population(cfg, XOR_X, XOR_Y, SEEDS, lrs=lrs, backend=backend)
    assert result.diverged[8:].all() and not result.diverged[:4].any()
    _check_against_alone(result, XOR_X, XOR_Y)


def test_kernel_equals_numpy_path_on_the_benchmark_workload():
    cfg = _cfg(epochs=2000)
    a = train_population(cfg, XOR_X, XOR_Y, 300, backend="numpy")
    b = train_population(cfg, XOR_X, XOR_Y, 300, backend="numba")
    for k in range(300):
        _assert_close(b.params[k], a.params[k], f"network {k}")
    for field in ("solved", "solved_epoch", "epochs", "diverged_epoch"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    np.testing.assert_allclose(b.loss, a.loss, rtol=1e-10)
    assert a.success_rate == b.success_rate > 0.5


def test_kernel_results_do_not_depend_on_threads_or_blocks():
    cfg = _cfg(epochs=100, stop_when_solved=True, activation="tanh")
    one = train_population(cfg, XOR_X, XOR_Y, 150, backend="numba", threads=1)
    three = train_population(cfg, XOR_X, XOR_Y, 150, backend="numba", threads=3)
    np.testing.assert_array_equal(one.params, three.params)
    np.testing.assert_array_equal(one.epochs, three.epochs)


def test_network_k_is_rebuilt_with_its_weights_and_record():
    cfg = _cfg(epochs=50)
    result = train_population(cfg, XOR_X, XOR_Y, [7, 3], lrs=[0.5, 2.0], backend="numpy")
    net = result.network(1)
    assert net.seed == 3 and net.training["lr"] == 2.0 and net.training["epochs"] == 50
    np.testing.assert_array_equal(net.params, result.params[1])
    alone = cfg.with_(seed=3, lr=2.0).build(2, 1)
    alone.fit(XOR_X, XOR_Y, epochs=50, lr=2.0, loss="sse")
    np.testing.assert_allclose(net.predict(XOR_X), alone.predict(XOR_X), rtol=1e-12)
    assert result.config_for(0) == cfg.with_(seed=7, lr=0.5)


def test_summary_counts_what_the_arrays_say():
    cfg = _cfg(epochs=400, stop_when_solved=True, lr=2.0)
    r = train_population(cfg, XOR_X, XOR_Y, [1, 2, 3, 4], lrs=[2.0, 2.0, 2.0, 1e3],
                         backend="numpy")
    s = r.summary()
    assert s["networks"] == 4 and s["solved"] == int(r.solved.sum())
    assert s["epochs_to_solve_median"] == np.median(r.solved_epoch[r.solved])
    assert s["backend"] == "numpy" and s["compile_time"] == 0.0


def test_initial_draws_are_the_networks_own():
    cfg = _cfg(hidden=(4, 2), init="normal")
    setup = population_setup.make_setup(cfg, XOR_X, XOR_Y, [0, 5, 11],
                                        inits=["normal", "he", "zeros"])
    P = population_setup.initial_params(setup)  # (n_params, N)
    for k, (seed, init) in enumerate([(0, "normal"), (5, "he"), (11, "zeros")]):
        np.testing.assert_array_equal(P[:, k], cfg.with_(seed=seed, init=init).build(2, 1).params)


def test_per_network_losses_match_the_loss_registry():
    rng = np.random.default_rng(0)
    y_hat = rng.uniform(0.0, 1.0, (4, 2, 5))  # (n, n_out, M)
    y = rng.integers(0, 2, (4, 2, 1)).astype(float)
    for name in losses.NAMES:
        one = losses.get(name)
        value, grad = one.per_network(y_hat, y)
        for m in range(5):
            assert value[m] == pytest.approx(one.value(y_hat[..., m], y[..., 0]), rel=1e-14)
            np.testing.assert_array_equal(grad[..., m], one.gradient(y_hat[..., m], y[..., 0]))


def test_kernel_tables_follow_the_core():
    differentiable = {n for n in activations.NAMES if activations.get(n).differentiable}
    assert set(kernel.COMPILED_ACTIVATIONS) == differentiable
    assert all(losses.get(n).per_network is not None for n in losses.NAMES)
    compiled = (kernel.MSE, kernel.SSE, kernel.BCE)
    assert sorted(compiled) == sorted(losses.get(n).code for n in losses.NAMES)
    c = kernel.constants()
    assert (c.beta1, c.beta2, c.adam_eps) == (0.9, 0.999, 1e-8)  # Kingma & Ba's defaults
    assert c.clip == 2.0**-52  # one machine epsilon of float64
    assert c.leaky_slope == activations.LEAKY_SLOPE == 0.01


def test_registry_codes_are_fixed_forever():
    # numba's cache keeps the codes the kernel was compiled with: they must never change
    assert {n: activations.get(n).code for n in activations.NAMES} == {
        "sigmoid": 0, "tanh": 1, "relu": 2, "leaky_relu": 3, "linear": 4, "step": 5}
    assert {n: losses.get(n).code for n in losses.NAMES} == {"mse": 0, "sse": 1, "bce": 2}
    assert (kernel.SIGMOID, kernel.TANH, kernel.RELU, kernel.LEAKY_RELU,
            kernel.LINEAR) == (0, 1, 2, 3, 4)


def test_kernel_exponentials_are_accurate_to_the_last_places():
    x = np.concatenate([np.linspace(-40.0, 40.0, 2001), np.geomspace(1e-12, 1.0, 200)])
    for v in x:
        assert kernel._expm1(v) == pytest.approx(np.expm1(v), rel=5e-16, abs=0.0)
        assert kernel._expm1(-v) == pytest.approx(np.expm1(-v), rel=5e-16, abs=0.0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_kernel_activations_match_the_core(name):
    kernel.load()
    z = np.concatenate([np.linspace(-50.0, 50.0, 1001), [0.0, -0.0, 1e-300, -1e-12]])
    a = z.copy()[None, :]  # one row of a block of len(z) networks
    code, slope = activations.get(name).code, activations.LEAKY_SLOPE
    kernel._activate(a, 0, np.zeros_like(a), 0, code, slope)  # bias row of 0
    a = a[0]
    want = activations.get(name).value(z)
    # the core's sigmoid is 0.5·(1 + tanh(z/2)): its own absolute error near 0 is ½ ulp of 1
    np.testing.assert_allclose(a, want, rtol=4e-16, atol=1.2e-16)


def test_memory_does_not_grow_with_epochs():
    cfg = _cfg()

    def peak(epochs):
        tracemalloc.start()
        train_population(cfg.with_(epochs=epochs), XOR_X, XOR_Y, 2000, backend="numpy")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    short, long = peak(5), peak(100)
    assert long < 1.1 * short
    assert short < 2000 * 13 * 8 * 40  # a few dozen copies of the parameters, not more


def test_import_xornet_does_not_import_numba():
    code = ("import sys, xornet, xornet.population.trainer, xornet.population.kernel; "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"seeds": 0}, "seeds"),
    ({"seeds": []}, "seeds"),
    ({"seeds": [1, -2]}, "seeds"),
    ({"seeds": [0.5]}, "seeds"),
    ({"lrs": [0.1, 0.2, 0.3, 0.4]}, "lrs"),  # neither one per seed (3) nor per layer (2)
    ({"lrs": -1.0}, "lrs"),
    ({"lrs": [0.1, np.nan, 0.1]}, "lrs"),
    ({"inits": ["he"]}, "inits"),
    ({"inits": "bogus"}, "init"),
    ({"backend": "jax"}, "backend"),
])
def test_bad_arguments_name_the_field(kwargs, field):
    args = {"seeds": 3, **kwargs}
    with pytest.raises(XornetError, match=rf"^{field}"):
        train_population(_cfg(), XOR_X, XOR_Y, **args)


def test_configurations_backpropagation_cannot_train_are_refused():
    with pytest.raises(XornetError, match="perceptron"):
        train_population(_cfg(optimizer="perceptron", hidden=(), output_activation="step"),
                         XOR_X, XOR_Y, 2)
    with pytest.raises(XornetError, match="step activation"):
        train_population(_cfg(activation="step"), XOR_X, XOR_Y, 2)
    with pytest.raises(XornetError, match=r"^y"):
        train_population(_cfg(), XOR_X, XOR_Y[:3], 2)


def test_kernel_saturates_sigmoid_like_numpy_so_unstable_runs_diverge_alike():
    # Sigmoid hidden units feeding a linear output at lr 1 and 4 grow huge weights; the
    # kernel must saturate exactly where NumPy does (½·(1 + tanh(z/2)) is exactly 0 or 1
    # far out), or it reports divergence (and its epoch) differently from Network.fit.
    X, y = datasets.load("xor")
    for lr in (1.0, 4.0):
        cfg = RunConfig(hidden=(3,), activation="sigmoid", output_activation="linear",
                        init="uniform", loss="sse", optimizer="sgd", lr=lr, epochs=200,
                        stop_when_solved=False)
        fast = train_population(cfg, X, y, 20, backend="numba")
        plain = train_population(cfg, X, y, 20, backend="numpy")
        assert np.array_equal(fast.diverged_epoch, plain.diverged_epoch)
        assert np.array_equal(fast.solved, plain.solved)
