"""Check backpropagation against central finite differences."""

import numpy as np

from . import losses


def gradcheck(net, X, y, loss="mse", h=1e-6):
    """Largest relative error between the analytic gradient and a central difference.

    For each parameter θ the numeric slope is (E(θ + h) − E(θ − h)) / 2h; the relative error
    is |analytic − numeric| / max(|analytic| + |numeric|, 1e-12), so two tiny gradients that
    agree closely count as agreeing. The network's weights are left as they were.
    """
    X = net._check_X(X)
    y = net._check_y(y, len(X))
    loss_fn = losses.get(loss)
    net.backward(loss_fn(net.forward(X), y)[1])
    analytic = net.grads.copy()
    numeric = np.empty_like(analytic)
    params = net.params
    for i in range(params.size):
        old = params[i]
        params[i] = old + h
        up = loss_fn.value(net.forward(X), y)
        params[i] = old - h
        down = loss_fn.value(net.forward(X), y)
        params[i] = old
        numeric[i] = (up - down) / (2.0 * h)
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    return float(np.max(np.abs(analytic - numeric) / scale))
