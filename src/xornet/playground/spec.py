"""What the page may ask for: the playground's configuration, checked field by field.

The page (and ``POST /api/train``) sends a configuration as a flat JSON object, the same keys
the page writes into its URL so that a lesson link reproduces the set-up. ``parse`` turns it
into a ``RunConfig`` plus the data choice, or raises one ``XornetError`` sentence naming the
field and the fix. Limits are refused, never clamped: a request for 7 hidden layers is an
error, not a quiet 6.
"""

import math
import numbers
from dataclasses import dataclass, replace

from xornet.core import activations, initializers, losses
from xornet.errors import XornetError
from xornet.io import datasets
from xornet.train.config import RunConfig

# --- limits (each one keeps one request small enough for a 2-core laptop) -------------------
MAX_BODY = 64 * 1024  # bytes of one HTTP body or WebSocket message
MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 64  # per hidden layer
MAX_POINTS = 10_000  # data rows, generated or uploaded
MAX_INPUTS = 64  # feature columns of an uploaded CSV
MAX_EPOCHS_PER_REQUEST = 10_000  # POST /api/train; the page streams epochs instead
MAX_SPEED = 1_000  # epochs per view update while playing
MAX_EXPLAIN_PARAMETERS = 1_000  # the explain panel writes out every weight's chain rule
MAX_WEIGHT = 1e6  # a hand-edited weight; larger values only saturate every unit

OPTIMIZERS = ("sgd", "adam")  # the perceptron rule is for the command line (xornet train)
CSV = "csv"  # the dataset name of the session's uploaded CSV file

LIMITS = {
    "body_bytes": MAX_BODY, "hidden_layers": MAX_HIDDEN_LAYERS, "units": MAX_UNITS,
    "points": MAX_POINTS, "inputs": MAX_INPUTS, "epochs_per_request": MAX_EPOCHS_PER_REQUEST,
    "speed": MAX_SPEED, "explain_parameters": MAX_EXPLAIN_PARAMETERS, "weight": MAX_WEIGHT,
}


@dataclass(frozen=True)
class DataChoice:
    """Which data to train on: a named dataset with its options, or the uploaded CSV."""

    dataset: str = "xor"
    n_bits: int = 3  # parity
    samples: int = 200  # sine and the 2-D clouds
    noise: float | None = None  # None: the dataset's own default
    data_seed: int = 0


@dataclass(frozen=True)
class Spec:
    """A checked configuration: the data, the run, and playground-only choices."""

    data: DataChoice
    run: RunConfig

    def as_dict(self):
        """The flat form the page keeps in its URL (inverse of :func:`parse`)."""
        r, d = self.run, self.data
        return {
            "dataset": d.dataset, "n_bits": d.n_bits, "samples": d.samples, "noise": d.noise,
            "data_seed": d.data_seed, "hidden": list(r.hidden),
            "activations": list(_hidden_activations(r)),
            "output_activation": r.output_activation, "bias": r.bias, "init": r.init,
            "loss": r.loss, "optimizer": r.optimizer, "momentum": r.momentum, "lr": r.lr,
            "batch_size": r.batch_size, "shuffle": r.shuffle, "seed": r.seed,
            "tolerance": r.tolerance, "stop_when_solved": r.stop_when_solved,
        }


def _hidden_activations(run):
    a = run.activation
    return (a,) * len(run.hidden) if isinstance(a, str) else tuple(a)


# The page opens on XOR with the project's default run (tanh, He init, cross-entropy, momentum
# 0.9) narrowed to 4 hidden units, so the diagram and the logic lens stay readable: seed 0
# solves in 48 epochs, and 977 of seeds 0-999 solve within 5000 epochs (2 units: about half).
DEFAULT = Spec(DataChoice(), RunConfig(hidden=(4,), lr=0.5))
FIELDS = tuple(DEFAULT.as_dict())


def parse(raw, base=DEFAULT):
    """Check a configuration object; fields left out keep ``base``'s values.

    Returns
    -------
    Spec

    Raises
    ------
    XornetError
        For an unknown field, a wrong type, an unknown name or a value beyond a limit.
    """
    if not isinstance(raw, dict):
        raise XornetError("config: expected a JSON object of settings such as "
                          '{"dataset": "xor", "hidden": [2]}.')
    unknown = [k for k in raw if k not in FIELDS]
    if unknown:
        raise XornetError(f"config: unknown field {unknown[0]!r}; the known fields are "
                          f"{', '.join(FIELDS)}.")
    merged = {**base.as_dict(), **raw}
    if "hidden" in raw and "activations" not in raw:
        # a new list of layers without names: every layer takes the first current name
        first = (base.as_dict()["activations"] or ["tanh"])[0]
        merged["activations"] = [first] * len(raw["hidden"]) if isinstance(
            raw["hidden"], list) else first
    data = DataChoice(
        dataset=_dataset_name(merged["dataset"]),
        n_bits=_int("n_bits", merged["n_bits"], 1, datasets.MAX_BITS),
        samples=_int("samples", merged["samples"], 1, MAX_POINTS),
        noise=None if merged["noise"] is None else _number("noise", merged["noise"], 0.0, 10.0),
        data_seed=_int("data_seed", merged["data_seed"], 0, 2**32 - 1),
    )
    hidden = _hidden(merged["hidden"])
    acts = _activations(merged["activations"], len(hidden))
    run = RunConfig(
        hidden=hidden, activation=acts if hidden else "tanh",
        output_activation=_name("output_activation", merged["output_activation"],
                                activations.NAMES),
        bias=_bool("bias", merged["bias"]),
        init=_name("init", merged["init"], initializers.NAMES),
        loss=_name("loss", merged["loss"], losses.NAMES),
        optimizer=_name("optimizer", merged["optimizer"], OPTIMIZERS),
        momentum=_number("momentum", merged["momentum"], 0.0, 0.999),
        lr=_number("lr", merged["lr"], 1e-9, 1e3),
        batch_size=(None if merged["batch_size"] is None
                    else _int("batch_size", merged["batch_size"], 1, MAX_POINTS)),
        shuffle=_bool("shuffle", merged["shuffle"]),
        seed=_int("seed", merged["seed"], 0, 2**32 - 1),
        tolerance=_number("tolerance", merged["tolerance"], 1e-9, 1e3),
        stop_when_solved=_bool("stop_when_solved", merged["stop_when_solved"]),
        epochs=MAX_EPOCHS_PER_REQUEST,
    )
    if run.optimizer == "adam" and run.momentum:
        raise XornetError("momentum: Adam keeps its own running averages; set momentum to 0 "
                          "or choose the sgd optimizer.")
    return Spec(data, run)


def with_network(spec, sizes, names, bias):
    """``spec`` changed to describe a loaded network (its hidden sizes, activations, bias)."""
    hidden = tuple(sizes[1:-1])
    _hidden(list(hidden))
    run = replace(spec.run, hidden=hidden, activation=tuple(names[:-1]) if hidden else "tanh",
                  output_activation=names[-1], bias=bias)
    return replace(spec, run=run)


def load_data(choice, upload=None):
    """The (X, y, description) of ``choice``; ``upload`` is the session's CSV, if any."""
    if choice.dataset == CSV:
        if upload is None:
            raise XornetError("dataset: no CSV file has been uploaded in this page yet; upload "
                              "one with the CSV button, or choose a named dataset.")
        return upload
    X, y = datasets.load(choice.dataset, n_bits=choice.n_bits, n_samples=choice.samples,
                         noise=choice.noise, seed=choice.data_seed)
    check_points(len(X), f"dataset {choice.dataset}")
    return X, y, choice.dataset


def check_points(n, source):
    if n > MAX_POINTS:
        raise XornetError(f"{source}: {n:,} data points is more than the playground's "
                          f"{MAX_POINTS:,}; use fewer rows.")


def check_upload(X, source):
    """The playground's own limits on a CSV the library has already read and checked."""
    check_points(len(X), source)
    if X.shape[1] > MAX_INPUTS:
        raise XornetError(f"{source}: {X.shape[1]} feature columns is more than the "
                          f"playground's {MAX_INPUTS}; give fewer columns.")


# --- field checks ---------------------------------------------------------------------------
def _dataset_name(value):
    if value == CSV:
        return CSV
    if not isinstance(value, str):
        raise XornetError(f"dataset: expected a dataset name such as \"xor\"; received {value!r}.")
    key = value.strip().lower().replace("_", "-")
    if key in datasets.NAMES or (len(key) == 4 and set(key) <= {"0", "1"}):
        return key
    raise XornetError(f"dataset: unknown name {value!r}; choose one of "
                      f"{', '.join(datasets.NAMES)}, a truth-table column such as \"0110\", "
                      "or csv for an uploaded file.")


def _hidden(value):
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise XornetError(f"hidden: expected a list of layer sizes such as [4, 4] (or [] for no "
                          f"hidden layer); received {value!r}.")
    if len(value) > MAX_HIDDEN_LAYERS:
        raise XornetError(f"hidden: {len(value)} hidden layers is more than the "
                          f"{MAX_HIDDEN_LAYERS} allowed; remove a layer.")
    for k, n in enumerate(value, 1):
        if not 1 <= n <= MAX_UNITS:
            raise XornetError(f"hidden: layer {k} has {n} units; give each hidden layer 1 to "
                              f"{MAX_UNITS} units.")
    return tuple(int(n) for n in value)


def _activations(value, n_hidden):
    names = [value] * n_hidden if isinstance(value, str) else value
    if not isinstance(names, list) or len(names) != n_hidden:
        raise XornetError(f"activations: expected one activation name per hidden layer "
                          f"({n_hidden}); received {value!r}.")
    return tuple(_name("activations", n, activations.NAMES) for n in names)


def _name(field, value, choices):
    if value not in choices:
        raise XornetError(f"{field}: unknown name {value!r}; choose one of {', '.join(choices)}.")
    return value


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _int(field, value, low, high):
    if not _is_int(value) or not low <= value <= high:
        raise XornetError(f"{field}: received {value!r}; give a whole number from {low} to "
                          f"{high}.")
    return int(value)


def _number(field, value, low, high):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not low <= value <= high:
        raise XornetError(f"{field}: received {value!r}; give a finite number from {low:g} to "
                          f"{high:g}.")
    return float(value)


def _bool(field, value):
    if not isinstance(value, bool):
        raise XornetError(f"{field}: received {value!r}; give true or false.")
    return value
