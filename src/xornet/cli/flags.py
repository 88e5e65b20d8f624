"""The option types shared by the commands that describe a run (train, doctor, animate,
explain, sweep) and the data (train, doctor, plot, animate, ...): one declaration, one help
text, and one builder (``build_config``) whose defaults are ``RunConfig``'s."""

import functools
import inspect
from typing import Annotated

from typer import Option

from xornet.cli import options, wording
from xornet.io import datasets
from xornet.train import presets

Preset = Annotated[str | None, Option(help=f"Start from a named set-up: {', '.join(presets.NAMES)}.")]  # noqa: E501
Hidden = Annotated[str | None, Option(help="Hidden sizes: 3, 4,4 or none.")]
Activation = Annotated[str | None, Option(help="Hidden activation: sigmoid, tanh, relu, leaky_relu, linear.")]  # noqa: E501
OutputActivation = Annotated[str | None, Option(help="Output activation.")]
Bias = Annotated[bool | None, Option("--bias/--no-bias", help="Give layers a bias.")]
Init = Annotated[str | None, Option(help="uniform01, uniform, normal, xavier, he, zeros; "
                                          "uniform:R is U(−R, R), normal:S is N(0, S²).")]
Loss = Annotated[str | None, Option(help="mse, sse or bce (targets in [0, 1]).")]
Optimizer = Annotated[str | None, Option(help="sgd, adam or perceptron.")]
Momentum = Annotated[float | None, Option(help="Momentum for sgd (0 = plain).")]
Lr = Annotated[str | None, Option(help="Learning rate α; a comma list such as 0.5,2 gives each weight layer its own (input side first).")]  # noqa: E501
LrSchedule = Annotated[str | None, Option(help="constant, step:N:F (α times F every N epochs, F ≤ 1), exp:G (times G each epoch) or cosine (down to 0 over --epochs; cosine:M ends at M·α).")]  # noqa: E501
L2 = Annotated[float | None, Option(help="L2 penalty λ2: adds (λ2/2)·Σw² over the weights (not biases) to the loss.")]  # noqa: E501
L1 = Annotated[float | None, Option(help="L1 penalty λ1: adds λ1·Σ|w| over the weights (not biases) to the loss.")]  # noqa: E501
Epochs = Annotated[int | None, Option(help="Maximum number of epochs.")]
BatchSize = Annotated[str | None, Option(help="full, 1 (online) or a mini-batch size.")]
Shuffle = Annotated[bool | None, Option("--shuffle/--in-order", help="Sample order.")]
Seed = Annotated[int | None, Option(help="Seed for the initial weights and shuffling.")]
Tolerance = Annotated[float | None, Option(help="Solved = every output within this of its target.")]
EarlyStop = Annotated[bool | None, Option("--early-stop/--no-early-stop", help="Stop as soon as solved.")]  # noqa: E501
TargetLoss = Annotated[float | None, Option(help="Stop once the loss is at most this.")]
UpdateOrder = Annotated[str | None, Option(help="textbook (every gradient, then every update) or script (each layer moves as soon as its gradient is known, as the classic tutorial scripts do).")]  # noqa: E501
UntilCrisp = Annotated[bool | None, Option("--until-crisp/--no-until-crisp", help="Once solved, train on until every hidden unit reads 0 or 1.")]  # noqa: E501
Restarts = Annotated[int | None, Option(help="Restart a stalled run from a derived seed at most N times (0: never).")]  # noqa: E501

Csv = Annotated[str | None, Option(help="Your own CSV file (header, numbers; '-': standard input).")]  # noqa: E501
Target = Annotated[str | None, Option(help="CSV target column (default: the last).")]
NBits = Annotated[int, Option(help="Bits for the parity dataset.")]
Samples = Annotated[int, Option(help="Points for sine and the 2-D clouds.")]
Noise = Annotated[float | None, Option(help="Noise for the 2-D clouds and sine.")]
DataSeed = Annotated[int, Option(help="Seed of the generated dataset.")]
Json = Annotated[bool, Option("--json", help="Print one JSON document instead.")]

# The flags that describe a run, in the order `--help` lists them.
RUN = {
    "preset": Preset, "hidden": Hidden, "activation": Activation,
    "output_activation": OutputActivation, "bias": Bias, "init": Init, "loss": Loss,
    "optimizer": Optimizer, "momentum": Momentum, "lr": Lr, "epochs": Epochs,
    "batch_size": BatchSize, "shuffle": Shuffle, "seed": Seed, "tolerance": Tolerance,
    "early_stop": EarlyStop, "target_loss": TargetLoss, "update_order": UpdateOrder,
    "until_crisp": UntilCrisp, "restarts": Restarts,
    "lr_schedule": LrSchedule, "l2": L2, "l1": L1,
}


# The flags of a run that describe one step of backpropagation (`xornet explain`): the
# network and the step's loss and learning rate; epochs, batches and stopping do not apply.
STEP = ("preset", "hidden", "activation", "output_activation", "bias", "init", "loss", "lr",
        "seed", "update_order", "l2", "l1", "lr_schedule", "epochs")
# The flags of a run that a sweep sets once for every cell; its grid axes (hidden, lr, ...)
# take lists and are the sweep's own flags, and its seeds are 0..S-1 (--seeds).
SETTINGS = ("preset", "bias", "momentum", "epochs", "shuffle", "tolerance", "early_stop",
            "target_loss")


def run_flags(command=None, *, only=tuple(RUN)):
    """Give ``command`` the flags of `xornet train` that describe a run (or those in ``only``).

    The command declares a parameter ``run`` instead of nineteen options; it receives a
    dict of the flags (None for each one the user did not give), ready for
    ``build_config(**run)``. A command may still declare one of them itself (e.g. its own
    help for ``--seed``); that declaration wins and the value stays in ``run`` too. Use it
    as ``@run_flags`` for every flag, or ``@run_flags(only=STEP)`` for some.
    """
    if command is None:
        return functools.partial(run_flags, only=only)
    signature = inspect.signature(command)
    before = list(signature.parameters.values())
    at = [p.name for p in before].index("run")  # the flags take the place of `run` in --help
    names = {p.name for p in before}
    added = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                               annotation=RUN[name])
             for name in only if name not in names]

    @functools.wraps(command)
    def wrapper(**kwargs):
        run = {name: kwargs.get(name) for name in only}
        for p in added:
            kwargs.pop(p.name)
        return command(run=run, **kwargs)

    params = before[:at] + added + before[at + 1:]
    wrapper.__signature__ = signature.replace(parameters=params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


# The command line's run for regression data (`--dataset sine`), laid over the default run
# when no --preset is named; the user's flags override it. The default run is a classifier
# (sigmoid output, bce), which cannot fit targets in [-1, 1]: a linear output can reach any
# value and mse measures the distance to it. Chosen with `xornet sweep --dataset sine`:
# 1000 of 1000 seeds fit sin(x) within 0.1 in at most 5000 epochs (median 1201).
REGRESSION_RUN = {
    "hidden": (16,), "activation": "tanh", "init": "he",  # 16 smooth bumps to sum into sin(x)
    "output_activation": "linear", "loss": "mse",  # ŷ = h·w + b, any value; (ŷ − y)²
    "optimizer": "sgd", "momentum": 0.9, "lr": 0.05,  # lr 0.1 fails 6 of 100 seeds
    "epochs": 5000,
    # stop once the fit is within tolerance: the wait for crisp hidden units is for the logic
    # lens, and tanh bumps summing to sin(x) are never 0/1 gates (it would restart 10 times)
    "until_crisp": False,
}


def data_defaults(dataset):
    """The run the command line chooses for the named dataset when no --preset is given: the
    regression run for regression data (sine), else nothing (the default run)."""
    key = dataset.strip().lower().replace("_", "-") if dataset else None
    kinds = {name: kind for name, _, kind in datasets.describe()}
    return REGRESSION_RUN if kinds.get(key) == "regression" else {}


def build_config(preset=None, hidden=None, activation=None, output_activation=None, bias=None,
                 init=None, loss=None, optimizer=None, momentum=None, lr=None, epochs=None,
                 batch_size=None, shuffle=None, seed=None, tolerance=None, early_stop=None,
                 target_loss=None, update_order=None, until_crisp=None, restarts=None,
                 lr_schedule=None, l2=None, l1=None, *, dataset=None):
    """The preset (or the default run) with every flag the user gave laid over it.

    A flag left out (None) keeps the preset's value, or the default run's, which is
    ``RunConfig()``: the one place the defaults of a run are written. Without a preset, a
    regression ``dataset`` (sine) starts from ``REGRESSION_RUN`` instead (``data_defaults``).
    """
    base = presets.get(preset) if preset else presets.get("default")
    if not preset:
        base = base.with_(**data_defaults(dataset))
    given = {
        "hidden": options.parse_hidden(hidden),
        "activation": activation, "output_activation": output_activation, "bias": bias,
        "init": init, "loss": loss, "optimizer": optimizer,
        "momentum": options.check_number("--momentum", momentum, low=0.0),
        "lr": options.parse_lr(lr),
        "lr_schedule": lr_schedule,
        "l2": options.check_number("--l2", l2, low=0.0),
        "l1": options.check_number("--l1", l1, low=0.0),
        "epochs": options.check_count("--epochs", epochs),
        "shuffle": shuffle, "seed": options.check_count("--seed", seed, low=0),
        "tolerance": options.check_number("--tolerance", tolerance, low=0.0, open_low=True),
        "stop_when_solved": early_stop,
        "target_loss": options.check_number("--target-loss", target_loss, low=0.0),
        "update_order": update_order, "until_crisp": until_crisp,
        "restarts": options.check_count("--restarts", restarts, low=0),
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if batch_size is not None:
        changes["batch_size"] = options.parse_batch_size(batch_size)
    if changes.get("optimizer") == "perceptron":
        # the perceptron rule trains one layer of step units, online
        changes.setdefault("hidden", ())
        changes.setdefault("output_activation", "step")
        changes.setdefault("batch_size", 1)
    cfg = base.with_(**changes)
    cfg.build(2, 1)  # check names (activation, init) before any data work
    with wording.flags_in_errors("lr", "lr_schedule", "l2", "l1"):
        cfg.check()  # check the training settings
    return cfg
