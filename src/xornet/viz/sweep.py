"""Pictures of a sweep (``xornet.population.sweep``): the success rate over two axes of the grid,
and how many epochs the solved networks needed.

Both take the ``CellResult`` list a sweep returns, in cell order, and return a Figure.
"""

import os

import numpy as np
from matplotlib.colors import Normalize

from xornet.errors import XornetError
from xornet.population.sweep import AXES, label
from xornet.viz import style

MAX_CURVES = 8  # cells drawn as separate histograms; more are pooled into one
NO_DATA = "0.85"  # grey: a combination of the two axes that the grid does not contain


def varying_axes(results):
    """The axes whose value differs between cells, in ``AXES`` order."""
    return tuple(a for a in AXES if len({r.values[a] for r in results}) > 1)


def heatmap_axes(results):
    """The default (rows, columns): the first and the last axis that vary (None for a
    single row or column)."""
    varying = varying_axes(results)
    if len(varying) >= 2:
        return varying[0], varying[-1]
    return None, (varying[0] if varying else None)


def success_grid(results, rows, cols):
    """Success rate pooled over every other axis.

    Returns rate (len(row values), len(column values)) — NaN where no cell has that pair —,
    the row values and the column values (each in the order the cells first use them).
    """
    row_values = list(dict.fromkeys(r.values[rows] for r in results)) if rows else [None]
    col_values = list(dict.fromkeys(r.values[cols] for r in results)) if cols else [None]
    solved = np.zeros((len(row_values), len(col_values)))
    total = np.zeros_like(solved)
    for r in results:
        i = row_values.index(r.values[rows]) if rows else 0
        j = col_values.index(r.values[cols]) if cols else 0
        solved[i, j] += r.solved
        total[i, j] += r.networks
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, solved / total, np.nan), row_values, col_values


def plot_success_heatmap(results, rows=None, cols=None, *, title=None, dpi=100):
    """Success rate of each (row value, column value) pair, pooled over the other axes.

    ``rows``/``cols`` are axis names (default: ``heatmap_axes``); red is 0 %, blue 100 %.
    """
    _check(results)
    for axis in (rows, cols):
        if axis is not None and axis not in AXES:
            raise XornetError(f"heatmap: unknown axis {axis!r}; choose from {', '.join(AXES)}.")
    if rows is None and cols is None:
        rows, cols = heatmap_axes(results)
    rate, row_values, col_values = success_grid(results, rows, cols)
    width = min(12.0, 2.5 + 0.9 * len(col_values))
    fig = style.new_figure((width, min(10.0, 1.8 + 0.6 * len(row_values))), dpi=dpi)
    ax = fig.add_subplot()
    ax.set_facecolor(NO_DATA)
    image = ax.imshow(np.ma.masked_invalid(rate), cmap=style.CMAP, norm=Normalize(0.0, 1.0),
                      aspect="auto")
    for (i, j), v in np.ndenumerate(rate):
        text = "—" if np.isnan(v) else f"{100 * v:.1f} %"
        dark = not np.isnan(v) and abs(v - 0.5) > 0.35  # the saturated ends of RdBu
        ax.text(j, i, text, ha="center", va="center", fontsize=9,
                color="white" if dark else "black")
    ax.set_xticks(range(len(col_values)), [_tick(cols, v) for v in col_values])
    ax.set_yticks(range(len(row_values)), [_tick(rows, v) for v in row_values])
    ax.set_xlabel(_axis_name(cols))
    ax.set_ylabel(_axis_name(rows))
    others = [a for a in varying_axes(results) if a not in (rows, cols)]
    pooled = f" (pooled over {', '.join(others)})" if others else ""
    ax.set_title(title or f"Success rate{pooled}", loc="left")
    fig.colorbar(image, ax=ax, label="networks solved", format=lambda v, _: f"{100 * v:.0f} %")
    return fig


def plot_epochs_histogram(results, *, bins=30, title=None, figsize=(6.4, 4.2), dpi=100):
    """Epochs to solve of the solved networks: one outline per cell (up to ``MAX_CURVES``
    cells, labelled by the axes that vary), or every cell pooled into one histogram."""
    _check(results)
    fig = style.new_figure(figsize, dpi=dpi)
    ax = fig.add_subplot()
    values = [np.asarray(r.epochs_to_solve) for r in results]
    every = np.concatenate(values) if values else np.zeros(0)
    ax.set_xlabel("epochs to solve")
    ax.set_ylabel("networks")
    ax.set_title(title or "Epochs to solve (solved networks only)", loc="left")
    if every.size == 0:
        ax.text(0.5, 0.5, "no network solved", ha="center", va="center",
                transform=ax.transAxes)
        return fig
    lo, hi = float(every.min()), float(every.max())
    edges = np.linspace(lo - 0.5, hi + 0.5, min(bins, int(hi - lo) + 1) + 1)
    varying = varying_axes(results)
    drawn = [(r, v) for r, v in zip(results, values, strict=True) if v.size]
    if len(drawn) <= MAX_CURVES:
        for k, (r, v) in enumerate(drawn):
            name = ", ".join(f"{a} {label(a, r.values[a])}" for a in varying)
            ax.hist(v, bins=edges, histtype="step", lw=2, color=style.unit_colour(k),
                    label=f"{name or 'cell ' + str(r.index)} ({v.size})")
    else:
        ax.hist(every, bins=edges, color=style.POSITIVE, alpha=0.8,
                label=f"{len(drawn)} cells pooled ({every.size} networks)")
    median = float(np.median(every))
    ax.axvline(median, color="0.3", ls="--", lw=1, label=f"median of all: {median:g}")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, axis="y", color="0.9", lw=0.8)
    return fig


def write_sweep_figures(results, out_dir, rows=None, cols=None, *, fmt="png", dpi=100):
    """Write ``sweep-success.FMT`` and ``sweep-epochs.FMT`` into ``out_dir``; return the
    paths."""
    fmt = style.check_format(fmt)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise XornetError(f"{out_dir}: cannot create the folder ({e.strerror}); give a "
                          "folder you can write to.") from None
    written = []
    for name, fig in (("sweep-success", plot_success_heatmap(results, rows, cols, dpi=dpi)),
                      ("sweep-epochs", plot_epochs_histogram(results, dpi=dpi))):
        written.append(style.save_figure(fig, os.path.join(out_dir, f"{name}.{fmt}"), dpi=dpi))
    return written


def _check(results):
    if not results:
        raise XornetError("results: the sweep has no cells; run "
                          "xornet.population.sweep.run_local first.")


def _axis_name(axis):
    return "" if axis is None else axis.replace("_", " ")


def _tick(axis, value):
    return "" if axis is None else label(axis, value)
