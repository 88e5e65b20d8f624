"""The option types shared by the commands that describe a run (train, doctor, animate)
and the data (train, doctor, plot, animate, ...): one declaration, one help text."""

from typing import Annotated

from typer import Option

from .. import presets

Preset = Annotated[str | None, Option(help=f"Start from a named set-up: {', '.join(presets.NAMES)}.")]  # noqa: E501
Hidden = Annotated[str | None, Option(help="Hidden sizes: 3, 4,4 or none.")]
Activation = Annotated[str | None, Option(help="Hidden activation: sigmoid, tanh, relu, leaky_relu, linear.")]  # noqa: E501
OutputActivation = Annotated[str | None, Option(help="Output activation.")]
Bias = Annotated[bool | None, Option("--bias/--no-bias", help="Give layers a bias.")]
Init = Annotated[str | None, Option(help="uniform01, uniform, normal, xavier, he, zeros.")]
Loss = Annotated[str | None, Option(help="mse, sse or bce.")]
Optimizer = Annotated[str | None, Option(help="sgd, adam or perceptron.")]
Momentum = Annotated[float | None, Option(help="Momentum for sgd (0 = plain).")]
Lr = Annotated[float | None, Option(help="Learning rate α.")]
Epochs = Annotated[int | None, Option(help="Maximum number of epochs.")]
BatchSize = Annotated[str | None, Option(help="full, 1 (online) or a mini-batch size.")]
Shuffle = Annotated[bool | None, Option("--shuffle/--in-order", help="Sample order.")]
Seed = Annotated[int | None, Option(help="Seed for the initial weights and shuffling.")]
Tolerance = Annotated[float | None, Option(help="Solved = every output within this of its target.")]
EarlyStop = Annotated[bool | None, Option("--early-stop/--no-early-stop", help="Stop as soon as solved.")]  # noqa: E501
TargetLoss = Annotated[float | None, Option(help="Stop once the loss is at most this.")]

Csv = Annotated[str | None, Option(help="Your own CSV file (header, numbers).")]
Target = Annotated[str | None, Option(help="CSV target column (default: the last).")]
NBits = Annotated[int, Option(help="Bits for the parity dataset.")]
Samples = Annotated[int, Option(help="Points for sine and the 2-D clouds.")]
Noise = Annotated[float | None, Option(help="Noise for the 2-D clouds and sine.")]
DataSeed = Annotated[int, Option(help="Seed of the generated dataset.")]
Json = Annotated[bool, Option("--json", help="Print one JSON document instead.")]
