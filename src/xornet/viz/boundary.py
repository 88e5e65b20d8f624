"""The decision boundary: the network's output over the input plane (x1, x2).

The heatmap is ŷ at every point of a grid, coloured so the output activation's threshold
(0.5 for sigmoid) is white; the black contour is where ŷ crosses that threshold. Each
first-layer hidden unit j draws the straight line ``x1·W[0,j] + x2·W[1,j] + b[j] = 0`` (its
net input is zero there), and an arrow points to the side where the unit is on.
"""

import itertools

import numpy as np
import numpy.typing as npt
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from xornet.core.naming import unit_names
from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.viz import style

MAX_UNIT_LINES = 8  # more lines than this hide the boundary they explain
_OUTLINE = [patheffects.withStroke(linewidth=3.5, foreground="white")]


def unit_line(w, b, box):
    """The part of the line ``w[0]·x1 + w[1]·x2 + b = 0`` inside ``box``.

    Returns a (2, 2) array of the two end points on the box's edges, or None when the line
    misses the box (or ``w`` is zero, so there is no line).
    """
    x0, x1, y0, y1 = box
    points = []
    if w[1] != 0.0:  # crossings of the left and right edges
        points += [(x, -(w[0] * x + b) / w[1]) for x in (x0, x1)]
    if w[0] != 0.0:  # crossings of the bottom and top edges
        points += [(-(w[1] * y + b) / w[0], y) for y in (y0, y1)]
    eps = 1e-12 * max(x1 - x0, y1 - y0)
    inside = [p for p in points if x0 - eps <= p[0] <= x1 + eps and y0 - eps <= p[1] <= y1 + eps]
    if len(inside) < 2:
        return None
    P = np.array(inside)  # (k, 2), k ≤ 4 (a corner is found twice)
    d = np.linalg.norm(P[:, None, :] - P[None, :, :], axis=2)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    return None if d[i, j] <= eps else P[[i, j]]


def check_plane_network(net, what="a decision boundary", one_output=True):
    """XornetError unless ``net`` maps 2 inputs (to 1 output): a picture over the plane."""
    if net.sizes[0] != 2:
        raise XornetError(f"model: {what} is drawn over 2 inputs (x1, x2), but this model has "
                          f"{net.sizes[0]}; use a model trained on 2-input data such as xor.")
    if one_output and net.sizes[-1] != 1:
        raise XornetError(f"model: {what} shows one output, but this model has "
                          f"{net.sizes[-1]}; use a model with a single output unit.")


class BoundaryView:
    """The boundary drawn on ``ax``; ``update(net)`` redraws it for new weights by changing
    the image data, the contour and the line ends, without creating the rest again."""

    def __init__(self, ax, net, X=None, y=None, resolution=200, unit_lines=True):
        self.ax = ax
        self.box = style.plane_box(X)
        self.activation = net.layers[-1].activation
        self.n = resolution
        _, _, self.points = style.plane_grid(self.box, resolution)
        self.image = ax.imshow(self._values(net), origin="lower", extent=self.box,
                               cmap=style.CMAP, norm=style.activation_norm(self.activation),
                               interpolation="bilinear", aspect="auto")
        self.contour = None
        self._draw_contour(self.image.get_array())
        show = unit_lines and len(net.layers) > 1 and net.sizes[1] <= MAX_UNIT_LINES
        self.lines = [self._new_unit_line(j, name)
                      for j, name in enumerate(unit_names(net.sizes, 1))] if show else []
        self.marks = [] if not style.is_truth_table(X) else list(X)  # labels avoid these
        self.classes = (X is not None and y is not None and not style.is_truth_table(X)
                        and style.is_binary(y))  # a cloud drawn by class: legend entries
        self._update_lines(net)
        _draw_points(ax, X, y, self.image.norm)
        ax.set_xlim(self.box[0], self.box[1])
        ax.set_ylim(self.box[2], self.box[3])
        if _square(self.box):
            ax.set_aspect("equal")
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")

    def _values(self, net):
        return net.predict(self.points)[:, 0].reshape(self.n, self.n)  # (n, n) image

    def _draw_contour(self, Z):
        if self.contour is not None:
            self.contour.remove()
            self.contour = None
        t = self.activation.threshold
        if np.nanmin(Z) < t < np.nanmax(Z):  # otherwise there is no boundary to draw
            self.contour = self.ax.contour(Z, levels=[t], colors="black", linewidths=2.2,
                                           extent=self.box, origin="lower", zorder=3)

    def _new_unit_line(self, j, name):
        colour = style.unit_colour(j)
        line, = self.ax.plot([], [], color=colour, lw=2, ls="--", zorder=4,
                             path_effects=_OUTLINE, label=f"{name}: net = 0")
        arrow = self.ax.annotate("", xy=(0, 0), xytext=(0, 0), zorder=4, arrowprops={
            "arrowstyle": "-|>", "color": colour, "lw": 1.8, "shrinkA": 0, "shrinkB": 0})
        text = self.ax.text(0, 0, name, color=colour, fontsize=11, fontweight="bold",
                            ha="center", va="center", zorder=4, path_effects=_OUTLINE)
        return line, arrow, text

    def _update_lines(self, net):
        W, b = net.layers[0].W, net.layers[0].b  # (2, h), (h,) or None
        size = np.hypot(self.box[1] - self.box[0], self.box[3] - self.box[2])
        taken = list(self.marks)  # label positions must keep clear of these points
        for j, (line, arrow, text) in enumerate(self.lines):
            ends = unit_line(W[:, j], 0.0 if b is None else b[j], self.box)
            visible = ends is not None
            for artist in (line, arrow, text):
                artist.set_visible(visible)
            if not visible:
                continue
            line.set_data(ends[:, 0], ends[:, 1])
            normal = W[:, j] / np.linalg.norm(W[:, j])  # points to where net > 0: unit on
            foot = _clear_spot(ends, 0.1 * size * normal, taken, 0.12 * size)
            arrow.xy = foot + 0.06 * size * normal
            arrow.set_position(foot)
            text.set_position(foot + 0.1 * size * normal)
            taken.append(foot + 0.1 * size * normal)

    def update(self, net):
        Z = self._values(net)
        self.image.set_data(Z)
        self._draw_contour(Z)
        self._update_lines(net)

    def legend_handles(self):
        """Legend entries: the decision boundary and each unit's line."""
        t = self.activation.threshold
        handles = [Line2D([], [], color="black", lw=2.2, label=f"ŷ = {t:g} (decision boundary)")]
        handles += [line for line, _, _ in self.lines if line.get_visible()]
        if self.lines:
            handles.append(Line2D([], [], color="none", label="arrows: side where the unit is on"))
        if self.classes:
            handles += [Line2D([], [], ls="none", marker=look["marker"], ms=7,
                               markerfacecolor=look["face"], markeredgecolor=style.RING,
                               markeredgewidth=1.1, label=look["label"],
                               path_effects=[patheffects.withStroke(linewidth=2.6,
                                                                    foreground=style.EDGE)])
                        for look in style.CLASS_STYLES]
        return handles


def _clear_spot(ends, offset, taken, clearance):
    """The point of the segment ``ends`` whose label (at point + offset) is farthest from
    ``taken``, trying the middle first: the first spot at least ``clearance`` away wins."""
    best, best_gap = None, -1.0
    for t in (0.5, 0.35, 0.65, 0.2, 0.8):
        foot = ends[0] + t * (ends[1] - ends[0])
        gap = min((np.linalg.norm(foot + offset - p) for p in taken), default=np.inf)
        if gap >= clearance:
            return foot
        if gap > best_gap:
            best, best_gap = foot, gap
    return best


def _square(box):
    ratio = (box[1] - box[0]) / (box[3] - box[2])
    return 0.5 <= ratio <= 2.0


def _draw_points(ax, X, y, norm):
    """Data points: a truth table's large and labelled, a cloud's by class (marker + colour)."""
    if X is None:
        return
    if not style.is_truth_table(X):
        _draw_cloud(ax, X, y, norm)
        return
    colour = {"c": y[:, 0], "cmap": style.CMAP, "norm": norm} if y is not None else \
        {"c": "black"}
    ax.scatter(X[:, 0], X[:, 1], s=330, edgecolors="white", linewidths=2.2, zorder=5,
               **colour)
    for k, (x1, x2) in enumerate(X):
        if y is not None:  # the target inside the point
            ax.text(x1, x2, f"{y[k, 0]:g}", color="white", fontsize=10, fontweight="bold",
                    ha="center", va="center", zorder=6)
        ax.annotate(f"({x1:g}, {x2:g})", (x1, x2), xytext=(0, -22 if x2 < 0.5 else 22),
                    textcoords="offset points", ha="center", va="center", fontsize=10,
                    zorder=6, path_effects=[patheffects.withStroke(linewidth=2.5,
                                                                   foreground="white")])
    ax.set_xticks([-0.5, 0, 0.5, 1, 1.5])
    ax.set_yticks([-0.5, 0, 0.5, 1, 1.5])


def _draw_cloud(ax, X, y, norm):
    """A point cloud readable on any background: each class has its own marker and colour
    (:data:`style.CLASS_STYLES`), and every marker a white ring inside a thin black edge,
    so it stands out on the dark red, the dark blue and the white of the heatmap alike.
    Targets that are not 0/1 are coloured by the map, with the same ring."""
    size = min(90.0, max(16.0, 1600.0 / len(X)))  # few points drawn big, many small
    ring = [patheffects.withStroke(linewidth=2.6, foreground=style.EDGE)]
    common = {"s": size, "edgecolors": style.RING, "linewidths": 1.1, "zorder": 5,
              "path_effects": ring}
    if y is None or not style.is_binary(y):
        colour = {"c": "0.5"} if y is None else {"c": y[:, 0], "cmap": style.CMAP, "norm": norm}
        ax.scatter(X[:, 0], X[:, 1], **common, **colour)
        return
    for target, look in enumerate(style.CLASS_STYLES):
        mine = y[:, 0] == target  # (n,) the points of this class
        if mine.any():
            ax.scatter(X[mine, 0], X[mine, 1], marker=look["marker"], c=look["face"],
                       label=look["label"], **common)


def check_data(net, X, y):
    """X (n, n_in) and y (n, n_out) as float arrays checked against ``net``, or None."""
    if X is None:
        return None, None
    return net.check_data(X) if y is None else net.check_data(X, y)


def plot_boundary(net: Network, X: npt.ArrayLike | None = None, y: npt.ArrayLike | None = None,
                  *, unit_lines: bool = True, title: str | None = None,
                  dataset_name: str | None = None, resolution: int = 200,
                  figsize: tuple[float, float] | None = None, dpi: float = 100) -> Figure:
    """The decision boundary of a 2-input, 1-output network as a matplotlib Figure.

    Parameters
    ----------
    net : Network
    X, y : arrays or None
        Data points to draw, coloured by target (truth-table points large and labelled).
    unit_lines : bool
        Draw the line ``net = 0`` of each first-layer hidden unit.
    title : str or None
        The title; by default the dataset's name and the network's shape and activations.
    resolution : int
        Grid points per axis.
    figsize : (width, height) in inches or None
        By default 5.8 wide and 6 high, higher when the legend needs more than three rows.
    """
    check_plane_network(net)
    X, y = check_data(net, X, y)
    fig = style.new_figure(figsize or (5.8, 6.0), dpi)
    ax = fig.add_subplot()
    view = BoundaryView(ax, net, X, y, resolution=resolution, unit_lines=unit_lines)
    fig.colorbar(view.image, ax=ax, shrink=0.8, label="network output ŷ",
                 extend=style.colourbar_extend(view.activation))
    handles = view.legend_handles()
    ncol = 3 if view.classes and not view.lines else 2
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False,
               fontsize=9)
    if figsize is None:  # each legend row past the third takes a line of height
        rows = -(-len(handles) // ncol)
        fig.set_size_inches(5.8, 6.0 + 0.22 * max(0, rows - 3))
    on = f" on {dataset_name}" if dataset_name else ""
    ax.set_title(title or f"Decision boundary{on}\n{describe(net)}")
    return fig


def describe(net):
    """``2-4-1 network, tanh → sigmoid`` for titles."""
    shape = "-".join(str(s) for s in net.sizes)
    acts = " → ".join(name for name, _ in itertools.groupby(net.activations))
    return f"{shape} network, {acts}"
