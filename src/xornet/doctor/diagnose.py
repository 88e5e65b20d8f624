"""The doctor: why a training run failed, as sentences that name the evidence and a fix.

``diagnose`` looks at a trained network (its weights, net inputs and outputs on the data)
and at the loss curve, and recognises the classic ways XOR training fails. Each finding is
a ``Diagnosis``: a short code, one sentence naming the units and numbers, one concrete
suggestion, and the numbers themselves. A run that solved its task gets none;
``xornet.doctor.seedstudy`` repeats a configuration over many seeds and counts successes, epochs
and diagnoses. Nothing here prints: the command line (``xornet.cli.doctor``) formats the results.

This module gathers a run's numbers once and runs the checks listed in ``CHECKS``; each check
is in ``xornet.doctor.symptoms`` (with the thresholds it judges by), and
``Diagnosis`` with the helpers that word its sentences is in ``xornet.doctor.findings``.
"""

from dataclasses import dataclass

import numpy as np

from xornet.doctor import symptoms
from xornet.errors import DivergenceError
from xornet.train import config as run_config


@dataclass
class _Run:
    """Everything the checks read, gathered once."""

    net: object  # Network or None (a run that diverged)
    X: np.ndarray
    y: np.ndarray
    y_hat: np.ndarray | None  # (n, n_out)
    history: object  # History or None
    diverged_at: int | None
    loss: str
    lr: float | None
    seed: int | None
    init: str | None
    tolerance: float
    solved: bool
    broken: bool  # the network's weights are not finite


def diagnose(net, X, y, history=None, config=None, *, diverged_at=None, check_solved=False):
    """Why did this run fail? Returns a list of ``Diagnosis`` (empty for a healthy run).

    Parameters
    ----------
    net : Network or None
        The trained network; None when training diverged and left no usable weights.
    X, y : arrays (n, n_in), (n, n_out)
        The training data.
    history : History or None
        The run's record (loss curve, stop reason); None for a saved model.
    config : RunConfig or None
        How the run was set up; without it the network's ``training`` record is used.
    diverged_at : int or None
        The epoch of a ``DivergenceError``, if one was raised.
    check_solved : bool
        Also examine a run that solved its task (only unit-level problems can show then).
    """
    run = _gather(net, X, y, history, config, diverged_at)
    if run.solved and not check_solved:
        return []
    return [d for d in (check(run) for check in CHECKS.values()) if d is not None]


def run_and_diagnose(config, X, y):
    """Train ``config`` on (X, y) and diagnose it: returns (net or None, history, diagnoses)."""
    try:
        net, history = run_config.run(config, X, y)
    except DivergenceError as e:
        return None, e.history, diagnose(None, X, y, e.history, config, diverged_at=e.epoch)
    return net, history, diagnose(net, X, y, history, config)


def _gather(net, X, y, history, config, diverged_at):
    record = dict(net.training) if net is not None else {}
    known = config.as_dict() if config is not None else record
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    y_hat = None
    if net is not None and np.isfinite(net.params).all():
        X, y = net.check_data(X, y)
        y_hat = net.predict(X)  # also leaves each layer's z and a cached for the checks
    tolerance = known.get("tolerance") or 0.1
    solved = (y_hat is not None and diverged_at is None
              and bool(np.max(np.abs(y_hat - y)) <= tolerance))
    return _Run(net if y_hat is not None else None, X, y, y_hat, history, diverged_at,
                known.get("loss") or "mse", known.get("lr"), known.get("seed"),
                known.get("init"), tolerance, solved, net is not None and y_hat is None)


# Run in this order, so diagnoses are listed in it; each returns a Diagnosis or None.
CHECKS = {
    "diverged": symptoms.diverged,
    "linear-hidden": symptoms.linear_hidden,
    "symmetric-units": symptoms.symmetric_units,
    "dead-relu": symptoms.dead_relu,
    "saturated": symptoms.saturated,
    "plateau-3-of-4": symptoms.plateau,
    "stuck-output": symptoms.stuck_output,
    "still-learning": symptoms.still_learning,
}
CODES = tuple(CHECKS)

