"""Animations of a training run (xornet.viz.animate) and ``xornet animate``, headless.

Oracles: the parameters recorded at an epoch equal those of a fresh run trained for exactly
that many epochs; the frame schedule's properties written out (distinct, from 0 to the last
epoch, dense at the start); the GIF read back with Pillow for its frame count and size.
"""

import itertools
import json

import numpy as np
import pytest
from PIL import Image, ImageSequence
from typer.testing import CliRunner

import xornet
import xornet.cli.plot  # registers `plot` and `animate` on the app)
from xornet import viz
from xornet.cli import app
from xornet.train import config
from xornet.viz import animate

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

# Plain full-batch gradient descent on a 2-2-1 sigmoid net: deterministic, slow enough to
# learn that a log-spaced schedule matters (it sits on a plateau before it solves XOR).
SLOW = config.RunConfig(hidden=(2,), activation="sigmoid", output_activation="sigmoid",
                        bias=True, init="uniform01", loss="mse", optimizer="sgd", momentum=0.0,
                        lr=2.0, epochs=400, batch_size=None, shuffle=False, seed=0,
                        tolerance=0.1, stop_when_solved=False, target_loss=None)


def gif_frames(path):
    with Image.open(path) as im:
        size = im.size
        frames = [np.asarray(f.convert("RGB"), dtype=np.int16) for f in ImageSequence.Iterator(im)]
    return size, frames


# --- the frame schedule -------------------------------------------------------------------
@pytest.mark.parametrize(("total", "frames"), [(4000, 60), (59, 60), (60, 60), (100, 30),
                                               (1, 30), (120, 120), (10**6, 120)])
def test_frame_epochs(total, frames):
    e = viz.frame_epochs(total, frames)
    assert len(e) == min(frames, total + 1)
    assert e[0] == 0 and e[-1] == total
    assert all(b > a for a, b in itertools.pairwise(e))
    if total > 10 * frames:
        # log-spaced: the first half of the frames covers far less than half of the run
        assert e[frames // 2] < total / 4


def test_frame_epochs_start_dense():
    assert viz.frame_epochs(4000, 60)[:8] == list(range(8))


# --- recording ----------------------------------------------------------------------------
def test_recorded_params_equal_fresh_runs_of_that_length(monkeypatch):
    rec = viz.record_training(SLOW, X4, XOR_Y, frames=30)
    assert len(rec.epochs) == 30 and rec.epochs[-1] == 400 == rec.history.epochs
    for i in (0, 7, 18, 29):
        e = rec.epochs[i]
        if e == 0:
            expected = SLOW.build(2, 1).params
        else:
            expected = config.run(SLOW.with_(epochs=e), X4, XOR_Y)[0].params
        np.testing.assert_array_equal(rec.params[i], expected)
    # too big to store every epoch: trained twice, the same frames
    monkeypatch.setattr(animate, "MAX_STORED", 0)
    twice = viz.record_training(SLOW, X4, XOR_Y, frames=30)
    assert twice.epochs == rec.epochs
    for a, b in zip(twice.params, rec.params, strict=True):
        np.testing.assert_array_equal(a, b)


def test_recording_reports_every_epoch_through_its_progress_callback(monkeypatch):
    calls = []
    rec = viz.record_training(SLOW, X4, XOR_Y, frames=30,
                              progress=lambda done, total: calls.append((done, total)))
    assert calls == [(e, 400) for e in range(1, 401)]  # after each of the 400 epochs
    assert rec.history.epochs == 400
    # trained twice (too big to store): both runs counted, out of twice the run's length
    monkeypatch.setattr(animate, "MAX_STORED", 0)
    calls.clear()
    viz.record_training(SLOW, X4, XOR_Y, frames=30,
                        progress=lambda done, total: calls.append((done, total)))
    assert [d for d, _ in calls] == list(range(1, 801))
    assert calls[-1] == (800, 800)


def test_writing_reports_each_frame_through_its_progress_callback(tmp_path):
    rec = viz.record_training(SLOW.with_(epochs=40), X4, XOR_Y, frames=30)
    calls = []
    viz.write_animation(rec, X4, XOR_Y, tmp_path / "run.gif", dpi=20,
                        progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k, 30) for k in range(1, 31)]


# --- writing ------------------------------------------------------------------------------
def test_gif_has_the_requested_frames_and_they_differ(tmp_path):
    path = viz.animate_training(SLOW, X4, XOR_Y, tmp_path / "run.gif", frames=30, dpi=30,
                                dataset_name="xor")
    size, frames = gif_frames(path)
    assert size == (390, 132)  # the figure is 13 × 4.4 inches, at 30 dpi
    assert len(frames) == 30
    diffs = [np.abs(a - b).mean() for a, b in itertools.pairwise(frames)]
    assert min(diffs) > 0  # every frame shows something new (at least its epoch)
    assert np.abs(frames[0] - frames[-1]).mean() > 5  # the boundary itself has changed


def test_sine_run_animates_as_a_fit(tmp_path):
    X, y = xornet.datasets.load("sine", n_samples=30)
    run = SLOW.with_(hidden=(3,), activation="tanh", output_activation="linear", lr=0.05,
                     epochs=60)
    _, frames = gif_frames(viz.animate_training(run, X, y, tmp_path / "s.gif", frames=30,
                                                dpi=20))
    assert len(frames) == 30


def test_animation_user_errors(tmp_path, monkeypatch):
    with pytest.raises(xornet.XornetError, match="frames"):
        viz.animate_training(SLOW, X4, XOR_Y, tmp_path / "a.gif", frames=10)
    with pytest.raises(xornet.XornetError, match=r"\.gif or \.mp4"):
        viz.animate_training(SLOW, X4, XOR_Y, tmp_path / "a.avi")
    monkeypatch.setattr(animate.shutil, "which", lambda name: None)
    with pytest.raises(xornet.XornetError, match="ffmpeg"):
        viz.animate_training(SLOW, X4, XOR_Y, tmp_path / "a.mp4")
    X3, y3 = xornet.datasets.load("parity", n_bits=3)
    with pytest.raises(xornet.XornetError, match="2-input data"):
        viz.animate_training(SLOW, X3, y3, tmp_path / "p.gif", frames=30)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


# --- xornet animate -----------------------------------------------------------------------
runner = CliRunner()


def test_cli_animate_writes_and_prints_the_path(tmp_path):
    out = tmp_path / "xor.gif"
    args = ["animate", "--out", str(out), "--frames", "30", "--dpi", "20", "--hidden", "2",
            "--activation", "sigmoid", "--optimizer", "sgd", "--lr", "2", "--loss", "mse",
            "--init", "uniform01", "--epochs", "300", "--no-early-stop", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    doc = json.loads(result.stdout)
    assert doc["written"] == str(out) and doc["frames"] == 30 and doc["epochs"][-1] == 300
    assert len(gif_frames(out)[1]) == 30


def test_cli_animate_user_errors(tmp_path):
    for args, fragment in ((["--frames", "10"], "frames"), (["--out", "x.avi"], ".gif"),
                           (["--lr", "-1"], "--lr"), (["--dataset", "parity"], "2-input")):
        result = runner.invoke(app, ["animate", "--out", str(tmp_path / "a.gif"), *args])
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], (args, result.stderr)
    assert not (tmp_path / "a.gif").exists()


def fake_ffmpeg(tmp_path, monkeypatch, script):
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")


def test_mp4_goes_through_ffmpeg(tmp_path, monkeypatch):
    # A stand-in ffmpeg that counts the bytes it is sent and writes the count to the output
    # file (its last argument): the pipe and the atomic rename run without a real ffmpeg.
    fake_ffmpeg(tmp_path, monkeypatch, 'for last; do :; done\necho "$(wc -c)" > "$last"\n')
    out = viz.animate_training(SLOW.with_(epochs=40), X4, XOR_Y, tmp_path / "run.mp4",
                               frames=30, dpi=20)
    assert out == str(tmp_path / "run.mp4")
    # 30 RGBA frames of the 13 × 4.4 inch figure at 20 dpi: 260 × 88 pixels
    assert int((tmp_path / "run.mp4").read_text()) == 30 * 260 * 88 * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "run.mp4"]


def test_a_failing_ffmpeg_is_one_sentence_and_leaves_no_file(tmp_path, monkeypatch):
    fake_ffmpeg(tmp_path, monkeypatch, 'echo "Unknown encoder libx264" >&2\nexit 1\n')
    with pytest.raises(xornet.XornetError, match="Unknown encoder libx264"):
        viz.animate_training(SLOW, X4, XOR_Y, tmp_path / "run.mp4", frames=30, dpi=20)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_a_run_that_restarts_is_animated_as_its_finishing_attempt():
    # seed 6 of the default run stalls and restarts (README); the film must be the attempt
    # that finished, from its own first weights to its end
    from xornet.train.config import RunConfig, run
    from xornet.viz.animate import record_training

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    cfg = RunConfig(seed=6)
    _, history = run(cfg, X, y)
    assert len(history.attempts) >= 2  # the case is real: it restarted
    last = history.attempts[-1].seed
    recording = record_training(cfg, X, y, frames=30)
    start = RunConfig(seed=last).build(2, 1).params
    np.testing.assert_array_equal(recording.params[0], start)
    np.testing.assert_array_equal(recording.params[-1], run(cfg, X, y)[0].params)
