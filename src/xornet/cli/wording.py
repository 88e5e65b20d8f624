"""The library's settings in the command line's words: as the flags a person types.

The library names a setting by its ``RunConfig`` field (``lr``, ``batch_size``) and gives its
advice as data: a ``Diagnosis`` carries each suggested change as a dict such as
``{"lr": 0.05}``. Here a change becomes flags (``--lr 0.05``), a diagnosis' suggestion is
written with them, and an error that opens with a field name (``"lr: ..."``) opens with the
flag instead (``"--lr: ..."``) where a command asks for it.
"""

from contextlib import contextmanager

from xornet.errors import XornetError
from xornet.train import schedules

# Fields whose flag is not "--" + the field with "-" for "_", and the on/off pairs of booleans.
FLAG_NAMES = {"stop_when_solved": "--early-stop"}
SWITCHES = {"bias": ("--bias", "--no-bias"), "shuffle": ("--shuffle", "--in-order"),
            "stop_when_solved": ("--early-stop", "--no-early-stop")}


def flag(field):
    """The flag of a setting: ``"batch_size"`` → ``"--batch-size"``."""
    return FLAG_NAMES.get(field, "--" + field.replace("_", "-"))


def as_flags(change):
    """A change of settings as flags: ``{"hidden": (2,), "activation": "tanh"}`` →
    ``"--hidden 2 --activation tanh"``."""
    return " ".join(_one_flag(field, value) for field, value in change.items())


def _one_flag(field, value):
    if field in SWITCHES:
        on, off = SWITCHES[field]
        return on if value else off
    if field == "hidden":
        text = ",".join(map(str, value)) or "none"  # as --hidden reads it: 4,4 or none
    elif field == "batch_size":
        text = "full" if value is None else str(value)
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, (tuple, list)):  # one per layer, as --lr 0.5,2 reads it
        text = ",".join(f"{v:g}" for v in value)
    else:
        text = str(value)
    return f"{flag(field)} {text}"


def schedule_and_penalty(cfg):
    """The run's learning-rate schedule and weight penalty in a few words, or "" when it has
    neither: ``lr schedule step:1000:0.5; penalty l2=0.001 on the weights (in the loss)``."""
    parts = []
    if not schedules.is_constant(cfg.lr_schedule):
        parts.append(f"lr schedule {cfg.lr_schedule}")
    penalty = [f"{name}={value:g}" for name, value in (("l2", cfg.l2), ("l1", cfg.l1)) if value]
    if penalty:  # the losses printed are E_data + the penalty: say so
        parts.append(f"penalty {' '.join(penalty)} on the weights (in the loss)")
    return "; ".join(parts)


def advice(diagnosis):
    """The diagnosis' suggestion with each change written as flags."""
    return diagnosis.advice(as_flags)


def diagnosis_json(diagnosis):
    """``Diagnosis.as_dict()`` with the suggestion as the command line writes it."""
    return {**diagnosis.as_dict(), "suggestion": advice(diagnosis)}


def with_flag(message, fields):
    """``message`` with its leading ``field:`` written as the flag, for the fields listed."""
    name, colon, rest = message.partition(":")
    return f"{flag(name)}:{rest}" if colon and name in fields else message


@contextmanager
def flags_in_errors(*fields):
    """Re-raise a library error that opens with one of ``fields`` as opening with its flag.

    For commands whose flags are exactly those fields (``xornet sweep --lr 0.5,2``): the
    library says ``lr: ...``, the person typed ``--lr``.
    """
    try:
        yield
    except XornetError as e:
        message = with_flag(str(e), fields)
        if message == str(e):
            raise
        raise XornetError(message) from None
