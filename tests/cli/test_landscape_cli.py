"""``xornet landscape`` through typer's CliRunner.

Oracles: the JSON numbers against ``Network.loss`` of the saved model read back with
``xornet.load`` and of the initial network rebuilt by hand from its seed; the plane's centre
against the end's loss; each user mistake gives one error line and exit code 2; the text fits
COLUMNS=80 and 100 (``rich.cells.cell_len`` of every line); the PNG is read back by Pillow.
"""

import json

import numpy as np
import pytest
from PIL import Image
from rich.cells import cell_len
from typer.testing import CliRunner

import xornet
from xornet import Network
from xornet.cli import app

runner = CliRunner()
X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("landscape")
    paths = {"solved": root / "solved.json", "stalled": root / "stalled.json", "root": root}
    for key, args in (("solved", ["--seed", "4"]), ("stalled", ["--seed", "5", "--restarts", "0"])):
        result = runner.invoke(app, ["train", "-q", "--save", str(paths[key]), *args])
        assert result.exit_code == 0, result.output
    return paths


def as_json(args):
    result = runner.invoke(app, ["landscape", *args, "--json", "--resolution", "7"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_numbers_are_the_models_losses(models):
    doc = as_json([str(models["solved"])])
    net = xornet.load(models["solved"])
    start = Network([2, 2, 1], init="xavier", seed=net.training["seed"])
    assert doc["loss"] == "bce" and doc["reproduced"] is True and doc["solved"] is True
    assert doc["end_loss"] == pytest.approx(net.loss(X4, XOR_Y, "bce"), rel=1e-12)
    assert doc["line"]["start_loss"] == pytest.approx(start.loss(X4, XOR_Y, "bce"), rel=1e-12)
    assert doc["line"]["end_loss"] == pytest.approx(doc["end_loss"], rel=1e-12)
    grid = np.array(doc["random"]["losses"])
    assert grid.shape == (7, 7)
    assert grid[3, 3] == pytest.approx(doc["end_loss"], rel=1e-12)  # the centre is the end
    assert doc["random"]["biases"] is True
    assert sum(doc["pca"]["explained"]) <= 1.0 + 1e-12
    assert len(doc["pca"]["path"]) == net.training["epochs"] + 1


def test_stalled_model_is_explained(models):
    doc = as_json([str(models["stalled"]), "--no-biases"])
    assert doc["solved"] is False and doc["random"]["biases"] is False
    assert doc["flat"]["trap"] == "on the 3-of-4 plateau"
    result = runner.invoke(app, ["landscape", str(models["stalled"]), "--resolution", "7"],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "stalled on the 3-of-4 plateau" in text
    assert f"from epoch {doc['flat']['start']} on" in text
    assert "falls monotonically" in text


def test_trains_the_default_run_when_no_model_is_given():
    doc = as_json(["--seed", "3"])
    assert doc["model"] is None and doc["solved"] is True and doc["reproduced"] is True
    assert doc["seed"] == 3


def test_given_weights_say_the_line_is_unavailable():
    result = runner.invoke(app, ["landscape", "builtin:xor-drawn", "--resolution", "5"],
                           env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "No line from the initial weights" in result.stdout


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("which", ["solved", "stalled"])
def test_fits_the_terminal(models, width, which):
    result = runner.invoke(app, ["landscape", str(models[which]), "--resolution", "5"],
                           env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert all(cell_len(line) <= width for line in result.stdout.splitlines())


def test_out_writes_the_picture(models):
    out = models["root"] / "stalled.png"
    result = runner.invoke(app, ["landscape", str(models["stalled"]), "--resolution", "9",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    with Image.open(out) as image:
        assert image.size == (1700, 560)


@pytest.mark.parametrize("args, start", [
    (["--resolution", "2"], "--resolution: "),
    (["--resolution", "1000"], "--resolution: "),
    (["--span", "0"], "--span: "),
    (["--span", "nan"], "--span: "),
    (["{stalled}", "--lr", "2"], "--lr: "),
    (["{stalled}", "--hidden", "3"], "--hidden: "),
    (["--out", "{root}/x.bmp"], "--out: "),
    (["--out", "{root}/none/x.png"], "--out: {root}/none/x.png: "),
    (["--seed", "-1"], "--seed: "),
])
def test_mistakes_are_one_line(models, args, start):
    args = [a.format(**{k: str(v) for k, v in models.items()}) for a in args]
    result = runner.invoke(app, ["landscape", *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    start = start.format(**{k: str(v) for k, v in models.items()})
    assert len(lines) == 1 and lines[0].startswith(f"xornet: error: {start}"), result.output


def test_a_restarted_run_is_looked_at_through_its_last_attempt():
    from xornet.train import restarts

    doc = as_json(["--seed", "5"])  # seed 5 stalls; the default run restarts it
    assert doc["reproduced"] is True and doc["solved"] is True
    result = runner.invoke(app, ["landscape", "--seed", "5", "--resolution", "5"],
                           env={"COLUMNS": "100"})
    text = " ".join(result.stdout.split())
    assert f"restarted as seed {restarts.restart_seed(5, 1)}" in text


def test_the_resolution_help_states_the_studys_limits():
    """The --resolution help writes the limits out (the study loads at the call)."""
    import inspect

    from xornet.cli.landscape import landscape_command
    from xornet.study.landscape import MAX_RESOLUTION, MIN_RESOLUTION

    param = inspect.signature(landscape_command).parameters["resolution"]
    helptext = param.annotation.__metadata__[0].help
    assert f"({MIN_RESOLUTION}–{MAX_RESOLUTION};" in helptext
