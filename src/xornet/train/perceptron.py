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

from xornet.core import optimizers
from xornet.errors import XornetError
from xornet.train.trainer import (
    History,
    StopReason,
    Trainer,
    first_stop,
    stop_rules,
    training_record,
)


def train_perceptron(net, X, y, config, callbacks=()):
    """Train a step network with no hidden layer by the perceptron rule; return a History.

    Parameters
    ----------
    net : Network
        One layer (``Network([n_in, n_out], output_activation="step")`` or from_weights) with
        a step activation; changed in place.
    X : array (n_samples, n_in)
    y : array (n_samples, n_out) of 0s and 1s
    config : RunConfig
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
    learner = PerceptronLearner(net, X, y, config)
    history = Trainer(learner, learner.X, learner.y, callbacks).run()
    net.training = training_record(config, history.epochs, history.final_loss, history.solved,
                                   history.stop_reason, optimizer=optimizers.PERCEPTRON)
    if learner.cycle is not None:
        net.training["cycle"] = learner.cycle  # the weights after epoch cycle[1] = after cycle[0]
    return history


class PerceptronLearner:
    """The perceptron rule as a learner of ``xornet.train.trainer.Trainer``: one update per
    epoch (the rule's exact pass over the samples in order); its loss is the fraction of
    wrong outputs, and a repeat of the weights is its own stop rule."""

    full_batch = True  # the Trainer sees one update per epoch: the rule's whole pass

    def __init__(self, net, X, y, config):
        _check_network(net)
        _check_settings(config)
        X, y = net.check_data(X, y)
        if not np.all((y == 0.0) | (y == 1.0)):
            raise XornetError(
                "y: the perceptron rule learns 0/1 targets, and this data has other values; use "
                "a truth table or a classification dataset."
            )
        self.started = time.perf_counter()
        self.net, self.X, self.y = net, X, y
        self.rule = _ExactRule(net, X, config.lr)
        self.history = History()
        self.seen = {self.rule.key(): 0}  # weights at the end of each epoch → that epoch
        self.cycle = None  # [first, again]: the epochs after which the weights were equal
        rules = stop_rules(config, always_when_solved=True)
        # the cycle check comes after solved and target loss, before max epochs
        self.rules = [*rules[:-1], (StopReason.NOT_SEPARABLE, self._repeats), rules[-1]]
        self.wrong = None

    def batches(self):
        return [(self.X, self.y)]

    def evaluate(self, X, y):
        """Forward (the step outputs), loss: the fraction of wrong outputs."""
        self.wrong = _outputs(self.net.layers[0], X) != y  # (n, n_out)
        return float(np.mean(self.wrong))

    def learn(self):
        self.rule.epoch(self.y)

    def check_finite(self, epoch):
        """Nothing to check: the weights are θ0 + α·U with bounded integers U."""

    def end_epoch(self, epoch):
        self.history.epochs = epoch

    def record(self, done, loss):
        history, wrong = self.history, self.wrong
        history.loss.append(loss)
        history.solved = not wrong.any()
        if history.solved and history.solved_epoch is None:
            history.solved_epoch = done
        history.accuracy = float(np.mean(~wrong.any(axis=1)))
        history.max_error = float(np.max(wrong))  # |ŷ − y| of 0/1 outputs is 0 or 1

    def stop(self, done, loss, reason=None):
        solved_at = done if self.history.solved else -1  # the rule stops when solved *now*
        self.history.stop_reason = reason or first_stop(self.rules, done, loss, solved_at)
        return bool(self.history.stop_reason)

    def _repeats(self, done, loss, solved_at, crisp):
        first = self.seen.setdefault(self.rule.key(), done)
        if first != done:
            self.cycle = [first, done]
        return first != done

    def finish(self):
        self.history.wall_time = time.perf_counter() - self.started
        return self.history


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


def _check_network(net):
    if len(net.layers) != 1:
        raise XornetError(
            f"hidden: the perceptron rule trains a network with no hidden layer, and this one has "
            f"{len(net.layers) - 1}; use hidden=() or another optimizer."
        )
    name = net.layers[0].activation.name
    if name != "step":
        raise XornetError(
            f"output_activation: the perceptron rule trains step units, not {name}; set "
            'output_activation="step" or use another optimizer.'
        )


def _check_settings(config):
    if config.shuffle:
        raise XornetError(
            "shuffle: the perceptron rule visits the samples in order, so a repeat of the "
            "weights proves a cycle; turn shuffling off."
        )
    if config.batch_size not in (None, 1):
        raise XornetError(
            f"batch_size: the perceptron rule updates after every sample; leave batch_size "
            f"unset or 1 (received {config.batch_size})."
        )
