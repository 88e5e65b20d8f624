"""Tests for the trainability map (xornet.study.fractal).

Oracles: shapes of known box-counting dimension (a line, a filled square and its edge, the
Sierpinski triangle, log2 3), a hand-written mean-field network (the paper's
parametrisation, trained by hand) against the plain layers it is rewritten as, and the map
trained in one piece against the same map in tiles (and on a Dask cluster).
"""

import math

import numpy as np
import pytest

from xornet.errors import XornetError
from xornet.population import grid
from xornet.study import fractal


def test_a_line_has_dimension_one_and_a_filled_square_two():
    line = np.zeros((256, 256), bool)
    line[100, :] = True
    fit = fractal.box_dimension(line)
    assert fit.dimension == pytest.approx(1.0, abs=1e-12) and fit.r2 == pytest.approx(1.0)
    square = np.ones((128, 128), bool)
    assert fractal.box_dimension(square).dimension == pytest.approx(2.0, abs=1e-12)


def test_the_edge_of_a_filled_square_has_dimension_one():
    region = np.zeros((256, 256), bool)
    region[40:200, 30:220] = True
    edge = fractal.boundary(region)
    assert edge.sum() == 2 * (160 + 190) - 4  # the outermost ring of the region
    fit = fractal.box_dimension(edge)
    assert fit.dimension == pytest.approx(1.0, abs=0.05) and fit.r2 > 0.99


def test_the_sierpinski_triangle_has_dimension_log2_3():
    n = 256  # Pascal's triangle mod 2: row i, column j is odd when j & i == j
    i, j = np.indices((n, n))
    mask = (j & i) == j
    sizes, counts = fractal.box_counts(mask)
    assert counts == [3 ** (8 - k) for k in range(len(sizes))]  # 3 copies at half the size
    assert fractal.box_dimension(mask).dimension == pytest.approx(math.log2(3), abs=1e-12)


def test_boundary_pixels_are_converged_ones_beside_a_diverged_one():
    c = np.array([[1, 1, 1, 0],
                  [1, 1, 1, 0],
                  [1, 1, 0, 0],
                  [1, 1, 1, 1]], bool)
    want = np.array([[0, 0, 1, 0],
                     [0, 0, 1, 0],
                     [0, 1, 0, 0],
                     [0, 0, 1, 1]], bool)
    assert np.array_equal(fractal.boundary(c), want)


def test_too_small_a_set_has_no_fit():
    tiny = np.zeros((8, 8), bool)
    tiny[3, 3] = True
    assert fractal.box_dimension(tiny) is None


def _mean_field_by_hand(W1, W2, X, Y, c, eta, steps):
    """The paper's network as it writes it: ŷ = c2·(tanh(c1·X W1) W2), W ~ N(0, 1), gradient
    descent on W with rates eta; the losses before each update."""
    losses = []
    for _ in range(steps):
        H = np.tanh(c[0] * (X @ W1))
        out = c[1] * (H @ W2)
        losses.append(np.mean((out - Y) ** 2))
        g = 2.0 / Y.size * (out - Y)
        dW2 = c[1] * (H.T @ g)
        dH = c[1] * (g @ W2.T) * (1.0 - H * H)
        dW1 = c[0] * (X.T @ dH)
        W1, W2 = W1 - eta[0] * dW1, W2 - eta[1] * dW2
    return np.array(losses)


def test_mean_field_scales_are_an_init_scale_and_a_learning_rate_scale():
    width, steps, eta = 4, 60, (0.7, 3.0)
    prob = fractal.paper_problem(seed=3, width=width)
    assert prob.X.shape == (width * width + width, width)  # as many points as parameters
    c = fractal.mean_field_scales(width, width)
    assert c == (math.sqrt(2.0 / width), 1.0 / width)
    rng = np.random.default_rng(3)  # what Network(seed=3) draws with init "normal": W then
    W1 = rng.standard_normal((width, width))  # b per layer, b unused without bias
    rng.standard_normal(width)
    W2 = rng.standard_normal((width, 1))
    losses = _mean_field_by_hand(W1, W2, prob.X, prob.y, c, eta, steps)
    run = fractal.train_pixels(prob, [eta], steps, backend="numpy")
    ell = losses / losses[0]
    assert run.first_loss == pytest.approx(losses[0], rel=1e-13)
    assert run.stats.loss_sum[0] == pytest.approx(ell.sum(), rel=1e-10)
    assert run.stats.tail_mean[0] == pytest.approx(ell[-grid.TAIL:].mean(), rel=1e-10)


def test_pixels_put_hidden_rates_on_x_and_output_rates_on_y():
    xs, ys, pairs = fractal.lr_pairs((0.0, 1.0), 2.0, 3)
    assert np.allclose(xs, [0.1, 1.0, 10.0]) and np.allclose(ys, [1.0, 10.0, 100.0])
    table = pairs.reshape(3, 3, 2)
    assert np.allclose(table[2, 0], [0.1, 100.0])  # row 2 (top), column 0 (left)


def test_a_map_in_tiles_equals_the_map_in_one_piece():
    whole = fractal.trainability_map(size=16, steps=60)
    tiled = fractal.trainability_map(size=16, steps=60, tile=40)  # bands of 2 rows
    assert tiled.tiles == 8 and whole.tiles == 1
    for name in ("loss_sum", "inverse_sum", "tail_mean", "diverged_step"):
        assert np.array_equal(getattr(whole, name), getattr(tiled, name))


def test_a_map_on_a_dask_cluster_equals_the_local_map():
    import distributed  # the dask extra, installed by make test: never skipped
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = fractal.trainability_map(size=16, steps=40, tile=64,
                                          dask=cluster.scheduler_address)
    local = fractal.trainability_map(size=16, steps=40)
    assert remote.tiles == 4
    assert np.array_equal(remote.loss_sum, local.loss_sum)


def test_the_default_map_holds_both_sides_and_a_boundary():
    fmap = fractal.trainability_map(size=48, steps=200)
    assert 0.2 < fmap.converged.mean() < 0.9
    assert fmap.boundary.sum() > 20 and fmap.fit is not None and 0.8 < fmap.fit.dimension < 2
    doc = fmap.summary()
    assert doc["boundary_pixels"] == int(fmap.boundary.sum())
    assert doc["box_dimension"]["dimension"] == fmap.fit.dimension


def test_zoom_windows_shrink_towards_a_boundary_pixel():
    fmap = fractal.trainability_map(size=32, steps=100)
    windows = fractal.zoom_windows(fmap, frames=10, factor=0.5)
    spans = [s for _, s in windows]
    assert spans[0] == fmap.span and np.allclose(np.diff(np.log2(spans)), -1.0)
    edge = np.argwhere(fmap.boundary)
    points = {(round(math.log10(fmap.hidden_lrs[c]), 9), round(math.log10(fmap.output_lrs[r]), 9))
              for r, c in edge}
    last = windows[-1][0]
    assert min(math.dist(last, p) for p in points) < fmap.span * 0.5 ** 9 * 2


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"size": 2}, "size"), ({"size": 10**5}, "size"), ({"center": (0, "x")}, "center"),
    ({"center": (30, 0)}, "center"), ({"span": 0}, "span"), ({"span": 40}, "span"),
    ({"setting": "mnist"}, "setting"), ({"seed": -1}, "seed"), ({"steps": 5}, "steps"),
])
def test_bad_options_name_the_field(kwargs, field):
    args = {"setting": "xor", **kwargs}
    with pytest.raises(XornetError, match=rf"^{field}: "):
        fractal.trainability_map(args.pop("setting"), **args)
