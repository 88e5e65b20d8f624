"""The trainability map's picture (xornet.viz.fractal): converged pixels blue, the others
orange, each family shaded by rank, and the figure's axes in log10 learning rate.

Oracle: a FractalMap built by hand with known converged pixels and sums.
"""

import numpy as np

from xornet.study import fractal
from xornet.viz.fractal import fractal_image, plot_fractal


def _hand_map():
    n = 4
    tail = np.where(np.arange(n)[:, None] < 2, 0.5, 2.0) * np.ones((n, n))  # rows 0-1 converge
    sums = np.arange(n * n, dtype=float).reshape(n, n) + 1.0
    xs = ys = 10.0 ** np.linspace(-1, 1, n)
    return fractal.FractalMap("xor", n, 100, 0, (0.0, 0.0), 2.0, xs, ys, sums, sums, tail,
                              np.full((n, n), -1), 1.0, "numpy", 0.0, 0.0)


def test_converged_pixels_are_blue_and_the_others_orange():
    rgb = fractal_image(_hand_map())
    assert (rgb[:2, :, 2] > rgb[:2, :, 0]).all()  # blue
    assert (rgb[2:, :, 0] > rgb[2:, :, 2]).all()  # orange


def test_the_fastest_of_each_family_is_the_darkest():
    rgb = fractal_image(_hand_map()).sum(axis=2)  # brightness
    assert rgb[0, 0] == rgb[:2].min()  # smallest Σℓ among the converged
    assert rgb[2, 0] == rgb[2:].min()  # smallest Σ1/ℓ among the others


def test_the_figure_reads_in_log10_learning_rate():
    fig = plot_fractal(_hand_map())
    ax = fig.axes[0]
    assert "log₁₀" in ax.get_xlabel() and "hidden" in ax.get_xlabel()
    assert "output" in ax.get_ylabel()
    x0, x1 = ax.get_xlim()
    assert x0 < -1 < 1 < x1  # the pixels' edges lie beyond the first and last rates
