"""Tests for per-layer learning rates in the population trainer (``Setup.lrs`` is (N, L))
and for same-init grids (``xornet.population.grid``, both backends).

Oracles: a plain NumPy training loop written here (forward, backward and the update of a
dense network, one network at a time, with its own rate per layer), and the NumPy path
against the compiled kernel pixel by pixel.
"""

import itertools

import numpy as np
import pytest

from xornet.errors import XornetError
from xornet.population import grid
from xornet.population import setup as population_setup
from xornet.population.trainer import train_population
from xornet.train.config import RunConfig

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
ACT = {"sigmoid": (lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)), lambda a: a * (1.0 - a)),
       "tanh": (np.tanh, lambda a: 1.0 - a * a), "linear": (lambda z: z, np.ones_like)}


def _hand_losses(config, X, Y, params, lrs, steps):
    """One network by hand: (losses before each of ``steps`` updates, final params); a
    non-finite loss or weight ends the list early (the network diverged)."""
    sizes = [X.shape[1], *config.hidden, Y.shape[1]]
    acts = [config.activation] * len(config.hidden) + [config.output_activation]
    p = params.copy()

    def unpack(p):
        out, at = [], 0
        for n_in, n_out in itertools.pairwise(sizes):
            W = p[at:at + n_in * n_out].reshape(n_in, n_out)
            at += n_in * n_out
            b = p[at:at + n_out] if config.bias else np.zeros(n_out)
            at += n_out if config.bias else 0
            out.append((W, b))
        return out

    losses = []
    with np.errstate(all="ignore"):
        for t in range(steps):
            layers, a, cache = unpack(p), X, [X]
            for (W, b), name in zip(layers, acts, strict=True):
                a = ACT[name][0](a @ W + b)
                cache.append(a)
            y_hat, m = a, Y.size
            if config.loss == "bce":
                q = np.clip(y_hat, 2.0 ** -52, 1.0 - 2.0 ** -52)
                loss = -np.sum(Y * np.log(q) + (1 - Y) * np.log1p(-q)) / m
                g = (q - Y) / (q * (1 - q)) / m
            else:
                loss = np.sum((y_hat - Y) ** 2) / m
                g = 2.0 / m * (y_hat - Y)
            if not np.isfinite(loss) or not np.isfinite(p).all():
                break
            losses.append(loss)
            if t + 1 == steps:
                break
            grads = []
            for k in range(len(layers) - 1, -1, -1):
                delta = g * ACT[acts[k]][1](cache[k + 1])
                grads.append((cache[k].T @ delta, delta.sum(axis=0)))
                g = delta @ layers[k][0].T
            grads.reverse()
            new, at = p.copy(), 0
            for k, ((W, _), (dW, db)) in enumerate(zip(layers, grads, strict=True)):
                new[at:at + W.size] -= lrs[k] * dW.ravel()
                at += W.size
                if config.bias:
                    new[at:at + W.shape[1]] -= lrs[k] * db
                    at += W.shape[1]
            p = new
    return np.array(losses), p


def _hand_stats(losses, steps, first):
    """The three sums of population.grid from a loss list (shorter than steps: diverged)."""
    ell = np.minimum(losses / first, grid.CAP)
    full = np.concatenate([ell, np.full(steps - len(ell), grid.CAP)])
    return full.sum(), (1.0 / full).sum(), full[-grid.TAIL:].mean(), \
        (len(ell) if len(ell) < steps else -1)


# --- per-layer learning rates in Setup and train_population -------------------------------

def _setup(lrs, n=3, config=None):
    cfg = config or RunConfig(hidden=(3,), optimizer="sgd", momentum=0.0)
    return population_setup.make_setup(cfg, XOR_X, XOR_Y, n, lrs)


def test_lrs_are_read_as_one_for_all_per_seed_per_layer_or_a_table():
    assert np.array_equal(_setup(0.5).lrs, np.full((3, 2), 0.5))
    assert np.array_equal(_setup([0.1, 0.2, 0.3]).lrs, [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]])
    assert np.array_equal(_setup([0.1, 2.0]).lrs, [[0.1, 2.0]] * 3)
    table = [[0.1, 1.0], [0.2, 2.0], [0.3, 3.0]]
    assert np.array_equal(_setup(table).lrs, table)
    # N = L = 2: a flat list is one per seed; [[a, b]] is one per layer
    assert np.array_equal(_setup([0.1, 0.2], n=2).lrs, [[0.1, 0.1], [0.2, 0.2]])
    assert np.array_equal(_setup([[0.1, 0.2]], n=2).lrs, [[0.1, 0.2], [0.1, 0.2]])


def test_row_layers_follow_the_layout():
    s = _setup(0.5)  # 2-3-1 with bias: W1 6, b1 3 (layer 0), W2 3, b2 1 (layer 1)
    assert s.row_layers().tolist() == [0] * 9 + [1] * 4


def test_config_for_gives_a_number_or_one_rate_per_layer():
    s = _setup([[0.5, 0.5], [0.1, 2.0], [1.0, 1.0]])
    assert population_setup.config_for(s, 0).lr == 0.5
    assert population_setup.config_for(s, 1).lr == (0.1, 2.0)


@pytest.mark.parametrize("lrs", [[[0.1, 0.2, 0.3]], [[0.1, -1.0]], [[np.inf, 1.0]],
                                 np.ones((3, 2, 1)), "fast"])
def test_bad_lr_tables_name_the_field(lrs):
    with pytest.raises(XornetError, match=r"^lrs: .*per seed and layer"):
        _setup(lrs)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_per_layer_rates_train_each_network_as_a_hand_loop_does(backend):
    cfg = RunConfig(hidden=(3,), loss="mse", optimizer="sgd", momentum=0.0, init="uniform",
                    epochs=60, stop_when_solved=False, until_crisp=False)
    lrs = [[0.5, 2.0], [3.0, 0.25], [1.0, 1.0]]
    result = train_population(cfg, XOR_X, XOR_Y, [4, 5, 6], lrs=lrs, backend=backend)
    start = population_setup.initial_params(result.setup)  # (n_params, N)
    for k, rates in enumerate(lrs):
        _, final = _hand_losses(cfg, XOR_X, XOR_Y, start[:, k], rates, 61)
        assert np.allclose(result.params[k], final, rtol=1e-12, atol=1e-13)


# --- same-init grids ----------------------------------------------------------------------

def _grid(config, lrs, X=XOR_X, y=XOR_Y):
    setup = grid.grid_setup(config, X, y, lrs)
    return setup, grid.initial_network(setup)


def _pairs(lo, hi, n):
    g = np.logspace(lo, hi, n)
    rows, cols = np.meshgrid(g, g, indexing="ij")
    return np.stack([cols.ravel(), rows.ravel()], axis=1)


def test_a_3x3_grid_equals_a_hand_loop_pixel_by_pixel():
    cfg = RunConfig()  # the default network, bce
    setup, p0 = _grid(cfg, _pairs(-1, 1, 3))
    steps = 60
    run = grid.train_grid(setup, p0, steps, backend="numpy")
    losses0, _ = _hand_losses(cfg, XOR_X, XOR_Y, p0, [1.0, 1.0], 1)
    assert run.first_loss == pytest.approx(losses0[0], rel=1e-14)
    for k, rates in enumerate(setup.lrs):
        losses, _ = _hand_losses(cfg, XOR_X, XOR_Y, p0, rates, steps)
        want = _hand_stats(losses, steps, run.first_loss)
        got = (run.stats.loss_sum[k], run.stats.inverse_sum[k], run.stats.tail_mean[k])
        assert np.allclose(got, want[:3], rtol=1e-12)
        assert run.stats.diverged_step[k] == want[3] == -1


def test_diverging_pixels_stop_and_count_the_cap_for_every_step_left():
    cfg = RunConfig(hidden=(3,), activation="tanh", output_activation="linear", loss="mse",
                    init="normal")
    lrs = [[0.01, 0.01], [0.3, 0.3], [1e3, 1e3], [1e5, 1e5]]
    setup, p0 = _grid(cfg, lrs)
    steps = 40
    for backend in ("numpy", "numba"):
        run = grid.train_grid(setup, p0, steps, backend=backend)
        diverged = 0
        for k, rates in enumerate(lrs):
            losses, _ = _hand_losses(cfg, XOR_X, XOR_Y, p0, rates, steps)
            want = _hand_stats(losses, steps, run.first_loss)
            assert np.allclose((run.stats.loss_sum[k], run.stats.inverse_sum[k],
                                run.stats.tail_mean[k]), want[:3], rtol=1e-11)
            assert run.stats.diverged_step[k] == want[3]
            diverged += want[3] >= 0
        assert diverged >= 1 and not run.stats.converged[-1] and run.stats.converged[0]


@pytest.mark.parametrize(("config", "window"), [
    (RunConfig(), (-1.5, 0.5)),  # bce, targets 0 and 1: the product of factors
    (RunConfig(hidden=(3,), activation="tanh", output_activation="linear", loss="mse",
               init="normal"), (-2.5, -1.0)),
], ids=["bce", "mse"])
def test_kernel_equals_numpy_path_pixel_by_pixel_where_training_is_stable(config, window):
    setup, p0 = _grid(config, _pairs(*window, 8))
    a = grid.train_grid(setup, p0, 200, backend="numpy").stats
    b = grid.train_grid(setup, p0, 200, backend="numba").stats
    for name in ("loss_sum", "inverse_sum", "tail_mean"):
        assert np.allclose(getattr(a, name), getattr(b, name), rtol=1e-12, atol=0), name
    assert np.array_equal(a.diverged_step, b.diverged_step)


def test_kernel_bce_of_soft_targets_equals_the_loss_registry():
    y = np.array([[0.2], [0.9], [1.0], [0.0]])  # soft targets take the row-by-row logs
    setup, p0 = _grid(RunConfig(), _pairs(-1, 0, 4), y=y)
    a = grid.train_grid(setup, p0, 50, backend="numpy").stats
    b = grid.train_grid(setup, p0, 50, backend="numba").stats
    assert np.allclose(a.loss_sum, b.loss_sum, rtol=1e-12, atol=0)


def test_kernel_and_numpy_path_agree_on_the_verdicts_near_the_chaotic_boundary():
    # near the boundary training is chaotic: a last-place difference in an exponential grows
    # over 500 steps, so the sums differ there; the verdicts still agree almost everywhere
    setup, p0 = _grid(RunConfig(), _pairs(0.5, 2.0, 24))
    a = grid.train_grid(setup, p0, 500, backend="numpy").stats
    b = grid.train_grid(setup, p0, 500, backend="numba").stats
    assert np.mean(a.converged == b.converged) >= 0.97
    assert 0.1 < a.converged.mean() < 0.9  # the window holds both sides


def test_the_initial_network_is_drawn_once_as_network_seed_draws_it():
    cfg = RunConfig(seed=11)
    setup, p0 = _grid(cfg, [[1.0, 1.0]] * 5)
    assert np.array_equal(p0, cfg.build(2, 1).params)
    assert setup.config.momentum == 0.0 and setup.config.optimizer == "sgd"


@pytest.mark.parametrize("steps", [19, 0, 10**6, 2.5, True])
def test_bad_steps_are_refused(steps):
    setup, p0 = _grid(RunConfig(), [[1.0, 1.0]])
    with pytest.raises(XornetError, match=r"^steps: "):
        grid.train_grid(setup, p0, steps)
