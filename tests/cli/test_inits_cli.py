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
    (["--out", "/nonexistent-dir/x.png"], "/nonexistent-dir does not exist"),
    (["--out", "x.jpg"], "unknown image format"),
])
def test_bad_input_is_one_error_line(args, words):
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
