"""Animations of a training run: boundary (or fit), network diagram and loss side by side.

Recording and drawing are separate steps. :func:`record_training` trains once and keeps the
parameters at log-spaced epochs (dense at the start, where a network changes most);
:func:`write_animation` builds the figure once and, for each frame, only updates the data of
its artists (image, contour, line ends, edge colours and widths) before grabbing the pixels.
"""

import os
import shutil
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.gridspec import GridSpec

from xornet.errors import XornetError
from xornet.train import config as run_config
from xornet.train.config import RunConfig
from xornet.train.history import History
from xornet.viz import style, writers
from xornet.viz.boundary import BoundaryView, check_data
from xornet.viz.curves import FitView, LossView
from xornet.viz.diagram import MAX_UNITS as MAX_DIAGRAM_UNITS
from xornet.viz.diagram import DiagramView

MIN_FRAMES, MAX_FRAMES = 30, 120
FORMATS = (".gif", ".mp4")
MAX_STORED = 5_000_000  # floats kept when every epoch is stored (40 MB); beyond, train twice


@dataclass
class Recording:
    """A training run kept for an animation: ``params[i]`` is ``net.params`` after
    ``epochs[i]`` epochs; ``net`` is the trained network and ``history`` its History."""

    epochs: list
    params: list
    history: History
    net: object


def frame_epochs(total, frames):
    """``frames`` distinct epoch counts from 0 to ``total``, log-spaced so early epochs are
    dense, always starting at 0 and ending at ``total``; every epoch when there are fewer."""
    if total + 1 <= frames:
        return list(range(total + 1))
    ideal = np.geomspace(1.0, total + 1.0, frames) - 1.0
    chosen = []
    for i, e in enumerate(ideal):
        low = chosen[-1] + 1 if chosen else 0  # strictly increasing ...
        high = total - (frames - 1 - i)  # ... leaving room for the frames still to come
        chosen.append(int(min(max(round(e), low), high)))
    return chosen


def check_frames(frames):
    ok = isinstance(frames, (int, np.integer)) and not isinstance(frames, bool)
    if not ok or not MIN_FRAMES <= frames <= MAX_FRAMES:
        raise XornetError(f"frames: expected a whole number from {MIN_FRAMES} to {MAX_FRAMES}; "
                          f"received {frames!r}.")
    return int(frames)


def check_out_path(out_path):
    """The lower-case extension of an animation file name; XornetError when it is neither
    .gif nor .mp4, or .mp4 without ffmpeg on this machine."""
    if os.path.isdir(out_path):
        raise XornetError(f"{out_path}: is a folder; give a file name inside it ending in .gif "
                          "or .mp4, such as training.gif.")
    ext = os.path.splitext(os.fspath(out_path))[1].lower()
    if ext not in FORMATS:
        raise XornetError(f"{out_path}: unknown animation format {ext or '(none)'!r}; give a "
                          "file name ending in .gif or .mp4.")
    if ext == ".mp4" and shutil.which("ffmpeg") is None:
        raise XornetError(f"{out_path}: writing MP4 needs ffmpeg, which is not installed on "
                          "this machine; install ffmpeg or write a .gif instead.")
    return ext


def record_training(config, X, y, frames=60, progress=None, test_data=None):
    """Train ``config`` on (X, y) once and keep the parameters at :func:`frame_epochs`.

    ``test_data`` (X_test, y_test), when given, is evaluated every epoch and never trained
    on (``xornet.train.config.run``): the loss panel then draws the test loss too. After
    early stopping the frames still show the weights of each epoch as trained; the
    recording's ``net`` holds the restored ones.

    Every epoch's parameters are copied by a training callback when they fit in
    :data:`MAX_STORED` floats; otherwise the run is trained twice (it is deterministic): once
    to learn its length, once to copy the chosen epochs. ``progress(done, total)``, when
    given, is called after every epoch with the epochs trained so far (both runs counted)
    and the most there can be (a run that stops when solved ends early).
    """
    frames = check_frames(frames)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    check_shape(X.shape[1], y.shape[1])
    config = _attempt_that_finishes(config, X, y, test_data)
    initial = config.build(X.shape[1], y.shape[1]).params.copy()
    if initial.size * (config.epochs + 1) <= MAX_STORED:
        store = np.empty((config.epochs + 1, initial.size))  # row e: params after e epochs
        store[0] = initial
        keep = [_keep_all(store), *_report(progress, 0, config.epochs)]
        net, history = run_config.run(config, X, y, callbacks=keep, test_data=test_data)
        if not history.restored:  # restored weights are an earlier epoch's, stored already
            store[history.epochs] = net.params  # the last epoch, whatever stopped the run
        epochs = frame_epochs(history.epochs, frames)
        return Recording(epochs, [store[e].copy() for e in epochs], history, net)
    _, first = run_config.run(config, X, y, callbacks=_report(progress, 0, 2 * config.epochs),
                              test_data=test_data)
    epochs = frame_epochs(first.epochs, frames)
    kept = {0: initial}
    keep = [_keep_some(kept, set(epochs)), *_report(progress, first.epochs, 2 * first.epochs)]
    net, history = run_config.run(config, X, y, callbacks=keep, test_data=test_data)
    if not history.restored:
        kept[history.epochs] = net.params.copy()
    return Recording(epochs, [kept[e] for e in epochs], history, net)


def _attempt_that_finishes(config, X, y, test_data=None):
    """A run that may restart is animated as its last attempt: the seed that finished, once
    (restarting would draw new weights mid-film)."""
    if not (config.restarts and config.stop_when_solved):
        return config
    _, history = run_config.run(config, X, y, test_data=test_data)
    seed = history.attempts[-1].seed if history.attempts else config.seed
    return replace(config, seed=seed, restarts=0)


def _report(progress, before, total):
    """The training callbacks that report ``progress(before + epochs done, total)``."""
    if progress is None:
        return []

    def report(net, history):
        progress(before + history.epochs, total)
        return False

    return [report]


def _keep_all(store):
    def keep(net, history):
        store[history.epochs] = net.params
        return False

    return keep


def _keep_some(kept, wanted):
    def keep(net, history):
        if history.epochs in wanted:
            kept[history.epochs] = net.params.copy()
        return False

    return keep


def animate_training(config: RunConfig, X: npt.ArrayLike, y: npt.ArrayLike,
                     out_path: str | os.PathLike[str], frames: int = 60, fps: float = 12,
                     dpi: float = 80, dataset_name: str | None = None,
                     test_data: tuple[npt.ArrayLike, npt.ArrayLike] | None = None) -> str:
    """Train ``config`` on (X, y) and write the run as a GIF (or an MP4 when ffmpeg exists).

    ``test_data=(X_test, y_test)`` adds the test loss to the loss panel. Returns the path
    written. See :func:`record_training` and :func:`write_animation`.
    """
    check_out_path(out_path)
    _check_fps(fps)
    recording = record_training(config, X, y, frames, test_data=test_data)
    return write_animation(recording, X, y, out_path, fps=fps, dpi=dpi,
                           dataset_name=dataset_name)


def _check_fps(fps):
    ok = isinstance(fps, (int, float, np.integer, np.floating)) and not isinstance(fps, bool)
    if not ok or not 1 <= fps <= 60:
        raise XornetError(f"fps: expected a number of frames per second from 1 to 60; "
                          f"received {fps!r}.")


def write_animation(recording, X, y, out_path, fps=12, dpi=80, dataset_name=None,
                    progress=None):
    """Draw the recorded frames into ``out_path`` (.gif, or .mp4 with ffmpeg); return it.

    ``progress(done, total)``, when given, is called after each frame is drawn."""
    ext = check_out_path(out_path)
    _check_fps(fps)
    net = recording.net
    X, y = check_data(net, X, y)
    final = net.params.copy()
    scene = _Scene(recording, X, y, dpi, dataset_name)
    sink = writers.GifWriter(out_path, fps) if ext == ".gif" else \
        writers.Mp4Writer(out_path, fps)
    try:
        total = len(recording.epochs)
        for done, (epoch, params) in enumerate(
                zip(recording.epochs, recording.params, strict=True), start=1):
            net.params[...] = params
            scene.show(net, epoch)
            sink.add(scene)
            if progress is not None:
                progress(done, total)
        sink.close()
    finally:
        net.params[...] = final
        sink.discard()
    return os.fspath(out_path)


class _Scene:
    """The figure of an animation, built once; ``show(net, epoch)`` updates its artists."""

    def __init__(self, recording, X, y, dpi, dataset_name):
        net, history = recording.net, recording.history
        with_diagram = max(net.sizes) <= MAX_DIAGRAM_UNITS
        self.fig = style.new_figure((13.0 if with_diagram else 9.0, 4.4), dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        grid = GridSpec(1, 3 if with_diagram else 2, figure=self.fig,
                        width_ratios=[1.0, 1.15, 1.1][:3 if with_diagram else 2])
        axes = [self.fig.add_subplot(g) for g in grid]
        self.left = _left_view(axes[0], net, X, y)
        self.diagram = None
        if with_diagram:
            scale = max(float(np.abs(np.array(recording.params)).max()), 1e-12)
            self.diagram = DiagramView(axes[1], net, weight_labels=False, scale=scale,
                                       legend=False)
            axes[1].set_title("weights (blue +, red −, width ∝ |w|)", fontsize=10)
        self.loss = LossView(axes[-1], history, loss_name=net.training.get("loss"),
                             log_epochs=True, progress=True)
        axes[-1].set_title("loss", fontsize=10)
        self.history = history
        self.name = f"{dataset_name} · " if dataset_name else ""
        self.title = self.fig.suptitle("", fontsize=13, fontweight="bold")
        self._frozen = False

    def show(self, net, epoch):
        self.left.update(net)
        if self.diagram is not None:
            self.diagram.update(net)
        self.loss.update(epoch)
        text = f"{self.name}epoch {epoch} · loss {self.history.loss_at(epoch):.4g}"
        if self.history.test_loss:
            text += f" · test loss {self.history.loss_at(epoch, 'test_loss'):.4g}"
        self.title.set_text(text)

    def draw(self):
        self.canvas.draw()
        if not self._frozen:  # lay out once: later frames keep every axes where it is
            self.fig.set_layout_engine("none")
            self._frozen = True


def check_shape(n_in, n_out):
    """XornetError unless the data can be animated: 2 inputs (a decision boundary) or 1 input
    (a fit), and one target."""
    if n_in not in (1, 2) or n_out != 1:
        raise XornetError(f"data: an animation draws 2-input data (a decision boundary) or "
                          f"1-input data (a fit) with one target, but this data has {n_in} "
                          f"inputs and {n_out} targets; use e.g. xor or sine.")


def _left_view(ax, net, X, y):
    check_shape(net.sizes[0], net.sizes[-1])
    if net.sizes[0] == 2:
        view = BoundaryView(ax, net, X, y, resolution=100)
        ax.set_title(f"output ŷ (black: ŷ = {view.activation.threshold:g})", fontsize=10)
        return view
    if X is None:
        raise XornetError("data: the animation of a fit needs the data; give X and y.")
    view = FitView(ax, net, X, y, resolution=200, legend=False)
    ax.set_title(f"fit ({view.caption(short=True)})" if view.total else "fit", fontsize=10)
    return view
