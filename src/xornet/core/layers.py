"""A dense (fully connected) layer: ``a = f(x·W + b)``.

The layer does not own its parameters: ``W``, ``b`` and their gradients ``dW``, ``db`` are
views into flat buffers held by the Network, so an optimizer updates every parameter of the
network in one vector operation.
"""

import numpy as np

from xornet.core import activations
from xornet.errors import XornetError


class Dense:
    """One layer. ``forward`` caches exactly what ``backward`` reuses (x, z and a)."""

    def __init__(self, W, b, dW, db, activation, index):
        self.W = W  # (n_in, n_out)
        self.b = b  # (n_out,) or None
        self.dW = dW  # (n_in, n_out), filled by backward
        self.db = db  # (n_out,) or None
        self.activation = activations.get(activation)
        self.index = index  # 1-based position, for messages and explanations
        self.x = self.z = self.a = None

    @property
    def n_in(self):
        return self.W.shape[0]

    @property
    def n_out(self):
        return self.W.shape[1]

    def forward(self, x):
        """x (n, n_in) → a (n, n_out); remembers x, the net input z and the output a."""
        z = x @ self.W
        if self.b is not None:
            z += self.b
        a = self.activation.value(z)
        self.x, self.z, self.a = x, z, a
        return a

    def backward(self, grad_a, need_input_grad=True, update_lr=None, penalty=None):
        """Given ∂E/∂a (n, n_out), fill dW and db and return ∂E/∂x (n, n_in).

        δ = ∂E/∂z = ∂E/∂a ⊙ f′(z)  (n, n_out)
        ∂E/∂W = xᵀ·δ               (n_in, n_out)
        ∂E/∂b = Σ over samples of δ (n_out,)
        ∂E/∂x = δ·Wᵀ               (n, n_in)

        With ``update_lr`` α, W and b take their step ``−α·∂E/∂W`` *before* ∂E/∂x is
        computed, so ∂E/∂x goes through the updated W: the order of the classic tutorial
        scripts (``RunConfig.update_order="script"``), not the gradient of E. With a
        ``penalty`` (``xornet.core.penalties.Penalty``), dW gets its term λ2·W + λ1·sign(W)
        (the biases have none); the Network adds it for the whole flat vector instead.
        """
        derivative = self.activation.derivative
        if derivative is None:
            raise XornetError(
                f"layer {self.index}: the {self.activation.name} activation has no useful "
                "derivative, so it cannot be trained by backpropagation; use sigmoid, tanh or "
                "relu, or the perceptron rule for a single step layer."
            )
        delta = grad_a * derivative(self.z, self.a)
        np.matmul(self.x.T, delta, out=self.dW)
        if penalty is not None:
            self.dW += penalty.l2 * self.W + penalty.l1 * np.sign(self.W)
        if self.db is not None:
            np.add.reduce(delta, axis=0, out=self.db)
        if update_lr is not None:  # the script order: this layer moves first
            self.W -= update_lr * self.dW
            if self.b is not None:
                self.b -= update_lr * self.db
        return delta @ self.W.T if need_input_grad else None
