"""Curves: the loss of a training run, and a 1-input fit (e.g. sine) built from its units.

In a fit, hidden unit j of the last hidden layer adds ``h_j(x)·w_j`` to the output's net
input, so the thin curves plus the output bias sum to that net input; with a linear output
unit that sum *is* the network's curve.
"""

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from xornet.core.naming import unit_names
from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.train.history import History
from xornet.viz import style
from xornet.viz.boundary import check_data, describe
from xornet.viz.units import hidden_activations

MAX_PARTS = 8  # up to this many units, a fit draws every unit's curve ...
SHOWN_PARTS = 6  # ... beyond, only this many of the largest: more would be a blur
SOLVED_COLOUR = "#009E73"
TEST_COLOUR = style.TEST  # the test loss: orange, apart from the blue training loss


def check_history(history):
    if history is None or not len(history.loss):
        raise XornetError("history: the run recorded no loss values; train with "
                          "xornet.Network.fit (or config.run) and pass the History it returns.")


def log_scale_fits(loss):
    """True when a log scale can show every value of ``loss``: each one finite and > 0.

    mse, sse and bce on targets in [0, 1] are ≥ 0, but a loss of exactly 0 (a perfect fit)
    has no place on a log axis, and any other loss a caller plots may be negative.
    """
    loss = np.asarray(loss, dtype=np.float64)
    return bool(loss.size) and bool(np.all(np.isfinite(loss) & (loss > 0.0)))


class LossView:
    """The loss curve on ``ax`` (and the test loss beside it when the run had a test set):
    on a log scale when every value is > 0, else linear. With ``progress=True`` the whole
    run is drawn faintly and ``update(epoch)`` draws it up to ``epoch`` with a dot there."""

    def __init__(self, ax, history, loss_name=None, log_epochs=False, progress=False):
        check_history(history)
        self.epochs = np.asarray(history.loss_epochs)  # 0, 1, 2, … unless the run was thinned
        # loss[j] and test_loss[j]: after epochs[j]
        self.curves = [(np.asarray(history.loss, dtype=np.float64), style.POSITIVE,
                        "training loss")]
        if history.test_loss:
            self.curves.append((np.asarray(history.test_loss, dtype=np.float64), TEST_COLOUR,
                                "test loss"))
        self.loss = self.curves[0][0]
        both = len(self.curves) > 1
        # a run of 0 epochs has one value: a marker, or the figure would be empty
        one = len(self.loss) == 1
        self.done, self.dots = [], []
        for values, colour, label in self.curves:
            ax.plot(self.epochs, values, color="0.8" if progress else colour, lw=2,
                    marker="o" if one else None, ms=8, clip_on=not one,  # epoch 0's dot
                    label=label if both and not progress else None)   # sits on the axis
            if progress:
                self.done.append(ax.plot([], [], color=colour, lw=2.2,
                                         label=label if both else None)[0])
                self.dots.append(ax.plot([], [], "o", color=colour, ms=7, clip_on=False,
                                         zorder=5)[0])
        log = log_scale_fits(np.concatenate([values for values, _, _ in self.curves]))
        if log:
            ax.set_yscale("log")
        if log_epochs:  # symlog: epoch 0 has a place, then every decade the same width
            ax.set_xscale("symlog", linthresh=1.0, linscale=0.3)
        ax.set_xlim(0, max(1, self.epochs[-1]))
        if history.solved_epoch is not None:
            ax.axvline(history.solved_epoch, color=SOLVED_COLOUR, ls="--", lw=1.5,
                       label=f"solved at epoch {history.solved_epoch}")
        if history.restored:
            ax.axvline(history.best_epoch, color="0.35", ls=":", lw=1.5,
                       label=f"lowest test loss, epoch {history.best_epoch} (restored)")
        if both or history.solved_epoch is not None or history.restored:
            ax.legend(loc="upper right", frameon=False, fontsize=9)
        ax.set_xlabel("epoch (log scale)" if log_epochs else "epoch")
        ylabel = f"{loss_name} loss" if loss_name else "loss"
        ax.set_ylabel(f"{ylabel} (log scale)" if log else ylabel)
        ax.grid(True, which="major", color="0.9", lw=0.8)

    def update(self, epoch):
        n = int(np.searchsorted(self.epochs, epoch, "right"))  # the values up to ``epoch``
        for (values, _, _), done, dot in zip(self.curves, self.done, self.dots, strict=True):
            done.set_data(self.epochs[:n], values[:n])
            dot.set_data([epoch], [values[max(n - 1, 0)]])


def plot_loss(history: History, *, loss_name: str | None = None, log_epochs: bool = False,
              title: str | None = None, figsize: tuple[float, float] = (6.4, 4.2),
              dpi: float = 100) -> Figure:
    """The loss after each epoch of a ``History``, the solved epoch marked: on a log scale
    when every value is > 0 (``log_scale_fits``), else on a linear one. A run with a test
    set draws its test loss too, and after early stopping marks the epoch restored.

    ``log_epochs=True`` also puts the epochs on a log scale, which shows early learning.
    """
    check_history(history)
    fig = style.new_figure(figsize, dpi)
    ax = fig.add_subplot()
    LossView(ax, history, loss_name=loss_name, log_epochs=log_epochs)
    state = (f"solved at epoch {history.solved_epoch}" if history.solved_epoch is not None
             else "not solved")
    if history.restored:  # the weights kept are best_epoch's: their losses, not the last
        default = (f"Training and test loss, {state}\n{history.epochs} epochs, epoch "
                   f"{history.best_epoch} restored: loss {history.final_loss:.3g}, test "
                   f"{history.final_test_loss:.3g}")
    elif history.test_loss:
        default = (f"Training and test loss\n{history.epochs} epochs, final loss "
                   f"{history.final_loss:.3g}, test {history.final_test_loss:.3g}, {state}")
    else:
        default = (f"Training loss\n{history.epochs} epochs, final loss "
                   f"{history.final_loss:.3g}, {state}")
    ax.set_title(title or default)
    return fig


# --- fits of 1-input data -----------------------------------------------------------------
def check_fit_network(net):
    if net.sizes[0] != 1 or net.sizes[-1] != 1:
        raise XornetError(f"model: a fit is drawn for 1 input and 1 output, but this model "
                          f"maps {net.sizes[0]} to {net.sizes[-1]}; use a model trained on "
                          "1-input data such as sine.")


def largest_parts(contributions, count):
    """The columns of ``contributions`` (r, m) with the largest ``max |h_j(x)·w_j|`` over x,
    at most ``count`` of them, largest first: the units that shape the curve most."""
    reach = np.abs(contributions).max(axis=0)  # (m,)
    return [int(j) for j in np.argsort(-reach, kind="stable")[:count]]


def _contributions(net, xs):
    """Each last-hidden-unit's term ``h_j(x)·w_j`` of the output's net input: (r, m)."""
    h = hidden_activations(net, xs)[-1]  # (r, m)
    return h * net.layers[-1].W[:, 0]


class FitView:
    """Data, the network's curve and the last hidden layer's contributions on ``ax``;
    ``update(net)`` moves the same curves.

    Up to :data:`MAX_PARTS` units each get a thin curve ``h_j(x)·w_j``; a wider layer shows
    its :data:`SHOWN_PARTS` largest (by ``max |h_j·w_j|`` over x, chosen for the weights
    the view is built with) and the sum of the others as one grey curve, so the thin
    curves plus the bias always add up to the output's net input. That sum is the dashed
    curve when the output unit is not linear (then ŷ = f(sum)); for a linear output it is ŷ.
    """

    def __init__(self, ax, net, X, y, resolution=300, legend=True):
        lo, hi = float(X.min()), float(X.max())
        pad = 0.03 * max(hi - lo, 1e-9)
        self.xs = np.linspace(lo - pad, hi + pad, resolution)[:, None]  # (r, 1)
        ax.scatter(X[:, 0], y[:, 0], s=16, facecolors="white", edgecolors="0.35",
                   linewidths=0.9, zorder=5, label="data")
        self.total = net.sizes[-2] if len(net.layers) > 1 else 0  # units of the last layer
        self.shown = self._choose(net)
        names = unit_names(net.sizes, len(net.sizes) - 2) if self.total else []
        self.parts = [ax.plot([], [], lw=1.2, color=style.unit_colour(rank), zorder=3,
                              label=f"{names[j]}·w")[0] for rank, j in enumerate(self.shown)]
        self.rest = ax.plot([], [], lw=1.2, color="0.6", zorder=2,
                            label=f"other {self.total - len(self.shown)} units together")[0]
        self.rest.set_visible(len(self.shown) < self.total)
        self.bias = ax.axhline(0.0, color="0.4", lw=1, ls=":", zorder=1, label="output bias")
        self.bias.set_visible(net.bias and self.total > 0)
        linear = net.activations[-1] == "linear"
        self.sum = ax.plot([], [], color="black", lw=1.6, ls="--", zorder=4,
                           label="Σ hⱼ·wⱼ + b (output's net input)")[0]
        self.sum.set_visible(self.total > 0 and not linear)
        sum_label = " = Σ hⱼ·wⱼ + b" if linear and self.total else ""
        self.curve, = ax.plot([], [], color="black", lw=2.6, zorder=4,
                              label=f"network ŷ{sum_label}")
        self.update(net)
        ax.set_ylim(*self._limits(y))
        ax.set_xlim(self.xs[0, 0], self.xs[-1, 0])
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.axhline(0.0, color="0.85", lw=0.8, zorder=0)
        if legend:
            shown = [line for line in ax.collections + ax.get_lines()
                     if line.get_visible() and not line.get_label().startswith("_")]
            ax.legend(handles=shown, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                      frameon=False, ncol=3, fontsize=9)

    def _choose(self, net):
        if not self.total:
            return []
        if self.total <= MAX_PARTS:
            return list(range(self.total))
        return largest_parts(_contributions(net, self.xs), SHOWN_PARTS)

    def _limits(self, y):
        """The data's range with room around it, widened to show the thin curves, but never
        so far that the data shrinks to a line (at most three data ranges each way)."""
        lo, hi = float(y.min()), float(y.max())
        span = max(hi - lo, 1e-9)
        low, high = lo - 0.6 * span, hi + 0.6 * span
        for line in (*self.parts, self.rest, self.sum):
            values = np.asarray(line.get_ydata(), dtype=np.float64)
            if line.get_visible() and values.size and np.isfinite(values).all():
                low, high = min(low, values.min()), max(high, values.max())
        return max(low, lo - 3 * span) - 0.05 * span, min(high, hi + 3 * span) + 0.05 * span

    def update(self, net):
        x = self.xs[:, 0]
        self.curve.set_data(x, net.predict(self.xs)[:, 0])
        if not self.total:
            return
        contributions = _contributions(net, self.xs)  # (r, m): h_j(x)·w_j
        for j, line in zip(self.shown, self.parts, strict=True):
            line.set_data(x, contributions[:, j])
        others = np.delete(contributions, self.shown, axis=1).sum(axis=1)  # (r,)
        self.rest.set_data(x, others)
        b = net.layers[-1].b
        bias = 0.0 if b is None else float(b[0])
        self.bias.set_ydata([bias, bias])
        self.sum.set_data(x, contributions.sum(axis=1) + bias)

    def caption(self, short=False):
        """Which units the thin curves show, for the title (``short``: for a narrow one)."""
        every = len(self.shown) == self.total
        if short:
            return ("thin: each unit's h·w" if every else
                    f"thin: the {len(self.shown)} largest of {self.total} units' h·w")
        if every:
            return f"thin: each of the {self.total} hidden units' hⱼ(x)·wⱼ"
        return (f"thin: the {len(self.shown)} largest of the {self.total} hidden units' "
                f"hⱼ(x)·wⱼ (by max |hⱼ·wⱼ| over x)")


def plot_fit(net: Network, X: npt.ArrayLike, y: npt.ArrayLike, *, title: str | None = None,
             dataset_name: str | None = None, figsize: tuple[float, float] = (7.0, 5.4),
             dpi: float = 100) -> Figure:
    """A 1-input network's fit (e.g. of sine): the data, the network's curve and, as thin
    curves, each hidden unit's weighted contribution ``h_j(x)·w_j`` to the output (the
    largest ones when the layer is wide, the others summed), the bias and their sum."""
    check_fit_network(net)
    X, y = check_data(net, X, y)
    if X is None or y is None:
        raise XornetError("data: a fit needs the data it was trained on; give X and y.")
    fig = style.new_figure(figsize, dpi)
    ax = fig.add_subplot()
    view = FitView(ax, net, X, y)
    out = net.activations[-1]
    total = "Σ hⱼ(x)·wⱼ" + (" + b" if net.bias else "")
    formula = f"ŷ = {total}" if out == "linear" else f"ŷ = {out}({total})"
    if len(net.layers) == 1:
        formula = "no hidden layer"
    on = f" of {dataset_name}" if dataset_name else ""
    caption = f"\n{view.caption()}" if view.total else ""
    ax.set_title(title or f"Fit{on}\n{describe(net)}: {formula}{caption}", fontsize=11)
    return fig
