"""The trainability map as a picture (``xornet.study.fractal``), and a zoom into it as a GIF.

Converged pixels are blue, shaded by how fast they converged (Σℓ_t: dark is fast); the
others orange, shaded by how fast they diverged (Σ1/ℓ_t: dark is fast). Blue against orange
reads for every common colour-vision deficiency (the Okabe & Ito pair). Each family is
shaded by rank (the pixel's place among its family, on a log scale), so the whole range of
each colour is used whatever the spread of the sums, as Sohl-Dickstein's pictures do.
"""

import os

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Patch

from xornet.errors import XornetError
from xornet.viz import style, writers

CONVERGED, DIVERGED = "Blues", "Oranges"
SHADES = (0.3, 1.0)  # the part of each colour map used: light (slow) to dark (fast)


def _rank(values):
    """Each value's place among ``values`` in (0, 1]: 1 for the smallest."""
    if values.size == 0:
        return values
    order = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return 1.0 - order / max(values.size, 1)


def fractal_image(fmap):
    """The map as an RGB array (size, size, 3), row 0 the smallest output-layer rate."""
    rgb = np.zeros((fmap.size, fmap.size, 3))
    lo, hi = SHADES
    for mask, sums, name in ((fmap.converged, fmap.loss_sum, CONVERGED),
                             (~fmap.converged, fmap.inverse_sum, DIVERGED)):
        shade = lo + (hi - lo) * _rank(np.log(np.maximum(sums[mask], 1e-300)))
        rgb[mask] = colormaps[name](shade)[:, :3]
    return rgb


def _title(fmap):
    what = ("XOR, 2-2-1 sigmoid, bce" if fmap.setting == "xor" else
            "16-16-1 tanh, mean field, MSE (the paper's)")
    fit = fmap.fit
    dim = ("boundary dimension —" if fit is None else
           f"boundary dimension {fit.dimension:.2f} ± {fit.stderr:.2f} (r² {fit.r2:.3f})")
    return f"Trainability map · {what}\n{fmap.steps} steps of gradient descent · {dim}"


def _draw(ax, fmap, legend=True):
    image = ax.imshow(fractal_image(fmap), origin="lower", extent=fmap.extent,
                      interpolation="nearest", aspect="auto")
    ax.set_xlabel("log₁₀ learning rate of the hidden layer")
    ax.set_ylabel("log₁₀ learning rate of the output layer")
    if legend:
        shades = [colormaps[n](0.8) for n in (CONVERGED, DIVERGED)]
        ax.legend(handles=[Patch(color=shades[0], label="converged (dark: fast)"),
                           Patch(color=shades[1], label="did not converge (dark: fast)")],
                  loc="upper right", fontsize=8, framealpha=0.9)
    return image


def plot_fractal(fmap, dpi=None):
    """The map with axes in log₁₀ learning rate, a legend and the dimension in the title;
    ``dpi`` defaults to enough for about one screen pixel per map pixel (100 to 200)."""
    dpi = dpi or min(200.0, max(100.0, fmap.size / 4.6))
    fig = style.new_figure((6.6, 6.4), dpi)
    ax = fig.add_subplot()
    _draw(ax, fmap)
    ax.set_title(_title(fmap), fontsize=10)
    return fig


def write_zoom(maps, out_path, fps=6, dpi=80, progress=None):
    """A GIF of ``maps`` (a zoom: ``xornet.study.fractal.zoom``), one frame each; return the
    path. ``progress(done, total)`` is called after each frame."""
    out_path = os.fspath(out_path)
    if os.path.splitext(out_path)[1].lower() != ".gif":
        raise XornetError(f"zoom: the zoom is written as a GIF; give a path ending in .gif "
                          f"(received {out_path!r}).")
    if not maps:
        raise XornetError("zoom: no frames to write.")
    fig = style.new_figure((5.6, 5.8), dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    sink = writers.GifWriter(out_path, fps)

    class Scene:
        def __init__(self):
            self.fig, self.canvas = fig, canvas

        def draw(self):
            canvas.draw()

    scene = Scene()
    try:
        for done, fmap in enumerate(maps, start=1):
            ax.clear()
            _draw(ax, fmap, legend=done == 1)
            ax.set_title(f"zoom ×{maps[0].span / fmap.span:,.3g} · window {fmap.span:.3g} "
                         f"decades wide\ncenter ({fmap.center[0]:.6g}, "
                         f"{fmap.center[1]:.6g}) in log₁₀ lr", fontsize=9)
            sink.add(scene)
            if progress is not None:
                progress(done, len(maps))
        sink.close()
    finally:
        sink.discard()
    return out_path
