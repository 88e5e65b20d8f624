"""The loss landscape (xornet.study.landscape).

Oracles, all computed here independently of the module: ``Network.loss`` of a network built
with ``Network.from_weights`` at each sampled point; the initial network rebuilt with
``Network(seed=...)``; the filter normalisation worked out unit by unit from the flat layout
written out by hand (2-2-1: W1 at 0..3, b1 at 4..5, W2 at 6..7, b2 at 8); the PCA against
``numpy.linalg.svd`` of the centred trajectory and against the eigenvectors of its covariance;
the first step of the path against a gradient by central finite differences of
``Network.loss``; the barrier by a plain loop; a flat region on a grid drawn by hand.
"""

import math

import numpy as np
import pytest

from xornet import Network
from xornet.errors import XornetError
from xornet.study import landscape as L
from xornet.train.config import RunConfig, run

STALLING_SEED = 5  # the default run with restarts 0: two outputs stuck at 0.5, loss ln 2 / 2


def trained(xor, seed, restarts=0):
    """A default-run model as `xornet train --save` leaves it: its record names the init."""
    X, y = xor
    cfg = RunConfig(seed=seed, restarts=restarts)
    net, history = run(cfg, X, y)
    net.training = {**net.training, "init": cfg.init, "dataset": "xor"}
    return net, history


def loss_at(net, theta, X, y, loss="bce"):
    """Network.loss of net's architecture with the flat parameters theta."""
    weights, biases = net.layout.unflatten(np.asarray(theta, dtype=float))
    other = Network.from_weights(weights, biases, net.activations)
    return other.loss(X, y, loss)


@pytest.fixture(scope="module")
def xor_data():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, y


@pytest.fixture(scope="module")
def solved(xor_data):
    net, _ = trained(xor_data, 0)
    return net, L.landscape(net, *xor_data, seed=3, resolution=9)


@pytest.fixture(scope="module")
def stalled(xor_data):
    net, history = trained(xor_data, STALLING_SEED)
    assert not history.solved
    return net, L.landscape(net, *xor_data, seed=3, resolution=9, biases=False)


# --- the loss at many points ---------------------------------------------------------------

def test_losses_at_matches_network_loss(xor_data):
    X, y = xor_data
    net = Network([2, 3, 1], activation="tanh", seed=4)
    P = np.random.default_rng(0).normal(0, 2, (net.n_params, 7))
    got = L.losses_at(net, X, y, "mse", P)
    want = [loss_at(net, P[:, k], X, y, "mse") for k in range(7)]
    assert got == pytest.approx(want, rel=1e-12)


def test_losses_at_in_chunks_is_the_same(xor_data, monkeypatch):
    X, y = xor_data
    net = Network([2, 2, 1], seed=1)
    P = np.random.default_rng(1).normal(0, 1, (net.n_params, 11))
    whole = L.losses_at(net, X, y, "bce", P)
    monkeypatch.setattr(L, "CHUNK_BYTES", 1)  # one point per batch
    assert L.losses_at(net, X, y, "bce", P) == pytest.approx(whole, rel=1e-14)


def test_a_plane_in_batches_is_the_same(xor_data, monkeypatch):
    X, y = xor_data
    net = Network([2, 3, 1], seed=2)
    whole = L.random_plane(net, X, y, "mse", 1, 7).losses
    monkeypatch.setattr(L, "CHUNK_BYTES", 1)  # one point per batch
    assert L.random_plane(net, X, y, "mse", 1, 7).losses == pytest.approx(whole, rel=1e-14)


# --- the line ------------------------------------------------------------------------------

def test_line_ends_are_the_initial_and_final_losses(xor_data, solved):
    X, y = xor_data
    net, ls = solved
    start = Network([2, 2, 1], init="xavier", seed=net.training["seed"])  # rebuilt by hand
    assert ls.line.start_loss == pytest.approx(start.loss(X, y, "bce"), rel=1e-12)
    assert ls.line.end_loss == pytest.approx(net.loss(X, y, "bce"), rel=1e-12)
    assert ls.end_loss == pytest.approx(net.loss(X, y, "bce"), rel=1e-12)


def test_line_points_and_barrier(xor_data, solved):
    X, y = xor_data
    net, ls = solved
    start = Network([2, 2, 1], init="xavier", seed=net.training["seed"]).params
    line = ls.line
    assert line.alphas[0] == -0.25 and line.alphas[-1] == 1.25
    for k in (0, 7, len(line.alphas) // 2, len(line.alphas) - 1):
        theta = start + line.alphas[k] * (net.params - start)
        assert line.losses[k] == pytest.approx(loss_at(net, theta, X, y), rel=1e-12)
    # the barrier: the most the loss climbs above its lowest so far, walking from 0 to 1
    lowest, barrier = math.inf, 0.0
    for a, value in zip(line.alphas, line.losses, strict=True):
        if 0.0 <= a <= 1.0:
            lowest = min(lowest, value)
            barrier = max(barrier, value - lowest)
    assert line.barrier == pytest.approx(barrier, abs=1e-15)
    assert line.monotone == (barrier == 0.0)
    assert not line.monotone  # this seed climbs a small bump first (0.033 at α ≈ 0.1)


def test_line_monotone_when_the_loss_only_falls(stalled):
    _, ls = stalled
    inside = ls.line.losses[(ls.line.alphas >= 0) & (ls.line.alphas <= 1)]
    assert np.all(np.diff(inside) <= 0)  # this run's loss only falls on the way
    assert ls.line.monotone and ls.line.barrier == 0.0 and ls.line.barrier_alpha is None


# --- filter normalisation ------------------------------------------------------------------

THETA = np.array([3.0, 0.0, 4.0, 1.0, 0.0, 2.0, 1.0, -1.0, 5.0])  # 2-2-1 with bias
D = np.array([1.0, 2.0, 1.0, 0.0, 1.0, 0.0, 3.0, 4.0, 2.0])


def test_filter_normalisation_unit_by_unit_with_biases():
    layout = Network([2, 2, 1]).layout
    got = L.filter_normalise(D, THETA, layout, biases=True)
    # unit h1: W1[0,0], W1[1,0], b1[0] = flat 0, 2, 4
    # model (3, 4, 0): length 5; direction (1, 1, 1): length √3
    assert got[[0, 2, 4]] == pytest.approx(np.array([1, 1, 1]) * 5 / math.sqrt(3))
    # unit h2: flat 1, 3, 5; model (0, 1, 2): √5; direction (2, 0, 0): 2
    assert got[[1, 3, 5]] == pytest.approx(np.array([2, 0, 0]) * math.sqrt(5) / 2)
    # the output: flat 6, 7, 8; model (1, -1, 5): √27; direction (3, 4, 2): √29
    assert got[[6, 7, 8]] == pytest.approx(np.array([3, 4, 2]) * math.sqrt(27 / 29))


def test_filter_normalisation_without_biases_leaves_them_alone():
    layout = Network([2, 2, 1]).layout
    got = L.filter_normalise(D, THETA, layout, biases=False)
    assert got[[4, 5, 8]] == pytest.approx([0, 0, 0])
    # h1 weights (3, 4): 5; direction (1, 1): √2
    assert got[[0, 2]] == pytest.approx(np.array([1, 1]) * 5 / math.sqrt(2))
    # h2 weights (0, 1): 1; direction (2, 0): 2
    assert got[[1, 3]] == pytest.approx([1, 0])
    # output weights (1, -1): √2; direction (3, 4): 5
    assert got[[6, 7]] == pytest.approx(np.array([3, 4]) * math.sqrt(2) / 5)
    assert np.array_equal(D, [1.0, 2.0, 1.0, 0.0, 1.0, 0.0, 3.0, 4.0, 2.0])  # not changed


def test_random_directions_are_seeded_and_normalised():
    net = Network([2, 3, 1], seed=2)
    a, b = L.random_directions(net, 7), L.random_directions(net, 7)
    assert np.array_equal(a, b)
    assert not np.allclose(a, L.random_directions(net, 8))
    for d in a:  # every unit's incoming vector (weights and bias) as long as the model's
        for (dW, db), (W, bias) in zip(net.layout.views(d), net.layout.views(net.params),
                                       strict=True):
            for j in range(W.shape[1]):
                assert np.linalg.norm(np.append(dW[:, j], db[j])) == pytest.approx(
                    np.linalg.norm(np.append(W[:, j], bias[j])))
    # not the initial weights' own stream: the directions are not parallel to them
    raw = np.random.default_rng(7).standard_normal(net.n_params)
    assert not np.allclose(np.abs(a[0] / np.linalg.norm(a[0])),
                           np.abs(raw / np.linalg.norm(raw)))


def test_random_plane_points_match_network_loss(xor_data, solved):
    X, y = xor_data
    net, ls = solved
    p = ls.random
    d = L.random_directions(net, 3, biases=True)
    assert np.array_equal(p.directions, d)
    assert p.a[0] == -1.0 and p.a[-1] == 1.0 and len(p.a) == 9
    for i, j in ((0, 0), (2, 7), (4, 4), (8, 3)):
        theta = net.params + p.a[j] * d[0] + p.b[i] * d[1]
        assert p.losses[i, j] == pytest.approx(loss_at(net, theta, X, y), rel=1e-12)
    assert p.losses[4, 4] == pytest.approx(net.loss(X, y, "bce"), rel=1e-12)  # the centre


def test_plane_without_biases_keeps_the_biases(xor_data, stalled):
    _, ls = stalled
    net = stalled[0]
    for d in ls.random.directions:
        for _, db in net.layout.views(d):
            assert np.all(db == 0.0)


# --- the path and its principal plane --------------------------------------------------------

def test_path_is_reproduced_and_starts_with_a_gradient_step(xor_data, solved):
    X, y = xor_data
    net, ls = solved
    assert ls.reproduced is True and ls.pca is not None
    start = Network([2, 2, 1], init="xavier", seed=net.training["seed"])
    config = L.record_config(net.training)
    path = L.trajectory(start, X, y, config)
    assert len(path) == net.training["epochs"] + 1
    assert np.array_equal(path[0], start.params)
    assert np.array_equal(path[-1], net.params)
    # epoch 1 of sgd with momentum from rest is θ − lr·∇E (central finite differences)
    h, g = 1e-6, np.zeros(start.n_params)
    for k in range(start.n_params):
        e = np.zeros(start.n_params)
        e[k] = h
        g[k] = (loss_at(start, start.params + e, X, y) - loss_at(start, start.params - e, X, y)
                ) / (2 * h)
    assert path[1] == pytest.approx(start.params - net.training["lr"] * g, abs=1e-7)


def test_principal_directions_match_svd_and_the_covariance(xor_data, solved):
    X, y = xor_data
    net, ls = solved
    start = Network([2, 2, 1], init="xavier", seed=net.training["seed"])
    path = L.trajectory(start, X, y, L.record_config(net.training))
    D = path - net.params
    C = D - D.mean(axis=0)
    _, s, Vt = np.linalg.svd(C, full_matrices=False)
    p = ls.pca
    for k in range(2):
        assert abs(p.directions[k] @ Vt[k]) == pytest.approx(1.0, abs=1e-10)  # up to sign
    assert p.explained == pytest.approx(s[:2] ** 2 / np.sum(s**2), rel=1e-10)
    values, vectors = np.linalg.eigh(C.T @ C)  # a second formula: the covariance's axes
    order = np.argsort(values)[::-1]
    for k in range(2):
        assert abs(p.directions[k] @ vectors[:, order[k]]) == pytest.approx(1.0, abs=1e-8)
    assert p.explained == pytest.approx(values[order[:2]] / values.sum(), rel=1e-8)
    assert p.path == pytest.approx(D @ p.directions.T, abs=1e-12)
    assert np.all(p.path[0] >= 0)  # the signs put the start on the positive side
    assert p.path[-1] == pytest.approx([0.0, 0.0], abs=1e-12)  # the end is the centre


def test_pca_plane_points_and_path_losses(xor_data, solved):
    X, y = xor_data
    net, ls = solved
    p = ls.pca
    assert p.a.min() < p.path[:, 0].min() and p.a.max() > p.path[:, 0].max()
    assert p.b.min() < p.path[:, 1].min() and p.b.max() > p.path[:, 1].max()
    for i, j in ((0, 0), (3, 5), (8, 8)):
        theta = net.params + p.a[j] * p.directions[0] + p.b[i] * p.directions[1]
        assert p.losses[i, j] == pytest.approx(loss_at(net, theta, X, y), rel=1e-12)
    start = Network([2, 2, 1], init="xavier", seed=net.training["seed"])
    assert p.path_losses[0] == pytest.approx(start.loss(X, y, "bce"), rel=1e-12)
    assert p.path_losses[-1] == pytest.approx(net.loss(X, y, "bce"), rel=1e-12)


def test_a_record_that_does_not_reproduce_is_said(xor_data):
    X, y = xor_data
    net, _ = trained(xor_data, 0)
    net.training["lr"] = 2.0  # not how it was trained
    ls = L.landscape(net, X, y, resolution=5)
    assert ls.reproduced is False and ls.pca is None
    assert ls.line is not None  # the rebuilt start is still the start
    assert any("away from the model's weights" in n for n in ls.notes)


def test_given_weights_have_no_line(xor_data):
    X, y = xor_data
    net = Network.from_weights([[[1, 1], [1, 1]], [[1], [-2]]], [[-0.5, -1.5], [-0.5]])
    ls = L.landscape(net, X, y, resolution=5)
    assert ls.line is None and ls.pca is None and ls.reproduced is None
    assert "no training record" in ls.notes[0]
    assert ls.random.losses.shape == (5, 5)


# --- the stalled run -----------------------------------------------------------------------

def test_stalled_run_sits_on_a_flat_plateau(stalled):
    _, ls = stalled
    assert not ls.solved
    assert ls.end_loss == pytest.approx(math.log(2) / 2, rel=1e-3)  # two outputs at ½
    flat = ls.flat
    assert flat.trap == "on the 3-of-4 plateau"
    assert flat.epochs == 5000 and 0 < flat.start < 200
    p = ls.pca.path_losses
    assert np.all(np.abs(p[flat.start:] - p[-1]) <= 0.01 * p[-1])
    assert abs(p[flat.start - 1] - p[-1]) > 0.01 * p[-1]
    assert ls.gradient < 1e-3  # and the floor has almost no slope
    assert ls.line.flat_from is not None and ls.line.flat_from < 1.0


def test_flat_region_is_the_floor_joined_to_the_end():
    a = np.linspace(-1, 1, 5)
    losses = np.array([[1.0, 1.0, 1.0, 1.0, 0.5],   # b = -1; (4, 0) alone: an island
                       [1.0, 0.5, 0.5, 1.0, 1.0],
                       [1.0, 0.5, 0.5, 1.0, 1.0],   # b = 0: the end at column 2
                       [1.0, 1.0, 0.502, 1.0, 1.0],
                       [0.1, 1.0, 1.0, 1.0, 1.0]])
    plane = L.Plane("random", a, a, losses, np.zeros((2, 3)), True)
    want = np.zeros((5, 5), bool)
    want[1, 1:3] = want[2, 1:3] = want[3, 2] = True
    assert np.array_equal(plane.flat_region(0.5), want)
    assert plane.lowest == (-1.0, 1.0, 0.1)


# --- limits --------------------------------------------------------------------------------

@pytest.mark.parametrize("resolution", [2, L.MAX_RESOLUTION + 1, 2.5, True])
def test_resolution_is_limited(xor_data, resolution):
    net = Network([2, 2, 1])
    with pytest.raises(XornetError, match=r"^resolution: "):
        L.landscape(net, *xor_data, resolution=resolution)


@pytest.mark.parametrize("span", [0.0, -1.0, math.nan, math.inf, L.MAX_SPAN * 2])
def test_span_is_limited(xor_data, span):
    with pytest.raises(XornetError, match=r"^span: "):
        L.landscape(Network([2, 2, 1]), *xor_data, span=span)


def test_the_work_of_a_plane_is_limited(xor_data, monkeypatch):
    monkeypatch.setattr(L, "MAX_WORK", 4 * 9 * 20**2)  # XOR's 4 rows, 9 parameters, 20²
    net = Network([2, 2, 1])
    L.landscape(net, *xor_data, resolution=20)
    with pytest.raises(XornetError, match=r"^resolution: a 21 × 21 plane .* at most 20\."):
        L.landscape(net, *xor_data, resolution=21)


def test_trajectory_memory_is_checked_before_training(xor_data, monkeypatch):
    monkeypatch.setattr(L, "MAX_TRAJECTORY_BYTES", 1000)
    cfg = RunConfig(epochs=100, stop_when_solved=False)
    with pytest.raises(XornetError, match=r"^epochs: the path of 100 epochs"):
        L.trajectory(Network([2, 2, 1]), *xor_data, cfg)


def test_a_network_without_biases_says_so(xor_data):
    X, y = xor_data
    net = Network([2, 3, 1], bias=False, seed=1)
    assert L.random_plane(net, X, y, "mse", 0, 5).biases is None
    assert Network([2, 3, 1], seed=1).bias  # and with biases the option is kept
    assert L.random_plane(Network([2, 3, 1], seed=1), X, y, "mse", 0, 5, biases=False).biases \
        is False
