"""The loss landscape of a model in one figure: the line from the initial to the final
weights, the random filter-normalised plane and the plane of the training path
(``xornet.study.landscape`` computes them; this module only draws)."""

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from xornet.study.landscape import FLAT, Landscape, Plane
from xornet.viz import style

START, END, FLAT_COLOUR, LOW = "#E69F00", "#D55E00", "#ffffff", "#56B4E9"  # Okabe & Ito
CMAP = "viridis"  # sequential and readable in grey: dark = low loss
LEVELS = 24  # filled contours per plane
LOG_LINE = 100  # the line's loss on a log scale when its largest is 100× its smallest


def _norm(ls: Landscape) -> LogNorm:
    """One log colour scale for both planes, so the same colour is the same loss."""
    planes = [p.losses for p in (ls.random, ls.pca) if p is not None]
    values = np.concatenate([p[np.isfinite(p)].ravel() for p in planes])
    low = max(float(values.min()), 1e-6)
    return LogNorm(low, max(float(values.max()), low * 10))


def _flat_region(ax, plane: Plane, end_loss: float) -> None:
    """Hatch where the loss is within FLAT of the end's: the floor the run cannot leave."""
    near = plane.flat_region(end_loss)
    ax.contourf(plane.a, plane.b, near.astype(float), levels=[0.5, 1.5], colors="none",
                hatches=["//"])
    ax.contour(plane.a, plane.b, near.astype(float), levels=[0.5], colors=FLAT_COLOUR,
               linewidths=1.2)


def _lowest(ax, plane: Plane, end_loss: float, stalled: bool) -> None:
    """Mark the lowest point of the plane when it is clearly below the end; for a run that
    did not solve, point at it: the way down that training did not find."""
    a, b, low = plane.lowest
    if low < (1 - FLAT) * end_loss:
        ax.plot(a, b, marker="*", ms=15, color=LOW, mec="black", ls="none",
                label=f"lowest in this plane: {low:.3g}")
        if stalled:
            ax.annotate("the loss falls away\nthis way", (a, b), xytext=(0.97, 0.97),
                        textcoords="axes fraction", ha="right", va="top", fontsize=9,
                        color="white", bbox={"boxstyle": "round", "fc": "black", "alpha": 0.6},
                        arrowprops={"arrowstyle": "->", "color": "white"})


def _bounds(norm: LogNorm) -> tuple[float, float]:
    assert norm.vmin is not None and norm.vmax is not None  # _norm sets both
    return float(norm.vmin), float(norm.vmax)


def _surface(ax, plane: Plane, norm: LogNorm):
    low, high = _bounds(norm)
    values = np.clip(plane.losses, low, None)
    levels = np.geomspace(low, high, LEVELS)
    filled = ax.contourf(plane.a, plane.b, values, levels=levels, norm=norm, cmap=CMAP,
                         extend="both")
    ax.contour(plane.a, plane.b, values, levels=levels[::3], colors="black",
               linewidths=0.4, alpha=0.5)
    return filled


def _line_panel(ax, ls: Landscape) -> None:
    ax.set_title("1. The straight line from start to end\n(Goodfellow et al. 2015)")
    line = ls.line
    if line is None:
        why = ls.notes[0] if ls.notes else "unavailable"
        ax.text(0.5, 0.5, _wrap(why, 38), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    ax.axvspan(line.alphas[0], 0.0, color="0.92")
    ax.axvspan(1.0, line.alphas[-1], color="0.92")
    ax.plot(line.alphas, line.losses, color="black", lw=1.8)
    ax.plot([0], [line.start_loss], "o", ms=10, color=START, mec="black",
            label=f"start (α = 0): {line.start_loss:.3g}")
    ax.plot([1], [line.end_loss], "X", ms=11, color=END, mec="black",
            label=f"end (α = 1): {line.end_loss:.3g}")
    if line.monotone:
        verdict = "falls all the way: monotone"
    else:
        assert line.barrier_alpha is not None
        at = float(np.interp(line.barrier_alpha, line.alphas, line.losses))
        ax.annotate(f"rises by {line.barrier:.3g}\nat α = {line.barrier_alpha:.2f}",
                    (line.barrier_alpha, at), xytext=(0.45, 0.8), textcoords="axes fraction",
                    arrowprops={"arrowstyle": "->"}, fontsize=9)
        verdict = f"not monotone: a bump of {line.barrier:.3g}"
    flat_from = line.flat_from
    if not ls.solved and flat_from is not None and flat_from < 1.0:
        ax.axvspan(flat_from, 1.0, color=END, alpha=0.12)
        ax.annotate(f"flat from α ≈ {flat_from:.2f}:\nwithin {FLAT:.0%} of the end",
                    (0.5 * (flat_from + 1.0), line.end_loss), xytext=(0.55, 0.45),
                    textcoords="axes fraction", fontsize=9, arrowprops={"arrowstyle": "->"})
    low, high = float(np.min(line.losses)), float(np.max(line.losses))
    if low > 0 and high / low > LOG_LINE:  # a tiny end would hug the axis on a linear scale
        ax.set_yscale("log")
    ax.set_xlabel(f"α   (θ = θstart + α·(θend − θstart)); {verdict}")
    ax.set_ylabel(f"loss ({ls.objective})")
    ax.legend(loc="lower left", fontsize=8)


def _random_panel(ax, ls: Landscape, norm: LogNorm):
    p = ls.random
    moved = {True: "biases moved too", False: "biases kept fixed", None: "no biases"}[p.biases]
    ax.set_title(f"2. A random plane through the end\n(filter-normalised, Li et al. 2018; "
                 f"{moved})")
    filled = _surface(ax, p, norm)
    if not ls.solved:
        _flat_region(ax, p, ls.end_loss)
    _lowest(ax, p, ls.end_loss, not ls.solved)
    ax.plot(0, 0, "X", ms=12, color=END, mec="black", ls="none",
            label=f"end: {ls.end_loss:.3g}")
    ax.set_xlabel("direction 1 (1 = each unit's own weight length)")
    ax.set_ylabel("direction 2")
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    return filled


def _pca_panel(ax, ls: Landscape, norm: LogNorm):
    p = ls.pca
    ax.set_title("3. The plane the training path moved in\n(its first two principal "
                 "directions)")
    if p is None or p.path is None or p.explained is None or p.path_losses is None:
        why = ls.notes[-1] if ls.notes else "unavailable"
        ax.text(0.5, 0.5, _wrap(why, 38), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return None
    filled = _surface(ax, p, norm)
    path, flat = p.path, ls.flat
    if not ls.solved:
        _flat_region(ax, p, ls.end_loss)
    ax.plot(path[:, 0], path[:, 1], color="white", lw=2.6)
    ax.plot(path[:, 0], path[:, 1], color="black", lw=1.2, label="training path")
    ax.plot(*path[0], "o", ms=10, color=START, mec="black", ls="none",
            label=f"start (epoch 0): {p.path_losses[0]:.3g}")
    ax.plot(*path[-1], "X", ms=12, color=END, mec="black", ls="none",
            label=f"end (epoch {len(path) - 1}): {ls.end_loss:.3g}")
    if flat is not None and not ls.solved and flat.start < flat.epochs:
        at = path[flat.start]
        ax.plot(*at, "s", ms=8, color=FLAT_COLOUR, mec="black", ls="none")
        trap = f"\n{flat.trap}" if flat.trap else ""
        ax.annotate(f"epoch {flat.start}: the loss stops falling;\n"
                    f"{flat.epochs - flat.start} more epochs move it < {FLAT:.0%}{trap}",
                    at, xytext=(0.03, 0.97), textcoords="axes fraction", va="top",
                    fontsize=9, color="white",
                    bbox={"boxstyle": "round", "fc": "black", "alpha": 0.6},
                    arrowprops={"arrowstyle": "->", "color": "white"})
    _lowest(ax, p, ls.end_loss, not ls.solved)
    ax.set_xlabel(f"principal direction 1 ({p.explained[0]:.1%} of the path's variance)")
    ax.set_ylabel(f"principal direction 2 ({p.explained[1]:.1%})")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return filled


def plot_landscape(ls: Landscape, *, title: str | None = None,
                   figsize: tuple[float, float] = (17.0, 5.6), dpi: float = 100) -> Figure:
    """The three slices of a ``Landscape`` side by side: the line from the initial to the
    final weights, a random filter-normalised plane and the training path's plane, both
    planes on one log colour scale; for an unsolved run the flat region (loss within FLAT of
    the end's) is hatched and the epoch where the path reached it marked."""
    fig = style.new_figure(figsize, dpi)
    axes = fig.subplots(1, 3)
    norm = _norm(ls)
    _line_panel(axes[0], ls)
    filled = _random_panel(axes[1], ls, norm)
    _pca_panel(axes[2], ls, norm)
    bar = fig.colorbar(filled, ax=list(axes[1:]), shrink=0.9, pad=0.01)
    low, high = _bounds(norm)
    ticks = [m * 10.0**e for e in range(-6, 4) for m in (1, 2, 5) if low <= m * 10.0**e <= high]
    if len(ticks) > 10:  # a wide range: 1 and 3 of each decade are enough
        ticks = [m * 10.0**e for e in range(-6, 4) for m in (1, 3) if low <= m * 10.0**e <= high]
    bar.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
    bar.minorticks_off()
    bar.set_label(f"loss ({ls.objective}, log scale; dark = low)")
    if title is None:
        state = "solved" if ls.solved else "not solved"
        hatch = ("; hatched: the flat region, loss within 1 % of the end's"
                 if not ls.solved else "")
        title = (f"The loss landscape of a {ls.n_params}-parameter network ({state}, end "
                 f"loss {ls.end_loss:.3g}){hatch}")
    fig.suptitle(title)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
