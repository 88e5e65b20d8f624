"""Training one update at a time, so the page can pause between any two of them.

``xornet.train.trainer.train`` runs a whole run in one call; the page needs to stop after one
update, one epoch or one view frame and carry on later with the same optimizer state. The
maths is the library's own — ``Network.forward`` / ``Network.backward``, ``losses.get``,
``optimizers.make`` — and the order of updates (full batch, or mini-batches of a fresh
permutation per epoch when shuffling, drawn from ``default_rng(seed)``) is the one ``train``
uses, so N epochs here give the same bits as ``Network.fit(epochs=N)`` (the tests check it).
"""

import math

import numpy as np

from xornet.core import losses, optimizers
from xornet.errors import XornetError
from xornet.train.trainer import History

MAX_EPOCHS = 200_000  # one session's loss curve stays below a few MB


class Stepper:
    """Trains ``net`` on X (n, n_in), y (n, n_out) with the settings of a ``RunConfig``."""

    def __init__(self, net, X, y, run):
        self.net, self.X, self.y, self.run = net, X, y, run
        self.loss_fn = losses.get(run.loss)
        self.optimizer = optimizers.make(run.optimizer, run.lr, run.momentum)
        self.rng = np.random.default_rng(run.seed)  # only used to shuffle, as in train()
        self.full_batch = run.batch_size is None or run.batch_size >= len(X)
        self.order = None  # the current epoch's sample order (mini-batches only)
        self.cursor = 0  # next row of ``order`` to visit
        self.updates = 0
        self.history = History()  # history.loss[j]: loss on the whole set after j epochs
        self.diverged = None  # the sentence saying where, once a number stopped being finite
        self.diverged_epoch = None
        self.y_hat = None
        self.last_finite = net.params.copy()  # the weights after the last finite epoch
        self.measure()
        self.history.loss.append(self.loss)
        if self.solved:
            self.history.solved_epoch = 0

    @property
    def epochs(self):
        return self.history.epochs

    def measure(self):
        """Forward the whole set at the current weights: loss, largest error, solved."""
        with np.errstate(over="ignore", invalid="ignore"):
            self.y_hat = self.net.forward(self.X)  # (n, n_out)
            self.loss = self.loss_fn.value(self.y_hat, self.y)
            error = np.abs(self.y_hat - self.y)
        self.max_error = float(error.max())
        finite = math.isfinite(self.loss) and math.isfinite(self.max_error)
        self.solved = finite and self.max_error <= self.run.tolerance
        self.history.solved = self.solved
        self.history.max_error = self.max_error
        return finite

    def step(self):
        """One update (one batch); returns True when it completed an epoch."""
        self._check_can_train()
        if self.full_batch:
            X, y = self.X, self.y
        else:
            if self.cursor == 0:
                n = len(self.X)
                self.order = self.rng.permutation(n) if self.run.shuffle else np.arange(n)
            rows = self.order[self.cursor:self.cursor + self.run.batch_size]
            X, y = self.X[rows], self.y[rows]
            self.cursor += len(rows)
        with np.errstate(over="ignore", invalid="ignore"):
            _, grad = self.loss_fn(self.net.forward(X), y)  # forward, loss
            self.net.backward(grad)  # backward: every gradient first ...
            self.optimizer.step([self.net.params], [self.net.grads])  # ... then the update
        self.updates += 1
        if not np.isfinite(self.net.params).all():
            self._diverge("a weight", self.history.epochs + 1)
            return True
        if self.full_batch or self.cursor >= len(self.X):
            self.cursor = 0
            self._end_epoch()
            return True
        return False

    def epoch(self):
        """Updates until the current epoch is complete."""
        while not self.step():
            pass

    def _end_epoch(self):
        self.history.epochs += 1
        if not self.measure():
            self._diverge("the loss", self.history.epochs)
            return
        self.history.loss.append(self.loss)
        self.last_finite[...] = self.net.params
        if self.solved and self.history.solved_epoch is None:
            self.history.solved_epoch = self.history.epochs

    def _diverge(self, what, epoch):
        """Remember where; go back to the last finite weights, so the views show those."""
        self.diverged = (f"training diverged: {what} stopped being finite in epoch {epoch}; "
                         "use a smaller learning rate (lr), then reset.")
        self.diverged_epoch = epoch
        self.history.stop_reason = "diverged"
        self.net.params[...] = self.last_finite
        self.cursor = 0
        self.measure()

    def _check_can_train(self):
        for layer in self.net.layers:
            if not layer.activation.differentiable:
                raise XornetError(
                    f"layer {layer.index}: the {layer.activation.name} activation has no useful "
                    "derivative, so it cannot be trained by backpropagation; choose sigmoid, "
                    "tanh or relu (a step network is for building by hand).")
        if self.diverged:
            raise XornetError(f"{self.diverged[0].upper()}{self.diverged[1:]}")
        if self.history.epochs >= MAX_EPOCHS:
            raise XornetError(f"epochs: this run reached {MAX_EPOCHS:,} epochs, the "
                              "playground's limit for one run; press reset to start again.")
