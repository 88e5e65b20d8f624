"""One page's state: its data, its network, its training run, and the messages about them.

A ``Session`` is driven by plain dictionaries (the page's WebSocket messages, or one HTTP
request) and answers with plain dictionaries ready for JSON. Nothing here knows about the
web framework, so the tests can drive a session directly. Every mistake a person can make
raises ``XornetError`` with one sentence; the server turns it into an error message.

With a test share the data's rows are split once per configuration (``spec.split_data``):
``X``, ``y`` are the training rows, the only ones trained on, explained, read by the lens and
given to the success panel; ``test`` holds the held-out rows, which are only evaluated.
"""

import os
import tempfile
import time

import numpy as np

from xornet import load
from xornet.core.naming import unit_names
from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.explain.trace import explain_step
from xornet.io import builtin, csvdata, datasets, modelfile
from xornet.playground import frames, insights, spec
from xornet.playground.stepper import Stepper
from xornet.train.trainer import training_record

MAX_ROWS_LISTED = 64  # predictions are sent per row up to this many rows (truth tables)
FRAME_BUDGET = 0.05  # seconds of training per view update before the view is drawn anyway


class Session:
    """The playground's state for one page."""

    def __init__(self):
        self.upload = None  # (X, y, name) of the uploaded CSV
        self.loaded = None  # the loaded model's ModelSpec, kept while only training changes
        self.sent = 0  # loss points already sent to the page
        self.frames = 0
        self.configure({})

    # --- set-up ------------------------------------------------------------------------
    def configure(self, raw):
        """Apply (part of) a configuration: new data and network, training from epoch 0."""
        new = spec.parse(raw, base=getattr(self, "spec", spec.DEFAULT))
        X, y, name = spec.load_data(new.data, self.upload)
        X, y, test = spec.split_data(new.data, X, y)
        # Only network fields rebuild the network: a new learning rate keeps a loaded model
        # or hand-edited starting weights.
        same_net = (getattr(self, "net", None) is not None
                    and _network_fields(new) == _network_fields(self.spec)
                    and (X.shape[1], y.shape[1]) == (self.net.sizes[0], self.net.sizes[-1]))
        net = self.net if same_net else new.run.build(X.shape[1], y.shape[1])
        if not same_net:
            self.loaded = None
            self.edited = False  # the starting weights are the seed's own draw
            self.start = net.params.copy()
        self._install(new, X, y, name, net, test)
        return self.messages()

    def _install(self, new, X, y, name, net, test=None):
        if net.sizes[-1] != y.shape[1]:
            raise XornetError(f"model: the network has {net.sizes[-1]} outputs but the data "
                              f"has {y.shape[1]} target column; use a one-output model.")
        self.spec, self.X, self.y, self.data_name, self.net = new, X, y, name, net
        self.test = test
        X_all, y_all = self.all_rows()
        self.viewer = frames.Viewer(X_all, y_all)  # the plane shows the held-out points too
        self.reset()

    def all_rows(self):
        """Every row, the training rows first and then the held-out ones (as the page lists
        them: row i < n_train is training row i)."""
        if self.test is None:
            return self.X, self.y
        return np.vstack([self.X, self.test[0]]), np.vstack([self.y, self.test[1]])

    def reset(self):
        """Back to the starting weights (seeded, loaded or hand-edited at epoch 0).

        The starting weights are drawn once per network (``configure`` draws them only when
        the architecture, initialiser or seed changes), so every reset replays the same run
        bit for bit: the same weights, the same shuffles (a new ``Stepper`` seeds its
        generator again), the same trajectory."""
        self.net.params[...] = self.start
        self.stepper = Stepper(self.net, self.X, self.y, self.spec.run, self.test)
        self.sent = 0

    def upload_csv(self, name, text):
        """Read an uploaded CSV exactly as ``xornet train --csv NAME`` reads the file."""
        name = _safe_name(name, "data.csv")
        raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        with tempfile.TemporaryDirectory(prefix="xornet-upload-") as folder:
            path = os.path.join(folder, name)
            with open(path, "wb") as f:
                f.write(raw)
            try:
                X, y, features, target = csvdata.load_csv(path)
            except XornetError as e:  # the CLI's sentence, naming the file as the user knows it
                raise XornetError(str(e).replace(path, name)) from None
        spec.check_upload(X, name)
        previous = self.upload
        self.upload = (X, y, f"{name} ({', '.join(features)} → {target})")
        try:
            return self.configure({"dataset": spec.CSV})
        except XornetError:
            self.upload = previous
            raise

    def load_model(self, name, text):
        """Load the text of a model file (the page's upload), checked as ``xornet.load`` does."""
        name = _safe_name(name, "model.json")
        model = modelfile.parse(text, source=name)
        net = Network.from_weights(model.weights, model.biases, model.activations)
        net.training = dict(model.training)
        return self._use_model(name, net)

    def load_builtin(self, ref):
        """Load a hand-built network that ships with xornet, e.g. ``builtin:xor-step``."""
        if not builtin.is_builtin(ref):
            raise XornetError(f"name: {ref!r} is not a built-in network; choose one of "
                              f"{', '.join(builtin.PREFIX + n for n in builtin.NAMES)}.")
        return self._use_model(ref, load(ref))

    def _use_model(self, name, net):
        csvdata.check_features(self.X, net.sizes[0], f"the data ({self.data_name})")
        new = spec.with_network(self.spec, net.sizes, net.activations, net.bias)
        self.loaded, self.start, self.edited = name, net.params.copy(), False
        self._install(new, self.X, self.y, self.data_name, net, self.test)
        return self.messages()

    # --- training ----------------------------------------------------------------------
    def step(self):
        """One update (one batch); returns the frame."""
        self.stepper.step()
        return self.frame()

    def epoch(self):
        self.stepper.epoch()
        return self.frame()

    def run_epochs(self, n, budget=FRAME_BUDGET):
        """Up to ``n`` epochs, stopping early after ``budget`` seconds or on divergence."""
        deadline = time.perf_counter() + budget
        for _ in range(n):
            self.stepper.epoch()
            if self.stepper.diverged or time.perf_counter() > deadline:
                break
        return self.frame()

    def train_for(self, epochs, seconds):
        """Up to ``epochs`` epochs (fewer when the trainer's stop rule holds, or after ``seconds``);
        returns the frame and why it stopped."""
        s, deadline = self.stepper, time.perf_counter() + seconds
        reason = "epochs"
        while s.epochs < epochs and not s.diverged:
            if s.finished():  # the trainer's rule: solved (and crisp, by default)
                reason = s.finished()
                break
            if time.perf_counter() > deadline:
                reason = f"time limit ({seconds:g} s)"
                break
            s.epoch()
        return self.frame(), "diverged" if s.diverged else reason

    def set_weight(self, layer, row, col, value):
        """Set W{layer}[row, col] (or b{layer}[col] when ``row`` is None) by hand."""
        k = _index("layer", layer, 1, len(self.net.layers)) - 1
        target = self.net.layers[k]
        col = _index("col", col, 0, target.n_out - 1)
        value = _weight(value)
        if row is None:
            if target.b is None:
                raise XornetError("row: this network has no biases; give the row of a weight.")
            target.b[col] = value
        else:
            target.W[_index("row", row, 0, target.n_in - 1), col] = value
        if self.stepper.updates == 0:  # editing before training edits the starting point
            self.start = self.net.params.copy()
            self.edited = True
        self.stepper.diverged = None
        self.stepper.measure()
        return self.frame()

    # --- what the page is sent ---------------------------------------------------------
    def messages(self):
        return [self.config_message(), self.data_message(), self.frame(), self.insights()]

    def config_message(self):
        return {"type": "config", "config": self.spec.as_dict(), "loaded": self.loaded}

    def data_message(self):
        X, y = self.all_rows()
        boolean = datasets.is_boolean(y)
        return {"type": "data", "name": self.data_name, "n": len(X), "n_in": X.shape[1],
                "n_train": len(self.X), "n_test": len(X) - len(self.X),
                "split": self.split_note(),
                "X": X.tolist(), "y": y[:, 0].tolist(), "boolean": boolean,
                "view": self.viewer.describe(), "sizes": self.net.sizes,
                "unit_names": [unit_names(self.net.sizes, k) for k in range(len(self.net.sizes))],
                "activations": self.net.activations}

    def split_note(self):
        """The test-share control's line: what is held out, or why nothing may be."""
        name = self.spec.data.dataset
        if name != spec.CSV and datasets.split_refusal(name):  # the short form of its reason
            return {"allowed": False, "text": f"No test share for {name}: a truth table holds "
                    "each input once, so no row is a fresh example to hold out."}
        if self.test is None:
            return {"allowed": True, "text": "Test share 0: every point is trained on."}
        n_test, n = len(self.test[0]), len(self.X) + len(self.test[0])
        return {"allowed": True, "text": f"{n_test} of {n} points held out (hollow markers), "
                f"drawn with data seed {self.spec.data.data_seed}: never trained on, only "
                "measured."}

    def frame(self):
        """Everything the live views show, at the current weights."""
        s, h = self.stepper, self.stepper.history
        losses = h.loss[self.sent:]
        test_losses = h.test_loss[self.sent:] if len(h.test_loss) == len(h.loss) else []
        first = self.sent
        self.sent = len(h.loss)
        view = self.viewer.view(self.net)
        self.frames += 1
        finite = bool(np.isfinite(self.net.params).all())  # always, unless a bug let NaN in
        return {
            "type": "frame", "epoch": s.epochs, "updates": s.updates, "loss": _finite(s.loss),
            "losses_from": first, "losses": _finite(_thin(losses, first)),
            "test_losses": _finite(_thin(test_losses, first)),
            "test_loss": _finite(s.test_loss), "accuracy": s.accuracy,
            "test_accuracy": s.test_accuracy,
            "solved": s.solved, "solved_epoch": h.solved_epoch,
            "max_error": _finite(s.max_error), "diverged": s.diverged,
            "weights": [W.tolist() for W in self.net.weights] if finite else None,
            "biases": (None if not (self.net.bias and finite)
                       else [b.tolist() for b in self.net.biases]),
            "predictions": (_finite(self.stepper.y_hat[:, 0].tolist())
                            if len(self.X) <= MAX_ROWS_LISTED else None),
            "view": view, "view_ms": self.viewer.last_ms,
        }

    def insights(self, doctor=True):
        self.stepper.measure()  # the view's pass left the grid in the caches; lens re-forwards
        panel = {"type": "insights", "lens": insights.lens_panel(self.net, self.X, self.y)}
        if doctor:
            panel["doctor"] = insights.doctor_panel(self.stepper, self.spec.run, self.data_name)
        return _finite(panel)

    def explain(self, index):
        """Every number of one gradient-descent step on data row ``index``."""
        i = _index("index", index, 0, len(self.X) - 1)
        for layer in self.net.layers:
            if not layer.activation.differentiable:
                raise XornetError(f"explain: layer {layer.index} uses the {layer.activation.name}"
                                  " activation, which has no derivative, so there is no chain "
                                  "rule to show; choose sigmoid, tanh or relu.")
        if self.net.n_params > spec.MAX_EXPLAIN_PARAMETERS:
            raise XornetError(f"explain: the network has {self.net.n_params} parameters; the "
                              f"panel writes out at most {spec.MAX_EXPLAIN_PARAMETERS}, so use "
                              "fewer hidden units.")
        run = self.spec.run
        step = explain_step(self.net, self.X[i:i + 1], self.y[i:i + 1], loss=run.loss, lr=run.lr)
        step.update({"type": "explain", "index": i, "optimizer": run.optimizer,
                     "momentum": run.momentum})
        return _finite(step)

    def model_document(self):
        """The network as a xornet model file (the same JSON ``Network.save`` writes)."""
        if not np.isfinite(self.net.params).all():
            raise XornetError("model: the weights are not finite (training diverged); reset "
                              "before saving.")
        s = self.stepper
        training = {**self.net.training, "dataset": self.data_name,
                    "playground": self.spec.as_dict(),
                    **training_record(self.spec.run, s.epochs, s.loss, s.solved)}
        doc = modelfile.to_document(self.net.sizes, self.net.activations, self.net.weights,
                                    self.net.biases, training=training)
        return {"type": "model", "filename": "xornet-model.json", "document": doc}


def _network_fields(s):
    d = s.as_dict()
    return [d[k] for k in ("hidden", "activations", "output_activation", "bias", "init", "seed")]


def _safe_name(name, default):
    """The file name the page sent, as a plain base name (or ``default`` when it gave none);
    refused when it holds characters no file name may (NUL, control characters, a lone
    surrogate)."""
    if name is not None and not isinstance(name, str):
        raise XornetError(f"name: expected the file's name as text; received "
                          f"{type(name).__name__}.")
    base = os.path.basename(name or "").strip()
    if any(c == "\0" or c < " " or "\ud800" <= c <= "\udfff" for c in base):
        raise XornetError("name: the file name holds a character no file name may (NUL, a "
                          "control character or a lone surrogate); rename the file.")
    return base if base and base not in (".", "..") and len(base) <= 120 else default


def _index(field, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise XornetError(f"{field}: received {value!r}; give a whole number from {low} to "
                          f"{high}.")
    return value


def _weight(value):
    number = spec.finite_number(value)
    if number is None or abs(number) > spec.MAX_WEIGHT:
        raise XornetError(f"value: received {str(value)[:40]}; give a finite number from "
                          f"-{spec.MAX_WEIGHT:g} to {spec.MAX_WEIGHT:g}.")
    return float(value)


def _thin(values, first, keep=200):
    """At most ``keep`` [epoch, loss] pairs of a stretch of the curve, always the last."""
    if len(values) <= keep:
        return [[first + i, v] for i, v in enumerate(values)]
    idx = np.unique(np.linspace(0, len(values) - 1, keep).astype(int))
    return [[first + int(i), values[i]] for i in idx]


def _finite(obj):
    """Non-finite floats become None, so the JSON is valid and a NaN is never shown."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj
