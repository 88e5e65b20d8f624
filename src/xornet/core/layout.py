"""Where every parameter of a network sits in its one flat vector.

A Network keeps all its weights and biases in one flat vector ``params`` (and their gradients
in ``grads``, laid out the same way), so an optimizer updates every parameter in one vector
operation. The layout is layer by layer; for layer k first its weight matrix W_k, row-major
with shape (n_in, n_out) (row i: the weights out of input i), then its bias b_k (n_out,) when
the network has biases. ``ParamLayout`` is that rule written down once: the Network, the
population trainer (both backends), the explanations and the diagram all read it.

Worked example, a 2-2-1 network with bias (9 parameters): W1 is 2×2, b1 has 2, W2 is 2×1,
b2 has 1, so W1 starts at 0, b1 at 4, W2 at 6, b2 at 8. The bottom row gives each parameter's
textbook name w1..w9 (``xornet.core.naming.flat_numbers``: unit by unit, bias first), which
is a different order from the flat one::

    flat index   0        1        2        3        4      5      6        7        8
    parameter    W1[0,0]  W1[0,1]  W1[1,0]  W1[1,1]  b1[0]  b1[1]  W2[0,0]  W2[1,0]  b2[0]
    textbook     w2       w5       w3       w6       w1     w4     w8       w9       w7

Without bias the same network has 6 parameters: W1 at 0..3, W2 at 4..5.

A population of M networks is a matrix P (n_params, M), one network per column; ``views``
then gives W (n_in, n_out, M) and b (n_out, M), the population on the last axis.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from xornet.errors import XornetError


@dataclass(frozen=True)
class ParamLayout:
    """The flat layout of a network's parameters.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, inputs first (``(2, 2, 1)``).
    bias : bool
        Whether every layer has a bias vector.

    Attributes
    ----------
    shapes : tuple of (int, int)
        Per layer the shape (n_in, n_out) of W.
    w_at : tuple of int
        Per layer the flat index of W[0, 0].
    b_at : tuple of int or None
        Per layer the flat index of b[0]; None without bias.
    n_params : int
        Length of the flat vector.
    """

    sizes: Sequence[int]  # any sequence of int; kept as a tuple
    bias: bool
    shapes: tuple = field(init=False)
    w_at: tuple = field(init=False)
    b_at: tuple = field(init=False)
    n_params: int = field(init=False)

    def __post_init__(self):
        shapes = tuple(pairwise(int(s) for s in self.sizes))
        w_at, b_at, start = [], [], 0
        for n_in, n_out in shapes:
            w_at.append(start)
            start += n_in * n_out
            b_at.append(start if self.bias else None)
            start += n_out if self.bias else 0
        # a frozen dataclass fills its derived fields through object.__setattr__
        for name, value in (("sizes", tuple(int(s) for s in self.sizes)),
                            ("bias", bool(self.bias)), ("shapes", shapes),
                            ("w_at", tuple(w_at)), ("b_at", tuple(b_at)),
                            ("n_params", start)):
            object.__setattr__(self, name, value)

    def views(self, flat):
        """Per layer ``(W, b)``: views into ``flat``, so writing to them writes to ``flat``.

        ``flat`` is one network's vector (n_params,), giving W (n_in, n_out) and b (n_out,),
        or a population (n_params, M), giving W (n_in, n_out, M) and b (n_out, M). b is None
        without bias. (The reshape only splits the first axis in two, which NumPy can always
        do without copying, so these are views whatever the strides of ``flat``.)
        """
        if flat.shape[0] != self.n_params:
            raise XornetError(f"flat: expected {self.n_params} parameter rows for a "
                              f"{'-'.join(map(str, self.sizes))} network; received "
                              f"{flat.shape[0]}.")
        rest = flat.shape[1:]  # () for one network, (M,) for a population
        out = []
        for (n_in, n_out), w, b in zip(self.shapes, self.w_at, self.b_at, strict=True):
            W = flat[w:w + n_in * n_out].reshape((n_in, n_out, *rest))
            out.append((W, None if b is None else flat[b:b + n_out]))
        return out

    def unflatten(self, flat):
        """``(weights, biases)`` of ``flat`` as ``Network.weights`` and ``Network.biases``
        give them: a list of W per layer, and a list of b per layer or None without bias."""
        pairs = self.views(flat)
        weights = [W for W, _ in pairs]
        return weights, ([b for _, b in pairs] if self.bias else None)

    def per_layer(self, values):
        """A flat vector (n_params,) holding ``values[k]`` at every weight and bias of layer
        k: e.g. one learning rate per layer, laid out so that an optimizer multiplies the
        whole gradient vector by it in one operation."""
        if len(values) != len(self.shapes):
            raise XornetError(f"values: expected one per weight layer ({len(self.shapes)}); "
                              f"received {len(values)}.")
        counts = [n_in * n_out + (n_out if self.bias else 0) for n_in, n_out in self.shapes]
        return np.repeat(np.asarray(values, dtype=np.float64), counts)
