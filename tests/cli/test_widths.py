"""Every command's output fits the terminal: at ``COLUMNS=80`` and ``COLUMNS=100`` no line of
any table or trace is wider than the terminal.

Oracle: the display width of each printed line (``rich.cells.cell_len``, which counts a wide
character as two cells and ✓ as one), compared with the COLUMNS the command was given. The
commands run as a user's terminal would run them: through the CliRunner with COLUMNS in the
environment, and once through ``python -m xornet`` in a subprocess.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from xornet.cli import app

WIDTHS = (80, 100)
runner = CliRunner()


def lines_too_wide(text, width):
    return [line for line in text.splitlines() if cell_len(line) > width]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Models and data the commands read: the default run's model, a 2-16-1 model, a sine
    model and a small CSV."""
    root = tmp_path_factory.mktemp("widths")
    paths = {"default": root / "default.json", "wide": root / "wide.json",
             "sine": root / "sine.json", "csv": root / "rows.csv", "out": root,
             "builtin": "builtin:xor-or-nand"}  # a hand-built network
    for key, extra in (("default", []), ("wide", ["--hidden", "16"]),
                       ("sine", ["--dataset", "sine"])):
        result = runner.invoke(app, ["train", "--quiet", "--save", str(paths[key]), *extra])
        assert result.exit_code == 0, result.output
    paths["csv"].write_text("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
    return paths


# (id, arguments); {default}, {wide}, {sine}, {csv}, {out}, {builtin} are the fixture's paths.
CASES = [
    ("train", ["train"]),
    ("train-wide", ["train", "--hidden", "16"]),
    ("train-sine", ["train", "--dataset", "sine"]),
    ("train-csv", ["train", "--csv", "{csv}"]),
    ("train-parity", ["train", "--dataset", "parity", "--hidden", "8"]),
    ("predict", ["predict", "{wide}", "0", "1"]),
    ("predict-csv", ["predict", "{wide}", "--csv", "{csv}"]),
    ("show", ["show", "{default}"]),
    ("show-wide", ["show", "{wide}"]),
    ("explain", ["explain"]),
    ("train-reg", ["train", "--lr", "0.5,4", "--l2", "0.001", "--l1", "0.0001",
                   "--lr-schedule", "step:1000:0.5"]),
    ("explain-reg", ["explain", "--lr", "0.5,4", "--l2", "0.001", "--l1", "0.0001",
                     "--lr-schedule", "cosine", "--at-epoch", "2500"]),
    ("explain-wide", ["explain", "{wide}", "--input", "0,1", "--target", "1"]),
    ("explain-batch", ["explain", "--dataset", "xor", "--hidden", "3"]),
    ("doctor", ["doctor"]),
    ("doctor-model", ["doctor", "{wide}"]),
    ("doctor-sine", ["doctor", "--dataset", "sine"]),
    ("doctor-failing", ["doctor", "--hidden", "2", "--activation", "sigmoid", "--seed", "3",
                        "--epochs", "300", "--lr", "0.1"]),
    ("doctor-seeds", ["doctor", "--seeds", "20"]),
    ("sweep", ["sweep", "--seeds", "20", "--hidden", "2,3", "--lr", "0.5,2", "--backend",
               "numpy", "--workers", "1"]),
    ("plot", ["plot", "{wide}", "--out", "{out}/plots"]),
    ("plot-sine", ["plot", "{sine}", "--out", "{out}/sine-plots"]),
    ("animate", ["animate", "--frames", "30", "--dpi", "20", "--out", "{out}/run.gif"]),
    ("datasets", ["datasets"]),
    ("builtins", ["builtins"]),
    ("separable", ["separable"]),
    ("separable-and", ["separable", "--dataset", "and"]),
    ("check", ["check", "{wide}"]),
    ("check-builtin", ["check", "{builtin}"]),
    ("logic", ["logic", "{default}"]),
    ("logic-wide", ["logic", "{wide}"]),
]


def _args(args, files):
    return [a.format(**{k: str(v) for k, v in files.items()}) for a in args]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("case", "args"), CASES, ids=[c for c, _ in CASES])
def test_every_line_fits_the_terminal(files, case, args, width):
    result = runner.invoke(app, _args(args, files), env={"COLUMNS": str(width)})
    assert result.exit_code in (0, 1), (result.output, result.exception)  # check: 1 = wrong
    assert "Traceback" not in result.output
    assert result.output.strip(), "the command printed nothing"
    wide = lines_too_wide(result.output, width)
    assert not wide, "\n".join(f"{cell_len(line)}: {line}" for line in wide)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_entry_point_fits_the_terminal_it_is_given(files, width):
    """``python -m xornet show`` of a 2-16-1 model, piped, with COLUMNS set as a shell sets it."""
    env = {**os.environ, "COLUMNS": str(width)}
    done = subprocess.run([sys.executable, "-m", "xornet", "show", str(files["wide"])],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    assert "h16" in done.stdout
    assert not lines_too_wide(done.stdout, width), done.stdout


@pytest.mark.parametrize("width", WIDTHS)
def test_show_of_a_wide_layer_prints_every_weight_whole(files, width):
    """The 1×16 output row of a 2-16-1 network, squeezed into 100 columns, used to read
    `0…` in every cell; as a column of 16 rows each weight is printed whole."""
    import xornet

    net = xornet.load(files["wide"])
    output = runner.invoke(app, ["show", str(files["wide"])], env={"COLUMNS": str(width)}).output
    assert "…" not in output
    cells = {cell.strip() for line in output.splitlines() for cell in line.split("│")}
    for W, b in zip(net.weights, net.biases, strict=True):
        for value in [*np.ravel(W), *b]:
            assert f"{value:.6g}" in cells, value
