"""The trainability map: which pairs of learning rates train a network, and which do not.

After Sohl-Dickstein, "The boundary of neural network trainability is fractal" (2024,
arXiv:2402.06184). Every pixel trains the *same* initial network (one seed) by full-batch
gradient descent in float64 for ``steps`` steps, with its own pair of learning rates: the
hidden layer's on x, the output layer's on y, both log-spaced. A pixel has converged when
the mean of its last 20 losses, each divided by the first loss, is below 1
(``xornet.population.grid`` computes the sums inside the training loop). The boundary
between the converged and the rest is, in the paper, fractal: zooming into it shows more
structure at every scale. ``box_dimension`` measures it.

Two settings:

``xor``
    The default network of ``RunConfig`` (2-2-1, sigmoid, bias, Xavier init, bce) on XOR,
    trained by plain gradient descent (no momentum).
``paper``
    The paper's network: 16 inputs, one hidden layer of 16 tanh units, no bias, N(0, 1)
    weights, a linear output, MSE, and as many data points (inputs and targets drawn from
    N(0, 1)) as the network has parameters (272). The paper uses the mean-field
    parametrisation: layer l computes c_l·(a·W_l) with W_l ~ N(0, 1), here
    c_1 = √(2/16) (1/√fan-in, and tanh of √2·z) and c_2 = 1/16 (1/√16 twice). Gradient
    descent on W with rate η is the same trajectory as gradient descent on W' = c·W with
    rate c²·η (∂E/∂W = c·∂E/∂W', so W' − c·η·c·∂E/∂W'), so xornet's plain layers train it
    from W' ~ N(0, c²) with rates η·c², and the map's axes show the paper's η.
"""

from dataclasses import dataclass, field

import numpy as np

from xornet.errors import XornetError, require
from xornet.io import datasets
from xornet.population.grid import (
    GridStats,
    check_steps,
    grid_setup,
    initial_network,
    train_grid,
)
from xornet.train.config import RunConfig

SETTINGS = ("xor", "paper")
# The windows (log10 of the hidden and output learning rates) that show each setting's
# boundary: found with 192 × 192 (xor) and 96 × 96 (paper) maps over 10^-3 .. 10^5.
DEFAULT_CENTER = {"xor": (0.5, 1.25), "paper": (2.5, 2.0)}
DEFAULT_SPAN = {"xor": 4.0, "paper": 3.0}
MIN_SIZE, MAX_SIZE = 4, 4096  # 4096²: 16.8 M pixels, about 1 GB of sums and rates
TILE = 512 * 512  # networks trained at once: a large map is cut into bands of rows
MAX_SPAN = 16.0  # log10 units
PAPER_WIDTH = 16


@dataclass(frozen=True)
class Problem:
    """What every pixel trains: the config, the data, the initial parameters (n_params,) and
    the factor each layer's learning rate is multiplied by before training (1 for plain
    layers, c_l² for the mean-field ones)."""

    name: str
    config: RunConfig
    X: np.ndarray
    y: np.ndarray
    p0: np.ndarray
    lr_scale: tuple


def problem(setting="xor", seed=0):
    """The network and data of ``setting`` (see the module docstring), drawn from ``seed``."""
    if setting not in SETTINGS:
        raise XornetError(f"setting: unknown name {setting!r}; choose one of "
                          f"{', '.join(SETTINGS)}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise XornetError(f"seed: expected a whole number ≥ 0; received {seed!r}.")
    if setting == "xor":
        config = RunConfig(seed=int(seed))
        X, y = datasets.load("xor")
        p0 = initial_network(grid_setup(config, X, y, [1.0]))
        return Problem(setting, config, X, y, p0, (1.0, 1.0))
    return paper_problem(seed)


def paper_problem(seed=0, width=PAPER_WIDTH):
    """The paper's setting as plain layers: weights from ``np.random.default_rng(seed)`` (as
    ``Network(seed=...)`` draws them), the data from ``default_rng([seed, 1])``."""
    config = RunConfig(hidden=(width,), activation="tanh", output_activation="linear",
                       bias=False, init="normal", loss="mse", seed=int(seed))
    n_params = width * width + width
    data = np.random.default_rng([int(seed), 1])
    X = data.standard_normal((n_params, width))
    y = data.standard_normal((n_params, 1))
    scale = mean_field_scales(width, width)
    setup = grid_setup(config, X, y, [1.0])
    p0 = initial_network(setup)
    for (W, _), c in zip(setup.layout.views(p0), scale, strict=True):
        W *= c  # W' = c·W ~ N(0, c²)
    return Problem("paper", config, X, y, p0, tuple(c * c for c in scale))


def mean_field_scales(n_in, width):
    """c_l of the paper's mean-field network: hidden √2/√n_in, output 1/width."""
    return (float(np.sqrt(2.0 / n_in)), 1.0 / width)


@dataclass
class BoxFit:
    """The box-counting fit: log N(s) = −D·log s + a over box sizes s = 2^k."""

    dimension: float
    stderr: float
    r2: float
    sizes: list
    counts: list

    def as_dict(self):
        return {"dimension": self.dimension, "stderr": self.stderr, "r2": self.r2,
                "sizes": self.sizes, "counts": self.counts}


def boundary(converged):
    """The boundary pixels: converged ones with a 4-neighbour that did not converge."""
    c = np.asarray(converged, dtype=bool)
    out = np.zeros_like(c)
    out[1:] |= ~c[:-1]
    out[:-1] |= ~c[1:]
    out[:, 1:] |= ~c[:, :-1]
    out[:, :-1] |= ~c[:, 1:]
    return c & out


def box_counts(mask):
    """(sizes 2^k, boxes of that size holding a pixel of ``mask``), from 1 up to a quarter
    of the shorter side (so every count has at least 4 × 4 boxes to fall in)."""
    mask = np.asarray(mask, dtype=bool)
    sizes, counts, s = [], [], 1
    while s <= min(mask.shape) // 4:
        h, w = -(-mask.shape[0] // s) * s, -(-mask.shape[1] // s) * s
        padded = np.zeros((h, w), dtype=bool)
        padded[:mask.shape[0], :mask.shape[1]] = mask
        boxes = padded.reshape(h // s, s, w // s, s).any(axis=(1, 3))
        sizes.append(s)
        counts.append(int(boxes.sum()))
        s *= 2
    return sizes, counts


def box_dimension(mask):
    """The box-counting dimension of the pixels of ``mask``: the slope of log N against
    log(1/s) by least squares, with its standard error and r²; None when fewer than three
    sizes have a box (nothing to fit)."""
    sizes, counts = box_counts(mask)
    keep = [k for k, n in enumerate(counts) if n > 0]
    if len(keep) < 3:
        return None
    x = -np.log([sizes[k] for k in keep])
    y = np.log([counts[k] for k in keep])
    dx = x - x.mean()
    slope = float(dx @ (y - y.mean()) / (dx @ dx))  # least squares
    resid = y - y.mean() - slope * dx
    ss_res, ss_tot = float(resid @ resid), float(((y - y.mean()) ** 2).sum())
    stderr = float(np.sqrt(ss_res / (len(x) - 2) / (dx @ dx)))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return BoxFit(float(slope), stderr, float(r2), sizes, counts)


@dataclass
class FractalMap:
    """One map. Rows are output-layer rates (row 0 the smallest), columns hidden-layer
    rates; each (size, size) array is indexed [row, column]."""

    setting: str
    size: int
    steps: int
    seed: int
    center: tuple  # log10 (hidden lr, output lr)
    span: float  # log10 units, both axes
    hidden_lrs: np.ndarray  # (size,) x axis
    output_lrs: np.ndarray  # (size,) y axis
    loss_sum: np.ndarray
    inverse_sum: np.ndarray
    tail_mean: np.ndarray
    diverged_step: np.ndarray
    first_loss: float
    backend: str
    compile_time: float
    train_time: float
    tiles: int = 1
    fit: BoxFit | None = field(default=None)

    @property
    def converged(self):
        return self.tail_mean < 1.0

    @property
    def boundary(self):
        return boundary(self.converged)

    @property
    def extent(self):
        """(x0, x1, y0, y1) in log10 learning rate, the pixels' outer edges."""
        half, step = self.span / 2, self.span / max(self.size - 1, 1) / 2
        cx, cy = self.center
        return (cx - half - step, cx + half + step, cy - half - step, cy + half + step)

    def summary(self):
        """The map's numbers as plain JSON data (no per-pixel arrays)."""
        return {
            "setting": self.setting, "size": self.size, "steps": self.steps,
            "seed": self.seed, "center": list(self.center), "span": self.span,
            "hidden_lr_range": [float(self.hidden_lrs[0]), float(self.hidden_lrs[-1])],
            "output_lr_range": [float(self.output_lrs[0]), float(self.output_lrs[-1])],
            "converged_fraction": float(self.converged.mean()),
            "diverged_fraction": float((self.diverged_step >= 0).mean()),
            "boundary_pixels": int(self.boundary.sum()),
            "box_dimension": None if self.fit is None else self.fit.as_dict(),
            "first_loss": self.first_loss, "backend": self.backend,
            "compile_time": self.compile_time, "train_time": self.train_time,
            "tiles": self.tiles,
        }


def check_window(center, span):
    try:
        cx, cy = (float(v) for v in center)
    except (TypeError, ValueError):
        cx = cy = float("nan")
    if not (np.isfinite(cx) and np.isfinite(cy) and abs(cx) <= 12 and abs(cy) <= 12):
        raise XornetError(f"center: expected two numbers (log10 of the hidden and output "
                          f"learning rates) between -12 and 12; received {center!r}.")
    ok = isinstance(span, (int, float, np.floating, np.integer)) and not isinstance(span, bool)
    if not (ok and np.isfinite(span) and 1e-12 <= span <= MAX_SPAN):
        raise XornetError(f"span: expected the window's width in log10 units, from 1e-12 "
                          f"to {MAX_SPAN:g}; received {span!r}.")
    if max(abs(cx), abs(cy)) + span / 2 > 15:
        raise XornetError("span: the window reaches beyond learning rates of 10^±15; "
                          "move the center or narrow the span.")
    return (cx, cy), float(span)


def check_size(size):
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) \
            or not MIN_SIZE <= size <= MAX_SIZE:
        raise XornetError(f"size: expected a whole number of pixels per side from {MIN_SIZE} "
                          f"to {MAX_SIZE}; received {size!r}.")
    return int(size)


def lr_pairs(center, span, size):
    """(hidden lrs (size,), output lrs (size,), pairs (size², 2)) in row-major pixel order:
    pixel [row, column] has hidden lr column and output lr row."""
    (cx, cy), half = center, span / 2
    xs = 10.0 ** np.linspace(cx - half, cx + half, size)
    ys = 10.0 ** np.linspace(cy - half, cy + half, size)
    rows, cols = np.meshgrid(ys, xs, indexing="ij")
    return xs, ys, np.stack([cols.ravel(), rows.ravel()], axis=1)


def train_pixels(prob, pairs, steps, backend="auto", threads=None):
    """Train the learning-rate pairs (M, 2) of ``prob`` (the paper's rates scaled to plain
    layers); return a ``population.grid.GridRun``."""
    lrs = np.asarray(pairs, dtype=np.float64) * np.asarray(prob.lr_scale)
    setup = grid_setup(prob.config, prob.X, prob.y, lrs)
    return train_grid(setup, prob.p0, steps, backend=backend, threads=threads)


def _tile_stats(prob, pairs, steps, backend):
    """One tile, as a Dask task runs it: (GridStats, first loss, backend, compile, train)."""
    run = train_pixels(prob, pairs, steps, backend)
    return run.stats, run.first_loss, run.backend, run.compile_time, run.train_time


def trainability_map(setting="xor", *, size=256, steps=500, center=None, span=None, seed=0,
                     backend="auto", threads=None, dask=None, tile=TILE):
    """Train the map of ``setting`` over the window ``center`` ± ``span``/2 (log10 units;
    defaults in ``DEFAULT_CENTER`` and ``DEFAULT_SPAN``); return a ``FractalMap`` with its
    box-counting fit. Maps above ``tile`` pixels are trained band by band; with ``dask`` (a
    scheduler address) the bands are tasks on that Dask cluster."""
    prob = problem(setting, seed)
    size, steps = check_size(size), check_steps(steps)
    center, span = check_window(DEFAULT_CENTER[setting] if center is None else center,
                                DEFAULT_SPAN[setting] if span is None else span)
    xs, ys, pairs = lr_pairs(center, span, size)
    rows = max(1, int(tile) // size)
    bands = [pairs[r * size:(r + rows) * size] for r in range(0, size, rows)]
    if dask is not None:
        parts = _run_dask(prob, bands, steps, backend, dask)
    else:
        parts = [_tile_stats(prob, band, steps, backend) for band in bands]
    stats = GridStats.concatenate([p[0] for p in parts])
    shape = (size, size)
    out = FractalMap(setting, size, steps, int(seed), center, span, xs, ys,
                     stats.loss_sum.reshape(shape), stats.inverse_sum.reshape(shape),
                     stats.tail_mean.reshape(shape), stats.diverged_step.reshape(shape),
                     parts[0][1], parts[0][2], max(p[3] for p in parts),
                     sum(p[4] for p in parts), len(bands))
    out.fit = box_dimension(out.boundary)
    return out


def _run_dask(prob, bands, steps, backend, address):
    require("dask", "dask")
    from dask.distributed import Client

    try:
        client = Client(address, timeout=10)
    except (OSError, TimeoutError, ValueError, TypeError) as e:
        raise XornetError(f"dask: cannot reach a Dask scheduler at {address!r} ({e}); start "
                          "one with `dask scheduler` and give its address.") from None
    with client:
        futures = [client.submit(_tile_stats, prob, band, steps, backend, pure=False)
                   for band in bands]
        try:
            return client.gather(futures)
        except Exception as e:
            raise XornetError(f"dask: a worker could not train a tile ({type(e).__name__}: "
                              f"{e}); check the `dask worker` logs.") from None


def check_frames(frames):
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) \
            or not 2 <= frames <= 600:
        raise XornetError(f"frames: expected a whole number from 2 to 600; received {frames!r}.")
    return int(frames)


def zoom_windows(fmap, frames=24, factor=0.8):
    """The windows (center, span) of a zoom into ``fmap``'s boundary: ``frames`` windows, each
    ``factor`` times as wide as the one before, moving to the boundary pixel nearest the
    map's center (the zoom keeps it in view at every scale)."""
    check_frames(frames)
    edge = np.argwhere(fmap.boundary)
    if not len(edge):
        raise XornetError("zoom: this map has no boundary to zoom into (every pixel converged, "
                          "or none did); move the center or widen the span.")
    mid = (fmap.size - 1) / 2
    row, col = edge[np.argmin(((edge - mid) ** 2).sum(axis=1))]
    target = (float(np.log10(fmap.hidden_lrs[col])), float(np.log10(fmap.output_lrs[row])))
    out = []
    for k in range(frames):
        w = 1.0 - factor ** k  # the center glides from the map's to the target
        c = tuple(a + w * (b - a) for a, b in zip(fmap.center, target, strict=True))
        out.append((c, fmap.span * factor ** k))
    return out


def zoom(fmap, frames=24, factor=0.8, *, size=None, backend="auto", threads=None):
    """The maps of ``zoom_windows(fmap, ...)``, same setting, seed and steps as ``fmap``."""
    return [trainability_map(fmap.setting, size=size or fmap.size, steps=fmap.steps,
                             center=c, span=s, seed=fmap.seed, backend=backend,
                             threads=threads)
            for c, s in zoom_windows(fmap, frames, factor)]
