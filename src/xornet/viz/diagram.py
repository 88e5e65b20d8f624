"""The network diagram: units as nodes by layer, weights as edges.

An edge's colour is the weight's sign (blue positive, red negative) and its width grows with
|w|. Bias nodes are grey squares holding the constant 1, so a bias is drawn as the weight of
an edge from that node, as in the classic textbook figures.
"""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from xornet.core.naming import unit_names
from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.viz import style
from xornet.viz.boundary import describe

MAX_UNITS = 24  # per layer: more nodes than this make a diagram nobody can read
MAX_LABELLED_EDGES = 40  # by default weights are written on the edges up to this many
MIN_FONT = 5.5  # points: node names smaller than this are left out
MIN_WIDTH, MAX_WIDTH = 0.4, 6.5  # edge widths in points for w = 0 and for the largest |w|


def check_diagram_network(net):
    widest = max(net.sizes)
    if widest > MAX_UNITS:
        raise XornetError(f"model: a layer has {widest} units, more than the {MAX_UNITS} a "
                          "network diagram can show; use a smaller network.")


def _edge_numbers(net):
    """Per layer an (n_in + 1 with bias, n_out) array: entry [i, j] is the index in
    ``net.params`` of the edge from source i (the inputs, then the bias node) to unit j."""
    numbers = []
    for W, b in net.layout.views(np.arange(net.n_params)):  # the layout, holding indices
        numbers.append(W if b is None else np.vstack([W, b]))
    return numbers


def layout(net):
    """Node positions and edges, in the order of ``net.params``.

    Returns
    -------
    nodes : list of (x, y, label, kind)
        kind is "input", "unit" or "bias"; layer k (0 = inputs) sits at x = k.
    edges : list of ((x0, y0), (x1, y1))
        Edge e carries the parameter ``net.params[e]`` (``xornet.core.layout``).
    """
    def top(n):
        return (n - 1) / 2

    nodes, edges = [], [None] * net.n_params
    for k, n in enumerate(net.sizes):  # layer k (0 = inputs) sits at x = k
        kind = "input" if k == 0 else "unit"
        nodes += [(k, top(n) - j, name, kind) for j, name in enumerate(unit_names(net.sizes, k))]
        if net.bias and k < len(net.sizes) - 1:
            nodes.append((k, top(n) + 1, "1", "bias"))
    for k, numbers in enumerate(_edge_numbers(net), start=1):
        n_in, n_out = net.sizes[k - 1], net.sizes[k]
        sources = [(k - 1, top(n_in) - i) for i in range(n_in)] + [(k - 1, top(n_in) + 1)]
        for (i, j), e in np.ndenumerate(numbers):  # i = n_in is the bias node
            edges[e] = (sources[i], (k, top(n_out) - j))
    return nodes, edges


def _node_diameter(ax, net):
    """Node size in points: 30 when there is room, smaller when a tall layer is crowded."""
    fig = ax.get_figure()
    height = ax.get_position().height * fig.get_figheight() * 72  # the axes' height in points
    rows = max(net.sizes) + (1 if net.bias else 0) + 2.5  # units, bias node, headings
    return min(30.0, 0.75 * height / rows)


def _label_point(edge, j, n_out):
    """Where the weight of an edge into unit j is written: nearer the source for the upper
    targets, nearer the target for the lower ones, so labels of one fan do not overlap."""
    (x0, y0), (x1, y1) = edge
    t = 0.25 + 0.45 * (j / max(n_out - 1, 1))
    return x0 + t * (x1 - x0), y0 + t * (y1 - y0)


class DiagramView:
    """The diagram on ``ax``; ``update(net)`` recolours and rewidens the same edges.

    ``scale`` is the |w| drawn at the widest; by default the largest |w| of ``net``. An
    animation passes the largest over the whole run so widths are comparable across frames.
    """

    def __init__(self, ax, net, weight_labels=None, scale=None, legend=True):
        check_diagram_network(net)
        self.ax = ax
        self.nodes, self.edges = layout(net)
        self.scale = scale
        self.lines = LineCollection(self.edges, zorder=1, capstyle="round")
        ax.add_collection(self.lines)
        self._draw_nodes(_node_diameter(ax, net))
        self._captions(net)
        if weight_labels is None:
            weight_labels = len(self.edges) <= MAX_LABELLED_EDGES
        self.labels = self._weight_labels(net) if weight_labels else []
        self.update(net)
        ax.set_axis_off()
        if legend:
            self._legend()

    def update(self, net):
        w = net.params  # (n_edges,), edge e carries params[e]
        scale = self.scale or max(float(abs(w).max()), 1e-12)
        self.lines.set_colors([style.POSITIVE if v >= 0 else style.NEGATIVE for v in w])
        self.lines.set_linewidths(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (abs(w) / scale))
        for text, v in zip(self.labels, w):  # no labels: nothing to do
            text.set_text(f"{v:.2f}")

    def _draw_nodes(self, diameter):
        faces = {"input": "#d9d9d9", "unit": "white", "bias": "#bdbdbd"}
        for kind, marker in (("input", "o"), ("unit", "o"), ("bias", "s")):
            pts = [(x, y) for x, y, _, k in self.nodes if k == kind]
            if pts:
                xs, ys = zip(*pts, strict=True)
                side = diameter if kind != "bias" else 0.76 * diameter
                self.ax.scatter(xs, ys, s=side**2, marker=marker, facecolors=faces[kind],
                                edgecolors="black", linewidths=1.5, zorder=3)
        for x, y, label, _ in self.nodes:
            size = min(11.0, 0.36 * diameter, 1.25 * diameter / len(label))
            if size >= MIN_FONT:  # smaller names are unreadable: the node stays blank
                self.ax.text(x, y, label, ha="center", va="center", zorder=4, fontsize=size)

    def _captions(self, net):
        """Each layer's role and activation as a column heading above it."""
        bottom = min(y for _, y, _, _ in self.nodes)
        top = max(y for _, y, _, _ in self.nodes)
        last = len(net.sizes) - 1
        for k in range(len(net.sizes)):
            role = "input" if k == 0 else ("output" if k == last else "hidden")
            text = role if k == 0 else f"{role}: {net.activations[k - 1]}"
            self.ax.text(k, top + 0.85, text, ha="center", va="center", fontsize=10)
        self.ax.set_xlim(-0.4, last + 0.4)
        self.ax.set_ylim(bottom - 0.6, top + 1.2)

    def _weight_labels(self, net):
        """One empty text per edge, in the order of ``net.params`` (``update`` fills them)."""
        texts = [None] * net.n_params
        for numbers in _edge_numbers(net):
            for (_, j), e in np.ndenumerate(numbers):
                x, y = _label_point(self.edges[e], j, numbers.shape[1])
                texts[e] = self.ax.text(x, y, "", ha="center", va="center", fontsize=8,
                                        zorder=2, bbox={"boxstyle": "round,pad=0.15",
                                                        "fc": "white", "ec": "none",
                                                        "alpha": 0.85})
        return texts

    def _legend(self):
        handles = [Line2D([], [], color=style.POSITIVE, lw=3, label="positive weight"),
                   Line2D([], [], color=style.NEGATIVE, lw=3, label="negative weight"),
                   Line2D([], [], color="none", label="width ∝ |w|")]
        self.ax.legend(handles=handles, loc="upper center", ncol=3, frameon=False,
                       fontsize=9, bbox_to_anchor=(0.5, 0.0))


def plot_network(net: Network, *, weight_labels: bool | None = None, title: str | None = None,
                 figsize: tuple[float, float] | None = None, dpi: float = 100) -> Figure:
    """The network diagram as a matplotlib Figure.

    Parameters
    ----------
    net : Network
        At most :data:`MAX_UNITS` units per layer.
    weight_labels : bool or None
        Write each weight on its edge; None writes them when there are at most
        :data:`MAX_LABELLED_EDGES` edges.
    """
    check_diagram_network(net)
    layers, tallest = len(net.sizes), max(net.sizes) + (1 if net.bias else 0)
    figsize = figsize or (max(5.0, 2.3 * layers), min(8.5, max(4.2, 0.7 * tallest + 2.0)))
    fig = style.new_figure(figsize, dpi)
    ax = fig.add_subplot()
    DiagramView(ax, net, weight_labels=weight_labels)
    ax.set_title(title or f"Network diagram\n{describe(net)}")
    return fig
