"""Named runs that reproduce the classic tutorials' set-ups exactly, and the default run.

| preset             | what it shows                                                        |
|--------------------|----------------------------------------------------------------------|
| classic            | the textbook 2-3-1 sigmoid net with no bias, ½SSE, α = 1, 60000      |
|                    | full-batch epochs: outputs end near 0.01 / 0.99                      |
| classic-linear-out | the same net with a linear output unit and α = 0.1: it still learns  |
|                    | XOR, the output just is not squashed into (0, 1). Its script moves   |
|                    | the output weights before it computes the hidden deltas, and so does |
|                    | the preset (update_order "script")                                   |
| relu-online        | ReLU hidden units, linear output, one update per sample in order:    |
|                    | after 60 epochs most seeds are close; some ReLUs die                 |
| bias-2-2-1         | the smallest net that can learn XOR (2 hidden units, with bias):     |
|                    | it usually does, but some seeds stall on a plateau                   |
| wide               | 2-16-1 tanh/sigmoid, He init, bce, momentum 0.9, lr 1: the fastest   |
|                    | reliable setting we found (every seed solves, at most 19 epochs over |
|                    | 3000 seeds), but its sixteen units are too many to read one by one   |
| default            | the lesson: the 2-2-1 sigmoid net trained until both hidden units    |
|                    | are clean gates (solved and crisp), restarting a stalled seed from a |
|                    | derived one, so the lens reads XOR for every seed                    |

The tutorial presets and ``wide`` neither restart nor wait for crisp units: each reproduces
one run exactly, stalls included.
"""

from typing import Any

from xornet.errors import XornetError
from xornet.train.config import RunConfig

ONE_RUN: dict[str, Any] = {"until_crisp": False, "restarts": 0}  # as written, stalls included

PRESETS = {
    "classic": RunConfig(
        hidden=(3,), activation="sigmoid", output_activation="sigmoid", bias=False,
        init="uniform01", loss="sse", optimizer="sgd", momentum=0.0, lr=1.0, epochs=60000,
        batch_size=None, stop_when_solved=False, **ONE_RUN,
    ),
    "classic-linear-out": RunConfig(
        hidden=(3,), activation="sigmoid", output_activation="linear", bias=False,
        init="uniform01", loss="sse", optimizer="sgd", momentum=0.0, lr=0.1, epochs=20000,
        batch_size=None, stop_when_solved=False, **ONE_RUN,
        update_order="script",  # its script updates Wz before it computes the hidden deltas
    ),
    "relu-online": RunConfig(
        hidden=(3,), activation="relu", output_activation="linear", bias=False,
        init="uniform", loss="sse", optimizer="sgd", momentum=0.0, lr=0.2, epochs=60,
        batch_size=1, shuffle=False, stop_when_solved=False, **ONE_RUN,
    ),
    "bias-2-2-1": RunConfig(
        hidden=(2,), activation="sigmoid", output_activation="sigmoid", bias=True,
        init="uniform01", loss="mse", optimizer="sgd", momentum=0.0, lr=2.0, epochs=20000,
        batch_size=None, stop_when_solved=False, **ONE_RUN,
    ),
    # the default run before it became the lesson (chosen by benchmarks/search_default.py
    # over 3024 settings; see benchmarks/README.md)
    "wide": RunConfig(
        hidden=(16,), activation="tanh", output_activation="sigmoid", bias=True, init="he",
        loss="bce", optimizer="sgd", momentum=0.9, lr=1.0, epochs=5000, batch_size=None,
        stop_when_solved=True, **ONE_RUN,
    ),
    "default": RunConfig(),
}

NAMES = tuple(PRESETS)


def get(name):
    """The RunConfig of preset ``name``; raise XornetError listing the valid names."""
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        raise XornetError(
            f"preset: unknown name {name!r}; choose one of {', '.join(NAMES)}."
        ) from None
