"""``xornet fractal``: the trainability map, which pairs of learning rates train a network."""

from typing import Annotated

import typer

from xornet.cli import app, render, wording
from xornet.core import numbers
from xornet.errors import XornetError, require
from xornet.io import files

Opt = typer.Option

HELP = (
    "Train one initial network (one --seed) once per pixel, each pixel with its own pair of "
    "learning rates (the hidden layer's on x, the output layer's on y, log-spaced), by "
    "full-batch gradient descent for --steps steps, and draw which pairs converged: the "
    "trainability map of Sohl-Dickstein (2024), whose boundary is fractal. A pixel converged "
    "when the mean of its last 20 losses, each divided by the first, is below 1."
    "\n\n"
    "--setting xor is the default network (2-2-1 sigmoid, bce) on XOR; --setting paper is "
    "the paper's (16 inputs, 16 tanh units, mean field, no bias, MSE, 272 random points), "
    "about 300 times the work per pixel: start with --size 32 --steps 200. Zoom in with "
    "--center and a smaller --span, or write a zoom as a GIF with --zoom. Prints the "
    "box-counting dimension of the boundary."
)


def _pair(text):
    try:
        x, y = (numbers.to_float(v) for v in text.split(","))
        if x is None or y is None:  # ASCII digits, as every number xornet reads
            raise ValueError(text)
    except (ValueError, AttributeError):
        raise XornetError(f"center: expected two numbers separated by a comma, the log10 of "
                          f"the hidden and output learning rates (e.g. 0.5,1.25); received "
                          f"{text!r}.") from None
    return x, y


@app.command("fractal", help=HELP)
@wording.flags_in_errors("size", "steps", "center", "span", "seed", "setting", "frames",
                         "zoom", "out", "dask", "backend")
def fractal_command(
    size: Annotated[int, Opt(help="Pixels per side.")] = 256,
    steps: Annotated[int, Opt(help="Steps of gradient descent per pixel.")] = 500,
    center: Annotated[str | None, Opt(help="Window center: log10 of the hidden and output learning rates, e.g. 0.5,1.25 (default: the setting's).")] = None,  # noqa: E501
    span: Annotated[float | None, Opt(help="Window width in log10 units, both axes (default: the setting's, 4 for xor).")] = None,  # noqa: E501
    seed: Annotated[int, Opt(help="Seed of the one initial network (and of the paper's data).")] = 0,  # noqa: E501
    setting: Annotated[str, Opt(help="xor (the default network on XOR) or paper.")] = "xor",
    out: Annotated[str | None, Opt(help="Write the map to this PNG.")] = None,
    zoom: Annotated[str | None, Opt(help="Write to this GIF a zoom towards the boundary pixel nearest the window's center.")] = None,  # noqa: E501
    frames: Annotated[int, Opt(help="Frames of --zoom, each window 0.8 times the last.")] = 24,
    dask: Annotated[str | None, Opt(help="Train the map's tiles on the Dask cluster at this scheduler address.")] = None,  # noqa: E501
    backend: Annotated[str, Opt(help="auto, numpy or numba.")] = "auto",
    as_json: Annotated[bool, Opt("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    from xornet.study import fractal  # at the call: `xornet --help` stays quick

    if out is not None or zoom is not None:
        require("viz", "--out" if out is not None else "--zoom")
    for path, suffix, flag in ((out, ".png", "out"), (zoom, ".gif", "zoom")):
        if path is not None:  # refused before any training
            if not path.lower().endswith(suffix):
                raise XornetError(f"{flag}: expected a path ending in {suffix}; received "
                                  f"{path!r}.")
            files.writable_target(path, flag)
    if zoom is not None:
        fractal.check_frames(frames)
    fmap = fractal.trainability_map(setting, size=size, steps=steps,
                                    center=None if center is None else _pair(center),
                                    span=span, seed=seed, backend=backend, dask=dask)
    doc = fmap.summary()
    if out is not None:
        from xornet.viz.fractal import plot_fractal
        from xornet.viz.style import save_figure

        doc["out"] = save_figure(plot_fractal(fmap), out)
    if zoom is not None:
        from xornet.viz.fractal import write_zoom

        with render.progress("zoom frames", frames, piped=f"xornet: training {frames} "
                             "maps for the zoom ...") as tick:
            maps = [fmap]
            for window in fractal.zoom_windows(fmap, frames)[1:]:
                maps.append(fractal.trainability_map(
                    setting, size=size, steps=steps, center=window[0], span=window[1],
                    seed=seed, backend=backend, dask=dask))
                tick(1)
        doc["zoom"] = write_zoom(maps, zoom)
        doc["zoom_frames"] = len(maps)
    if as_json:
        render.print_json(doc)
        return
    _print(fmap, doc)


def _print(fmap, doc):
    con = render.console()
    x0, x1 = doc["hidden_lr_range"]
    y0, y1 = doc["output_lr_range"]
    con.print(f"[bold]Trainability map[/bold] · {fmap.setting} · {fmap.size} × {fmap.size} "
              f"pixels · {fmap.steps} steps · seed {fmap.seed}")
    con.print(f"  hidden-layer lr  {x0:.3g} … {x1:.3g}   (x, log-spaced)")
    con.print(f"  output-layer lr  {y0:.3g} … {y1:.3g}   (y, log-spaced)")
    con.print(f"  converged        {doc['converged_fraction']:.1%} of pixels "
              f"({doc['diverged_fraction']:.1%} blew up to inf/NaN)")
    fit = fmap.fit
    if fit is None:
        con.print(f"  boundary         {doc['boundary_pixels']:,} pixels: too few box sizes "
                  "for a dimension")
    else:
        con.print(f"  boundary         {doc['boundary_pixels']:,} pixels, dimension "
                  f"{fit.dimension:.3f} ± {fit.stderr:.3f} (r² {fit.r2:.4f})")
        con.print(f"                   (box counting, boxes of 1 … {fit.sizes[-1]} pixels)")
    con.print(f"  time             {fmap.train_time:.2f} s training on {fmap.backend}, "
              f"+ {fmap.compile_time:.2f} s kernel load"
              + (f", {fmap.tiles} tiles" if fmap.tiles > 1 else ""))
    for key, what in (("out", "map"), ("zoom", "zoom")):
        if key in doc:
            con.print(f"  wrote            {doc[key]} ({what})")
