"""The loss figure and the animation with a test set: both curves, labelled, and the epoch that
early stopping restored.

Oracles: the drawn lines' data against the History's lists; pixels of the test curve's
colour on the saved PNG (the curve is on the picture, not only in the artist list); the
animation's recorded frames against a callback's copies of the weights of the same run.
"""

import matplotlib.colors as mcolors
import numpy as np
import pytest
from PIL import Image

import xornet
from xornet import viz
from xornet.io import datasets
from xornet.train import config
from xornet.viz import animate, curves, style


@pytest.fixture(scope="module")
def stopped():
    X, y = datasets.load("moons", n_samples=60, noise=0.3, seed=2)
    X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, 0.5, seed=2)
    net = xornet.Network([2, 16, 1], activation="tanh", init="xavier", seed=1)
    h = net.fit(X_train, y_train, epochs=2000, lr=0.5, loss="bce", momentum=0.9,
                test_data=(X_test, y_test), patience=20)
    assert h.restored
    return h


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_the_loss_figure_draws_the_training_and_the_test_loss_labelled(stopped, tmp_path):
    fig = viz.plot_loss(stopped, loss_name="bce", dpi=50)
    ax = fig.axes[0]
    lines = _lines(ax)
    np.testing.assert_array_equal(lines["training loss"].get_ydata(), stopped.loss)
    np.testing.assert_array_equal(lines["test loss"].get_ydata(), stopped.test_loss)
    np.testing.assert_array_equal(lines["test loss"].get_xdata(), range(stopped.epochs + 1))
    mark = lines[f"lowest test loss, epoch {stopped.best_epoch} (restored)"]
    assert mark.get_xdata()[0] == stopped.best_epoch
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["training loss", "test loss"]
    assert "Training and test loss" in ax.get_title()
    style.save_figure(fig, tmp_path / "loss.png")
    rgb = np.asarray(Image.open(tmp_path / "loss.png").convert("RGB"), dtype=float) / 255.0
    test_colour = mcolors.to_rgb(curves.TEST_COLOUR)
    assert np.sum(np.all(np.abs(rgb - test_colour) < 0.08, axis=-1)) > 50


def test_a_run_without_a_test_set_draws_one_unlabelled_curve(xor):
    _, h = config.run(config.RunConfig(stop_when_solved=False, epochs=30), *xor)
    ax = viz.plot_loss(h, dpi=50).axes[0]
    assert len(ax.get_lines()) == 1 and ax.get_legend() is None
    assert ax.get_title().startswith("Training loss")


def test_the_animation_panel_draws_both_curves_up_to_the_frame(stopped):
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    view = curves.LossView(ax, stopped, progress=True, log_epochs=True)
    view.update(7)
    done = _lines(ax)
    np.testing.assert_array_equal(done["test loss"].get_ydata(), stopped.test_loss[:8])
    np.testing.assert_array_equal(done["training loss"].get_ydata(), stopped.loss[:8])
    assert [d.get_ydata()[0] for d in view.dots] == [stopped.loss[7], stopped.test_loss[7]]


def test_the_recorded_frames_are_the_trained_weights_and_the_net_the_restored_ones(tmp_path):
    X, y = datasets.load("moons", n_samples=60, noise=0.3, seed=2)
    X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, 0.5, seed=2)
    cfg = config.RunConfig(hidden=(16,), activation="tanh", loss="bce", lr=0.5, momentum=0.9,
                           stop_when_solved=False, restarts=0, epochs=2000, patience=20)
    saved = {}

    def keep(net, history):
        saved[history.epochs] = net.params.copy()

    _, h = config.run(cfg, X_train, y_train, callbacks=[keep], test_data=(X_test, y_test))
    recording = animate.record_training(cfg, X_train, y_train, frames=30,
                                        test_data=(X_test, y_test))
    assert recording.history.restored and recording.history.test_loss == h.test_loss
    assert recording.epochs[-1] == h.epochs
    for epoch, params in zip(recording.epochs[1:], recording.params[1:], strict=True):
        np.testing.assert_array_equal(params, saved[epoch])  # as trained, epoch by epoch
    np.testing.assert_array_equal(recording.net.params, saved[h.best_epoch])  # restored
    out = animate.write_animation(recording, X_train, y_train, tmp_path / "run.gif", dpi=30)
    with Image.open(out) as gif:
        assert gif.n_frames == len(recording.epochs)


def test_xornet_animate_takes_a_test_split(tmp_path):
    import json

    from typer.testing import CliRunner

    import xornet.cli.plot  # noqa: F401  (registers `animate` on the app)
    from xornet.cli import app

    out = tmp_path / "run.gif"
    args = ["animate", "--dataset", "moons", "--samples", "60", "--noise", "0.3",
            "--data-seed", "2", "--test-split", "0.5", "--hidden", "16", "--activation", "tanh",
            "--lr", "0.5", "--loss", "bce", "--no-early-stop", "--epochs", "2000",
            "--patience", "20", "--frames", "30", "--dpi", "20", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # the same run through the library: the same split, the same stop
    X, y = datasets.load("moons", n_samples=60, noise=0.3, seed=2)
    X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, 0.5, seed=2)
    cfg = config.RunConfig(hidden=(16,), activation="tanh", loss="bce", lr=0.5,
                           stop_when_solved=False, epochs=2000, patience=20)
    _, h = config.run(cfg, X_train, y_train, test_data=(X_test, y_test))
    assert doc["restored"] and doc["best_epoch"] == h.best_epoch
    assert doc["epochs"][-1] == h.epochs
    # the restored weights' test loss; the last epoch's beside it, labelled
    assert doc["final_test_loss"] == h.test_loss[h.best_epoch] == min(h.test_loss)
    assert doc["last_epoch_test_loss"] == h.test_loss[-1]
    bad = CliRunner().invoke(app, ["animate", "--patience", "5", "--out", str(out)])
    assert bad.exit_code == 2 and "--patience: early stopping watches" in bad.stderr
