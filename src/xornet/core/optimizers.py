"""Optimizers: ``step(params, grads)`` changes parameters in place.

``params`` and ``grads`` are lists of arrays of the same shapes (for a Network, one flat
vector each: every weight and bias lives in one buffer, so an update is one vector operation).
An optimizer is built once per training run and keeps its own state (velocity, moments).
"""

import numpy as np

from xornet.errors import XornetError


class SGD:
    """Gradient descent: ``v ← μ·v − α·g``, ``θ ← θ + v`` (with μ = 0: ``θ ← θ − α·g``)."""

    def __init__(self, lr, momentum=0.0):
        self.lr = lr
        self.momentum = momentum
        self._velocity = None

    def step(self, params, grads):
        if self.momentum == 0.0:
            for p, g in zip(params, grads, strict=True):
                p -= self.lr * g
            return
        if self._velocity is None:
            self._velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self._velocity, strict=True):
            v *= self.momentum
            v -= self.lr * g
            p += v

    def keep_columns(self, keep):
        """Keep only columns ``keep`` (bool (M,)) of the state and of a per-column lr (M,
        or rows × M): for M models side by side on the last axis, when some of them stop
        training."""
        self.lr = _keep(self.lr, keep)
        if self._velocity is not None:
            self._velocity = [v[..., keep] for v in self._velocity]


# Adam's defaults, the paper's: decay of the running mean of g (β1) and of g² (β2), and the ε
# that keeps a step finite where v is 0. The compiled population kernel reads them from here.
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8


class Adam:
    """Adam (Kingma & Ba, 2015): per-parameter steps from bias-corrected running means of
    the gradient (m) and of its square (v)."""

    def __init__(self, lr, beta1=ADAM_BETA1, beta2=ADAM_BETA2, eps=ADAM_EPS):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self._m = self._v = None
        self._t = 0

    def step(self, params, grads):
        if self._m is None:
            self._m = [np.zeros_like(p) for p in params]
            self._v = [np.zeros_like(p) for p in params]
        self._t += 1
        correct1 = 1.0 - self.beta1**self._t  # early m and v are biased towards 0; undo it
        correct2 = 1.0 - self.beta2**self._t
        for p, g, m, v in zip(params, grads, self._m, self._v, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            p -= self.lr * (m / correct1) / (np.sqrt(v / correct2) + self.eps)

    def keep_columns(self, keep):
        """Keep only columns ``keep`` (bool (M,)) of the state and of a per-column lr (M,):
        for M models side by side on the last axis, when some of them stop training."""
        self.lr = _keep(self.lr, keep)
        if self._m is not None:
            self._m = [m[..., keep] for m in self._m]
            self._v = [v[..., keep] for v in self._v]


def _keep(lr, keep):
    # one lr for all, one per column (M,), or one per row and column (rows, M)
    return lr[..., keep] if np.ndim(lr) else lr


class PerceptronRule:
    """A name, not a gradient step: the perceptron rule lives in ``xornet.train.perceptron`` and is
    reached through ``xornet.train.config.run``. Asking backpropagation to step with it fails."""

    def step(self, params, grads):
        raise XornetError(
            "optimizer: perceptron is a rule for step networks with no hidden layer, not a "
            "gradient step; train through xornet.train.config.run or xornet.train.perceptron, "
            "or choose sgd or adam."
        )


PERCEPTRON = "perceptron"
NAMES = ("sgd", "adam", PERCEPTRON)


def make(name, lr, momentum=0.0):
    """Build the optimizer called ``name`` with learning rate ``lr``.

    ``"perceptron"`` passes validation but gives a ``PerceptronRule``, which refuses to step.
    """
    if name == "sgd":
        return SGD(lr, momentum)
    if name == "adam":
        if momentum:
            raise XornetError("momentum: only the sgd optimizer takes momentum; Adam has its own.")
        return Adam(lr)
    if name == PERCEPTRON:
        if momentum:
            raise XornetError("momentum: only the sgd optimizer takes momentum; the perceptron "
                              "rule has none.")
        return PerceptronRule()
    raise XornetError(f"optimizer: unknown name {name!r}; choose one of {', '.join(NAMES)}.")
