"""``xornet fractal``: its numbers are the library's, its mistakes one line and exit 2, its
output fits 80 and 100 columns, and its pictures are written.

Oracles: ``xornet.study.fractal.trainability_map`` called directly with the same options;
the display width of each printed line (``rich.cells.cell_len``); the PNG and GIF read back
with Pillow (size, frame count, both colour families present).
"""

import json

import numpy as np
import pytest
from PIL import Image
from rich.cells import cell_len
from typer.testing import CliRunner

from xornet.cli import app
from xornet.study import fractal

runner = CliRunner()
SMALL = ["fractal", "--size", "24", "--steps", "100"]
WIDE = ["fractal", "--size", "128", "--steps", "100", "--center", "1.7,1", "--span", "1"]


def test_json_numbers_are_the_librarys():
    result = runner.invoke(app, [*SMALL, "--center", "0.5,1", "--span", "3", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    fmap = fractal.trainability_map(size=24, steps=100, center=(0.5, 1.0), span=3.0)
    assert doc["converged_fraction"] == float(fmap.converged.mean())
    assert doc["boundary_pixels"] == int(fmap.boundary.sum())
    assert doc["box_dimension"]["dimension"] == fmap.fit.dimension
    assert doc["hidden_lr_range"] == pytest.approx([10 ** -1.0, 10 ** 2.0])


@pytest.mark.parametrize("width", [80, 100])
def test_the_summary_fits_the_terminal(width):
    result = runner.invoke(app, WIDE, env={"COLUMNS": str(width)})  # 4-digit counts
    assert result.exit_code == 0, result.output
    assert "box counting" in result.output
    assert all(cell_len(line) <= width for line in result.output.splitlines())


def test_the_png_shows_both_colour_families(tmp_path):
    out = tmp_path / "map.png"
    result = runner.invoke(app, [*SMALL, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rgb = np.asarray(Image.open(out).convert("RGB")).astype(int)
    blue = (rgb[..., 2] > rgb[..., 0] + 60).sum()
    orange = (rgb[..., 0] > rgb[..., 2] + 60).sum()
    assert blue > 5000 and orange > 5000


def test_the_zoom_gif_has_one_frame_per_window(tmp_path):
    out = tmp_path / "zoom.gif"
    result = runner.invoke(app, ["fractal", "--size", "16", "--steps", "40", "--zoom",
                                 str(out), "--frames", "3"])
    assert result.exit_code == 0, result.output
    assert Image.open(out).n_frames == 3


@pytest.mark.parametrize(("args", "flag"), [
    (["--size", "1"], "--size"), (["--center", "1"], "--center"), (["--span", "-1"], "--span"),
    (["--setting", "mnist"], "--setting"), (["--steps", "3"], "--steps"),
    (["--out", "map.jpg"], "--out"), (["--zoom", "z.gif", "--frames", "1"], "--frames"),
])
def test_mistakes_are_one_line_and_exit_2(args, flag):
    result = runner.invoke(app, ["fractal", *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"xornet: error: {flag}"), result.output
