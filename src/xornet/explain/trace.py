"""Record every number of one step of backpropagation, for a person to read.

``explain_step`` returns plain dictionaries and lists (ready for JSON) — the command line
and the playground format them. Nothing here prints.

The numbers come from the same layers that train the network (``Network.forward`` and
``Network.backward``); the chain-rule factors are read off the cached values, and the tests
check that their products equal ``Network.gradients`` and finite differences.
"""

import numpy as np

from xornet.core import losses
from xornet.core.naming import flat_numbers, unit_names
from xornet.errors import XornetError
from xornet.train.config import RunConfig


def explain_step(net, X, y, loss=None, lr=None):
    """Every number of one gradient-descent step of ``net`` on the batch (X, y).

    ``loss`` and ``lr`` default to the default run's (``RunConfig()``).

    Returns a dict with ``forward`` (per sample, per layer, per unit: the terms of
    net = x·W + b, the net input and the activation), ``loss`` (value and each sample's
    own error), ``parameters`` (per weight and bias: each sample's chain-rule factors and
    their product, the combined gradient, the update), ``matrix`` (the same in matrix form)
    and ``new_weights`` / ``new_biases``. The network itself is not changed.
    """
    default = RunConfig()
    loss = default.loss if loss is None else loss
    lr = default.lr if lr is None else lr
    _check_differentiable(net)
    X, y = net.check_data(X, y)
    loss_fn = losses.get(loss)
    names = [unit_names(net.sizes, k) for k in range(len(net.sizes))]
    w_num, b_num = flat_numbers(net.layout)

    samples = [_sample_trace(net, X[s:s + 1], y[s:s + 1], loss_fn, names, w_num, b_num)
               for s in range(len(X))]
    # the batch: one forward and backward pass, exactly as training does it
    y_hat = net.forward(X)
    value, dE_dyhat = loss_fn(y_hat, y)
    net.backward(dE_dyhat)
    batch_grads = net.grads.copy()
    matrix = _matrix_form(net, dE_dyhat)

    parameters = _parameters(net, samples, batch_grads, loss_fn, lr, names, w_num, b_num)
    new_weights, new_biases = net.layout.unflatten(net.params - lr * batch_grads)
    return {
        "sizes": list(net.sizes),
        "activations": net.activations,
        "bias": net.bias,
        "unit_names": names,
        "lr": lr,
        "inputs": X.tolist(),
        "targets": y.tolist(),
        "forward": [s["forward"] for s in samples],
        "outputs": y_hat.tolist(),
        "loss": {
            "name": loss_fn.name, "formula": loss_fn.formula, "value": value,
            "combine": loss_fn.combine, "per_sample": [s["error"] for s in samples],
        },
        "dE_dyhat": dE_dyhat.tolist(),
        "parameters": parameters,
        "matrix": matrix,
        "new_weights": [w.tolist() for w in new_weights],
        "new_biases": None if new_biases is None else [b.tolist() for b in new_biases],
    }


def _check_differentiable(net):
    for layer in net.layers:
        if not layer.activation.differentiable:
            raise XornetError(
                f"layer {layer.index}: the {layer.activation.name} activation has no "
                "derivative, so there is no backpropagation step to explain; read a step "
                "network with the logic lens or check it against its truth table instead.")


def _sample_trace(net, x, t, loss_fn, names, w_num, b_num):
    """Forward terms and chain-rule factors for one sample (x (1, n_in), t (1, n_out))."""
    y_hat = net.forward(x)
    error, dE_dyhat = loss_fn(y_hat, t)  # this sample's own error and its gradient
    layers = []
    for k, layer in enumerate(net.layers):
        units = []
        for j in range(layer.n_out):
            terms = []
            if layer.b is not None:
                terms.append({"input": "1", "x": 1.0, "weight": f"w{b_num[k][j]}",
                              "matrix": f"b{k + 1}[{j}]", "w": float(layer.b[j])})
            for i in range(layer.n_in):
                terms.append({"input": names[k][i], "x": float(layer.x[0, i]),
                              "weight": f"w{w_num[k][i][j]}", "matrix": f"W{k + 1}[{i},{j}]",
                              "w": float(layer.W[i, j])})
            units.append({"name": names[k + 1][j], "terms": terms, "net": float(layer.z[0, j]),
                          "activation": layer.activation.name, "out": float(layer.a[0, j])})
        layers.append({"layer": k + 1, "units": units})
    factors = _chain_factors(net, dE_dyhat[0], names)
    return {"forward": layers, "error": error, "factors": factors,
            "inputs": [[float(v) for v in layer.x[0]] for layer in net.layers]}


def _chain_factors(net, dE_dyhat, names):
    """For each layer k and unit j: the factors of ∂E/∂net_j, as (symbol, value) lists.

    For the output layer: ∂E/∂ŷ · ∂ŷ/∂net. For a hidden unit of a one-hidden-layer,
    one-output network the single path is written out: ∂E/∂ŷ · ∂ŷ/∂net_ŷ · ∂net_ŷ/∂h ·
    ∂h/∂net_h. Otherwise the upstream gradient is one factor, ∂E/∂h = Σ δ·w.
    """
    L = len(net.layers)
    single_path = L == 2 and net.sizes[-1] == 1
    out = [None] * L
    grad_a = dE_dyhat  # ∂E/∂a for the current layer, (n_out,)
    for k in range(L - 1, -1, -1):
        layer = net.layers[k]
        fprime = layer.activation.derivative(layer.z[0], layer.a[0])
        unit = names[k + 1]
        out[k] = []
        for j in range(layer.n_out):
            if k < L - 1 and single_path:
                o = names[-1][0]
                f = [out[L - 1][0][0], out[L - 1][0][1],
                     (f"∂net_{o}/∂{unit[j]}", net.layers[1].W[j, 0]),
                     (f"∂{unit[j]}/∂net_{unit[j]}", fprime[j])]
            else:
                f = [(f"∂E/∂{unit[j]}", grad_a[j]), (f"∂{unit[j]}/∂net_{unit[j]}", fprime[j])]
            out[k].append([(s, float(v)) for s, v in f])
        grad_a = (grad_a * fprime) @ layer.W.T  # ∂E/∂a of the layer below: δ·Wᵀ
    return out


def _parameters(net, samples, batch_grads, loss_fn, lr, names, w_num, b_num):
    """One record per weight and bias, in flat-number order."""
    records = []
    grads_W, grads_b = net.layout.unflatten(batch_grads)
    n = len(samples)
    for k, layer in enumerate(net.layers):
        for j in range(layer.n_out):
            net_name = f"net_{names[k + 1][j]}"
            rows = [(b_num[k][j], f"b{k + 1}[{j}]", None, "1", float(layer.b[j]),
                     float(grads_b[k][j]))] if layer.b is not None else []
            rows += [(w_num[k][i][j], f"W{k + 1}[{i},{j}]", i, names[k][i], float(layer.W[i, j]),
                      float(grads_W[k][i, j])) for i in range(layer.n_in)]
            for number, matrix, i, source, old, grad in rows:
                per_sample = []
                for s in samples:
                    x_in = 1.0 if i is None else s["inputs"][k][i]
                    factors = [*s["factors"][k][j], (f"∂{net_name}/∂w{number}", x_in)]
                    per_sample.append({
                        "factors": [{"symbol": sym, "value": v} for sym, v in factors],
                        "product": float(np.prod([v for _, v in factors])),
                    })
                records.append({
                    "name": f"w{number}", "matrix": matrix, "layer": k + 1, "from": source,
                    "to": names[k + 1][j], "old": old, "samples": per_sample,
                    "combine": loss_fn.combine if n > 1 else "single",
                    "gradient": grad, "new": old - lr * grad,
                })
    records.sort(key=lambda r: int(r["name"][1:]))
    return records


def _matrix_form(net, dE_dyhat):
    """δ and gradients layer by layer, with shapes: δ_L = ∂E/∂ŷ ⊙ f′(net_L),
    δ_k = (δ_{k+1}·W_{k+1}ᵀ) ⊙ f′(net_k), ∂E/∂W_k = a_{k−1}ᵀ·δ_k, ∂E/∂b_k = Σ_rows δ_k."""
    steps = []
    grad_a = dE_dyhat
    for k in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[k]
        fprime = layer.activation.derivative(layer.z, layer.a)
        delta = grad_a * fprime
        steps.append({
            "layer": k + 1,
            "upstream": grad_a.tolist(), "upstream_shape": list(grad_a.shape),
            "fprime": fprime.tolist(),
            "delta": delta.tolist(), "delta_shape": list(delta.shape),
            "input": layer.x.tolist(), "input_shape": list(layer.x.shape),
            "dW": (layer.x.T @ delta).tolist(), "dW_shape": [layer.n_in, layer.n_out],
            "db": delta.sum(axis=0).tolist() if layer.b is not None else None,
        })
        grad_a = delta @ layer.W.T
    return steps[::-1]

