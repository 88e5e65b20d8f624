"""Paths that are not what a file path should be: nothing xornet reads may hang on one, and
nothing it writes may destroy one.

Oracles: the file system itself (``os.lstat`` before and after: a device stays a device, a
FIFO a FIFO, a link a link, a folder's listing unchanged), and reading back what was saved.
"""

import os
import stat
import threading

import numpy as np
import pytest

import xornet
from xornet.errors import XornetError
from xornet.io import csvdata, files, modelfile


def _net():
    return xornet.Network.from_weights([[[1.0, -1.0], [1.0, -1.0]], [[1.0], [1.0]]],
                                       biases=[[-0.5, 1.5], [-1.5]])


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def device(tmp_path):
    """A character device node equal to /dev/null (tests run as root here; a user without
    the right to make one gets /dev/null itself, which is a device too)."""
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return "/dev/null"
    return path


def _returns_in_time(call, seconds=10):
    """Run ``call`` in a thread; fail if it is still running after ``seconds`` (a hang)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as e:  # handed to the test
            outcome["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the call blocked (reading a FIFO waits for a writer)"
    return outcome


@pytest.mark.parametrize("reader", [xornet.load, modelfile.read, csvdata.load_csv])
def test_reading_a_fifo_is_refused_at_once(fifo, reader):
    outcome = _returns_in_time(lambda: reader(fifo))
    assert isinstance(outcome.get("error"), XornetError)
    assert "FIFO" in str(outcome["error"]) and str(fifo) in str(outcome["error"])


def test_reading_a_device_or_a_folder_is_refused(device, tmp_path):
    for path, word in [(device, "device"), (tmp_path, "directory")]:
        with pytest.raises(XornetError, match=word):
            xornet.load(path)


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_saving_over_a_fifo_device_or_folder_leaves_it_alone(kind, fifo, device, tmp_path):
    path = {"fifo": fifo, "device": device, "folder": tmp_path / "models"}[kind]
    if kind == "folder":
        path.mkdir()
        (path / "keep.txt").write_text("x")
    before = os.lstat(path)
    outcome = _returns_in_time(lambda: _net().save(path))
    assert isinstance(outcome.get("error"), XornetError)
    assert "left unchanged" in str(outcome["error"]) or "left alone" in str(outcome["error"])
    after = os.lstat(path)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert after.st_ino == before.st_ino
    if kind == "folder":
        assert sorted(os.listdir(path)) == ["keep.txt"]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".xornet-")]


def test_saving_to_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    _net().save(target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    net = _net()
    net.weights[0][0, 0] = 7.0
    net.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert xornet.load(target).weights[0][0, 0] == 7.0  # the target is not stale
    assert xornet.load(link).weights[0][0, 0] == 7.0


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    _net().save(link)
    assert link.is_symlink() and (tmp_path / "new.json").is_file()


@pytest.mark.parametrize("path", ["", "   ", "a\0b.json"])
def test_an_empty_or_impossible_path_is_refused(path):
    with pytest.raises(XornetError, match=r"empty|NUL"):
        _net().save(path)


def test_a_model_too_large_to_read_back_is_refused_before_writing(tmp_path):
    # 2-1100-1100-1 has 1.2 million weights: about 27 MB of JSON, over the reader's 20 MB
    big = xornet.Network([2, 1100, 1100, 1], seed=0)
    path = tmp_path / "big.json"
    path.write_text("the old file")
    with pytest.raises(XornetError, match="could not be read back"):
        big.save(path)
    assert path.read_text() == "the old file"
    assert sorted(os.listdir(tmp_path)) == ["big.json"]
    assert modelfile.estimated_bytes(big.n_params) > modelfile.MAX_BYTES


def test_whatever_loads_saves_a_lone_surrogate_in_the_training_record(tmp_path):
    net = _net()
    net.save(tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text().replace('"training": {}',
                                                     '"training": {"note": "\\ud800 x"}')
    (tmp_path / "m.json").write_text(text)
    loaded = xornet.load(tmp_path / "m.json")
    assert loaded.training["note"] == "\ud800 x"
    loaded.save(tmp_path / "again.json")
    again = xornet.load(tmp_path / "again.json")
    assert again.training["note"] == "\ud800 x"
    np.testing.assert_array_equal(again.params, loaded.params)


def test_write_atomic_reports_the_users_path_not_a_temporary_file(tmp_path, monkeypatch):
    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full_disk)
    with pytest.raises(XornetError) as e:
        files.write_atomic(tmp_path / "out.csv", lambda f: f.write(b"a,b\n"))
    assert str(tmp_path / "out.csv") in str(e.value) and ".xornet-" not in str(e.value)
    assert os.listdir(tmp_path) == []
