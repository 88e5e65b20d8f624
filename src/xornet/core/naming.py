"""How units and weights are named in explanations, so every view uses the same words.

- inputs: x1, x2, ...
- hidden units: h1, h2, ... when there is one hidden layer; h1_1, h1_2, ..., h2_1, ... (layer,
  unit) when there are several
- outputs: ŷ when there is one, else ŷ1, ŷ2, ...
- weights as matrix entries: W1[0,1] is layer 1's weight from input 0 to unit 1 (0-based,
  as in NumPy); biases b1[1]
- weights by flat number (as textbook figures do): w1, w2, ... unit by unit, layer by layer,
  each unit's bias first (when there is one), then its inputs in order. For a 2-2-1 network
  with bias: net_h1 = 1·w1 + x1·w2 + x2·w3, net_h2 = 1·w4 + x1·w5 + x2·w6,
  net_ŷ = 1·w7 + h1·w8 + h2·w9.
"""

import numpy as np


def unit_names(sizes, layer):
    """Names of the units of ``layer`` (0 = inputs, len(sizes) - 1 = outputs)."""
    n = sizes[layer]
    if layer == 0:
        return [f"x{j + 1}" for j in range(n)]
    if layer == len(sizes) - 1:
        return ["ŷ"] if n == 1 else [f"ŷ{j + 1}" for j in range(n)]
    if len(sizes) == 3:
        return [f"h{j + 1}" for j in range(n)]
    return [f"h{layer}_{j + 1}" for j in range(n)]


def flat_numbers(layout):
    """Each parameter's flat number, laid out as the parameters are.

    Returns ``(weight_number, bias_number)`` as ``layout.unflatten`` splits a parameter
    vector: ``weight_number[k][i, j]`` is the number n of the weight W{k+1}[i,j] (so it is
    called w{n}); ``bias_number[k][j]`` that of b{k+1}[j] (``bias_number`` is None without
    bias). For the 2-2-1 network above, ``weight_number[0]`` is [[2, 5], [3, 6]].
    """
    numbers = np.zeros(layout.n_params, dtype=np.int64)  # the flat vector, holding numbers
    n = 1
    for W, b in layout.views(numbers):  # write through the views, unit by unit
        n_in, n_out = W.shape
        for j in range(n_out):
            if b is not None:
                b[j] = n
                n += 1
            W[:, j] = np.arange(n, n + n_in)
            n += n_in
    return layout.unflatten(numbers)
