"""The loss-landscape figure (xornet.viz.landscape), headless.

Oracles: the numbers the figure was drawn from (the Landscape), read back from the artists
(the path's line is the PCA coordinates, the end marker sits at the planes' centre (0, 0)
and at α = 1); the flat region hatched only for a run that did not solve; the saved PNG read
back with Pillow, its size the figure's.
"""

import numpy as np
import pytest
from PIL import Image

from xornet import Network
from xornet.study import landscape as L
from xornet.train.config import RunConfig, run
from xornet.viz import style
from xornet.viz.landscape import plot_landscape

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def landscape_of(seed, biases=True):
    cfg = RunConfig(seed=seed, restarts=0)
    net, _ = run(cfg, X4, XOR_Y)
    net.training = {**net.training, "init": cfg.init}
    return L.landscape(net, X4, XOR_Y, seed=seed, resolution=15, biases=biases)


@pytest.fixture(scope="module")
def stalled():
    return landscape_of(5, biases=False)  # stalls on the 3-of-4 plateau


@pytest.fixture(scope="module")
def solved():
    return landscape_of(0)


def texts(ax):
    return " ".join(t.get_text() for t in ax.texts) + " " + ax.get_title() + " " + \
        ax.get_xlabel() + " " + ax.get_ylabel()


def hatched(ax):
    """Whether a filled contour on ``ax`` is hatched (a ContourSet keeps its ``hatches``)."""
    return any(any(h for h in getattr(c, "hatches", None) or []) for c in ax.collections)


def test_three_panels_drawn_from_the_numbers(stalled):
    fig = plot_landscape(stalled)
    line_ax, random_ax, pca_ax = fig.axes[:3]
    curve = line_ax.lines[0]
    assert np.array_equal(curve.get_xdata(), stalled.line.alphas)
    assert np.array_equal(curve.get_ydata(), stalled.line.losses)
    path = next(ln for ln in pca_ax.lines if ln.get_label() == "training path")
    assert np.array_equal(path.get_xdata(), stalled.pca.path[:, 0])
    assert np.array_equal(path.get_ydata(), stalled.pca.path[:, 1])
    ends = [ln for ln in random_ax.lines if ln.get_label().startswith("end")]
    assert [ends[0].get_xdata()[0], ends[0].get_ydata()[0]] == [0, 0]
    share = f"{stalled.pca.explained[0]:.1%}"
    assert share in pca_ax.get_xlabel()
    assert "biases kept fixed" in random_ax.get_title()
    assert "3-of-4 plateau" in texts(pca_ax)  # the trap, named on the picture
    assert "loss stops falling" in texts(pca_ax)
    assert "flat from α" in texts(line_ax)
    assert hatched(random_ax) and hatched(pca_ax)
    assert len(fig.axes) == 4  # and one colour bar for both planes


def test_a_solved_run_has_no_flat_region(solved):
    fig = plot_landscape(solved)
    line_ax, random_ax, pca_ax = fig.axes[:3]
    assert not hatched(random_ax) and not hatched(pca_ax)
    assert "biases moved too" in random_ax.get_title()
    assert "stops falling" not in texts(pca_ax)
    assert "not monotone" in line_ax.get_xlabel()  # seed 0 climbs a bump first


def test_missing_slices_say_why(tmp_path):
    net = Network.from_weights([[[1, 1], [1, 1]], [[1], [-2]]], [[-0.5, -1.5], [-0.5]])
    ls = L.landscape(net, X4, XOR_Y, resolution=7)
    fig = plot_landscape(ls)
    assert "no training record" in texts(fig.axes[0]).replace("\n", " ")
    path = style.save_figure(fig, tmp_path / "given.png")
    with Image.open(path) as image:
        assert image.size == (int(fig.get_figwidth() * fig.dpi),
                              int(fig.get_figheight() * fig.dpi))
