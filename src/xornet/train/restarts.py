"""Restarts: a run that stalls in a known trap starts again from a new seed.

A 2-2-1 network learning XOR stalls for about one seed in four. Either three rows come out
right and the fourth is stuck (the 3-of-4 plateau, a local minimum), or every output stays
near one value. More epochs do not help, but another start almost always does. So ``run``
looks at each attempt every :data:`CHECK_EVERY` epochs. When the loss has stopped falling in
one of those traps (:func:`stall`), it ends the attempt and starts again from the next
derived seed (:func:`restart_seed`), at most ``config.restarts`` times. An attempt that ends
solved but with a hidden unit still undecided (``StopReason.NOT_CRISP``) starts again too.
The last attempt allowed is not watched: it runs to its end, so a failed run can still be
seen failing and the doctor can say why (``restarts=0`` turns restarts off). Only a run that
stops when solved restarts: a run asked for a fixed number of epochs is trained as written.

The stall rule is the doctor's plateau and stuck-output findings (``xornet.doctor.symptoms``)
written once as a test on the numbers, here, because training may not import the doctor.
"""

from dataclasses import asdict, dataclass, replace

import numpy as np

from xornet.core import losses
from xornet.train.trainer import StopReason, train

CHECK_EVERY = 50  # epochs between looks; XOR's 2-2-1 runs mostly solve in 40-110 epochs
FLAT = 0.01  # the loss fell < 1 % over those epochs: stopped falling (the doctor's FALLING)
UNDECIDED = 0.05  # an output this close to the middle (0.5) is a tie (the doctor's UNDECIDED)
STUCK_SPREAD = 0.1  # outputs spread < 10 % of the targets' spread: stuck (the doctor's)
RESTARTED = (StopReason.STALLED, StopReason.NOT_CRISP)  # how an attempt ends to be restarted


@dataclass
class Attempt:
    """One attempt of a run: its seed, how long it trained and how it ended."""

    seed: int
    epochs: int  # epochs of updates it ran
    stop_reason: str  # a StopReason: STALLED or NOT_CRISP when it was abandoned
    solved_epoch: int | None  # first epoch count at which it was solved
    trap: str | None = None  # how it stalled, e.g. "on the 3-of-4 plateau"

    @property
    def abandoned(self):
        return self.stop_reason in RESTARTED

    def as_dict(self):
        return {**asdict(self), "stop_reason": str(self.stop_reason)}


def restart_seed(seed, k):
    """The seed of restart ``k`` (1, 2, ...) of a run with seed ``seed``.

    NumPy's SeedSequence mixes the pair (seed, k) into a 32-bit number, so every restart has
    its own start, unrelated to the seeds a user tries next (seed + 1, seed + 2, ...).
    """
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0])


def stall(loss, y_hat, y):
    """How an unsolved run is stalled, or None while it may still be learning.

    Parameters
    ----------
    loss : list of float
        The loss after the last CHECK_EVERY + 1 epoch counts, the last one now.
    y_hat, y : arrays (n, n_out)
        The outputs now and the targets.

    Returns
    -------
    str or None
        Words that follow "stalled", e.g. "on the 3-of-4 plateau", when the loss fell less
        than :data:`FLAT` over the last :data:`CHECK_EVERY` epochs and the outputs sit in a
        trap: all rows but one right (or two undecided at 0.5: the same loss), or stuck.
    """
    if len(loss) <= CHECK_EVERY:  # not yet CHECK_EVERY epochs to look back on
        return None
    before, now = loss[-1 - CHECK_EVERY], loss[-1]
    if not before > 0 or (before - now) / before >= FLAT:
        return None
    n = len(y)
    if y.shape[1] == 1 and np.all((y == 0.0) | (y == 1.0)):
        undecided = np.abs(y_hat - 0.5) < UNDECIDED  # (n, 1)
        right = ~undecided & (np.abs(y_hat - y) < 0.5)
        if n - 1 <= right.sum() + 0.5 * undecided.sum() < n:
            return f"on the {n - 1}-of-{n} plateau"
    out_spread, y_spread = np.ptp(y_hat, axis=0), np.ptp(y, axis=0)  # (n_out,)
    stuck = np.flatnonzero((y_spread > 0) & (out_spread < STUCK_SPREAD * y_spread))
    if stuck.size:
        return f"with its output stuck near {np.mean(y_hat[:, stuck[0]]):.2f}"
    return None


class StallWatch:
    """A training callback: every CHECK_EVERY epochs of an unsolved run, ask :func:`stall`;
    on a stall, remember its words and stop the attempt as ``StopReason.STALLED``.

    A callback runs after an epoch's update, before the trainer records that epoch's loss, so
    the watch measures the loss and the outputs now itself: ``history.loss`` ends one epoch
    earlier."""

    def __init__(self, X, y, loss):
        self.X, self.y, self.loss, self.trap = X, y, loss, None

    def __call__(self, net, history):
        if history.epochs % CHECK_EVERY or history.solved_epoch is not None:
            return False
        y_hat = net.forward(self.X)  # (n, n_out) after history.epochs epochs
        now = float(self.loss.value(y_hat, self.y))
        self.trap = stall([*history.loss[-CHECK_EVERY:], now], y_hat, self.y)
        return StopReason.STALLED if self.trap else False


def story(attempts):
    """What the restarts did, one sentence per attempt (none for a run without a restart),
    e.g. "Seed 12 stalled on the 3-of-4 plateau at epoch 150." then "Restart 1 (seed
    2841093125) solved it at epoch 58." """
    if len(attempts) < 2:
        return []
    told = []
    for k, a in enumerate(attempts):
        who = f"Seed {a.seed}" if k == 0 else f"Restart {k} (seed {a.seed})"
        if a.stop_reason == StopReason.STALLED:
            told.append(f"{who} stalled {a.trap} at epoch {a.epochs}.")
        elif a.stop_reason == StopReason.NOT_CRISP:
            told.append(f"{who} solved it at epoch {a.solved_epoch}, but a hidden unit was "
                        f"still undecided at epoch {a.epochs}.")
        elif a.solved_epoch is not None:
            told.append(f"{who} solved it at epoch {a.solved_epoch}.")
        else:
            told.append(f"{who} ran {a.epochs} epochs ({a.stop_reason}).")
    return told


def run(config, X, y, callbacks=(), test_data=None):
    """Train ``config`` on checked arrays (X, y) by backpropagation, restarting a stalled
    attempt from a derived seed up to ``config.restarts`` times; return (net, history).

    ``history`` is the last attempt's, with ``history.attempts`` listing every attempt
    (an ``Attempt`` each) and ``history.wall_time`` the time of them all. ``test_data``, a
    checked (X_test, y_test) or None, goes to every attempt (``train``).
    """
    attempts, spent = [], 0.0
    allowed = config.restarts if config.stop_when_solved else 0
    for k in range(allowed + 1):
        seed = config.seed if k == 0 else restart_seed(config.seed, k)
        attempt = replace(config, seed=seed)
        net = attempt.build(X.shape[1], y.shape[1])
        # the last attempt allowed is not watched: it runs to its end
        watch = StallWatch(X, y, losses.get(config.loss)) if k < allowed else None
        history = train(net, X, y, attempt, [*callbacks, *([watch] if watch else [])],
                        test_data=test_data)
        spent += history.wall_time
        attempts.append(Attempt(seed, history.epochs, history.stop_reason,
                                history.solved_epoch, watch.trap if watch else None))
        if not attempts[-1].abandoned:
            break
    history.attempts, history.wall_time = attempts, spent
    return net, history
