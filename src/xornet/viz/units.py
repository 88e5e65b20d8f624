"""Unit maps: what every hidden unit computes over the input plane, one small heatmap each.

On boolean tasks each panel is titled with the unit's logic-lens reading (e.g. ``h1 ≈ OR``):
the function it computes on the four truth-table rows when thresholded.
"""

from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib import patheffects
from matplotlib.figure import Figure

from xornet.core.naming import unit_names
from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.explain import logic
from xornet.io import datasets
from xornet.viz import style
from xornet.viz.boundary import check_data, check_plane_network, describe, unit_line

MAX_COLUMNS = 6  # panels per row; a wider layer wraps onto more rows
MAX_UNITS = 48  # more panels than this are too small to read


def hidden_activations(net, points):
    """Every hidden layer's activations at ``points`` (n, n_in): a list of (n, units) arrays."""
    net.forward(points)  # each layer caches its output a
    return [layer.a.copy() for layer in net.layers[:-1]]


def unit_titles(net, X):
    """Panel titles per hidden layer: the unit's name, and on boolean data its lens reading."""
    if X is None or not datasets.is_boolean(X) or net.sizes[0] > logic.MAX_INPUTS:
        return _plain_names(net)
    reading = logic.lens(net, X)
    return [[f"{u.name} {'=' if u.crisp else '≈'} {u.function}" for u in layer]
            for layer in reading.layers[:-1]]


def _panels(net):
    """(layer index k ≥ 1, unit j) per panel and the grid row of each, wrapping wide layers."""
    panels, row = [], 0
    for k in range(1, len(net.sizes) - 1):
        for start in range(0, net.sizes[k], MAX_COLUMNS):
            panels += [(k, j, row) for j in range(start, min(start + MAX_COLUMNS,
                                                             net.sizes[k]))]
            row += 1
    return panels, row


def check_units_network(net):
    """XornetError unless ``net`` has 2 inputs and at most MAX_UNITS hidden units."""
    check_plane_network(net, "a unit map", one_output=False)
    hidden = sum(net.sizes[1:-1])
    if hidden == 0:
        raise XornetError("model: the network has no hidden layer, so there are no hidden "
                          "units to map; use a model with at least one hidden layer.")
    if hidden > MAX_UNITS:
        raise XornetError(f"model: the network has {hidden} hidden units, more than the "
                          f"{MAX_UNITS} unit maps one figure can show; use a smaller network.")


def plot_units(net: Network, X: npt.ArrayLike | None = None, y: npt.ArrayLike | None = None, *,
               resolution: int = 120, panel_size: float = 2.3, dpi: float = 100) -> Figure:
    """One heatmap per hidden unit (every hidden layer) as a matplotlib Figure.

    Each map shows the unit's activation over the plane, coloured so its threshold is
    white; first-layer units also show their line ``net = 0``. With boolean ``X`` every
    panel is titled with the unit's logic-lens function.
    """
    check_units_network(net)
    X, y = check_data(net, X, y)
    box = style.plane_box(X)
    _, _, points = style.plane_grid(box, resolution)
    maps = hidden_activations(net, points)
    titles = unit_titles(net, X)
    panels, rows = _panels(net)
    cols = min(MAX_COLUMNS, max(net.sizes[1:-1]))
    fig = style.new_figure((panel_size * cols + 1.2, panel_size * rows + 0.9), dpi)
    axes = fig.subplots(rows, cols, squeeze=False)
    by_layer: dict[int, tuple[Any, set[int]]] = {}  # k → (an image of layer k, its grid rows)
    for k, j, row in panels:
        ax = axes[row, j % MAX_COLUMNS]
        image = _unit_panel(ax, net, k, j, maps[k - 1][:, j], box, resolution, X)
        ax.set_title(titles[k - 1][j], fontsize=10)
        by_layer.setdefault(k, (image, set()))[1].add(row)
    used = {(row, j % MAX_COLUMNS) for _, j, row in panels}
    for (r, c), ax in np.ndenumerate(axes):
        ax.set_visible((r, c) in used)
    for k, (image, layer_rows) in by_layer.items():
        act = net.layers[k - 1].activation
        fig.colorbar(image, ax=list(axes[sorted(layer_rows)].ravel()), shrink=0.9,
                     extend=style.colourbar_extend(act), label=f"layer {k}: {act.name}")
    fig.suptitle(f"Hidden units over the input plane\n{describe(net)}", fontsize=12)
    if titles != _plain_names(net):
        fig.supxlabel("logic lens — =: crisp unit, ≈: after thresholding", fontsize=8,
                      color="dimgray")
    return fig


def _plain_names(net):
    return [unit_names(net.sizes, k) for k in range(1, len(net.sizes) - 1)]


def _unit_panel(ax, net, k, j, values, box, n, X):
    act = net.layers[k - 1].activation
    image = ax.imshow(values.reshape(n, n), origin="lower", extent=box, cmap=style.CMAP,
                      norm=style.activation_norm(act), interpolation="bilinear",
                      aspect="equal")
    if k == 1:
        W, b = net.layers[0].W, net.layers[0].b
        ends = unit_line(W[:, j], 0.0 if b is None else b[j], box)
        if ends is not None:
            ax.plot(ends[:, 0], ends[:, 1], color="black", lw=1.2, ls="--")
    if X is not None:  # where the data lies, lightly: the map is the subject
        table = style.is_truth_table(X)  # a white ring in a dark edge reads on any colour
        ax.scatter(X[:, 0], X[:, 1], s=40 if table else 3, facecolors="none",
                   edgecolors=style.RING, linewidths=1.2 if table else 0.5,
                   alpha=1.0 if table else 0.6, path_effects=[patheffects.withStroke(
                       linewidth=2.4 if table else 1.0, foreground=style.EDGE)])
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    ax.set_xlabel("x1", fontsize=9, labelpad=1)
    ax.set_ylabel("x2", fontsize=9, labelpad=1)
    ax.tick_params(labelsize=8)
    return image
