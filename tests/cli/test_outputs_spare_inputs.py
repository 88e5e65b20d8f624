"""No command destroys its own input, and every output is checked before any work.

The oracles: the one-line error and exit 2; every input file left byte-identical; the
folder's listing unchanged (nothing written, no training made a picture first)."""

import os

import pytest
from typer.testing import CliRunner

from xornet.cli import app

runner = CliRunner()

XOR_CSV = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def _snapshot(folder):
    """Every file under ``folder`` with its bytes, so a test sees any write at all."""
    out = {}
    for root, dirs, names in os.walk(folder):
        for name in names + dirs:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    out[os.path.relpath(path, folder)] = f.read()
            else:
                out[os.path.relpath(path, folder)] = "link" if os.path.islink(path) else "dir"
    return out


def _refused(args, words):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert words in result.output, result.output
    assert result.output.count("\n") == 1, result.output  # one sentence, nothing before it
    return result


@pytest.fixture
def files(tmp_path):
    """A CSV, a model trained on it, its npz export, and a symlink to the CSV."""
    (tmp_path / "d.csv").write_text(XOR_CSV)
    model = str(tmp_path / "m.json")
    assert runner.invoke(app, ["train", "-q", "--epochs", "50", "--save", model]).exit_code == 0
    npz = str(tmp_path / "m.npz")
    assert runner.invoke(app, ["export", model, "--out", npz]).exit_code == 0
    os.symlink(tmp_path / "d.csv", tmp_path / "link.csv")
    return tmp_path


@pytest.mark.parametrize("args", [
    ["train", "--csv", "{t}/d.csv", "--save", "{t}/d.csv"],
    ["train", "--csv", "{t}/link.csv", "--save", "{t}/d.csv"],  # through a symlink
    ["train", "--csv", "{t}/d.csv", "--save", "{t}/link.csv"],
    ["train", "--from", "{t}/m.json", "--save", "{t}/m.json"],
    ["import", "{t}/m.npz", "--out", "{t}/m.npz"],
    ["export", "{t}/m.json", "--out", "{t}/m.json", "--format", "npz"],
    ["export", "{t}/m.json", "--out", "{t}/./m.json", "--format", "onnx"],
    ["sweep", "--data-csv", "{t}/d.csv", "--csv", "{t}/d.csv", "--seeds", "2", "--epochs", "2"],
])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(files, args):
    before = _snapshot(files)
    _refused([a.format(t=files) for a in args], "is the same file as the input")
    assert _snapshot(files) == before


def test_a_hard_link_is_the_same_file(files):
    os.link(files / "d.csv", files / "hard.csv")
    before = _snapshot(files)
    _refused(["train", "--csv", str(files / "d.csv"), "--save", str(files / "hard.csv")],
             "--save: ")
    assert _snapshot(files) == before


def test_a_picture_that_would_land_on_the_model_is_refused(files):
    (files / "pics").mkdir()
    os.symlink(files / "m.json", files / "pics" / "boundary.png")
    before = _snapshot(files)
    _refused(["plot", str(files / "m.json"), "--out", str(files / "pics")],
             "is the same file as the input MODEL")
    _refused(["train", "--from", str(files / "m.json"), "--plot", str(files / "pics")],
             "is the same file as the input --from")
    assert _snapshot(files) == before


def test_an_animation_over_its_csv_is_refused(files):
    os.symlink(files / "d.csv", files / "run.gif")
    before = _snapshot(files)
    _refused(["animate", "--csv", str(files / "d.csv"), "--out", str(files / "run.gif")],
             "is the same file as the input --csv")
    _refused(["train", "--csv", str(files / "d.csv"), "--animate", str(files / "run.gif")],
             "is the same file as the input --csv")
    assert _snapshot(files) == before


def test_a_landscape_picture_over_its_model_is_refused(files):
    os.symlink(files / "m.json", files / "m.png")
    before = _snapshot(files)
    _refused(["landscape", str(files / "m.json"), "--out", str(files / "m.png")],
             "is the same file as the input MODEL")
    assert _snapshot(files) == before


@pytest.mark.parametrize("out, fmt, words", [
    ("m.safetensors", "npz", "--format: npz contradicts the --out name"),
    ("m.npz", "onnx", ".npz says npz"),
    ("other.json", "safetensors", "--format: safetensors contradicts"),
])
def test_a_format_that_contradicts_the_suffix_is_refused(files, out, fmt, words):
    before = _snapshot(files)
    _refused(["export", str(files / "m.json"), "--out", str(files / out), "--format", fmt],
             words)
    assert _snapshot(files) == before


def test_a_format_with_a_matching_or_unknown_suffix_is_written(files):
    for name in ("x.NPZ", "x.bin"):
        result = runner.invoke(app, ["export", str(files / "m.json"), "--out",
                                     str(files / name), "--format", "npz"])
        assert result.exit_code == 0, result.output
        assert (files / name).read_bytes()[:2] == b"PK"  # an npz is a zip archive


@pytest.mark.parametrize("args, words", [
    (["animate", "--dataset", "moons", "--test-split", "0.3", "--out", "{t}/nodir/x.gif"],
     "the folder {t}/nodir does not exist"),
    (["train", "--animate", "{t}/nodir/x.gif"], "does not exist"),
    (["train", "--animate", "{t}/x.txt"], "unknown animation format"),
    (["train", "--plot", "{t}/pl"], "--plot: {t}/pl/loss.png is a folder"),
    (["train", "--plot", "{t}/file/sub"], "because {t}/file is not a folder"),
    (["train", "--plot", "{t}/file"], "--plot: {t}/file is a file, not a folder"),
    (["plot", "builtin:xor-step", "--out", "{t}/pl"], "--out: {t}/pl/loss.png is a folder"),
    (["plot", "builtin:xor-step", "--out", "{t}/file"], "is a file, not a folder"),
])
def test_every_output_target_is_checked_before_training(tmp_path, args, words):
    (tmp_path / "pl" / "loss.png").mkdir(parents=True)
    (tmp_path / "file").write_text("keep")
    before = _snapshot(tmp_path)
    _refused([a.format(t=tmp_path) for a in args], words.format(t=tmp_path))
    assert _snapshot(tmp_path) == before  # no picture was drawn before the refusal


@pytest.mark.parametrize("args, words", [
    (["train", "--plot", ""], "--plot: the folder name is empty"),
    (["train", "--plot", "  "], "--plot: the folder name is empty"),
    (["train", "--animate", ""], "--animate: the path is empty"),
    (["plot", "builtin:xor-step", "--out", ""], "--out: the folder name is empty"),
    (["animate", "--out", ""], "--out: the path is empty"),
])
def test_an_empty_output_is_refused_not_skipped(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    _refused(args, words)
    assert os.listdir(tmp_path) == []
