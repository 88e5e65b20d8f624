"""Learning-rate schedules: the learning rate of each epoch as a factor of the given one.

A schedule is written as a short spec string (``RunConfig.lr_schedule``):

    constant       factor 1 in every epoch (the default: no schedule)
    step:N:F       multiply by F every N epochs: factor F^⌊t/N⌋ (0 < F ≤ 1; ``step:N`` means
                   F = 0.5; a schedule that only grows the rate is refused, as for exp)
    exp:G          multiply by G every epoch: factor G^t (0 < G ≤ 1, e.g. exp:0.999)
    cosine         half a cosine from 1 down to 0 over the run's epochs E:
                   factor ½·(1 + cos(π·t/E)); ``cosine:M`` ends at M instead of 0:
                   M + (1 − M)·½·(1 + cos(π·t/E))

t is the number of epochs already done when an epoch starts, so the first epoch (t = 0)
always uses the given learning rate, and every update of one epoch uses the same one.
E is ``RunConfig.epochs``, the cosine's horizon (the cosine needs to know where the run
ends; with a stop rule such as "solved" a run may end earlier, on a larger factor). Past
the horizon (t > E) the cosine stays at its end value M: it never climbs back. Every factor
is a finite number in [0, 1] for every t. The trainer multiplies the
learning rate (one number, or one per layer) by ``schedule(t)`` at the start of each epoch.
Cosine annealing is Loshchilov & Hutter, "SGDR: Stochastic gradient descent with warm
restarts" (ICLR 2017), without the restarts.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from xornet.core import numbers
from xornet.errors import XornetError

CONSTANT = "constant"
KINDS = ("constant", "step:N:F", "exp:G", "cosine[:M]")
STEP_FACTOR = 0.5  # step:N without F halves the rate every N epochs


def parse(spec: str, epochs: int) -> Callable[[int], float]:
    """The schedule ``spec`` for a run of ``epochs`` epochs, as ``schedule(t) -> factor``.

    Raises XornetError naming ``lr_schedule`` and the forms it takes when ``spec`` is not
    one of them.
    """
    if not isinstance(spec, str):
        raise _bad(spec)
    name, *args = spec.strip().lower().split(":")
    if name == CONSTANT and not args:
        return constant
    if name == "step" and len(args) in (1, 2):
        every = _whole(args[0], spec)
        factor = _number(args[1], spec, "F", high=1.0) if len(args) == 2 else STEP_FACTOR
        return lambda t: factor ** (t // every)
    if name == "exp" and len(args) == 1:
        gamma = _number(args[0], spec, "G", high=1.0)
        return lambda t: gamma ** t
    if name == "cosine" and len(args) <= 1:
        low = _number(args[0], spec, "M", high=1.0, zero=True) if args else 0.0
        return lambda t: low + (1.0 - low) * 0.5 * (
            1.0 + math.cos(math.pi * min(t, epochs) / epochs))  # past the horizon: stays at M
    raise _bad(spec)


def constant(t: int) -> float:
    """The constant schedule: the given learning rate in every epoch."""
    return 1.0


def is_constant(spec: str) -> bool:
    """True for the spec of no schedule (``"constant"``)."""
    return isinstance(spec, str) and spec.strip().lower() == CONSTANT


def _bad(spec: object) -> XornetError:
    return XornetError(f"lr_schedule: {spec!r} is not a schedule; write constant, step:N:F "
                       "(times F every N epochs, 0 < F ≤ 1), exp:G (times G every epoch, "
                       "0 < G ≤ 1) or cosine (down to 0 over the epochs; cosine:M ends at M).")


def _whole(text: str, spec: str) -> int:
    n = numbers.to_int(text) or 0  # ASCII digits, as every number xornet reads
    if n < 1:
        raise XornetError(f"lr_schedule: in {spec!r} N = {text!r} must be a whole number of "
                          "epochs ≥ 1, as in step:1000:0.5.")
    return n


def _number(text: str, spec: str, name: str, high: float | None, zero: bool = False) -> float:
    v = numbers.to_float(text)
    if v is None:
        v = math.nan
    low_ok = v >= 0.0 if zero else v > 0.0
    if not (math.isfinite(v) and low_ok and (high is None or v <= high)):
        bound = f"{'≥' if zero else '>'} 0" + ("" if high is None else f" and ≤ {high:g}")
        raise XornetError(f"lr_schedule: in {spec!r} {name} = {text!r} must be a finite "
                          f"number {bound}.")
    return v
