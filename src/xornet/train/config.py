"""A training run as data: ``RunConfig`` says which network to build and how to train it.

The command line builds one from its flags; presets (``xornet.train.presets``) are instances.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from xornet.core import losses, optimizers, penalties
from xornet.core.network import Callback, FloatArray, Network
from xornet.errors import XornetError
from xornet.train import schedules

if TYPE_CHECKING:
    from xornet.train.history import History


@dataclass(frozen=True)
class RunConfig:
    """Everything a run needs besides its data. Defaults are the default run's settings."""

    # The default run is the lesson: the tutorials' 2-2-1 network, trained until its two
    # hidden units are clean gates, so the logic lens reads e.g. "h1 ≈ OR, h2 ≈ NAND;
    # ŷ ≈ h1 AND h2 = XOR". Chosen with the population trainer over sigmoid/tanh, four inits,
    # bce/mse, lr 1-4, momentum 0/0.9: the first attempt ends that way for 70 % of seeds (the
    # others stall and restart), and every one of seeds 0..4999 ends so (README, "Presets").
    hidden: tuple[int, ...] = (2,)  # the smallest network that learns XOR: every unit readable
    activation: str = "sigmoid"  # outputs in (0, 1): a hidden unit reads as a 0/1 gate
    output_activation: str = "sigmoid"  # outputs in (0, 1), read as probabilities of 1
    bias: bool = True  # without a bias every unit's line must pass through the origin
    init: str = "xavier"  # weights scaled by √(2 / (fan-in + fan-out)): sigmoid's steep middle
    loss: str = "bce"  # with a sigmoid output its gradient is ŷ − y: no vanishing slope
    optimizer: str = "sgd"  # w ← w − α·∂E/∂w, the rule the tutorial derives by hand
    momentum: float = 0.9  # carries steps across the flat start of the loss surface
    # median 52 epochs; lr 2 needs about 64, lr 4 stalls more often. One number for every
    # layer, or a tuple of one per weight layer (input side first): (0.5, 2.0)
    lr: float | tuple[float, ...] = 3.0
    # "constant", "step:N:F", "exp:G" or "cosine[:M]": the lr of each epoch as a factor of
    # ``lr`` (xornet.train.schedules)
    lr_schedule: str = "constant"
    # penalties on the weights (not the biases), added to the loss the optimizer minimises:
    # E = E_data + (l2/2)·Σw² + l1·Σ|w| (xornet.core.penalties); History's loss is that E
    l2: float = 0.0
    l1: float = 0.0
    epochs: int = 5000  # an upper bound for each attempt: it stops when solved and crisp
    batch_size: int | None = None  # None = full batch: the exact gradient; 1 = online
    shuffle: bool = False  # the full batch has no order; online in order can be followed by hand
    seed: int = 0  # fixed, so the same command always builds the same network
    tolerance: float = 0.1  # solved = every output within 0.1 of its target: reads as 0 or 1
    stop_when_solved: bool = True  # epochs after "solved" only push outputs nearer 0 and 1
    target_loss: float | None = None  # None: stop on the tolerance, which reads as outputs
    # "textbook": every gradient is computed before any weight moves (backpropagation as
    # derived). "script": each layer is updated as soon as its gradient is known, so the layer
    # below gets its delta through weights that already moved, as the classic tutorial scripts
    # do (`Wz += H.T.dot(dZ)` before `dH = dZ.dot(Wz.T) * sigmoid_(H)`); kept to reproduce them.
    update_order: str = "textbook"
    # with stop_when_solved: train on until every hidden unit reads as a clean 0 or 1 (a few
    # epochs: median 4, at most 107 past "solved" over seeds 0..4999): the lens reads gates
    until_crisp: bool = True
    crisp_epochs: int = 200  # ... for at most this many epochs past "solved" (then restart)
    # with stop_when_solved: a stalled attempt (the 3-of-4 plateau, stuck outputs) starts
    # again from a seed derived from ``seed``, at most this often; 0 lets a learner watch a
    # run fail (seeds 0..4999 need at most 7)
    restarts: int = 10
    # early stopping (needs a test set): stop once the test loss has not fallen below its
    # lowest value for this many epochs, and put back the weights of that lowest epoch (as
    # Keras's EarlyStopping(monitor="val_loss", patience=P, restore_best_weights=True));
    # None: no early stopping
    patience: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.lr, list):  # one per layer, kept as a tuple like ``hidden``
            object.__setattr__(self, "lr", tuple(self.lr))

    def with_(self, **changes: Any) -> RunConfig:
        """A copy with some fields changed.

        Naming an optimizer without a momentum means no momentum: ``with_(optimizer="sgd")``
        is plain gradient descent and ``with_(optimizer="adam")`` just works, even though
        the default run uses sgd with momentum 0.9.
        """
        if "optimizer" in changes and "momentum" not in changes:
            changes["momentum"] = 0.0
        return replace(self, **changes)

    def build(self, n_in: int, n_out: int) -> Network:
        """The untrained network for data with ``n_in`` features and ``n_out`` targets."""
        return Network([n_in, *self.hidden, n_out], activation=self.activation,
                       output_activation=self.output_activation, bias=self.bias,
                       init=self.init, seed=self.seed)

    def check(self) -> RunConfig:
        """Check every training field; raise XornetError naming the first bad one.

        An explicit call, not ``__post_init__``: a config is built first (by the command
        line, ``with_`` or ``Network.fit``) and checked where it is about to be used, so a
        preset can be changed field by field without every step having to be valid.
        """
        _positive_int("epochs", self.epochs)
        _check_lr(self)
        schedules.parse(self.lr_schedule, self.epochs)
        penalties.check("l2", self.l2)
        penalties.check("l1", self.l1)
        if self.optimizer == optimizers.PERCEPTRON:
            _check_perceptron_extras(self)
        losses.get(self.loss)
        if self.batch_size is not None:
            _positive_int("batch_size", self.batch_size)
        _finite("momentum", self.momentum, low=0.0)
        if self.momentum >= 1.0:
            raise XornetError(f"momentum: must be below 1; received {self.momentum!r}.")
        optimizers.make(self.optimizer, 1.0, self.momentum)
        _whole("seed", self.seed)
        _finite("tolerance", self.tolerance, low=0.0, open_low=True)
        if self.target_loss is not None:
            _finite("target_loss", self.target_loss, low=0.0)
        _check_update_order(self)
        _positive_int("crisp_epochs", self.crisp_epochs)
        _whole("restarts", self.restarts)
        if self.patience is not None:
            _positive_int("patience", self.patience)
        return self

    def check_targets(self, y: np.ndarray) -> None:
        """Check that the loss can be computed on the checked targets y (n, n_out).

        Binary cross-entropy reads each target as a probability: −(y·ln ŷ + (1 − y)·ln(1 − ŷ))
        is a loss (≥ 0, least at ŷ = y) only for y in [0, 1]; with y = 5 it falls without
        bound as ŷ → 1, so a run "learns" a negative loss. Every run meets its data here
        (``NetworkLearner``, the population's ``make_setup``), so every surface refuses it.
        """
        low, high = float(np.min(y)), float(np.max(y))
        if losses.get(self.loss).name == "bce" and (low < 0.0 or high > 1.0):
            raise XornetError(
                f"loss: bce needs targets between 0 and 1, and this data has targets from "
                f"{low:.4g} to {high:.4g}; for regression use the mse (or sse) loss and a "
                "linear output activation."
            )

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (``hidden`` as a list), as JSON writes them."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        if isinstance(self.lr, tuple):
            d["lr"] = list(self.lr)
        return d


def run(config: RunConfig, X: FloatArray, y: FloatArray, callbacks: Sequence[Callback] = (),
        start: Network | None = None, test_data: tuple[FloatArray, FloatArray] | None = None
        ) -> tuple[Network, History]:
    """Build the network ``config`` describes, train it on (X, y); return (net, history).

    ``optimizer="perceptron"`` trains by the perceptron rule (``xornet.train.perceptron``), which
    needs ``hidden=()`` and ``output_activation="step"``; every other optimizer trains by
    backpropagation (``xornet.train.trainer.train``), starting again from a derived seed when
    an attempt stalls, up to ``config.restarts`` times (``xornet.train.restarts``). ``start``, a
    Network, is trained instead of a new one (from its weights, in place, and never restarted:
    its weights are not drawn from a seed); ``config``'s network fields are then not used.

    ``test_data=(X_test, y_test)`` (Keras calls it ``validation_data``) is never trained on:
    the History records its loss and accuracy after every epoch, and ``config.patience``
    stops on it (early stopping). ``xornet.io.datasets.train_test_split`` makes one.
    """
    # deferred: the trainer imports RunConfig from here
    from xornet.train import restarts
    from xornet.train.perceptron import train_perceptron

    net = config.build(X.shape[1], y.shape[1]) if start is None else start
    config.check()
    X, y = net.check_data(X, y)
    from xornet.train.trainer import check_test_data

    test = check_test_data(net, config, test_data)
    if config.optimizer == optimizers.PERCEPTRON:
        if test is not None:
            raise XornetError("test_data: the perceptron rule stops when every training row "
                              "is right, so a test set would change nothing; train by "
                              "backpropagation (sgd or adam) to follow a test loss.")
        return net, train_perceptron(net, X, y, config, callbacks)
    if start is not None:  # given weights: one attempt, as they are
        from xornet.train.trainer import train

        return net, train(net, X, y, config, callbacks, test_data=test)
    return restarts.run(config, X, y, callbacks, test_data=test)


def layer_lrs(config: RunConfig, n_layers: int) -> tuple[float, ...]:
    """The learning rate of each of ``n_layers`` weight layers: ``config.lr`` repeated when
    it is one number, else the tuple itself (whose length must be ``n_layers``)."""
    if not isinstance(config.lr, (tuple, list)):
        return (float(config.lr),) * n_layers
    if len(config.lr) != n_layers:
        raise XornetError(
            f"lr: {len(config.lr)} learning rates given for a network of {n_layers} weight "
            f"layer{'s' if n_layers != 1 else ''}; give one number, or one per weight layer.")
    return tuple(float(v) for v in config.lr)


def lr_text(lr: float | Sequence[float]) -> str:
    """A learning rate as the command line writes it: ``3``, or ``0.5,2`` per layer."""
    if isinstance(lr, (tuple, list)):
        return ",".join(f"{v:g}" for v in lr)
    return f"{lr:g}"


def _check_lr(config: RunConfig) -> None:
    if not isinstance(config.lr, (tuple, list)):
        _finite("lr", config.lr, low=0.0, open_low=True)
        return
    if not config.lr:
        raise XornetError("lr: the list of learning rates is empty; give one number, or one "
                          "per weight layer.")
    for v in config.lr:
        _finite("lr", v, low=0.0, open_low=True)
    layer_lrs(config, len(config.hidden) + 1)


def _check_perceptron_extras(config: RunConfig) -> None:
    """The perceptron rule is not a gradient step: it has no loss to penalise, and one lr."""
    for name, given in (("l2", config.l2 != 0.0), ("l1", config.l1 != 0.0),
                        ("lr_schedule", not schedules.is_constant(config.lr_schedule)),
                        ("lr", isinstance(config.lr, (tuple, list)))):
        if given:
            raise XornetError(f"{name}: the perceptron rule moves its weights by a fixed rule, "
                              "not down a loss, so it takes one learning rate and no penalty "
                              "or schedule; leave it out, or choose sgd or adam.")


def _whole(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise XornetError(f"{name}: expected a whole number ≥ 0; received {value!r}.")


UPDATE_ORDERS = ("textbook", "script")


def _check_update_order(config: RunConfig) -> None:
    order = config.update_order
    if order not in UPDATE_ORDERS:
        raise XornetError(f"update_order: unknown order {order!r}; choose one of "
                          f"{', '.join(UPDATE_ORDERS)}.")
    if order == "script" and (config.optimizer != "sgd" or config.momentum != 0.0):
        raise XornetError('update_order: "script" updates each layer by plain gradient '
                          "descent as soon as its gradient is known, so it needs optimizer "
                          "sgd with momentum 0.")


def _positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise XornetError(f"{name}: expected a whole number ≥ 1; received {value!r}.")


def _finite(name: str, value: Any, low: float, open_low: bool = False) -> None:
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value > low if open_low else value >= low)
    if not ok:
        bound = f"> {low:g}" if open_low else f"≥ {low:g}"
        raise XornetError(f"{name}: expected a finite number {bound}; received {value!r}.")
