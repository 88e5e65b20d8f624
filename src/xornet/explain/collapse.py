"""Linear hidden layers add nothing: a network whose hidden layers are all linear is one layer.

With a linear activation a hidden layer computes h = x·W1 + b1, and the next layer's net input
is h·W2 + b2 = x·(W1·W2) + (b1·W2 + b2): one affine map again. Folding every hidden layer in
turn gives a single weight matrix and bias feeding the output activation:

    W = W1·W2·…·WL        b = (…((b1·W2 + b2)·W3 + b3)…)·WL + bL

so the network can draw only what a network with no hidden layer draws — for a 0/1 task, one
line — and cannot learn XOR however many linear layers it stacks.
"""

import numpy as np


def collapse(net):
    """The single layer a network with only linear hidden layers is equal to.

    Parameters
    ----------
    net : Network

    Returns
    -------
    (W, b) or None
        ``W`` of shape (n_in, n_out) and ``b`` of shape (n_out,) (None when the network has no
        bias) with ``net.predict(X) == f(X·W + b)`` for the output activation f. None when the
        network has no hidden layer or some hidden layer is not linear.
    """
    hidden = net.layers[:-1]
    if not hidden or any(layer.activation.name != "linear" for layer in hidden):
        return None
    W = net.layers[0].W.copy()  # (n_in, n_1)
    b = net.layers[0].b.copy() if net.bias else None  # (n_1,)
    for layer in net.layers[1:]:
        W = W @ layer.W  # (n_in, n_k)
        if b is not None:
            b = b @ layer.W + layer.b  # (n_k,)
    return W, b


def collapse_sentence(net, digits=4):
    """One sentence saying the network is one layer in disguise, with the collapsed weights.

    None when :func:`collapse` returns None. For a 2-2-1 network with a linear hidden layer:
    "Every hidden layer is linear, so this network is one layer in disguise: W = W1·W2 =
    [[0.5], [-0.25]], b = b1·W2 + b2 = [0.1]; the output is sigmoid(x·W + b), which a network
    with no hidden layer computes as well (for a 0/1 task: one straight boundary, so never
    XOR)."
    """
    folded = collapse(net)
    if folded is None:
        return None
    W, b = folded
    n = len(net.layers)
    w_formula = "·".join(f"W{k}" for k in range(1, n + 1))
    text = (f"Every hidden layer is linear, so this network is one layer in disguise: "
            f"W = {w_formula} = {_matrix(W, digits)}")
    if b is not None:
        text += f", b = {_bias_formula(n)} = {_matrix(b, digits)}"
    out = net.layers[-1].activation.name
    affine = "x·W + b" if b is not None else "x·W"
    return (f"{text}; the output is {out}({affine}), which a network with no hidden layer "
            "computes as well (for a 0/1 task: one straight boundary, so never XOR).")


def _bias_formula(n_layers):
    """``b1·W2 + b2``, ``(b1·W2 + b2)·W3 + b3``, ...: the bias folded through each layer."""
    text = "b1"
    for k in range(2, n_layers + 1):
        if k > 2:
            text = f"({text})"
        text = f"{text}·W{k} + b{k}"
    return text


def _matrix(a, digits):
    """A vector or matrix as nested lists of numbers with ``digits`` significant digits."""
    if np.ndim(a) == 1:
        return "[" + ", ".join(f"{v:.{digits}g}" for v in a) + "]"
    return "[" + ", ".join(_matrix(row, digits) for row in a) + "]"
