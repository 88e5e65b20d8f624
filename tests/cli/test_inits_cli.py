"""``xornet inits``: the JSON document against the library's own numbers and a count by hand,
the text at 80 and 100 columns, the picture, and bad input as one error line."""

import json

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from xornet.cli import app
from xornet.study import inits

runner = CliRunner()
SMALL = ["--seeds", "40", "--ranges", "0.3,4"]


def invoke(*args, columns=100):
    return runner.invoke(app, ["inits", *map(str, args)], env={"COLUMNS": str(columns)})


def test_json_matches_the_library(xor):
    result = invoke(*SMALL, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    X, y = xor
    study = inits.explore(inits.CLASSIC, X, y, ranges=(0.3, 4.0), seeds=40)
    assert [p["name"] for p in doc["points"]] == ["uniform:0.3", "uniform:4"]
    for got, want in zip(doc["points"], study.points, strict=True):
        assert got["solved"] == want.solved
        assert got["success_rate"] == pytest.approx(got["solved"] / 40)
        assert got["failed"] == sum(got["failures"].values()) == 40 - got["solved"]
        low, high = got["interval95"]
        assert low <= got["success_rate"] <= high
    assert doc["base"]["loss"] == "sse" and doc["base"]["lr"] == 0.5
    assert doc["backends"] and doc["reference"][0]["reference"] == 0.97


@pytest.mark.parametrize("columns", [80, 100])
def test_text_fits_the_terminal(columns):
    result = invoke(*SMALL, "--init", "uniform,xavier", "--hidden", "2,3", "--tolerance",
                    "0.5,0.1", columns=columns)
    assert result.exit_code == 0, result.output
    wide = [line for line in result.stdout.splitlines() if cell_len(line) > columns]
    assert not wide
    text = result.stdout
    assert "Initialisation explorer" in text and "classic" in text
    assert "backend" in text and "Wilson" in text
    assert "xavier" in text and "plateau-3-of-4" in text


def test_out_writes_the_picture(tmp_path):
    out = tmp_path / "inits.png"
    result = invoke(*SMALL, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {out}" in result.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["--ranges", "0.1,,1"], "--ranges: '0.1,,1' has an empty item"),
    (["--ranges", "a"], "--ranges: 'a' is not a number"),
    (["--ranges", "0"], "--ranges: 0.0 is not a scale"),
    (["--init", "uniform:0.3"], "the scales go in ranges"),
    (["--hidden", "2,x"], "--hidden: 'x' is not a hidden width"),
    (["--tolerance", "0"], "--tolerance: 0.0 is not a tolerance"),
    (["--seeds", "0"], "--seeds: expected a whole number ≥ 1"),
    (["--lr", "nan"], "--lr: expected a finite number > 0"),
    (["--loss", "hinge"], "--loss:"),
    (["--out", "/nonexistent-dir/x.png"], "--out: /nonexistent-dir/x.png: cannot write there"),
    (["--out", "x.jpg"], "--out: 'x.jpg' is not a picture file"),
    (["--out", "-"], "--out: '-' is not a picture file"),
    (["--ranges", "1e-320"], "--ranges: 1e-320 is not a scale; give numbers from 10^-6"),
    (["--ranges", "2e6"], "--ranges: 2000000.0 is not a scale"),
    (["--dataset", "sine"], "--dataset: sine has a real-valued target"),
    (["--ranges", ",".join(f"{0.001 * (k + 1):g}" for k in range(5000))],
     "--ranges: the lists make 5000 points"),
    (["--ranges", ",".join(f"{0.01 * (k + 1):g}" for k in range(50)), "--seeds", "2001"],
     "--seeds: 50 points × 2,001 seeds is 100,050 networks, more than 100,000"),
    (["--init", "uniform,normal,xavier", "--hidden", "2,3", "--tolerance", "0.5,0.1",
      "--out", "multi.png"], "--out: 12 series (--init × --hidden × --tolerance)"),
])
def test_bad_input_is_one_error_line(args, words, monkeypatch, tmp_path):
    """Refused before anything trains: the population trainer must not be reached."""
    def no_training(*_, **__):
        raise AssertionError("trained before the input was checked")

    monkeypatch.setattr(inits, "train_population", no_training)
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xornet: error:")
    assert words in lines[0]
    assert not result.stdout


def test_a_start_that_counts_as_solved_is_said(xor):
    """zeros: every output is σ(0) = 0.5, within 0.5 of both targets, so "solved" at epoch 0;
    the command says so rather than letting 100 % read as a success of training."""
    result = invoke("--init", "zeros,xavier", "--seeds", "10")
    assert result.exit_code == 0, result.output
    assert "note: 10 of 10 networks of zeros count as solved before any update" in result.stdout
    assert "networks of xavier" not in result.stdout


def test_yes_allows_a_large_run(monkeypatch):
    """Over 100,000 networks, --yes lets the run through to the trainer (stopped there)."""
    reached = []

    def stop(*_, **kwargs):
        reached.append(kwargs["seeds"])
        raise SystemExit(0)

    monkeypatch.setattr(inits, "explore", stop)
    ranges = ",".join(f"{0.01 * (k + 1):g}" for k in range(50))
    assert invoke("--ranges", ranges, "--seeds", "2001").exit_code == 2
    assert not reached
    invoke("--ranges", ranges, "--seeds", "2001", "--yes")
    assert reached == [2001]


def test_the_commands_defaults_are_the_classic_set_up():
    """--lr, --momentum, --epochs and --loss are written out in cli/inits.py (so `xornet
    --help` does not import the study); they must be CLASSIC's."""
    import inspect

    from xornet.cli.inits import inits_command
    from xornet.study.inits import CLASSIC

    params = inspect.signature(inits_command).parameters
    for name in ("lr", "momentum", "epochs", "loss"):
        assert params[name].default == getattr(CLASSIC, name), name


def test_help_loads_no_instrument():
    """`xornet --help` imports no study module: they load when their command runs."""
    import subprocess
    import sys

    code = ("import sys; from xornet.cli import app; "
            "print(sorted(m for m in sys.modules if m.startswith('xornet.study.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
