"""What a training run did: the loss after every epoch, how and when it stopped.

``history.loss[j]`` is the loss on the whole training set after j epochs, so
``history.loss[0]`` is the loss of the initial weights and a run of E epochs records E + 1
values (a run of more than ``MAX_CURVE`` epochs keeps its curve thinned in the middle:
``kept`` then names the epoch of each value). With a weight penalty (``l2``, ``l1``) the loss
is the total the optimizer minimises, E_data + penalty, so the curve is the one it descends
and ``target_loss`` stops on it. In a notebook a History shows as a one-line
summary and a small picture of its loss curve.

Beside the training loss a History keeps, per epoch and thinned the same way, the metrics
Keras users know from ``history.history`` (``loss``, ``accuracy``, ``val_loss``,
``val_accuracy``): ``train_accuracy`` (0/1 targets only), and with a test set ``test_loss``
and ``test_accuracy``. Each is empty when it does not apply, else as long as ``loss``.
With a weight penalty ``test_loss`` is the test rows' E_data plus the same penalty (it
depends on the weights only), as Keras's ``val_loss`` includes the regularisation losses:
the two curves then differ only by the data, and early stopping watches that total.
"""

import bisect
import math
from dataclasses import dataclass, field
from html import escape

MAX_CURVE = 200_000  # loss values a History keeps: every epoch of every preset, ~6 MB at most


@dataclass
class History:
    """What a training run did."""

    loss: list[float] = field(default_factory=list)  # loss after 0, 1, 2, ... epochs (see kept)
    epochs: int = 0  # epochs of updates actually run
    stop_reason: str = ""  # a StopReason, or "" while running
    solved: bool = False  # every output within tolerance at the end
    solved_epoch: int | None = None  # first epoch count at which the run was solved
    crisp_epoch: int | None = None  # first epoch count solved with every hidden unit crisp
    accuracy: float | None = None  # fraction of rows classified right (0/1 targets only)
    max_error: float = math.nan  # largest |ŷ − y| at the end
    wall_time: float = 0.0  # seconds
    attempts: list = field(default_factory=list)  # with restarts: an Attempt per seed tried
    # None while ``loss[j]`` is the loss after j epochs; once a run passes MAX_CURVE epochs,
    # the epoch of each kept loss (the curve is exact at its start and end, thinned between)
    kept: list | None = None
    test_loss: list[float] = field(default_factory=list)  # on the held-out rows, as ``loss``
    train_accuracy: list[float] = field(default_factory=list)  # share of training rows right
    test_accuracy: list[float] = field(default_factory=list)  # share of test rows right
    best_epoch: int | None = None  # with a test set: the epoch of the lowest test loss
    restored: bool = False  # early stopping put back the weights of ``best_epoch``

    @property
    def final_loss(self) -> float:
        """The loss of the weights the run ends with (nan before any was recorded): after
        the last epoch, or after early stopping restored them, that of ``best_epoch``."""
        if self.restored and self.best_epoch is not None:
            return self.loss_at(self.best_epoch)
        return self.last_loss

    @property
    def last_loss(self) -> float:
        """The loss after the last epoch run (nan before any was recorded); after early
        stopping it belongs to weights that were then replaced (see ``final_loss``)."""
        return self.loss[-1] if self.loss else math.nan

    @property
    def loss_epochs(self):
        """The epoch of each value of ``loss``."""
        return range(len(self.loss)) if self.kept is None else self.kept

    @property
    def final_test_loss(self) -> float | None:
        """The test loss of the weights the run ends with, as ``final_loss`` (None without
        a test set)."""
        if self.restored and self.best_epoch is not None and self.test_loss:
            return self.loss_at(self.best_epoch, "test_loss")
        return self.last_test_loss

    @property
    def last_test_loss(self) -> float | None:
        """The test loss after the last epoch run (None without a test set)."""
        return self.test_loss[-1] if self.test_loss else None

    def loss_at(self, epoch, curve=None):
        """The loss after ``epoch`` epochs (the nearest kept epoch at or before it); ``curve``
        names another per-epoch list instead, e.g. ``"test_loss"``."""
        values = self.loss if curve is None else getattr(self, curve)
        if self.kept is None:
            return values[epoch]
        return values[max(0, bisect.bisect_right(self.kept, epoch) - 1)]

    def add_loss(self, epoch, value, test_loss=None, train_accuracy=None, test_accuracy=None):
        """Record the loss (and the metrics given) after ``epoch`` epochs; beyond MAX_CURVE
        values, the middle of every curve is thinned (every other value dropped) so a run
        of 10^12 epochs stays small."""
        self.loss.append(value)
        if test_loss is not None:
            self.test_loss.append(test_loss)
        if train_accuracy is not None:
            self.train_accuracy.append(train_accuracy)
        if test_accuracy is not None:
            self.test_accuracy.append(test_accuracy)
        if self.kept is not None:
            self.kept.append(epoch)
        if len(self.loss) > MAX_CURVE:
            self._thin()

    def _thin(self):
        if self.kept is None:
            self.kept = list(range(len(self.loss)))
        q = MAX_CURVE // 4  # the first and the last quarter stay exact
        for values in (self.loss, self.kept, self.test_loss, self.train_accuracy,
                       self.test_accuracy):
            if values:  # a metric that does not apply stays empty
                values[q:-q] = values[q:-q][::2]

    def summary(self):
        """One line: epochs, final loss, when it was solved, why it stopped."""
        parts = [f"{self.epochs} epochs", f"final loss {self.final_loss:.4g}"]
        if self.test_loss:
            parts.append(f"test loss {self.final_test_loss:.4g}")
        if self.solved_epoch is not None:
            parts.append(f"solved at epoch {self.solved_epoch}")
        if self.stop_reason:
            parts.append(f"stopped: {self.stop_reason}")
        if self.restored:
            parts.append(f"weights of epoch {self.best_epoch} restored")
        if len(self.attempts) > 1:
            parts.append(f"{len(self.attempts) - 1} restart(s)")
        return ", ".join(parts)

    def __repr__(self):  # the dataclass's would print every loss: 110 kB for 5000 epochs
        return f"History({self.summary()})"

    def _repr_html_(self):
        """The summary and the loss curve as a small SVG (Jupyter shows it inline)."""
        return (f'<div><code>{escape(repr(self))}</code><br>{sparkline(self)}</div>')


SPARK_COLOURS = {"loss": "#2166ac", "test_loss": "#d6604d"}  # training blue, test red


def sparkline(history, width=240, height=48, points=120):
    """The loss curve (and the test loss, in red, when there is one) as an inline SVG of
    polylines of at most ``points`` points: epochs across, the loss down, both on one scale
    (a log scale when every value is above 0)."""
    curves = {}
    for name in SPARK_COLOURS:
        values = [v for v in getattr(history, name) if math.isfinite(v)]
        if len(values) >= 2:
            step = max(1, len(values) // points)
            curves[name] = values[::step] + ([values[-1]] if (len(values) - 1) % step else [])
    if "loss" not in curves:
        return ""
    log = min(min(c) for c in curves.values()) > 0
    curves = {name: [math.log10(v) for v in c] if log else c for name, c in curves.items()}
    low = min(min(c) for c in curves.values())
    high = max(max(c) for c in curves.values())
    span = (high - low) or 1.0
    lines = []
    for name, ys in curves.items():
        coords = " ".join(f"{width * i / (len(ys) - 1):.1f},{height * (high - y) / span:.1f}"
                          for i, y in enumerate(ys))
        lines.append(f'<polyline fill="none" stroke="{SPARK_COLOURS[name]}" '
                     f'stroke-width="1.5" points="{coords}"/>')
    label = "loss curves: training (blue), test (red)" if len(lines) > 1 else "loss curve"
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{label}">{"".join(lines)}</svg>')
