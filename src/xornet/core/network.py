"""The Network: a stack of Dense layers with every parameter in one flat vector."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

from xornet.core import initializers, losses
from xornet.core.activations import Activation
from xornet.core.activations import get as get_activation
from xornet.core.layers import Dense
from xornet.core.layout import ParamLayout
from xornet.errors import XornetError

if TYPE_CHECKING:
    from xornet.train.history import History

# The arrays xornet computes with: float64 matrices (samples × columns, or n_in × n_out).
FloatArray = npt.NDArray[np.float64]
# What a model file or ``from_weights`` may give for one layer's activation.
ActivationSpec = str | Mapping[str, Any] | Activation
# Called after every epoch of ``fit`` as callback(net, history); returning True stops.
Callback = Callable[["Network", "History"], bool | None]

MAX_UNITS = 4096  # per layer: far beyond what this tool is for, small enough to stay in memory
MAX_PARAMETERS = 10_000_000  # in all: 80 MB per copy of the weights (a model file holds fewer)
_NO_TARGETS = object()  # check_data's default: check X alone (None is a wrong y, not "no y")


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise XornetError(
            f"sizes: expected a list of at least two layer sizes such as [2, 3, 1]; "
            f"received {sizes!r}."
        )
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 1 <= s <= MAX_UNITS:
            raise XornetError(
                f"sizes: every layer size must be a whole number from 1 to {MAX_UNITS}; "
                f"received {list(sizes)!r}."
            )
    sizes = [int(s) for s in sizes]
    count = sum(i * o + o for i, o in pairwise(sizes))  # with biases: the larger count
    if count > MAX_PARAMETERS:
        shape = "-".join(map(str, sizes)) if len(sizes) <= 8 else f"{len(sizes)}-layer"
        raise XornetError(
            f"sizes: a {shape} network has {count:,} parameters (about "
            f"{2 * 8 * count / 2**30:.1f} GB for its weights and gradients), more than the "
            f"{MAX_PARAMETERS:,} xornet allows; use fewer or narrower layers."
        )
    return sizes


def _layer_activations(n_layers: int, activation: str | Sequence[str],
                       output_activation: str) -> list[str]:
    """One activation name per layer: the hidden ones from ``activation`` (a name, or a list
    with one name per hidden layer), the last from ``output_activation``."""
    hidden = n_layers - 1
    if isinstance(activation, str):
        names = [activation] * hidden
    else:
        names = list(activation)
        if len(names) != hidden:
            raise XornetError(
                f"activation: {len(names)} names given for {hidden} hidden layers; give one "
                "name, or one per hidden layer."
            )
    names.append(output_activation)
    return [get_activation(n).name for n in names]


class Network:
    """A feed-forward network of dense layers.

    Parameters
    ----------
    sizes : list of int
        Units per layer, inputs first: ``[2, 3, 1]`` is 2 inputs, 3 hidden units, 1 output.
    activation : str or list of str
        Activation of the hidden layers (one name, or one per hidden layer).
    output_activation : str
        Activation of the output layer.
    bias : bool
        Whether every layer has a bias vector.
    init : str
        Weight initialiser: uniform01, uniform, normal, xavier, he or zeros.
    seed : int
        Seed of the ``np.random.Generator`` the initial weights are drawn from.
    dtype : numpy dtype
        float64 by default.
    """

    sizes: list[int]
    bias: bool
    layout: ParamLayout
    params: FloatArray  # every weight and bias, (n_params,): see xornet.core.layout
    grads: FloatArray  # their gradients, the same layout
    layers: list[Dense]
    training: dict[str, Any]  # how the model was trained; filled by fit, stored by save
    init: str  # the initialiser's name; "given" for from_weights, "custom" for a function
    seed: int | None  # None for from_weights

    def __init__(self, sizes: Sequence[int], activation: str | Sequence[str] = "sigmoid",
                 output_activation: str = "sigmoid", bias: bool = True,
                 init: str | Callable[..., FloatArray] = "uniform", seed: int = 0,
                 dtype: npt.DTypeLike = np.float64) -> None:
        sizes = _check_sizes(sizes)
        names = _layer_activations(len(sizes) - 1, activation, output_activation)
        init_fn = initializers.get(init)
        rng = np.random.default_rng(_check_seed(seed))
        drawn = [init_fn(rng, n_in, n_out, dtype) for n_in, n_out in pairwise(sizes)]
        self._build(sizes, names, bool(bias), dtype)
        for layer, (W, b) in zip(self.layers, drawn, strict=True):
            layer.W[...] = W
            if layer.b is not None:
                layer.b[...] = b
        self.init = initializers.get(init).__name__ if isinstance(init, str) else "custom"
        self.seed = seed

    @classmethod
    def from_weights(cls, weights: Sequence[npt.ArrayLike],
                     biases: Sequence[npt.ArrayLike] | None = None,
                     activations: Sequence[ActivationSpec] | None = None) -> Network:
        """Build a network from given weight matrices (and bias vectors, or None for no bias).

        ``activations`` is one name per layer (default: sigmoid everywhere), or an
        Activation, or a step with its threshold as a model file writes it (``{"name":
        "step", "theta": 0.5, "strict": True}``). The arrays are copied, so the caller's
        arrays are never changed by training.
        """
        matrices = [np.array(w, dtype=np.float64, ndmin=2) for w in weights]
        if not matrices:
            raise XornetError("weights: give at least one weight matrix.")
        sizes = [matrices[0].shape[0]] + [w.shape[1] for w in matrices]
        for k, w in enumerate(matrices):
            if w.ndim != 2 or w.shape[0] != sizes[k]:
                raise XornetError(
                    f"weights: layer {k + 1} has shape {w.shape} but must have {sizes[k]} rows "
                    "to match the previous layer's outputs."
                )
        names = list(activations) if activations is not None else ["sigmoid"] * len(matrices)
        if len(names) != len(matrices):
            raise XornetError(
                f"activations: {len(names)} names given for {len(matrices)} layers; give one "
                "per layer."
            )
        net = cls.__new__(cls)
        net._build(_check_sizes(sizes), [get_activation(n) for n in names],
                   biases is not None, np.float64)
        for k, layer in enumerate(net.layers):
            layer.W[...] = matrices[k]
            if biases is not None:
                b = np.asarray(biases[k], dtype=np.float64)
                if b.shape != (layer.n_out,):
                    raise XornetError(
                        f"biases: layer {k + 1} bias has shape {b.shape} but the layer has "
                        f"{layer.n_out} units."
                    )
                layer.b[...] = b
        net.init, net.seed = "given", None
        return net

    def _build(self, sizes: list[int], names: Sequence[str | Activation], bias: bool,
               dtype: npt.DTypeLike) -> None:
        """Lay out every parameter in one flat vector (``xornet.core.layout``: layer by layer,
        W row-major, then b) and give each layer views into it; the gradient buffer has the
        same layout."""
        self.sizes = sizes
        self.bias = bias
        self.layout = ParamLayout(sizes, bias)
        self.params = np.zeros(self.layout.n_params, dtype=dtype)
        self.grads = np.zeros(self.layout.n_params, dtype=dtype)
        self.layers = [
            Dense(W, b, dW, db, name, k + 1)
            for k, ((W, b), (dW, db), name) in enumerate(zip(
                self.layout.views(self.params), self.layout.views(self.grads), names,
                strict=True))
        ]
        self.training = {}  # how the model was trained; filled by fit, stored by save

    # --- what a user reads -------------------------------------------------------------
    @property
    def weights(self) -> list[FloatArray]:
        """List of weight matrices; layer k has shape (n_in, n_out). Views: edits stick."""
        return [layer.W for layer in self.layers]

    @property
    def biases(self) -> list[FloatArray] | None:
        """List of bias vectors of shape (n_out,), or None when the network has no bias."""
        return [layer.b for layer in self.layers] if self.bias else None

    @property
    def activations(self) -> list[str]:
        """One activation name per layer."""
        return [layer.activation.name for layer in self.layers]

    @property
    def n_params(self) -> int:
        """How many weights and biases the network has."""
        return int(self.params.size)

    def __repr__(self) -> str:
        shape = "-".join(str(s) for s in self.sizes)
        acts = " → ".join(self.activations)
        bias = "bias" if self.bias else "no bias"
        return f"Network({shape}, {acts}, {bias}, {self.n_params} parameters)"

    def _repr_html_(self) -> str:
        """A compact summary for Jupyter: shape, activations, parameter count and, for small
        layers, each weight matrix (rows: the layer's inputs, then b; columns: its units)."""
        from html import escape

        from xornet.core.naming import unit_names

        td = 'style="padding:1px 8px;text-align:right;font-family:monospace"'
        parts = [f"<div><b>{escape(repr(self))}</b>"]
        for k, layer in enumerate(self.layers, start=1):
            head = escape(f"layer {k}: W{k} ({layer.n_in}×{layer.n_out}), "
                          f"{layer.activation.name}")
            if (layer.n_in + 1) * layer.n_out > 64:  # a table this big is no longer a summary
                parts.append(f"<div>{head}: too large to show</div>")
                continue
            rows = list(zip(unit_names(self.sizes, k - 1), layer.W, strict=True))
            if layer.b is not None:
                rows.append((f"b{k}", layer.b))
            header = "".join(f"<th {td}>{escape(n)}</th>" for n in unit_names(self.sizes, k))
            body = "".join(f"<tr><th {td}>{escape(name)}</th>"
                           + "".join(f"<td {td}>{v:.4g}</td>" for v in values) + "</tr>"
                           for name, values in rows)
            parts.append(f'<table style="margin:4px 0"><caption style="text-align:left">'
                         f"{head}</caption><tr><th></th>{header}</tr>{body}</table>")
        return "".join(parts) + "</div>"

    # --- computing ---------------------------------------------------------------------
    def forward(self, X: FloatArray) -> FloatArray:
        """Forward pass on a checked (n, n_in) array; every layer caches its x, z and a."""
        a = X
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def backward(self, grad_out: FloatArray) -> None:
        """Backward pass from ∂E/∂ŷ; fills ``self.grads`` (every gradient before any update)."""
        g = grad_out
        for k in range(len(self.layers) - 1, -1, -1):
            g = self.layers[k].backward(g, need_input_grad=k > 0)

    def predict(self, X: npt.ArrayLike) -> FloatArray:
        """Outputs for inputs ``X`` (n_samples, n_in) → (n_samples, n_out).

        Outputs that overflow float64 come back as inf or nan, without warnings; the edges
        that show outputs as results pass them through :func:`require_finite`.
        """
        X = self.check_data(X)[0]
        with np.errstate(over="ignore", invalid="ignore"):
            return self.forward(X).copy()

    def gradients(self, X: npt.ArrayLike, y: npt.ArrayLike, loss: str = "mse"
                  ) -> tuple[list[FloatArray], list[FloatArray] | None]:
        """Gradients of the loss at the current weights.

        Returns
        -------
        dW : list of arrays, same shapes as ``weights``
        db : list of arrays, same shapes as ``biases``, or None without bias
        """
        X, y = self.check_data(X, y)
        _, grad_out = losses.get(loss)(self.forward(X), y)
        self.backward(grad_out)
        dW = [layer.dW.copy() for layer in self.layers]
        db = [layer.db.copy() for layer in self.layers] if self.bias else None
        return dW, db

    def loss(self, X: npt.ArrayLike, y: npt.ArrayLike, loss: str = "mse") -> float:
        """The value of ``loss`` on (X, y) at the current weights."""
        X, y = self.check_data(X, y)
        return float(losses.get(loss).value(self.forward(X), y))

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, epochs: int = 5000,
            lr: float | Sequence[float] = 0.5,
            loss: str = "mse", batch_size: int | None = None, optimizer: str = "sgd",
            seed: int = 0, momentum: float = 0.0, shuffle: bool = False,
            tolerance: float = 0.1, stop_when_solved: bool = False,
            target_loss: float | None = None, update_order: str = "textbook",
            l2: float = 0.0, l1: float = 0.0, lr_schedule: str = "constant",
            callbacks: Sequence[Callback] = (),
            test_data: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
            patience: int | None = None) -> History:
        """Train by backpropagation; each keyword is the ``xornet.train.config.RunConfig``
        field of that name (the defaults here are fit's own: plain gradient descent on the
        MSE, no early stop).

        ``lr`` is one number, or one per weight layer (``lr=[0.5, 2.0]`` for a 2-2-1: 0.5 for
        W1 and b1, 2.0 for W2 and b2). ``l2`` and ``l1`` add (l2/2)·Σw² + l1·Σ|w| over the
        weights (not the biases) to the loss, and ``History.loss`` records that total.
        ``lr_schedule`` is "constant", "step:N:F", "exp:G" or "cosine[:M]"
        (``xornet.train.schedules``).

        ``test_data=(X_test, y_test)`` (Keras's ``validation_data``; see
        ``xornet.io.datasets.train_test_split``) is never trained on: the History records
        its loss (``test_loss``) and accuracy after every epoch. ``patience=P`` stops once
        the test loss has not fallen below its lowest value for P epochs and puts back the
        weights of that lowest epoch (Keras's ``restore_best_weights=True``);
        ``history.stop_reason`` is then "early stopping" and ``history.best_epoch`` names it.

        Returns a ``History``. Raises ``DivergenceError`` if the loss or a weight stops
        being finite (the epoch is named in the message).
        """
        from xornet.train.trainer import check_test_data, fit_config, train

        config = fit_config(
            epochs=epochs, lr=lr, loss=loss, batch_size=batch_size, optimizer=optimizer,
            momentum=momentum, shuffle=shuffle, seed=seed, tolerance=tolerance,
            stop_when_solved=stop_when_solved, target_loss=target_loss,
            update_order=update_order, l2=l2, l1=l1, lr_schedule=lr_schedule,
            patience=patience,
            hidden=tuple(self.sizes[1:-1]),  # so a per-layer lr is checked against this net
        )
        X, y = self.check_data(X, y)
        return train(self, X, y, config, callbacks,
                     test_data=check_test_data(self, config, test_data))

    # --- files -------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as a JSON file (atomically: an interrupted save keeps the old file)."""
        from xornet.io import modelfile

        if not np.all(np.isfinite(self.params)):
            raise XornetError(
                f"{path}: the network has non-finite weights (training diverged), so it was not "
                "saved; train again with a smaller learning rate."
            )
        doc = modelfile.to_document(self.sizes, [layer.activation for layer in self.layers],
                                    self.weights, self.biases,
                                    training=self.training)
        modelfile.write(path, doc)

    # --- input checks ------------------------------------------------------------------
    @overload
    def check_data(self, X: npt.ArrayLike) -> tuple[FloatArray, None]: ...
    @overload
    def check_data(self, X: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]: ...

    def check_data(self, X: npt.ArrayLike, y: object = _NO_TARGETS
                   ) -> tuple[FloatArray, FloatArray | None]:
        """Check data for this network; return ``(X, y)`` as float64 matrices.

        Parameters
        ----------
        X : array-like
            Inputs (n, n_in); a 1-D X is one sample.
        y : array-like, optional
            Targets (n, n_out); a 1-D y is one target per sample. Leave it out to check X
            alone (for predictions); y is then returned as None.

        Raises
        ------
        XornetError
            When either is not a non-empty 2-D array of finite numbers of the right shape.
        """
        X = _as_float_matrix(X, "X")
        if X.shape[1] != self.sizes[0]:
            raise XornetError(
                f"X: the data has {X.shape[1]} feature columns but the network expects "
                f"{self.sizes[0]} inputs; give data with {self.sizes[0]} columns."
            )
        if y is _NO_TARGETS:
            return X, None
        y = _as_float_matrix(y, "y")
        n = len(X)
        if y.shape != (n, self.sizes[-1]):
            raise XornetError(
                f"y: targets have shape {y.shape} but the network needs ({n}, {self.sizes[-1]}):"
                " one row per sample, one column per output."
            )
        return X, y


def require_finite(values: FloatArray, source: str) -> FloatArray:
    """``values`` unchanged when every one is finite; else one XornetError saying they
    overflowed, so an inf or a nan is never shown as if it were a result."""
    if not np.all(np.isfinite(values)):
        raise XornetError(f"{source}: the numbers overflow float64 (they reach inf or nan), so "
                          "there is no result to show; the weights or the inputs are too large "
                          "for this network — use smaller inputs, or retrain the model.")
    return values


def _as_float_matrix(a: object, name: str) -> FloatArray:
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise XornetError(f"{name}: expected an array of numbers.") from None
    if a.ndim == 1:
        a = a.reshape(-1, 1) if name == "y" else a.reshape(1, -1)
    if a.ndim != 2 or a.shape[0] == 0:
        raise XornetError(f"{name}: expected a non-empty 2-D array (samples × columns).")
    if not np.all(np.isfinite(a)):
        raise XornetError(f"{name}: the data contains NaN or infinite values; remove them.")
    return a


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise XornetError(f"seed: expected a whole number ≥ 0; received {seed!r}.")
    return int(seed)
