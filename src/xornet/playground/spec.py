"""What the page may ask for: the playground's configuration, checked field by field.

The page (and ``POST /api/train``) sends a configuration as a flat JSON object, the same keys
the page writes into its URL so that a lesson link reproduces the set-up. ``parse`` turns it
into a ``RunConfig`` plus the data choice, or raises one ``XornetError`` sentence naming the
field and the fix. Limits are refused, never clamped: a request for 7 hidden layers is an
error, not a quiet 6.
"""

import math
import numbers
from dataclasses import dataclass, fields, replace

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
MAX_RESTARTS = 20  # each restart of one POST /api/train may train a whole attempt again
MAX_TEST_SPLIT = 0.5  # the held-out share: beyond half, the network learns from the minority

OPTIMIZERS = ("sgd", "adam")  # the perceptron rule is for the command line (xornet train)
CSV = "csv"  # the dataset name of the session's uploaded CSV file

LIMITS = {
    "body_bytes": MAX_BODY, "hidden_layers": MAX_HIDDEN_LAYERS, "units": MAX_UNITS,
    "points": MAX_POINTS, "inputs": MAX_INPUTS, "epochs_per_request": MAX_EPOCHS_PER_REQUEST,
    "speed": MAX_SPEED, "explain_parameters": MAX_EXPLAIN_PARAMETERS, "weight": MAX_WEIGHT,
    "test_split": MAX_TEST_SPLIT,
}


@dataclass(frozen=True)
class DataChoice:
    """Which data to train on: a named dataset with its options, or the uploaded CSV."""

    dataset: str = "xor"
    n_bits: int = 3  # parity
    samples: int = 200  # sine and the 2-D clouds
    noise: float | None = None  # None: the dataset's own default
    data_seed: int = 0  # draws the points, and which of them are held out
    test_split: float = 0.0  # the share of rows held out as a test set; 0: none


# --- the fields of the page ------------------------------------------------------------------
# The run's fields are RunConfig's, in its order and with its defaults; the page sets all but
# these, which the server decides for every request:
NOT_ON_PAGE = ("epochs",  # the page streams epochs; one POST /api/train is capped instead
               "target_loss",  # the page stops when solved (or when the learner pauses)
               "update_order",  # the page trains in the textbook order; "script" reproduces
                                # one tutorial's script, from the command line
               # not on the page yet: the weight penalties and the lr schedule (a schedule
               # would count epochs per request, not per run); `xornet train` has them
               "lr_schedule", "l2", "l1",
               "patience")  # early stopping restores earlier weights at its end; the page
                            # shows the test loss instead, and `xornet train --patience` stops
PAGE_NAME = {"activation": "activations"}  # the page names one activation per hidden layer
DATA_FIELDS = tuple(f.name for f in fields(DataChoice))
RUN_FIELDS = tuple(f.name for f in fields(RunConfig) if f.name not in NOT_ON_PAGE)
FIELDS = DATA_FIELDS + tuple(PAGE_NAME.get(name, name) for name in RUN_FIELDS)


@dataclass(frozen=True)
class Spec:
    """A checked configuration: the data, the run, and playground-only choices."""

    data: DataChoice
    run: RunConfig

    def as_dict(self):
        """The flat form the page keeps in its URL (inverse of :func:`parse`)."""
        page = {name: getattr(self.data, name) for name in DATA_FIELDS}
        page.update({PAGE_NAME.get(name, name): getattr(self.run, name) for name in RUN_FIELDS})
        # JSON has lists, not tuples; and one activation name per hidden layer
        page["hidden"] = list(self.run.hidden)
        page["activations"] = list(_hidden_activations(self.run))
        return page


def _hidden_activations(run):
    a = run.activation
    return (a,) * len(run.hidden) if isinstance(a, str) else tuple(a)


# The page opens on XOR with the project's default run itself: the 2-2-1 network whose two
# hidden units end as gates the lens can name (seed 0: h1 ≈ A AND NOT B, h2 ≈ A OR NOT B,
# ŷ ≈ h1 OR NOT h2 = XOR), so the page and `xornet train` tell the same story.
DEFAULT = Spec(DataChoice(), RunConfig())
NO_HIDDEN = RunConfig().activation  # the (unused) activation name of a run without hidden layers


def parse(raw, base=DEFAULT):
    """Check a configuration object; fields left out keep ``base``'s values.

    Every field of :data:`FIELDS` is checked by its entry in ``_DATA_CHECKS`` or
    ``_RUN_CHECKS``; the fields of ``NOT_ON_PAGE`` keep RunConfig's defaults, except that
    ``epochs`` is the cap of one request.

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
    merged = {**base.as_dict(), **raw, **_regression_choice(raw, base)}
    if "hidden" in raw and "activations" not in raw:
        # a new list of layers without names: every layer takes the first current name
        first = (base.as_dict()["activations"] or [NO_HIDDEN])[0]
        merged["activations"] = [first] * len(raw["hidden"]) if isinstance(
            raw["hidden"], list) else first
    data = DataChoice(**{name: _DATA_CHECKS[name](name, merged[name]) for name in DATA_FIELDS})
    refusal = datasets.split_refusal(data.dataset) if data.dataset != CSV else None
    if data.test_split and refusal:
        raise XornetError(f"test_split: {refusal}; set the test share to 0, or choose a 2-D "
                          "cloud such as xor-cloud.")
    hidden = _hidden("hidden", merged["hidden"])
    acts = _activations(merged["activations"], len(hidden))
    run = {"hidden": hidden, "activation": acts if hidden else NO_HIDDEN}
    for name in RUN_FIELDS:  # in RunConfig's order, so the first bad field is the one named
        if name not in run:
            run[name] = _RUN_CHECKS[name](name, merged[name])
    run = RunConfig(**run, epochs=MAX_EPOCHS_PER_REQUEST)
    if run.optimizer == "adam" and run.momentum:
        raise XornetError("momentum: Adam keeps its own running averages; set momentum to 0 "
                          "or choose the sgd optimizer.")
    return Spec(data, run)


def _regression_choice(raw, base):
    """Switching to regression data (sine) switches a classifier's output and loss to a
    linear output and mse, unless the request names them: bce is refused on targets outside
    [0, 1] (``RunConfig.check_targets``), as `xornet train --dataset sine` chooses too."""
    kinds = {name: kind for name, _, kind in datasets.describe()}
    if kinds.get(raw.get("dataset")) != "regression" or base.run.loss != "bce":
        return {}
    return {k: v for k, v in (("output_activation", "linear"), ("loss", "mse")) if k not in raw}


def with_network(spec, sizes, names, bias):
    """``spec`` changed to describe a loaded network (its hidden sizes, activations, bias)."""
    hidden = tuple(sizes[1:-1])
    _hidden("hidden", list(hidden))
    run = replace(spec.run, hidden=hidden, activation=tuple(names[:-1]) if hidden else NO_HIDDEN,
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


def split_data(choice, X, y):
    """(X_train, y_train, test): ``choice.test_split`` of the rows held out with the data
    seed, exactly as ``xornet train --test-split S --data-seed D`` holds them out
    (``datasets.train_test_split``); test is (X_test, y_test), or None for a share of 0."""
    if not choice.test_split:
        return X, y, None
    X, y, X_test, y_test = datasets.train_test_split(X, y, choice.test_split, choice.data_seed)
    return X, y, (X_test, y_test)


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
# Each check takes the field's page name (for its sentence) and the value the page sent, and
# returns the value to use or raises XornetError naming the field and the fix.
def _dataset_name(field, value):
    if value == CSV:
        return CSV
    if not isinstance(value, str):
        raise XornetError(f"{field}: expected a dataset name such as \"xor\"; received "
                          f"{value!r}.")
    key = value.strip().lower().replace("_", "-")
    if key in datasets.NAMES or (len(key) == 4 and set(key) <= {"0", "1"}):
        return key
    raise XornetError(f"{field}: unknown name {value!r}; choose one of "
                      f"{', '.join(datasets.NAMES)}, a truth-table column such as \"0110\", "
                      "or csv for an uploaded file.")


def _hidden(field, value):
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise XornetError(f"{field}: expected a list of layer sizes such as [4, 4] (or [] for "
                          f"no hidden layer); received {value!r}.")
    if len(value) > MAX_HIDDEN_LAYERS:
        raise XornetError(f"{field}: {len(value)} hidden layers is more than the "
                          f"{MAX_HIDDEN_LAYERS} allowed; remove a layer.")
    for k, n in enumerate(value, 1):
        if not 1 <= n <= MAX_UNITS:
            raise XornetError(f"{field}: layer {k} has {n} units; give each hidden layer 1 to "
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
        raise XornetError(f"{field}: received {_shown(value)}; give a whole number from {low} to "
                          f"{high}.")
    return int(value)


def finite_number(value):
    """``value`` as a finite float, or None when it is not a number or does not fit one (a
    400-digit integer is a valid JSON number, but no float)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def check_text(doc, field="body"):
    """Refuse a parsed JSON document holding a string that is not Unicode text: JSON's
    ``\\ud800`` escape gives a lone surrogate, which cannot be written, shown or saved."""
    stack = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and any("\ud800" <= c <= "\udfff" for c in value):
            raise XornetError(f"{field}: the text holds a lone surrogate (an escape such as "
                              "\\ud800 that stands for no character); send valid Unicode text.")
    return doc


def _number(field, value, low, high):
    number = finite_number(value)
    if number is None or not low <= number <= high:
        raise XornetError(f"{field}: received {_shown(value)}; give a finite number from {low:g} "
                          f"to {high:g}.")
    return number


def _shown(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."  # a 400-digit number, shortened


def _bool(field, value):
    if not isinstance(value, bool):
        raise XornetError(f"{field}: received {value!r}; give true or false.")
    return value


def _one_of(choices):
    return lambda field, value: _name(field, value, choices)


def _whole(low, high):
    return lambda field, value: _int(field, value, low, high)


def _within(low, high):
    return lambda field, value: _number(field, value, low, high)


def _or_none(check):
    return lambda field, value: None if value is None else check(field, value)


SEEDS = 2**32 - 1  # the largest seed the page takes: 32 bits, exact in JavaScript and a URL
# One check per field of DataChoice, and per field of RunConfig the page sets (hidden and
# activations are checked together in parse: the names must match the layers).
_DATA_CHECKS = {
    "dataset": _dataset_name, "n_bits": _whole(1, datasets.MAX_BITS),
    "samples": _whole(1, MAX_POINTS), "noise": _or_none(_within(0.0, 10.0)),
    "data_seed": _whole(0, SEEDS), "test_split": _within(0.0, MAX_TEST_SPLIT),
}
_RUN_CHECKS = {
    "output_activation": _one_of(activations.NAMES), "bias": _bool,
    "init": _one_of(initializers.NAMES), "loss": _one_of(losses.NAMES),
    "optimizer": _one_of(OPTIMIZERS), "momentum": _within(0.0, 0.999),
    "lr": _within(1e-9, 1e3), "batch_size": _or_none(_whole(1, MAX_POINTS)), "shuffle": _bool,
    "seed": _whole(0, SEEDS), "tolerance": _within(1e-9, 1e3), "stop_when_solved": _bool,
    "until_crisp": _bool, "crisp_epochs": _whole(1, MAX_EPOCHS_PER_REQUEST),
    "restarts": _whole(0, MAX_RESTARTS),
}
