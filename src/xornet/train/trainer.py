"""The training loop: forward, loss, backward, update — repeated, with stop conditions.

One ``Trainer`` drives every way xornet trains: one Network by backpropagation
(``NetworkLearner``, below), one step network by the perceptron rule
(``xornet.train.perceptron``) and N networks side by side (``xornet.population.numpy_path``).
Each of those is a *learner*, an object with ``full_batch`` (True when an epoch is one
update from the whole set's forward pass) and these methods:

    batches()            the (X, y) batches of one epoch, in the order they are visited
    evaluate(X, y)       forward, loss: returns the loss and keeps ŷ and ∂E/∂ŷ
    learn()              backward (the kept ∂E/∂ŷ), update
    check_finite(epoch)  after an update of ``epoch``: what to do with a non-finite weight
    end_epoch(epoch)     the divergence check once ``epoch``'s updates are done; count it
    record(done, loss)   after ``done`` epochs, on the whole set: remember the loss, solved
    stop(done, loss, reason=None)   apply the stop rules; True when nothing trains on
    finish()             the result: a History, or per-network statistics

``history.loss[j]`` is the loss on the whole training set after j epochs, so
``history.loss[0]`` is the loss of the initial weights and a run of E epochs records E + 1
values. With a test set, ``history.test_loss[j]`` is the loss on the held-out rows at the
same moment (plus the same weight penalty, so the two curves compare); they are only ever
evaluated, never learned from.
"""

import math
import time
from enum import StrEnum

import numpy as np

from xornet.core import losses, optimizers
from xornet.core.penalties import Penalty
from xornet.errors import DivergenceError, XornetError
from xornet.train import schedules
from xornet.train.config import RunConfig, layer_lrs
from xornet.train.history import History


class StopReason(StrEnum):
    """Why a run stopped. The values are the words the JSON output has always used."""

    SOLVED = "solved"  # every output within tolerance (and asked to stop then)
    CRISP = "solved and crisp"  # solved, and every hidden unit decided (config.until_crisp)
    NOT_CRISP = "solved, not crisp"  # config.crisp_epochs past solved, a hidden unit undecided
    TARGET_LOSS = "target loss"  # the loss reached config.target_loss
    MAX_EPOCHS = "max epochs"  # config.epochs epochs ran
    CALLBACK = "callback"  # a callback returned True
    NOT_SEPARABLE = "not linearly separable"  # the perceptron's weights repeated: a cycle
    DIVERGED = "diverged"  # a number stopped being finite (the playground)
    STALLED = "stalled"  # the loss stopped falling on a known trap (xornet.train.restarts)
    EARLY_STOPPING = "early stopping"  # the test loss fell no lower for config.patience epochs


# --- the stop rules, written once ---------------------------------------------------------

# A hidden unit is crisp when on every row it is within this fraction of its range of the end
# it reads as (0 or 1 for sigmoid, −1 or 1 for tanh): the logic lens then reads it as a gate.
CRISP = 0.1


def all_crisp(a, activation):
    """Whether every unit of a layer is crisp: ``a`` (n, units) gives a bool, and a
    population's (n, units, M) a bool (M,). The shortfall of a row is its distance from the
    ideal end on the side it reads as; overshoot past the end (ReLU, linear) does not count."""
    low, high, middle = activation.low, activation.high, activation.threshold
    shortfall = np.where(a > middle, high - a, a - low)  # (n, units[, M])
    return np.max(shortfall, axis=(0, 1)) <= CRISP * (high - low)


def stop_rules(config, always_when_solved=False, best_epoch=None):
    """The stop rules of ``config`` in order of precedence, as (reason, test) pairs.

    ``test(done, loss, solved_at, crisp)`` gets the epochs done, the loss, the epoch count at
    which the run was first solved (-1: not yet) and whether it is solved with every hidden
    unit crisp now (only computed while ``waits_for_crisp(config)``). It works on one run's
    numbers (giving a bool) and on M runs' (M,) arrays (giving a bool (M,) array). The
    perceptron rule always stops when solved.

    Early stopping (``config.patience`` P, one network with a test set) needs
    ``best_epoch()``, the epoch of the lowest test loss so far: it holds once P epochs have
    passed without a lower one, ``done ≥ best_epoch() + P``, as Keras's EarlyStopping counts.
    """
    rules = []
    if always_when_solved or (config.stop_when_solved and not config.until_crisp):
        rules.append((StopReason.SOLVED, lambda done, loss, solved_at, crisp: solved_at >= 0))
    elif config.stop_when_solved:  # solved, then on until every hidden unit is decided
        wait = config.crisp_epochs
        rules.append((StopReason.CRISP, lambda done, loss, solved_at, crisp: crisp))
        rules.append((StopReason.NOT_CRISP, lambda done, loss, solved_at, crisp:
                      (solved_at >= 0) & (done >= solved_at + wait)))
    if config.target_loss is not None:
        target = config.target_loss
        rules.append((StopReason.TARGET_LOSS, lambda done, loss, solved_at, crisp:
                      loss <= target))
    if config.patience is not None and best_epoch is not None:
        patience = config.patience
        rules.append((StopReason.EARLY_STOPPING, lambda done, loss, solved_at, crisp:
                      done >= best_epoch() + patience))
    epochs = config.epochs
    rules.append((StopReason.MAX_EPOCHS, lambda done, loss, solved_at, crisp: done >= epochs))
    return rules


def waits_for_crisp(config):
    """True when the run stops on "solved and crisp", so crispness must be measured."""
    return config.stop_when_solved and config.until_crisp


def first_stop(rules, done, loss, solved_at, crisp=False):
    """For one run: the reason of the first rule that holds, or "" when none does."""
    for reason, holds in rules:
        if holds(done, loss, solved_at, crisp):
            return reason
    return ""


def any_stop(rules, done, loss, solved_at, crisp=False):
    """For M runs: bool (M,), True where some rule holds."""
    stop = np.zeros(np.shape(loss), bool)
    for _, holds in rules:
        stop |= holds(done, loss, solved_at, crisp)
    return stop


# --- the loop ----------------------------------------------------------------------------

class Trainer:
    """Trains a learner on X (n, n_in), y (n, n_out); the learner holds the RunConfig.

    ``step()`` makes one update, ``epoch()`` one epoch and ``run()`` trains until a stop rule
    holds. The caller of ``step``/``epoch`` (the playground) decides itself when to stop:
    those record each epoch's loss but apply no stop rule. Each callback is called as
    ``callback(learner.net, learner.history)`` after every epoch of ``run()``; returning
    True stops the run (returning a StopReason stops it with that reason).
    """

    def __init__(self, learner, X, y, callbacks=()):
        self.learner, self.X, self.y, self.callbacks = learner, X, y, callbacks
        self.epochs = 0  # epochs of updates completed
        self.updates = 0  # updates made
        self._batches, self._next = None, 0  # the current epoch's batches; the next one

    def step(self):
        """One update on the next batch: forward, loss, backward, update, then the divergence
        check. Returns True when it completed an epoch (whose loss is then recorded)."""
        if self._batches is None:
            self._batches, self._next = self.learner.batches(), 0
        X, y = self._batches[self._next]
        self._next += 1
        self.learner.evaluate(X, y)  # forward, loss
        self.learner.learn()  # backward, update
        self.updates += 1
        if self._next < len(self._batches):
            self.learner.check_finite(self.epochs + 1)
            return False
        self._batches = None
        self.learner.end_epoch(self.epochs + 1)  # raises (one network) before counting it
        self.epochs += 1
        self.learner.record(self.epochs, self.learner.evaluate(self.X, self.y))
        return True

    def epoch(self):
        """Updates until the current epoch is complete."""
        while not self.step():
            pass

    def restart_epoch(self):
        """Forget the rest of the current epoch: the next step starts a new one."""
        self._batches = None

    def run(self):
        """Train until a stop rule holds; return the learner's result (a History for one
        network)."""
        learner, X, y = self.learner, self.X, self.y
        # looked up once: this loop is the hot path of every run
        evaluate, record, stop, learn = learner.evaluate, learner.record, learner.stop, \
            learner.learn
        epoch = 0
        # Overflow on the way to divergence is detected and reported, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            loss = evaluate(X, y)  # forward, loss: the whole set, after 0 epochs
            record(0, loss)
            while not stop(epoch, loss):
                if learner.full_batch:  # one update per epoch, on the whole set
                    learn()  # backward, update: from the forward just made
                else:
                    for batch in learner.batches():
                        evaluate(*batch)  # forward, loss on one batch
                        learn()  # backward, update
                epoch += 1
                learner.end_epoch(epoch)  # once per epoch: a non-finite number stays so
                self.epochs = epoch
                stopped = bool(self.callbacks) and self._callbacks_stop()
                loss = evaluate(X, y)  # forward, loss: the whole set, after the epoch
                record(epoch, loss)
                if stopped:
                    stop(epoch, loss, stopped if isinstance(stopped, StopReason)
                         else StopReason.CALLBACK)
                    break
            return learner.finish()  # its forward pass may overflow too: still no warning

    def _callbacks_stop(self):
        """The first callback's truthy answer (True or a StopReason), else False."""
        net, history = self.learner.net, self.learner.history
        return next((said for said in (cb(net, history) for cb in self.callbacks) if said),
                    False)


class NetworkLearner:
    """One Network trained by backpropagation with the optimizer ``config`` names.

    ``test_data``, a checked (X_test, y_test) or None, is evaluated after every epoch and
    never learned from; with ``config.patience`` the run stops early on its loss and the
    weights of its lowest test loss are put back at the end (``finish``)."""

    def __init__(self, net, X, y, config, test_data=None):
        self.net, self.X, self.y, self.config = net, X, y, config
        self.test = test_data
        config.check_targets(y)  # bce on targets outside [0, 1] is refused, not trained
        self.loss_fn = losses.get(config.loss)
        self.value_and_gradient = self.loss_fn.fused or self.loss_fn  # looked up once: hot path
        # the learning rate: one number, or one per layer laid out as the flat parameter
        # vector (built once: the update stays one vector operation); times the schedule's
        # factor of each epoch (xornet.train.schedules), set by start_epoch
        self.layer_lrs = layer_lrs(config, len(net.layers))
        self.base_lr = config.lr if not isinstance(config.lr, tuple) else \
            net.layout.per_layer(self.layer_lrs)
        self.optimizer = optimizers.make(config.optimizer, self.base_lr, config.momentum)
        self.schedule = None if schedules.is_constant(config.lr_schedule) else \
            schedules.parse(config.lr_schedule, config.epochs)
        self.penalty = Penalty(net.layout, config.l2, config.l1)
        if not self.penalty.active:
            self.penalty = None  # no term to add: the loss and the gradient are E_data's
        self.start_epoch(0)
        self.params, self.grads = [net.params], [net.grads]  # the optimizer's lists, built once
        self.rng = np.random.default_rng(config.seed)  # only used to shuffle
        self.full_batch = config.batch_size is None or config.batch_size >= len(X)
        self.rules = stop_rules(config, best_epoch=lambda: self.history.best_epoch)
        # per-epoch accuracy: only for 0/1 targets, where "right" has a meaning
        self.y_one = _ones(y)
        self.test_one = None if test_data is None else _ones(test_data[1])
        self.best_test, self.best_params = math.inf, None  # the lowest test loss, its weights
        self.wait_crisp = waits_for_crisp(config)
        self.crisp = False  # solved with every hidden unit crisp, after the last record
        self.history = History()
        self.y_hat = self.grad = None
        self.started = time.perf_counter()
        if config.update_order == "script":  # chosen once: learn() is the hot path
            self.learn = self._learn_in_script_order

    def batches(self):
        """Online (batch_size 1) or mini-batches, in order or in a fresh random order."""
        X, y, size = self.X, self.y, self.config.batch_size
        if self.full_batch:
            return [(X, y)]
        order = self.rng.permutation(len(X)) if self.config.shuffle else np.arange(len(X))
        return [(X[rows], y[rows]) for rows in
                (order[first:first + size] for first in range(0, len(X), size))]

    def start_epoch(self, done):
        """Before the updates of the epoch after ``done`` epochs: the schedule's learning
        rate, ``lr · schedule(done)`` (per layer when lr is), for all of that epoch's updates."""
        if self.schedule is not None:
            self.factor = self.schedule(done)
            self.optimizer.lr = self.base_lr * self.factor
        else:
            self.factor = 1.0

    def evaluate(self, X, y):
        self.y_hat = self.net.forward(X)  # forward
        loss, self.grad = self.value_and_gradient(self.y_hat, y)  # loss
        if self.penalty is not None:  # the loss the optimizer minimises: E_data + penalty
            loss += self.penalty.value(self.net.params)
        return loss

    def learn(self):
        self.net.backward(self.grad)  # backward: every gradient first ...
        if self.penalty is not None:  # ∂E/∂w = ∂E_data/∂w + λ2·w + λ1·sign(w)
            self.penalty.add_gradient(self.net.params, self.net.grads)
        self.optimizer.step(self.params, self.grads)  # ... then the update

    def _learn_in_script_order(self):
        """``update_order="script"``, the classic tutorial scripts' order: from the output
        layer down, each layer's gradient is computed and its weights moved at once, so the
        delta passed to the layer below goes through the *updated* weights (textbook
        backpropagation uses the old ones). Plain gradient descent only (RunConfig.check)."""
        layers, g = self.net.layers, self.grad
        for k in range(len(layers) - 1, -1, -1):  # each layer with its own lr
            lr = self.layer_lrs[k] * self.factor
            g = layers[k].backward(g, need_input_grad=k > 0, update_lr=lr,
                                   penalty=self.penalty)

    def check_finite(self, epoch):
        if not math.isfinite(np.add.reduce(self.net.params)):  # a sum is inf or nan if any is
            raise diverged(epoch, "a weight", self.history)

    def end_epoch(self, epoch):
        if not math.isfinite(np.add.reduce(self.net.params)):  # check_finite, without a call
            raise diverged(epoch, "a weight", self.history)
        self.history.epochs = epoch
        self.start_epoch(epoch)  # the next epoch's learning rate

    def record(self, done, loss):
        history = self.history
        if not math.isfinite(loss):
            raise diverged(done, "the loss", history)
        accuracy = None if self.y_one is None else row_accuracy(self.y_hat, self.y_one)
        if self.test is None:
            history.add_loss(done, loss, train_accuracy=accuracy)
        else:
            test_loss, test_accuracy = self._evaluate_test(done)
            history.add_loss(done, loss, test_loss=test_loss, train_accuracy=accuracy,
                             test_accuracy=test_accuracy)
        if history.solved_epoch is None and _within(self.y_hat, self.y, self.config.tolerance):
            history.solved_epoch = done
        if self.wait_crisp and history.solved_epoch is not None:
            # the hidden layers' activations on the whole set, from the forward just made
            self.crisp = _within(self.y_hat, self.y, self.config.tolerance) and all(
                all_crisp(layer.a, layer.activation) for layer in self.net.layers[:-1])
            if self.crisp and history.crisp_epoch is None:
                history.crisp_epoch = done

    def _evaluate_test(self, done):
        """The test loss and accuracy now; remembers the epoch (and, for early stopping, the
        weights) of the lowest test loss. The layers' cached x, z and a are put back after
        the test forward, so the backward that follows still sees the training rows."""
        X_test, y_test = self.test
        layers = self.net.layers
        cached = [(layer.x, layer.z, layer.a) for layer in layers]
        y_hat = self.net.forward(X_test)
        for layer, (x, z, a) in zip(layers, cached, strict=True):
            layer.x, layer.z, layer.a = x, z, a
        test_loss = float(self.loss_fn.value(y_hat, y_test))
        if self.penalty is not None:  # as Keras's val_loss: on the same footing as the loss
            test_loss += self.penalty.value(self.net.params)
        if not math.isfinite(test_loss):
            raise diverged(done, "the test loss", self.history)
        if test_loss < self.best_test:  # strictly lower, as Keras's min_delta=0 compares
            self.best_test, self.history.best_epoch = test_loss, done
            if self.config.patience is not None:
                self.best_params = self.net.params.copy()
        accuracy = None if self.test_one is None else row_accuracy(y_hat, self.test_one)
        return test_loss, accuracy

    def stop(self, done, loss, reason=None):
        history = self.history
        solved_at = -1 if history.solved_epoch is None else history.solved_epoch
        history.stop_reason = reason or first_stop(self.rules, done, loss, solved_at,
                                                   self.crisp)
        return bool(history.stop_reason)

    def finish(self):
        """Summarise the final state: largest error, solved, accuracy, time."""
        history, y = self.history, self.y
        if history.stop_reason == StopReason.EARLY_STOPPING:
            # as Keras's restore_best_weights: the weights of the lowest test loss, not the
            # last epoch's (only when early stopping ended the run)
            self.net.params[...] = self.best_params
            history.restored = True
        y_hat = self.net.forward(self.X)
        history.max_error = float(np.max(np.abs(y_hat - y)))
        history.solved = history.max_error <= self.config.tolerance
        if self.y_one is not None:
            history.accuracy = row_accuracy(y_hat, self.y_one)
        history.wall_time = time.perf_counter() - self.started
        return history


def row_accuracy(y_hat, y_one):
    """The share of rows classified right: a row is right when every output rounded at 0.5
    equals its 0/1 target (``y_one`` is ``y == 1``, bool (n, n_out)). Counted, not averaged
    with np.mean: it runs after every epoch, and counting is a few times faster."""
    right = (y_hat >= 0.5) == y_one  # (n, n_out)
    if right.shape[1] > 1:
        right = right.all(axis=1)  # a row is right when every output is
    return np.count_nonzero(right) / len(right)


def _ones(y):
    """``y == 1`` (bool, the shape of y) when every target is 0 or 1, else None."""
    return (y == 1.0) if np.all((y == 0.0) | (y == 1.0)) else None


def _within(y_hat, y, tolerance):
    return bool(np.abs(y_hat - y).max() <= tolerance)  # the method: less call overhead


def train(net, X, y, config, callbacks=(), test_data=None):
    """Train ``net`` by backpropagation on checked arrays X (n, n_in), y (n, n_out) as the
    checked RunConfig ``config`` says (its network fields are not used); return a History.

    Each callback is called as ``callback(net, history)`` after every epoch; returning True
    stops the run. ``test_data``, checked (X_test, y_test) or None, is evaluated after every
    epoch (``history.test_loss``) and watched by ``config.patience``.
    """
    for layer in net.layers:
        if not layer.activation.differentiable:
            raise XornetError(
                f"layer {layer.index}: the {layer.activation.name} activation has no useful "
                "derivative, so it cannot be trained by backpropagation; use sigmoid, tanh or "
                "relu."
            )
    if test_data is None:
        check_test_data(net, config, None)  # patience without a test set is refused
    learner = NetworkLearner(net, X, y, config, test_data)
    history = Trainer(learner, X, y, callbacks).run()
    # final_loss: the loss of the weights kept (after early stopping, best_epoch's)
    net.training = training_record(config, history.epochs, history.final_loss, history.solved)
    if history.restored:
        net.training.update(restored_epoch=history.best_epoch, patience=config.patience)
    return history


def check_test_data(net, config, test_data):
    """The checked (X_test, y_test), or None; early stopping (``config.patience``) needs
    them, and they are checked as the training data are (shapes, finite numbers, targets
    the loss can take)."""
    if test_data is None:
        if config.patience is not None:
            raise XornetError("patience: early stopping watches the loss on a test set, and "
                              "this run has none; give test_data=(X_test, y_test) or leave "
                              "patience out.")
        return None
    if not isinstance(test_data, (tuple, list)) or len(test_data) != 2:
        raise XornetError("test_data: expected a pair (X_test, y_test).")
    try:
        X_test, y_test = net.check_data(*test_data)
        config.check_targets(y_test)
    except XornetError as error:  # "X: ..." alone would seem to be about the training rows
        raise XornetError(f"test_data: {error}") from None
    return X_test, y_test


def fit_config(**fields):
    """The checked RunConfig of ``Network.fit``'s keywords (every training field given).
    ``fit`` trains the network it is given, so it never restarts, and it stops when solved
    without waiting for crisp units: that is what its ``stop_when_solved`` says."""
    return RunConfig(**{"until_crisp": False, "restarts": 0, **fields}).check()


def training_record(config, epochs, final_loss, solved, stop_reason="", optimizer=None):
    """The ``net.training`` record (saved in the model file): how the network was trained,
    from the RunConfig ``config`` (``optimizer`` overrides its optimizer), and how it ended.
    The perceptron rule's record also says why it stopped."""
    optimizer = optimizer or config.optimizer
    if optimizer == optimizers.PERCEPTRON:
        return {"optimizer": optimizer, "lr": config.lr, "epochs": epochs,
                "final_loss": final_loss, "solved": solved, "stop_reason": stop_reason}
    lr = list(config.lr) if isinstance(config.lr, tuple) else config.lr  # per layer: a list
    return {
        "loss": losses.get(config.loss).name, "optimizer": optimizer, "lr": lr,
        "momentum": config.momentum, "batch_size": config.batch_size,
        "shuffle": config.shuffle, "seed": config.seed, "epochs": epochs,
        "final_loss": final_loss, "solved": solved,
        # only when used, so a model file of a plain run reads as it always has
        # the schedule and the epoch bound it is laid over (a cosine needs it: a run that
        # stops early, when solved, ends on a larger factor)
        **({"lr_schedule": config.lr_schedule, "schedule_epochs": config.epochs}
           if not schedules.is_constant(config.lr_schedule) else {}),
        **({"l2": config.l2} if config.l2 else {}), **({"l1": config.l1} if config.l1 else {}),
        **({"update_order": config.update_order} if config.update_order != "textbook" else {}),
    }


def diverged(epoch, what, history=None):
    """The DivergenceError for ``what`` (a weight, the loss) turning non-finite in ``epoch``."""
    return DivergenceError(
        f"training diverged: {what} stopped being finite in epoch {epoch}; use a smaller "
        "learning rate (lr).",
        epoch, history,
    )
