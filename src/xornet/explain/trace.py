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
from xornet.core.network import require_finite
from xornet.core.penalties import Penalty
from xornet.errors import XornetError
from xornet.train import schedules
from xornet.train.config import UPDATE_ORDERS, RunConfig
from xornet.train.config import layer_lrs as _layer_lrs

# Said wherever a run or a step uses update_order "script" (the explain command, the doctor).
SCRIPT_ORDER_NOTE = (
    "The script order is a classic bug of teaching code: the output weights move before the "
    "hidden deltas are computed from them, so the hidden layer does not step along the "
    "gradient of the error (its delta uses W′ = W − α·∂E/∂W, not W); textbook "
    "backpropagation computes every gradient first. With a small α the two orders stay "
    "close but not equal: about 0.01 apart in the weights after classic-linear-out's 20000 "
    "epochs.")


# Rows × parameters of one trace: each is one written-out chain-rule product (about 40 µs and
# 1 kB), so this bounds a trace to a few seconds and about 100 MB.
MAX_ENTRIES = 100_000


def explain_step(net, X, y, loss=None, lr=None, update_order=None, l2=0.0, l1=0.0,
                 lr_schedule="constant", epoch=0, epochs=None):
    """Every number of one gradient-descent step of ``net`` on the batch (X, y).

    ``loss``, ``lr`` and ``update_order`` default to the default run's (``RunConfig()``).
    ``lr`` is one number or one per weight layer. ``l2`` and ``l1`` add the weight penalty
    (``xornet.core.penalties``): each weight's gradient is then ∂E_data/∂w + λ2·w + λ1·sign(w).
    With a ``lr_schedule`` the step is the one after ``epoch`` epochs of a run of ``epochs``
    (default: the default run's), so it uses lr · schedule(epoch); ``layer_lrs`` holds the
    learning rate each layer steps with.

    Returns a dict with ``forward`` (per sample, per layer, per unit: the terms of
    net = x·W + b, the net input and the activation), ``loss`` (value and each sample's
    own error), ``parameters`` (per weight and bias: each sample's chain-rule factors and
    their product, the combined gradient, the update), ``sums`` (per sample, for each hidden
    unit: ∂E/∂h as the sum over the units it feeds, term by term), ``matrix`` (the same in
    matrix form) and ``new_weights`` / ``new_biases``. With ``update_order="script"``,
    ``script`` holds the step in the classic scripts' order (each layer moved before the
    delta goes down through it) and ``new_weights`` / ``new_biases`` are that order's. The
    network itself is not changed.
    """
    default = RunConfig()
    loss = default.loss if loss is None else loss
    lr = default.lr if lr is None else lr
    update_order = default.update_order if update_order is None else update_order
    if update_order not in UPDATE_ORDERS:
        raise XornetError(f"update_order: unknown order {update_order!r}; choose one of "
                          f"{', '.join(UPDATE_ORDERS)}.")
    _check_differentiable(net)
    config = RunConfig(hidden=tuple(net.sizes[1:-1]), lr=lr, l2=l2, l1=l1,
                       lr_schedule=lr_schedule,
                       epochs=default.epochs if epochs is None else epochs)
    config.check()  # the lr(s), the penalties and the schedule, as training checks them
    _whole_epoch(epoch)
    factor = schedules.parse(lr_schedule, config.epochs)(epoch)
    layer_lrs = [v * factor for v in _layer_lrs(config, len(net.layers))]
    lr_vec = net.layout.per_layer(layer_lrs)  # the lr of every parameter, flat
    penalty = Penalty(net.layout, l2, l1)
    X, y = net.check_data(X, y)
    if len(X) * net.n_params > MAX_ENTRIES:
        raise XornetError(
            f"explain: the chain rule of {len(X):,} rows × {net.n_params:,} parameters is "
            f"{len(X) * net.n_params:,} products to write out, more than the {MAX_ENTRIES:,} a "
            "trace holds (a few seconds' work); explain fewer rows or a smaller network.")
    loss_fn = losses.get(loss)
    names = [unit_names(net.sizes, k) for k in range(len(net.sizes))]
    w_num, b_num = flat_numbers(net.layout)
    _check_finite_step(net, X, y, loss_fn, lr_vec, penalty)

    samples = [_sample_trace(net, X[s:s + 1], y[s:s + 1], loss_fn, names, w_num, b_num)
               for s in range(len(X))]
    # the batch: one forward and backward pass, exactly as training does it
    y_hat = net.forward(X)
    value, dE_dyhat = loss_fn(y_hat, y)
    net.backward(dE_dyhat)
    data_grads = net.grads.copy()
    penalty_grads = penalty.gradient(net.params)
    matrix = _matrix_form(net, dE_dyhat, penalty)

    parameters = _parameters(net, samples, data_grads, penalty_grads, loss_fn, layer_lrs,
                             names, w_num, b_num)
    new_weights, new_biases = net.layout.unflatten(
        net.params - lr_vec * (data_grads + penalty_grads))
    script = None
    if update_order == "script":
        script = _script_order(net, dE_dyhat, layer_lrs, matrix, penalty)
        new_weights = [np.array(m["new_W"]) for m in script]
        new_biases = None if new_biases is None else [np.array(m["new_b"]) for m in script]
        by_number = {int(n): v for k, W in enumerate(new_weights)
                     for n, v in zip(w_num[k].ravel(), W.ravel(), strict=True)}
        for k, b in enumerate(new_biases or []):
            by_number.update(zip(b_num[k].tolist(), b.tolist(), strict=True))
        for p in parameters:  # each parameter's value after the step in the script order
            p["script_new"] = float(by_number[int(p["name"][1:])])
    return {
        "sizes": list(net.sizes),
        "activations": net.activations,
        "bias": net.bias,
        "unit_names": names,
        "lr": list(lr) if isinstance(lr, (tuple, list)) else lr,
        "lr_schedule": lr_schedule, "epoch": epoch, "lr_factor": factor,
        "layer_lrs": layer_lrs,  # what each layer steps with: lr (its own) × the factor
        "l2": float(l2), "l1": float(l1),
        "inputs": X.tolist(),
        "targets": y.tolist(),
        "forward": [s["forward"] for s in samples],
        "outputs": y_hat.tolist(),
        "loss": {
            "name": loss_fn.name, "formula": loss_fn.formula, "value": value,
            "combine": loss_fn.combine, "per_sample": [s["error"] for s in samples],
            # the weight penalty (l2/2)·Σw² + l1·Σ|w| and the total training minimises
            "penalty": penalty.value(net.params),
            "total": value + penalty.value(net.params),
        },
        "dE_dyhat": dE_dyhat.tolist(),
        "parameters": parameters,
        "sums": [s["sums"] for s in samples],
        "matrix": matrix,
        "update_order": update_order,
        "script": script,
        "script_note": SCRIPT_ORDER_NOTE if script is not None else None,
        "new_weights": [w.tolist() for w in new_weights],
        "new_biases": None if new_biases is None else [b.tolist() for b in new_biases],
    }


def _check_finite_step(net, X, y, loss_fn, lr_vec, penalty):
    """Refuse a step whose numbers overflow (inf or nan): they would print as results."""
    with np.errstate(over="ignore", invalid="ignore"):
        y_hat = net.forward(X)
        value, grad = loss_fn(y_hat, y)
        net.backward(grad)
        grads = net.grads + penalty.gradient(net.params)
        numbers = np.concatenate([y_hat.ravel(), [value + penalty.value(net.params)], grads,
                                  net.params - lr_vec * grads])
    require_finite(numbers, "explain")


def _whole_epoch(epoch):
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise XornetError(f"epoch: expected a whole number ≥ 0 (the epochs done before the "
                          f"step); received {epoch!r}.")


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
    factors, sums = _chain_factors(net, dE_dyhat[0], names, w_num)
    return {"forward": layers, "error": error, "factors": factors, "sums": sums,
            "inputs": [[float(v) for v in layer.x[0]] for layer in net.layers]}


def _chain_factors(net, dE_dyhat, names, w_num):
    """For each layer k and unit j: the factors of ∂E/∂net_j, as (symbol, value) lists;
    and for each hidden unit, ∂E/∂h written as the sum over the units it feeds.

    For the output layer: ∂E/∂ŷ · ∂ŷ/∂net. For a hidden unit of a one-hidden-layer,
    one-output network the single path is written out: ∂E/∂ŷ · ∂ŷ/∂net_ŷ · ∂net_ŷ/∂h ·
    ∂h/∂net_h. Otherwise the upstream gradient is one factor, ∂E/∂h, and ``sums`` spells
    it out: ∂E/∂h = Σ over the units u that h feeds of δ_u·w(h → u), δ_u = ∂E/∂net_u.
    """
    L = len(net.layers)
    single_path = L == 2 and net.sizes[-1] == 1
    out, sums = [None] * L, []
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
        delta = grad_a * fprime  # δ of this layer's units, (n_out,)
        grad_a = delta @ layer.W.T  # ∂E/∂a of the layer below: δ·Wᵀ
        if k:
            sums[:0] = [_sum_over_fed(layer, delta, grad_a, names, w_num, k)]
    return out, sums


def _sum_over_fed(layer, delta, grad_a, names, w_num, k):
    """∂E/∂h for each unit h feeding ``layer`` (layer k + 1), term by term: δ_u·w(h → u)."""
    units = []
    for i, h in enumerate(names[k]):
        terms = [{"delta": f"δ_{u}", "delta_value": float(delta[j]),
                  "weight": f"w{w_num[k][i][j]}", "matrix": f"W{k + 1}[{i},{j}]",
                  "w": float(layer.W[i, j]), "product": float(delta[j] * layer.W[i, j])}
                 for j, u in enumerate(names[k + 1])]
        units.append({"unit": h, "terms": terms, "value": float(grad_a[i])})
    return {"layer": k, "units": units}


def _parameters(net, samples, data_grads, penalty_grads, loss_fn, layer_lrs, names, w_num,
                b_num):
    """One record per weight and bias, in flat-number order: the chain rule per sample, the
    data gradient ∂E_data/∂w, the penalty's term (λ2·w + λ1·sign(w); 0 for a bias), their
    sum ``gradient`` and the update with the layer's learning rate."""
    records = []
    grads_W, grads_b = net.layout.unflatten(data_grads)
    pen_W, _ = net.layout.unflatten(penalty_grads)
    n = len(samples)
    for k, layer in enumerate(net.layers):
        for j in range(layer.n_out):
            net_name = f"net_{names[k + 1][j]}"
            lr = layer_lrs[k]
            rows = [(b_num[k][j], f"b{k + 1}[{j}]", None, "1", float(layer.b[j]),
                     float(grads_b[k][j]), 0.0)] if layer.b is not None else []
            rows += [(w_num[k][i][j], f"W{k + 1}[{i},{j}]", i, names[k][i], float(layer.W[i, j]),
                      float(grads_W[k][i, j]), float(pen_W[k][i, j]))
                     for i in range(layer.n_in)]
            for number, matrix, i, source, old, data_grad, penalty in rows:
                grad = data_grad + penalty
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
                    "data_gradient": data_grad, "penalty": penalty, "is_weight": i is not None,
                    "gradient": grad, "lr": lr, "new": old - lr * grad,
                })
    records.sort(key=lambda r: int(r["name"][1:]))
    return records


def _script_order(net, dE_dyhat, layer_lrs, textbook, penalty):
    """The step in the classic scripts' order (``RunConfig.update_order="script"``): from the
    output layer down, each layer's W moves at once (W′ = W − α·∂E/∂W) and the delta goes down
    through W′; per layer the upstream ∂E/∂a, δ, ∂E/∂W and the new W and b, with the
    difference of δ from the textbook one (``textbook``: the matrix form)."""
    steps = []
    grad_a = dE_dyhat
    for k in range(len(net.layers) - 1, -1, -1):
        layer, plain = net.layers[k], textbook[k]
        delta = grad_a * layer.activation.derivative(layer.z, layer.a)
        lr = layer_lrs[k]
        dW = layer.x.T @ delta + penalty.l2 * layer.W + penalty.l1 * np.sign(layer.W)
        new_W = layer.W - lr * dW
        new_b = None if layer.b is None else layer.b - lr * delta.sum(axis=0)
        steps.append({
            "layer": k + 1, "upstream": grad_a.tolist(), "delta": delta.tolist(),
            "delta_change": (delta - np.array(plain["delta"])).tolist(),
            "dW": dW.tolist(), "new_W": new_W.tolist(),
            "new_b": None if new_b is None else new_b.tolist(),
        })
        grad_a = delta @ new_W.T  # through the weights that already moved
    return steps[::-1]


def _matrix_form(net, dE_dyhat, penalty):
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
            # with a penalty: ∂E_total/∂W_k = a_{k−1}ᵀ·δ_k + λ2·W_k + λ1·sign(W_k)
            "dW_total": (layer.x.T @ delta + penalty.l2 * layer.W
                         + penalty.l1 * np.sign(layer.W)).tolist(),
        })
        grad_a = delta @ layer.W.T
    return steps[::-1]

