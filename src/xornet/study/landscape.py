"""The loss landscape of a model: the loss as a function of the weights, seen in one and two
dimensions through the final weights.

A network of n parameters has a loss surface in n + 1 dimensions; a picture can show a line
or a plane through it. Three slices, each the standard one of a published method:

- **the line from the initial to the final weights**, θ(α) = θ₀ + α·(θ₁ − θ₀), α = 0 the
  start and α = 1 the end (Goodfellow, Vinyals & Saxe, "Qualitatively characterizing neural
  network optimization problems", ICLR 2015). Whether the loss falls monotonically along it
  says whether the run had to go around an obstacle. The initial weights are rebuilt from the
  model's training record (its seed and initialiser); a model with given weights has none.
- **a plane through the final weights spanned by two random directions**, each rescaled unit
  by unit: the incoming weights of unit j in the direction get the length of unit j's
  incoming weights in the model (filter normalisation, Li, Xu, Taylor, Studer & Goldstein,
  "Visualizing the loss landscape of neural nets", NeurIPS 2018), so a step of 1 changes every
  unit by as much as it already is, whatever its scale.
- **the plane of the training path's first two principal directions**: the weights after
  every epoch, relative to the final weights, and their principal components (also Li et al.
  2018); a random plane almost never contains the path, this one holds most of it.

The surfaces are evaluated many points at once: a grid of parameter vectors is a population
(one network per column), run through the population's NumPy forward pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xornet.core import losses, penalties
from xornet.core.layout import ParamLayout
from xornet.core.network import FloatArray, Network
from xornet.core.penalties import Penalty
from xornet.errors import XornetError
from xornet.population import numpy_path
from xornet.train import restarts
from xornet.train.config import RunConfig
from xornet.train.trainer import train

MAX_RESOLUTION = 401  # points per axis: 161 k points per plane, far finer than a picture shows
MIN_RESOLUTION = 3  # a line needs its two ends and a middle
MAX_SPAN = 100.0  # in units of the model's own weights: beyond this every unit saturates
# ... and at least this: a plane of ±10^-6 of each weight's length shows the loss flat to
# rounding, and a span such as 1e-300 rounds every point of the plane onto the end itself
MIN_SPAN = 1e-6
MAX_WORK = 2 * 10**10  # multiply-adds per plane (points × rows × parameters): about a minute
CHUNK_BYTES = 64 * 2**20  # memory of one batch of points in the forward pass
MAX_TRAJECTORY_BYTES = 256 * 2**20  # the weights after every epoch, kept for the PCA
LINE_RANGE = (-0.25, 1.25)  # α: a quarter beyond each end, to see what lies past them
# The random directions' generator is seeded by (seed, this tag), not by the seed alone: the
# initial weights of a run with the same seed come from np.random.default_rng(seed), and a
# direction drawn from the same stream would point along them.
DIRECTIONS_TAG = 1_2018  # Li et al. 2018
# With the path: the epochs after which the loss stayed within this fraction of its final
# value are the flat stretch (the stall rule's "stopped falling", xornet.train.restarts).
FLAT = restarts.FLAT


@dataclass(frozen=True)
class Line:
    """The loss along θ(α) = θ₀ + α·(θ₁ − θ₀)."""

    alphas: FloatArray  # (R,)
    losses: FloatArray  # (R,)
    start_loss: float  # α = 0: the initial network's loss
    end_loss: float  # α = 1: the final network's loss
    monotone: bool  # from α = 0 to 1 the loss never rises
    barrier: float  # the most it rises on the way from 0 to 1 (0 when monotone)
    barrier_alpha: float | None  # where the rise peaks, None when monotone

    @property
    def flat_from(self) -> float | None:
        """The least α in [0, 1] from which up to α = 1 the loss stays within FLAT of the
        end's (None when only α = 1 does)."""
        inside = (self.alphas >= 0.0) & (self.alphas <= 1.0)
        alphas, values = self.alphas[inside], self.losses[inside]
        away = np.flatnonzero(np.abs(values - self.end_loss) > FLAT * abs(self.end_loss))
        first = int(away[-1]) + 1 if away.size else 0
        return float(alphas[first]) if first < len(alphas) - 1 else None

    def as_dict(self) -> dict[str, Any]:
        return {"alphas": self.alphas.tolist(), "losses": self.losses.tolist(),
                "start_loss": self.start_loss, "end_loss": self.end_loss,
                "monotone": self.monotone, "barrier": self.barrier,
                "barrier_alpha": self.barrier_alpha, "flat_from": self.flat_from}


@dataclass(frozen=True)
class Plane:
    """The loss over θ₁ + a·d₁ + b·d₂ on a grid; ``losses[i, j]`` is at (a[j], b[i])."""

    kind: str  # "random" or "pca"
    a: FloatArray  # (R,) along d₁
    b: FloatArray  # (R,) along d₂
    losses: FloatArray  # (R, R)
    directions: FloatArray  # (2, n_params)
    biases: bool | None  # whether the directions move the biases (None: the net has none)
    explained: FloatArray | None = None  # pca: the share of the path's variance per direction
    path: FloatArray | None = None  # pca: (epochs + 1, 2), the path's coordinates
    path_losses: FloatArray | None = None  # pca: the loss after each epoch

    @property
    def lowest(self) -> tuple[float, float, float]:
        """(a, b, loss) of the lowest point of the grid: where the loss falls away to."""
        i, j = np.unravel_index(np.argmin(self.losses), self.losses.shape)
        return float(self.a[j]), float(self.b[i]), float(self.losses[i, j])

    def flat_region(self, end_loss: float) -> np.ndarray:
        """bool (R, R): the grid points joined to the end (the point nearest (0, 0)) through
        neighbours whose loss is within FLAT of ``end_loss``: the floor the end sits on (a
        band that merely crosses the same height on a slope elsewhere is not part of it)."""
        near = np.abs(self.losses - end_loss) <= FLAT * abs(end_loss)
        region = np.zeros_like(near)
        region[np.argmin(np.abs(self.b)), np.argmin(np.abs(self.a))] = True
        region &= near
        while True:  # grow by one neighbour step at a time until nothing joins
            grown = region.copy()
            grown[1:] |= region[:-1]
            grown[:-1] |= region[1:]
            grown[:, 1:] |= region[:, :-1]
            grown[:, :-1] |= region[:, 1:]
            grown &= near
            if np.array_equal(grown, region):
                return region
            region = grown

    def as_dict(self) -> dict[str, Any]:
        a, b, low = self.lowest
        d: dict[str, Any] = {"kind": self.kind, "biases": self.biases, "a": self.a.tolist(),
                             "b": self.b.tolist(), "losses": self.losses.tolist(),
                             "lowest": {"a": a, "b": b, "loss": low}}
        if self.explained is not None:
            d["explained"] = self.explained.tolist()
        if self.path is not None and self.path_losses is not None:
            d["path"] = self.path.tolist()
            d["path_losses"] = self.path_losses.tolist()
        return d


@dataclass(frozen=True)
class Flat:
    """Where the path stopped moving the loss: from epoch ``start`` on, the loss stayed within
    FLAT of its final value (``start == epochs``: it moved until the end, no flat stretch);
    ``trap`` is the stall rule's words when the end is a known trap."""

    start: int
    epochs: int
    loss: float
    trap: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "epochs": self.epochs, "loss": self.loss,
                "trap": self.trap}


@dataclass(frozen=True)
class Landscape:
    """The three slices of one model's loss surface, and what could not be drawn and why."""

    loss: str
    n_params: int
    end_loss: float
    gradient: float | None  # the loss's gradient's length at the end: ≈ 0 on a flat floor
    # (None for step units, which have no slope)
    solved: bool  # every output within ``tolerance`` (0.1 by default) of its target
    line: Line | None
    random: Plane
    pca: Plane | None
    notes: list[str] = field(default_factory=list)  # why a slice is missing, what differed
    flat: Flat | None = None
    reproduced: bool | None = None  # retraining from the record ended at the model's weights
    # the weight penalty (λ2, λ1) in every loss above: E = E_data + (λ2/2)·Σw² + λ1·Σ|w|, the
    # total the model's training minimised (History.loss); (0, 0) for none
    penalty: tuple[float, float] = (0.0, 0.0)

    @property
    def objective(self) -> str:
        """The loss's name, and the penalty in it when there is one: "bce + l2 0.001 penalty"
        (the total training minimised, so the end is the record's final loss)."""
        terms = [f"{name} {value:g}" for name, value in zip(("l2", "l1"), self.penalty,
                                                             strict=True) if value]
        return f"{self.loss} + {' + '.join(terms)} penalty" if terms else self.loss

    def as_dict(self) -> dict[str, Any]:
        return {"loss": self.loss, "n_params": self.n_params, "end_loss": self.end_loss,
                "gradient": self.gradient, "solved": self.solved, "reproduced": self.reproduced,
                "penalty": {"l2": self.penalty[0], "l1": self.penalty[1]},
                "line": self.line.as_dict() if self.line else None,
                "random": self.random.as_dict(),
                "pca": self.pca.as_dict() if self.pca else None,
                "flat": self.flat.as_dict() if self.flat else None, "notes": self.notes}


# --- the loss at many points at once ------------------------------------------------------

@dataclass(frozen=True)
class _Shape:
    """What the population's forward pass reads of a run: the layout and the activations."""

    layout: ParamLayout
    activations: tuple


def losses_at(net: Network, X: FloatArray, y: FloatArray, loss: str,
              P: FloatArray, penalty: Penalty | None = None) -> FloatArray:
    """The loss of ``net``'s architecture at every column of P (n_params, M) on checked data:
    (M,), evaluated a batch of columns at a time (the population layout); with a ``penalty``,
    the loss plus the penalty, the total that training minimised."""
    return _batched(net, X, y, loss, P.shape[1], lambda first, last: P[:, first:last],
                    penalty)


def losses_on(net: Network, X: FloatArray, y: FloatArray, loss: str, origin: FloatArray,
              directions: FloatArray, coeffs: FloatArray,
              penalty: Penalty | None = None) -> FloatArray:
    """The loss at the points origin + Σ_k coeffs[k, m]·directions[k] (m = 0 .. M−1):
    ``directions`` (K, n_params), ``coeffs`` (K, M). Each batch of points is built only when
    it is evaluated, so memory stays bounded however large the grid or the network."""
    def points(first: int, last: int) -> FloatArray:
        return origin[:, None] + directions.T @ coeffs[:, first:last]

    return _batched(net, X, y, loss, coeffs.shape[1], points, penalty)


def _batched(net: Network, X: FloatArray, y: FloatArray, loss: str, count: int,
             points: Callable[[int, int], FloatArray],
             penalty: Penalty | None = None) -> FloatArray:
    """The loss at ``count`` points, ``points(first, last)`` giving the parameter columns
    (n_params, last − first) of each batch; a batch takes at most about CHUNK_BYTES."""
    shape = _Shape(net.layout, tuple(layer.activation for layer in net.layers))
    per_network = losses.get(loss).per_network
    assert per_network is not None  # every loss in the registry has its per-network form
    x, t = X[:, :, None], y[:, :, None]
    # per point: its parameters, and z, a and a temporary of every unit on every row
    per_point = 8 * (net.n_params + 3 * len(X) * sum(net.sizes[1:]))
    step = max(1, CHUNK_BYTES // per_point)
    out = np.empty(count)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for first in range(0, count, step):
            last = min(first + step, count)
            cols = np.ascontiguousarray(points(first, last))
            y_hat = numpy_path.forward(shape, cols, x)[-1][1]
            out[first:last], _ = per_network(y_hat, t)
            if penalty is not None and penalty.active:  # (λ2/2)·Σw² + λ1·Σ|w| per column
                w = cols * penalty.mask[:, None]
                out[first:last] += (0.5 * penalty.l2 * np.einsum("pm,pm->m", w, w)
                                    + penalty.l1 * np.abs(w).sum(axis=0))
    return out


def check_grid(resolution: int, span: float) -> None:
    """Limits checked before anything is allocated."""
    if (isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer))
            or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION):
        raise XornetError(f"resolution: expected a whole number from {MIN_RESOLUTION} to "
                          f"{MAX_RESOLUTION} points per axis (a plane of {MAX_RESOLUTION}² "
                          f"points is finer than any picture); received {resolution!r}.")
    if (isinstance(span, bool) or not isinstance(span, (int, float, np.floating))
            or not np.isfinite(span) or not MIN_SPAN <= span <= MAX_SPAN):
        raise XornetError(f"span: expected a number from {MIN_SPAN:g} to {MAX_SPAN:g} (how far "
                          f"the random plane reaches, in units of the model's own weights); "
                          f"received {span!r}.")


# --- the line -----------------------------------------------------------------------------

def line(net: Network, start: FloatArray, X: FloatArray, y: FloatArray, loss: str,
         resolution: int = 61, alphas: tuple[float, float] = LINE_RANGE,
         penalty: Penalty | None = None) -> Line:
    """The loss along the straight line from the weights ``start`` (α = 0) to ``net``'s
    (α = 1), at ``resolution`` values of α from ``alphas[0]`` to ``alphas[1]`` (0 and 1 are
    always among them)."""
    lo, hi = alphas
    grid = np.union1d(np.linspace(lo, hi, resolution), [0.0, 1.0])
    values = losses_on(net, X, y, loss, start, (net.params - start)[None, :], grid[None, :],
                       penalty)
    inside = values[(grid >= 0.0) & (grid <= 1.0)]
    rise = inside - np.minimum.accumulate(inside)  # above the lowest so far on the way
    k = int(np.argmax(rise))
    barrier = float(rise[k])
    inner = grid[(grid >= 0.0) & (grid <= 1.0)]
    return Line(grid, values, float(values[grid == 0.0][0]), float(values[grid == 1.0][0]),
                monotone=bool(barrier <= 0.0), barrier=barrier,
                barrier_alpha=float(inner[k]) if barrier > 0.0 else None)


# --- random directions, filter-normalised -------------------------------------------------

def filter_normalise(direction: FloatArray, params: FloatArray, layout: ParamLayout,
                     biases: bool = True) -> FloatArray:
    """``direction`` rescaled unit by unit: for every unit j of every layer, its incoming
    weights W[:, j] (and its bias b[j] when ``biases``) get the length the same unit's have in
    ``params``. Without ``biases`` the direction leaves every bias alone (its bias entries are
    0). A new array; a unit whose direction is all 0 stays 0."""
    out = np.array(direction, dtype=np.float64)
    for (dW, db), (W, b) in zip(layout.views(out), layout.views(params), strict=True):
        for j in range(dW.shape[1]):
            mine = np.append(W[:, j], b[j]) if biases and b is not None else W[:, j]
            theirs = np.append(dW[:, j], db[j]) if biases and db is not None else dW[:, j]
            size = np.linalg.norm(theirs)
            scale = np.linalg.norm(mine) / size if size > 0 else 0.0
            dW[:, j] *= scale
            if db is not None:
                db[j] = db[j] * scale if biases else 0.0
    return out


def random_directions(net: Network, seed: int, biases: bool = True) -> FloatArray:
    """Two filter-normalised directions (2, n_params) drawn from N(0, 1) by a Generator seeded
    by (``seed``, DIRECTIONS_TAG)."""
    rng = np.random.default_rng([int(seed), DIRECTIONS_TAG])
    raw = rng.standard_normal((2, net.n_params))
    return np.stack([filter_normalise(d, net.params, net.layout, biases) for d in raw])


def plane(net: Network, X: FloatArray, y: FloatArray, loss: str, directions: FloatArray,
          a: FloatArray, b: FloatArray, penalty: Penalty | None = None) -> FloatArray:
    """The loss at θ + a[j]·d₁ + b[i]·d₂ for every (i, j): (len(b), len(a))."""
    A, B = np.meshgrid(a, b)  # (len(b), len(a))
    coeffs = np.stack([A.ravel(), B.ravel()])  # (2, points)
    return losses_on(net, X, y, loss, net.params, directions, coeffs,
                     penalty).reshape(A.shape)


def random_plane(net: Network, X: FloatArray, y: FloatArray, loss: str, seed: int,
                 resolution: int = 41, span: float = 1.0, biases: bool = True,
                 penalty: Penalty | None = None) -> Plane:
    """The loss over the plane through ``net``'s weights spanned by two random
    filter-normalised directions, a and b from −span to span."""
    check_grid(resolution, span)
    d = random_directions(net, seed, biases)
    a = np.linspace(-span, span, resolution)
    return Plane("random", a, a.copy(), plane(net, X, y, loss, d, a, a, penalty), d,
                 biases if net.bias else None)


# --- the training path and its principal plane --------------------------------------------

def initial_network(net: Network) -> tuple[Network | None, str | None]:
    """``net``'s initial network rebuilt from its training record (the seed and the
    initialiser it was drawn with), or None and the reason it cannot be."""
    t = net.training
    if not t:
        return None, ("the model has no training record, so its initial weights are unknown "
                      "(a model saved after training keeps one)")
    if t.get("init") in (None, "given"):
        how = ("its training started from given weights" if t.get("init") == "given"
               else "its training record does not name the initialiser")
        return None, f"{how}, so its initial weights cannot be rebuilt from a seed"
    if t.get("optimizer") == "perceptron":
        return None, "it was trained by the perceptron rule, whose step units have no slope"
    seed = t.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        return None, "its training record has no seed"
    try:
        acts = net.activations
        return Network(net.sizes, activation=acts[:-1], output_activation=acts[-1],
                       bias=net.bias, init=t["init"], seed=seed), None
    except XornetError as e:
        return None, f"its training record does not rebuild a network ({e})"


def record_config(training: dict[str, Any]) -> RunConfig:
    """The RunConfig that repeats a training record's updates: its settings (its penalty and
    learning-rate schedule too), with no stop rule but the epoch count (the last attempt of a
    run stops on a rule after ``training["epochs"]`` epochs, so ``trajectory`` repeats that
    many). Its epochs are that count, or the bound a recorded schedule was laid over
    (``schedule_epochs``), so a cosine falls as it did."""
    keys = ("loss", "optimizer", "lr", "momentum", "batch_size", "shuffle", "seed",
            "lr_schedule", "l2", "l1", "update_order")
    given = {k: training[k] for k in keys if k in training}
    epochs = int(training.get("epochs", 0))
    bound = training.get("schedule_epochs", epochs) if "lr_schedule" in given else epochs
    return RunConfig(**given, epochs=bound, stop_when_solved=False,
                     until_crisp=False, restarts=0, target_loss=None).check()


def trajectory(start: Network, X: FloatArray, y: FloatArray, config: RunConfig,
               epochs: int | None = None) -> FloatArray:
    """Train a copy of ``start`` as ``config`` says for ``epochs`` epochs (default
    ``config.epochs``, at most that), recording the weights before training and after every
    epoch: (epochs + 1, n_params)."""
    epochs = config.epochs if epochs is None else min(int(epochs), config.epochs)
    need = 8 * (epochs + 1) * start.n_params
    if need > MAX_TRAJECTORY_BYTES:
        raise XornetError(f"epochs: the path of {epochs:,} epochs of {start.n_params:,} "
                          f"parameters takes {need / 2**20:,.0f} MB, more than the "
                          f"{MAX_TRAJECTORY_BYTES // 2**20} MB kept for it; use a smaller model "
                          "or fewer epochs.")
    net = Network.from_weights(start.weights, start.biases,
                               [layer.activation for layer in start.layers])
    path = np.empty((epochs + 1, net.n_params))
    path[0] = net.params

    def keep(net: Network, history: Any) -> bool:
        path[history.epochs] = net.params
        return history.epochs >= epochs  # stopped where the recorded run stopped

    train(net, X, y, config, [keep])
    return path


def principal_directions(path: FloatArray, end: FloatArray
                         ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The first two principal directions of the path relative to ``end``: PCA of the rows
    θ_e − θ_end, centred on their mean. Returns the directions (2, n_params, unit length),
    the share of the variance each explains (2,) and the path's coordinates (rows, 2), each
    direction's sign chosen so that the start has a coordinate ≥ 0."""
    D = path - end
    _, s, Vt = np.linalg.svd(D - D.mean(axis=0), full_matrices=False)
    total = float(np.sum(s**2))
    dirs = np.zeros((2, path.shape[1]))
    k = min(2, len(Vt))
    dirs[:k] = Vt[:k]
    explained = np.zeros(2)
    explained[:k] = s[:k] ** 2 / total if total > 0 else 0.0
    coords = D @ dirs.T
    signs = np.where(coords[0] < 0, -1.0, 1.0)
    return dirs * signs[:, None], explained, coords * signs


def pca_plane(net: Network, X: FloatArray, y: FloatArray, loss: str, path: FloatArray,
              resolution: int = 41, margin: float = 0.25,
              penalty: Penalty | None = None) -> Plane:
    """The loss over the plane through ``net``'s weights spanned by the path's first two
    principal directions; the grid covers the path and ``margin`` of its extent around it."""
    check_grid(resolution, 1.0)
    dirs, explained, coords = principal_directions(path, net.params)
    axes = []
    for c in coords.T:
        lo, hi = float(c.min()), float(c.max())
        pad = margin * max(hi - lo, 1e-3)
        axes.append(np.linspace(lo - pad, hi + pad, resolution))
    a, b = axes
    path_losses = losses_at(net, X, y, loss, path.T, penalty)
    return Plane("pca", a, b, plane(net, X, y, loss, dirs, a, b, penalty), dirs,
                 True if net.bias else None, explained, coords, path_losses)


def flat_stretch(path_losses: FloatArray, y_hat: FloatArray, y: FloatArray) -> Flat:
    """From which epoch on the loss stayed within FLAT of its final value, and the stall
    rule's words for the end (``xornet.train.restarts.stall``) when it is a known trap."""
    end = float(path_losses[-1])
    away = np.abs(path_losses - end) > FLAT * abs(end)
    start = int(np.flatnonzero(away)[-1] + 1) if away.any() else 0
    trap = restarts.stall(list(path_losses[-restarts.CHECK_EVERY - 1:]), y_hat, y)
    return Flat(start, len(path_losses) - 1, end, trap)


# --- all three ----------------------------------------------------------------------------

def landscape(net: Network, X: Any, y: Any, *, loss: str | None = None, seed: int = 0,
              resolution: int = 41, span: float = 1.0, biases: bool = True,
              tolerance: float = 0.1, l2: float | None = None,
              l1: float | None = None) -> Landscape:
    """The line, the random plane and the principal plane of ``net``'s loss on (X, y).

    ``loss`` defaults to the one in the model's training record (else mse); ``seed`` seeds
    the random directions; ``resolution`` points per axis, the random plane from −span to
    span; ``biases`` whether the random directions move the biases; ``l2`` and ``l1`` the
    weight penalty added to every loss (default: the record's, so the surface is the one
    training descended and its end is the record's final loss). The initial weights and
    the path come from retraining the model's record; when they cannot, or the retrained
    run does not end at the model's weights, ``notes`` says so and those slices are None.
    """
    check_grid(resolution, span)
    X, y = net.check_data(X, y)
    work = resolution**2 * len(X) * net.n_params
    if work > MAX_WORK:
        fits = max(MIN_RESOLUTION, math.isqrt(MAX_WORK // (len(X) * net.n_params)))
        raise XornetError(f"resolution: a {resolution} × {resolution} plane on {len(X):,} rows "
                          f"of a {net.n_params:,}-parameter network is {work:.1e} "
                          f"multiply-adds, more than the {MAX_WORK:.0e} one plane may take; use "
                          f"a resolution of at most {fits}.")
    loss = losses.get(loss or net.training.get("loss") or "mse").name
    lam = tuple(net.training.get(k, 0.0) if v is None else v for k, v in (("l2", l2), ("l1", l1)))
    for name, value in zip(("l2", "l1"), lam, strict=True):
        penalties.check(name, value)
    penalty = Penalty(net.layout, *lam)
    notes: list[str] = []
    y_hat = net.predict(X)
    solved = bool(np.max(np.abs(y_hat - y)) <= tolerance)
    random = random_plane(net, X, y, loss, seed, resolution, span, biases, penalty)
    end_loss = float(losses_at(net, X, y, loss, net.params[:, None], penalty)[0])
    gradient = None
    if all(layer.activation.differentiable for layer in net.layers):
        dW, db = net.gradients(X, y, loss)
        dW = [g + penalty.l2 * W + penalty.l1 * np.sign(W)  # the penalty's slope: weights only
              for g, W in zip(dW, net.weights, strict=True)]
        gradient = float(np.sqrt(sum(np.sum(g**2) for g in [*dW, *(db or [])])))
    known = (loss, net.n_params, end_loss, gradient, solved)  # every slice shares these
    pen = (penalty.l2, penalty.l1)
    start, why = initial_network(net)
    if start is None:
        notes.append(f"No line from the initial weights and no training path: {why}.")
        return Landscape(*known, None, random, None, notes, penalty=pen)
    the_line = line(net, start.params, X, y, loss, max(resolution, 61), penalty=penalty)
    try:
        config = record_config(net.training)
    except XornetError as e:
        notes.append(f"No training path: the training record cannot be repeated ({e}).")
        return Landscape(*known, the_line, random, None, notes, penalty=pen)
    epochs = min(int(net.training.get("epochs", 0)), config.epochs)
    if epochs < 2:
        notes.append("No training path: the record has fewer than 2 epochs.")
        return Landscape(*known, the_line, random, None, notes, penalty=pen)
    path = trajectory(start, X, y, config, epochs)
    gap = float(np.max(np.abs(path[-1] - net.params)))
    if gap > 1e-9 * max(1.0, float(np.max(np.abs(net.params)))):
        notes.append(f"Retraining from the record ({epochs} epochs, seed {config.seed})"
                     f" ends {gap:.3g} away from the model's weights (another dataset or "
                     "setting?), so there is no principal plane; the line runs from the "
                     "rebuilt initial weights to the model's.")
        return Landscape(*known, the_line, random, None, notes, reproduced=False, penalty=pen)
    pca = pca_plane(net, X, y, loss, path, resolution, penalty=penalty)
    assert pca.path_losses is not None
    flat = flat_stretch(pca.path_losses, y_hat, y)
    return Landscape(*known, the_line, random, pca, notes, flat, reproduced=True, penalty=pen)
