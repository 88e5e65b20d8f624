"""Check backpropagation against central finite differences."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from xornet.core import losses, penalties
from xornet.core.penalties import Penalty

if TYPE_CHECKING:
    from xornet.core.network import Network


def gradcheck(net: Network, X: npt.ArrayLike, y: npt.ArrayLike, loss: str = "mse",
              h: float = 1e-6, l2: float = 0.0, l1: float = 0.0) -> float:
    """Relative error between the analytic gradient and central finite differences.

    With ``l2`` or ``l1`` the loss is the total E_data + (l2/2)·Σw² + l1·Σ|w| that training
    minimises (``xornet.core.penalties``), and the analytic gradient is backpropagation's plus
    the penalty's λ2·w + λ1·sign(w). (|w| has a kink at 0: a weight within h of 0 gives a
    numeric slope between −λ1 and λ1 there, so check away from it.)

    For each parameter θ the numeric slope is (E(θ + h) − E(θ − h)) / 2h. The error is
    measured over the whole gradient vector, ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖):
    a per-parameter ratio would report the rounding noise of the difference quotient
    (about 1e-10 of the loss) as a large error for components that are nearly zero. Correct
    backpropagation gives about 1e-9 or less; 1e-7 is the usual pass mark. The network's
    weights are left as they were.
    """
    X, y = net.check_data(X, y)
    loss_fn = losses.get(loss)
    penalties.check("l2", l2)
    penalties.check("l1", l1)
    penalty = Penalty(net.layout, l2, l1)
    params = net.params

    def total() -> float:
        return loss_fn.value(net.forward(X), y) + penalty.value(params)

    net.backward(loss_fn(net.forward(X), y)[1])
    analytic = net.grads + penalty.gradient(params)
    numeric = np.empty_like(analytic)
    for i in range(params.size):
        old = params[i]
        params[i] = old + h
        up = total()
        params[i] = old - h
        down = total()
        params[i] = old
        numeric[i] = (up - down) / (2.0 * h)
    scale = max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), 1e-12)
    return float(np.linalg.norm(analytic - numeric) / scale)
