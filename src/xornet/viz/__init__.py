"""Pictures of a network and its training run, drawn with matplotlib.

Each ``plot_*`` function returns a ``matplotlib.figure.Figure`` (shown inline in a
notebook; saved with ``fig.savefig``). No function here opens a window or touches pyplot's
global state, so everything works headless. The core of xornet never imports this package.

>>> from xornet import viz
>>> fig = viz.plot_boundary(net, X, y)                 # decision boundary + unit lines
>>> viz.write_figures(net, X, y, "figures", history=history)   # every figure that applies
>>> viz.animate_training(config, X, y, "training.gif")          # the run as an animation
"""

# ruff: noqa: E402 (the check below runs before the imports that need the extra)
from xornet.errors import require

require("viz", "pictures")  # one sentence naming `pip install 'xornet[viz]'` when missing

from xornet.viz.animate import (
    Recording,
    animate_training,
    frame_epochs,
    record_training,
    write_animation,
)
from xornet.viz.boundary import plot_boundary, unit_line
from xornet.viz.curves import plot_fit, plot_loss
from xornet.viz.diagram import plot_network
from xornet.viz.figures import FIGURES, figure_plan, skipped_figures, write_figures
from xornet.viz.landscape import plot_landscape
from xornet.viz.style import FORMATS, save_figure
from xornet.viz.units import plot_units

__all__ = [
    "FIGURES", "FORMATS", "Recording", "animate_training", "figure_plan", "frame_epochs",
    "plot_boundary", "plot_fit", "plot_landscape", "plot_loss", "plot_network", "plot_units",
    "record_training", "save_figure", "skipped_figures", "unit_line", "write_animation",
    "write_figures",
]
