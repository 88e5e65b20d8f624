"""The plain NumPy path of the population trainer: N networks side by side, one epoch at a time.

Each function here is the per-network maths of ``Dense`` with one more axis: the population,
LAST (see ``xornet.population.trainer`` for the layout). ``PopulationLearner`` is the
population as a learner of ``xornet.train.trainer.Trainer``, the loop that also trains one
Network, with the per-network losses of ``xornet.core.losses`` and the same stop rules.

This is the reference: the tests check it against ``Network.fit`` network by network, and
``xornet.population.kernel`` (the compiled fast path) against it. It sits apart from
``train_population``, which only sets up, picks a backend and collects the result.
"""

from dataclasses import dataclass

import numpy as np

from xornet.core import activations, losses, optimizers
from xornet.train.trainer import Trainer, all_crisp, any_stop, stop_rules, waits_for_crisp


@dataclass
class Stats:
    """Per-network outcome of a training run, filled by either backend."""

    solved_epoch: np.ndarray  # (N,) int64, -1 = never within tolerance
    epochs: np.ndarray  # (N,) int64
    diverged_epoch: np.ndarray  # (N,) int64, -1 = did not diverge

    @classmethod
    def empty(cls, n):
        return cls(np.full(n, -1, np.int64), np.zeros(n, np.int64), np.full(n, -1, np.int64))


def forward(setup, P, x):
    """x (n, n_in, 1 or M) → per layer (z, a), each (n, n_out, M); P is (n_params, M)."""
    cache, a = [], x
    for name, (W, b) in zip(setup.activations, setup.layout.views(P), strict=True):
        z = a[:, 0, None, :] * W[0]  # (n, n_out, M): Σ_i x_i·W_i, in the order i = 0, 1, ...
        for i in range(1, W.shape[0]):
            z += a[:, i, None, :] * W[i]
        if b is not None:
            z += b
        a = activations.get(name).value(z)
        cache.append((z, a))
    return cache


def backward(setup, P, G, x, cache, grad_out):
    """Fill G (n_params, M) with ∂E/∂θ from ∂E/∂ŷ (n, n_out, M); the rules of ``Dense``."""
    g = grad_out
    params, grads = setup.layout.views(P), setup.layout.views(G)
    for k in range(len(params) - 1, -1, -1):
        (z, a), (W, _), (dW, db) = cache[k], params[k], grads[k]
        delta = g * activations.get(setup.activations[k]).derivative(z, a)  # (n, n_out, M)
        inp = cache[k - 1][1] if k else x  # (n, n_in, M or 1)
        for i in range(W.shape[0]):
            np.add.reduce(inp[:, i, None, :] * delta, axis=0, out=dW[i])  # xᵀ·δ
        if db is not None:
            np.add.reduce(delta, axis=0, out=db)
        if k:
            g = np.empty(inp.shape)  # (n, n_in, M): δ·Wᵀ
            for i in range(W.shape[0]):
                np.add.reduce(delta * W[i], axis=1, out=g[:, i, :])


def train_numpy(setup, P):
    """Train the population P (n_params, N) with NumPy; P ends holding the final params."""
    X, y = setup.X[:, :, None], setup.y[:, :, None]  # (n, n_in, 1), (n, n_out, 1)
    return Trainer(PopulationLearner(setup, P), X, y).run()


class PopulationLearner:
    """The networks still training, as a learner of ``xornet.train.trainer.Trainer``: column c
    of ``P`` is network ``idx[c]``. A network that diverges is marked, not raised; a network
    that stops is copied out to ``out`` and its column dropped (compaction)."""

    def __init__(self, setup, P):
        cfg = setup.config
        self.setup, self.out, self.P = setup, P, P.copy()
        self.full_batch = setup.full_batch
        self.G = np.zeros_like(P)
        self.idx = np.arange(P.shape[1])
        # each row's learning rate, per network: (n_params, N) from the (N, L) table
        self.opt = optimizers.make(cfg.optimizer, setup.lrs.T[setup.row_layers()],
                                   cfg.momentum)
        self.rngs = [np.random.default_rng(int(s)) for s in setup.seeds] \
            if cfg.shuffle and not setup.full_batch else None
        self.loss_fn = losses.get(cfg.loss).per_network
        self.rules = stop_rules(cfg)
        self.wait_crisp = waits_for_crisp(cfg)
        self.crisp = False  # (M,) after a record: solved now with every hidden unit crisp
        self.stats = Stats.empty(P.shape[1])
        self.y = setup.y[:, :, None]  # (n, n_out, 1)
        self.cache = self.grad = self.value = None

    def batches(self):
        """One epoch's (x (b, n_in, 1 or M), y (b, n_out, 1 or M)) batches."""
        X, y, bs = self.setup.X, self.setup.y, self.setup.config.batch_size
        if self.full_batch:
            return [(X[:, :, None], y[:, :, None])]
        if self.rngs is None:
            return [(X[first:first + bs, :, None], y[first:first + bs, :, None])
                    for first in range(0, len(X), bs)]
        # each network its own order, from its own generator
        order = np.stack([rng.permutation(len(X)) for rng in self.rngs], axis=-1)  # (n, M)
        return [(np.moveaxis(X[rows], 1, 2), np.moveaxis(y[rows], 1, 2))  # (b, units, M)
                for rows in (order[first:first + bs] for first in range(0, len(X), bs))]

    def evaluate(self, x, y):
        self.cache = forward(self.setup, self.P, x)  # forward
        self.x = x
        value, self.grad = self.loss_fn(self.cache[-1][1], y)  # loss (M,)
        return value

    def learn(self):
        backward(self.setup, self.P, self.G, self.x, self.cache, self.grad)  # backward
        self.opt.step([self.P], [self.G])  # update

    def record(self, done, value):
        """After ``done`` epochs: which networks are within tolerance for the first time."""
        stats, y_hat = self.stats, self.cache[-1][1]
        within = np.isfinite(value) & (np.max(np.abs(y_hat - self.y), axis=(0, 1))
                                       <= self.setup.config.tolerance)
        first = within & (stats.solved_epoch[self.idx] < 0)
        stats.solved_epoch[self.idx[first]] = done
        stats.epochs[self.idx] = done
        if self.wait_crisp:  # the hidden layers' a (n, units, M), from the forward just made
            self.crisp = within
            for (_, a), name in zip(self.cache[:-1], self.setup.activations, strict=False):
                self.crisp = self.crisp & all_crisp(a, activations.get(name))

    def stop(self, done, value, reason=None):
        """The stop rules per network (a non-finite loss stops it too, as diverged); drops
        the networks that stop; True once none trains on."""
        bad = ~np.isfinite(value)
        stop = bad | any_stop(self.rules, done, value, self.stats.solved_epoch[self.idx],
                              self.crisp)
        self.stats.diverged_epoch[self.idx[bad]] = done
        self._save(stop)
        if stop.any() and not stop.all():
            keep = ~stop
            self.cache = [(z[..., keep], a[..., keep]) for z, a in self.cache]
            self.grad = self.grad[..., keep]
            self.drop(keep)
        return bool(stop.all())

    def check_finite(self, epoch):
        """Columns with a non-finite weight after an update of ``epoch`` are marked diverged."""
        finite = np.isfinite(self.P).all(axis=0)
        if not finite.all():
            bad = ~finite
            self.stats.diverged_epoch[self.idx[bad]] = epoch
            self._save(bad)
            self.drop(finite)

    end_epoch = check_finite  # epochs are counted per network in ``record``

    def _save(self, which):
        self.out[:, self.idx[which]] = self.P[:, which]

    def drop(self, keep):
        """Forget every column but ``keep`` (bool (M,)): parameters, optimizer state, rngs."""
        self.P, self.G, self.idx = self.P[:, keep], self.G[:, keep], self.idx[keep]
        self.opt.keep_columns(keep)
        if self.rngs is not None:
            self.rngs = [r for r, k in zip(self.rngs, keep, strict=True) if k]

    def finish(self):
        self._save(np.ones(len(self.idx), bool))
        return self.stats


def evaluate(setup, P):
    """Final loss (M,) and whether each network is within tolerance, for P (n_params, M)."""
    with np.errstate(over="ignore", invalid="ignore"):
        y_hat = forward(setup, P, setup.X[:, :, None])[-1][1]
        y = setup.y[:, :, None]
        value, _ = losses.get(setup.config.loss).per_network(y_hat, y)
        within = np.max(np.abs(y_hat - y), axis=(0, 1)) <= setup.config.tolerance
    return value, within
