"""Tests for the stop rule "solved and crisp" (xornet.train.trainer) and for restarts
(xornet.train.restarts).

Oracles: hand-built 2-2-1 networks whose activations are worked out below with σ(z) =
1/(1 + e^−z); the logic lens's own crisp flags (xornet.explain.logic); the loss curve and
outputs of the same seed trained without restarts, read here by hand; NumPy's SeedSequence
called directly; and ``config.run`` of the derived seed on its own.
"""

import numpy as np
import pytest

from xornet.core.network import Network
from xornet.explain.logic import lens
from xornet.train import config, presets, restarts
from xornet.train.trainer import StopReason, train

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])
DEFAULT = presets.get("default")


def _hand_built(nand_weight):
    """h1 = σ(20A + 20B − 10) (OR), h2 = σ(−w·A − w·B + 1.5w) (NAND), ŷ = σ(10h1 + 10h2 − 15).

    With w = 20, h2 is σ(30), σ(10) or σ(−10): crisp, and ŷ is σ(±5) = 0.0067 / 0.9933. With
    w = 2.77, h2 is σ(4.155) = 0.985, σ(1.385) = 0.800 and σ(−1.385) = 0.200: rows 01, 10 and
    11 fall 0.2 short of 1 or 0, more than a tenth of sigmoid's range, so h2 is not crisp. ŷ is
    still within 0.1 of XOR: on row 01, z = 10·1 + 10·0.8 − 15 = 3 → 0.953; on row 11,
    z = 10 + 2 − 15 = −3 → 0.047; on row 00, z = 10·0.985 − 15 = −5.15 → 0.006.
    """
    w = nand_weight
    return Network.from_weights([[[20.0, -w], [20.0, -w]], [[10.0], [10.0]]],
                                [[-10.0, 1.5 * w], [-15.0]], ["sigmoid", "sigmoid"])


def _fit(net, **changes):
    cfg = DEFAULT.with_(momentum=DEFAULT.momentum, restarts=0, **changes).check()
    return train(net, X, Y, cfg)


def test_the_hand_built_networks_are_solved_and_one_is_crisp():
    crisp, loose = _hand_built(20.0), _hand_built(2.77)
    for net in (crisp, loose):
        assert np.abs(net.predict(X) - Y).max() <= 0.1
    h2 = 1 / (1 + np.exp(-(np.array([0, 1, 1, 2]) * -2.77 + 1.5 * 2.77)))
    assert lens(loose, X).layers[0][1].values == pytest.approx(h2.tolist(), abs=1e-12)
    assert [u.crisp for u in lens(crisp, X).layers[0]] == [True, True]
    assert [u.crisp for u in lens(loose, X).layers[0]] == [True, False]


def test_a_crisp_solved_network_stops_at_once():
    history = _fit(_hand_built(20.0), lr=1e-9)
    assert (history.epochs, history.stop_reason) == (0, StopReason.CRISP)
    assert history.solved_epoch == history.crisp_epoch == 0


def test_a_unit_that_never_becomes_crisp_stops_at_the_bound():
    # lr 1e-9 leaves h2 at 0.8 / 0.2: solved at epoch 0, never crisp, so the run stops
    # crisp_epochs = 7 epochs later
    history = _fit(_hand_built(2.77), lr=1e-9, crisp_epochs=7)
    assert (history.epochs, history.stop_reason) == (7, StopReason.NOT_CRISP)
    assert history.solved_epoch == 0 and history.crisp_epoch is None and history.solved


def test_without_until_crisp_it_stops_when_solved():
    history = _fit(_hand_built(2.77), lr=1e-9, until_crisp=False)
    assert (history.epochs, history.stop_reason) == (0, StopReason.SOLVED)


def test_the_run_trains_on_past_solved_until_the_lens_reads_every_unit_crisp():
    # oracle: the same network trained one epoch less, read by the lens, is not yet crisp
    net = _hand_built(2.77)
    history = _fit(net)
    n = history.epochs
    assert history.solved_epoch == 0 < n == history.crisp_epoch
    assert history.stop_reason == StopReason.CRISP
    assert all(u.crisp for u in lens(net, X).layers[0])
    shorter = _hand_built(2.77)
    _fit(shorter, epochs=n - 1, stop_when_solved=False)
    assert not lens(shorter, X).layers[0][1].crisp


# --- restarts -----------------------------------------------------------------------------

STALLS = 6  # a seed whose first attempt stalls on the plateau with two outputs at 0.5


def test_without_restarts_the_stalled_seed_stays_stalled():
    net, history = config.run(DEFAULT.with_(seed=STALLS, restarts=0), X, Y)
    assert not history.solved and history.epochs == DEFAULT.epochs
    assert [a.seed for a in history.attempts] == [STALLS]
    # 2 rows right, 2 at 0.5: 3 of 4 at best when rounded, on a loss that has stopped falling
    out = net.predict(X).ravel()
    assert np.round(out[[0, 2]]).tolist() == [0.0, 1.0]
    assert np.abs(out[[1, 3]] - 0.5).max() < 0.01
    loss = history.loss
    assert (loss[-501] - loss[-1]) / loss[-501] < 0.01


def test_the_stalled_seed_restarts_from_its_derived_seed_and_trains_as_that_seed_alone():
    net, history = config.run(DEFAULT.with_(seed=STALLS), X, Y)
    first, second = history.attempts
    # the stall, read by hand from the run without restarts: the first look (every 50 epochs)
    # at which the loss fell less than 1 % over the 50 epochs before, with the outputs then
    # 2 rows right and 2 at 0.5
    _, alone = config.run(DEFAULT.with_(seed=STALLS, restarts=0), X, Y)
    loss = alone.loss
    at = next(e for e in range(50, 5000, 50) if (loss[e - 50] - loss[e]) / loss[e - 50] < 0.01)
    then, _ = config.run(DEFAULT.with_(seed=STALLS, restarts=0, epochs=at,
                                       stop_when_solved=False), X, Y)
    out = then.predict(X).ravel()
    assert np.round(out[[0, 2]]).tolist() == [0.0, 1.0] and np.abs(out[[1, 3]] - 0.5).max() < 0.05
    assert (first.seed, first.epochs, first.stop_reason) == (STALLS, at, StopReason.STALLED)
    assert first.trap == "on the 3-of-4 plateau" and first.abandoned
    # restart 1's seed, from NumPy directly
    derived = int(np.random.SeedSequence([STALLS, 1]).generate_state(1)[0])
    assert second.seed == derived == restarts.restart_seed(STALLS, 1)
    assert second.stop_reason == StopReason.CRISP and not second.abandoned
    # ... and it trains exactly as config.run with that seed, no restart asked
    same, same_history = config.run(DEFAULT.with_(seed=derived, restarts=0), X, Y)
    assert net.params.tobytes() == same.params.tobytes()
    assert history.loss == same_history.loss and history.epochs == same_history.epochs
    assert net.training["seed"] == derived  # the model file names the seed that trained it


def test_the_last_attempt_allowed_is_not_watched():
    # with one restart allowed, a seed whose restart 1 stalls (with more allowed) trains that
    # restart on past the epoch it was abandoned at
    runs = ((s, config.run(DEFAULT.with_(seed=s), X, Y)[1]) for s in range(200))
    seed, full = next((s, h) for s, h in runs if len(h.attempts) > 2)
    _, history = config.run(DEFAULT.with_(seed=seed, restarts=1), X, Y)
    assert [a.seed for a in history.attempts] == [a.seed for a in full.attempts[:2]]
    assert history.attempts[0] == full.attempts[0]
    last = history.attempts[1]
    assert last.trap is None and last.stop_reason != StopReason.STALLED
    assert last.epochs > full.attempts[1].epochs


def test_the_story_of_a_restart():
    _, history = config.run(DEFAULT.with_(seed=STALLS), X, Y)
    derived = restarts.restart_seed(STALLS, 1)
    assert restarts.story(history.attempts) == [
        f"Seed {STALLS} stalled on the 3-of-4 plateau at epoch {history.attempts[0].epochs}.",
        f"Restart 1 (seed {derived}) solved it at epoch {history.solved_epoch}."]
    _, once = config.run(DEFAULT.with_(seed=0), X, Y)
    assert restarts.story(once.attempts) == []


@pytest.mark.parametrize(("y_hat", "trap"), [
    ([0.0, 0.667, 0.667, 0.667], "on the 3-of-4 plateau"),  # 3 right, 1 wrong
    ([0.0, 0.5, 1.0, 0.5], "on the 3-of-4 plateau"),  # 2 right, 2 undecided
    ([0.49, 0.5, 0.51, 0.5], "with its output stuck near 0.50"),
    ([0.0, 1.0, 0.3, 0.7], None),  # 2 right, 2 wrong: no known trap
])
def test_the_stall_rule_on_flat_loss(y_hat, trap):
    flat = [0.5] * 51  # 50 epochs without a change
    assert restarts.stall(flat, np.array(y_hat)[:, None], Y) == trap
    falling = list(np.linspace(0.6, 0.5, 51))  # fell 17 %: still learning
    assert restarts.stall(falling, np.array(y_hat)[:, None], Y) is None


def test_restarts_is_checked():
    from xornet.errors import XornetError

    with pytest.raises(XornetError, match="restarts: expected a whole number"):
        config.run(DEFAULT.with_(restarts=-1), X, Y)


def test_a_run_of_fixed_length_is_trained_as_written():
    # without "stop when solved" the stalled seed trains its epochs, unwatched, as one attempt
    cfg = DEFAULT.with_(seed=STALLS, stop_when_solved=False, epochs=400)
    net, history = config.run(cfg, X, Y)
    assert [(a.seed, a.epochs, a.trap) for a in history.attempts] == [(STALLS, 400, None)]
    alone, _ = config.run(cfg.with_(restarts=0), X, Y)
    assert net.params.tobytes() == alone.params.tobytes()
