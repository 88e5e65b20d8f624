"""A very long run keeps a bounded loss curve: exact at the start and the end, every other
value dropped between once it passes ``MAX_CURVE`` values (oracle: the values themselves,
recorded by hand alongside)."""

import numpy as np

from xornet.train import history as history_module
from xornet.train.history import History


def test_the_curve_stays_bounded_and_exact_at_both_ends(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_CURVE", 40)
    history = History()
    for epoch in range(1000):
        history.add_loss(epoch, 1.0 / (epoch + 1))
    assert len(history.loss) <= 40 and history.kept is not None
    assert history.kept[:10] == list(range(10))  # the first quarter: every epoch
    assert history.kept[-10:] == list(range(990, 1000))  # the last quarter: every epoch
    assert history.kept == sorted(set(history.kept))
    for epoch, value in zip(history.kept, history.loss, strict=True):
        assert value == 1.0 / (epoch + 1)  # each kept value is that epoch's own
    assert history.final_loss == 1.0 / 1000
    assert history.loss_at(999) == 1.0 / 1000 and history.loss_at(3) == 1.0 / 4


def test_a_short_run_is_untouched():
    history = History()
    for epoch in range(5):
        history.add_loss(epoch, float(epoch))
    assert history.kept is None and list(history.loss_epochs) == [0, 1, 2, 3, 4]
    assert history.loss_at(2) == 2.0


def test_training_past_the_limit_keeps_memory_bounded(monkeypatch):
    import xornet

    monkeypatch.setattr(history_module, "MAX_CURVE", 100)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = xornet.Network([2, 2, 1], seed=0)
    history = net.fit(X, y, epochs=3000)
    assert len(history.loss) <= 100 and history.kept[-1] == 3000 and history.kept[0] == 0
    # the end of the curve is exact: the last kept loss is the trained network's loss
    assert history.loss[-1] == net.loss(X, y)


def test_a_history_shows_as_one_line_and_a_small_curve():
    history = History(epochs=3, solved_epoch=2, stop_reason="solved")
    for epoch, value in enumerate([1.0, 0.1, 0.01, 0.001]):
        history.add_loss(epoch, value)
    assert repr(history) == ("History(3 epochs, final loss 0.001, solved at epoch 2, "
                             "stopped: solved)")
    html = history._repr_html_()
    # log10 of the losses is 0, −1, −2, −3: evenly spaced across 240 px and down 48 px
    assert 'points="0.0,0.0 80.0,16.0 160.0,32.0 240.0,48.0"' in html


def test_a_long_history_has_a_short_repr():
    history = History(epochs=5000)
    for epoch in range(5001):
        history.add_loss(epoch, 1.0 / (epoch + 1))
    assert len(repr(history)) < 120  # the dataclass repr was every loss: about 110 kB
    assert history._repr_html_().count(",") <= 2 * 122  # at most ~120 points drawn
