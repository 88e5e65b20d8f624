"""What every picture shares: colours, the input plane and its grid, figures and saving.

The colours come from :mod:`xornet.palette`, which the playground page uses too: the RdBu
diverging map (red = low = class "0", blue = high = class "1"), weight signs in the same
red/blue, and the Okabe–Ito palette for curves and unit lines (see there for why).
"""

import os

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure

from xornet import palette
from xornet.errors import XornetError
from xornet.io import files

# The palette's RdBu steps as a matplotlib colour map: the figures and the page share it.
CMAP = LinearSegmentedColormap.from_list("xornet-RdBu", palette.COLOURS["map"])
POSITIVE = palette.COLOURS["positive"]  # a positive weight, a unit that is on
NEGATIVE = palette.COLOURS["negative"]  # a negative weight, a unit that is off
TEST = palette.COLOURS["test"]  # a loss on held-out rows, beside the training loss
UNIT_COLOURS = palette.COLOURS["units"]
_MARKERS = {"circle": "o", "square": "s"}  # the palette's marker names in matplotlib's
# Each class of a point cloud: its matplotlib marker, face colour and legend label.
CLASS_STYLES = tuple({"marker": _MARKERS[c["marker"]], "face": c["face"], "label": c["label"]}
                     for c in palette.COLOURS["classes"])
RING, EDGE = palette.COLOURS["ring"], palette.COLOURS["edge"]
FORMATS = ("png", "svg", "pdf")
MAX_TRUTH_TABLE_POINTS = 16  # up to this many 0/1 rows, points are drawn large and labelled


def unit_colour(j):
    """The colour of unit j (0-based) in every picture: the Okabe–Ito colours in turn."""
    return UNIT_COLOURS[j % len(UNIT_COLOURS)]


class NotebookFigure(Figure):
    """A matplotlib Figure that a notebook shows as a picture with no ``%matplotlib`` magic:
    IPython displays any object with a ``_repr_png_`` (a figure made without pyplot has
    none, so it would show as ``<Figure size 580x600 with 2 Axes>``)."""

    def _repr_png_(self):
        import io

        buffer = io.BytesIO()
        self.savefig(buffer, format="png")  # savefig gives a figure without a canvas one
        return buffer.getvalue()


def new_figure(figsize, dpi=100):
    """A figure that never opens a window (no pyplot), laid out so nothing is cut off, and
    shown inline by a notebook."""
    return NotebookFigure(figsize=figsize, dpi=dpi, layout="constrained")


def check_format(fmt):
    """The image format in lower case; XornetError for anything but png, svg or pdf."""
    key = str(fmt).strip().lower().lstrip(".")
    if key not in FORMATS:
        raise XornetError(f"format: unknown image format {fmt!r}; choose one of "
                          f"{', '.join(FORMATS)}.")
    return key


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: float | None = None) -> str:
    """Write ``fig`` to ``path`` atomically, through ``xornet.io.files.write_atomic`` (only
    over a regular file; a failed save never leaves half a file behind)."""
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1]
    files.write_atomic(path, lambda f: fig.savefig(f, format=suffix.lstrip(".") or "png",
                                                   dpi=dpi or fig.dpi),
                       binary=suffix.lower() != ".svg")  # "-": a PNG never onto a terminal
    return path


# --- the input plane ----------------------------------------------------------------------
def is_truth_table(X):
    """True for a small table of 0/1 rows, whose points are drawn large and labelled."""
    return (X is not None and len(X) <= MAX_TRUTH_TABLE_POINTS
            and bool(np.all((X == 0.0) | (X == 1.0))))


def is_binary(y):
    """True when every target is 0 or 1 (the points then fall into two classes)."""
    return bool(np.all((y == 0.0) | (y == 1.0)))


def plane_box(X=None):
    """(x1_min, x1_max, x2_min, x2_max) of the plane to draw: the unit square with half a
    unit of margin for 0/1 data (or no data), else the data's range plus 10 %."""
    if X is None or np.all((X == 0.0) | (X == 1.0)):
        return (-0.5, 1.5, -0.5, 1.5)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(0.1 * (hi - lo), 0.1)
    return (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])


def plane_grid(box, n):
    """The n×n grid over ``box``: axes xs (n,), ys (n,) and the points (n*n, 2), rows of
    the image first (x2 fixed along each row), so ``values.reshape(n, n)`` is an image."""
    xs = np.linspace(box[0], box[1], n)
    ys = np.linspace(box[2], box[3], n)
    g1, g2 = np.meshgrid(xs, ys)  # (n, n) each; row i has x2 = ys[i]
    return xs, ys, np.column_stack([g1.ravel(), g2.ravel()])


def activation_norm(activation):
    """Colour limits for a unit: its activation's range (0..1 for sigmoid, -1..1 for tanh,
    0..1 — the range boolean tasks use — for ReLU and linear), so the threshold is white."""
    return Normalize(vmin=activation.low, vmax=activation.high)


def colourbar_extend(activation):
    """Arrows on the colour bar where the activation can leave its drawn range."""
    return {"relu": "max", "leaky_relu": "both", "linear": "both"}.get(activation.name,
                                                                       "neither")
