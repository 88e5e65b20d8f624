"""The plain NumPy path of the population trainer: N networks side by side, one epoch at a time.

Each function here is the per-network maths of ``Dense``, ``xornet.core.losses`` and
``training.train`` with one more axis: the population, LAST (see ``xornet.population.trainer`` for
the layout). This is the reference: the tests check it against ``Network.fit`` network by
network, and ``xornet.population.kernel`` (the compiled fast path) against it. It sits apart from
``train_population``, which only sets up, picks a backend and collects the result.
"""

from dataclasses import dataclass

import numpy as np

from xornet.core import activations, losses, optimizers


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


# Each loss per network: (y_hat (n, n_out, M), y (n, n_out, 1)) → (value (M,), ∂E/∂ŷ).
# The formulas of xornet.core.losses, with "every element" meaning every element of one network.
def _sse(y_hat, y):
    d = y_hat - y
    return 0.5 * np.einsum("nom,nom->m", d, d), d


def _mse(y_hat, y):
    d = y_hat - y
    m = d.shape[0] * d.shape[1]
    return np.einsum("nom,nom->m", d, d) / m, (2.0 / m) * d


def _bce(y_hat, y):
    eps = losses.bce_clip(y_hat.dtype)
    p = np.clip(y_hat, eps, 1.0 - eps)
    m = p.shape[0] * p.shape[1]
    value = -np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p), axis=(0, 1)) / m
    return value, (p - y) / (p * (1.0 - p)) / m


LOSSES = {"sse": _sse, "mse": _mse, "bce": _bce}  # one per name in xornet.core.losses (tested)


def train_numpy(setup, P):
    """Train the population P (n_params, N) with NumPy; P ends holding the final params."""
    run = _Active(setup, P)
    cfg = setup.config
    X, y = setup.X[:, :, None], setup.y[:, :, None]  # (n, n_in, 1), (n, n_out, 1)
    loss = LOSSES[cfg.loss]
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, cfg.epochs + 2):
            cache = forward(setup, run.P, X)
            value, grad = loss(cache[-1][1], y)
            keep = run.record(epoch - 1, value, cache[-1][1], y)
            if not keep.any():
                break
            if not keep.all():
                cache = [(z[..., keep], a[..., keep]) for z, a in cache]
                grad = grad[..., keep]
                run.drop(keep)
            if setup.full_batch:
                backward(setup, run.P, run.G, X, cache, grad)
                run.opt.step([run.P], [run.G])
            else:
                _minibatch_epoch(setup, run, loss)
            finite = np.isfinite(run.P).all(axis=0)
            if not finite.all():
                run.diverged(epoch, ~finite)
    run.close()
    return run.stats


def _minibatch_epoch(setup, run, loss):
    X, y, bs = setup.X, setup.y, setup.config.batch_size
    if setup.config.shuffle:  # each network its own order, from its own generator
        order = np.stack([rng.permutation(len(X)) for rng in run.rngs], axis=-1)  # (n, M)
    for first in range(0, len(X), bs):
        if setup.config.shuffle:
            rows = order[first:first + bs]  # (b, M)
            xb = np.moveaxis(X[rows], 1, 2)  # (b, n_in, M)
            yb = np.moveaxis(y[rows], 1, 2)  # (b, n_out, M)
        else:
            xb, yb = X[first:first + bs, :, None], y[first:first + bs, :, None]
        cache = forward(setup, run.P, xb)
        _, grad = loss(cache[-1][1], yb)
        backward(setup, run.P, run.G, xb, cache, grad)
        run.opt.step([run.P], [run.G])


class _Active:
    """The networks still training: column c of ``P`` is network ``idx[c]``."""

    def __init__(self, setup, P):
        cfg = setup.config
        self.setup, self.out, self.P = setup, P, P.copy()
        self.G = np.zeros_like(P)
        self.idx = np.arange(P.shape[1])
        self.opt = optimizers.make(cfg.optimizer, setup.lrs.copy(), cfg.momentum)
        self.rngs = [np.random.default_rng(int(s)) for s in setup.seeds] \
            if cfg.shuffle and not setup.full_batch else None
        self.stats = Stats.empty(P.shape[1])

    def record(self, done, value, y_hat, y):
        """The checks ``training._record`` and ``_should_stop`` make after ``done`` epochs;
        returns which columns train on."""
        cfg, stats = self.setup.config, self.stats
        bad = ~np.isfinite(value)
        within = ~bad & (np.max(np.abs(y_hat - y), axis=(0, 1)) <= cfg.tolerance)
        first = within & (stats.solved_epoch[self.idx] < 0)
        stats.solved_epoch[self.idx[first]] = done
        stop = bad | (done >= cfg.epochs)
        if cfg.stop_when_solved:
            stop |= stats.solved_epoch[self.idx] >= 0
        if cfg.target_loss is not None:
            stop |= value <= cfg.target_loss
        stats.diverged_epoch[self.idx[bad]] = done
        stats.epochs[self.idx] = done
        self._save(stop)
        return ~stop

    def diverged(self, epoch, bad):
        """Columns ``bad`` hold a non-finite weight after the update of ``epoch``."""
        self.stats.diverged_epoch[self.idx[bad]] = epoch
        self._save(bad)
        self.drop(~bad)

    def _save(self, which):
        self.out[:, self.idx[which]] = self.P[:, which]

    def drop(self, keep):
        """Forget every column but ``keep`` (bool (M,)): parameters, optimizer state, rngs."""
        self.P, self.G, self.idx = self.P[:, keep], self.G[:, keep], self.idx[keep]
        self.opt.lr = self.opt.lr[keep]
        for name in ("_velocity", "_m", "_v"):  # the optimizers' per-parameter state
            state = getattr(self.opt, name, None)
            if state is not None:
                setattr(self.opt, name, [s[:, keep] for s in state])
        if self.rngs is not None:
            self.rngs = [r for r, k in zip(self.rngs, keep, strict=True) if k]

    def close(self):
        self._save(np.ones(len(self.idx), bool))


def evaluate(setup, P):
    """Final loss (M,) and whether each network is within tolerance, for P (n_params, M)."""
    with np.errstate(over="ignore", invalid="ignore"):
        y_hat = forward(setup, P, setup.X[:, :, None])[-1][1]
        y = setup.y[:, :, None]
        value, _ = LOSSES[setup.config.loss](y_hat, y)
        within = np.max(np.abs(y_hat - y), axis=(0, 1)) <= setup.config.tolerance
    return value, within
