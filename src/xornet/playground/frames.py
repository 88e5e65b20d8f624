"""The numbers behind each live view, computed on the server from the real network.

For two inputs the view is the input plane: one forward pass over a GRID × GRID grid gives
the output (the decision-boundary heatmap) and, from the same pass's layer caches, every
hidden unit's map (every second row and column). For one input it is a curve (the sine fit)
with each hidden unit's curve. Maps travel as bytes: each value is scaled from [lo, hi] to
0..255 and base64-encoded, 4 KB for the output map instead of ~80 KB of JSON numbers.
"""

import base64
import math
import time

import numpy as np

from xornet.io import datasets

GRID = 64  # output map resolution: 4096 points, one forward pass well under 2 ms
UNIT_STEP = 2  # unit maps keep every 2nd row and column: 32 × 32
CURVE_POINTS = 200
MAX_UNIT_MAPS = 64  # hidden units drawn; wider networks show the first 64
BOUNDED = {"sigmoid", "tanh", "step"}  # a unit map of these is coloured over its whole range
PAD = 0.15  # the plane shows the data's extent plus 15 % on every side


def extent(X):
    """[x_min, x_max, y_min, y_max] of the plane (or [x_min, x_max] for one input)."""
    lo, hi = X.min(axis=0), X.max(axis=0)  # (n_in,)
    span = np.maximum(hi - lo, 1.0)  # a single point still gets a unit-wide view
    lo, hi = lo - PAD * span, hi + PAD * span
    return np.column_stack([lo, hi]).ravel().tolist()  # [lo1, hi1, lo2, hi2]


def grid(ext):
    """The plane's sample points, (GRID², 2): row 0 is the top (largest x2)."""
    xs = np.linspace(ext[0], ext[1], GRID)
    ys = np.linspace(ext[3], ext[2], GRID)
    gx, gy = np.meshgrid(xs, ys)  # (GRID, GRID) each
    return np.column_stack([gx.ravel(), gy.ravel()])


def output_range(y):
    """The colour scale of the output: 0..1 for 0/1 targets, else the targets' own range."""
    if datasets.is_boolean(y):
        return 0.0, 1.0
    lo, hi = float(y.min()), float(y.max())
    return (lo - 0.5, hi + 0.5) if hi - lo < 1e-12 else (lo, hi)


class Viewer:
    """Builds the view of one network on one dataset; the grid is made once."""

    def __init__(self, X, y):
        self.n_in = X.shape[1]
        self.out_lo, self.out_hi = output_range(y)
        self.ext = extent(X) if self.n_in <= 2 else None
        self.points = grid(self.ext) if self.n_in == 2 else None
        if self.n_in == 1:
            self.points = np.linspace(self.ext[0], self.ext[1], CURVE_POINTS)[:, None]
        self.last_ms = 0.0

    def describe(self):
        """What the page needs once per dataset to place the view."""
        kinds = {1: "curve", 2: "plane"}
        return {"kind": kinds.get(self.n_in, "none"), "extent": self.ext, "grid": GRID,
                "unit_grid": GRID // UNIT_STEP, "out_lo": self.out_lo, "out_hi": self.out_hi}

    def view(self, net):
        """The view at the current weights (timed: ``last_ms``)."""
        start = time.perf_counter()
        if self.n_in == 2:
            result = self._plane(net)
        elif self.n_in == 1:
            result = self._curve(net)
        else:
            result = {"kind": "none", "reason": f"The input-plane view needs one or two inputs; "
                      f"this data has {self.n_in}. The loss curve and panels still work."}
        self.last_ms = (time.perf_counter() - start) * 1e3
        return result

    def _plane(self, net):
        with np.errstate(over="ignore", invalid="ignore"):
            out = net.forward(self.points)[:, 0]  # (GRID²,)
        units = []
        for k, layer in enumerate(net.layers[:-1]):
            a = layer.a.reshape(GRID, GRID, layer.n_out)[::UNIT_STEP, ::UNIT_STEP]
            for j in range(layer.n_out):
                if len(units) == MAX_UNIT_MAPS:
                    break
                lo, hi = _unit_range(layer.activation.name, a[:, :, j])
                units.append({"layer": k + 1, "unit": j, "lo": lo, "hi": hi,
                              "map": _encode(a[:, :, j], lo, hi)})
        return {"kind": "plane", "out": _encode(out, self.out_lo, self.out_hi), "units": units}

    def _curve(self, net):
        with np.errstate(over="ignore", invalid="ignore"):
            out = net.forward(self.points)[:, 0]  # (CURVE_POINTS,)
        units = []
        for k, layer in enumerate(net.layers[:-1]):
            for j in range(min(layer.n_out, MAX_UNIT_MAPS - len(units))):
                units.append({"layer": k + 1, "unit": j, "values": _finite_list(layer.a[:, j])})
        return {"kind": "curve", "xs": _finite_list(self.points[:, 0]),
                "out": _finite_list(out), "units": units}


def _unit_range(name, values):
    if name in BOUNDED:
        return (-1.0, 1.0) if name == "tanh" else (0.0, 1.0)
    m = float(np.max(np.abs(values))) if np.isfinite(values).all() else 1.0
    return -max(m, 1e-9), max(m, 1e-9)


def _encode(values, lo, hi):
    """Values scaled from [lo, hi] to bytes 0..255 (NaN → 128), as base64 text."""
    scaled = (np.asarray(values, dtype=np.float64).ravel() - lo) * (255.0 / (hi - lo))
    scaled = np.nan_to_num(scaled, nan=127.5, posinf=255.0, neginf=0.0)
    np.clip(scaled, 0.0, 255.0, out=scaled)
    return base64.b64encode((scaled + 0.5).astype(np.uint8).tobytes()).decode("ascii")


def _finite_list(values):
    return [round(float(v), 6) if math.isfinite(v) else None for v in values]
