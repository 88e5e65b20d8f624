"""Per-epoch metrics on a held-out test set, and early stopping with patience.

Oracles: a callback copies the weights after every epoch, and a plain-NumPy forward pass and
loss written out below recompute the test loss and both accuracies from those copies; the
stop epoch of early stopping is worked out again from the recorded test curve by a plain loop
(the first epoch that is ``patience`` past the lowest test loss so far); a run with a test set
is compared with the same run without one (the test rows must never change the training).
"""

import numpy as np
import pytest

import xornet
from xornet.errors import XornetError
from xornet.io import datasets
from xornet.population import setup
from xornet.train import config, history
from xornet.train.trainer import StopReason


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _forward(weights, biases, X):
    """The 2-16-1 tanh → sigmoid network by hand."""
    h = np.tanh(X @ weights[0] + biases[0])
    return _sigmoid(h @ weights[1] + biases[1])


def _bce(p, y):
    """−mean(y·ln p + (1 − y)·ln(1 − p)), with ln(1 − p) as log1p(−p) and p kept inside
    (0, 1) by float64's eps. An overfitting net has outputs within 1e-11 of 0 or 1, where
    the digits of p (or 1 − p) depend on how the sigmoid is rounded (xornet computes it as
    0.5·(1 + tanh(z/2)), this file as 1/(1 + e^−z)): the comparisons allow 1e-6, far below
    what one epoch changes the loss by (checked in the first test)."""
    eps = np.finfo(np.float64).eps
    p = np.clip(p, eps, 1.0 - eps)
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p))


def _accuracy(p, y):
    return np.mean((p >= 0.5) == (y == 1.0))


@pytest.fixture(scope="module")
def split():
    X, y = datasets.load("moons", n_samples=60, noise=0.3, seed=2)
    return datasets.train_test_split(X, y, 0.5, seed=2)


def _net():
    return xornet.Network([2, 16, 1], activation="tanh", init="xavier", seed=1)


def _fit(split, **options):
    """Fit the 2-16-1 net on the split, copying (W, b) after every epoch; the copies are
    keyed by the epoch count."""
    X_train, y_train, X_test, y_test = split
    net = _net()
    saved = {0: ([w.copy() for w in net.weights], [b.copy() for b in net.biases])}

    def keep(net, history):
        saved[history.epochs] = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])

    settings = dict(epochs=400, lr=0.5, loss="bce", momentum=0.9)
    settings.update(options)
    h = net.fit(X_train, y_train, test_data=(X_test, y_test), callbacks=[keep], **settings)
    return net, h, saved


def test_the_test_loss_and_both_accuracies_of_every_epoch_match_the_saved_weights(split):
    X_train, y_train, X_test, y_test = split
    _, h, saved = _fit(split, epochs=300)
    assert len(h.loss) == len(h.test_loss) == len(h.train_accuracy) == len(h.test_accuracy) \
        == 301
    for epoch in (0, 1, 7, 50, 123, 300):
        weights, biases = saved[epoch]
        p_test = _forward(weights, biases, X_test)
        p_train = _forward(weights, biases, X_train)
        assert h.test_loss[epoch] == pytest.approx(_bce(p_test, y_test), rel=1e-6)
        assert h.loss[epoch] == pytest.approx(_bce(p_train, y_train), rel=1e-6)
        assert h.test_accuracy[epoch] == _accuracy(p_test, y_test)
        assert h.train_accuracy[epoch] == _accuracy(p_train, y_train)
    assert h.final_test_loss == h.test_loss[-1]
    # 1e-6 tells neighbouring epochs apart: the oracle could not match the wrong epoch
    assert np.min(np.abs(np.diff(h.test_loss)) / np.array(h.test_loss[1:])) > 1e-6
    assert h.accuracy == h.train_accuracy[-1]  # the run's summary is the last epoch's


@pytest.mark.parametrize("options", [{}, {"batch_size": 8, "shuffle": True}],
                         ids=["full batch", "mini-batches"])
def test_the_test_rows_never_change_the_training(split, options):
    X_train, y_train, X_test, y_test = split
    with_test, without = _net(), _net()
    h = with_test.fit(X_train, y_train, epochs=150, lr=0.5, loss="bce",
                      test_data=(X_test, y_test), **options)
    h0 = without.fit(X_train, y_train, epochs=150, lr=0.5, loss="bce", **options)
    np.testing.assert_array_equal(with_test.params, without.params)
    assert h.loss == h0.loss
    assert not h0.test_loss and not h0.test_accuracy and h0.best_epoch is None


def _stop_epoch(test_loss, patience):
    """The first epoch e at which no test loss below the lowest one so far has come for
    ``patience`` epochs; None when the curve ends first."""
    best, best_at = np.inf, 0
    for e, value in enumerate(test_loss):
        if value < best:
            best, best_at = value, e
        if e - best_at >= patience:
            return e, best_at
    return None, best_at


@pytest.mark.parametrize("patience", [5, 20, 60])
def test_early_stopping_stops_patience_epochs_past_the_lowest_test_loss_and_restores_it(
        split, patience):
    X_train, y_train, X_test, y_test = split
    net, h, saved = _fit(split, epochs=2000, patience=patience)
    stop, best = _stop_epoch(h.test_loss, patience)
    assert stop is not None and stop < 2000  # the scenario: this net overfits the 30 rows
    assert h.epochs == stop == len(h.test_loss) - 1
    assert h.best_epoch == best == int(np.argmin(h.test_loss))
    assert h.stop_reason == StopReason.EARLY_STOPPING == "early stopping"
    assert h.restored
    weights, biases = saved[best]
    for w, w_best in zip(net.weights, weights, strict=True):
        np.testing.assert_array_equal(w, w_best)
    for b, b_best in zip(net.biases, biases, strict=True):
        np.testing.assert_array_equal(b, b_best)
    assert net.loss(X_test, y_test, loss="bce") == pytest.approx(min(h.test_loss), rel=1e-12)
    # the summary numbers are those of the weights the user gets
    assert h.accuracy == _accuracy(_forward(weights, biases, X_train), y_train)
    assert "weights of epoch" in repr(h) and len(repr(h)) < 200
    # the model file's record is of the weights it holds: the restored epoch's
    assert net.training["restored_epoch"] == best and net.training["patience"] == patience
    # and so is the History's final loss (the last epoch's is last_loss, its test loss too)
    assert net.training["final_loss"] == h.loss[best] == h.final_loss != h.last_loss
    assert h.last_loss == h.loss[-1] and h.final_test_loss == min(h.test_loss)
    assert h.last_test_loss == h.test_loss[-1] != h.final_test_loss


def test_without_a_stop_the_last_weights_stay(split):
    net, h, saved = _fit(split, epochs=120, patience=10_000)
    assert h.epochs == 120 and h.stop_reason == "max epochs" and not h.restored
    np.testing.assert_array_equal(net.weights[0], saved[120][0][0])
    assert h.best_epoch == int(np.argmin(h.test_loss))


def test_early_stopping_through_run_config_and_restarts(split):
    X_train, y_train, X_test, y_test = split
    cfg = config.RunConfig(hidden=(16,), activation="tanh", patience=15, epochs=3000)
    net, h = config.run(cfg, X_train, y_train, test_data=(X_test, y_test))
    assert len(h.test_loss) == len(h.loss) == h.epochs + 1
    if h.stop_reason == "early stopping":
        assert h.epochs - h.best_epoch == 15
        assert net.loss(X_test, y_test, loss="bce") == pytest.approx(h.test_loss[h.best_epoch])
    assert h.attempts[-1].stop_reason == h.stop_reason


def test_regression_has_a_test_loss_but_no_accuracy():
    X, y = datasets.load("sine", n_samples=40, noise=0.1, seed=0)
    X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, 0.25, seed=0)
    net = xornet.Network([1, 8, 1], activation="tanh", output_activation="linear", seed=0)
    h = net.fit(X_train, y_train, epochs=50, lr=0.05, test_data=(X_test, y_test))
    assert len(h.test_loss) == 51 and not h.train_accuracy and not h.test_accuracy
    assert h.test_loss[-1] == pytest.approx(np.mean((net.predict(X_test) - y_test) ** 2))


def test_thinned_curves_stay_aligned(split, monkeypatch):
    monkeypatch.setattr(history, "MAX_CURVE", 40)
    _, _, X_test, y_test = split
    _, h, saved = _fit(split, epochs=200)
    assert h.kept is not None
    assert len(h.kept) == len(h.loss) == len(h.test_loss) == len(h.train_accuracy) \
        == len(h.test_accuracy) <= 41
    for j in (0, 5, len(h.kept) // 2, len(h.kept) - 1):
        epoch = h.kept[j]
        weights, biases = saved[epoch]
        p = _forward(weights, biases, X_test)
        assert h.test_loss[j] == pytest.approx(_bce(p, y_test), rel=1e-6)
        assert h.loss_at(epoch, "test_loss") == h.test_loss[j]
        assert h.test_accuracy[j] == _accuracy(p, y_test)


def test_the_html_repr_draws_both_curves(split):
    _, h, _ = _fit(split, epochs=30)
    html = h._repr_html_()
    assert html.count("<polyline") == 2 and "test (red)" in html
    _, h_alone = config.run(config.RunConfig(), *datasets.load("xor"))
    assert h_alone._repr_html_().count("<polyline") == 1


# --- what is refused ------------------------------------------------------------------------

def test_patience_needs_a_test_set(xor):
    with pytest.raises(XornetError, match=r"^patience: early stopping watches"):
        xornet.Network([2, 2, 1]).fit(*xor, patience=5)
    with pytest.raises(XornetError, match=r"^patience: early stopping watches"):
        config.run(config.RunConfig(patience=5), *xor)


@pytest.mark.parametrize("patience", [0, -3, 2.5, True])
def test_patience_must_be_a_whole_number_of_epochs(split, patience):
    X_train, y_train, X_test, y_test = split
    with pytest.raises(XornetError, match=r"^patience: expected a whole number ≥ 1"):
        _net().fit(X_train, y_train, test_data=(X_test, y_test), patience=patience)


def test_bad_test_data_is_named_as_test_data(split):
    X_train, y_train, X_test, y_test = split
    with pytest.raises(XornetError, match=r"^test_data: X: the data has 3 feature columns"):
        _net().fit(X_train, y_train, test_data=(np.ones((4, 3)), y_test[:4]))
    with pytest.raises(XornetError, match=r"^test_data: expected a pair"):
        _net().fit(X_train, y_train, test_data=X_test)
    with pytest.raises(XornetError, match=r"^test_data: loss: bce needs targets"):
        _net().fit(X_train, y_train, loss="bce", test_data=(X_test, 5 * y_test))


def test_the_perceptron_refuses_a_test_set(xor):
    cfg = config.RunConfig(optimizer="perceptron", hidden=(), output_activation="step",
                           batch_size=1, lr=1.0, momentum=0.0)
    with pytest.raises(XornetError, match=r"^test_data: the perceptron rule"):
        config.run(cfg, *xor, test_data=xor)


def test_the_population_trainer_refuses_patience(xor):
    with pytest.raises(XornetError, match=r"^patience: the population trainer records no test"):
        setup.make_setup(config.RunConfig(patience=5), *xor, seeds=4)
