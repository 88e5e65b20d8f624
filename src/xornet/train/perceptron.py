"""The perceptron learning rule (Rosenblatt, 1958) for a step network with no hidden layer.

For each sample in order: ŷ = step(x·W + b), then

    W ← W + α·xᵀ·(y − ŷ)      b ← b + α·(y − ŷ)

so a unit changes only when it is wrong, by ±α·x. On linearly separable data the rule reaches
weights that classify every row in finitely many updates (the perceptron convergence
theorem). On data that is not separable it never stops changing, but its weights stay bounded
and come back: this module notices when the weights at the end of an epoch equal those at the
end of an earlier epoch, which proves the rule is going round a cycle and will never classify
every row.

That check is exact. The weights are kept as W0 + α·U, where U = Σ ±(x, 1) over the updates
so far is a sum of the data's own numbers, held exactly as integers (each input column scaled
by a power of two, which every float is a multiple of). The float weights are always computed
from U, never accumulated, so equal U means bit-for-bit equal weights and an exact repeat.
"""

import time

import numpy as np

from xornet.errors import XornetError
from xornet.explain import separable
from xornet.train.trainer import History

STOP_SOLVED = "solved"
STOP_CYCLE = "not linearly separable"  # the weights repeated: the rule will cycle forever
STOP_TARGET = "target loss"
STOP_EPOCHS = "max epochs"
STOP_CALLBACK = "callback"


def train_perceptron(net, X, y, settings, callbacks=()):
    """Train a step network with no hidden layer by the perceptron rule; return a History.

    Parameters
    ----------
    net : Network
        One layer (``Network([n_in, n_out], output_activation="step")`` or from_weights) with
        a step activation; changed in place.
    X : array (n_samples, n_in)
    y : array (n_samples, n_out) of 0s and 1s
    settings : TrainSettings
        Uses ``epochs``, ``lr`` (α) and ``target_loss``. The rule is always online, samples in
        order, and always stops once every row is right.
    callbacks : sequence of callables
        ``callback(net, history)`` after every epoch; returning True stops the run.

    Returns
    -------
    History
        ``loss[j]`` is the fraction of wrong outputs after j epochs (the MSE of 0/1 outputs).
        ``stop_reason`` is "solved", "not linearly separable" (the weights repeated, so the
        rule cycles for ever), "target loss", "max epochs" or "callback".
    """
    _check_network(net)
    _check_settings(settings)
    X, y = net.check_data(X, y)
    if not np.all((y == 0.0) | (y == 1.0)):
        raise XornetError(
            "y: the perceptron rule learns 0/1 targets, and this data has other values; use a "
            "truth table or a classification dataset."
        )
    start = time.perf_counter()
    rule = _ExactRule(net, X, settings.lr)
    history = History()
    seen = {rule.key(): 0}  # weights at the end of each epoch → that epoch
    cycle = None
    _record(history, net, X, y, 0)
    while not history.solved:
        if history.epochs >= settings.epochs:
            history.stop_reason = STOP_EPOCHS
            break
        rule.epoch(y)
        history.epochs += 1
        _record(history, net, X, y, history.epochs)
        if history.solved:
            break
        if settings.target_loss is not None and history.loss[-1] <= settings.target_loss:
            history.stop_reason = STOP_TARGET
            break
        first = seen.setdefault(rule.key(), history.epochs)
        if first != history.epochs:
            history.stop_reason, cycle = STOP_CYCLE, [first, history.epochs]
            break
        if callbacks and any(cb(net, history) for cb in callbacks):
            history.stop_reason = STOP_CALLBACK
            break
    if history.solved:
        history.stop_reason = STOP_SOLVED
    history.wall_time = time.perf_counter() - start
    net.training = {
        "optimizer": "perceptron", "lr": settings.lr, "epochs": history.epochs,
        "final_loss": history.final_loss, "solved": history.solved,
        "stop_reason": history.stop_reason,
    }
    if cycle is not None:
        net.training["cycle"] = cycle  # the weights after epoch cycle[1] equal those after cycle[0]
    return history


def single_layer_note(X, y, name="this data"):
    """Why a network with no hidden layer cannot learn ``(X, y)``, or None when it could.

    One sentence for 0/1 single-column targets that are not linearly separable, e.g. for XOR:
    no single layer can learn it, no line separates its classes, the best is 3 of 4 rows.
    None when the data is separable (a failure there is the training's, not the
    architecture's) or when the targets are not one 0/1 column.
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] != 1:
        return None
    if y.size == 0 or not np.all((y == 0.0) | (y == 1.0)):
        return None
    result = separable.decide(X, y)
    if result.linearly_separable:
        return None
    word = separable.boundary_word(result.n_features)
    best = (f", so a single layer gets at most {result.best_correct} of {result.n_samples} "
            "rows right" if result.best_correct is not None else "")
    return (f"No network without a hidden layer can learn {name}: a single layer's boundary is "
            f"one {word}, and {result.reason}{best}; add a hidden layer with a non-linear "
            "activation (sigmoid, tanh or relu).")


class _ExactRule:
    """The rule's state: unit k's weights (inputs, then bias) are θ0_k + α·U_k / scale, with the
    integers U_k exact. Plain Python floats and ints: per sample that is the fastest here."""

    def __init__(self, net, X, lr):
        self.net, self.lr = net, lr
        layer = net.layers[0]
        self.n_in, self.has_bias = layer.n_in, layer.b is not None
        Xa = np.hstack([X, np.ones((len(X), 1))]) if self.has_bias else X  # (n, n_in [+ 1])
        X_int, self.scale = _exact_integers(Xa)  # Xa = X_int / scale, column by column
        self.rows = [tuple(row) for row in Xa.tolist()]
        self.rows_int = [tuple(row) for row in X_int.tolist()]
        theta0 = np.vstack([layer.W, layer.b]) if self.has_bias else layer.W  # (n_in [+ 1], n_out)
        self.theta0 = theta0.T.tolist()  # one list per output unit
        self.theta = [list(w) for w in self.theta0]
        self.U = [[0] * len(self.scale) for _ in self.theta0]

    def key(self):
        return tuple(tuple(u) for u in self.U)

    def epoch(self, y):
        """One pass over the samples in order, updating each wrong output unit."""
        for x, x_int, targets in zip(self.rows, self.rows_int, y.tolist(), strict=True):
            for k, (w, u) in enumerate(zip(self.theta, self.U, strict=True)):
                z = w[self.n_in] if self.has_bias else 0.0  # the order _outputs uses
                for j in range(self.n_in):
                    z += x[j] * w[j]
                error = targets[k] - (1.0 if z >= 0.0 else 0.0)  # y − ŷ: −1, 0 or +1
                if error:
                    sign = int(error)
                    for j, v in enumerate(x_int):
                        u[j] += sign * v
                    # u / scale is int / int, so correctly rounded: a function of U alone
                    self.theta[k] = [t0 + self.lr * (uj / q)
                                     for t0, uj, q in zip(self.theta0[k], u, self.scale,
                                                          strict=True)]
        theta = np.array(self.theta).T  # (n_in [+ 1], n_out)
        layer = self.net.layers[0]
        layer.W[...] = theta[:self.n_in]
        if self.has_bias:
            layer.b[...] = theta[self.n_in]


def _exact_integers(A):
    """Integers X_int (object array) and per-column powers of two with A = X_int / scale."""
    n, k = A.shape
    X_int = np.empty((n, k), dtype=object)
    scale = []
    for j in range(k):
        ratios = [float(v).as_integer_ratio() for v in A[:, j]]
        q = max(den for _, den in ratios)  # every denominator is a power of two
        scale.append(q)
        X_int[:, j] = [num * (q // den) for num, den in ratios]
    return X_int, scale


def _outputs(layer, X):
    """ŷ = step(x·W + b) for the rows X (m, n_in) → (m, n_out).

    The net input is b + x1·w1 + x2·w2 + … in that order, one rounding per operation exactly
    as the rule's own loop computes it, so a row scored right is a row the rule would not
    update (a matrix product may sum in another order).
    """
    z = np.zeros((len(X), layer.n_out)) if layer.b is None else np.tile(layer.b, (len(X), 1))
    for j in range(layer.n_in):
        z += X[:, j:j + 1] * layer.W[j]  # (m, 1) * (n_out,) → (m, n_out)
    return layer.activation.value(z)


def _record(history, net, X, y, epochs_done):
    y_hat = _outputs(net.layers[0], X)  # (n, n_out)
    wrong = y_hat != y
    history.loss.append(float(np.mean(wrong)))
    history.solved = not wrong.any()
    if history.solved and history.solved_epoch is None:
        history.solved_epoch = epochs_done
    history.accuracy = float(np.mean(~wrong.any(axis=1)))
    history.max_error = float(np.max(np.abs(y_hat - y)))


def _check_network(net):
    if len(net.layers) != 1:
        raise XornetError(
            f"hidden: the perceptron rule trains a network with no hidden layer, and this one has "
            f"{len(net.layers) - 1}; use hidden=() (--hidden none) or another optimizer."
        )
    name = net.layers[0].activation.name
    if name != "step":
        raise XornetError(
            f"output_activation: the perceptron rule trains step units, not {name}; set "
            "output_activation to step (--output-activation step) or use another optimizer."
        )


def _check_settings(settings):
    if settings.shuffle:
        raise XornetError(
            "shuffle: the perceptron rule visits the samples in order, so a repeat of the "
            "weights proves a cycle; turn shuffling off."
        )
    if settings.batch_size not in (None, 1):
        raise XornetError(
            f"batch_size: the perceptron rule updates after every sample; leave batch_size "
            f"unset or 1 (received {settings.batch_size})."
        )
