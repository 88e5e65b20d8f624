"""The training loop: forward, loss, backward, update — repeated, with stop conditions.

``history.loss[j]`` is the loss on the whole training set after j epochs, so
``history.loss[0]`` is the loss of the initial weights and a run of E epochs records E + 1
values.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from xornet.core import losses, optimizers
from xornet.errors import DivergenceError, XornetError


@dataclass
class TrainSettings:
    """How to train. Every field is checked in ``__post_init__``."""

    epochs: int = 5000  # an upper bound; stop conditions may end the run earlier
    lr: float = 0.5  # learning rate α
    loss: str = "mse"  # mse, sse or bce
    batch_size: int | None = None  # None = full batch, 1 = online, k = mini-batches of k
    optimizer: str = "sgd"  # sgd or adam
    momentum: float = 0.0  # sgd only; 0 is plain gradient descent
    shuffle: bool = False  # online/mini-batch: visit samples in a new random order each epoch
    seed: int = 0  # seeds the shuffling order
    tolerance: float = 0.1  # "solved" = every output within this distance of its target
    stop_when_solved: bool = False  # stop at the first epoch that is solved
    target_loss: float | None = None  # stop once the loss is at most this

    def __post_init__(self):
        _positive_int("epochs", self.epochs)
        _finite("lr", self.lr, low=0.0, open_low=True)
        losses.get(self.loss)
        if self.batch_size is not None:
            _positive_int("batch_size", self.batch_size)
        _finite("momentum", self.momentum, low=0.0)
        if self.momentum >= 1.0:
            raise XornetError(f"momentum: must be below 1; received {self.momentum!r}.")
        optimizers.make(self.optimizer, 1.0, self.momentum)
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) \
                or self.seed < 0:
            raise XornetError(f"seed: expected a whole number ≥ 0; received {self.seed!r}.")
        _finite("tolerance", self.tolerance, low=0.0, open_low=True)
        if self.target_loss is not None:
            _finite("target_loss", self.target_loss, low=0.0)


@dataclass
class History:
    """What a training run did."""

    loss: list = field(default_factory=list)  # loss after 0, 1, 2, ... epochs
    epochs: int = 0  # epochs of updates actually run
    stop_reason: str = ""  # "solved", "target loss", "max epochs" or "callback"
    solved: bool = False  # every output within tolerance at the end
    solved_epoch: int | None = None  # first epoch count at which the run was solved
    accuracy: float | None = None  # fraction of rows classified right (0/1 targets only)
    max_error: float = math.nan  # largest |ŷ − y| at the end
    wall_time: float = 0.0  # seconds

    @property
    def final_loss(self):
        return self.loss[-1] if self.loss else math.nan


def train(net, X, y, settings, callbacks=()):
    """Train ``net`` on checked arrays X (n, n_in), y (n, n_out); return a History.

    Each callback is called as ``callback(net, history)`` after every epoch; returning True
    stops the run.
    """
    for layer in net.layers:
        if not layer.activation.differentiable:
            raise XornetError(
                f"layer {layer.index}: the {layer.activation.name} activation has no useful "
                "derivative, so it cannot be trained by backpropagation; use sigmoid, tanh or "
                "relu."
            )
    loss_fn = losses.get(settings.loss)
    opt = optimizers.make(settings.optimizer, settings.lr, settings.momentum)
    rng = np.random.default_rng(settings.seed)  # only used to shuffle
    full_batch = settings.batch_size is None or settings.batch_size >= len(X)
    history = History()
    start = time.perf_counter()
    # Overflow on the way to divergence is detected and reported below, not warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        _loop(net, X, y, settings, callbacks, loss_fn, opt, rng, full_batch, history)
    _summarise(history, net.forward(X), y, settings)
    history.wall_time = time.perf_counter() - start
    net.training = {
        "loss": loss_fn.name, "optimizer": settings.optimizer, "lr": settings.lr,
        "momentum": settings.momentum, "batch_size": settings.batch_size,
        "shuffle": settings.shuffle, "seed": settings.seed, "epochs": history.epochs,
        "final_loss": history.final_loss, "solved": history.solved,
    }
    return history


def _loop(net, X, y, settings, callbacks, loss_fn, opt, rng, full_batch, history):
    """Epoch after epoch: forward, loss, (stop?), backward, update."""
    value_and_gradient = loss_fn.fused or loss_fn  # looked up once: this loop is the hot path
    params, grads = [net.params], [net.grads]
    for epoch in range(1, settings.epochs + 2):
        if full_batch:
            # forward: the whole set; its loss is the loss after epoch - 1 epochs
            y_hat = net.forward(X)
            value, grad = value_and_gradient(y_hat, y)
        else:
            y_hat = net.forward(X)
            value = loss_fn.value(y_hat, y)
        _record(history, epoch - 1, value, y_hat, y, settings)
        if _should_stop(history, epoch - 1, settings) or epoch > settings.epochs:
            break
        if full_batch:
            net.backward(grad)  # backward: every gradient first ...
            opt.step(params, grads)  # ... then the update
        else:
            _minibatch_epoch(net, X, y, settings, loss_fn, opt, rng)
        if not math.isfinite(np.add.reduce(net.params)):  # a sum is inf or nan if any term is
            raise _diverged(epoch, "a weight", history)
        history.epochs = epoch
        if callbacks and any(cb(net, history) for cb in callbacks):
            history.stop_reason = "callback"
            y_hat = net.forward(X)
            _record(history, epoch, loss_fn.value(y_hat, y), y_hat, y, settings)
            break


def _minibatch_epoch(net, X, y, settings, loss_fn, opt, rng):
    """One epoch of online (batch_size 1) or mini-batch updates."""
    order = rng.permutation(len(X)) if settings.shuffle else np.arange(len(X))
    for first in range(0, len(X), settings.batch_size):
        rows = order[first:first + settings.batch_size]
        _, grad = loss_fn(net.forward(X[rows]), y[rows])
        net.backward(grad)
        opt.step([net.params], [net.grads])


def _record(history, epochs_done, value, y_hat, y, settings):
    if not math.isfinite(value):
        raise _diverged(epochs_done, "the loss", history)
    history.loss.append(value)
    if history.solved_epoch is None and _within(y_hat, y, settings.tolerance):
        history.solved_epoch = epochs_done


def _should_stop(history, epochs_done, settings):
    if settings.stop_when_solved and history.solved_epoch is not None:
        history.stop_reason = "solved"
    elif settings.target_loss is not None and history.loss[-1] <= settings.target_loss:
        history.stop_reason = "target loss"
    elif epochs_done >= settings.epochs:
        history.stop_reason = "max epochs"
    return bool(history.stop_reason)


def _within(y_hat, y, tolerance):
    return bool(np.max(np.abs(y_hat - y)) <= tolerance)


def _summarise(history, y_hat, y, settings):
    history.max_error = float(np.max(np.abs(y_hat - y)))
    history.solved = history.max_error <= settings.tolerance
    if np.all((y == 0.0) | (y == 1.0)):
        # a row is right when every rounded output equals its target
        history.accuracy = float(np.mean(np.all((y_hat >= 0.5) == (y == 1.0), axis=1)))


def _diverged(epoch, what, history):
    return DivergenceError(
        f"training diverged: {what} stopped being finite in epoch {epoch}; use a smaller "
        "learning rate (--lr).",
        epoch, history,
    )


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise XornetError(f"{name}: expected a whole number ≥ 1; received {value!r}.")


def _finite(name, value, low, open_low=False):
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value > low if open_low else value >= low)
    if not ok:
        bound = f"> {low:g}" if open_low else f"≥ {low:g}"
        raise XornetError(f"{name}: expected a finite number {bound}; received {value!r}.")
