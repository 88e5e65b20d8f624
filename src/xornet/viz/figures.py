"""Write every figure that applies to a network (and its data and run) into a folder."""

import os

import numpy.typing as npt

from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.train.history import History
from xornet.viz import style
from xornet.viz.boundary import check_data, plot_boundary
from xornet.viz.curves import plot_fit, plot_loss
from xornet.viz.diagram import MAX_UNITS as DIAGRAM_UNITS
from xornet.viz.diagram import plot_network
from xornet.viz.units import MAX_UNITS as UNIT_MAPS
from xornet.viz.units import plot_units

FIGURES = ("boundary", "units", "network", "loss", "fit")  # also the file names


def _maps(net):
    def count(n, word):
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    return f"this model has {count(net.sizes[0], 'input')} and {count(net.sizes[-1], 'output')}"


def figure_plan(net: Network, X: npt.ArrayLike | None = None, history: History | None = None
                ) -> list[tuple[str, str | None]]:
    """Which figures apply: a list of ``(name, reason)`` in :data:`FIGURES` order, where
    ``reason`` is None for a figure that applies and else a short phrase saying why not."""
    n_in, n_out, hidden = net.sizes[0], net.sizes[-1], sum(net.sizes[1:-1])
    reasons = {
        "boundary": None if (n_in, n_out) == (2, 1) else
        f"needs 2 inputs and 1 output; {_maps(net)}",
        "units": (f"needs 2 inputs; {_maps(net)}" if n_in != 2 else
                  "the network has no hidden layer" if hidden == 0 else
                  f"more than {UNIT_MAPS} hidden units" if hidden > UNIT_MAPS else None),
        "network": None if max(net.sizes) <= DIAGRAM_UNITS else
        f"a layer has more than {DIAGRAM_UNITS} units",
        "loss": None if history is not None and len(history.loss) else
        "a model file keeps no loss history (draw the figures right after training to see it)",
        "fit": (f"needs 1 input and 1 output; {_maps(net)}" if (n_in, n_out) != (1, 1) else
                "needs the data (give a dataset)" if X is None else None),
    }
    return [(name, reasons[name]) for name in FIGURES]


def skipped_figures(net: Network, X: npt.ArrayLike | None = None,
                    history: History | None = None) -> list[tuple[str, str]]:
    """``(name, reason)`` for every figure :func:`write_figures` leaves out."""
    return [(name, why) for name, why in figure_plan(net, X, history) if why is not None]


def write_figures(net: Network, X: npt.ArrayLike | None, y: npt.ArrayLike | None,
                  out_dir: str | os.PathLike[str], fmt: str = "png",
                  history: History | None = None, dataset_name: str | None = None,
                  dpi: float = 100) -> list[str]:
    """Draw every figure that applies and save each as ``out_dir/NAME.fmt``.

    Parameters
    ----------
    net : Network
    X, y : arrays or None
        The data (drawn as points; needed by the fit).
    out_dir : str
        A folder; created when missing.
    fmt : str
        png, svg or pdf.
    history : History or None
        The training run, for the loss curve.
    dataset_name : str or None
        Named in the titles.

    Returns
    -------
    list of str
        The paths written, in :data:`FIGURES` order. :func:`skipped_figures` says why the
        others were left out.
    """
    fmt = style.check_format(fmt)
    X, y = check_data(net, X, y)
    _make_folder(out_dir)
    makers = {
        "boundary": lambda: plot_boundary(net, X, y, dataset_name=dataset_name, dpi=dpi),
        "units": lambda: plot_units(net, X, y, dpi=dpi),
        "network": lambda: plot_network(net, dpi=dpi),
        # figure_plan keeps "loss" only when there is a history, so it is never None here
        "loss": lambda: plot_loss(history, loss_name=net.training.get("loss"),  # type: ignore[arg-type]
                                  dpi=dpi),
        "fit": lambda: plot_fit(net, X, y, dataset_name=dataset_name, dpi=dpi),
    }
    written = []
    for name, why in figure_plan(net, X, history):
        if why is None:
            path = os.path.join(out_dir, f"{name}.{fmt}")
            style.save_figure(makers[name](), path, dpi=dpi)
            written.append(path)
    return written


def _make_folder(out_dir):
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise XornetError(f"{out_dir}: this is a file, not a folder; give a folder to write "
                          "the pictures into.")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise XornetError(f"{out_dir}: cannot create the folder ({e.strerror}); give a "
                          "folder you can write to.") from None
