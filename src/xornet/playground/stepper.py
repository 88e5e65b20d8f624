"""Training one update at a time, so the page can pause between any two of them.

The updates are the library's own: a ``xornet.train.trainer.Trainer`` driving a
``NetworkLearner``, whose ``step()`` makes one update and ``epoch()`` one epoch, keeping the
optimizer state and the shuffling order in between. So N epochs here give the same bits as
``Network.fit(epochs=N)`` (the tests check it). What this module adds is the page's view:
the current loss and largest error, a limit on a session's epochs, and what happens on
divergence — the run goes back to the last finite weights and says so, instead of raising.

With a test set (``test``: the held-out rows) the learner evaluates it after every epoch and
never trains on it, as ``Network.fit(test_data=...)`` does: ``history.test_loss[j]`` is its
loss after j epochs, beside ``history.loss[j]`` on the training rows.
"""

import math

import numpy as np

from xornet.errors import DivergenceError, XornetError
from xornet.train.trainer import (
    NetworkLearner,
    StopReason,
    Trainer,
    first_stop,
    row_accuracy,
    stop_rules,
)

MAX_EPOCHS = 200_000  # one session's loss curve stays below a few MB


class Stepper:
    """Trains ``net`` on X (n, n_in), y (n, n_out) with the settings of a ``RunConfig``;
    ``test`` is (X_test, y_test), rows it only evaluates, or None."""

    def __init__(self, net, X, y, run, test=None):
        self.net, self.X, self.y, self.run, self.test = net, X, y, run, test
        self.learner = NetworkLearner(net, X, y, run, test)
        self.trainer = Trainer(self.learner, X, y)
        # the trainer's own rules (solved, or solved and crisp), without its epoch limit: the
        # page trains for as long as it plays
        self.rules = [(reason, test) for reason, test in stop_rules(run)
                      if reason != StopReason.MAX_EPOCHS]
        self.history = self.learner.history  # history.loss[j]: loss on the whole set after j epochs
        self.diverged = None  # the sentence saying where, once a number stopped being finite
        self.diverged_epoch = None
        self.y_hat = None
        self.test_loss = self.test_accuracy = None
        self.last_finite = net.params.copy()  # the weights after the last finite epoch
        try:  # epoch 0 is recorded as the trainer records it: loss, test loss, accuracies
            with np.errstate(over="ignore", invalid="ignore"):
                self.learner.record(0, self.learner.evaluate(X, y))
        except DivergenceError:  # weights loaded or edited to overflow: shown as no number
            self.history.loss.append(math.nan)
        self.measure()

    @property
    def epochs(self):
        return self.history.epochs

    def finished(self):
        """Why the trainer would stop here ("solved", "solved and crisp", ...), or ""."""
        h = self.history
        solved_at = -1 if h.solved_epoch is None else h.solved_epoch
        return first_stop(self.rules, self.epochs, self.history.loss[-1], solved_at,
                          self.learner.crisp)

    @property
    def updates(self):
        return self.trainer.updates

    def measure(self):
        """Forward the whole set at the current weights: loss, largest error, solved (and the
        test set's loss and accuracy first, so the layers' caches end on the training rows)."""
        with np.errstate(over="ignore", invalid="ignore"):
            if self.test is not None:
                X_test, y_test = self.test
                test_hat = self.net.forward(X_test)  # (n_test, n_out)
                self.test_loss = float(self.learner.loss_fn.value(test_hat, y_test))
                self.test_accuracy = (None if self.learner.test_one is None
                                      else row_accuracy(test_hat, self.learner.test_one))
            self.y_hat = self.net.forward(self.X)  # (n, n_out)
            self.loss = self.learner.loss_fn.value(self.y_hat, self.y)
        return self._summarise()

    def _summarise(self):
        with np.errstate(over="ignore", invalid="ignore"):
            self.max_error = float(np.abs(self.y_hat - self.y).max())
        self.accuracy = (None if self.learner.y_one is None
                         else row_accuracy(self.y_hat, self.learner.y_one))
        finite = math.isfinite(self.loss) and math.isfinite(self.max_error)
        self.solved = finite and self.max_error <= self.run.tolerance
        self.history.solved = self.solved
        self.history.max_error = self.max_error
        return finite

    def step(self):
        """One update (one batch); returns True when it completed an epoch."""
        self._check_can_train()
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                ended = self.trainer.step()
        except DivergenceError as e:
            self._diverge(str(e), e.epoch)
            return True
        if ended:
            self._end_epoch()
        return ended

    def epoch(self):
        """Updates until the current epoch is complete."""
        while not self.step():
            pass

    def _end_epoch(self):
        """The trainer recorded the epoch's loss from its forward pass of the whole set."""
        h = self.history
        self.y_hat, self.loss = self.learner.y_hat, h.loss[-1]
        if self.test is not None:
            self.test_loss = h.test_loss[-1]
            self.test_accuracy = h.test_accuracy[-1] if h.test_accuracy else None
        if not self._summarise():  # a finite loss (bce clips ŷ) of outputs that overflowed
            for values in (h.loss, h.test_loss, h.train_accuracy, h.test_accuracy):
                if len(values) == len(h.loss) and values is not h.loss:
                    values.pop()
            h.loss.pop()
            self._diverge(f"training diverged: the loss stopped being finite in epoch "
                          f"{self.epochs}; use a smaller learning rate (lr).", self.epochs)
            return
        self.last_finite[...] = self.net.params

    def _diverge(self, sentence, epoch):
        """Remember where; go back to the last finite weights, so the views show those."""
        self.diverged = sentence.removesuffix(".") + ", then reset."
        self.diverged_epoch = epoch
        self.history.stop_reason = StopReason.DIVERGED
        self.net.params[...] = self.last_finite
        self.trainer.restart_epoch()
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
