"""The picture of an initialisation study (``xornet.study.inits``): the success rate against
the initial scale with its 95 % intervals, the median epochs to solve, and the failure mix.

Points are grouped into series, one per (initialiser, hidden width, tolerance); a scaled
initialiser is a curve over its scales, an unscaled one (xavier, he, ...) a flat line with its
interval as a band, since it has no scale to vary.
"""

import math

import numpy as np

from xornet.errors import XornetError
from xornet.palette import COLOURS
from xornet.viz import style

# The failure mix's colours, one per doctor code, in the doctor's order ("unexplained" is
# grey): none of them is a series' colour, so a bar never reads as a curve's
MIX_COLOURS = dict(COLOURS["diagnoses"])
MIX_ORDER = tuple(MIX_COLOURS)
MAX_SERIES = 8  # curves in one picture: more no longer read apart
# The series' colours: the same Okabe-Ito colours, blue first, so the first curve is not
# the orange of the plateau in the mix below it.
SERIES_COLOURS = tuple(style.unit_colour(j) for j in (5, 4, 1, 2, 0, 3, 6, 7))


def series(study):
    """The points grouped by (init, hidden, tolerance), in order: [(key, [Point, ...])]."""
    groups = {}
    for p in study.points:
        groups.setdefault((p.init, p.hidden, p.tolerance), []).append(p)
    return list(groups.items())


def series_label(study, key):
    """The parts of a series' key that vary in the study: "uniform, 3 hidden, tol 0.1"."""
    keys = [k for k, _ in series(study)]
    init, hidden, tol = key
    parts = []
    if len({k[0] for k in keys}) > 1:
        parts.append(init)
    if len({k[1] for k in keys}) > 1:
        parts.append(f"{'x'.join(map(str, hidden))} hidden")
    if len({k[2] for k in keys}) > 1:
        parts.append(f"tolerance {tol:g}")
    return ", ".join(parts) or init


def plot_inits(study, *, title=None, dpi=100):
    """Success rate against the scale (log axis, 95 % Wilson intervals, the classic
    measurement as black crosses where it applies), the median epochs to solve, and each
    point's failures stacked by the doctor's first diagnosis (as % of its networks)."""
    groups = series(study)
    if not groups:
        raise XornetError("study: it has no points; run xornet.study.inits.explore first.")
    if len(groups) > MAX_SERIES:
        raise XornetError(f"study: {len(groups)} series (initialiser × width × tolerance) is "
                          f"more than the {MAX_SERIES} one picture can tell apart; draw fewer.")
    legend_rows = math.ceil((len(groups) + 1) / 3)  # the series, 3 to a row, and the crosses
    fig = style.new_figure((10.0, 7.4 + 0.22 * legend_rows), dpi=dpi)
    grid = fig.add_gridspec(3, 2, height_ratios=(1.15, 0.09 * legend_rows, 1.0))
    rate_ax, epochs_ax = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    legend_ax, mix_ax = fig.add_subplot(grid[1, :]), fig.add_subplot(grid[2, :])
    scales = [p.scale for p in study.points if p.scale is not None]
    span = (min(scales) / 1.6, max(scales) * 1.6) if scales else (0.1, 10.0)
    for j, (key, points) in enumerate(groups):
        colour, label = SERIES_COLOURS[j], series_label(study, key)
        _draw_rate(rate_ax, points, colour, label, span)
        _draw_epochs(epochs_ax, points, colour, label, span)
    _draw_reference(rate_ax, study)
    rate_ax.set_ylim(-0.02, 1.02)
    rate_ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f} %")
    rate_ax.set_ylabel("networks solved (95 % interval)")
    rate_ax.set_title("Success rate", loc="left")
    epochs_ax.set_ylabel("median epochs to solve")
    epochs_ax.set_title("Epochs to solve (solved networks)", loc="left")
    for ax in (rate_ax, epochs_ax):
        ax.set_xscale("log")
        ax.set_xlim(*span)
        if scales:  # the scales themselves as ticks: 0.1, 0.3, 1, 4 rather than 10⁻¹, 10⁰
            ax.set_xticks(sorted(set(scales)), [f"{v:g}" for v in sorted(set(scales))])
            ax.minorticks_off()
        ax.set_xlabel("initial scale r: U(−r, r), or σ of N(0, σ²)")
        ax.grid(True, which="both", color="0.92", lw=0.7)
    epochs_ax.set_yscale("log")
    legend_ax.axis("off")  # the series' legend, once for both panels above
    legend_ax.legend(*rate_ax.get_legend_handles_labels(), loc="center", frameon=False,
                     fontsize=8, ncols=3)
    _draw_mix(mix_ax, study, groups)
    base = study.base
    fig.suptitle(title or f"Where training starts: {study.seeds:,} seeds per point, "
                 f"{base.loss} loss, {base.optimizer} lr {base.lr:g}"
                 f"{f' momentum {base.momentum:g}' if base.momentum else ''}, "
                 f"≤ {base.epochs} epochs", x=0.01, ha="left", fontsize=11)
    return fig


def _draw_rate(ax, points, colour, label, span):
    rate = np.array([p.success_rate for p in points])
    low, high = np.array([p.interval for p in points]).T
    if points[0].scale is None:  # one value and no scale: a level line across the axis
        ax.axhspan(low[0], high[0], color=colour, alpha=0.15, lw=0)
        ax.axhline(rate[0], color=colour, ls="--", lw=1.5, label=f"{label} (no scale)")
        return
    r = np.array([p.scale for p in points])
    yerr = np.clip([rate - low, high - rate], 0.0, None)  # 0 where rounding put a bound past
    ax.errorbar(r, rate, yerr=yerr, color=colour, marker="o", ms=4,
                lw=1.8, capsize=3, label=label)


def _draw_epochs(ax, points, colour, label, span):
    med = np.array([np.nan if p.epochs_median is None else p.epochs_median for p in points])
    if points[0].scale is None:
        if np.isfinite(med[0]):
            ax.axhline(med[0], color=colour, ls="--", lw=1.5)
        return
    ax.plot([p.scale for p in points], med, color=colour, marker="o", ms=4, lw=1.8,
            label=label)


def _draw_reference(ax, study):
    rows = study.comparison()
    if not rows:
        return
    by_name = {p.name: p for p in study.points}
    ax.plot([by_name[r["name"]].scale for r in rows], [r["reference"] for r in rows], "x",
            color="black", ms=8, mew=2, label="classic measurement")


def _draw_mix(ax, study, groups):
    """One bar per point, in series order: its failures, stacked by first diagnosis."""
    points = [p for _, members in groups for p in members]
    x = np.arange(len(points))
    codes = [c for c in MIX_ORDER if any(c in p.failures for p in points)]
    codes += sorted({c for p in points for c in p.failures} - set(MIX_ORDER))
    bottom = np.zeros(len(points))
    for code in codes:
        share = np.array([p.failures.get(code, 0) / p.networks for p in points])
        ax.bar(x, share, bottom=bottom, width=0.7, color=MIX_COLOURS.get(code, "0.5"),
               label=code)
        bottom += share
    for xi, top in zip(x, bottom, strict=True):
        ax.text(xi, top + 0.01, f"{100 * top:.0f} %", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, [f"{p.scale:g}" if p.scale is not None else p.init for p in points],
                  fontsize=8)
    if len(groups) > 1:  # each group's name under its bars, in its series' colour
        first = 0
        for j, (key, members) in enumerate(groups):
            centre = first + (len(members) - 1) / 2
            ax.annotate(series_label(study, key).replace(", ", "\n"), (centre, 0),
                        xycoords=("data", "axes fraction"), xytext=(0, -18),
                        textcoords="offset points", ha="center", va="top", fontsize=7,
                        color=SERIES_COLOURS[j])
            first += len(members)
    ax.set_xlim(-0.6, len(points) - 0.4)
    ax.set_ylim(0, max(0.1, float(bottom.max()) * 1.3))  # room for the legend above
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f} %")
    ax.set_ylabel("networks failed")
    ax.set_xlabel("initial scale r" if len(groups) == 1 else "")
    ax.set_title("Why they failed: the doctor's first diagnosis of every failed network",
                 loc="left")
    if codes:
        ax.legend(frameon=False, fontsize=8, ncols=min(len(codes), 5), loc="upper left")
    ax.grid(True, axis="y", color="0.92", lw=0.7)
    # a thin line between series, so the bars of one initialiser or width read as a group
    edges = np.cumsum([len(m) for _, m in groups])[:-1]
    for edge in edges:
        ax.axvline(edge - 0.5, color="0.6", lw=0.8)

