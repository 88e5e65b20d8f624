"""Weight penalties (regularisation): L2 ("weight decay") and L1 terms added to the loss.

    E_total = E_data + (λ2/2)·Σ w² + λ1·Σ |w|

The sums run over the weights only, not the biases: the common convention (Goodfellow,
Bengio & Courville, *Deep Learning*, 2016, §7.1), because a bias does not make the function
steeper and pulling it to 0 only moves each unit's line towards the origin. The gradient of
the penalty adds, to each weight's ∂E_data/∂w,

    λ2·w + λ1·sign(w)

where sign(0) = 0: |w| has no slope at 0, and 0 is the subgradient chosen there. The
penalty is added once per update, whatever the batch: each update minimises the batch's
E_data plus the same penalty, as Keras and PyTorch's ``weight_decay`` do.
"""

import numpy as np

from xornet.errors import XornetError


class Penalty:
    """λ2 and λ1 for the flat parameter vector of ``layout`` (a ParamLayout).

    ``mask`` is 1.0 at every weight and 0.0 at every bias of the flat vector, built once, so
    the value and the gradient are each a few vector operations on the whole vector.
    """

    def __init__(self, layout, l2=0.0, l1=0.0):
        self.l2, self.l1 = float(l2), float(l1)
        self.mask = weight_mask(layout)

    @property
    def active(self):
        """False when both λ are 0: then there is nothing to add."""
        return self.l2 != 0.0 or self.l1 != 0.0

    def value(self, params):
        """(λ2/2)·Σ w² + λ1·Σ |w| over the weights of ``params``."""
        w = params * self.mask
        return float(0.5 * self.l2 * np.dot(w, w) + self.l1 * np.add.reduce(np.abs(w)))

    def gradient(self, params):
        """λ2·w + λ1·sign(w) at every weight, 0 at every bias: the vector to add to ∂E/∂θ."""
        return self.mask * (self.l2 * params + self.l1 * np.sign(params))

    def add_gradient(self, params, grads):
        """``grads += gradient(params)``, in place."""
        grads += self.gradient(params)


def weight_mask(layout):
    """1.0 where ``layout``'s flat vector holds a weight, 0.0 where it holds a bias."""
    mask = np.zeros(layout.n_params)
    for (n_in, n_out), w in zip(layout.shapes, layout.w_at, strict=True):
        mask[w:w + n_in * n_out] = 1.0
    return mask


def check(name, value):
    """A penalty strength must be a finite number ≥ 0; raise XornetError naming ``name``."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not (ok and np.isfinite(value) and value >= 0.0):
        raise XornetError(f"{name}: expected a finite number ≥ 0 (the penalty's strength λ; "
                          f"0 for none); received {value!r}.")
